"""The live check-in socket. It authorizes, joins the groups, relays hints
and presence, and hands every write to the check-in services; it writes
nothing itself. The protocol is in docs/realtime.md."""

import asyncio
import json
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from asgiref.sync import SyncToAsync
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from accounts import applock
from accounts.language import in_language_of
from backend.errors import DomainError
from backend.parsers import UnreadableJSON, json_loads

from . import selectors, services
from .live import checkin_group, collected_broadcasts, couple_group
from .models import CheckIn

CLOSE_NOT_ALLOWED = 4404
CLOSE_COUPLE_ENDED = 4410

log = logging.getLogger(__name__)


# The socket's database work runs on its own small pool of threads: not the
# single thread that Django's sync views share, and not the event loop's
# default executor, which the loop itself needs (name lookups for new Redis
# connections): with that pool full of writes waiting on the loop, the loop
# could wait on the pool. Each write is its own transaction and takes the
# check-in's row lock, so order is kept per check-in.
_DB_THREADS = ThreadPoolExecutor(max_workers=settings.STEADY_LIVE_DB_THREADS, thread_name_prefix="live-db")


class _LiveDatabaseSyncToAsync(SyncToAsync):
    """Channels' DatabaseSyncToAsync calls close_old_connections() around
    every call. Here a connection is given back when it failed (the next
    call takes a fresh one: after a database restart, say) or when it
    outlived CONN_MAX_AGE, as Django would. With PostgreSQL's pool
    (CONN_MAX_AGE=0, backend/settings.py) that is after every call: these
    threads borrow from the process's pool like the views do, and hold no
    connection while idle."""

    def thread_handler(self, loop, *args, **kwargs):
        try:
            return super().thread_handler(loop, *args, **kwargs)
        except (InterfaceError, OperationalError):
            connection.close()
            raise
        finally:
            if connection.connection is not None and (
                connection.errors_occurred
                or (connection.close_at is not None and time.monotonic() >= connection.close_at)
            ):
                connection.close()


def _on_db_threads(fn):
    return _LiveDatabaseSyncToAsync(fn, thread_sensitive=False, executor=_DB_THREADS)


def _language_of(scope, user) -> str:
    """The language the socket's own messages are in: the person's chosen
    language if the account keeps one, else as the page's request would
    have it (the language cookie, then Accept-Language)."""
    chosen = getattr(user, "language", "") or ""
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    headers = dict(scope.get("headers") or [])
    request = SimpleNamespace(
        COOKIES=scope.get("cookies") or {},
        META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")},
        path_info="/",
    )
    return translation.get_language_from_request(request)


@_on_db_threads
def _authorize(user, checkin_id: int, scope=None):
    if not user or not user.is_authenticated:
        return None
    if scope is not None and applock.socket_is_locked(scope, user):
        return None  # a locked web session (docs/applock.md)
    try:
        return selectors.checkin_get_for_member(user=user, checkin_id=checkin_id)
    except Http404:
        return None


@_on_db_threads
def _still_allowed_seq(user, checkin_id: int) -> int | None:
    """The check-in's last event number, or None if this person may no longer
    see it (they left the couple while a hint about it was lost)."""
    return selectors.checkin_last_seq_for_member(user=user, checkin_id=checkin_id)


@_on_db_threads
def _act(user, checkin_id: int, action: str, content: dict, language: str) -> tuple[dict | None, list]:
    """Runs one write through the services. Returns an error to send (or
    None) and the broadcasts the write made, for the caller to send. Error
    words are in the person's ``language``."""
    with translation.override(language), collected_broadcasts() as broadcasts:
        try:
            # The services lock the check-in and check, in the same query,
            # that this person is still one of the couple (else 404).
            checkin = CheckIn(pk=checkin_id)
            if action == "answer":
                services.live_answer(
                    checkin=checkin, user=user, step=str(content.get("step", "")), value=content.get("value")
                )
            elif action == "ready":
                services.live_ready(checkin=checkin, user=user)
            elif action == "pause":
                minutes = content.get("minutes")
                if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, int)):
                    error = {
                        "type": "error",
                        "code": 400,
                        "detail": {"minutes": [gettext("A whole number of minutes.")]},
                    }
                    return error, []
                services.live_pause(checkin=checkin, user=user, minutes=minutes)
            elif action == "resume":
                services.live_resume(checkin=checkin, user=user)
        except Http404:
            return {"type": "error", "code": 404, "detail": gettext("Not found.")}, list(broadcasts)
        except (InterfaceError, OperationalError):
            # The database is briefly away; nothing was written.
            connection.close()
            return {"type": "error", "code": 503, "detail": gettext("Steady is briefly unavailable; try again.")}, []
        except DomainError as exc:
            return {"type": "error", "code": exc.status_code, "detail": exc.as_data()}, list(broadcasts)
    return None, broadcasts


class CheckInConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        # Channels' dispatch first hops to the thread-sensitive thread to
        # close_old_connections() for every message: every ping, hint and
        # presence note. This consumer never touches the database on that
        # thread (its reads and writes run on _DB_THREADS, which look after
        # their own connections), so the hop is pure latency.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.user = self.scope.get("user")
        self.language = _language_of(self.scope, self.user)
        self.checkin_id = int(self.scope["url_route"]["kwargs"]["checkin_id"])
        checkin = await _authorize(self.user, self.checkin_id, self.scope)
        if checkin is None:
            # Refused at the handshake: a stranger, a therapist, a former
            # partner and a missing check-in look the same.
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.groups_joined = [checkin_group(self.checkin_id), couple_group(checkin.couple_id)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        # Presence lives only in these sockets' memory: who is on this page
        # now. Nothing about it is ever stored.
        self.present: dict[str, int] = {self.channel_name: self.user.pk}
        await self.accept()
        await self.send_json({"type": "hello", "me": self.user.pk, "last_event_seq": checkin.last_event_seq})
        await self.channel_layer.group_send(
            checkin_group(self.checkin_id),
            {"type": "presence.join", "user": self.user.pk, "channel": self.channel_name},
        )
        self.sync_task = asyncio.create_task(self._keep_in_sync())

    async def _keep_in_sync(self):
        """Every STEADY_LIVE_SYNC_SECONDS (with jitter): join the groups again
        and tell the client the last event number. Group membership lives in
        Redis; if Redis restarted, it is gone and hints stop arriving without
        any error. Re-joining heals that, and the number lets the client
        re-read whatever was broadcast while nobody could hear it. It also
        re-checks membership, in case the "couple ended" hint was the one lost."""
        every = settings.STEADY_LIVE_SYNC_SECONDS
        while not getattr(self, "closed", False):
            await asyncio.sleep(every * random.uniform(0.8, 1.2))
            try:
                for group in self.groups_joined:
                    await self.channel_layer.group_add(group, self.channel_name)
                seq = await _still_allowed_seq(self.user, self.checkin_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - Redis or the database is briefly away; next round
                log.info("live sync for check-in %s failed; retrying", self.checkin_id, exc_info=True)
                continue
            if seq is None:
                await self.close(code=CLOSE_NOT_ALLOWED)
                return
            await self.send_json({"type": "sync", "last_event_seq": seq})

    async def send_json(self, content, close=False):
        # Group messages can still arrive between our close and the
        # disconnect; there is no one to send them to.
        if getattr(self, "closed", False):
            return
        await super().send_json(content, close=close)

    async def close(self, code=None, reason=None):
        self.closed = True
        await super().close(code=code, reason=reason)

    async def disconnect(self, code):
        self.closed = True
        if task := getattr(self, "sync_task", None):
            task.cancel()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "groups_joined", None):
            await self.channel_layer.group_send(
                checkin_group(self.checkin_id), {"type": "presence.leave", "channel": self.channel_name}
            )

    def _words(self, message: str) -> str:
        """One of the socket's own messages, in the person's language."""
        with translation.override(getattr(self, "language", None)):
            return gettext(message)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json(
                {"type": "error", "code": 400, "detail": self._words(gettext_noop("Send a JSON object."))}
            )
            return
        kind = content.get("type")
        if kind == "ping":
            await self.send_json({"type": "pong", "t": content.get("t")})
        elif kind in ("answer", "ready", "pause", "resume"):
            error, broadcasts = await _act(self.user, self.checkin_id, kind, content, self.language)
            for group, message in broadcasts:
                try:
                    await self.channel_layer.group_send(group, message)
                except Exception:  # noqa: BLE001 - committed; the next sync brings it
                    log.warning("could not broadcast to %s", group, exc_info=True)
            if error is not None:
                # Its messages in this person's own language (accounts.language).
                with in_language_of(self.user):
                    error = json.loads(json.dumps(error, cls=DjangoJSONEncoder))
                await self.send_json(error)
                if error["code"] == 404:
                    await self.close(code=CLOSE_NOT_ALLOWED)
        else:
            await self.send_json(
                {"type": "error", "code": 400, "detail": self._words(gettext_noop("Unknown message type."))}
            )

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Read as the API reads bodies (backend.parsers): bad JSON, too deep,
        # or text the database cannot store gets an error and the socket
        # stays open. Channels' own receive would raise on a binary frame
        # and, here, on too deep a document: the socket dropped without a
        # close frame.
        if text_data is None:
            await self.send_json(
                {"type": "error", "code": 400, "detail": self._words(gettext_noop("Send JSON as text messages."))}
            )
            return
        try:
            content = json_loads(text_data)
        except UnreadableJSON as exc:
            with translation.override(getattr(self, "language", None)):
                detail = exc.as_data()
            await self.send_json({"type": "error", "code": 400, "detail": detail})
            return
        except ValueError:
            await self.send_json(
                {"type": "error", "code": 400, "detail": self._words(gettext_noop("Send a JSON object."))}
            )
            return
        await self.receive_json(content, **kwargs)

    # --- group messages ---------------------------------------------------------

    async def checkin_event(self, message):
        await self.send_json({"type": "event", "seq": message["seq"], "kind": message["kind"], "data": message["data"]})

    async def presence_join(self, message):
        if message["channel"] == self.channel_name:
            return
        self.present[message["channel"]] = message["user"]
        # Tell the newcomer that this socket's person is here too.
        await self.channel_layer.send(
            message["channel"], {"type": "presence.here", "user": self.user.pk, "channel": self.channel_name}
        )
        await self._send_presence()

    async def presence_here(self, message):
        self.present[message["channel"]] = message["user"]
        await self._send_presence()

    async def presence_leave(self, message):
        if self.present.pop(message["channel"], None) is not None:
            await self._send_presence()

    async def _send_presence(self):
        await self.send_json({"type": "presence", "here": sorted(set(self.present.values()))})

    async def couple_closed(self, message):
        await self.close(code=CLOSE_COUPLE_ENDED)
