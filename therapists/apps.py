from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"

    def ready(self) -> None:
        from couples.services import COUPLE_CLOSED_HOOKS

        from . import reminder_kinds  # noqa: F401 - registers the kinds
        from .services import grants_end_for_couple

        # Leaving the couple ends every grant (after the commit).
        if grants_end_for_couple not in COUPLE_CLOSED_HOOKS:
            COUPLE_CLOSED_HOOKS.append(grants_end_for_couple)
