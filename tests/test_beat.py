"""Exactly one beat sends, however many are started (issue #24).

Two real `celery beat` processes on the test Redis, with the dispatcher due
every second and a 4-second lock: only the lock holder sends; a holder
paused past its lock (SIGSTOP) wakes up to find the other one sending and
sends nothing more itself; a holder killed without releasing the lock
(SIGKILL) is replaced once the lock expires. Across all of it no two sends
of the dispatcher fall closer than half its period, and the broker holds
exactly the sends the logs show."""

import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
LOCK_SECONDS = 4
SEND = re.compile(
    r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/MainProcess\] Scheduler: Sending due task reminders-dispatch"
)

pytestmark = pytest.mark.redis


class Beat:
    def __init__(self, name: str, env: dict, folder: Path):
        self.name, self.log_path = name, folder / f"beat-{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "backend", "beat", "--loglevel", "INFO", "-s", str(folder / name)],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def text(self) -> str:
        return self.log_path.read_text()

    def sends(self) -> list[dt.datetime]:
        return [dt.datetime.strptime(m, "%Y-%m-%d %H:%M:%S,%f") for m in SEND.findall(self.text())]

    def wait_for(self, needle: str, seconds: float, after: int = 0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if needle in self.text()[after:]:
                return
            if self.process.poll() is not None:
                pytest.fail(f"beat {self.name} exited:\n{self.text()[-3000:]}")
            time.sleep(0.2)
        pytest.fail(f"beat {self.name}: no {needle!r} within {seconds}s:\n{self.text()[-3000:]}")

    def signal(self, sig) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self) -> None:
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGKILL)
        self.process.wait(10)
        self.log.close()


@pytest.fixture
def beats(tmp_path):
    import redis

    queue = f"steady-beat-test-{uuid.uuid4().hex[:8]}"
    prefix = f"{queue}:"
    env = {
        **os.environ,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "STEADY_BEAT_KEY_PREFIX": prefix,
        "STEADY_BEAT_LOCK_SECONDS": str(LOCK_SECONDS),
        "STEADY_DISPATCH_EVERY": "1",
        "STEADY_VAR_DIR": str(tmp_path),
        "DB_POOL_MAX_SIZE": "1",
        "DB_POOL_MIN_SIZE": "1",
    }
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    started: list[Beat] = []

    def start(name: str) -> Beat:
        beat = Beat(name, env, tmp_path)
        started.append(beat)
        return beat

    def dispatches_queued() -> int:
        bodies = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
        return sum(1 for b in bodies if b["headers"]["task"] == "reminders.dispatch")

    try:
        yield start, dispatches_queued
    finally:
        for beat in started:
            beat.stop()
        client.delete(queue, *client.keys(prefix + "*"))


def test_two_beats_never_double_fire(beats):
    start, dispatches_queued = beats
    # Given beat A holding the lock and beat B started after it
    a = start("a")
    a.wait_for("beat: Acquired lock", 60)
    a.wait_for("Sending due task reminders-dispatch", 15)
    b = start("b")
    b.wait_for("beat: Starting", 60)
    time.sleep(4)

    # Then only A sends
    assert len(a.sends()) >= 3
    assert b.sends() == []
    assert "Acquired lock" not in b.text()

    # When A is paused past its lock, B takes over...
    a.signal(signal.SIGSTOP)
    b.wait_for("beat: Acquired lock", LOCK_SECONDS + 15)
    b.wait_for("Sending due task reminders-dispatch", 10)
    sent_by_a = len(a.sends())
    # ...and A, woken up, finds it has lost the lock and sends nothing more
    mark = len(a.text())
    a.signal(signal.SIGCONT)
    a.wait_for("lost the lock", 15, after=mark)
    time.sleep(3)
    assert len(a.sends()) == sent_by_a

    # When B dies holding the lock, A takes over once it expires
    b.signal(signal.SIGKILL)
    b.process.wait(10)
    mark = len(a.text())
    a.wait_for("beat: Acquired lock", LOCK_SECONDS + 15, after=mark)
    a.wait_for("Sending due task reminders-dispatch", 10, after=mark)
    time.sleep(2)

    # Then across all of it no two sends were closer than half the period
    sends = sorted(a.sends() + b.sends())
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(sends, sends[1:], strict=False)]
    assert min(gaps) >= 0.5, gaps
    # and the broker holds exactly what the logs say was sent
    assert dispatches_queued() == len(sends)


def test_on_redis_beat_uses_the_locked_scheduler():
    from backend.celery import app

    assert app.conf.beat_scheduler == "backend.beat:Scheduler"
    assert app.conf.redbeat_redis_url == settings.CELERY_BROKER_URL
    assert app.conf.redbeat_lock_timeout == settings.STEADY_BEAT_LOCK_SECONDS
    # The holder extends the lock several times before it can expire.
    assert app.conf.beat_max_loop_interval * 4 <= app.conf.redbeat_lock_timeout
