from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"

    def ready(self) -> None:
        from . import reminder_kinds  # noqa: F401 - registers the kinds
