from celery import shared_task

from . import services


@shared_task(name="reassurance.tick", ignore_result=True)
def tick() -> dict:
    """Every minute (beat): makes the ritual times that are due and closes,
    silently, the ones past their time. Reads only what is due; safe to run
    twice (unique per time and per time-out, rows locked with skip)."""
    return services.occurrences_tick()
