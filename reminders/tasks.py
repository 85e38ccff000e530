import random

from celery import shared_task

from . import delivery
from .dispatch import dispatch_tick


@shared_task(name="reminders.dispatch", ignore_result=True)
def dispatch() -> dict:
    """Every minute (beat). Safe to run twice at once: rows are claimed with
    SKIP LOCKED and each occurrence is recorded under a unique constraint."""
    return dispatch_tick().as_dict()


@shared_task(name="reminders.recover", ignore_result=True)
def recover() -> int:
    """Every minute (beat): re-queues emails and pushes whose message was lost
    or whose worker died mid-send (see reminders.recovery)."""
    from .recovery import requeue_stalled

    return requeue_stalled()


def _backoff(attempt: int) -> float:
    # Exponential with full jitter, capped at 5 minutes: no long ETAs, which
    # Redis would redeliver after its visibility timeout.
    return random.uniform(0, min(300, 10 * 2**attempt))


@shared_task(name="reminders.send_deliveries", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_deliveries(delivery_ids: list[int]) -> None:
    from .models import Delivery

    rows = Delivery.objects.filter(pk__in=delivery_ids).values_list("pk", "email_state", "push_state")
    for pk, email_state, push_state in rows:
        for channel, state in (("email", email_state), ("push", push_state)):
            if state == Delivery.Channel.QUEUED:
                try:
                    delivery.send(pk, channel)
                except delivery.Transient:
                    send_one.apply_async((pk, channel), countdown=_backoff(1))


@shared_task(
    bind=True,
    name="reminders.send_one",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=None,
)
def send_one(self, delivery_id: int, channel: str) -> str:
    try:
        return delivery.send(delivery_id, channel)
    except delivery.Transient as exc:
        # delivery.send counts attempts in the database and gives up at
        # MAX_ATTEMPTS, so redeliveries and retries share one counter.
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries + 2)) from exc
