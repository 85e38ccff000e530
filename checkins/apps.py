from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"

    def ready(self) -> None:
        from . import live, services

        if live.broadcast_event not in services.EVENT_LISTENERS:
            services.EVENT_LISTENERS.append(live.broadcast_event)
