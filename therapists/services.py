"""Therapist access writes: connect codes, consent grants, the access log,
confirming a therapist's API token with a second factor, and the therapist
role at sign-up."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from backend.errors import Conflict, Forbidden, Invalid
from couples.models import Couple, Membership
from couples.selectors import couple_partner_of, member_is_current
from couples.services import normalize_code

from .models import CODE_ALPHABET, CODE_LENGTH, SCOPE_ORDER, AccessEvent, ConnectCode, Grant, Scope, VerifiedToken

CONNECT_CODE_TTL = dt.timedelta(days=7)
GRANT_MAX_DAYS = 180
# The shortest grant: a request needs the other partner's approval, which
# can take a day; a grant ending sooner would expire before it starts.
GRANT_MIN = dt.timedelta(hours=24)
OPEN_CODES_MAX = 20
REQUESTED_KIND = "therapist_grant_requested"

# One message for every code that cannot be used (unknown, used, expired),
# so that a failed attempt tells a guesser nothing.
BAD_CODE = gettext_noop("This code is not valid. Check it, or ask your therapist for a new one.")


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _ensure_therapist(user: User) -> None:
    if not user.is_therapist:
        raise Forbidden(gettext("Only therapist accounts can do this."))


# --- connect codes -------------------------------------------------------------------------


def connect_code_create(*, therapist: User, now: dt.datetime | None = None) -> ConnectCode:
    """A new single-use code, valid for a week. A therapist may hold several
    at once (one per couple they are seeing), within a sane limit."""
    _ensure_therapist(therapist)
    now = now or timezone.now()
    open_codes = ConnectCode.objects.filter(therapist=therapist, used_at__isnull=True, expires_at__gt=now).count()
    if open_codes >= OPEN_CODES_MAX:
        raise Conflict(
            gettext("You have %(n)d unused codes. Use one of them, or wait until they expire.") % {"n": OPEN_CODES_MAX}
        )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ConnectCode.objects.create(
                    code=_new_code(), therapist=therapist, created_at=now, expires_at=now + CONNECT_CODE_TTL
                )
        except IntegrityError:  # clashed with another unused code: draw again
            continue
    raise Conflict(gettext("Could not make a code right now; please try again."))


# --- grants ---------------------------------------------------------------------------------


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(scopes)
    if not scopes:
        raise Invalid(gettext("Choose at least one thing to share."), field="scopes")
    unknown = [s for s in scopes if s not in SCOPE_ORDER]
    if unknown:
        raise Invalid(
            gettext("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(sorted(map(str, unknown)))}, field="scopes"
        )
    return [s for s in SCOPE_ORDER if s in set(scopes)]


def _clean_expiry(expires_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    if timezone.is_naive(expires_at):
        raise Invalid(gettext("Give the end with a timezone offset."), field="expires_at")
    if expires_at < now + GRANT_MIN:
        raise Invalid(gettext("Choose an end date at least a day from now."), field="expires_at")
    if expires_at > now + dt.timedelta(days=GRANT_MAX_DAYS):
        raise Invalid(
            gettext("Choose an end date at most %(n)d days from now.") % {"n": GRANT_MAX_DAYS}, field="expires_at"
        )
    return expires_at


def _ensure_member(user: User, couple: Couple) -> None:
    # Callers pass the couple from couple_get_for_member; this keeps the
    # rule next to the write as well.
    if not member_is_current(user=user, couple_id=couple.pk):
        raise Forbidden(gettext("Only the two partners can do this."))


def grant_request(
    *,
    couple: Couple,
    user: User,
    code: str,
    scopes: Iterable[str],
    expires_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Grant:
    """A partner enters a therapist's code with what to share and until
    when: a grant approved by that partner, pending the other's approval.
    The code is used up here, even if the other partner never approves."""
    now = now or timezone.now()
    scopes = _clean_scopes(scopes)
    expires_at = _clean_expiry(expires_at, now)
    code = normalize_code(code or "")
    if len(code) != CODE_LENGTH:
        raise Invalid(gettext(BAD_CODE), field="code")
    try:
        with transaction.atomic():
            grant = _grant_request(couple=couple, user=user, code=code, scopes=scopes, expires_at=expires_at, now=now)
            _remind_partner(grant=grant, user=user, now=now)
    except IntegrityError as exc:
        # The partial unique index: the other partner made a request for
        # the same therapist at the same instant with another code.
        raise Conflict(gettext("There is already a request for this therapist.")) from exc
    return grant


def _grant_request(
    *, couple: Couple, user: User, code: str, scopes: list[str], expires_at: dt.datetime, now: dt.datetime
) -> Grant:
    _ensure_member(user, couple)
    connect = ConnectCode.objects.select_for_update().filter(code=code, used_at__isnull=True).first()
    if connect is None or connect.expires_at <= now:
        raise Invalid(gettext(BAD_CODE), field="code")
    # A grant past its end date still holds the "one open grant" place
    # until it is closed as expired; close it so a new one can start.
    Grant.objects.filter(
        couple=couple, therapist_id=connect.therapist_id, ended_at__isnull=True, expires_at__lte=now
    ).update(ended_at=now, end_reason=Grant.EndReason.EXPIRED)
    existing = Grant.objects.filter(couple=couple, therapist_id=connect.therapist_id, ended_at__isnull=True).first()
    if existing is not None:
        waiting = existing.approved_at is None
        raise Conflict(
            gettext("A request to share with this therapist is already waiting for approval.")
            if waiting
            else gettext(
                "You already share with this therapist. To change what you share, ask for a change on what you share now."
            )
        )
    # Claim the code with a conditional update: of two partners entering
    # the same code at once, exactly one gets it (select_for_update is a
    # no-op on SQLite, the row count is not).
    if ConnectCode.objects.filter(pk=connect.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise Invalid(gettext(BAD_CODE), field="code")
    return Grant.objects.create(
        couple=couple,
        therapist_id=connect.therapist_id,
        code=connect,
        scopes=scopes,
        expires_at=expires_at,
        requested_by=user,
        requested_at=now,
    )


def _remind_partner(*, grant: Grant, user: User, now: dt.datetime) -> None:
    from reminders.services import reminder_schedule

    partner = couple_partner_of(couple=grant.couple, user=user)
    if partner is not None:
        reminder_schedule(user_id=partner.pk, kind=REQUESTED_KIND, target_id=grant.pk, due_at=now)


def grant_approve(
    *,
    grant: Grant,
    user: User,
    scopes: Iterable[str] | None = None,
    expires_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Grant:
    """The other partner approves. When ``scopes`` or ``expires_at`` are
    given (what the approver was shown), they must be exactly the grant's,
    or nothing happens (409): an approval never covers more than was seen."""
    now = now or timezone.now()
    _ensure_member(user, grant.couple)
    if grant.requested_by_id == user.pk:
        raise Forbidden(gettext("You asked for this one. Your partner approves it."))
    if scopes is not None and set(_clean_scopes(scopes)) != set(grant.scopes):
        raise Conflict(gettext("This request shares something else than what you approved. Look at it again."))
    if expires_at is not None and expires_at != grant.expires_at:
        raise Conflict(gettext("This request ends on another date than the one you approved. Look at it again."))
    status = grant.status_at(now)
    if status != "pending":
        raise Conflict(_not_pending(status))
    with transaction.atomic():
        if grant.replaces_id is not None:
            # A change: the grant in force ends as ``replaced`` in the same
            # transaction as the new one starts, on its locked row, so the
            # therapist never holds both, nor neither by accident.
            replaced = Grant.objects.active(now).select_for_update(of=("self",)).filter(pk=grant.replaces_id).first()
            if replaced is None:
                raise Conflict(gettext("What this request would change has ended. To share again, use a new code."))
            Grant.objects.filter(pk=replaced.pk).update(ended_at=now, end_reason=Grant.EndReason.REPLACED)
            if Scope.PRACTICE in replaced.scopes and Scope.PRACTICE not in grant.scopes:
                # Practice is no longer shared: its open practices close.
                practices_close(couple_id=grant.couple_id, therapist_id=grant.therapist_id, now=now)
        # Conditional update: a revoke, an expiry or a second tap at the same
        # instant leaves exactly one outcome.
        updated = Grant.objects.filter(
            pk=grant.pk, approved_at__isnull=True, ended_at__isnull=True, expires_at__gt=now
        ).update(approved_by=user, approved_at=now)
        if updated != 1:
            grant.refresh_from_db()
            raise Conflict(_not_pending(grant.status_at(now)))
    _cancel_reminder(grant)
    grant.refresh_from_db()
    return grant


def grant_replace_request(
    *,
    grant: Grant,
    user: User,
    scopes: Iterable[str],
    expires_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Grant:
    """A grant never gains a scope. To share more (or less, or longer), a
    partner asks for a new grant that replaces the one in force: approved by
    that partner, pending the other's approval like any request. Until then
    the grant in force stays exactly as it is; approving ends it
    (``grant_approve``)."""
    now = now or timezone.now()
    scopes = _clean_scopes(scopes)
    expires_at = _clean_expiry(expires_at, now)
    _ensure_member(user, grant.couple)
    try:
        with transaction.atomic():
            current = (
                Grant.objects.active(now)
                .select_for_update(of=("self",))
                .select_related("couple")
                .filter(pk=grant.pk)
                .first()
            )
            if current is None:
                raise Conflict(gettext("Only what you share now can be changed. To share again, use a new code."))
            if set(scopes) == set(current.scopes) and expires_at == current.expires_at:
                raise Invalid(
                    gettext("This is what you share already. Change what to share or until when."), field="scopes"
                )
            replacement = Grant.objects.create(
                couple=current.couple,
                therapist_id=current.therapist_id,
                scopes=scopes,
                expires_at=expires_at,
                requested_by=user,
                requested_at=now,
                replaces=current,
            )
            _remind_partner(grant=replacement, user=user, now=now)
    except IntegrityError as exc:
        # The partial unique index: a request for this therapist is waiting.
        raise Conflict(gettext("A request for this therapist is already waiting for approval.")) from exc
    return replacement


def _not_pending(status: str) -> str:
    return {
        "active": gettext("This is already approved."),
        "revoked": gettext("This request was stopped."),
        "expired": gettext("This request has passed its end date."),
    }.get(status) or gettext("This request cannot be approved now.")


def grant_revoke(*, grant: Grant, user: User, now: dt.datetime | None = None) -> Grant:
    """Either partner, alone, at once: the therapist's next request reads
    the ended grant from the database and gets 404."""
    now = now or timezone.now()
    _ensure_member(user, grant.couple)
    with transaction.atomic():
        updated = Grant.objects.filter(pk=grant.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=user, end_reason=Grant.EndReason.REVOKED
        )
        if updated != 1:
            raise Conflict(gettext("Sharing with this therapist has already ended."))
        # Stopping also stops a change of it that waits for approval:
        # approving that later must not start sharing again.
        waiting = list(Grant.objects.filter(replaces=grant, ended_at__isnull=True).values_list("pk", flat=True))
        Grant.objects.filter(pk__in=waiting).update(ended_at=now, ended_by=user, end_reason=Grant.EndReason.REVOKED)
        if grant.approved_at is not None:
            practices_close(couple_id=grant.couple_id, therapist_id=grant.therapist_id, now=now)
    _cancel_reminder(grant)
    if waiting:
        from reminders.services import reminders_cancel

        reminders_cancel(kind_prefix=REQUESTED_KIND, target_ids=waiting)
    grant.refresh_from_db()
    return grant


def therapist_access_end(*, therapist: User, couple_id: int, now: dt.datetime | None = None) -> Grant:
    """A therapist ends their own access to a couple (``POST
    /therapist/couples/{id}/end/``): the grant in force and any request for
    them waiting for approval end at once (``therapist_ended``). 404 without
    an active grant, like every therapist path."""
    from django.http import Http404

    now = now or timezone.now()
    with transaction.atomic():
        grant = (
            Grant.objects.active(now)
            .select_for_update(of=("self",))
            .filter(therapist=therapist, couple_id=couple_id)
            .first()
        )
        if grant is None:
            raise Http404
        ids = list(
            Grant.objects.filter(couple_id=couple_id, therapist=therapist, ended_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        Grant.objects.filter(pk__in=ids).update(
            ended_at=now, ended_by=therapist, end_reason=Grant.EndReason.THERAPIST_ENDED
        )
        practices_close(couple_id=couple_id, therapist_id=therapist.pk, now=now)
    from reminders.services import reminders_cancel

    reminders_cancel(kind_prefix=REQUESTED_KIND, target_ids=ids)
    grant.refresh_from_db()
    return grant


def grant_locked_for_scope(*, therapist: User, couple_id: int, scope: str, now: dt.datetime) -> Grant:
    """The consent check for every scoped therapist read or write (call it
    inside the transaction that reads and logs): an active grant
    (``Grant.active_condition``) of this therapist for this couple that
    includes ``scope``, on its locked row. Anything else is 404, the same as
    a couple that does not exist: a therapist without the scope learns
    nothing from the answer. A partner revoking at this moment either ends
    the grant first (404) or waits for this read and its log row."""
    from django.http import Http404

    grant = (
        Grant.objects.active(now)
        .select_for_update(of=("self",))
        .select_related("couple")
        .filter(therapist=therapist, couple_id=couple_id)
        .first()
    )
    if grant is None or scope not in grant.scopes:
        raise Http404
    return grant


def _cancel_reminder(grant: Grant) -> None:
    from reminders.services import reminders_cancel

    reminders_cancel(kind_prefix=REQUESTED_KIND, target_ids=[grant.pk])


def grants_end_for_couple(couple_id: int) -> int:
    """Leaving the couple ends every grant (``therapists/couple_closed.py``;
    runs inside ``couple_leave``'s transaction).
    Idempotent. The access check also refuses a closed couple, so nothing
    is readable even in the instant before this runs."""
    now = timezone.now()
    ended = Grant.objects.filter(couple_id=couple_id, ended_at__isnull=True).update(
        ended_at=now, end_reason=Grant.EndReason.COUPLE_CLOSED
    )
    practices_close(couple_id=couple_id, now=now)
    from reminders.services import reminders_cancel

    ids = list(Grant.objects.filter(couple_id=couple_id).values_list("id", flat=True))
    reminders_cancel(kind_prefix=REQUESTED_KIND, target_ids=ids)
    return ended


# --- the access log ------------------------------------------------------------------------------


@transaction.atomic
def therapist_summary_read(
    *,
    therapist: User,
    grant: Grant,
    start: dt.date,
    end: dt.date,
    ip: str | None,
    now: dt.datetime | None = None,
) -> dict:
    """The one way a therapist reads a couple's summary (the API and the web
    page both call it): consent is checked again on the grant's locked row,
    the summary of the granted scopes is built, and the read is written to
    the couple's access log, in one transaction. A partner revoking at this
    moment either ends the grant first (404: nothing read, nothing logged)
    or waits for this read and its log row."""
    from django.http import Http404

    from .selectors import summary_for_grant

    now = now or timezone.now()
    locked = (
        Grant.objects.active(now)
        .select_for_update(of=("self",))
        .select_related("couple")
        .filter(pk=grant.pk, therapist=therapist)
        .first()
    )
    if locked is None:
        raise Http404
    summary = summary_for_grant(grant=locked, start=start, end=end, now=now)
    access_record_summary(
        therapist=therapist, grant=locked, scopes=summary["scopes"], start=start, end=end, ip=ip, now=now
    )
    return summary


def access_record_summary(
    *,
    therapist: User,
    grant: Grant,
    scopes: list[str],
    start: dt.date,
    end: dt.date,
    ip: str | None,
    now: dt.datetime | None = None,
) -> AccessEvent:
    return AccessEvent.objects.create(
        therapist=therapist,
        therapist_name=therapist.display_name,
        couple_id=grant.couple_id,
        grant=grant,
        what=AccessEvent.What.SUMMARY,
        scopes=scopes,
        period_start=start,
        period_end=end,
        at=now or timezone.now(),
        ip=ip,
    )


def access_record_list(
    *, therapist: User, grants: Iterable[Grant], ip: str | None, now: dt.datetime | None = None
) -> None:
    """The therapist's list of couples shows each couple's names and end
    date, and, for a couple sharing ``progress``, whether a check-up total
    fell, for one sharing ``practice``, whether a practice was missed (reads
    under those scopes, so the event carries them): one event per couple
    listed, in one insert."""
    now = now or timezone.now()
    AccessEvent.objects.bulk_create(
        [
            AccessEvent(
                therapist=therapist,
                therapist_name=therapist.display_name,
                couple_id=g.couple_id,
                grant=g,
                what=AccessEvent.What.LIST,
                scopes=[s for s in (Scope.PROGRESS, Scope.PRACTICE) if s in g.scopes],
                at=now,
                ip=ip,
            )
            for g in grants
        ]
    )


# --- second factor on API tokens -------------------------------------------------------------------


def therapist_token_confirm(*, user: User, token, code: str, now: dt.datetime | None = None) -> VerifiedToken:
    """The therapist typed a code from their authenticator app (or one of
    their recovery codes) for this API token."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    _ensure_therapist(user)
    now = now or timezone.now()
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    totp = authenticators.get(Authenticator.Type.TOTP)
    if totp is None:
        raise Forbidden(gettext("Set up two-factor authentication first."))
    code = (code or "").strip().replace(" ", "")
    ok = TOTP(totp).validate_code(code)
    if not ok and Authenticator.Type.RECOVERY_CODES in authenticators:
        ok = RecoveryCodes(authenticators[Authenticator.Type.RECOVERY_CODES]).validate_code(code)
    if not ok:
        raise Invalid(
            gettext("That code is not right. Type the 6 digits your authenticator app shows now."), field="code"
        )
    verified, _ = VerifiedToken.objects.update_or_create(
        token_digest=token.digest, defaults={"verified_at": now, "last_used_at": now}
    )
    return verified


