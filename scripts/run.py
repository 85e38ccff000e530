#!/usr/bin/env python3
"""``make run``: prepare, then hand over to honcho, which runs the Procfile
(web, worker, beat and ``ready``) and stops them all when one exits.

    scripts/run.py [--no-prepare]   migrate, collectstatic and seed_demo
                                    (unless --no-prepare), then honcho start
    scripts/run.py ready            the Procfile's ``ready`` process: wait for
                                    the health check, print the URL and the
                                    demo logins, then stay idle

With no DATABASE_URL or REDIS_URL this is the embedded mode: SQLite, the
in-memory channel layer and kombu's filesystem broker, all under
STEADY_VAR_DIR (default ./var). Process supervision (output prefixes,
Ctrl-C and SIGTERM, stopping the others when one exits) is honcho's.

Environment: HOST (default 127.0.0.1), PORT (default 8000), and everything
backend/settings.py reads.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
READY_TIMEOUT_SECONDS = 90
# What `prepare` hands to the Procfile's `ready` process through honcho.
URL_VAR = "STEADY_RUN_URL"
LOGINS_VAR = "STEADY_RUN_LOGINS"


def say(message: str) -> None:
    print(f"run    | {message}", flush=True)


def manage(*args: str, capture: bool = False) -> str:
    """Run a manage.py command in the foreground; stop if it fails."""
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


def start(*, prepare: bool) -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    local = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
    url = f"http://{local}:{port}/"

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ["PYTHONUNBUFFERED"] = "1"
    mode = "full stack" if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL") else "embedded"
    say(f"Steady, {mode} mode, will serve {url}")

    logins = ""
    if prepare:
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        seeded = manage("seed_demo", capture=True)
        logins = seeded[seeded.find("Demo logins") :] if "Demo logins" in seeded else seeded

    os.environ[URL_VAR] = url
    os.environ[LOGINS_VAR] = logins
    # The Procfile says `python`: this interpreter's (the venv's).
    os.environ["PATH"] = os.pathsep.join([str(Path(PY).parent), os.environ.get("PATH", "")])
    os.chdir(ROOT)
    # honcho stops everything on SIGINT and SIGTERM; a closed terminal
    # (SIGHUP) must too, or the processes, each in a session of its own,
    # would outlive it.
    signal.signal(signal.SIGHUP, lambda _signum, _frame: os.kill(os.getpid(), signal.SIGTERM))
    from honcho.command import main as honcho

    # --env /dev/null: honcho would otherwise export .env into the
    # environment; backend/settings.py reads .env itself, below real
    # environment variables, and that stays the one rule.
    honcho(["--env", os.devnull, "start", "--port", port])


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError, ValueError):
        return None


def ready() -> None:
    """Print the URL and the logins once the web app answers, then idle:
    honcho stops everything when any Procfile process exits."""
    url = os.environ.get(URL_VAR)
    if not url:
        print(f"{URL_VAR} is not set (start Steady with `make run`); not waiting for it.", flush=True)
    else:
        health_url = url + "api/v1/health/"
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            body = _health(health_url)
            if body is not None and '"status":"ok"' in body.replace(" ", ""):
                rule = "=" * 64
                logins = os.environ.get(LOGINS_VAR, "").strip().splitlines()
                lines = [
                    rule,
                    f"Steady is running at {url}",
                    f"  API docs: {url}api/docs/   health: {body.strip()}",
                    *(f"  {line}" if line else "" for line in logins),
                    "Press Ctrl-C to stop the web app, the worker and beat.",
                    rule,
                ]
                print("\n".join(lines), flush=True)
                break
            if time.monotonic() > deadline:
                # Keep running so the logs can be read.
                print(
                    f"no healthy answer from {health_url} after {READY_TIMEOUT_SECONDS}s; see the web log", flush=True
                )
                break
            time.sleep(1)
    while True:
        signal.pause()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", nargs="?", choices=["ready"], help="the Procfile's ready process")
    parser.add_argument("--no-prepare", action="store_true", help="skip migrate, collectstatic and seed_demo")
    options = parser.parse_args()
    if options.step == "ready":
        ready()
    else:
        start(prepare=not options.no_prepare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
