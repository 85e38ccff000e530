"""Account writes."""

import datetime as dt
import hmac
import logging
import secrets

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext, gettext_lazy
from knox.models import AuthToken

from backend.errors import Invalid

from .devices import device_key_issue
from .erasure import close_steps_run, erasure_steps_run
from .models import AccountClosure, User
from .security import password_tries_clear, password_tries_exhausted, password_try_failed, security_event_record

logger = logging.getLogger(__name__)


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
    language: str = "",
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
        raise Invalid(gettext("An account with this email already exists."), field="email")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                display_name=display_name,
                timezone=timezone,
                role=role,
                language=language,
            )
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    except IntegrityError as exc:  # two sign-ups for one address at the same instant
        raise Invalid(gettext("An account with this email already exists."), field="email") from exc
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
    language: str | None = None,
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
        ("language", language),
    ):
        if name in fields_set:
            setattr(user, name, value)
            changed.append(name)
    if ("quiet_hours_start" in changed or "quiet_hours_end" in changed) and (
        (user.quiet_hours_start is None) != (user.quiet_hours_end is None)
    ):
        raise Invalid(gettext("Set both ends of quiet hours, or neither."), field="quiet_hours_end")
    if user.quiet_hours_start is not None and user.quiet_hours_start == user.quiet_hours_end:
        raise Invalid(gettext("Quiet hours must start and end at different times."), field="quiet_hours_end")
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


# --- closing, restoring and erasing an account ----------------------------------------

RESTORE_SALT = "steady.accounts.restore"
WRONG_PASSWORD = gettext_lazy("That password is not right.")


class TooManyPasswords(Exception):
    """Too many wrong passwords for this person on a signed-in device
    (``accounts.security.password_tries_exhausted``)."""


def _password_check(*, user: User, password: str) -> None:
    """The password typed on a signed-in device: refused (without being
    checked) after too many wrong ones for this person, counted when wrong."""
    if password_tries_exhausted(user_id=user.pk):
        raise TooManyPasswords()
    if not user.check_password(password):
        password_try_failed(user_id=user.pk)
        raise Invalid(WRONG_PASSWORD, field="password")
    password_tries_clear(user_id=user.pk)


def account_close(
    *, user: User, password: str, erase_now: bool = False, request: HttpRequest | None = None
) -> AccountClosure | None:
    """Closes the account at once: every app's close step (the couple ends,
    open codes stop working, a therapist's access ends), every sign-in ends
    (web sessions and API tokens), and the account can no longer sign in
    (inactive, its password unusable: a log-in with it fails as a wrong
    password does, and tells nothing). Its data is erased after
    ``STEADY_ACCOUNT_ERASE_DAYS`` by ``closed_accounts_erase``, unless the
    link emailed to the account's address restores it first. With
    ``erase_now`` it is erased here and now (and None is returned)."""
    _password_check(user=user, password=password)
    if erase_now:
        account_erase(user=user, request=request)
        return None
    now = dj_timezone.now()
    with transaction.atomic():
        close_steps_run(user=user)
        closure = AccountClosure.objects.create(
            user=user,
            closed_at=now,
            erase_after=now + dt.timedelta(days=settings.STEADY_ACCOUNT_ERASE_DAYS),
            password=user.password,
            restore_nonce=secrets.token_urlsafe(24),
        )
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
        sessions_end(user=user)
        security_event_record(kind="account_closed", user_id=user.pk, request=request)
        link = restore_link(closure=closure)
        transaction.on_commit(lambda: _closure_email_send(user=user, closure=closure, link=link))
    return closure


def restore_token(*, closure: AccountClosure) -> str:
    return signing.dumps({"u": closure.user_id, "n": closure.restore_nonce}, salt=RESTORE_SALT, compress=True)


def restore_link(*, closure: AccountClosure) -> str:
    from django.urls import reverse

    path = reverse("account-restore", kwargs={"token": restore_token(closure=closure)})
    return settings.STEADY_BASE_URL.rstrip("/") + path