# --- the therapist role ----------------------------------------------------------------------------


def therapist_role_set(*, user: User) -> User:
    """Makes a brand-new account a therapist account (the web sign-up for
    therapists). Refused for anyone who was ever in a couple: a partner
    cannot turn into a therapist and keep a couple's history."""
    if user.is_therapist:
        return user
    if Membership.objects.filter(user=user).exists():
        raise Conflict(gettext("This account belongs to a partner. Make a separate account for your practice."))
    User.objects.filter(pk=user.pk).update(role=User.Role.THERAPIST)
    user.role = User.Role.THERAPIST
    return user


# --- scoped reads and writes: check-up progress ---------------------------------------------------


@transaction.atomic
def therapist_progress_read(*, therapist: User, couple_id: int, ip: str | None, now: dt.datetime | None = None) -> dict:
    """A therapist with the ``progress`` scope reads both partners'
    check-up scores for revealed rounds (API and page): consent on the
    locked grant, the read, and its access event with the scope, in one
    transaction."""
    from checkups.selectors import progress_for_couple

    now = now or timezone.now()
    grant = grant_locked_for_scope(therapist=therapist, couple_id=couple_id, scope=Scope.PROGRESS, now=now)
    progress = progress_for_couple(couple=grant.couple)
    _access_record(therapist=therapist, grant=grant, what=AccessEvent.What.PROGRESS, ip=ip, now=now)
    return progress


