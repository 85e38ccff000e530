#!/usr/bin/env python3
"""Run Steady in the foreground: the web app (uvicorn), a Celery worker and
Celery beat, together, as ``make run`` does.

With no DATABASE_URL or REDIS_URL this is the embedded mode: SQLite, the
in-memory channel layer and kombu's filesystem broker, all under
STEADY_VAR_DIR (default ./var). Before serving it migrates, collects static
files and seeds the demo accounts (skip with --no-prepare).

Ctrl-C or SIGTERM stops all three; if one of them exits, the others are
stopped too and this script exits non-zero. A second Ctrl-C kills at once.

Environment: HOST (default 127.0.0.1), PORT (default 8000), and everything
backend/settings.py reads.
"""

import argparse
import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
STOP_GRACE_SECONDS = 20
READY_TIMEOUT_SECONDS = 90


def say(message: str) -> None:
    print(f"run    | {message}", flush=True)


def manage(*args: str, capture: bool = False) -> str:
    """Run a manage.py command in the foreground; stop everything if it fails."""
    say("manage.py " + " ".join(args))
    result = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    if capture and result.stdout:
        print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        say(f"manage.py {args[0]} failed (exit {result.returncode}); not starting.")
        sys.exit(result.returncode)
    return result.stdout or ""


def _die_with_parent() -> None:
    """In the child, before exec: own process group (so the terminal's
    Ctrl-C reaches only this supervisor, which stops the children in order),
    and on Linux a SIGTERM if the supervisor itself is killed, so nothing is
    left running."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() == 1:  # the supervisor died before prctl took effect
        os._exit(1)


class Child:
    def __init__(self, name: str, argv: list[str], env: dict[str, str]):
        self.name = name
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=_die_with_parent,  # safe: this process starts no threads
        )
        self.buffer = b""

    def signal(self, signum: int) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)


def _print_lines(child: Child, data: bytes, final: bool = False) -> None:
    child.buffer += data
    *lines, child.buffer = child.buffer.split(b"\n")
    if final and child.buffer:
        lines.append(child.buffer)
        child.buffer = b""
    for line in lines:
        text = line.decode("utf-8", "replace").rstrip("\r")
        print(f"{child.name:<6} | {text}", flush=True)


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError, ValueError):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-prepare", action="store_true", help="skip migrate, collectstatic and seed_demo")
    options = parser.parse_args()

    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    local = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    url = f"http://{local}:{port}/"

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ["PYTHONUNBUFFERED"] = "1"
    env = dict(os.environ)

    mode = "full stack" if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL") else "embedded"
    say(f"Steady, {mode} mode, will serve {url}")

    logins = ""
    if not options.no_prepare:
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        seeded = manage("seed_demo", capture=True)
        logins = seeded[seeded.find("Demo logins") :] if "Demo logins" in seeded else seeded

    stop_signal: list[int] = []

    def on_signal(signum, _frame):
        stop_signal.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    web = [PY, "-m", "uvicorn", "backend.asgi:application", "--host", host, "--port", port]
    # Django's ASGI handler has no lifespan events; open WebSockets must not
    # hold up a Ctrl-C for long.
    web += ["--lifespan", "off", "--timeout-graceful-shutdown", "5"]
    # Live check-in messages are a few dozen bytes: compressing each one
    # (permessage-deflate) only costs the event loop time.
    web += ["--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]
    # The app reads X-Forwarded-For itself (TRUSTED_PROXY_COUNT); uvicorn's
    # default would believe it from any local client.
    web += ["--no-proxy-headers"]
    celery = [PY, "-m", "celery", "-A", "backend"]
    # solo: one process, no pool children to leave behind; gossip and mingle
    # only matter between several workers.
    worker = [*celery, "worker", "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO"]
    worker += ["--without-gossip", "--without-mingle", "--hostname", "steady-embedded@%h"]
    beat = [*celery, "beat", "--loglevel", "INFO"]
    children = [Child("web", web, env), Child("worker", worker, env), Child("beat", beat, env)]

    selector = selectors.DefaultSelector()
    for child in children:
        os.set_blocking(child.proc.stdout.fileno(), False)
        selector.register(child.proc.stdout, selectors.EVENT_READ, child)

    health_url = url + "api/v1/health/"
    started = time.monotonic()
    next_probe = started + 1
    ready = False
    stopping_since: float | None = None
    exit_code = 0
    forced = False

    while True:
        for key, _events in selector.select(timeout=0.25):
            child = key.data
            try:
                data = os.read(key.fd, 65536)
            except BlockingIOError:
                continue
            if data:
                _print_lines(child, data)
            else:
                _print_lines(child, b"", final=True)
                selector.unregister(key.fileobj)

        now = time.monotonic()
        running = [c for c in children if c.proc.poll() is None]

        if stopping_since is None:
            dead = [c for c in children if c.proc.poll() is not None]
            if stop_signal:
                say(f"{signal.Signals(stop_signal[0]).name}: stopping web, worker and beat")
            elif dead:
                first = dead[0]
                say(f"{first.name} exited with code {first.proc.returncode}; stopping the others")
                exit_code = first.proc.returncode if first.proc.returncode > 0 else 1
            if stop_signal or dead:
                stopping_since = now
                for c in running:
                    c.signal(signal.SIGTERM)
        else:
            # A second Ctrl-C means "now". (A second SIGTERM is ignored: make
            # forwards the one it got, so two often arrive for one request.)
            impatient = stop_signal.count(signal.SIGINT) > 1
            if running and not forced and (impatient or now - stopping_since > STOP_GRACE_SECONDS):
                say("killing " + ", ".join(c.name for c in running))
                for c in running:
                    c.signal(signal.SIGKILL)
                forced = True
            if not running:
                # Read what they printed on the way out, then leave.
                for key in list(selector.get_map().values()):
                    child = key.data
                    with contextlib.suppress(BlockingIOError):
                        _print_lines(child, os.read(key.fd, 65536), final=True)
                say("stopped")
                return exit_code

        if not ready and stopping_since is None and now >= next_probe:
            next_probe = now + 1
            body = _health(health_url)
            if body is not None and '"status":"ok"' in body.replace(" ", ""):
                ready = True
                rule = "=" * 64
                lines = [
                    rule,
                    f"Steady is running at {url}",
                    f"  API docs: {url}api/docs/   health: {body.strip()}",
                    *(f"  {line}" if line else "" for line in logins.strip().splitlines()),
                    "Press Ctrl-C to stop the web app, the worker and beat.",
                    rule,
                ]
                print("\n".join(lines), flush=True)
            elif now - started > READY_TIMEOUT_SECONDS:
                ready = True  # stop probing; keep running so the logs can be read
                say(f"no healthy answer from {health_url} after {READY_TIMEOUT_SECONDS}s; see the web log above")


if __name__ == "__main__":
    sys.exit(main())
