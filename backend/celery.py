import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("steady")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Periodic tasks are added to app.conf.beat_schedule by the apps that own
# them (see each app's tasks.py); there are no per-user periodic-task rows.
app.conf.beat_schedule = {
    "reminders-dispatch": {"task": "reminders.dispatch", "schedule": 60},
    "checkins-extend-horizon": {"task": "checkins.extend_horizon", "schedule": 30 * 60},
    "checkins-close-expired": {"task": "checkins.close_expired", "schedule": 60},
    "space-mark-missed": {"task": "space.mark_missed", "schedule": 5 * 60},
}