@transaction.atomic
def therapist_checkup_request(*, therapist: User, couple_id: int, ip: str | None, now: dt.datetime | None = None):
    """A therapist with the ``progress`` scope asks for a check-up round
    now; the couple sees it in the access log, and each partner gets the
    check-up's content-free reminder."""
    from checkups.services import checkup_round_request

    now = now or timezone.now()
    grant = grant_locked_for_scope(therapist=therapist, couple_id=couple_id, scope=Scope.PROGRESS, now=now)
    round_ = checkup_round_request(couple=grant.couple, therapist=therapist, now=now)
    _access_record(therapist=therapist, grant=grant, what=AccessEvent.What.CHECKUP_REQUEST, ip=ip, now=now)
    return round_


@transaction.atomic
def therapist_promises_read(
    *, therapist: User, couple_id: int, ip: str | None, now: dt.datetime | None = None, limit: int = 200
) -> list[dict]:
    """A therapist with the ``promises`` scope reads the couple's ledger with
    full outcomes (missed included, never a commitment's text): consent on
    the locked grant, the read and its access event, in one transaction."""
    from .selectors import promises_for_therapist

    now = now or timezone.now()
    grant = grant_locked_for_scope(therapist=therapist, couple_id=couple_id, scope=Scope.PROMISES, now=now)
    rows = promises_for_therapist(couple_id=grant.couple_id, now=now, limit=limit)
    _access_record(
        therapist=therapist, grant=grant, what=AccessEvent.What.PROMISES, ip=ip, now=now, scopes=[Scope.PROMISES]
    )
    return rows


