from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from backend.timezones import TimezoneInput

from .language import language_choices, language_codes, request_language
from .timezones import validate_timezone


def _current_language() -> str:
    """The language this page is shown in (the browser's), as the sign-up's choice."""
    language = translation.get_language()
    return language if language in language_codes() else ""


class LanguageSelect(forms.Select):
    """Each option marked with its own language (lang, dir), so that a
    screen reader says "Deutsch" and "العربية" as they are said."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
            option["attrs"]["dir"] = "rtl" if translation.get_language_info(value)["bidi"] else "ltr"
        return option


def language_field(**kwargs) -> forms.ChoiceField:
    """A select with each language in its own name (settings.LANGUAGES).
    Not required: a form posted without it (an older page) keeps what was
    there; the views treat "" as "unchanged" or "the browser's"."""
    return forms.ChoiceField(
        choices=language_choices,
        required=False,
        label=_("Language"),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
        widget=LanguageSelect(attrs={"autocomplete": "language"}),
        **kwargs,
    )


TIMEZONE_ERRORS = {
    "required": _("Choose your timezone."),
    "invalid_timezone": _("Choose a timezone from the list, for example Europe/Berlin."),
}


class SignupExtraForm(forms.Form):
    """The fields allauth's sign-up adds to email and password."""

    # allauth orders its sign-up form by this (email and password1 are its own).
    field_order = ["display_name", "email", "password1", "timezone", "language"]

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

    language = language_field(
        initial=_current_language,
        help_text=_("Steady's pages, emails and notifications for you use it; your partner chooses their own."),
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.timezone = self.cleaned_data["timezone"]
        user.language = self.cleaned_data.get("language") or request_language(request)
        user.save(update_fields=["display_name", "timezone", "language"])


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
    language = language_field(help_text=_("For your pages, emails and notifications. Your partner chooses their own."))
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
