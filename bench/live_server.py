"""The server bench/live.py runs: Steady's ASGI application, unchanged,
plus one socket only the bench has, /ws/bench/durable-echo/.

For each message, that socket makes one durable write (a one-row INSERT,
committed, on the same database threads live writes use) and replies. Its
round trip is the floor for any message that must be stored before anyone
hears of it; a live answer does that plus the lock, the rules and the
fan-out to the partner's socket. bench/live.py reports it beside the plain
echo, so that both baselines are measured in the same run.

/ws/bench/durable-echo-async/ makes the same write on the event loop with
psycopg's async driver (a few connections of its own), without the thread
hop: the floor of a design that would take live writes off the threads."""

import asyncio
import os

import psycopg
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import connection

from backend.asgi import application as steady
from checkins.consumers import _on_db_threads

TABLE = "bench_durable_echo"


@_on_db_threads
def _durable_write() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (sent) VALUES (now())")  # noqa: S608 - a constant


class DurableEcho(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await _durable_write()
        await self.send_json({"type": "pong", "t": content.get("t")})  # as the live socket's ping


class AsyncDurableEcho(AsyncJsonWebsocketConsumer):
    connections: asyncio.Queue | None = None

    @classmethod
    async def _connection(cls) -> asyncio.Queue:
        if cls.connections is None:
            cls.connections = asyncio.Queue()
            for _ in range(4):
                conn = await psycopg.AsyncConnection.connect(os.environ["DATABASE_URL"], autocommit=True)
                cls.connections.put_nowait(conn)
        return cls.connections

    async def connect(self):
        await self.accept()

    async def receive_json(self, content, **kwargs):
        pool = await self._connection()
        conn = await pool.get()
        try:
            await conn.execute(f"INSERT INTO {TABLE} (sent) VALUES (now())")  # noqa: S608 - a constant
        finally:
            pool.put_nowait(conn)
        await self.send_json({"type": "pong", "t": content.get("t")})


ROUTES = {
    "/ws/bench/durable-echo/": DurableEcho.as_asgi(),
    "/ws/bench/durable-echo-async/": AsyncDurableEcho.as_asgi(),
}


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] in ROUTES:
        return await ROUTES[scope["path"]](scope, receive, send)
    return await steady(scope, receive, send)
