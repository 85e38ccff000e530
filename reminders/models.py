from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext


def default_kinds() -> dict:
    return {}


class Preference(models.Model):
    """How a person wants to be reminded. In-app notifications are always on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_prefs")
    email = models.BooleanField(default=False)
    push = models.BooleanField(default=True)
    daily_cap = models.PositiveSmallIntegerField(default=6)
    lead_minutes = models.PositiveSmallIntegerField(default=30)
    # {kind: false} turns a kind off; a kind not named is on unless the kind
    # is opt-in (see kinds.py).
    kinds = models.JSONField(default=default_kinds, blank=True)
    gratitude_nudge_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(daily_cap__lte=50), name="pref_daily_cap_bounded"),
            models.CheckConstraint(condition=Q(lead_minutes__lte=24 * 60), name="pref_lead_bounded"),
        ]


class Reminder(models.Model):
    """One pending reminder: a row with a UTC fire time. The dispatcher
    claims due rows; a recurring kind moves ``fire_at`` to its next
    occurrence instead of finishing."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        CANCELLED = "cancelled"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    # When it is due (the product's time); fire_at moves later for quiet hours.
    due_at = models.DateTimeField()
    fire_at = models.DateTimeField()
    occurrence = models.CharField(max_length=40, default="once")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [
            # The dispatcher's only read: due pending rows in time order.
            models.Index(fields=["fire_at"], name="reminder_due_idx", condition=Q(status="pending")),
            models.Index(fields=["kind", "target_id"], name="reminder_target_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "target_id", "occurrence"], name="reminder_unique"),
        ]


class Delivery(models.Model):
    """What one tick decided for one occurrence of a reminder. The unique
    constraint is the exactly-once guarantee: two dispatchers, or a retried
    tick, cannot record the same occurrence twice."""

    class Outcome(models.TextChoices):
        SENT = "sent"  # in-app created; email/push queued per preference
        MISSED = "missed"  # past the grace window when a tick got to it
        CAPPED = "capped"  # the daily cap was reached
        DISABLED = "disabled"  # the person turned this kind off
        STALE = "stale"  # no longer relevant (answered, cancelled, gone)
        PAUSED = "paused"  # the person quietly paused couple features (docs/safety.md)

    class Channel(models.TextChoices):
        NONE = "none"
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    occurrence = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    due_at = models.DateTimeField()
    decided_at = models.DateTimeField()
    tick = models.UUIDField(db_index=True)
    email_state = models.CharField(max_length=10, choices=Channel.choices, default=Channel.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    push_state = models.CharField(max_length=10, choices=Channel.choices, default=Channel.NONE)
    push_attempts = models.PositiveSmallIntegerField(default=0)
    push_claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reminder", "occurrence"], name="delivery_once_per_occurrence"),
        ]
        indexes = [
            models.Index(fields=["user", "decided_at"], name="delivery_user_day_idx"),
            # Only sends still owed (see reminders.recovery): small however
            # large the table grows.
            models.Index(
                fields=["decided_at"],
                name="delivery_in_flight_idx",
                condition=models.Q(email_state__in=["queued", "sending"])
                | models.Q(push_state__in=["queued", "sending"]),
            ),
        ]


class Notification(models.Model):
    """An in-app notification. Titles are content-free by construction:
    they come from the kind's fixed wording, never from what anyone wrote.

    ``title`` stores the kind's wording in English, its source text (the
    msgid; ``reminders.dispatch``), and every reader shows ``title_shown``:
    that text in the reader's language, the one active when it is read (a
    page, the API, or the email and push, sent in the recipient's own
    language). So each partner reads the same event in their own language,
    and a change of language reaches old notifications too
    (docs/translations.md)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=120)
    url = models.CharField(max_length=200, blank=True)
    delivery = models.OneToOneField(Delivery, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(fields=["user"], name="notification_unread_idx", condition=Q(read_at__isnull=True)),
        ]

    @property
    def title_shown(self) -> str:
        return gettext(self.title) if self.title else ""


class PushSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=dj_timezone.now)
    # What signed this phone in when it subscribed: its web session or its
    # API token (key prefix). When that ends, however it ends (signed out
    # there, "sign out everywhere else", expired), the phone gets no more
    # pushes (reminders/delivery.py). Blank for older rows: unknown.
    session_key = models.CharField(max_length=40, blank=True, default="")
    token_key = models.CharField(max_length=25, blank=True, default="")
