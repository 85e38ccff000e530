from django.utils.functional import SimpleLazyObject


def unread(request):
    """``unread_notifications`` in every template, counted only if a page
    shows it (one indexed query)."""
    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from .models import Notification

        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
