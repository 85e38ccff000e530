from celery import shared_task

from . import services


@shared_task(name="checkins.extend_horizon")
def extend_horizon() -> int:
    """Keeps every active schedule's check-ins at least 14 days ahead."""
    return services.schedules_extend_horizon()


@shared_task(name="checkins.close_expired")
def close_expired() -> int:
    return services.checkins_close_expired()
