"""Celery tasks of reminders. The beat's entry points are here; the
sending tasks live in ``sending`` (below dispatch and recovery, which queue
them) and are re-exported for Celery's autodiscovery."""

from celery import shared_task

from .dispatch import dispatch_tick
from .recovery import requeue_stalled
from .sending import send_deliveries, send_one

__all__ = ["dispatch", "recover", "send_deliveries", "send_one"]


@shared_task(name="reminders.dispatch", ignore_result=True)
def dispatch() -> dict:
    """Every minute (beat). Safe to run twice at once: rows are claimed with
    SKIP LOCKED and each occurrence is recorded under a unique constraint."""
    from .metrics import dispatch_count

    result = dispatch_tick().as_dict()
    dispatch_count(result)
    return result


@shared_task(name="reminders.recover", ignore_result=True)
def recover() -> int:
    """Every minute (beat): re-queues emails and pushes whose message was lost
    or whose worker died mid-send (see reminders.recovery)."""
    return requeue_stalled()
