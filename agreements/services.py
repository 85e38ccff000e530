"""Agreement writes: propose, accept, amend, decline, retire, reflect.

Every change to an agreement takes its row lock first and checks the
version inside the lock: two partners acting at the same instant (accept
against amend, two amends) are serialized, and the second sees the first's
result, so the agreement ends in one consistent state. On SQLite, whose
transactions here begin IMMEDIATE, the lock is the database's write lock.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from backend.errors import Conflict, Forbidden, Invalid
from couples.models import Couple, Membership
from couples.selectors import member_is_current
from reminders import services as reminders

from .models import (
    DETAILS_MAX,
    NOTE_MAX,
    REVIEW_MAX_DAYS,
    REVIEW_MIN_DAYS,
    TITLE_MAX,
    Agreement,
    AgreementVersion,
    Category,
    Reflection,
)
from .periods import Period, first_review_due, local_date, next_review_due, period_containing
from .proposals import reason_clean, version_check
from .reminder_kinds import REVIEW_KIND

WORDING_FIELDS = ("title", "details", "category", "review_every_days")
STALE = _("This agreement changed since you read it. Please read the current wording first.")


# --- validation ----------------------------------------------------------------------


def _clean_wording(data: dict[str, Any]) -> dict[str, Any]:
    """The one check of an agreement's wording, for the API and the pages
    alike. Collects every field's problem at once."""
    errors: dict[str, list[str]] = {}
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = [gettext("Give the agreement a short title.")]
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = [
            ngettext("Keep the title under %(n)d character.", "Keep the title under %(n)d characters.", TITLE_MAX)
            % {"n": TITLE_MAX}
        ]
    details = data.get("details") or ""
    if not isinstance(details, str):
        errors["details"] = [gettext("Write the details as text.")]
    else:
        details = details.replace("\r\n", "\n").strip()
        if len(details) > DETAILS_MAX:
            errors["details"] = [
                ngettext(
                    "Keep the details under %(n)d character.", "Keep the details under %(n)d characters.", DETAILS_MAX
                )
                % {"n": DETAILS_MAX}
            ]
    category = data.get("category")
    if category not in Category.values:
        errors["category"] = [gettext("Choose one of the categories.")]
    every = data.get("review_every_days")
    if every is not None and (
        isinstance(every, bool) or not isinstance(every, int) or not REVIEW_MIN_DAYS <= every <= REVIEW_MAX_DAYS
    ):
        errors["review_every_days"] = [
            gettext("Choose a review interval from %(min)d to %(max)d days.")
            % {"min": REVIEW_MIN_DAYS, "max": REVIEW_MAX_DAYS}
        ]
    if errors:
        raise Invalid(gettext("Some fields need another look."), errors=errors)
    return {"title": title.strip(), "details": details, "category": category, "review_every_days": every}


def _clean_reflection(outcome: Any, note: Any) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if outcome not in Reflection.Outcome.values:
        errors["outcome"] = [gettext("Choose kept, partly or missed.")]
    if note is None:
        note = ""
    if not isinstance(note, str):
        errors["note"] = [gettext("Write the note as text.")]
    else:
        note = note.replace("\r\n", "\n").strip()
        if len(note) > NOTE_MAX:
            errors["note"] = [
                ngettext("Keep the note under %(n)d character.", "Keep the note under %(n)d characters.", NOTE_MAX)
                % {"n": NOTE_MAX}
            ]
    if errors:
        raise Invalid(gettext("Some fields need another look."), errors=errors)
    return outcome, note


# --- helpers -------------------------------------------------------------------------


def _ensure_member(*, couple_id: int, user: User) -> None:
    # Selectors already scope every read to the couple; services check again
    # because they are also called from other features (check-ins).
    if not member_is_current(user=user, couple_id=couple_id):
        raise Http404


