from django import forms
from django.utils.translation import gettext_lazy as _

from backend.timezones import TimezoneInput

from .timezones import validate_timezone

TIMEZONE_ERRORS = {
    "required": _("Choose your timezone."),
    "invalid_timezone": _("Choose a timezone from the list, for example Europe/Berlin."),
}


class SignupExtraForm(forms.Form):
    """The fields allauth's sign-up adds to email and password."""

    # allauth orders its sign-up form by this (email and password1 are its own).
    field_order = ["display_name", "email", "password1", "timezone"]

    display_name = forms.CharField(
        max_length=60,
        label=_("Your first name"),
        help_text=_("This is the name your partner will see."),
        error_messages={"required": _("Tell us what to call you.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "autocapitalize": "words"}),
    )
    timezone = forms.CharField(
        validators=[validate_timezone],
        initial="UTC",
        label=_("Your timezone"),
        help_text=_("Picked from this phone. Times and reminders use it; you can change it later."),
        error_messages=TIMEZONE_ERRORS,
        widget=TimezoneInput(attrs={"data-detect-timezone": "1"}),
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.timezone = self.cleaned_data["timezone"]
        user.save(update_fields=["display_name", "timezone"])


class SettingsForm(forms.Form):
    display_name = forms.CharField(
        max_length=60,
        label=_("Your first name"),
        help_text=_("This is the name your partner sees."),
        error_messages={"required": _("Tell us what to call you.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "autocapitalize": "words"}),
    )
    timezone = forms.CharField(
        validators=[validate_timezone],
        label=_("Your timezone"),
        help_text=_("Times and reminders are shown in it."),
        error_messages=TIMEZONE_ERRORS,
        widget=TimezoneInput(attrs={"data-device-timezone": "1"}),
    )
    quiet_hours_start = forms.TimeField(
        required=False,
        label=_("From"),
        error_messages={"invalid": _("Enter a time, like 22:00.")},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_hours_end = forms.TimeField(
        required=False,
        label=_("Until"),
        error_messages={"invalid": _("Enter a time, like 07:30.")},
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
