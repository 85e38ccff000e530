"""Account writes."""

import datetime as dt

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone as dj_timezone
from knox.models import AuthToken

from backend.errors import Invalid

from .devices import device_key_issue
from .erasure import erasure_steps_run
from .models import User
from .security import security_event_record


class TooManyAttempts(Exception):
    pass


def email_normalize(email: str) -> str:
    """One address, however it is typed: accounts, and the sign-up limit
    per address, are keyed by this."""
    return email.strip().lower()


def user_signup(
    *,
    email: str,
    password: str,
    display_name: str,
    timezone: str,
    role: str = User.Role.PARTNER,
) -> User:
    email = email_normalize(email)
    candidate = User(email=email, display_name=display_name, timezone=timezone, role=role)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    if User.objects.filter(email__iexact=email).exists():
        # The API sign-up answers with a token at once, so it cannot hide
        # that an address is taken (the web sign-up does, by email). It
        # says so as a field error only, and is throttled per client
        # address and per email (accounts.api.SignupApi).
        raise Invalid("An account with this email already exists.", field="email")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, display_name=display_name, timezone=timezone, role=role
            )
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    except IntegrityError as exc:  # two sign-ups for one address at the same instant
        raise Invalid("An account with this email already exists.", field="email") from exc
    return user


def user_authenticate(*, request: HttpRequest, email: str, password: str) -> User | None:
    """Checks the credentials through allauth, which applies the log-in rate
    limits (per IP, and per account per device). Wrong email and wrong
    password are indistinguishable to the caller."""
    try:
        user = get_adapter(request).authenticate(request, email=email.strip().lower(), password=password)
    except ValidationError as exc:
        if getattr(exc, "code", "") == "too_many_login_attempts":
            raise TooManyAttempts() from exc
        raise
    if user is None or not user.is_active:
        return None
    return user


def token_issue(*, user: User) -> tuple[str, str]:
    """A new API token for one device, and that device's trusted-device key."""
    _instance, token = AuthToken.objects.create(user=user)
    return token, device_key_issue(email=user.email)


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


def user_update(
    *,
    user: User,
    display_name: str | None = None,
    timezone: str | None = None,
    quiet_hours_start: dt.time | None = None,
    quiet_hours_end: dt.time | None = None,
    country: str | None = None,
    fields_set: set[str] | None = None,
) -> User:
    fields_set = fields_set or set()
    changed = []
    for name, value in (
        ("display_name", display_name),
        ("timezone", timezone),
        ("quiet_hours_start", quiet_hours_start),
        ("quiet_hours_end", quiet_hours_end),
        ("country", (country or "").upper() if country is not None else None),
    ):
        if name in fields_set:
            setattr(user, name, value)
            changed.append(name)
    if ("quiet_hours_start" in changed or "quiet_hours_end" in changed) and (
        (user.quiet_hours_start is None) != (user.quiet_hours_end is None)
    ):
        raise Invalid("Set both ends of quiet hours, or neither.", field="quiet_hours_end")
    if user.quiet_hours_start is not None and user.quiet_hours_start == user.quiet_hours_end:
        raise Invalid("Quiet hours must start and end at different times.", field="quiet_hours_end")
    if changed:
        user.full_clean(exclude=["password", "email"])
        user.save(update_fields=changed)
    return user


# --- devices and sessions -----------------------------------------------------------


def sessions_end(*, user: User, keep_token: AuthToken | None = None, keep_session_key: str | None = None) -> int:
    """Signs the person out everywhere but here: every API token and web
    session except the current one."""
    from allauth.usersessions.models import UserSession

    tokens = AuthToken.objects.filter(user=user)
    if keep_token is not None:
        tokens = tokens.exclude(pk=keep_token.pk)
    ended, _ = tokens.delete()
    for session in UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or ""):
        session.end()
        ended += 1
    return ended


def password_changed_sign_out(*, user: User, request: HttpRequest, reset: bool) -> int:
    """A new password ends every other sign-in: each API token and web
    session, so whoever knew the old one is out everywhere, not only in the
    browser (Django's own session check never reached the app's tokens).
    After a change, the session that made it stays signed in (allauth has
    moved it onto the new password). After a reset none does: the reset
    says nothing about who holds this browser."""
    keep = None
    if not reset:
        keep = request.session.session_key
    elif getattr(request, "user", None) is not None and request.user.pk == user.pk:
        # Signed in here as the same person: sign out through Django, which
        # gives this request a fresh session; deleting its stored session
        # under it would fail the response.
        from django.contrib.auth import logout

        logout(request)
    ended = sessions_end(user=user, keep_session_key=keep)
    security_event_record(kind="password_changed", user_id=user.pk, request=request, via="web")
    return ended


def session_end(*, user: User, session_id: str) -> None:
    """Signs one device out. ``session_id`` is ``app-<token key>`` or
    ``web-<id>``, as listed by selectors.sessions_for_user."""
    from allauth.usersessions.models import UserSession
    from django.http import Http404

    kind, _, key = session_id.partition("-")
    if kind == "app" and key:
        deleted, _ = AuthToken.objects.filter(user=user, token_key=key).delete()
        if deleted:
            return
    elif kind == "web" and key.isdigit():
        session = UserSession.objects.filter(user=user, pk=int(key)).first()
        if session is not None:
            session.end()
            return
    raise Http404


TOKENS_EXPIRED_BATCH = 1000


def tokens_expired_delete(*, now: dt.datetime | None = None, batch_size: int = TOKENS_EXPIRED_BATCH) -> int:
    """Deletes the API tokens that expired before ``now``; how many.

    Requests no longer sweep a user's expired tokens (accounts.auth), so the
    beat task ``accounts.tokens_expired_delete`` does it for everyone. In
    batches by primary key, through the index on ``expiry`` (migration
    accounts 0003), so the work follows the expired rows, not the table,
    and no single statement holds locks on a large set. Idempotent: a token
    deleted by a concurrent run, a sign-out or a request simply is not
    counted twice."""
    now = now or dj_timezone.now()
    deleted = 0
    while True:
        batch = list(AuthToken.objects.filter(expiry__lt=now).values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        # expiry__lt again: a token refreshed since the read above is alive.
        count, _ = AuthToken.objects.filter(pk__in=batch, expiry__lt=now).delete()
        deleted += count
        if len(batch) < batch_size:
            return deleted


# --- erasure ---------------------------------------------------------------------------


def account_delete(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """GDPR erasure. The couple is closed (which revokes every therapist
    grant), private text is made unreadable by destroying its key (backups
    included), tokens and web sessions end, and the account and everything
    it wrote are deleted. The partner keeps what the partner wrote. The
    couple and the journal do their part as registered steps
    (``accounts.erasure``: ``couples/account_erasure.py``,
    ``journal/account_erasure.py``)."""
    if not user.check_password(password):
        raise Invalid("That password is not right.", field="password")
    user_id = user.pk
    # First the other apps' parts, the journal key among them: even if what
    # follows failed, the journal is unreadable.
    erasure_steps_run(user=user, password=password)
    sessions_end(user=user)
    with transaction.atomic():
        user.delete()
        security_event_record(kind="account_deleted", user_id=user_id, request=request)