@transaction.atomic
def therapist_repair_trend_read(
    *, therapist: User, couple_id: int, ip: str | None, now: dt.datetime | None = None
) -> dict:
    """A therapist with the ``repair_trend`` scope reads the time-to-repair
    trend (median minutes per month, no counts); logged like every read."""
    from repair.trend import repair_trend

    now = now or timezone.now()
    grant = grant_locked_for_scope(therapist=therapist, couple_id=couple_id, scope=Scope.REPAIR_TREND, now=now)
    trend = repair_trend(couple=grant.couple, now=now)
    _access_record(
        therapist=therapist,
        grant=grant,
        what=AccessEvent.What.REPAIR_TREND,
        ip=ip,
        now=now,
        scopes=[Scope.REPAIR_TREND],
    )
    return trend


@transaction.atomic
def therapist_checkup_cadence_set(
    *, therapist: User, couple_id: int, weeks, ip: str | None, now: dt.datetime | None = None
):
    """A therapist with the ``progress`` scope sets how often the couple's
    check-up comes (1, 2 or 4 weeks); logged (``checkup_cadence``)."""
    from checkups.services import checkup_cadence_set

    now = now or timezone.now()
    grant = grant_locked_for_scope(therapist=therapist, couple_id=couple_id, scope=Scope.PROGRESS, now=now)
    cadence = checkup_cadence_set(couple=grant.couple, weeks=weeks, therapist=therapist, now=now)
    _access_record(therapist=therapist, grant=grant, what=AccessEvent.What.CHECKUP_CADENCE, ip=ip, now=now)
    return cadence


