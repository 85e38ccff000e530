"""Time-out rules: agreed in a calm moment, versioned like an agreement (both
partners accept the same version), with each partner's own "during" text.

The time-outs themselves are taking-space periods of kind ``timeout``
(space.models.SpacePeriod): the same calm status, promise and outcomes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone as dj_timezone
from django.utils.translation import pgettext_lazy

from agreements.proposals import REASON_MAX, ProposalVersion
from couples.models import Couple

SIGNAL_MAX = 80
DURING_MAX = 280
# Flooding takes about twenty minutes to settle: a shorter break ends
# before it can help (docs/repair.md).
MIN_MINUTES_FLOOR = 20
MAX_MINUTES_CEILING = 24 * 60
DEFAULT_MIN_MINUTES = 20


class TimeoutRules(models.Model):
    """A couple's time-out rules. The terms live in versions; ``version``
    points at the one under discussion (or in force), ``active_version`` at
    the one in force. A proposed amendment leaves the active version in
    force until it is accepted: losing the rules mid-fight is unsafe."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("status", "Proposed")
        ACTIVE = "active", pgettext_lazy("status", "Active")
        DECLINED = "declined", pgettext_lazy("status", "Declined")
        RETIRED = "retired", pgettext_lazy("status", "Retired")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="timeout_rules")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    active_version = models.PositiveIntegerField(null=True, blank=True)
    active_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retire_reason = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        constraints = [
            # One set of rules per couple at a time (a retired one is history).
            models.UniqueConstraint(
                fields=["couple"], condition=~Q(status="retired"), name="timeout_rules_one_per_couple"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "active", "declined", "retired"]), name="timeout_rules_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(active_version=F("version"), active_since__isnull=False),
                name="timeout_rules_active_is_current",
            ),
            models.CheckConstraint(
                condition=Q(active_version__isnull=True) | Q(active_version__lte=F("version")),
                name="timeout_rules_active_not_ahead",
            ),
            models.CheckConstraint(
                condition=~Q(status="retired") | Q(retired_at__isnull=False), name="timeout_rules_retired_has_time"
            ),
        ]
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Time-out rules {self.pk} v{self.version}"

    @property
    def in_force(self) -> bool:
        return self.status != self.Status.RETIRED and self.active_version is not None


class TimeoutRulesVersion(ProposalVersion):
    """One wording of the rules, immutable once written except for the
    record of its acceptance or decline."""

    rules = models.ForeignKey(TimeoutRules, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    signal = models.CharField(max_length=SIGNAL_MAX)
    min_minutes = models.PositiveSmallIntegerField(default=DEFAULT_MIN_MINUTES)
    max_minutes = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rules_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rules", "number"], name="timeout_rules_version_unique"),
            models.CheckConstraint(condition=~Q(signal=""), name="timeout_rules_signal_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("signal"), SIGNAL_MAX), name="timeout_rules_signal_max"
            ),
            models.CheckConstraint(
                condition=Q(min_minutes__gte=MIN_MINUTES_FLOOR, max_minutes__lte=MAX_MINUTES_CEILING)
                & Q(min_minutes__lte=F("max_minutes")),
                name="timeout_rules_bounds",
            ),
            models.CheckConstraint(
                condition=Q(accepted_by__isnull=True) | ~Q(accepted_by=F("proposed_by")),
                name="timeout_rules_not_self_accepted",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
                name="timeout_rules_accepted_or_declined",
            ),
        ]

    def __str__(self) -> str:
        return f"Time-out rules v{self.number}"


class TimeoutDuring(models.Model):
    """What one partner will do during a time-out ("I'll walk and breathe"),
    as part of one version. Written only by its author; the other partner's
    text is carried over unchanged when someone amends."""

    version = models.ForeignKey(TimeoutRulesVersion, on_delete=models.CASCADE, related_name="during")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timeout_during")
    text = models.CharField(max_length=DURING_MAX)

    class Meta:
        ordering = ["version_id", "author_id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "author"], name="timeout_during_one_per_partner"),
            models.CheckConstraint(condition=~Q(text=""), name="timeout_during_not_empty"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), DURING_MAX), name="timeout_during_max"),
        ]


# --- the repair conversation (issue #18, section 3) -------------------------------------

REPAIR_TEXT_MAX = 2000
COMMITMENT_MAX = 280


