"""Boundary agreements: an agreement and its versions, kept apart so that
every wording anyone proposed stays on record with who proposed and who
accepted it; and reflections on how it went, one per partner per period."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from couples.models import Couple

from .proposals import REASON_MAX, ProposalVersion

TITLE_MAX = 120
DETAILS_MAX = 2000
NOTE_MAX = 500
REVIEW_MIN_DAYS = 7
REVIEW_MAX_DAYS = 365


class Category(models.TextChoices):
    COMMUNICATION = "communication", _("Communication")
    TIME_APART = "time_apart", _("Time apart")
    PHONES_AND_PRIVACY = "phones_and_privacy", _("Phones and privacy")
    MONEY = "money", _("Money")
    FAMILY_AND_FRIENDS = "family_and_friends", _("Family and friends")
    INTIMACY = "intimacy", _("Intimacy")
    OTHER = "other", _("Other")


class Agreement(models.Model):
    """The thing both partners agree on. Its wording lives in versions; the
    agreement points at the current one by number (the latest: versions are
    only ever added)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("status", "Proposed")
        ACTIVE = "active", pgettext_lazy("status", "Active")
        DECLINED = "declined", pgettext_lazy("status", "Declined")
        RETIRED = "retired", pgettext_lazy("status", "Retired")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="agreements")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    # When the current version was accepted: review dates and reflection
    # periods count from here. Cleared when it goes back to proposed.
    active_since = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    retire_reason = models.CharField(max_length=REASON_MAX, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["couple", "status"], name="agreement_couple_status_idx"),
            # The list's order (agreements_for_couple): count and page without a sort.
            models.Index(fields=["couple", "-updated_at"], name="agreement_couple_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "active", "declined", "retired"]), name="agreement_status_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="agreement_version_positive"),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(active_since__isnull=False), name="agreement_active_has_since"
            ),
            models.CheckConstraint(
                condition=~Q(status="retired") | Q(retired_at__isnull=False), name="agreement_retired_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"Agreement {self.pk} v{self.version}"


class AgreementVersion(ProposalVersion):
    """One wording of an agreement, immutable once written except for the
    record of its acceptance or decline."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    details = models.TextField(max_length=DETAILS_MAX, blank=True)
    category = models.CharField(max_length=32, choices=Category.choices)
    review_every_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["agreement_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="agreement_category_valid"),
            models.CheckConstraint(condition=~Q(title=""), name="agreement_title_not_empty"),
            models.CheckConstraint(
                condition=Q(review_every_days__isnull=True)
                | Q(review_every_days__gte=REVIEW_MIN_DAYS, review_every_days__lte=REVIEW_MAX_DAYS),
                name="agreement_review_range",
            ),
            # Nobody accepts their own wording: the product's "mutual" rule,
            # held by the database too.
            models.CheckConstraint(
                condition=Q(accepted_by__isnull=True) | ~Q(accepted_by=F("proposed_by")),
                name="agreement_not_self_accepted",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
                name="agreement_version_accepted_or_declined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def category_label(self) -> str:
        return Category(self.category).label if self.category in Category.values else self.category


class Reflection(models.Model):
    """One partner's look back at one agreement for one period. Private to
    its author until the other partner has reflected on the same period;
    then both are revealed together and neither can be changed."""

    class Outcome(models.TextChoices):
        KEPT = "kept", pgettext_lazy("status", "Kept")
        PARTLY = "partly", pgettext_lazy("status", "Partly")
        MISSED = "missed", pgettext_lazy("status", "Missed")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reflections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_reflections")
    # The agreement's version in force when the reflection was written.
    version = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    # Set when written as the agreements step of a check-in.
    checkin = models.ForeignKey("checkins.CheckIn", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)
    revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agreement", "period_start"], name="reflection_period_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "author", "period_start"], name="one_reflection_per_partner_per_period"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["kept", "partly", "missed"]), name="reflection_outcome_valid"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="reflection_period_valid"),
        ]
