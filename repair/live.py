"""Realtime plumbing for the repair conversation: the group name and the
after-commit broadcast. Hints only (a step key, a state): a socket reads
what it may show from the database (``repair_steps_for``)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def repair_group(repair_id: int) -> str:
    return f"repair.{repair_id}"


def broadcast_event(repair_id: int, seq: int, kind: str, data: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            repair_group(repair_id), {"type": "repair.event", "seq": seq, "kind": kind, "data": data}
        )
    except Exception:  # noqa: BLE001
        # The write is committed; a lost hint is caught up from /events/ or
        # the socket's next snapshot.
        log.warning("could not broadcast to %s", repair_group(repair_id), exc_info=True)
