"""How a break in a live check-in is taken and ended: a registry that the
features built on check-ins fill.

Check-ins sit below the features that know about time-outs (docs/
ARCHITECTURE.md, the direction of imports), so a live break asks this
module, never ``repair`` or ``space`` by name. ``repair/live_breaks.py``
registers the couple's time-out rules here (found by
``CheckinsConfig.ready`` with ``autodiscover_modules``): with rules in force,
"Take a break" in a live check-in *is* a time-out, a taking-space period of
kind ``timeout`` that the session is linked to (``LiveSession.paused_timeout``).
Without a registered policy, or when the policy says so (no rules in force),
a break is the plain one: 20 to 60 minutes on the session alone.

A policy's ``take`` and ``come_back`` run inside the live write's
transaction, under the check-in's row lock."""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

# The plain break: long enough to settle, short enough to come back to.
PLAIN_MIN, PLAIN_MAX = 20, 60


@dataclass(frozen=True)
class Bounds:
    """What a break may last, in minutes, and whether it is a time-out."""

    min_minutes: int
    max_minutes: int
    timeout: bool = False


PLAIN = Bounds(PLAIN_MIN, PLAIN_MAX)


@dataclass(frozen=True)
class Taken:
    """A break the policy took: a time-out, the session paused until
    ``until`` and linked to ``period_id``. ``joined``: an open time-out the
    person was already on (no new one was made)."""

    until: dt.datetime
    period_id: int
    joined: bool = False


class Policy(Protocol):
    def bounds(self, *, couple_id: int, user_id: int) -> Bounds:
        """What a break asked for now by ``user_id`` may last."""

    def take(self, *, couple_id: int, user, minutes: int | None, now: dt.datetime) -> Taken | None:
        """A time-out for this break, or None for a plain break. Raises a
        domain error (``Invalid`` on ``minutes``, ``Conflict``) to refuse it."""

    def away_until(self, *, period_id: int) -> dt.datetime | None:
        """The linked time-out's return time while it is open (it may have
        passed: the one who left has not said they are back); None once it
        has closed, however it closed (its page, the missed sweep, the
        couple ending, erasure)."""

    def come_back(self, *, period_id: int, user, now: dt.datetime) -> None:
        """The one who took the time-out is back (from the check-in): close
        it as taking space closes it. Nothing if it closed already."""


_policy: Policy | None = None


def register(policy: Policy) -> Policy:
    """Sets the policy for live breaks (one: the last registered)."""
    global _policy
    _policy = policy
    return policy


def policy() -> Policy | None:
    return _policy


def bounds(*, couple_id: int, user_id: int) -> Bounds:
    return _policy.bounds(couple_id=couple_id, user_id=user_id) if _policy is not None else PLAIN


def take(*, couple_id: int, user, minutes: int | None, now: dt.datetime) -> Taken | None:
    if _policy is None:
        return None
    return _policy.take(couple_id=couple_id, user=user, minutes=minutes, now=now)


def away_until(*, period_id: int) -> dt.datetime | None:
    return _policy.away_until(period_id=period_id) if _policy is not None else None


def come_back(*, period_id: int, user, now: dt.datetime) -> None:
    if _policy is not None:
        _policy.come_back(period_id=period_id, user=user, now=now)
