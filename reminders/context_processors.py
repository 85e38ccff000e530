from django.db.models import Count
from django.utils.functional import SimpleLazyObject, new_method_proxy

from backend.prepared import PreparedRows


class LazyCount(SimpleLazyObject):
    """A count worked out on first use. ``SimpleLazyObject`` does not pass
    ``float()``/``int()`` through, so ``{{ n|pluralize }}`` gave "" and the
    home page said "You have 2 new notification"."""

    __float__ = new_method_proxy(float)
    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(int)


def unread(request):
    """``unread_notifications`` in every template, counted only if a page
    shows it (one indexed query)."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        row = _UNREAD.first(user=user)
        return row["n"] if row else 0

    return {"unread_notifications": LazyCount(count)}


def _unread_of(*, user):
    """The count as one row (none when there is nothing unread), which the
    statement cache can hold (backend.prepared)."""
    from .models import Notification

    return (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .values("user_id")
        .annotate(n=Count("id"))
        .order_by()
    )


_UNREAD = PreparedRows(_unread_of)
