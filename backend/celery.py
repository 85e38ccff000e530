import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

# Seconds between dispatcher ticks: a minute; shorter only in the
# fault-injection run (scripts/faults.py), which cannot wait minutes.
DISPATCH_EVERY = float(os.environ.get("STEADY_DISPATCH_EVERY", "60"))

app = Celery("steady")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic tasks are added to app.conf.beat_schedule by the apps that own
# them (see each app's tasks.py); there are no per-user periodic-task rows.
app.conf.beat_schedule = {
    "reminders-dispatch": {"task": "reminders.dispatch", "schedule": DISPATCH_EVERY},
    "reminders-recover": {"task": "reminders.recover", "schedule": DISPATCH_EVERY},
    "checkins-extend-horizon": {"task": "checkins.extend_horizon", "schedule": 30 * 60},
    "checkins-close-expired": {"task": "checkins.close_expired", "schedule": 60},
    "space-mark-missed": {"task": "space.mark_missed", "schedule": 5 * 60},
}
