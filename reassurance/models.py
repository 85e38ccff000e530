"""The reassurance ritual (a known time both agreed, versioned like the
time-out rules), each person's own reassuring phrases, the ritual's
occurrences with one message from each partner (revealed together), and
"I steadied myself": a person's own records of calming themselves, sealed
with their journal key, and the monthly digest they may share.

Nothing here counts requests for reassurance, and nothing can ask for it
on demand: the ritual is the only time reassurance is written."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agreements.proposals import ProposalVersion
from couples.models import Couple

PHRASE_MAX = 200
PHRASES_PER_PERSON = 30
MESSAGE_MAX = 500
WHAT_MAX = 200
AFTER_TIMEOUT_MIN, AFTER_TIMEOUT_MAX = 0, 240


class Ritual(models.Model):
    """A couple's reassurance ritual. The terms live in versions; ``version``
    points at the one under discussion (or in force), ``active_version`` at
    the one in force, kept while an amendment waits (as time-out rules)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("status", "Proposed")
        ACTIVE = "active", pgettext_lazy("status", "Active")
        RETIRED = "retired", pgettext_lazy("status", "Retired")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="reassurance_rituals")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    active_version = models.PositiveIntegerField(null=True, blank=True)
    active_since = models.DateTimeField(null=True, blank=True)
    # The next weekly occurrence of the version in force (None for "after a
    # time-out" and when nothing is in force): the tick's indexed read.
    next_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["couple"], condition=~Q(status="retired"), name="ritual_one_per_couple"),
            models.CheckConstraint(condition=Q(status__in=["proposed", "active", "retired"]), name="ritual_status"),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(active_version=F("version"), active_since__isnull=False),
                name="ritual_active_is_current",
            ),
            models.CheckConstraint(
                condition=Q(active_version__isnull=True) | Q(active_version__lte=F("version")),
                name="ritual_active_not_ahead",
            ),
        ]
        indexes = [
            models.Index(fields=["next_at"], name="ritual_next_due_idx", condition=Q(next_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"Reassurance ritual {self.pk} v{self.version}"


class RitualVersion(ProposalVersion):
    """One wording of the ritual: weekdays + a wall-clock time in a zone, or
    "within N minutes after a time-out ends"."""

    class Mode(models.TextChoices):
        WEEKLY = "weekly", _("On set days at a set time")
        AFTER_TIMEOUT = "after_timeout", _("After a time-out ends")

    ritual = models.ForeignKey(Ritual, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    mode = models.CharField(max_length=16, choices=Mode.choices)
    weekdays = models.JSONField(default=list, blank=True)  # 0 = Monday
    time = models.TimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    after_timeout_minutes = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["ritual_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["ritual", "number"], name="ritual_version_unique"),
            models.CheckConstraint(
                condition=Q(mode="weekly", time__isnull=False, after_timeout_minutes__isnull=True) & ~Q(timezone="")
                | Q(
                    mode="after_timeout",
                    time__isnull=True,
                    after_timeout_minutes__gte=AFTER_TIMEOUT_MIN,
                    after_timeout_minutes__lte=AFTER_TIMEOUT_MAX,
                ),
                name="ritual_version_terms",
            ),
            models.CheckConstraint(
                condition=Q(accepted_by__isnull=True) | ~Q(accepted_by=F("proposed_by")),
                name="ritual_version_not_self_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"Reassurance ritual v{self.number}"


class Phrase(models.Model):
    """Something its owner finds reassuring to hear. Their own list: the
    partner sees it only inside an open occurrence, as a help for writing."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reassurance_phrases")
    text = models.CharField(max_length=PHRASE_MAX)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["owner_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="phrase_not_empty"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), PHRASE_MAX), name="phrase_max"),
        ]

    def __str__(self) -> str:
        return f"Phrase {self.pk}"


class Occurrence(models.Model):
    """One ritual time: each partner writes the other a short message until
    ``closes_at``; both are shown once both wrote. One that is not revealed
    by then closes silently (``closed_at``), saying nothing of who wrote."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="reassurance_occurrences")
    ritual = models.ForeignKey(Ritual, on_delete=models.CASCADE, related_name="occurrences")
    at = models.DateTimeField()
    closes_at = models.DateTimeField()
    # For "after a time-out": the time-out whose end made it.
    timeout = models.ForeignKey("space.SpacePeriod", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    # Written only by services.reassurance_reveal.
    revealed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ritual", "at"], name="occurrence_once_per_time"),
            models.UniqueConstraint(
                fields=["ritual", "timeout"], condition=Q(timeout__isnull=False), name="occurrence_once_per_timeout"
            ),
            models.CheckConstraint(condition=Q(closes_at__gt=F("at")), name="occurrence_closes_after"),
            models.CheckConstraint(
                condition=Q(revealed_at__isnull=True) | Q(closed_at__isnull=True), name="occurrence_revealed_or_closed"
            ),
        ]
        indexes = [
            models.Index(fields=["couple", "-at"], name="occurrence_couple_idx"),
            # The sweep's read: open ones past their time.
            models.Index(
                fields=["closes_at"],
                name="occurrence_open_idx",
                condition=Q(revealed_at__isnull=True, closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Reassurance occurrence {self.pk}"


class Message(models.Model):
    """One partner's message for the other at one occurrence. Editable until
    the reveal, final after."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reassurance_messages")
    text = models.TextField()
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["occurrence_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "author"], name="reassurance_message_one_each"),
            models.CheckConstraint(condition=~Q(text=""), name="reassurance_message_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), MESSAGE_MAX), name="reassurance_message_max"
            ),
        ]

    def __str__(self) -> str:
        return f"Reassurance message {self.pk}"


class Steadied(models.Model):
    """ "I steadied myself": what the person did to calm themselves, in their
    own words, sealed with their journal key (``journal.crypto``). Private:
    only its author reads it, and only in a digest they share."""

    class Helped(models.TextChoices):
        A_LITTLE = "a_little", _("A little")
        A_LOT = "a_lot", _("A lot")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="steadied")
    created_at = models.DateTimeField(default=dj_timezone.now)
    what_sealed = models.BinaryField()
    helped = models.CharField(max_length=8, choices=Helped.choices, blank=True, default="")
    after_entry = models.ForeignKey("journal.Entry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    after_timeout = models.ForeignKey(
        "space.SpacePeriod", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["author", "-created_at"], name="steadied_author_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(helped__in=["", "a_little", "a_lot"]), name="steadied_helped"),
            models.CheckConstraint(
                condition=Q(after_entry__isnull=True) | Q(after_timeout__isnull=True), name="steadied_after_one"
            ),
        ]

    def __str__(self) -> str:
        return f"Steadied {self.pk}"


class Digest(models.Model):
    """ "What helped me this month": a month's ways of steadying, counted and
    sealed with the author's key, shared with the partner of the couple it
    was made in. Un-sharing deletes it; the couple ending deletes it."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="steadied_digests")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month, in the author's zone
    items_sealed = models.BinaryField()
    shared_at = models.DateTimeField(default=dj_timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "couple", "month"], name="digest_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"Digest {self.pk} ({self.month:%Y-%m})"
