"""Database connections are pooled and bounded (issue #16).

Under ASGI every sync view runs in a thread of its own; with connections
kept per thread, a burst of N requests left N connections open (one process
held 46, and two exhausted PostgreSQL's 100). These tests serve Steady from
a real uvicorn process on the test database and count its connections in
pg_stat_activity."""

import concurrent.futures
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from knox.models import AuthToken

from .factories import UserFactory, make_couple

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "steady-pool-test"
POOL = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connections_of(app_name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [app_name])
        return cursor.fetchone()[0]


@pytest.fixture
def server(transactional_db, tmp_path):
    """uvicorn serving backend.asgi on the test database, its pool capped at
    POOL; its connections carry application_name=APP_NAME."""
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}?application_name={APP_NAME}",
        "DB_POOL_MAX_SIZE": str(POOL),
        "DB_POOL_MIN_SIZE": "1",
        "REDIS_URL": settings.REDIS_URL,
        "STEADY_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    log = open(tmp_path / "uvicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "backend.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/v1/health/", timeout=2)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("uvicorn did not answer within 30 s")
        if process.poll() is not None:
            pytest.fail("uvicorn exited: " + (tmp_path / "uvicorn.log").read_text()[-2000:])
        yield base
    finally:
        process.terminate()
        process.wait(15)
        log.close()
        # PostgreSQL ends a backend shortly after its client is gone.
        for _ in range(100):
            if _connections_of(APP_NAME) == 0:
                break
            time.sleep(0.05)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_burst_of_requests_holds_at_most_the_pool(server):
    # Given a couple with a token each
    alice, bob = UserFactory(), UserFactory()
    make_couple(alice, bob)
    tokens = [AuthToken.objects.create(user=u)[1] for u in (alice, bob)]
    paths = ["/api/v1/checkins/", "/api/v1/gratitude/", "/api/v1/space/", "/api/v1/notifications/", "/api/v1/me/"]

    peak, stop = [0], threading.Event()

    def watch():
        try:
            while not stop.is_set():
                peak[0] = max(peak[0], _connections_of(APP_NAME))
                time.sleep(0.02)
        finally:
            connection.close()  # this thread's own: back to the test's pool

    def call(i: int) -> int:
        request = urllib.request.Request(  # noqa: S310
            server + paths[i % len(paths)], headers={"Authorization": f"Bearer {tokens[i % 2]}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            json.load(response)
            return response.status

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    # When 32 clients send 192 requests at once
    try:
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            statuses = list(pool.map(call, range(192)))
    finally:
        stop.set()
        watcher.join(5)

    # Then every one succeeds, and the process never held more than its pool
    assert statuses == [200] * 192
    assert 1 <= peak[0] <= POOL, peak[0]
    assert _connections_of(APP_NAME) <= POOL


def _query_in_child(queue) -> None:
    """Runs in a forked child, as a Celery prefork worker process does."""
    from celery.signals import worker_process_init
    from django.db import connection as child_connection

    import backend.celery  # noqa: F401 - connects the handler

    try:
        # Held until the end, so that a new pool cannot be given the
        # inherited one's freed address (and id): the test failed by that
        # coincidence about one run in four.
        inherited = child_connection.pool
        worker_process_init.send(sender=None)
        with child_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert child_connection.pool is not inherited
            queue.put(("ok", cursor.fetchone()[0], id(child_connection.pool)))
        child_connection.close()
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        queue.put(("error", repr(exc), None))


@pytest.mark.postgres
def test_a_forked_worker_opens_its_own_pool(transactional_db):
    """Celery's prefork children must not use the pool they inherit: its
    threads did not survive the fork and its sockets are the parent's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        parent_pid = cursor.fetchone()[0]
    parent_pool = id(connection.pool)
    # As in a Celery worker: the parent holds no connection when it forks
    # (Celery's Django fix-up closes them), but its pool may be open.
    connection.close()
    assert connection.pool._opened
    queue = multiprocessing.get_context("fork").Queue()
    child = multiprocessing.get_context("fork").Process(target=_query_in_child, args=(queue,))
    child.start()
    outcome = queue.get(timeout=30)
    child.join(30)
    assert outcome[0] == "ok", outcome
    assert outcome[1] != parent_pid
    assert outcome[2] != parent_pool
    # The parent's pool still works.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
