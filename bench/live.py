"""Live session benchmark.

One ASGI server process (uvicorn) with the Redis channel layer and
PostgreSQL; 200 concurrent sessions (400 websockets) go through full
check-ins (answer each step, reveal, ready, advance, finish). Prints JSON:
round-trip latency p50/p95/p99 of a step answer from one partner to the
other (send -> the other's socket receives the hint), the same for a plain
echo round trip (ping -> pong) on the same server in the same run, their
ratio, messages lost (hints each socket should have had, by event sequence,
but did not), and server memory per socket. A second baseline, also in the
same run: the echo with one durable write in it (bench/live_server.py), the
floor for any message stored before it is passed on.

Needs PostgreSQL and Redis: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/steady_bench_live) and BENCH_REDIS_URL
(default redis://127.0.0.1:6379/5). Run: .venv/bin/python bench/live.py
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/steady_bench_live")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
ANSWERS = {"mood": 4, "appreciated": "The walk we took", "need": "An early night"}


def _env() -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DB,
        REDIS_URL=REDIS,
        DEBUG="False",
        LOG_LEVEL="WARNING",
        STEADY_VAR_DIR=tempfile.mkdtemp(prefix="steady-bench-live-"),
        DJANGO_SETTINGS_MODULE="backend.settings",
    )
    return env


def _ensure_database() -> None:
    import psycopg

    name = DB.rsplit("/", 1)[1]
    with psycopg.connect(DB.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(n_sessions: int) -> list[dict]:
    os.environ.update(
        {k: v for k, v in _env().items() if k in ("DATABASE_URL", "REDIS_URL", "DEBUG", "STEADY_VAR_DIR")}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection
    from knox.models import AuthToken

    from accounts.models import User
    from checkins.formats import builtin_formats_sync
    from checkins.models import Format
    from checkins.services import checkin_start
    from couples.models import Couple, Membership

    redis.Redis.from_url(REDIS).flushdb()
    call_command("migrate", verbosity=0)
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE checkins_event, checkins_answer, checkins_livesession, checkins_checkin, couples_membership, "
            "couples_couple, knox_authtoken, reminders_reminder, accounts_user RESTART IDENTITY CASCADE"
        )
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_durable_echo (id bigserial PRIMARY KEY, sent timestamptz)")
        c.execute("TRUNCATE bench_durable_echo")
    builtin_formats_sync(Format)
    fmt = Format.objects.get(key="daily-pulse")
    users = User.objects.bulk_create(
        [User(email=f"live{i}@bench.invalid", display_name=f"P{i}", password="!") for i in range(2 * n_sessions)]
    )
    sessions = []
    for i in range(n_sessions):
        a, b = users[2 * i], users[2 * i + 1]
        couple = Couple.objects.create()
        Membership.objects.bulk_create([Membership(couple=couple, user=a), Membership(couple=couple, user=b)])
        checkin = checkin_start(couple=couple, user=a, format=fmt)
        sessions.append(
            {
                "checkin": checkin.pk,
                "steps": [s["key"] for s in checkin.steps],
                "tokens": [AuthToken.objects.create(user=a)[1], AuthToken.objects.create(user=b)[1]],
            }
        )
    connection.close()
    return sessions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Client:
    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.ws = None
        self.seqs: set[int] = set()
        self.hello_seq = 0
        self.waiters: list[tuple] = []  # (predicate, future)
        self.pongs: dict = {}
        self.dropped = False

    async def connect(self):
        import websockets

        self.ws = await websockets.connect(
            self.url,
            additional_headers={"Authorization": f"Bearer {self.token}"} if self.token else {},
            max_queue=None,
            ping_interval=None,  # the server's keepalive is enough; fewer frames to measure around
            open_timeout=60,
        )
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            await self._read_loop()
        except Exception:  # noqa: BLE001 - a dropped socket is counted, not fatal
            self.dropped = True

    async def _read_loop(self):
        async for raw in self.ws:
            now = time.perf_counter()
            message = json.loads(raw)
            if message["type"] == "hello":
                self.hello_seq = message["last_event_seq"]
            elif message["type"] == "event":
                self.seqs.add(message["seq"])
            elif message["type"] == "pong":
                fut = self.pongs.pop(message["t"], None)
                if fut and not fut.done():
                    fut.set_result(now)
            for waiter in list(self.waiters):
                predicate, fut = waiter
                if not fut.done() and predicate(message):
                    fut.set_result(now)
                    self.waiters.remove(waiter)

    def wait_for(self, predicate) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append((predicate, fut))
        return fut

    async def send(self, message: dict):
        await self.ws.send(json.dumps(message))

    async def echo(self, tag: str) -> float:
        fut = asyncio.get_running_loop().create_future()
        self.pongs[tag] = fut
        start = time.perf_counter()
        await self.send({"type": "ping", "t": tag})
        return (await asyncio.wait_for(fut, 10)) - start


async def run_session(session: dict, clients: tuple, latencies: list, pace: float):
    a, b = clients

    def event(kind, step=None):
        return lambda m: m["type"] == "event" and m["kind"] == kind and (step is None or m["data"].get("step") == step)

    for step in session["steps"]:
        # Waiters are registered before the action that triggers them.
        revealed = a.wait_for(event("step_revealed", step))
        for sender, receiver in ((a, b), (b, a)):
            await asyncio.sleep(random.uniform(0, pace))  # people take a moment
            seen = receiver.wait_for(event("step_answered", step))
            start = time.perf_counter()
            await sender.send({"type": "answer", "step": step, "value": ANSWERS[step]})
            latencies.append((await asyncio.wait_for(seen, 30)) - start)
        await asyncio.wait_for(revealed, 30)
        moved = a.wait_for(lambda m: m["type"] == "event" and m["kind"] in ("step_advanced", "revealed"))
        await a.send({"type": "ready"})
        await b.send({"type": "ready"})
        await asyncio.wait_for(moved, 30)


async def drive(url_base: str, sessions: list, server_pid: int, pace: float) -> dict:
    rss_before = _rss_kb(server_pid)
    clients = []
    for s in sessions:
        pair = tuple(Client(f"{url_base}/ws/checkins/{s['checkin']}/", t) for t in s["tokens"])
        clients.append(pair)
    # Connect in waves so the handshake burst does not dominate.
    for i in range(0, len(clients), 50):
        await asyncio.gather(*(c.connect() for pair in clients[i : i + 50] for c in pair))
    await asyncio.sleep(1.0)
    rss_after = _rss_kb(server_pid)
    # One more socket per session, to the bench-only durable echoes (opened
    # after the memory reading): half write on the database threads, half on
    # the event loop.
    durable_clients = [
        Client(f"{url_base}/ws/bench/durable-echo{'' if i % 2 else '-async'}/", "") for i in range(len(sessions))
    ]
    for i in range(0, len(durable_clients), 50):
        await asyncio.gather(*(c.connect() for c in durable_clients[i : i + 50]))

    echo: list[float] = []
    durable: list[float] = []
    durable_async: list[float] = []

    async def echo_loop(c: Client, n: int, into: list):
        for k in range(n):
            await asyncio.sleep(random.uniform(0, pace))
            into.append(await c.echo(f"{id(c)}-{k}"))

    answer: list[float] = []
    outcomes = await asyncio.gather(
        *(run_session(s, pair, answer, pace) for s, pair in zip(sessions, clients, strict=True)),
        *(echo_loop(c, 6, echo) for pair in clients for c in pair),
        *(echo_loop(c, 12, durable_async if "async" in c.url else durable) for c in durable_clients),
        return_exceptions=True,
    )
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    await asyncio.sleep(1.0)  # let the last hints arrive

    # Loss: every event after each socket's hello must have reached it.
    from asgiref.sync import sync_to_async

    from checkins.models import CheckIn

    @sync_to_async
    def last_seqs() -> dict:
        ids = [s["checkin"] for s in sessions]
        return dict(CheckIn.objects.filter(pk__in=ids).values_list("pk", "last_event_seq"))

    last = await last_seqs()
    lost = 0
    for s, pair in zip(sessions, clients, strict=True):
        for c in pair:
            expected = set(range(c.hello_seq + 1, last[s["checkin"]] + 1))
            lost += len(expected - c.seqs)
    for c in [c for pair in clients for c in pair] + durable_clients:
        await c.ws.close()
    dropped = sum(c.dropped for pair in clients for c in pair)

    def pct(values, p):
        return round(statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000, 2)

    summary = {
        "sessions": len(sessions),
        "sockets": 2 * len(sessions),
        "answer_latency_ms": {"p50": pct(answer, 50), "p95": pct(answer, 95), "p99": pct(answer, 99), "n": len(answer)},
        "echo_latency_ms": {"p50": pct(echo, 50), "p95": pct(echo, 95), "p99": pct(echo, 99), "n": len(echo)},
        # The same round trip with one durable write (INSERT, COMMIT) in it:
        # the floor for any message stored before it is passed on.
        "durable_write_echo_latency_ms": {
            "p50": pct(durable, 50),
            "p95": pct(durable, 95),
            "p99": pct(durable, 99),
            "n": len(durable),
        },
        # The same write made on the event loop (psycopg's async driver).
        "durable_write_on_loop_echo_latency_ms": {
            "p50": pct(durable_async, 50),
            "p95": pct(durable_async, 95),
            "p99": pct(durable_async, 99),
            "n": len(durable_async),
        },
        "messages_lost": lost,
        "sockets_dropped": dropped,
        "sessions_or_echo_loops_failed": len(failures),
        "failure_kinds": sorted({type(f).__name__ for f in failures}),
        "failure_examples": sorted({repr(f)[:200] for f in failures})[:3],
        "server_memory_kb_per_socket": round((rss_after - rss_before) / (2 * len(sessions)), 1),
        "server_rss_mb": round(rss_after / 1024, 1),
    }
    summary["ratio_p95_answer_over_echo"] = round(
        summary["answer_latency_ms"]["p95"] / summary["echo_latency_ms"]["p95"], 2
    )
    for name in ("durable_write", "durable_write_on_loop"):
        summary[f"ratio_p95_{name}_echo_over_echo"] = round(
            summary[f"{name}_echo_latency_ms"]["p95"] / summary["echo_latency_ms"]["p95"], 2
        )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument(
        "--pace",
        type=float,
        default=20,
        help="seconds of think time (max, uniform) before each answer; 20 is a fast couple, "
        "5 a stress test (about 160 writes/s from 200 sessions)",
    )
    args = parser.parse_args()

    _ensure_database()
    sessions = seed(args.sessions)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.live_server:application",  # Steady's application + the durable echo
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--log-level",
            "warning",
            "--ws",
            "websockets-sansio",  # as in production (Procfile, Dockerfile)
            "--ws-per-message-deflate",
            "false",
        ],
        cwd=ROOT,
        env=_env(),
    )
    try:
        import urllib.request

        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=1)  # noqa: S310 - our loopback
                break
            except OSError:
                time.sleep(0.2)
        result = asyncio.run(drive(f"ws://127.0.0.1:{port}", sessions, server.pid, args.pace))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    out = {
        "benchmark": "live sessions",
        "pace_seconds_max": args.pace,
        **result,
        "targets": {"ratio_max": 3, "answer_p95_ms_max": 25, "messages_lost": 0},
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "live.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
