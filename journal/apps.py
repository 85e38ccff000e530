from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the key store checks