def _access_record(
    *, therapist: User, grant: Grant, what: str, ip: str | None, now: dt.datetime, scopes: list[str] | None = None
) -> AccessEvent:
    return AccessEvent.objects.create(
        therapist=therapist,
        therapist_name=therapist.display_name,
        couple_id=grant.couple_id,
        grant=grant,
        what=what,
        scopes=[Scope.PROGRESS] if scopes is None else scopes,
        at=now,
        ip=ip,
    )


# --- before the next session: partners' notes for the therapist, the therapist's own notes ---------

NOTE_MAX = 2000
SESSION_NOTE_MAX = 5000


def _note_text(text: str, text_max: int) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(gettext("Write something first."), field="text")
    if len(text) > text_max:
        raise Invalid(gettext("Keep it under %(n)d characters.") % {"n": text_max}, field="text")
    return text


def presession_note_write(
    *, couple, author: User, therapist_id: int, text: str, share_with_partner: bool, now: dt.datetime | None = None
):
    """A partner writes a note for a therapist the couple shares with now:
    for the therapist only, or for the partner too if its author says so."""
    from .models import PreSessionNote

    now = now or timezone.now()
    _ensure_member(author, couple)
    text = _note_text(text, NOTE_MAX)
    if not Grant.objects.active(now).filter(couple=couple, therapist_id=therapist_id).exists():
        raise Conflict(gettext("You no longer share with this therapist, so a note would not reach them."))
    return PreSessionNote.objects.create(
        couple=couple,
        therapist_id=therapist_id,
        author=author,
        text=text,
        share_with_partner=bool(share_with_partner),
        created_at=now,
    )


