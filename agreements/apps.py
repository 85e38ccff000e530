import importlib

from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "agreements"

    def ready(self) -> None:
        # Reminder kinds this app registers with the reminders engine.
        if importlib.util.find_spec(f"{self.name}.reminder_kinds"):
            importlib.import_module(f"{self.name}.reminder_kinds")
