"""Fault injection against real services: Steady's web, worker and beat
processes on their own PostgreSQL and Redis, which this script kills and
restarts under load. Prints one JSON report and exits 1 if anything was
lost, doubled or left broken.

Faults, in order:

1. ``worker_killed``: the Celery worker is SIGKILLed while it is in the
   middle of sending a reminder email (the fake SMTP server holds the
   message without answering). After a new worker starts, every person has
   exactly one email and one in-app notification.
2. ``redis_restart_dispatch``: reminders fall due every quarter second while
   Redis is killed and started again, empty (no persistence, as on this
   machine). Every reminder is delivered once, none is recorded missed.
3. ``redis_restart_live``: two partners are in a live check-in over
   websockets when Redis is killed and started again, empty. They finish the
   check-in; each phone has seen every event of the sequence and every
   answer is stored.
4. ``postgres_restart``: PostgreSQL is stopped (``immediate``: a crash) and
   started again while four clients read and write through the web
   process. The web process recovers without a restart; every write it
   acknowledged is in the database; during the outage it answered 503, not
   500; the worker delivers a reminder after the restart too.

It needs ``redis-server`` and PostgreSQL's server binaries (``initdb``,
``pg_ctl``; Debian's ``postgresql`` package) but none of the machine's
running services: it starts its own on free ports in a temporary folder, so
it can restart them freely. Run: ``make faults`` (or
``.venv/bin/python scripts/faults.py``; ``--keep`` keeps the folder).
"""

import argparse
import asyncio
import contextlib
import glob
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable

LEASE_SECONDS = 4
DISPATCH_EVERY = 1
LIVE_SYNC_SECONDS = 2


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


# --- services this script owns ------------------------------------------------------------------------------------


