"""Writes on a promise go to the row that holds it: a time-out's or taking
space's return time through ``space.services`` (``space_extend``,
``space_reconnect``), a commitment through ``repair.conversation``. The
ledger keeps no copy, so there is nothing here to keep in step."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from backend.errors import Conflict, Invalid
from couples.selectors import couple_ids_of_member
from repair import conversation
from space import services as space_services
from space.models import SpacePeriod

from .selectors import parse_promise_id

RENEGOTIABLE = ("space", "commitment")


def _own_period(*, user: User, period_id: int) -> SpacePeriod:
    period = (
        SpacePeriod.objects.select_related("couple")
        .filter(pk=period_id, author=user, couple_id__in=couple_ids_of_member(user=user))
        .first()
    )
    if period is None:
        raise Http404  # the partner's, a stranger's, or none: the same answer
    return period


def promise_renegotiate(*, user: User, promise_id: str, due_at: dt.datetime, now: dt.datetime | None = None):
    """Its maker moves a promise later, strictly before it is due (at or
    after the due time: 409). Anyone else, or a promise made by the couple
    (a check-in, a review): 404."""
    now = now or timezone.now()
    if timezone.is_naive(due_at):
        raise Invalid(gettext("Give a time with its timezone offset, like 2026-03-02T20:00:00+01:00."), field="due_at")
    prefix, pk = parse_promise_id(promise_id)
    if prefix == "space":
        period = _own_period(user=user, period_id=pk)
        try:
            return space_services.space_extend(period=period, user=user, reconnect_by=due_at, now=now)
        except Invalid as exc:
            # space_extend names its field reconnect_by; here it is due_at.
            raise Invalid(exc.message, field="due_at") from exc
    if prefix == "commitment":
        return conversation.commitment_renegotiate(commitment_id=pk, user=user, due_at=due_at, now=now)
    raise Http404


def promise_keep(*, user: User, promise_id: str, now: dt.datetime | None = None):
    """Its maker keeps a promise, up to and at its due time (after: 409). A
    commitment is marked kept; for taking space or a time-out, keeping the
    promise is coming back (``space_reconnect``)."""
    now = now or timezone.now()
    prefix, pk = parse_promise_id(promise_id)
    if prefix == "space":
        period = _own_period(user=user, period_id=pk)
        if not period.is_open:
            raise Conflict(gettext("This promise is already closed."))
        if now > period.reconnect_by:
            raise Conflict(gettext("The time you gave has passed. Mark that you're back from its page."))
        return space_services.space_reconnect(period=period, user=user, now=now)
    if prefix == "commitment":
        return conversation.commitment_keep(commitment_id=pk, user=user, now=now)
    raise Http404
