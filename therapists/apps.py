from django.apps import AppConfig


class TherapistsConfig(AppConfig):
    name = "therapists"

    def ready(self):
        # Practices both partners accepted are promises the couple made
        # together: the ledger lists them next to its own (promises sits
        # below therapists and never imports it).
        from promises.selectors import register_source

        from .selectors import practice_ledger_rows

        register_source("practice", practice_ledger_rows)