class Redis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.proc = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            argv,
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self.ping, 20, "redis-server to answer")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """A crash: SIGKILL, nothing saved (it keeps nothing on disk)."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Postgres:
    def __init__(self, workdir: Path):
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
        pg_ctl = shutil.which("pg_ctl") or (versions[-1] if versions else None)
        if not pg_ctl:
            raise SystemExit("faults: PostgreSQL's pg_ctl is not installed (Debian: postgresql)")
        self.bin = Path(pg_ctl).parent
        self.port = free_port()
        self.data = workdir / "pgdata"
        self.sockets = workdir / "pgsock"
        self.logfile = workdir / "postgres.log"
        # PostgreSQL refuses to run as root: as root, run it as postgres.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/steady"

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_user, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def init(self) -> None:
        for path in (self.data, self.sockets):
            path.mkdir()
        self.logfile.touch()
        if self.as_user:
            for path in (self.data.parent, self.data, self.sockets, self.logfile):
                shutil.chown(path, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE steady")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


class Mailbox:
    """A fake SMTP server (aiosmtpd). It records each accepted message; when
    armed, it holds the n-th message without ever answering, as if the
    network stalled in the middle of the send."""

    def __init__(self):
        self.port = free_port()
        self.accepted: list[str] = []  # one recipient per message
        self.lock = threading.Lock()
        self.stall_at: int | None = None
        self.seen = 0
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.seen += 1
            stall = self.seen == self.stall_at
        if stall:
            self.stalled.set()
            await asyncio.sleep(3600)  # never answers: the sender dies waiting
        with self.lock:
            self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        with contextlib.suppress(Exception):
            self.controller.stop(no_assert=True)

    def count(self, prefix: str) -> Counter:
        with self.lock:
            return Counter(r for r in self.accepted if r.startswith(prefix))


class Processes:
    """web (uvicorn), worker and beat, each in its own process group."""

    def __init__(self, env: dict, workdir: Path):
        self.env, self.workdir = env, workdir
        self.web_port = free_port()
        self.procs: dict[str, subprocess.Popen] = {}

    def argv(self, name: str) -> list[str]:
        celery = [PY, "-m", "celery", "-A", "backend"]
        return {
            "web": [
                *[PY, "-m", "uvicorn", "backend.asgi:application", "--host", "127.0.0.1"],
                *["--port", str(self.web_port), "--lifespan", "off", "--log-level", "warning"],
                *["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"],
            ],
            "worker": [*celery, "worker", "--pool", "solo", "--without-gossip", "--without-mingle", "-l", "WARNING"],
            "beat": [*celery, "beat", "-l", "WARNING", "-s", str(self.workdir / "beat-schedule")],
        }[name]

    def start(self, name: str) -> None:
        out = open(self.workdir / f"{name}.log", "a")  # noqa: SIM115 - closed with the process
        self.procs[name] = subprocess.Popen(
            self.argv(name), cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in self.procs.items():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop on SIGTERM; killing")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)

    def alive(self) -> dict:
        return {name: proc.poll() is None for name, proc in self.procs.items()}


# --- the scenarios --------------------------------------------------------------------------------------------------


def make_people(prefix: str, n: int):
    from accounts.models import User
    from reminders.models import Preference

    users = [
        User.objects.create_user(
            email=f"{prefix}{i}@faults.invalid",
            password=None,
            display_name=f"{prefix}{i}",
            timezone="Europe/Berlin",
            quiet_hours_start=None,
            quiet_hours_end=None,
        )
        for i in range(n)
    ]
    Preference.objects.bulk_create([Preference(user=u, email=True, push=False, daily_cap=50) for u in users])
    return users


def due_reminders(users, fire_times) -> None:
    """One check-in reminder per person, due at the given times. The kind's
    target is a real open check-in, so the dispatcher sends it."""
    import datetime as dt

    from checkins.models import CheckIn, Format
    from couples.models import Couple
    from reminders.models import Reminder

    at = min(fire_times)
    checkin = CheckIn.objects.create(
        couple=Couple.objects.create(),
        format=Format.objects.get(key="daily-pulse"),
        steps=[],
        scheduled_for=at,
        closes_at=at + dt.timedelta(hours=48),
    )
    Reminder.objects.bulk_create(
        [
            Reminder(user=u, kind="checkin_open", target_id=checkin.pk, due_at=t, fire_at=t, occurrence="faults")
            for u, t in zip(users, fire_times, strict=True)
        ]
    )


def delivery_figures(users, mailbox: Mailbox, prefix: str) -> dict:
    from reminders.models import Delivery, Notification

    ids = [u.pk for u in users]
    in_app = Counter(Notification.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
    emails = mailbox.count(prefix)
    outcomes = Counter(Delivery.objects.filter(user_id__in=ids).values_list("outcome", flat=True))
    return {
        "notifications_expected": len(users),
        "in_app_delivered": sum(1 for u in ids if in_app[u] >= 1),
        "in_app_doubled": sum(1 for u in ids if in_app[u] > 1),
        "emails_delivered": sum(1 for u in users if emails[u.email] >= 1),
        "emails_doubled": sum(1 for u in users if emails[u.email] > 1),
        "recorded_missed": outcomes.get("missed", 0),
        "lost": sum(1 for u in users if in_app[u.pk] == 0 or emails[u.email] == 0),
    }


def ok_delivery(figures: dict) -> bool:
    n = figures["notifications_expected"]
    return (
        figures["in_app_delivered"] == n
        and figures["emails_delivered"] == n
        and figures["in_app_doubled"] == 0
        and figures["emails_doubled"] == 0
        and figures["recorded_missed"] == 0
        and figures["lost"] == 0
    )


def all_emails(mailbox: Mailbox, users, prefix: str):
    return lambda: sum(1 for u in users if mailbox.count(prefix)[u.email] >= 1) == len(users)


def worker_killed(procs: Processes, mailbox: Mailbox) -> dict:
    from django.utils import timezone

    users = make_people("killed", 30)
    mailbox.stall_at = mailbox.seen + 10  # the tenth email of this batch
    mailbox.stalled.clear()
    due_reminders(users, [timezone.now()] * len(users))
    mailbox.stalled.wait(60) or _fail("the worker never reached the stalled email")
    procs.kill("worker")
    killed_at = time.monotonic()
    log("worker killed in the middle of an SMTP send; starting a new one")
    procs.start("worker")
    wait_until(all_emails(mailbox, users, "killed"), 90, "every email after the worker was killed")
    recovered = time.monotonic() - killed_at
    time.sleep(2 * LEASE_SECONDS + 2)  # room for a duplicate to show up
    return {
        "faults_injected": 1,
        "fault": "SIGKILL of the Celery worker while an SMTP DATA command was unanswered",
        **delivery_figures(users, mailbox, "killed"),
        "seconds_to_recover": round(recovered, 1),
    }


def redis_restart_dispatch(procs: Processes, mailbox: Mailbox, redis: Redis) -> dict:
    import datetime as dt

    from django.utils import timezone

    users = make_people("dispatch", 60)
    start = timezone.now() + dt.timedelta(seconds=1)
    due_reminders(users, [start + dt.timedelta(seconds=0.25 * i) for i in range(len(users))])
    time.sleep(5)
    redis.kill()
    log("redis killed while reminders fall due; restarting it in 3 s, empty")
    time.sleep(3)
    redis.start()
    back_at = time.monotonic()
    wait_until(all_emails(mailbox, users, "dispatch"), 120, "every reminder after Redis came back")
    recovered = time.monotonic() - back_at
    time.sleep(2 * LEASE_SECONDS + 2)
    return {
        "faults_injected": 1,
        "fault": "SIGKILL of Redis (broker, cache, channel layer) for 3 s, restarted empty, while 60 reminders fell due",
        **delivery_figures(users, mailbox, "dispatch"),
        "seconds_to_recover_after_redis_back": round(recovered, 1),
    }


class Phone:
    """A partner's phone in a live check-in, behaving like static/js/live.js:
    socket messages are hints to re-read the snapshot; on a dropped socket it
    reconnects with backoff and jitter. It also reads the events it missed,
    so the test can check it has seen the whole sequence."""

    def __init__(self, base: str, token: str, checkin_id: int):
        self.base, self.token, self.checkin_id = base, token, checkin_id
        self.snapshot: dict = {}
        self.seqs: set[int] = set()
        self.last_seq = 0
        self.hints = self.reconnects = self.reads = self.socket_sends = 0
        self.ws = None
        self.changed = asyncio.Event()
        self.running = True

    def _get(self, path: str) -> dict:
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server
            return json.load(response)

    async def refresh(self) -> None:
        for _ in range(50):
            try:
                events = await asyncio.to_thread(
                    self._get, f"/api/v1/checkins/{self.checkin_id}/events/?since={self.last_seq}"
                )
                snapshot = await asyncio.to_thread(self._get, f"/api/v1/checkins/{self.checkin_id}/session/")
                break
            except (urllib.error.URLError, OSError):
                await asyncio.sleep(0.5)
        else:
            raise RuntimeError("could not read the session for 25 s")
        self.reads += 1
        self.seqs.update(e["seq"] for e in events["results"])
        self.last_seq = max(self.last_seq, events["last_seq"], *(e["seq"] for e in events["results"]), 0)
        self.snapshot = snapshot
        self.changed.set()

    async def run(self) -> None:
        import websockets

        url = self.base.replace("http://", "ws://") + f"/ws/checkins/{self.checkin_id}/"
        attempt = 0
        while self.running:
            try:
                async with websockets.connect(
                    url, additional_headers={"Authorization": f"Bearer {self.token}"}, open_timeout=10
                ) as ws:
                    self.ws, attempt = ws, 0
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] in ("hello", "sync") and message["last_event_seq"] != self.last_seq:
                            await self.refresh()
                        elif message["type"] == "event":
                            self.hints += 1
                            self.seqs.add(message["seq"])
                            if message["seq"] > self.last_seq:
                                await self.refresh()
            except (TimeoutError, OSError, websockets.WebSocketException):
                pass
            self.ws = None
            if not self.running:
                break
            self.reconnects += 1
            attempt += 1
            await asyncio.sleep(random.uniform(0, min(2.0, 0.2 * 2**attempt)))

    async def act(self, message: dict, done, timeout: float = 60) -> None:
        """Sends an action over the socket until the snapshot shows it took
        effect (a tap repeated after a dropped connection)."""
        deadline = time.monotonic() + timeout
        while not done(self.snapshot):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{message} did not take effect; snapshot {self.snapshot}")
            if self.ws is not None:
                with contextlib.suppress(Exception):
                    await self.ws.send(json.dumps(message))
                    self.socket_sends += 1
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 3)
            if not done(self.snapshot):
                await self.refresh()

    async def until(self, done, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not done(self.snapshot):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the session did not move on; snapshot {self.snapshot}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 1)


def redis_restart_live(procs: Processes, redis: Redis) -> dict:
    from knox.models import AuthToken

    from accounts.models import User
    from checkins.models import Answer, CheckIn, Event, Format
    from checkins.services import checkin_start
    from couples.models import Couple, Membership

    alice = User.objects.create_user(email="alice@faults.invalid", password=None, display_name="Alice")
    bob = User.objects.create_user(email="bob@faults.invalid", password=None, display_name="Bob")
    couple = Couple.objects.create()
    Membership.objects.bulk_create([Membership(couple=couple, user=alice), Membership(couple=couple, user=bob)])
    checkin = checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    steps = [s["key"] for s in checkin.steps]
    values = {"mood": (4, 2), "appreciated": ("the tea", "listening"), "need": ("an early night", "a walk")}
    base = f"http://127.0.0.1:{procs.web_port}"
    tokens = [AuthToken.objects.create(user=u)[1] for u in (alice, bob)]
    timings = {}

    async def session():
        a, b = (Phone(base, t, checkin.pk) for t in tokens)
        runners = [asyncio.create_task(p.run()) for p in (a, b)]
        await asyncio.gather(a.until(lambda s: bool(s)), b.until(lambda s: bool(s)))
        for index, step in enumerate(steps):

            def mine_in(s, i=index):
                return s["steps"][i]["mine"] is not None

            await a.act({"type": "answer", "step": step, "value": values[step][0]}, mine_in)
            if index == 1:
                # Alice has answered step two; Bob has not. Redis goes away.
                redis.kill()
                log("redis killed during the live session; restarting it in 2 s, empty")
                await asyncio.sleep(2)
                redis.start()
                timings["back"] = time.monotonic()
            await b.act({"type": "answer", "step": step, "value": values[step][1]}, mine_in)

            def revealed(s, i=index):
                return s["steps"][i]["partner"] is not None

            await asyncio.gather(a.until(revealed), b.until(revealed))
            if index == 1:
                timings["revealed_after_back"] = time.monotonic() - timings["back"]

            def moved_on(s, i=index):
                return s["status"] == "finished" or s["step_index"] > i

            await a.act({"type": "ready"}, lambda s, i=index: moved_on(s, i) or s["me_ready"])
            await b.act({"type": "ready"}, moved_on)
            await a.until(moved_on)
        await asyncio.sleep(LIVE_SYNC_SECONDS * 1.5)  # the last sync brings any lost hint
        for p in (a, b):
            p.running = False
            if p.ws is not None:
                await p.ws.close()
        await asyncio.gather(*runners, return_exceptions=True)
        return a, b

    a, b = asyncio.run(session())
    checkin = CheckIn.objects.get(pk=checkin.pk)
    expected = set(Event.objects.filter(checkin=checkin).values_list("seq", flat=True))
    answers = {
        (author, step): value
        for author, data in Answer.objects.filter(checkin=checkin).values_list("author__email", "values")
        for step, value in (data or {}).items()
    }
    stored = sum(
        1
        for step in steps
        for who, value in zip((alice.email, bob.email), values[step], strict=True)
        if answers.get((who, step)) == value
    )
    phones = {
        name: {
            "events_seen": len(p.seqs & expected),
            "events_missing": len(expected - p.seqs),
            "hints_by_socket": p.hints,
            "reads": p.reads,
            "reconnects": p.reconnects,
        }
        for name, p in (("alice", a), ("bob", b))
    }
    return {
        "faults_injected": 1,
        "fault": "SIGKILL of Redis for 2 s, restarted empty, between one partner's answer and the other's",
        "events_expected": len(expected),
        "phones": phones,
        "answers_expected": 2 * len(steps),
        "answers_stored": stored,
        "session_status": {"alice": a.snapshot.get("status"), "bob": b.snapshot.get("status")},
        "seconds_to_reveal_after_redis_back": round(timings.get("revealed_after_back", -1), 1),
        "lost": (2 * len(steps) - stored) + sum(v["events_missing"] for v in phones.values()),
    }


def postgres_restart(procs: Processes, postgres: Postgres, mailbox: Mailbox) -> dict:
    from django.db import connections
    from django.utils import timezone
    from knox.models import AuthToken

    from accounts.models import User
    from journal.models import Entry

    writer = User.objects.create_user(email="writer@faults.invalid", password=None, display_name="Writer")
    token = AuthToken.objects.create(user=writer)[1]
    late = make_people("afterpg", 1)
    base = f"http://127.0.0.1:{procs.web_port}"
    results: list[tuple[float, str, int, int | None]] = []  # (time, method, status, created id)
    stop = threading.Event()
    lock = threading.Lock()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            write = i % 2 == 0
            body = json.dumps({"kind": "entry", "text": f"fault test {n}-{i}", "tags": []}).encode() if write else None
            request = urllib.request.Request(
                f"{base}/api/v1/journal/",
                data=body,
                method="POST" if write else "GET",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            created, status = None, 0
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server
                    status = response.status
                    if write:
                        created = json.load(response)["id"]
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError):
                status = 0  # no answer at all
            with lock:
                results.append((time.monotonic(), "POST" if write else "GET", status, created))
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(3)
    connections.close_all()
    down_at = time.monotonic()
    postgres.stop("immediate")
    log("postgresql stopped (immediate) under load; starting it again in 3 s")
    time.sleep(3)
    postgres.start()
    up_at = time.monotonic()
    time.sleep(6)
    stop.set()
    for t in threads:
        t.join(15)
    # The worker reconnects too: a reminder due now is still sent.
    due_reminders(late, [timezone.now()])
    wait_until(all_emails(mailbox, late, "afterpg"), 60, "a reminder after the PostgreSQL restart")

    acknowledged = [r[3] for r in results if r[1] == "POST" and r[2] == 201]
    stored = set(Entry.objects.filter(pk__in=acknowledged).values_list("pk", flat=True))
    before = [r for r in results if r[0] < down_at]
    during = [r for r in results if down_at <= r[0] < up_at]
    after = [r for r in results if r[0] >= up_at]
    first_ok = next((r[0] - up_at for r in after if r[2] in (200, 201)), None)
    settled = [r for r in after if r[0] >= up_at + 2]
    return {
        "faults_injected": 1,
        "fault": "PostgreSQL stopped in immediate mode (a crash) for 3 s under 4 clients, then started",
        "requests_sent": len(results),
        "writes_acknowledged": len(acknowledged),
        "writes_stored": len(stored),
        "statuses_before": dict(Counter(r[2] for r in before)),
        "statuses_during": dict(Counter(r[2] for r in during)),
        "statuses_after": dict(Counter(r[2] for r in after)),
        "server_errors_500": sum(1 for r in results if r[2] == 500),
        "failed_2s_after_restart": sum(1 for r in settled if r[2] not in (200, 201)),
        "seconds_to_first_success": round(first_ok, 2) if first_ok is not None else None,
        "web_restarted": False,
        "reminder_after_restart": delivery_figures(late, mailbox, "afterpg"),
        "lost": len(acknowledged) - len(stored),
    }


def _fail(message: str):
    raise RuntimeError(message)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="steady-faults-"))
    os.chmod(workdir, 0o755)
    redis, postgres, mailbox = Redis(workdir), Postgres(workdir), Mailbox()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "STEADY_VAR_DIR": str(workdir / "var"),
        "STEADY_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
        "STEADY_DISPATCH_EVERY": str(DISPATCH_EVERY),
        "STEADY_LIVE_SYNC_SECONDS": str(LIVE_SYNC_SECONDS),
        "DEBUG": "False",
        "LOG_LEVEL": "WARNING",
        "RATE_WRITES": "100000/hour",
        "PYTHONUNBUFFERED": "1",
    }
    report: dict = {"lease_seconds": LEASE_SECONDS, "dispatch_every_seconds": DISPATCH_EVERY}
    procs = Processes(env, workdir)
    ok = False
    try:
        log(f"working in {workdir}")
        redis.start()
        postgres.init()
        mailbox.start()
        os.environ.update({k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"})
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        for name in ("web", "worker", "beat"):
            procs.start(name)
        wait_until(lambda: _health(procs.web_port), 60, "the web process")
        log("services up; injecting faults")

        report["worker_killed"] = worker_killed(procs, mailbox)
        log(f"worker_killed: {json.dumps(report['worker_killed'])}")
        report["redis_restart_dispatch"] = redis_restart_dispatch(procs, mailbox, redis)
        log(f"redis_restart_dispatch: {json.dumps(report['redis_restart_dispatch'])}")
        report["redis_restart_live"] = redis_restart_live(procs, redis)
        log(f"redis_restart_live: {json.dumps(report['redis_restart_live'])}")
        report["postgres_restart"] = postgres_restart(procs, postgres, mailbox)
        report["processes_alive_at_end"] = procs.alive()

        pg = report["postgres_restart"]
        live = report["redis_restart_live"]
        checks = {
            "worker_killed": ok_delivery(report["worker_killed"]),
            "redis_restart_dispatch": ok_delivery(report["redis_restart_dispatch"]),
            "redis_restart_live": live["lost"] == 0
            and set(live["session_status"].values()) == {"finished"}
            and live["events_expected"] > 0,
            "postgres_restart": pg["lost"] == 0
            and pg["server_errors_500"] == 0
            and pg["failed_2s_after_restart"] == 0
            and pg["writes_acknowledged"] > 0
            and ok_delivery(pg["reminder_after_restart"]),
            "processes_alive": all(report["processes_alive_at_end"].values()),
        }
        report["checks"] = checks
        report["data_lost"] = (
            sum(report[k]["lost"] for k in ("worker_killed", "redis_restart_dispatch", "redis_restart_live"))
            + pg["lost"]
        )
        ok = all(checks.values()) and report["data_lost"] == 0
    except Exception as exc:  # noqa: BLE001 - reported, then exit 1
        report["error"] = f"{exc.__class__.__name__}: {exc}"
        log(f"FAILED: {report['error']}")
        for name in ("web", "worker", "beat"):
            path = workdir / f"{name}.log"
            if path.exists():
                log(f"--- last lines of {name}.log ---\n" + "\n".join(path.read_text().splitlines()[-25:]))
    finally:
        procs.stop_all()
        mailbox.stop()
        redis.kill()
        postgres.stop("fast")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    report["passed"] = ok
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


def _health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(main())
