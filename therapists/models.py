"""Therapist access: connect codes, consent grants, and the access log.

- A therapist makes a **connect code** and gives it to a couple. It is
  single use and expires.
- A partner enters the code with the **scopes** to share and an end date:
  that makes a **grant**, approved by that partner. It becomes active only
  when the other partner approves the same grant (scopes and end date are
  never changed after the request, so approving the grant approves exactly
  what was asked). Either partner ends it alone, at once; leaving the
  couple ends every grant.
- Every therapist read of couple data writes an **access event**. Events are
  append-only: the model refuses updates and deletes, and on PostgreSQL a
  trigger refuses them too, whatever the client (migration 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from couples.models import CODE_ALPHABET, CODE_LENGTH, Couple

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "AccessEvent",
    "ConnectCode",
    "Grant",
    "Practice",
    "PracticeAnswer",
    "PreSessionNote",
    "Scope",
    "SessionNote",
]


class Scope(models.TextChoices):
    # The label completes "viewed your ..." in the couple's access log.
    CHECKIN_CONSISTENCY = "checkin_consistency", _("check-in consistency")
    MOOD_TRENDS = "mood_trends", _("mood trends")
    AGREEMENTS = "agreements", _("agreements and how they were kept")
    GRATITUDE_FREQUENCY = "gratitude_frequency", _("counts of notes of appreciation")
    RECONNECT_FOLLOWTHROUGH = "reconnect_followthrough", _("follow-through on promises to reconnect")
    TRIGGER_PATTERNS = "trigger_patterns", _("trigger patterns")
    # Not a summary section: its own read (``therapists.services.therapist_progress_read``).
    PROGRESS = "progress", _("relationship check-up scores over time")
    # Their own reads too (``therapist_promises_read``, ``therapist_repair_trend_read``).
    PROMISES = "promises", _("promises and how each went")
    REPAIR_TREND = "repair_trend", _("time to repair after a time-out")
    # The first scope that writes: the therapist proposes practices; reads and
    # writes have their own events (``therapists.services.practice_propose``).
    PRACTICE = "practice", _("practices your therapist suggested and how they went")


# Display order everywhere (forms, summary sections, the log).
SCOPE_ORDER = [s.value for s in Scope]
# The scopes the summary is made of; the others have reads of their own.
SUMMARY_SCOPES = [
    s for s in SCOPE_ORDER if s not in (Scope.PROGRESS, Scope.PROMISES, Scope.REPAIR_TREND, Scope.PRACTICE)
]


class ConnectCode(models.Model):
    code = models.CharField(max_length=CODE_LENGTH)
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connect_codes")
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # An unused code is unique, so a typed code finds one at most.
            models.UniqueConstraint(
                fields=["code"], condition=Q(used_at__isnull=True), name="open_connect_code_unique"
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="connect_code_expiry_valid"),
        ]
        indexes = [models.Index(fields=["therapist", "-created_at"], name="connect_code_therapist_idx")]

    def __str__(self) -> str:
        return f"Connect code {self.pk}"

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class GrantQuerySet(models.QuerySet):
    def active(self, now) -> "GrantQuerySet":
        """Grants that are active at ``now``: ``Grant.active_condition``."""
        return self.filter(Grant.active_condition(now))


class Grant(models.Model):
    """One couple's consent for one therapist. The status is derived:

    - ``revoked``: ended by a partner, or by leaving the couple (also when
      the couple ended and the grant was not closed yet);
    - ``expired``: past ``expires_at`` (or closed as expired);
    - ``active``: approved by both, before ``expires_at``, couple not ended;
    - ``pending``: waiting for the other partner's approval.

    A grant never gains a scope. To share more (or less, or longer), a
    partner asks for a new grant that ``replaces`` the active one; the old
    one stays in force until the other partner approves the new one, and
    approving ends it (``replaced``) in the same transaction.

    "Active" is defined here once, twice spelled: ``active_condition`` for
    queries and ``status_at`` for a grant in hand; a test holds them equal
    over every combination. Consent never depends on anything having run
    when the couple ended: an ended couple's grant is not active, whatever
    its own row says.
    """

    class EndReason(models.TextChoices):
        REVOKED = "revoked", _("Revoked by a partner")
        COUPLE_CLOSED = "couple_closed", _("The couple closed")
        EXPIRED = "expired", _("Expired")
        REPLACED = "replaced", _("Replaced by a new grant both approved")
        THERAPIST_ENDED = "therapist_ended", _("Ended by the therapist")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="therapist_grants")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants_received")
    code = models.OneToOneField(ConnectCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="grant")
    # Sorted, never changed after the request: approving the grant is
    # approving exactly these.
    scopes = models.JSONField()
    expires_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(default=dj_timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    # The active grant this request would replace once approved.
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replacements")

    objects = GrantQuerySet.as_manager()

    class Meta:
        constraints = [
            # Per therapist per couple, at most one approved grant in force
            # and one request waiting (a new request, or a replacement of the
            # grant in force): never two grants in force to reason about.
            models.UniqueConstraint(
                fields=["couple", "therapist"],
                condition=Q(ended_at__isnull=True, approved_at__isnull=False),
                name="one_approved_open_grant_per_therapist",
            ),
            models.UniqueConstraint(
                fields=["couple", "therapist"],
                condition=Q(ended_at__isnull=True, approved_at__isnull=True),
                name="one_pending_grant_per_therapist",
            ),
            # Mutual: the partner who asked cannot also be the one who approves.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="grant_not_self_approved",
            ),
            models.CheckConstraint(
                # An approver (kept unless their account is deleted) means a time.
                condition=Q(approved_at__isnull=True, approved_by__isnull=True) | Q(approved_at__isnull=False),
                name="grant_approval_complete",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="")
                | Q(
                    ended_at__isnull=False,
                    end_reason__in=["revoked", "couple_closed", "expired", "replaced", "therapist_ended"],
                ),
                name="grant_end_reason_valid",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=F("requested_at")), name="grant_expiry_after_request"),
        ]
        indexes = [
            models.Index(fields=["therapist", "couple"], name="grant_therapist_couple_idx"),
        ]
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Grant {self.pk}"

    @staticmethod
    def active_condition(now) -> Q:
        """The one definition of an active grant, as a query condition."""
        return Q(ended_at__isnull=True, approved_at__isnull=False, expires_at__gt=now, couple__ended_at__isnull=True)

    def status_at(self, now) -> str:
        if self.ended_at is not None:
            return {self.EndReason.EXPIRED: "expired", self.EndReason.REPLACED: "replaced"}.get(
                self.end_reason, "revoked"
            )
        if self.expires_at <= now:
            return "expired"
        if self.couple.ended_at is not None:
            return "revoked"
        if self.approved_at is not None:
            return "active"
        return "pending"

    def is_active_at(self, now) -> bool:
        return self.status_at(now) == "active"

    @property
    def status(self) -> str:
        return self.status_at(dj_timezone.now())

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in SCOPE_ORDER if s in self.scopes]


class AppendOnly(Exception):
    """Access events are never changed or removed."""


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Access events cannot be changed.")

    def delete(self):
        raise AppendOnly("Access events cannot be deleted.")

    # bulk_update goes through update(); refuse it by name too for clarity.
    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly("Access events cannot be changed.")


class AccessEvent(models.Model):
    """One therapist read of one couple's data. Append-only.

    The therapist is kept by id without a database foreign key, with their
    name as it was: the couple's record of who looked must outlive the
    therapist's account (a cascade or SET NULL would be an update or a
    delete, which the log refuses)."""

    class What(models.TextChoices):
        SUMMARY = "summary", _("Summary")
        LIST = "list", _("List")
        PROGRESS = "progress", _("Check-up progress")
        CHECKUP_REQUEST = "checkup_request", _("Asked for a check-up round")
        SESSION = "session", _("Session page")
        PROMISES = "promises", _("Promises")
        REPAIR_TREND = "repair_trend", _("Time to repair")
        PRACTICES = "practices", _("Read the practices")
        PRACTICE_NEW = "practice_new", _("Proposed a practice")
        SESSION_DATE = "session_date", _("Set the next session date")
        CHECKUP_CADENCE = "checkup_cadence", _("Set the check-up cadence")

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    therapist_name = models.CharField(max_length=60)
    couple = models.ForeignKey(Couple, on_delete=models.PROTECT, related_name="access_events")
    grant = models.ForeignKey(Grant, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+")
    what = models.CharField(max_length=16, choices=What.choices)
    # The scopes whose data was read (empty for "list").
    scopes = models.JSONField(default=list, blank=True)
    # The period read, for a summary.
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    at = models.DateTimeField(default=dj_timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["couple", "-at", "-id"], name="access_event_couple_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    what__in=[
                        "summary",
                        "list",
                        "progress",
                        "checkup_request",
                        "session",
                        "practices",
                        "practice_new",
                        "session_date",
                        "checkup_cadence",
                        "promises",
                        "repair_trend",
                    ]
                ),
                name="access_event_what_valid",
            )
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Access event {self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Access events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Access events cannot be deleted.")

    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in SCOPE_ORDER if s in (self.scopes or [])]


class VerifiedToken(models.Model):
    """An API token on which the therapist typed a code from their
    authenticator app. Logging in through the API takes only a password, so
    therapist data needs this second step; it lapses after a short idle time
    and after a working day whatever (see therapists.access)."""

    # knox's token primary key (a digest of the token; never the token).
    # Not a foreign key: knox's model is swappable and needs no link back.
    token_digest = models.CharField(max_length=128, unique=True)
    verified_at = models.DateTimeField(default=dj_timezone.now)
    last_used_at = models.DateTimeField(default=dj_timezone.now)


class PreSessionNote(models.Model):
    """A partner's note for their therapist before the next session. Shared
    with the therapist only (never with the partner), unless its author
    chooses "my partner too". Readable by the therapist only while the
    couple shares with them (an active grant, any scope), each look logged."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="presession_notes")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presession_notes")
    text = models.TextField(max_length=2000)
    share_with_partner = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["couple", "therapist", "-created_at"], name="presession_note_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Pre-session note {self.pk}"


