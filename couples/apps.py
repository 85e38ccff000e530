from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CouplesConfig(AppConfig):
    name = "couples"

    def ready(self) -> None:
        # Each app's couple_closed.py registers what ends when a couple
        # closes (couples.closing); found here, never imported by name.
        autodiscover_modules("couple_closed")
