from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import checks  # noqa: F401 - registers the key store checks

        # Sections of the patterns page from the features above (journal.pattern_sections).
        autodiscover_modules("journal_patterns")