def session_note_write(*, therapist: User, couple_id: int, text: str, now: dt.datetime | None = None):
    """The therapist's own note about a couple they see now (an active
    grant): private to the therapist, never shown to the couple."""
    from django.http import Http404

    from .models import SessionNote

    now = now or timezone.now()
    text = _note_text(text, SESSION_NOTE_MAX)
    if not Grant.objects.active(now).filter(couple_id=couple_id, therapist=therapist).exists():
        raise Http404
    return SessionNote.objects.create(therapist=therapist, couple_id=couple_id, text=text, written_at=now)


@transaction.atomic
def therapist_session_read(
    *, therapist: User, couple_id: int, ip: str | None, now: dt.datetime | None = None, limit: int = 20
) -> dict:
    """The therapist's session page (and its print): consent on the locked
    grant (active, any scope), the partners' notes written for this
    therapist, the therapist's own notes, the next session dates, and
    "what changed since the last session" from the granted scopes only
    (``selectors.changes_since_last_session``), with one access event that
    names the scopes read."""
    from django.http import Http404

    from .models import NextSession, PreSessionNote, SessionNote
    from .selectors import changes_since_last_session

    now = now or timezone.now()
    grant = (
        Grant.objects.active(now)
        .select_for_update(of=("self",))
        .select_related("couple")
        .filter(therapist=therapist, couple_id=couple_id)
        .first()
    )
    if grant is None:
        raise Http404
    notes = list(
        PreSessionNote.objects.filter(couple_id=couple_id, therapist=therapist).select_related("author")[:limit]
    )
    own = list(SessionNote.objects.filter(couple_id=couple_id, therapist=therapist)[:limit])
    sessions = list(NextSession.objects.filter(couple_id=couple_id, therapist=therapist).order_by("at"))
    last_session = max((s.at for s in sessions if s.at <= now), default=None)
    changes = changes_since_last_session(grant=grant, since=last_session or grant.approved_at, now=now)
    _access_record(
        therapist=therapist, grant=grant, what=AccessEvent.What.SESSION, ip=ip, now=now, scopes=changes["scopes"]
    )
    return {
        "grant": grant,
        "presession_notes": notes,
        "session_notes": own,
        "next_sessions": [s for s in sessions if s.at > now],
        "last_session": last_session,
        "changes": changes,
    }


NEXT_SESSIONS_MAX = 6


@transaction.atomic
def next_session_set(
    *, therapist: User, couple_id: int, at: dt.datetime, ip: str | None, now: dt.datetime | None = None
):
    """The therapist adds the date of a next session with a couple they see
    now (any scope): shown on their session page and to the couple; the
    couple reads it in the access log too (``session_date``). At most
    ``NEXT_SESSIONS_MAX`` ahead; the same time twice is one."""
    from django.http import Http404

    from .models import NextSession

    now = now or timezone.now()
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        raise Invalid(gettext("Give the date and time with a timezone offset."), field="at")
    if at <= now:
        raise Invalid(gettext("Choose a time in the future."), field="at")
    if at > now + dt.timedelta(days=365):
        raise Invalid(gettext("Choose a time within a year."), field="at")
    grant = (
        Grant.objects.active(now)
        .select_for_update(of=("self",))
        .filter(therapist=therapist, couple_id=couple_id)
        .first()
    )
    if grant is None:
        raise Http404
    if NextSession.objects.filter(couple_id=couple_id, therapist=therapist, at__gt=now).count() >= NEXT_SESSIONS_MAX:
        raise Conflict(gettext("At most %(n)d sessions ahead. Remove one first.") % {"n": NEXT_SESSIONS_MAX})
    session, _ = NextSession.objects.get_or_create(couple_id=couple_id, therapist=therapist, at=at)
    _access_record(therapist=therapist, grant=grant, what=AccessEvent.What.SESSION_DATE, ip=ip, now=now, scopes=[])
    return session


def next_session_remove(*, therapist: User, couple_id: int, session_id: int, now: dt.datetime | None = None) -> int:
    """The therapist takes back a date ahead (a couple they see now; 404
    otherwise). Returns how many were removed: 0 for a date that is not
    theirs for this couple, or already past (the last session stays)."""
    from django.http import Http404

    from .models import NextSession

    now = now or timezone.now()
    if not Grant.objects.active(now).filter(therapist=therapist, couple_id=couple_id).exists():
        raise Http404
    removed, _ = NextSession.objects.filter(
        pk=session_id, couple_id=couple_id, therapist=therapist, at__gt=now
    ).delete()
    return removed


