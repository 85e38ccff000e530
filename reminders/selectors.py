"""Reminder and notification reads, scoped to the person who asks."""

from django.db.models import QuerySet

from accounts.models import User

from .models import Notification

# What the API's list shows of a notification (reminders.api.NotificationOutput).
LIST_FIELDS = ("id", "kind", "title", "url", "created_at", "read_at")


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """Newest first, through notification_user_idx; only the list's columns
    (not the delivery link or the owner)."""
    return Notification.objects.filter(user=user).only(*LIST_FIELDS).order_by("-created_at", "-id")


def notifications_unread_count(*, user: User) -> int:
    """Through the partial index notification_unread_idx."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
