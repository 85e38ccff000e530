from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class RemindersConfig(AppConfig):
    name = "reminders"

    def ready(self) -> None:
        # Each feature's reminder_kinds.py registers its kinds (reminders.kinds.register);
        # found here, in INSTALLED_APPS order, so reminders imports no feature.
        autodiscover_modules("reminder_kinds")
        from . import metrics

        metrics.register()
