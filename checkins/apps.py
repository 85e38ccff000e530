from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"

    def ready(self) -> None:
        from couples.services import COUPLE_CLOSED_HOOKS

        from . import live, services

        if live.broadcast_event not in services.EVENT_LISTENERS:
            services.EVENT_LISTENERS.append(live.broadcast_event)
        if live.close_couple_sockets not in COUPLE_CLOSED_HOOKS:
            COUPLE_CLOSED_HOOKS.append(live.close_couple_sockets)
