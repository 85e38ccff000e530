"""Realtime plumbing for live check-ins: group names and the after-commit
broadcasts. Hints only: clients read the state from the database."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def checkin_group(checkin_id: int) -> str:
    return f"checkin.{checkin_id}"


def couple_group(couple_id: int) -> str:
    return f"couple.{couple_id}"


def _send(group: str, message: dict) -> None:
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
