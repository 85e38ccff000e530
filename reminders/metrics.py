"""Reminder-dispatch metrics for Prometheus (docs/scaling.md, "Seeing it
run"): how many reminders are due and not yet dispatched, and how late the
oldest one is — read from the database at scrape time, so every web
process reports the same truth whichever worker dispatched — and, in the
worker, what each dispatch tick decided. Labels are kinds and outcomes only,
never a person or a text."""

from __future__ import annotations

import contextlib

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

dispatch_outcomes = Counter(
    "steady_reminders_dispatched_total", "Reminders the dispatcher claimed, by outcome", ["outcome"]
)


def dispatch_count(result: dict) -> None:
    for key, value in result.items():
        if key.startswith("outcome_") and value:
            dispatch_outcomes.labels(key.removeprefix("outcome_")).inc(value)


class DueReminders:
    """One query on the partial index of pending reminders per scrape."""

    def describe(self):
        # Without describe() registering would run collect(), a query, at start-up.
        yield GaugeMetricFamily("steady_reminders_due", "Pending reminders whose time has come")
        yield GaugeMetricFamily("steady_reminders_due_oldest_seconds", "How late the oldest due reminder is")

    def collect(self):
        from .models import Reminder

        now = timezone.now()
        row = Reminder.objects.filter(status=Reminder.Status.PENDING, fire_at__lte=now).aggregate(
            n=Count("id"), oldest=Min("fire_at")
        )
        yield GaugeMetricFamily("steady_reminders_due", "Pending reminders whose time has come", value=row["n"])
        lag = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
        yield GaugeMetricFamily("steady_reminders_due_oldest_seconds", "How late the oldest due reminder is", value=lag)


def register() -> None:
    from prometheus_client import REGISTRY

    with contextlib.suppress(ValueError):  # already registered (ready() ran twice)
        REGISTRY.register(DueReminders())
