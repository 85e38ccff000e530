"""A web process told to stop (SIGTERM: a rolling deploy, a scale-down, a
node drained) closes its live sockets with 1012 "service restart" at once,
and the phone reconnects to another web process, which carries on from the
same state (issue #24). Two real uvicorn processes, started with the web
command the deployments use, on the test database and Redis."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from knox.models import AuthToken
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from checkins import services
from checkins.models import Format

from .factories import UserFactory, make_couple

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# As in deploy/kubernetes/base/web.yaml and docker-compose.yml.
WEB_FLAGS = [
    "--lifespan", "off", "--no-proxy-headers", "--ws", "websockets-sansio",
    "--ws-per-message-deflate", "false", "--timeout-graceful-shutdown", "10",
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path: Path, name: str) -> tuple[subprocess.Popen, int]:
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DB_POOL_MAX_SIZE": "2",
        "DB_POOL_MIN_SIZE": "1",
        "STEADY_VAR_DIR": str(tmp_path / name),
        "LOG_LEVEL": "WARNING",
    }
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - the process holds it
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "backend.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
        + WEB_FLAGS,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, port


def _wait_live(process, port: int, tmp_path: Path, name: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/live/", timeout=2)  # noqa: S310
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    pytest.fail(f"{name} did not start: " + (tmp_path / f"{name}.log").read_text()[-2000:])


def _hello(stack: contextlib.ExitStack, port: int, checkin_id: int, token: str):
    ws = stack.enter_context(
        connect(
            f"ws://127.0.0.1:{port}/ws/checkins/{checkin_id}/",
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=10,
        )
    )
    message = json.loads(ws.recv(timeout=10))
    assert message["type"] == "hello"
    return ws, message


def test_sigterm_closes_live_sockets_with_1012_and_they_reconnect_elsewhere(tmp_path):
    alice, bob = UserFactory(), UserFactory()
    couple = make_couple(alice, bob)
    checkin = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    tokens = {u.pk: AuthToken.objects.create(user=u)[1] for u in (alice, bob)}
    first, first_port = _serve(tmp_path, "web-1")
    second, second_port = _serve(tmp_path, "web-2")
    with contextlib.ExitStack() as stack:
        stack.callback(_stop, first, second)
        _wait_live(first, first_port, tmp_path, "web-1")
        _wait_live(second, second_port, tmp_path, "web-2")
        # Given both partners live on web-1
        sockets = [_hello(stack, first_port, checkin.pk, tokens[u.pk]) for u in (alice, bob)]
        seq = sockets[0][1]["last_event_seq"]

        # When web-1 is told to stop
        stopped_at = time.monotonic()
        first.send_signal(signal.SIGTERM)

        # Then each socket is closed at once with 1012 (service restart)
        codes = []
        for ws, _hello_message in sockets:
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=5)
            codes.append(closed.value.rcvd.code if closed.value.rcvd else None)
        assert codes == [1012, 1012]
        assert time.monotonic() - stopped_at < 5
        # and the process ends within its grace period (uvicorn re-raises
        # the signal once it has shut down: SIGTERM's status, not a kill)
        assert first.wait(15) in (0, -signal.SIGTERM)

        # And each phone reconnects to web-2 and carries on where it was
        for user in (alice, bob):
            _ws, hello = _hello(stack, second_port, checkin.pk, tokens[user.pk])
            assert hello["last_event_seq"] == seq


def _stop(*processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)