def _locked(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update().select_related("couple").get(pk=agreement.pk)


def _current(agreement: Agreement) -> AgreementVersion:
    return AgreementVersion.objects.get(agreement=agreement, number=agreement.version)


def _attach(agreement: Agreement, current: AgreementVersion) -> Agreement:
    agreement.current = current
    return agreement


def _reviews_start(agreement: Agreement, version: AgreementVersion) -> None:
    """Both partners get the review reminder when the interval comes round."""
    if not version.review_every_days:
        return
    tz_name = agreement.couple.timezone
    due = first_review_due(active_since=agreement.active_since, every_days=version.review_every_days, tz_name=tz_name)
    now = timezone.now()
    if due <= now:  # only for a start set in the past (demo history): the next review to come
        due = next_review_due(previous=due, every_days=version.review_every_days, tz_name=tz_name, now=now)
    for user_id in Membership.objects.current_of(couple_id=agreement.couple_id).values_list("user_id", flat=True):
        reminders.reminder_schedule(
            user_id=user_id,
            kind=REVIEW_KIND,
            target_id=version.pk,
            due_at=due,
            occurrence=due.strftime("%Y%m%dT%H%M"),
        )


def _reviews_stop(agreement: Agreement) -> None:
    version_ids = list(AgreementVersion.objects.filter(agreement=agreement).values_list("pk", flat=True))
    reminders.reminders_cancel(kind_prefix=REVIEW_KIND, target_ids=version_ids)


# --- the agreement's life ------------------------------------------------------------


@transaction.atomic
def agreement_propose(
    *,
    couple: Couple,
    user: User,
    title: str,
    category: str,
    details: str = "",
    review_every_days: int | None = None,
) -> Agreement:
    _ensure_member(couple_id=couple.pk, user=user)
    wording = _clean_wording(
        {"title": title, "details": details, "category": category, "review_every_days": review_every_days}
    )
    now = timezone.now()
    agreement = Agreement.objects.create(
        couple=couple, status=Agreement.Status.PROPOSED, version=1, created_by=user, created_at=now, updated_at=now
    )
    version = AgreementVersion.objects.create(
        agreement=agreement, number=1, proposed_by=user, proposed_at=now, **wording
    )
    return _attach(agreement, version)


@transaction.atomic
def agreement_accept(*, agreement: Agreement, user: User, version: int) -> Agreement:
    """Active only when the other partner accepts exactly the wording they
    read: a stale version number is a conflict, and the proposer of a
    version cannot accept it (403)."""
    agreement = _locked(agreement)
    _ensure_member(couple_id=agreement.couple_id, user=user)
    if agreement.status != Agreement.Status.PROPOSED:
        raise Conflict(gettext("This agreement is not waiting to be accepted."))
    version_check(agreement.version, version, stale=STALE)
    current = _current(agreement)
    if current.proposed_by_id == user.pk:
        raise Forbidden(gettext("You proposed this wording, so your partner is the one to accept it."))
    now = timezone.now()
    current.accepted_by = user
    current.accepted_at = now
    current.save(update_fields=["accepted_by", "accepted_at"])
    agreement.status = Agreement.Status.ACTIVE
    agreement.active_since = now
    agreement.updated_at = now
    agreement.save(update_fields=["status", "active_since", "updated_at"])
    _reviews_start(agreement, current)
    return _attach(agreement, current)


@transaction.atomic
def agreement_amend(*, agreement: Agreement, user: User, version: int, changes: dict[str, Any]) -> Agreement:
    """A new version, proposed by whoever amends it; the agreement is
    proposed again until the other partner accepts the new wording."""
    agreement = _locked(agreement)
    _ensure_member(couple_id=agreement.couple_id, user=user)
    if agreement.status == Agreement.Status.RETIRED:
        raise Conflict(gettext("This agreement was retired; propose a new one instead."))
    version_check(agreement.version, version, stale=STALE)
    current = _current(agreement)
    unknown = set(changes) - set(WORDING_FIELDS)
    if unknown:
        raise Invalid(
            gettext("Only %(fields)s can change.") % {"fields": ", ".join(WORDING_FIELDS)}, field=sorted(unknown)[0]
        )
    merged = {name: changes.get(name, getattr(current, name)) for name in WORDING_FIELDS}
    wording = _clean_wording(merged)
    if all(wording[name] == getattr(current, name) for name in WORDING_FIELDS):
        raise Invalid(gettext("That's the same wording as now. Change something, or leave it as it is."))
    now = timezone.now()
    new = AgreementVersion.objects.create(
        agreement=agreement, number=agreement.version + 1, proposed_by=user, proposed_at=now, **wording
    )
    agreement.version = new.number
    agreement.status = Agreement.Status.PROPOSED
    agreement.active_since = None
    agreement.updated_at = now
    agreement.save(update_fields=["version", "status", "active_since", "updated_at"])
    _reviews_stop(agreement)
    return _attach(agreement, new)


@transaction.atomic
def agreement_decline(*, agreement: Agreement, user: User, reason: str = "", version: int | None = None) -> Agreement:
    """Declines the proposed wording (or withdraws it, when its proposer
    does). Both see who declined it and why; either can amend it into a new
    proposal afterwards."""
    reason = reason_clean(reason)
    agreement = _locked(agreement)
    _ensure_member(couple_id=agreement.couple_id, user=user)
    if agreement.status != Agreement.Status.PROPOSED:
        raise Conflict(gettext("Only a proposed agreement can be declined."))
    version_check(agreement.version, version, stale=STALE)
    current = _current(agreement)
    now = timezone.now()
    current.declined_by = user
    current.declined_at = now
    current.decline_reason = reason
    current.save(update_fields=["declined_by", "declined_at", "decline_reason"])
    agreement.status = Agreement.Status.DECLINED
    agreement.updated_at = now
    agreement.save(update_fields=["status", "updated_at"])
    return _attach(agreement, current)


@transaction.atomic
def agreement_retire(*, agreement: Agreement, user: User, reason: str = "") -> Agreement:
    """Either partner can retire an active agreement, alone: nobody is held
    to a boundary they no longer agree to. A declined one can be put away
    the same way. Both see who retired it and why."""
    reason = reason_clean(reason)
    agreement = _locked(agreement)
    _ensure_member(couple_id=agreement.couple_id, user=user)
    if agreement.status not in (Agreement.Status.ACTIVE, Agreement.Status.DECLINED):
        raise Conflict(gettext("Only an active or declined agreement can be retired."))
    now = timezone.now()
    agreement.status = Agreement.Status.RETIRED
    agreement.retired_by = user
    agreement.retired_at = now
    agreement.retire_reason = reason
    agreement.updated_at = now
    agreement.save(update_fields=["status", "retired_by", "retired_at", "retire_reason", "updated_at"])
    _reviews_stop(agreement)
    return _attach(agreement, _current(agreement))


# --- reflections -------------------------------------------------------------------------


def agreement_period(*, agreement: Agreement, version: AgreementVersion, on: dt.datetime) -> Period:
    """The reflection period containing ``on`` (see periods.py)."""
    tz_name = agreement.couple.timezone
    anchor = local_date(agreement.active_since, tz_name) if agreement.active_since else None
    return period_containing(day=local_date(on, tz_name), anchor=anchor, every_days=version.review_every_days)


def _reflect_locked(
    *, agreement: Agreement, author: User, outcome: str, note: str, on: dt.datetime, checkin=None
) -> tuple[Reflection, bool]:
    """Writes the author's reflection for the period containing ``on``.
    The caller holds the agreement's lock, so the reveal below cannot race
    with the partner's own reflection."""
    if agreement.status != Agreement.Status.ACTIVE:
        raise Conflict(gettext("Only an active agreement can be reflected on."))
    current = _current(agreement)
    period = agreement_period(agreement=agreement, version=current, on=on)
    rows = list(Reflection.objects.filter(agreement=agreement, period_start=period.start))
    mine = next((r for r in rows if r.author_id == author.pk), None)
    partner = next((r for r in rows if r.author_id != author.pk), None)
    if mine is not None and partner is not None:
        raise Conflict(gettext("Both reflections for this period are revealed; they can't be changed now."))
    now = timezone.now()
    created = mine is None
    if created:
        mine = Reflection(
            agreement=agreement, author=author, period_start=period.start, period_end=period.end, created_at=now
        )
    mine.version = current.number
    mine.outcome = outcome
    mine.note = note
    mine.updated_at = now
    if checkin is not None:
        mine.checkin = checkin
    mine.save()
    agreement_reflections_reveal(mine=mine, partner=partner, now=now)
    return mine, created


def agreement_reflections_reveal(*, mine: Reflection, partner: Reflection | None, now: dt.datetime) -> bool:
    """Reveal together, for an agreement's reflections: once both partners
    reflected on the same period, both are revealed at once, and neither
    can change after (``_reflect_locked`` answers 409). The only writer of
    ``Reflection.revealed_at``. The caller holds the agreement's lock, so
    the two partners' reflections cannot both miss each other."""
    if partner is None or partner.period_start != mine.period_start:
        return False
    Reflection.objects.filter(pk__in=[mine.pk, partner.pk], revealed_at__isnull=True).update(revealed_at=now)
    mine.revealed_at = partner.revealed_at = now
    return True


@transaction.atomic
def reflection_submit(
    *, agreement: Agreement, author: User, outcome: str, note: str = "", now: dt.datetime | None = None
) -> tuple[Reflection, bool]:
    """The author's reflection for the current period: (reflection, created).
    Posting again in the same period edits it, until the partner's is in
    too; then both are revealed and neither can change (409)."""
    outcome, note = _clean_reflection(outcome, note)
    agreement = _locked(agreement)
    _ensure_member(couple_id=agreement.couple_id, user=author)
    return _reflect_locked(agreement=agreement, author=author, outcome=outcome, note=note, on=now or timezone.now())


@transaction.atomic
def agreement_reflections_from_checkin(*, checkin, author: User, value: Any) -> dict[str, list]:
    """Reflections written as the ``agreements`` step of a check-in.

    ``value`` is ``{"<agreement_id>": {"outcome": "kept"|"partly"|"missed",
    "note": "..."}}``. Keys that are not agreement ids are left alone (the
    check-in step may carry its own free text); an agreement given as null
    or "" is not reflected on. The period is the one containing the
    check-in's scheduled time. Call it when the answers are *sent*, not for
    drafts.

    Returns ``{"saved": [Reflection, ...], "skipped": [agreement_id, ...]}``:
    skipped are agreements that are no longer active or whose period was
    already revealed; the check-in is not failed for them. Unknown ids and
    bad outcomes or notes raise Invalid with
    ``{"agreements": {"<id>": ["..."]}}``, and nothing is saved.
    """
    if not isinstance(value, dict):
        raise Invalid(
            gettext("Reflect on agreements as an object."),
            errors={"agreements": [gettext("Reflect on agreements as an object.")]},
        )
    _ensure_member(couple_id=checkin.couple_id, user=author)
    wanted: dict[int, tuple[str, str]] = {}
    errors: dict[str, list[str]] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key.isdigit() or len(key) > 18:
            continue
        if item is None or item == "":
            continue
        if not isinstance(item, dict):
            errors[key] = [gettext("Give an outcome (kept, partly or missed) and an optional note.")]
            continue
        try:
            wanted[int(key)] = _clean_reflection(item.get("outcome"), item.get("note"))
        except Invalid as exc:
            errors[key] = [m for msgs in exc.errors.values() for m in msgs]
    known = {
        a.pk: a
        for a in Agreement.objects.select_for_update()
        .select_related("couple")
        .filter(couple_id=checkin.couple_id, pk__in=list(wanted))
        .order_by("pk")  # one lock order for everyone: no deadlock between two check-ins
    }
    for agreement_id in wanted:
        if agreement_id not in known:
            errors[str(agreement_id)] = [gettext("There is no such agreement between you two.")]
    if errors:
        raise Invalid(gettext("Some reflections need another look."), errors={"agreements": errors})
    saved, skipped = [], []
    on = checkin.scheduled_for
    for agreement_id, (outcome, note) in wanted.items():
        agreement = known[agreement_id]
        try:
            with transaction.atomic():
                reflection, _created = _reflect_locked(
                    agreement=agreement,
                    author=author,
                    outcome=outcome,
                    note=note,
                    on=max(on, agreement.active_since) if agreement.active_since else on,
                    checkin=checkin,
                )
        except Conflict:
            skipped.append(agreement_id)
        else:
            saved.append(reflection)
    return {"saved": saved, "skipped": skipped}
