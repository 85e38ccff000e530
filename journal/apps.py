import importlib

from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"

    def ready(self) -> None:
        # Reminder kinds this app registers with the reminders engine.
        if importlib.util.find_spec(f"{self.name}.reminder_kinds"):
            importlib.import_module(f"{self.name}.reminder_kinds")

        from couples.services import COUPLE_CLOSED_HOOKS

        from . import checks  # noqa: F401 - registers the key store checks
        from .services import shares_end_for_couple

        # Leaving ends every share made within the couple. The selector
        # already hides them from the moment the couple closes; the hook
        # tidies up so the author's pages say "not shared" too.
        if shares_end_for_couple not in COUPLE_CLOSED_HOOKS:
            COUPLE_CLOSED_HOOKS.append(shares_end_for_couple)