# --- practice between sessions (the ``practice`` scope: the first that writes) ---------------------

PRACTICE_PROPOSED_KIND = "therapist_practice_proposed"
PRACTICE_DUE_KIND = "therapist_practice_due"
PRACTICE_TITLE_MAX = 120
PRACTICE_DETAILS_MAX = 1000
# Reminded this long before the due time (or at once when it is sooner).
PRACTICE_REMIND_BEFORE = dt.timedelta(days=1)
PRACTICE_DUE_MIN = dt.timedelta(hours=1)
PRACTICE_DUE_MAX = dt.timedelta(days=180)
OPEN_PRACTICE_STATES = ("proposed", "accepted")


def _practice_fields(*, kind, title, details, due_at, now: dt.datetime) -> dict:
    from .models import Practice

    errors: dict[str, list[str]] = {}
    if kind not in Practice.Kind.values:
        errors["kind"] = [gettext("Choose one of: %(values)s.") % {"values": ", ".join(Practice.Kind.values)}]
    title = (title or "").strip() if isinstance(title, str) else ""
    if not title:
        errors["title"] = [gettext("Give the practice a short title.")]
    elif len(title) > PRACTICE_TITLE_MAX:
        errors["title"] = [gettext("Keep the title under %(n)d characters.") % {"n": PRACTICE_TITLE_MAX}]
    details = (details or "").strip() if isinstance(details, str) else ""
    if len(details) > PRACTICE_DETAILS_MAX:
        errors["details"] = [gettext("Keep the details under %(n)d characters.") % {"n": PRACTICE_DETAILS_MAX}]
    if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
        errors["due_at"] = [gettext("Give the due time with a timezone offset.")]
    elif due_at < now + PRACTICE_DUE_MIN:
        errors["due_at"] = [gettext("Choose a due time at least an hour from now.")]
    elif due_at > now + PRACTICE_DUE_MAX:
        errors["due_at"] = [gettext("Choose a due time at most 180 days from now.")]
    if errors:
        raise Invalid(errors=errors)
    return {"kind": kind, "title": title, "details": details, "due_at": due_at}


@transaction.atomic
def practice_propose(
    *,
    therapist: User,
    couple_id: int,
    kind: str,
    title: str,
    details: str = "",
    due_at: dt.datetime,
    ip: str | None,
    now: dt.datetime | None = None,
):
    """A therapist with the ``practice`` scope proposes a practice: consent
    on the locked grant, the write, each partner's content-free reminder and
    the access event (``practice_new``), in one transaction. It is only a
    proposal until both partners accept it (``practice_answer``)."""
    from reminders.services import reminders_schedule_many

    from .models import Practice

    now = now or timezone.now()
    grant = grant_locked_for_scope(therapist=therapist, couple_id=couple_id, scope=Scope.PRACTICE, now=now)
    fields = _practice_fields(kind=kind, title=title, details=details, due_at=due_at, now=now)
    practice = Practice.objects.create(
        couple_id=couple_id, therapist=therapist, therapist_name=therapist.display_name, proposed_at=now, **fields
    )
    from reminders.models import Reminder

    partner_ids = Membership.objects.current_of(couple_id=couple_id).values_list("user_id", flat=True)
    reminders_schedule_many(
        Reminder(user_id=uid, kind=PRACTICE_PROPOSED_KIND, target_id=practice.pk, due_at=now) for uid in partner_ids
    )
    _access_record(
        therapist=therapist, grant=grant, what=AccessEvent.What.PRACTICE_NEW, ip=ip, now=now, scopes=[Scope.PRACTICE]
    )
    return practice


@transaction.atomic
def therapist_practices_read(*, therapist: User, couple_id: int, ip: str | None, now: dt.datetime | None = None):
    """The practices this therapist proposed to this couple, each with its
    status (never who declined), under the ``practice`` scope; logged."""
    from .selectors import practices_for_therapist

    now = now or timezone.now()
    grant = grant_locked_for_scope(therapist=therapist, couple_id=couple_id, scope=Scope.PRACTICE, now=now)
    practices = practices_for_therapist(therapist=therapist, couple_id=couple_id)
    _access_record(
        therapist=therapist, grant=grant, what=AccessEvent.What.PRACTICES, ip=ip, now=now, scopes=[Scope.PRACTICE]
    )
    return practices


def _practice_locked(practice_id: int, user: User):
    from django.http import Http404

    from .models import Practice

    practice = Practice.objects.select_for_update().filter(pk=practice_id).first()
    if practice is None or not member_is_current(user=user, couple_id=practice.couple_id):
        raise Http404
    return practice


