"""Realtime plumbing for live check-ins: group names and the after-commit
broadcasts. Hints only: clients read the state from the database."""

import logging
import threading
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def checkin_group(checkin_id: int) -> str:
    return f"checkin.{checkin_id}"


def couple_group(couple_id: int) -> str:
    return f"couple.{couple_id}"


_collecting = threading.local()


@contextmanager
def collected_broadcasts():
    """Inside this block (on this thread), broadcasts are gathered into the
    yielded list instead of sent. The live socket's writes run in a worker
    thread; sending from there would block the thread on the event loop
    (async_to_sync) while the loop may need a free thread itself. The
    consumer sends the gathered messages from the loop instead."""
    _collecting.messages = messages = []
    try:
        yield messages
    finally:
        _collecting.messages = None


def _send(group: str, message: dict) -> None:
    collected = getattr(_collecting, "messages", None)
    if collected is not None:
        collected.append((group, message))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001
        # The write is committed; a lost hint is caught up from /events/.
        log.warning("could not broadcast to %s", group, exc_info=True)


def broadcast_event(checkin_id: int, seq: int, kind: str, data: dict) -> None:
    _send(checkin_group(checkin_id), {"type": "checkin.event", "seq": seq, "kind": kind, "data": data})


def close_couple_sockets(couple_id: int) -> None:
    _send(couple_group(couple_id), {"type": "couple.closed"})
