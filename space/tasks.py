from celery import shared_task

from . import services


@shared_task(name="space.mark_missed", ignore_result=True)
def mark_missed() -> int:
    """Every few minutes (beat): records ``missed`` for promises never
    marked, some hours after their time. Takes no arguments and claims each
    period with a conditional update, so two runs at once, or a retry, record
    each one once."""
    return services.space_mark_missed()
