"""What closes when a couple closes: the registry of each app's
``on_couple_closed(couple_id)``.

Each app that holds something tied to the couple (a therapist's grant, a
journal share, an open live session) says what ends in its own
``<app>/couple_closed.py``, with ``@closing.handler``. ``CouplesConfig.ready``
imports those modules (``autodiscover_modules``, as the admin finds
``admin.py``), so couples never imports the apps built on it.

``couple_leave`` runs every handler inside its own transaction, each in a
savepoint of its own: a handler that fails is rolled back alone and logged,
the others still run, and leaving still succeeds. Nothing a user is allowed
to read depends on a handler having run: the access rules themselves refuse a
closed couple (``therapists.models.Grant.active_condition``, the journal's
share selector). Work that must wait for the commit (telling open sockets)
is registered by the handler with ``transaction.on_commit``."""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[[int], object]

# Keyed by the handler's dotted name: importing a module twice registers once.
_HANDLERS: dict[str, Handler] = {}


def _name(func: Handler) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def handler(func: Handler) -> Handler:
    """Registers ``func(couple_id)`` to run when a couple closes."""
    _HANDLERS[_name(func)] = func
    return func


def handlers() -> dict[str, Handler]:
    return dict(_HANDLERS)


def couple_closed_run(*, couple_id: int) -> list[str]:
    """Runs every handler for a couple that has just closed, inside the
    caller's transaction; returns the names of those that failed."""
    failed = []
    for name, func in list(_HANDLERS.items()):
        try:
            with transaction.atomic():
                func(couple_id)
        except Exception:
            # Leaving is the person's right and never waits on a feature's
            # tidy-up: what a failed handler left open is still closed to
            # every reader by the couple's ended_at.
            logger.exception("couple %s closed: %s failed, rolled back alone", couple_id, name)
            failed.append(name)
        else:
            logger.info("couple %s closed: %s done", couple_id, name)
    return failed


# --- the leaver's notice ---------------------------------------------------------------

Notice = Callable[..., object]
_NOTICE: dict[str, Notice] = {}


def notice_sender(func: Notice) -> Notice:
    """Registers ``func(*, couple_id, user_ids)``: how the one content-free
    notice the person leaving may send reaches the ones who stay (the app
    that owns notifications says how, in its ``couple_closed.py``)."""
    _NOTICE[_name(func)] = func
    return func


def notice_senders() -> dict[str, Notice]:
    return dict(_NOTICE)


def notice_send(*, couple_id: int, user_ids: list[int]) -> None:
    """Inside the leave's transaction, in a savepoint: a notice that cannot
    be sent never makes leaving fail."""
    for name, func in list(_NOTICE.items()):
        try:
            with transaction.atomic():
                func(couple_id=couple_id, user_ids=user_ids)
        except Exception:
            logger.exception("couple %s closed: notice %s failed, rolled back alone", couple_id, name)
