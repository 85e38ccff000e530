"""Who may read couple data as a therapist, checked on every request.

1. A therapist account (partners get 403).
2. Two-factor authentication set up: an authenticator app (TOTP) in
   allauth.mfa (403 ``mfa_setup_required`` on the API; the pages send the
   therapist to the set-up steps).
3. The second factor used for *this* client:
   - a web session: allauth asks for the code at every sign-in once the
     app is set up, and the session ends after ``IDLE`` without activity
     (``therapists.middleware.TherapistIdleTimeoutMiddleware``);
   - an API token: logging in through the API takes only a password, so
     the token must be confirmed with a code (``POST
     /api/v1/therapist/verify/``). The confirmation lapses after ``IDLE``
     without a therapist request and ``TOKEN_MAX_AGE`` after it was made
     (403 ``mfa_confirmation_required``: confirm again with a new code).
4. An active grant for the couple asked about, read from the database on
   every request (``selectors.grant_active_for_therapist``), never cached
   in a token or a session: a revoke applies to the very next request.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from rest_framework.permissions import BasePermission

from accounts.models import User
from backend.errors import Forbidden

IDLE = dt.timedelta(minutes=15)
TOKEN_MAX_AGE = dt.timedelta(hours=12)
# Activity is written at most this often (one small update, not one per request).
TOUCH_EVERY = dt.timedelta(seconds=60)

NOT_THERAPIST = gettext_noop("Only therapist accounts can do this.")
MFA_SETUP = gettext_noop(
    "Set up two-factor authentication (an authenticator app) on the web, at /therapist/security/, "
    "before you can see any couple's data."
)
MFA_CONFIRM = gettext_noop(
    "Confirm this device with a code from your authenticator app: POST /api/v1/therapist/verify/ "
    'with {"code": "123456"}. Confirmations end after 15 minutes without activity, and after 12 hours.'
)


def has_totp(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def _token_confirmed(token, now: dt.datetime) -> bool:
    from .models import VerifiedToken

    verified = VerifiedToken.objects.filter(token_digest=token.digest).first()
    if verified is None:
        return False
    if now - verified.verified_at >= TOKEN_MAX_AGE or now - verified.last_used_at > IDLE:
        # Lapsed: forget it, so the next try starts from a fresh code.
        VerifiedToken.objects.filter(pk=verified.pk).delete()
        return False
    if now - verified.last_used_at >= TOUCH_EVERY:
        VerifiedToken.objects.filter(pk=verified.pk).update(last_used_at=now)
    return True


def ensure_therapist_ready(request) -> None:
    """Raises ``Forbidden`` (403) unless the request comes from a therapist
    whose second factor is set up and, for an API token, confirmed."""
    from knox.models import AuthToken

    user = request.user
    if not user.is_therapist:
        raise Forbidden(gettext(NOT_THERAPIST))
    if not has_totp(user):
        raise Forbidden(errors={"detail": gettext(MFA_SETUP), "code": "mfa_setup_required"})
    token = getattr(request, "auth", None)
    if isinstance(token, AuthToken) and not _token_confirmed(token, timezone.now()):
        raise Forbidden(errors={"detail": gettext(MFA_CONFIRM), "code": "mfa_confirmation_required"})


class IsReadyTherapist(BasePermission):
    """DRF permission for every therapist endpoint (see the module doc)."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401
        ensure_therapist_ready(request)
        return True


class IsTherapist(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if not request.user.is_therapist:
            raise Forbidden(gettext(NOT_THERAPIST))
        return True