def _practice_live(practice, now: dt.datetime) -> bool:
    """Its therapist still has the ``practice`` scope for the couple."""
    grant = Grant.objects.active(now).filter(couple_id=practice.couple_id, therapist_id=practice.therapist_id).first()
    return grant is not None and Scope.PRACTICE in grant.scopes


def practice_answer(*, practice_id: int, user: User, accept: bool, now: dt.datetime | None = None):
    """A partner accepts or declines a proposed practice. Both accept → it
    exists for the couple (``accepted``), with a reminder to each before it
    is due. One decline (no reason asked) → ``not_taken_up``. An answer is
    given once (409 after)."""
    from .models import Practice, PracticeAnswer

    now = now or timezone.now()
    with transaction.atomic():
        practice = _practice_locked(practice_id, user)
        if practice.state != Practice.State.PROPOSED or not _practice_live(practice, now):
            raise Conflict(gettext("This practice is no longer waiting for an answer."))
        if practice.due_at <= now:
            raise Conflict(gettext("This practice's due time has passed."))
        if PracticeAnswer.objects.filter(practice=practice, partner=user).exists():
            raise Conflict(gettext("You answered this one already."))
        PracticeAnswer.objects.create(practice=practice, partner=user, accepted=bool(accept), at=now)
        if not accept:
            practice.state, practice.settled_at = Practice.State.NOT_TAKEN_UP, now
            practice.save(update_fields=["state", "settled_at"])
        else:
            partner_ids = set(
                Membership.objects.current_of(couple_id=practice.couple_id).values_list("user_id", flat=True)
            )
            accepted = set(
                PracticeAnswer.objects.filter(practice=practice, accepted=True).values_list("partner_id", flat=True)
            )
            if partner_ids and partner_ids <= accepted:
                practice.state, practice.accepted_at = Practice.State.ACCEPTED, now
                practice.save(update_fields=["state", "accepted_at"])
                _practice_due_reminders(practice, partner_ids, now)
    if practice.state != Practice.State.PROPOSED:
        _practice_reminders_cancel([practice.pk], kind=PRACTICE_PROPOSED_KIND)
    return practice


def _practice_due_reminders(practice, partner_ids, now: dt.datetime) -> None:
    from reminders.models import Reminder
    from reminders.services import reminders_schedule_many

    at = max(now, practice.due_at - PRACTICE_REMIND_BEFORE)
    reminders_schedule_many(
        Reminder(user_id=uid, kind=PRACTICE_DUE_KIND, target_id=practice.pk, due_at=at) for uid in partner_ids
    )


def _practice_reminders_cancel(ids: list[int], kind: str | None = None) -> None:
    from reminders.services import reminders_cancel

    for k in [kind] if kind else [PRACTICE_PROPOSED_KIND, PRACTICE_DUE_KIND]:
        reminders_cancel(kind_prefix=k, target_ids=ids)


def practice_outcome_set(*, practice_id: int, user: User, outcome: str, now: dt.datetime | None = None):
    """Either partner marks an accepted practice ``done`` or
    ``renegotiated``, before its due time (after it, in silence, it is
    missed). Once: the first mark is the outcome (409 after)."""
    from .models import Practice

    now = now or timezone.now()
    if outcome not in (Practice.State.DONE, Practice.State.RENEGOTIATED):
        raise Invalid(gettext("Choose done or renegotiated."), field="outcome")
    with transaction.atomic():
        practice = _practice_locked(practice_id, user)
        if practice.state != Practice.State.ACCEPTED:
            raise Conflict(gettext("Only a practice you both accepted, still open, can be marked."))
        if practice.due_at <= now:
            raise Conflict(gettext("Its due time has passed: it counts as missed. Talk about it at your next session."))
        practice.state, practice.settled_at = outcome, now
        practice.save(update_fields=["state", "settled_at"])
    _practice_reminders_cancel([practice.pk])
    return practice


def practices_close(*, couple_id: int, therapist_id: int | None = None, now: dt.datetime | None = None) -> int:
    """Open practices close silently (``closed``) when the couple ends or
    the grant ends: proposed ones, and accepted ones not yet due (an
    accepted one past its due time stays missed). Their reminders go."""
    from .models import Practice

    now = now or timezone.now()
    rows = Practice.objects.filter(couple_id=couple_id).filter(
        Q(state=Practice.State.PROPOSED) | Q(state=Practice.State.ACCEPTED, due_at__gt=now)
    )
    if therapist_id is not None:
        rows = rows.filter(therapist_id=therapist_id)
    ids = list(rows.values_list("pk", flat=True))
    if ids:
        Practice.objects.filter(pk__in=ids).update(state=Practice.State.CLOSED, settled_at=now)
        _practice_reminders_cancel(ids)
    return len(ids)