class Repair(models.Model):
    """A repair conversation: the couple's slower talk after a rupture,
    revealed step by step (repair.conversation). Its own table, never a
    check-in: check-in lists, consistency, mood trends, the therapist's
    check-in scopes and check-in reminders cannot count it by accident."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        COMPLETED = "completed", pgettext_lazy("status", "Completed")
        STOPPED = "stopped", pgettext_lazy("status", "Stopped")
        # Closed silently: left open past STEADY_REPAIR_OPEN_DAYS, or the couple ended.
        EXPIRED = "expired", pgettext_lazy("status", "Expired")
        ENDED = "ended", pgettext_lazy("status", "Ended")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="repairs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    timeout = models.ForeignKey(
        "space.SpacePeriod", on_delete=models.SET_NULL, null=True, blank=True, related_name="repairs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_event_seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open conversation per couple: two taps at once start one.
            models.UniqueConstraint(fields=["couple"], condition=Q(status="open"), name="repair_one_open_per_couple"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "completed", "stopped", "expired", "ended"]), name="repair_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="repair_closed_has_time",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="repair_expires_after_start"),
        ]
        indexes = [models.Index(fields=["expires_at"], condition=Q(status="open"), name="repair_open_expiry_idx")]

    def __str__(self) -> str:
        return f"Repair {self.pk} ({self.status})"


class RepairAnswer(models.Model):
    """One partner's answer to one step. ``submitted_at`` null is a draft,
    which never counts toward the step's reveal. Once the step is revealed
    the answer is final (repair.conversation refuses to change it)."""

    repair = models.ForeignKey(Repair, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="repair_answers")
    step = models.CharField(max_length=32)
    text = models.TextField(max_length=REPAIR_TEXT_MAX)
    # The last step only: when the commitment is due.
    due_at = models.DateTimeField(null=True, blank=True)
    # The "what set me off" step may point at one of the author's own
    # trigger-log entries; the partner is never shown anything of it.
    trigger_entry = models.ForeignKey(
        "journal.Entry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["repair_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["repair", "author", "step"], name="repair_answer_one_per_step"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), REPAIR_TEXT_MAX), name="repair_answer_text_max"
            ),
        ]


class RepairReveal(models.Model):
    """A step revealed to both: written only by
    ``repair.conversation.repair_step_reveal``; the unique pair makes a
    second reveal of the same step impossible."""

    repair = models.ForeignKey(Repair, on_delete=models.CASCADE, related_name="reveals")
    step = models.CharField(max_length=32)
    revealed_at = models.DateTimeField()

    class Meta:
        ordering = ["repair_id", "revealed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["repair", "step"], name="repair_reveal_once")]


class RepairEvent(models.Model):
    """The conversation's append-only event sequence, for catching up
    (``/repairs/{id}/events/?since=N``). Events never carry answer text, and
    never say that one partner has answered and the other not."""

    repair = models.ForeignKey(Repair, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["repair_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["repair", "seq"], name="repair_event_seq_unique")]


class Commitment(models.Model):
    """ "One thing I will do differently": made when the last step is
    revealed, a promise with a due time that its maker keeps."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        KEPT = "kept", pgettext_lazy("status", "Kept")
        ENDED = "ended", pgettext_lazy("status", "Ended")

    repair = models.ForeignKey(Repair, on_delete=models.CASCADE, related_name="commitments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(max_length=COMMITMENT_MAX)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=dj_timezone.now)
    kept_at = models.DateTimeField(null=True, blank=True)
    # A promise moved later before it was due (the promise ledger's
    # "renegotiated", issue #19): the time first given, and when it was
    # last moved. The row stays the one source of truth for this promise;
    # ``promises`` reads it, it keeps no copy.
    first_due_at = models.DateTimeField(null=True, blank=True)
    renegotiated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["repair", "author"], name="commitment_one_per_partner"),
            models.CheckConstraint(condition=~Q(text=""), name="commitment_not_empty"),
            models.CheckConstraint(condition=Q(status__in=["open", "kept", "ended"]), name="commitment_status_valid"),
            models.CheckConstraint(
                condition=Q(renegotiated_at__isnull=True) | Q(first_due_at__lt=F("due_at")),
                name="commitment_renegotiated_later",
            ),
            models.CheckConstraint(
                condition=Q(status="kept", kept_at__isnull=False) | (~Q(status="kept") & Q(kept_at__isnull=True)),
                name="commitment_kept_iff_kept_at",
            ),
        ]
