"""Time-out rules (propose, accept, amend, decline, retire) and taking a
time-out.

Every change to the rules takes their row lock first and checks the version
inside the lock, as agreements do: two partners acting at once are
serialized and the second sees the first's result. Unlike an agreement, an
amendment leaves the version in force active until the new one is accepted
(or declined: then the one in force simply stays)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agreements.proposals import reason_clean, version_check
from backend.errors import Conflict, Forbidden, Invalid
from couples.models import Couple
from couples.selectors import member_is_current
from space.models import Kind, SpacePeriod
from space.services import SLACK, space_take

from .models import (
    DEFAULT_MIN_MINUTES,
    DURING_MAX,
    MAX_MINUTES_CEILING,
    MIN_MINUTES_FLOOR,
    SIGNAL_MAX,
    TimeoutDuring,
    TimeoutRules,
    TimeoutRulesVersion,
)

TERMS = ("signal", "min_minutes", "max_minutes")
STALE = _("These rules changed since you read them. Please read the current version first.")
RULES_PAGE = "/timeout/rules/"
NO_RULES = _("Agree your time-out rules together first, in a calm moment.")


# --- validation ----------------------------------------------------------------------


def _clean_terms(data: dict[str, Any]) -> dict[str, Any]:
    """The one check of the rules' terms, for the API and the pages alike.
    Collects every field's problem at once."""
    errors: dict[str, list[str]] = {}
    signal = data.get("signal")
    if not isinstance(signal, str) or not signal.strip():
        errors["signal"] = [gettext("Choose a signal phrase either of you can say to call a time-out.")]
    elif len(signal.strip()) > SIGNAL_MAX:
        errors["signal"] = [
            ngettext("Keep the signal under %(n)d character.", "Keep the signal under %(n)d characters.", SIGNAL_MAX)
            % {"n": SIGNAL_MAX}
        ]
    low, high = data.get("min_minutes"), data.get("max_minutes")
    for name, value in (("min_minutes", low), ("max_minutes", high)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = [gettext("Give a whole number of minutes.")]
    if "min_minutes" not in errors and low < MIN_MINUTES_FLOOR:
        errors["min_minutes"] = [
            ngettext(
                "At least %(n)d minute: that is about how long it takes a racing body to settle.",
                "At least %(n)d minutes: that is about how long it takes a racing body to settle.",
                MIN_MINUTES_FLOOR,
            )
            % {"n": MIN_MINUTES_FLOOR}
        ]
    if "max_minutes" not in errors and high > MAX_MINUTES_CEILING:
        errors["max_minutes"] = [gettext("At most 24 hours (1440 minutes).")]
    if not errors and low > high:
        errors["max_minutes"] = [gettext("The longest break can't be shorter than the shortest.")]
    if errors:
        raise Invalid(gettext("Some fields need another look."), errors=errors)
    return {"signal": signal.strip(), "min_minutes": low, "max_minutes": high}


def clean_text(value: Any, *, field: str, limit: int) -> str:
    """Optional text: ``None`` is empty, anything else must be a string,
    trimmed, at most ``limit`` characters (a field error otherwise)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(gettext("Write it as text."), field=field)
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise Invalid(
            ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", limit) % {"n": limit},
            field=field,
        )
    return value


# --- helpers -------------------------------------------------------------------------


def _ensure_member(*, couple_id: int, user: User) -> None:
    if not member_is_current(user=user, couple_id=couple_id):
        raise Http404


def _locked(rules: TimeoutRules) -> TimeoutRules:
    return TimeoutRules.objects.select_for_update().get(pk=rules.pk)


def _version(rules: TimeoutRules, number: int) -> TimeoutRulesVersion:
    return TimeoutRulesVersion.objects.get(rules=rules, number=number)


def _during_texts(version: TimeoutRulesVersion) -> dict[int, str]:
    return dict(TimeoutDuring.objects.filter(version=version).values_list("author_id", "text"))


def _write_version(
    *, rules: TimeoutRules, number: int, user: User, terms: dict, during: dict[int, str], now: dt.datetime
) -> TimeoutRulesVersion:
    version = TimeoutRulesVersion.objects.create(rules=rules, number=number, proposed_by=user, proposed_at=now, **terms)
    TimeoutDuring.objects.bulk_create(
        TimeoutDuring(version=version, author_id=author_id, text=text) for author_id, text in during.items() if text
    )
    return version


# --- the rules' life -----------------------------------------------------------------


@transaction.atomic
def timeout_rules_propose(
    *,
    couple: Couple,
    user: User,
    signal: str,
    max_minutes: int,
    min_minutes: int = DEFAULT_MIN_MINUTES,
    during: str = "",
) -> TimeoutRules:
    _ensure_member(couple_id=couple.pk, user=user)
    terms = _clean_terms({"signal": signal, "min_minutes": min_minutes, "max_minutes": max_minutes})
    during = clean_text(during, field="during", limit=DURING_MAX)
    # Locks the couple's row: two first proposals at once make one set.
    Couple.objects.select_for_update().filter(pk=couple.pk).first()
    if TimeoutRules.objects.filter(couple=couple).exclude(status=TimeoutRules.Status.RETIRED).exists():
        raise Conflict(gettext("You already have time-out rules. Amend them instead."))
    now = timezone.now()
    rules = TimeoutRules.objects.create(couple=couple, created_by=user, created_at=now, updated_at=now)
    _write_version(rules=rules, number=1, user=user, terms=terms, during={user.pk: during}, now=now)
    return rules


@transaction.atomic
def timeout_rules_accept(*, rules: TimeoutRules, user: User, version: int) -> TimeoutRules:
    """In force only when the other partner accepts exactly the version
    they read: a stale number is 409, and its proposer cannot accept it."""
    rules = _locked(rules)
    _ensure_member(couple_id=rules.couple_id, user=user)
    if rules.status != TimeoutRules.Status.PROPOSED:
        raise Conflict(gettext("These rules are not waiting to be accepted."))
    version_check(rules.version, version, stale=STALE)
    current = _version(rules, rules.version)
    if current.proposed_by_id == user.pk:
        raise Forbidden(gettext("You proposed this version, so your partner is the one to accept it."))
    now = timezone.now()
    current.accepted_by = user
    current.accepted_at = now
    current.save(update_fields=["accepted_by", "accepted_at"])
    rules.status = TimeoutRules.Status.ACTIVE
    rules.active_version = rules.version
    rules.active_since = now
    rules.updated_at = now
    rules.save(update_fields=["status", "active_version", "active_since", "updated_at"])
    return rules


@transaction.atomic
def timeout_rules_amend(*, rules: TimeoutRules, user: User, version: int, changes: dict[str, Any]) -> TimeoutRules:
    """A new version proposed by whoever amends. ``during`` in ``changes``
    is the caller's own text (empty removes it); the partner's is carried
    over as they wrote it. The version in force stays in force."""
    rules = _locked(rules)
    _ensure_member(couple_id=rules.couple_id, user=user)
    if rules.status == TimeoutRules.Status.RETIRED:
        raise Conflict(gettext("These rules were retired; propose new ones instead."))
    version_check(rules.version, version, stale=STALE)
    current = _version(rules, rules.version)
    unknown = set(changes) - {*TERMS, "during"}
    if unknown:
        raise Invalid(
            gettext("Only %(fields)s and during can change.") % {"fields": ", ".join(TERMS)}, field=sorted(unknown)[0]
        )
    terms = _clean_terms({name: changes.get(name, getattr(current, name)) for name in TERMS})
    during = _during_texts(current)
    if "during" in changes:
        during[user.pk] = clean_text(changes["during"], field="during", limit=DURING_MAX)
    during = {author: text for author, text in during.items() if text}
    if all(terms[name] == getattr(current, name) for name in TERMS) and during == _during_texts(current):
        raise Invalid(gettext("That's the same as now. Change something, or leave it as it is."))
    now = timezone.now()
    # Numbers only grow: after a declined amendment the pointer went back to
    # the version in force, but the declined one keeps its number.
    latest = TimeoutRulesVersion.objects.filter(rules=rules).aggregate(n=Max("number"))["n"]
    new = _write_version(rules=rules, number=latest + 1, user=user, terms=terms, during=during, now=now)
    rules.version = new.number
    rules.status = TimeoutRules.Status.PROPOSED
    rules.updated_at = now
    rules.save(update_fields=["version", "status", "updated_at"])
    return rules


@transaction.atomic
def timeout_rules_decline(
    *, rules: TimeoutRules, user: User, reason: str = "", version: int | None = None
) -> TimeoutRules:
    """Declines the proposed version (or withdraws it, when its proposer
    does). With a version in force, the rules go back to it."""
    reason = reason_clean(reason)
    rules = _locked(rules)
    _ensure_member(couple_id=rules.couple_id, user=user)
    if rules.status != TimeoutRules.Status.PROPOSED:
        raise Conflict(gettext("Only proposed rules can be declined."))
    version_check(rules.version, version, stale=STALE)
    current = _version(rules, rules.version)
    now = timezone.now()
    current.declined_by = user
    current.declined_at = now
    current.decline_reason = reason
    current.save(update_fields=["declined_by", "declined_at", "decline_reason"])
    if rules.active_version is not None:
        rules.version = rules.active_version
        rules.status = TimeoutRules.Status.ACTIVE
    else:
        rules.status = TimeoutRules.Status.DECLINED
    rules.updated_at = now
    rules.save(update_fields=["version", "status", "updated_at"])
    return rules


@transaction.atomic
def timeout_rules_retire(*, rules: TimeoutRules, user: User, reason: str = "") -> TimeoutRules:
    """Either partner can retire the rules, alone, as with agreements. A
    time-out already taken keeps the bounds it was taken with."""
    reason = reason_clean(reason)
    rules = _locked(rules)
    _ensure_member(couple_id=rules.couple_id, user=user)
    if rules.status == TimeoutRules.Status.RETIRED:
        raise Conflict(gettext("These rules are already retired."))
    now = timezone.now()
    rules.status = TimeoutRules.Status.RETIRED
    rules.retired_by = user
    rules.retired_at = now
    rules.retire_reason = reason
    rules.updated_at = now
    rules.save(update_fields=["status", "retired_by", "retired_at", "retire_reason", "updated_at"])
    return rules


# --- taking a time-out ---------------------------------------------------------------


def timeout_rules_in_force(*, couple: Couple) -> TimeoutRulesVersion | None:
    """The version in force for the couple, or None: the one rule every
    path (API, page, home card) asks before offering a time-out."""
    return (
        TimeoutRulesVersion.objects.filter(
            rules__couple=couple, rules__active_version=F("number"), rules__active_version__isnull=False
        )
        .exclude(rules__status=TimeoutRules.Status.RETIRED)
        .prefetch_related("during")
        .first()
    )


def timeout_take(
    *,
    couple: Couple,
    user: User,
    reconnect_by: dt.datetime,
    now: dt.datetime | None = None,
    terms: TimeoutRulesVersion | None = None,
) -> SpacePeriod:
    """A taking-space period of kind ``timeout``, its return time inside the
    rules in force (``terms``: those rules, when the caller read them just
    now); extensions may reach the rules' maximum from the start."""
    now = now or timezone.now()
    _ensure_member(couple_id=couple.pk, user=user)
    terms = terms or timeout_rules_in_force(couple=couple)
    if terms is None:
        raise Conflict(NO_RULES, errors={"detail": NO_RULES, "rules_url": RULES_PAGE})
    if timezone.is_naive(reconnect_by):
        raise Invalid(
            gettext("Give a time with its timezone offset, like 2026-03-02T20:00:00+01:00."), field="reconnect_by"
        )
    low = now + dt.timedelta(minutes=terms.min_minutes)
    high = now + dt.timedelta(minutes=terms.max_minutes)
    if reconnect_by < low - SLACK:
        raise Invalid(
            ngettext(
                "Your rules say at least %(n)d minute.", "Your rules say at least %(n)d minutes.", terms.min_minutes
            )
            % {"n": terms.min_minutes},
            field="reconnect_by",
        )
    if reconnect_by > high + SLACK:
        raise Invalid(
            ngettext("Your rules say at most %(n)d minute.", "Your rules say at most %(n)d minutes.", terms.max_minutes)
            % {"n": terms.max_minutes},
            field="reconnect_by",
        )
    return space_take(
        couple=couple,
        user=user,
        reconnect_by=reconnect_by,
        now=now,
        kind=Kind.TIMEOUT,
        latest_reconnect_by=max(high, reconnect_by),
    )
