"""The Celery tasks that send a decided delivery, by email or push.

Below ``dispatch`` (which queues ``send_deliveries`` after its commit) and
``recovery`` (which re-queues ``send_one``), and importing neither: the
reminders modules import one way, ``tasks`` -> ``dispatch``/``recovery`` ->
``sending`` -> ``delivery``. ``tasks`` re-exports these so Celery's
autodiscovery registers them."""

import random

from celery import shared_task

from . import delivery
from .models import Delivery


def _backoff(attempt: int) -> float:
    # Exponential with full jitter, capped at 5 minutes: no long ETAs, which
    # Redis would redeliver after its visibility timeout.
    return random.uniform(0, min(300, 10 * 2**attempt))


@shared_task(name="reminders.send_deliveries", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_deliveries(delivery_ids: list[int]) -> None:
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
