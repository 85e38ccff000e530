from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from couples.models import Couple

NOTE_MAX = 280


class Status(models.TextChoices):
    OPEN = "open", _("Taking space")
    KEPT = "kept", _("Back on time")
    LATE = "late", _("Back, later than planned")
    MISSED = "missed", _("Not marked")
    # Closed with the couple (a time-out open when the couple ended): never
    # "missed", nobody is told.
    ENDED = "ended", _("Ended with the couple")


class Kind(models.TextChoices):
    SPACE = "space", _("Taking space")
    # Taken under the couple's agreed time-out rules (repair/): bounded by
    # them, reminded at the return time, and followed by an offer to repair.
    TIMEOUT = "timeout", _("Time-out")


class SpacePeriod(models.Model):
    """One partner taking space, with a promise to reconnect by a time.

    ``status`` leaves ``open`` exactly once: ``kept`` or ``late`` when the
    author marks that they are back, or ``missed`` when the system records,
    some hours after ``reconnect_by``, that it was never marked."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="space_periods")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_periods")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SPACE)
    started_at = models.DateTimeField(default=dj_timezone.now)
    # The latest time an extension may reach (a time-out: its rules'
    # maximum from the start, as the rules stood when it was taken).
    latest_reconnect_by = models.DateTimeField(null=True, blank=True)
    # The promise as first made, and as it stands after any extensions.
    first_reconnect_by = models.DateTimeField()
    reconnect_by = models.DateTimeField()
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    reconnected_at = models.DateTimeField(null=True, blank=True)
    # When the status left "open" (reconnected, or recorded as missed).
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["couple", "-started_at"], name="space_couple_time_idx"),
            # The periodic "missed" sweep reads only open periods by time.
            models.Index(fields=["reconnect_by"], name="space_open_due_idx", condition=Q(status="open")),
            # The reassurance tick's read: time-outs that ended lately
            # (reassurance.services.occurrences_tick, "after a time-out").
            models.Index(
                fields=["reconnected_at"],
                name="space_timeout_back_idx",
                condition=Q(kind="timeout", reconnected_at__isnull=False),
            ),
        ]
        constraints = [
            # One open period per person at a time, held by the database so
            # that two taps (or two phones) at once cannot open two.
            models.UniqueConstraint(
                fields=["couple", "author"], condition=Q(status="open"), name="space_one_open_per_person"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="space_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="space_kind_valid"),
            models.CheckConstraint(
                condition=Q(latest_reconnect_by__isnull=True) | Q(reconnect_by__lte=F("latest_reconnect_by")),
                name="space_within_latest",
            ),
            models.CheckConstraint(condition=Q(reconnect_by__gt=F("started_at")), name="space_reconnect_after_start"),
            models.CheckConstraint(
                condition=Q(reconnect_by__gte=F("first_reconnect_by")), name="space_extensions_only_later"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="space_closed_iff_not_open",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["kept", "late"], reconnected_at__isnull=False)
                | (~Q(status__in=["kept", "late"]) & Q(reconnected_at__isnull=True)),
                name="space_reconnected_iff_back",
            ),
            models.CheckConstraint(condition=LessThanOrEqual(Length("note"), NOTE_MAX), name="space_note_max"),
        ]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Space {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN


class Extension(models.Model):
    """An extension made before the time: recorded as such, so that a
    promise moved in advance reads differently from one simply missed."""

    period = models.ForeignKey(SpacePeriod, on_delete=models.CASCADE, related_name="extensions")
    previous_reconnect_by = models.DateTimeField()
    new_reconnect_by = models.DateTimeField()
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(new_reconnect_by__gt=F("previous_reconnect_by")), name="space_extension_later"
            ),
            models.CheckConstraint(
                condition=Q(previous_reconnect_by__gt=F("created_at")), name="space_extension_before_time"
            ),
        ]
        ordering = ["created_at", "id"]
