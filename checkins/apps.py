from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CheckinsConfig(AppConfig):
    name = "checkins"

    def ready(self) -> None:
        from . import live, services

        if live.broadcast_event not in services.EVENT_LISTENERS:
            services.EVENT_LISTENERS.append(live.broadcast_event)
        # How a live break is taken (checkins.breaks): an app built on
        # check-ins registers it in its live_breaks.py (repair: a time-out).
        autodiscover_modules("live_breaks")
