"""Sending one delivery by email or Web Push: idempotent, claimed with a
conditional update, retried by the caller on transient errors."""

import datetime as dt
import json
import logging
import re
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.language import in_language_of

from .models import Delivery, Notification, PushSubscription

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def lease() -> dt.timedelta:
    """A claim older than this belongs to a worker that died mid-send, and a
    queued channel untouched for this long lost its message in the broker.
    Five minutes: longer than any retry backoff (capped at 300 s) and any
    send (SMTP and push time out after 10 s)."""
    return dt.timedelta(seconds=settings.STEADY_SEND_LEASE_SECONDS)


class Transient(Exception):
    """Worth another try later."""


def _claim(delivery_id: int, channel: str) -> bool:
    """Takes the channel for sending; returns False if it is not ours to send
    (already sent, failed, or being sent by a live worker). Prevents two
    workers - or a redelivered task - from sending the same thing twice."""
    now = timezone.now()
    state, attempts, claimed = f"{channel}_state", f"{channel}_attempts", f"{channel}_claimed_at"
    return (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(**{state: Delivery.Channel.QUEUED})
            | Q(**{state: Delivery.Channel.SENDING, f"{claimed}__lt": now - lease()})
        )
        .update(**{state: Delivery.Channel.SENDING, attempts: F(attempts) + 1, claimed: now})
        == 1
    )


def _finish(delivery_id: int, channel: str, state: str, error: str = "") -> None:
    Delivery.objects.filter(pk=delivery_id).update(**{f"{channel}_state": state}, last_error=error[:300])


def _release(delivery_id: int, channel: str, error: str) -> int:
    """Back to queued for a retry; returns the attempts so far."""
    Delivery.objects.filter(pk=delivery_id).update(
        **{f"{channel}_state": Delivery.Channel.QUEUED}, last_error=error[:300]
    )
    return Delivery.objects.values_list(f"{channel}_attempts", flat=True).get(pk=delivery_id)


def _absolute(url: str) -> str:
    return settings.STEADY_BASE_URL.rstrip("/") + url


def _content(delivery: Delivery) -> tuple[str, str]:
    notification = Notification.objects.filter(delivery=delivery).only("title", "url").first()
    if notification is None:
        return "Steady", "/"
    return notification.title_shown, notification.url


def send(delivery_id: int, channel: str) -> str:
    """Sends one channel of one delivery. Returns 'sent', 'skipped' or
    'failed'; raises Transient when a retry may succeed. The email or push
    is in the recipient's own language (accounts.language)."""
    if not _claim(delivery_id, channel):
        return "skipped"
    delivery = Delivery.objects.select_related("user").get(pk=delivery_id)
    try:
        with in_language_of(delivery.user):
            title, url = _content(delivery)
            if channel == "email":
                _send_email(delivery, title, url)
            else:
                _send_push(delivery, title, url)
    except Transient as exc:
        attempts = _release(delivery_id, channel, str(exc))
        if attempts >= MAX_ATTEMPTS:
            _finish(delivery_id, channel, Delivery.Channel.FAILED, f"gave up: {exc}")
            log.warning("reminder delivery %s %s gave up after %s attempts", delivery_id, channel, attempts)
            return "failed"
        raise
    except Permanent as exc:
        _finish(delivery_id, channel, Delivery.Channel.FAILED, str(exc))
        return "failed"
    _finish(delivery_id, channel, Delivery.Channel.SENT)
    return "sent"


class Permanent(Exception):
    """No retry will help."""


def as_sentence(title: str) -> str:
    """A title as the email's first sentence: a full stop unless it already
    ends in one ("A moment to write your partner a note?", not "...?.")."""
    return title if title.endswith((".", "?", "!")) else f"{title}."


def _send_email(delivery: Delivery, title: str, url: str) -> None:
    user = delivery.user
    # Content-free by construction: the fixed title and links, nothing
    # anyone wrote, not even a display name (free text, and the inbox
    # preview shows the first line). The template gets nothing else.
    body = render_to_string(
        "reminders/email/reminder.txt",
        {"sentence": as_sentence(title), "url": _absolute(url), "settings_url": _absolute("/settings/notifications/")},
    )
    try:
        send_mail(title, body, None, [user.email], fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise Permanent(f"recipient refused: {exc.recipients and list(exc.recipients)[0]}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise Transient(f"email: {exc.__class__.__name__}") from exc


def push_topic(delivery: Delivery) -> str:
    # Same reminder, same topic: a repeated push replaces rather than stacks.
    return re.sub(r"[^A-Za-z0-9_-]", "", f"{delivery.kind}-{delivery.reminder_id}")[:32]


def _signed_in(subs: list[PushSubscription]) -> list[PushSubscription]:
    """The subscriptions whose phone is still signed in: the web session or
    API token that registered each one still exists and has not expired.
    The others are deleted. That is how signing a phone out from anywhere
    (the phone itself, "sign out everywhere else" on another, allauth's
    sessions page, expiry, erasure) stops its notifications: the phone's
    browser cannot be reached to unsubscribe, but it gets nothing more."""
    from django.contrib.sessions.models import Session
    from knox.models import AuthToken

    now = timezone.now()
    sessions = {s.session_key for s in subs if s.session_key}
    tokens = {s.token_key for s in subs if s.token_key}
    if sessions:  # the database session store (settings: the default engine)
        sessions = set(
            Session.objects.filter(session_key__in=sessions, expire_date__gt=now).values_list("session_key", flat=True)
        )
    if tokens:
        tokens = set(
            AuthToken.objects.filter(token_key__in=tokens, user_id=subs[0].user_id)
            .filter(Q(expiry__isnull=True) | Q(expiry__gt=now))
            .values_list("token_key", flat=True)
        )
    alive, gone = [], []
    for sub in subs:
        if sub.session_key:
            (alive if sub.session_key in sessions else gone).append(sub)
        elif sub.token_key:
            (alive if sub.token_key in tokens else gone).append(sub)
        else:
            alive.append(sub)  # registered before subscriptions were tied to a sign-in
    if gone:
        PushSubscription.objects.filter(pk__in=[s.pk for s in gone]).delete()
    return alive


def _send_push(delivery: Delivery, title: str, url: str) -> None:
    from pywebpush import WebPushException, webpush

    subs = _signed_in(list(PushSubscription.objects.filter(user_id=delivery.user_id)))
    if not subs:
        raise Permanent("no push subscription")
    # In the recipient's language (send() renders inside it): lang and dir
    # let the phone show an Arabic title right to left.
    language = translation.get_language()
    payload = json.dumps(
        {
            "title": title,
            "url": url,
            "tag": push_topic(delivery),
            "lang": language,
            "dir": "rtl" if translation.get_language_bidi() else "ltr",
        }
    )
    transient, delivered = None, 0
    for sub in subs:
        try:
            webpush(
                subscription_info={"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                data=payload,
                vapid_private_key=settings.STEADY_VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.STEADY_VAPID_SUBJECT},
                ttl=6 * 60 * 60,
                headers={"Topic": push_topic(delivery), "Urgency": "normal"},
                timeout=10,
            )
            delivered += 1
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                sub.delete()  # the browser unsubscribed; never try it again
            elif status in (429, 500, 502, 503, 504) or status is None:
                transient = exc
            else:
                log.warning("push refused with %s for subscription %s", status, sub.pk)
        except OSError as exc:
            transient = exc
    if delivered == 0 and transient is not None:
        raise Transient(f"push: {transient.__class__.__name__}")
    if delivered == 0:
        raise Permanent("no subscription accepted the push")