class SessionNote(models.Model):
    """The therapist's own session notes about a couple: private to the
    therapist, never shown to the couple nor in their export (in the
    therapist's own export)."""

    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_notes")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=5000)
    written_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["therapist", "couple", "-written_at"], name="session_note_idx")]
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Session note {self.pk}"


class Practice(models.Model):
    """Practice between sessions: a therapist with the ``practice`` scope
    proposes it; it exists for the couple only once **both** partners
    accepted it (``PracticeAnswer``, one per partner). One decline and it is
    ``not_taken_up`` (the therapist never learns who). Accepted, it has an
    outcome: ``done`` or ``renegotiated`` (either partner, before the due
    time), or **missed**, which is never written: an accepted practice whose
    due time passed in silence (``status_at``). An open practice closes
    silently (``closed``) when the couple ends or the grant ends."""

    class Kind(models.TextChoices):
        RITUAL = "ritual", _("A ritual")
        CONVERSATION = "conversation", _("A conversation")
        CHECKIN_FORMAT = "checkin_format", _("A check-in format")
        REPAIR_CONVERSATION = "repair_conversation", _("A repair conversation")
        APPRECIATION_NOTES = "appreciation_notes", _("Notes of appreciation")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted by both")
        NOT_TAKEN_UP = "not_taken_up", _("Not taken up")
        DONE = "done", _("Done")
        RENEGOTIATED = "renegotiated", _("Renegotiated")
        CLOSED = "closed", _("Closed")

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="practices")
    # Kept by name too: the couple's record outlives the therapist's account.
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    therapist_name = models.CharField(max_length=60)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=120)
    details = models.TextField(max_length=1000, blank=True)
    due_at = models.DateTimeField()
    proposed_at = models.DateTimeField(default=dj_timezone.now)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PROPOSED)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # When it was not taken up, done, renegotiated or closed.
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["couple", "-proposed_at"], name="practice_couple_idx"),
            models.Index(fields=["therapist", "state", "due_at"], name="practice_therapist_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "accepted", "not_taken_up", "done", "renegotiated", "closed"]),
                name="practice_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "accepted"], settled_at__isnull=True)
                | Q(state__in=["not_taken_up", "done", "renegotiated", "closed"], settled_at__isnull=False),
                name="practice_settled_when_final",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "done", "renegotiated"]) | Q(accepted_at__isnull=False),
                name="practice_accepted_has_time",
            ),
        ]
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"Practice {self.pk}"

    def status_at(self, now) -> str:
        """``proposed``, ``accepted``, ``missed`` (accepted, due time passed
        in silence), ``not_taken_up``, ``done``, ``renegotiated``, ``closed``."""
        if self.state == self.State.ACCEPTED and self.due_at <= now:
            return "missed"
        return self.state


class PracticeAnswer(models.Model):
    """One partner's answer to a proposed practice. Never shown to the
    therapist (they see "not taken up", never who declined)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="answers")
    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accepted = models.BooleanField()
    at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "partner"], name="one_practice_answer_each")]

    def __str__(self) -> str:
        return f"Practice answer {self.pk}"


class NextSession(models.Model):
    """The dates of a couple's next session(s) with a therapist, set by the
    therapist (``services.next_session_set``); shown on the session page and
    to the couple."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["couple", "therapist", "at"], name="next_session_idx")]
        constraints = [
            models.UniqueConstraint(fields=["couple", "therapist", "at"], name="next_session_unique"),
        ]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Next session {self.pk}"
