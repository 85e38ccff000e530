"""Reminder and notification reads, scoped to the person who asks."""

from django.db.models import QuerySet

from accounts.models import User
from backend.prepared import PreparedList, count_of

from .models import Notification

# What the API's list shows of a notification (reminders.api.NotificationOutput).
LIST_FIELDS = ("id", "kind", "title", "url", "created_at", "read_at")


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    """Newest first, through notification_user_idx; only the list's columns
    (not the delivery link or the owner)."""
    return Notification.objects.filter(user=user).only(*LIST_FIELDS).order_by("-created_at", "-id")


UNREAD = "unread_total"


def notifications_list_for_user(*, user: User) -> QuerySet[Notification]:
    """``notifications_for_user`` for the API's list: the unread count rides
    along on each row (a count subquery through the partial index
    notification_unread_idx, as the page's own count is), instead of a
    query of its own; an empty page asks ``notifications_unread_count``."""
    unread = count_of(Notification.objects.filter(user=user, read_at__isnull=True))
    return notifications_for_user(user=user).annotate(**{UNREAD: unread})


# The API list, prepared (backend.prepared).
NOTIFICATION_ROWS = PreparedList(notifications_list_for_user)


def notifications_unread_count(*, user: User) -> int:
    """Through the partial index notification_unread_idx."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
