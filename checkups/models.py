"""The relationship check-up: a short measure each partner fills in on a
cadence, privately, revealed to the couple together.

- An **instrument** is data: its items, scale and scoring. Steady ships its
  own (``checkups.instruments.BUILTIN``); a clinic can add another it holds a
  licence for, in the admin.
- A **round** is one time both partners fill it in. At most one round of a
  couple is not yet revealed (scheduled or open); the next one is scheduled
  when a round is revealed, on the cadence.
- An **answer** is one partner's fill of one round. A draft
  (``submitted_at`` empty) is never an answer: it never counts for the
  reveal and is never shown to anyone else. A revealed answer is final.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as dj_timezone

from couples.models import Couple


class Instrument(models.Model):
    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    # Who wrote the items and on what terms (ours, or the clinic's licence).
    source = models.CharField(max_length=200)
    # [{"key": "closeness", "text": "...", "reverse": false}, ...]
    items = models.JSONField()
    scale_min = models.PositiveSmallIntegerField(default=0)
    scale_max = models.PositiveSmallIntegerField(default=6)
    # {"0": "Not at all", "6": "Completely"}: words for some points of the scale.
    anchors = models.JSONField(default=dict, blank=True)
    # A fall of at least this many points of the total between two of one
    # partner's fills is flagged for a therapist with the progress scope.
    drop_flag = models.PositiveSmallIntegerField(default=6)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(scale_max__gt=F("scale_min")), name="instrument_scale_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def item_keys(self) -> list[str]:
        return [item["key"] for item in self.items]

    @property
    def score_max(self) -> int:
        return (self.scale_max - self.scale_min) * len(self.items)

    def score(self, values: dict) -> int:
        """The total: each item's points above the scale's bottom, a reversed
        item counted from the top. 0 .. ``score_max``; higher is better."""
        total = 0
        for item in self.items:
            value = values[item["key"]]
            total += (self.scale_max - value) if item.get("reverse") else (value - self.scale_min)
        return total


class Round(models.Model):
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="checkup_rounds")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveIntegerField()
    opens_at = models.DateTimeField()
    # The therapist who asked for this round now (the couple sees that one was asked).
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revealed_at = models.DateTimeField(null=True, blank=True)
    # The couple ended before both filled it: closed silently, never revealed.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["couple", "number"], name="checkup_round_number_unique"),
            # One round not yet revealed per couple: a reminder, a therapist's
            # request and both partners' fills all mean the same round.
            models.UniqueConstraint(
                fields=["couple"],
                condition=Q(revealed_at__isnull=True, closed_at__isnull=True),
                name="one_unrevealed_checkup_round",
            ),
            models.CheckConstraint(
                condition=Q(revealed_at__isnull=True) | Q(closed_at__isnull=True), name="checkup_round_one_end"
            ),
        ]
        indexes = [models.Index(fields=["couple", "-number"], name="checkup_round_couple_idx")]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Check-up round {self.pk}"

    def state_at(self, now) -> str:
        if self.revealed_at is not None:
            return "revealed"
        if self.closed_at is not None:
            return "closed"
        return "open" if self.opens_at <= now else "scheduled"


class Answer(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkup_answers")
    # {item_key: points}; a draft may miss some.
    values = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "author"], name="checkup_answer_once"),
            # A sent answer has its score; a draft has none (it is not an answer).
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True, score__isnull=True)
                | Q(submitted_at__isnull=False, score__isnull=False),
                name="checkup_answer_score_when_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-up answer {self.pk}"


class Cadence(models.Model):
    """How often a couple's check-up round comes: every 1, 2 or 4 weeks
    (2 without a row). Set by either partner or by a therapist with the
    ``progress`` scope (``services.checkup_cadence_set``)."""

    WEEKS = (1, 2, 4)
    DEFAULT_WEEKS = 2

    couple = models.OneToOneField(Couple, on_delete=models.CASCADE, related_name="checkup_cadence")
    weeks = models.PositiveSmallIntegerField(default=DEFAULT_WEEKS)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(weeks__in=[1, 2, 4]), name="checkup_cadence_weeks")]

    def __str__(self) -> str:
        return f"Check-up cadence {self.pk}"
