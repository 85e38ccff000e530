from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone

from accounts.timezones import validate_timezone
from couples.models import Couple

from .formats import shown


class StepKind(models.TextChoices):
    MOOD = "mood", "Mood (1–5)"
    TEXT = "text", "Text"
    CHOICE = "choice", "Choice"
    AGREEMENTS = "agreements", "Agreements"


class Format(models.Model):
    """The steps of a check-in, as data. Built-in formats have no couple;
    a couple's own formats belong to it alone."""

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(default=5)
    steps = models.JSONField()
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, null=True, blank=True, related_name="formats")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(couple__isnull=True), name="builtin_format_key_unique"),
            models.UniqueConstraint(fields=["couple", "key"], name="couple_format_key_unique"),
        ]
        ordering = ["couple_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        """The name in the reader's language (a built-in format's; a couple's own as written)."""
        return shown(self.name)

    @property
    def shown_description(self) -> str:
        return shown(self.description)


class Schedule(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="schedules")
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="schedules")
    weekdays = models.JSONField(help_text="0 = Monday … 6 = Sunday")
    time = models.TimeField()
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Occurrences exist as check-ins up to this instant (UTC); the periodic
    # task extends active schedules whose horizon falls short.
    generated_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "generated_until"], name="schedule_horizon_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "active", "paused"]), name="schedule_status_valid"
            ),
        ]


class CheckIn(models.Model):
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="checkins")
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="+")
    # The steps as they were when this check-in was made, so that history
    # reads right even after a couple edits its own format.
    steps = models.JSONField()
    schedule = models.ForeignKey(Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins")
    # The schedule's local date of this occurrence: one check-in per
    # schedule per local day, whatever happens to the clocks that day.
    local_date = models.DateField(null=True, blank=True)
    scheduled_for = models.DateTimeField()
    closes_at = models.DateTimeField()
    revealed_at = models.DateTimeField(null=True, blank=True)
    # Set when the window ended without a reveal (and the "closed" event was
    # recorded); the status itself is derived from closes_at.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    last_event_seq = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["couple", "scheduled_for"], name="checkin_couple_time_idx"),
            models.Index(fields=["scheduled_for"], name="checkin_time_idx"),
            models.Index(
                fields=["closes_at"],
                name="checkin_to_close_idx",
                condition=Q(revealed_at__isnull=True, closed_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "local_date"], name="one_checkin_per_schedule_day"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("scheduled_for")), name="checkin_window_valid"),
        ]
        ordering = ["-scheduled_for", "-id"]

    def status_at(self, now) -> str:
        return self.status_from(self.revealed_at, self.scheduled_for, self.closes_at, now)

    @staticmethod
    def status_from(revealed_at, scheduled_for, closes_at, now) -> str:
        """The status rule, for a row read without building a CheckIn."""
        if revealed_at is not None:
            return "completed"
        if now < scheduled_for:
            return "upcoming"
        if now < closes_at:
            return "open"
        return "closed"

    @property
    def status(self) -> str:
        return self.status_at(dj_timezone.now())


class Answer(models.Model):
    """One partner's answers to one check-in. Private to the author until
    the check-in is revealed."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_answers")
    values = models.JSONField(default=dict)
    # The first mood step's value, kept as a column so that trends are
    # aggregated in the database.
    mood = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "author"], name="one_answer_per_partner"),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5), name="answer_mood_range"
            ),
        ]


class Event(models.Model):
    """The check-in's append-only event sequence. Events never carry answer
    content or say who skipped."""

    class Kind(models.TextChoices):
        CREATED = "created"
        ANSWERED = "answered"
        REVEALED = "revealed"
        CLOSED = "closed"

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checkin", "seq"], name="event_seq_unique")]
        ordering = ["seq"]


class LiveSession(models.Model):
    """Two partners going through one check-in together, in real time.

    The database holds the session's state; websocket messages are only
    hints to come and read it. Presence is never stored."""

    checkin = models.OneToOneField(CheckIn, on_delete=models.CASCADE, related_name="live")
    step_index = models.PositiveSmallIntegerField(default=0)
    # Partners (user ids) ready to move on from the current step.
    ready = models.JSONField(default=list, blank=True)
    # Step keys whose answers both gave, so both see them.
    revealed_steps = models.JSONField(default=list, blank=True)
    # {user id (str): [step keys]}: the steps each partner answered *in this
    # session*. Only the live answer writes it. A value saved through
    # PUT /answers/ (a draft) shares the Answer row but never counts here, so
    # a draft is never revealed as an answer (checkins.services.live_step_revealable).
    answered = models.JSONField(default=dict, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The break is a time-out (checkins/breaks.py): the id of its period
    # (space.SpacePeriod, kind "timeout"), a plain number because check-ins
    # sit below the apps that hold it. While that period is open the session
    # stays paused, even past ``paused_until``: the one who left says when
    # they are back. None for a plain break.
    paused_timeout = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=dj_timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def is_paused(self, now) -> bool:
        return self.paused_until is not None and now < self.paused_until
