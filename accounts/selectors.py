"""Account reads: signed-in devices. (The export of a person's data, which
gathers every feature, is ``home.selectors.user_export``.)"""

from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken

from .models import User


def sessions_for_user(*, user: User, current_token=None, current_session_key: str | None = None) -> list[dict]:
    """The person's signed-in devices: app tokens and web sessions."""
    from allauth.usersessions.models import UserSession

    rows = [
        {
            "id": f"app-{t.token_key}",
            "kind": "app",
            "created_at": t.created,
            "expires_at": t.expiry,
            "ip": None,
            "user_agent": "",
            "current": current_token is not None and t.pk == current_token.pk,
        }
        # An expired token signs nobody in, even before the sweep deletes it.
        for t in AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .order_by("-created")
    ]
    rows += [
        {
            "id": f"web-{s.pk}",
            "kind": "web",
            "created_at": s.created_at,
            "expires_at": None,
            "ip": s.ip,
            "user_agent": s.user_agent,
            "current": s.session_key == current_session_key,
        }
        for s in UserSession.objects.filter(user=user).order_by("-created_at")
    ]
    return rows
