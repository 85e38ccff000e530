from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS


class PreferencesForm(forms.Form):
    email = forms.BooleanField(
        required=False, label=_("Email me reminders"), help_text=_("Short and content-free: never what anyone wrote.")
    )
    push = forms.BooleanField(
        required=False, label=_("Phone notifications"), help_text=_("Only on phones where you turned them on.")
    )
    daily_cap = forms.IntegerField(
        min_value=1,
        max_value=20,
        label=_("At most this many reminders a day"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    lead_minutes = forms.IntegerField(
        min_value=0,
        max_value=240,
        label=_("Remind me this many minutes before a check-in"),
        help_text=_("0 for no early reminder."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, kind in KINDS.items():
            self.fields[f"kind_{key}"] = forms.BooleanField(
                required=False, label=kind.label, help_text=kind.extra.get("preference_hint", "")
            )

    def kind_fields(self):
        return [self[f"kind_{key}"] for key in KINDS]

    def to_service_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in ("email", "push", "daily_cap", "lead_minutes")}
        data["kinds"] = {key: self.cleaned_data[f"kind_{key}"] for key in KINDS}
        return data
