import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

# Seconds between dispatcher ticks: a minute; shorter only in the
# fault-injection run (scripts/faults.py), which cannot wait minutes.
DISPATCH_EVERY = float(os.environ.get("STEADY_DISPATCH_EVERY", "60"))

app = Celery("steady")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _observability() -> None:
    # The request id crosses from the web request into its tasks; task
    # counters and timings (backend/observability.py).
    from backend import observability

    observability.celery_connect()


_observability()


@worker_init.connect
def _worker_metrics(**_kwargs) -> None:
    from backend import observability

    observability.worker_metrics_serve()


# Periodic tasks are added to app.conf.beat_schedule by the apps that own
# them (see each app's tasks.py); there are no per-user periodic-task rows.
app.conf.beat_schedule = {
    "reminders-dispatch": {"task": "reminders.dispatch", "schedule": DISPATCH_EVERY},
    "reminders-recover": {"task": "reminders.recover", "schedule": DISPATCH_EVERY},
    "checkins-extend-horizon": {"task": "checkins.extend_horizon", "schedule": 30 * 60},
    "checkins-close-expired": {"task": "checkins.close_expired", "schedule": 60},
    "space-mark-missed": {"task": "space.mark_missed", "schedule": 5 * 60},
    "repair-expire": {"task": "repair.expire", "schedule": 5 * 60},
    "reassurance-tick": {"task": "reassurance.tick", "schedule": DISPATCH_EVERY},
    # Requests no longer sweep expired tokens (accounts.auth): this does.
    "accounts-tokens-expired-delete": {"task": "accounts.tokens_expired_delete", "schedule": 60 * 60},
    "accounts-closed-accounts-erase": {"task": "accounts.closed_accounts_erase", "schedule": 60 * 60},
}


@worker_process_init.connect
def _own_database_pool(**_kwargs) -> None:
    """A prefork child opens its own connection pool after the fork, never
    the one it inherited: that pool's threads did not survive the fork and
    its sockets are the parent's (closing them here would close the
    parent's). Dropping the reference is enough; Django makes a new pool on
    the child's first query."""
    try:
        from django.db.backends.postgresql.base import DatabaseWrapper
    except ImportError:  # no psycopg: SQLite, nothing pooled
        return
    DatabaseWrapper._connection_pools.clear()
