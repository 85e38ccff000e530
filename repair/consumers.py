"""The repair conversation's live socket (``/ws/repairs/{id}/``). It
authorizes, joins the repair's and the couple's groups, and on every hint
sends the caller's snapshot, read through the same function as the REST
detail (``conversation_api.repair_data`` → ``repair_steps_for``), so the
partner's answer is null on the socket exactly as long as it is on REST.
It writes nothing: answers, drafts and stops go through the REST API."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from checkins.live import couple_group

from .conversation import access_repair
from .conversation_api import repair_data
from .live import repair_group

CLOSE_NOT_ALLOWED = 4404
CLOSE_COUPLE_ENDED = 4410


@database_sync_to_async
def _authorize(user, repair_id: int) -> int | None:
    """The repair's couple id if ``user`` is one of its couple now, else None."""
    if not user or not user.is_authenticated:
        return None
    try:
        return access_repair(user, repair_id).couple_id
    except Http404:
        return None


@database_sync_to_async
def _snapshot(user, repair_id: int) -> dict | None:
    try:
        return dict(repair_data(user=user, repair_id=repair_id))
    except Http404:
        return None


class RepairConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = self.scope.get("user")
        self.repair_id = int(self.scope["url_route"]["kwargs"]["repair_id"])
        self.groups_joined = []
        couple_id = await _authorize(self.user, self.repair_id)
        if couple_id is None:
            # A stranger, a therapist, a former partner and a missing repair look the same.
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.groups_joined = [repair_group(self.repair_id), couple_group(couple_id)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self._send_snapshot()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # The one message a client sends: "sync" (after a reconnect, or to be sure).
        if isinstance(content, dict) and content.get("type") == "sync":
            await self._send_snapshot()
        else:
            await self.send_json(
                {"type": "error", "code": 400, "detail": 'Send {"type": "sync"}; answer through the API.'}
            )

    async def repair_event(self, message):
        # Membership is re-read with the snapshot: someone who left gets nothing more.
        data = await _snapshot(self.user, self.repair_id)
        if data is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        await self.send_json({"type": "event", "seq": message["seq"], "kind": message["kind"], "data": message["data"]})
        await self.send_json({"type": "snapshot", "repair": data})

    async def couple_closed(self, message):
        await self.close(code=CLOSE_COUPLE_ENDED)

    async def _send_snapshot(self):
        data = await _snapshot(self.user, self.repair_id)
        if data is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        await self.send_json({"type": "snapshot", "repair": data})