def _closure_email_send(*, user: User, closure: AccountClosure, link: str) -> None:
    """The one email: the date the data goes and the restore link. Fixed
    wording from templates; nothing anyone wrote, no name."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils.formats import date_format

    from backend.localtime import local_date

    from .language import in_language_of

    # In the recipient's own language (accounts.language), dates included.
    with in_language_of(user):
        context = {
            # "19 December 2026", "19. Dezember 2026": each language's own (backend/formats).
            "erase_on": date_format(local_date(instant=closure.erase_after, tz=user.timezone), "DATE_FORMAT"),
            "restore_url": link,
            "days": str(settings.STEADY_ACCOUNT_ERASE_DAYS),
        }
        subject = render_to_string("accounts/email/account_closed_subject.txt", context).strip()
        body = render_to_string("accounts/email/account_closed.txt", context)
    try:
        send_mail(subject, body, None, [user.email], fail_silently=False)
    except Exception:
        # The account is closed all the same; the log says which one (by id).
        logger.exception("account %s closed: the restore email could not be sent", user.pk)


def _closure_for_token(token: str, *, lock: bool = False) -> AccountClosure | None:
    """The closure a restore link names, if the link is genuine, unused and
    within the window; else None (every refusal looks the same)."""
    try:
        data = signing.loads(token, salt=RESTORE_SALT, max_age=dt.timedelta(days=settings.STEADY_ACCOUNT_ERASE_DAYS))
        user_id, nonce = int(data["u"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    closures = AccountClosure.objects.select_related("user")
    if lock:
        closures = closures.select_for_update()
    closure = closures.filter(user_id=user_id).first()
    if closure is None or not hmac.compare_digest(closure.restore_nonce, nonce):
        return None
    if closure.erase_after <= dj_timezone.now():
        return None  # the window has passed, whether or not the sweep has run
    return closure


def restore_link_valid(*, token: str) -> bool:
    return _closure_for_token(token) is not None


def account_restore(*, token: str, request: HttpRequest | None = None) -> User:
    """Restores a closed account through its emailed link: the password it
    had works again and nothing is erased. The couple it was in stays ended
    (the partner was told nothing but that, and may be in another by now).
    Single-use: the closure row, and with it the link's nonce, goes."""
    with transaction.atomic():
        closure = _closure_for_token(token, lock=True)
        if closure is None:
            raise Invalid(RESTORE_LINK_BAD, field="token")
        user = closure.user
        user.password = closure.password
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        closure.delete()
        security_event_record(kind="account_restored", user_id=user.pk, request=request)
    return user


RESTORE_LINK_BAD = gettext_lazy("This link doesn't work any more.")


def closed_accounts_erase(*, now: dt.datetime | None = None) -> int:
    """Erases every account closed more than the window ago; how many.
    The periodic task ``accounts.closed_accounts_erase``; each account in a
    transaction of its own, so one that fails is retried on the next run."""
    now = now or dj_timezone.now()
    erased = 0
    for user_id in AccountClosure.objects.filter(erase_after__lte=now).values_list("user_id", flat=True):
        user = User.objects.filter(pk=user_id, closure__erase_after__lte=now).first()
        if user is None:  # restored in the meantime
            continue
        account_erase(user=user)
        erased += 1
    return erased


# --- erasure ---------------------------------------------------------------------------


def account_erase(*, user: User, request: HttpRequest | None = None) -> None:
    """Erases the account now, without asking for the password (the caller
    has: ``account_close`` with ``erase_now``, ``account_delete``; or the
    window has passed: ``closed_accounts_erase``). The close steps first (the
    couple closes, which revokes every therapist grant), then each app's
    erasure step, the journal key among them (crypto-shredding: even if what
    follows failed, the journal is unreadable), then every sign-in ends and
    the account and everything it wrote are deleted."""
    user_id = user.pk
    close_steps_run(user=user)
    erasure_steps_run(user=user, password=None)
    sessions_end(user=user)
    with transaction.atomic():
        user.delete()
        security_event_record(kind="account_deleted", user_id=user_id, request=request)


def account_delete(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """GDPR erasure at once ("erase now"), after the password. The couple is
    closed (which revokes every therapist grant), private text is made
    unreadable by destroying its key (backups included), tokens and web
    sessions end, and the account and everything it wrote are deleted. The
    partner keeps what the partner wrote. Each app does its part as
    registered steps (``accounts.erasure``)."""
    account_close(user=user, password=password, erase_now=True, request=request)
