"""API load benchmark: throughput, latency and database connections.

Seeds one couple (alice and bob, paired) with a few hundred rows of each
kind of history: check-ins with answers, notes of appreciation, space
periods, agreements with reflections, journal entries and trigger logs
(sealed with each author's key, a few of bob's shared with alice) and
notifications; plus an API token (knox) and a web session for alice. The
database is emptied and seeded again on every run, so every run sees the
same data, and then analyzed, so that the planner has the statistics a
database in service would have.

Then starts Steady in full-stack mode (PostgreSQL, Redis, DEBUG off, LOG_LEVEL
WARNING, a STEADY_KEK as production requires; the seeding uses the same)
under uvicorn with ``--workers`` processes on a free port, and loads
each list endpoint (Bearer token) and the home page (session cookie) with
wrk, at each ``--connections`` count for ``--seconds`` each. The baseline,
measured in the same run on the same server (bench/api_server.py): a view
making one indexed query and returning a JsonResponse, through the same
middleware and DRF authentication; and the same without authentication.
Meanwhile a thread polls pg_stat_activity every 100 ms for the backends
connected to the bench database.

Each endpoint's time at a connection count is split into ``--rounds``
slices, and the rounds go through every target in turn (baseline, then each
endpoint, then again): the ratio compares an endpoint with a baseline
measured all through the same minutes, not only before it, on a machine
whose neighbours' load comes and goes. Between two slices the server is let
finish what wrk left queued (``settle``): otherwise the next target, the
baseline after the home page, would pay for it.

Prints JSON (also written to bench/results/api.json): per connection count
and endpoint, requests per second (over all its slices, and by round),
latency p50/p95/p99 (ms; each the worst slice's), errors by kind (connect,
read, write, timeout, and status: any answer that is not 2xx), the status
codes seen, the ratio to the authenticated baseline (req/s over the baseline's req/s at the
same connection count; also round by round), the server's CPU time
per request (user + system of the uvicorn processes, from /proc, over the
run's requests) and its ratio to the baseline's (the baseline's CPU per
request over the endpoint's: on a machine shared with other work, where
req/s swings with the neighbours' load, this one barely moves), the peak number of
PostgreSQL connections to the bench database and the server's RSS (sum over
the uvicorn processes) after the run; the database queries one request of
each endpoint makes (counted in this process with Django's test client);
and the settings used: workers, and the pool settings from the environment
(DB_POOL_MAX_SIZE, DB_POOL_MIN_SIZE, DB_POOL_TIMEOUT, CONN_MAX_AGE), passed
to the server unchanged.

``--check`` makes it exit 1 when any run had an error (a request slower
than ``--timeout`` is one), or fewer answers than connections in a slice
(wrk does not count what is still waiting when the time is up), or when the peak of
PostgreSQL connections went over the configured pool: DB_POOL_MAX_SIZE x
workers when DB_POOL_MAX_SIZE is set in the environment (and not 0), the
PgBouncer pool size with ``--pgbouncer``. The JSON then names the
exceptions the server logged. A server that does not start makes it exit
2, after printing the tail of the server's log.

``--pgbouncer`` starts PgBouncer (transaction pooling, its own ini and user
list in a scratch folder) on a free port in front of 127.0.0.1:5432, runs
the app's DATABASE_URL through it and sets DB_POOL_MAX_SIZE=0 (no pool in
the app). Connections are still counted on PostgreSQL itself: PgBouncer's
server side.

Needs PostgreSQL, Redis and wrk (``apt-get install -y wrk``; pgbouncer for
``--pgbouncer``): BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/steady_bench_api; created if missing,
migrated, emptied) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/13;
Steady also uses the next two database numbers; only the cache's, this one,
is emptied). Every process it starts is stopped when it ends, Ctrl-C
included. Run:

    .venv/bin/python bench/api.py                     # 1 worker, 8 and 64 connections, 10 s each: about 4 minutes
    .venv/bin/python bench/api.py --workers 2 --check
    .venv/bin/python bench/api.py --pgbouncer --check
    .venv/bin/python bench/api.py --quick --check     # for CI: 5 s each, 64 connections only, about 80 s
    .venv/bin/python bench/api.py --connections 8 --endpoints checkins,home --seconds 5
"""

import argparse
import base64
import datetime as dt
import json
import os
import pwd
import re
import secrets
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/steady_bench_api")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
WRK = shutil.which("wrk") or "/usr/bin/wrk"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
OWN_APP_NAME = "steady-bench-client"
POOL_SETTINGS = ("DB_POOL_MAX_SIZE", "DB_POOL_MIN_SIZE", "DB_POOL_TIMEOUT", "CONN_MAX_AGE")

# (name, path, credentials): the baselines first, then every list endpoint
# and the home page. "{alice}" is alice's user id.
BASELINE = "baseline"
TARGETS = [
    (BASELINE, "/bench/baseline/", "token"),
    ("baseline_anon", "/bench/baseline-anon/?user={alice}", None),
    ("checkins", "/api/v1/checkins/", "token"),
    ("gratitude", "/api/v1/gratitude/", "token"),
    ("space", "/api/v1/space/", "token"),
    ("agreements", "/api/v1/agreements/", "token"),
    ("journal", "/api/v1/journal/", "token"),
    ("journal_shared", "/api/v1/journal/shared/", "token"),
    ("notifications", "/api/v1/notifications/", "token"),
    ("home", "/", "session"),
]

# Counts answers that are not 2xx (wrk itself counts only >= 400) and prints
# the run as one JSON line. Latency is in microseconds.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  codes = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  local key = tostring(status)
  codes[key] = (codes[key] or 0) + 1
end

function done(summary, latency, requests)
  local bad, all = 0, {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    for key, n in pairs(thread:get("codes")) do
      all[key] = (all[key] or 0) + n
    end
  end
  local parts = {}
  for key, n in pairs(all) do
    table.insert(parts, string.format('"%s":%d', key, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p95":%d,"p99":%d,"max":%d},"codes":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, bad, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(parts, ",")))
end
"""


class StartFailed(Exception):
    pass


def _say(message: str) -> None:
    """Progress, on stderr: stdout is the JSON."""
    print(f"bench/api.py: {message}", file=sys.stderr, flush=True)


# --- setup -------------------------------------------------------------------------


# The journal's key-encryption key for this run (seeding and server alike).
RUN_KEK = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _app_env(database_url: str, var_dir: str, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    for name in ("CHANNELS_REDIS_URL", "CELERY_BROKER_URL", "STEADY_KEYSTORE_DIR"):
        env.pop(name, None)  # derived from REDIS_URL and STEADY_VAR_DIR, as in production
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS,
        DEBUG="False",
        LOG_LEVEL="WARNING",
        # Shared by the seeding and the server: the journal's key store is in it.
        STEADY_VAR_DIR=var_dir,
        # As in production, where the settings require it: without it each
        # journal read would read the development KEK from a file.
        STEADY_KEK=os.environ.get("STEADY_KEK") or RUN_KEK,
        DJANGO_SETTINGS_MODULE="backend.settings",
        **(extra or {}),
    )
    return env


def _ensure_database() -> None:
    import psycopg

    name = DB.rsplit("/", 1)[1]
    with psycopg.connect(DB.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(rows: int, var_dir: str) -> dict:
    """alice and bob with ``rows`` days of history, alice's token and session."""
    # The bench's own connections (seeding, query counts) carry this name,
    # so the poller counts only the server's.
    os.environ.update(_app_env(f"{DB}?application_name={OWN_APP_NAME}", var_dir))
    for name in ("CHANNELS_REDIS_URL", "CELERY_BROKER_URL", "STEADY_KEYSTORE_DIR"):
        os.environ.pop(name, None)
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from knox.models import AuthToken

    from home.management.commands.seed_demo import ALICE, BOB, demo_couple_ensure, demo_user_ensure
    from journal import services as journal
    from journal.models import Category, Entry, Kind, Share
    from reminders.kinds import KINDS
    from reminders.models import Notification
    from therapists.demo import history_bulk_create

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    redis.Redis.from_url(REDIS).flushdb()  # the cache: throttles and rate limits start from zero

    alice, _ = demo_user_ensure(person=ALICE)
    bob, _ = demo_user_ensure(person=BOB)
    couple, _ = demo_couple_ensure(a=alice, b=bob)
    now = timezone.now()
    # Check-ins with answers, notes, space periods, agreements with reflections.
    history_bulk_create(couple=couple, a=alice, b=bob, end=now, days=rows)
    # Its trigger logs hold stand-in ciphertext; the journal list opens real
    # text, so they are written again through the service, sealed.
    Entry.objects.filter(author__in=[alice, bob]).delete()
    categories = Category.values
    for i in range(rows):
        at = now - dt.timedelta(hours=7 * (rows - i))
        if i % 3:
            journal.entry_create(
                author=alice,
                kind=Kind.ENTRY,
                text=f"Day {i}: a long walk, then dinner with friends.",
                mood=i % 5 + 1,
                tags=["walk", "friends"],
                now=at,
            )
        else:
            journal.entry_create(
                author=alice,
                kind=Kind.TRIGGER,
                text=f"Moment {i}: no reply all afternoon.",
                trigger_category=categories[i % len(categories)],
                intensity_before=7,
                intensity_after=4,
                story="I'm too much.",
                need="To know we're okay.",
                can_do="Make tea.",
                now=at,
            )
    for i in range(max(rows // 3, 1)):
        entry = journal.entry_create(
            author=bob, kind=Kind.ENTRY, text=f"Bob's day {i}.", mood=3, now=now - dt.timedelta(hours=21 * i)
        )
        if i % 2 == 0:
            journal.entry_share(entry=entry, author=bob, now=entry.created_at)
    kinds = list(KINDS.values())
    notifications = []
    for user, partner in ((alice, bob), (bob, alice)):
        for i in range(rows):
            kind = kinds[i % len(kinds)]
            at = now - dt.timedelta(hours=5 * i)
            notifications.append(
                Notification(
                    user=user,
                    kind=kind.key,
                    title=kind.title.format(partner=partner.display_name)[:120],
                    url="/checkins/",
                    created_at=at,
                    read_at=at + dt.timedelta(hours=1) if i > 10 else None,
                )
            )
    Notification.objects.bulk_create(notifications, batch_size=1000)

    _, token = AuthToken.objects.create(user=alice)
    web = Client()
    web.force_login(alice)
    counts = _seed_counts(couple=couple, models={"journal_entries": Entry, "journal_shares": Share})
    # Statistics for the planner, as a database in service has them (autovacuum
    # may be off, and is not quick enough for rows written a second ago):
    # without them the check-in list's join took 3.4 ms in the database, not 0.15.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    return {"alice": alice.pk, "token": token, "session": web.cookies["sessionid"].value, "rows": counts}


def _seed_counts(*, couple, models: dict) -> dict:
    from agreements.models import Agreement, Reflection
    from checkins.models import Answer, CheckIn
    from gratitude.models import Note
    from reminders.models import Notification
    from space.models import SpacePeriod

    return {
        "checkins": CheckIn.objects.filter(couple=couple).count(),
        "answers": Answer.objects.filter(checkin__couple=couple).count(),
        "gratitude_notes": Note.objects.filter(couple=couple).count(),
        "space_periods": SpacePeriod.objects.filter(couple=couple).count(),
        "agreements": Agreement.objects.filter(couple=couple).count(),
        "reflections": Reflection.objects.filter(agreement__couple=couple).count(),
        **{name: model.objects.count() for name, model in models.items()},
        "notifications": Notification.objects.count(),
    }


def query_counts(targets: list, creds: dict) -> dict:
    """Database queries of one request to each endpoint (the second of two,
    so that one-off writes such as a token's refresh are not counted), in
    this process with Django's test client, and its status."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    for name, path, cred in targets:
        client = Client(raise_request_exception=False)
        headers = {}
        if cred == "token":
            headers["Authorization"] = f"Bearer {creds['token']}"
        elif cred == "session":
            client.cookies["sessionid"] = creds["session"]
        if path.startswith("/bench/"):
            continue  # not in Steady's URLs; one query by construction
        client.get(path, headers=headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, headers=headers)
        out[name] = {"queries": len(queries), "status": response.status_code}
    connection.close()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- processes ---------------------------------------------------------------------


def _start(cmd: list[str], *, log: Path, env: dict | None = None) -> subprocess.Popen:
    # A session of its own: stopping the group stops uvicorn's workers too,
    # and Ctrl-C reaches only this script, which then stops it in order.
    with log.open("ab") as out:
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            # The leader is gone; workers still in the group get the next signal.
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            pass


def _server_errors(log: Path, limit: int = 5) -> list[str]:
    """The distinct exceptions the server logged (the last line of each
    traceback), to say what the errors were."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return []
    found = re.findall(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exhausted)\b.*)$", text, flags=re.MULTILINE)
    return list(dict.fromkeys(line[:300] for line in found))[:limit]


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_port(proc: subprocess.Popen, port: int, log: Path, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StartFailed(f"{what} exited with status {proc.returncode}:\n{_tail(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise StartFailed(f"{what} did not listen on port {port} within {timeout:.0f} s:\n{_tail(log)}")


def start_pgbouncer(folder: Path, pool_size: int) -> tuple[subprocess.Popen, str]:
    if not Path(PGBOUNCER).exists():
        raise StartFailed("pgbouncer is not installed (apt-get install -y pgbouncer)")
    from urllib.parse import urlsplit

    target = urlsplit(DB)
    name, user = target.path.strip("/"), target.username or "postgres"
    port = _free_port()
    folder.mkdir()
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{name} = host={target.hostname} port={target.port or 5432} dbname={name} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_db_connections = {pool_size}
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits,options
logfile = {folder / "pgbouncer.log"}
log_connections = 0
log_disconnections = 0
"""
    )
    cmd = [PGBOUNCER]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root; the postgres account must reach its folder.
        account = pwd.getpwnam("postgres")
        folder.parent.chmod(0o711)
        for path in (folder, *folder.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        cmd += ["-u", "postgres"]
    log = folder / "pgbouncer.out"
    proc = _start([*cmd, str(folder / "pgbouncer.ini")], log=log)
    _wait_port(proc, port, log, "pgbouncer")
    return proc, f"postgres://{user}@127.0.0.1:{port}/{name}"


def start_server(env: dict, workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "bench.api_server:application"]  # Steady + the baselines
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    cmd += ["--lifespan", "off", "--log-level", "warning", "--no-access-log", "--timeout-graceful-shutdown", "5"]
    proc = _start(cmd, log=log, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StartFailed(f"the server exited with status {proc.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2) as r:  # noqa: S310 - our loopback
                if r.status == 200:
                    break
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    else:
        raise StartFailed(f"the server did not answer /api/v1/health/ within 90 s:\n{_tail(log)}")
    # With several workers the first to be ready answers the health check;
    # give the others time to import the app before anything is measured.
    while time.monotonic() < deadline and len(_tree(proc.pid)) < workers + (workers > 1):
        time.sleep(0.2)
    time.sleep(2 if workers > 1 else 0)
    return proc, port


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and its descendants."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def settle(pid: int, *, quiet: float = 0.01, window: float = 0.1, limit: float = 15.0) -> None:
    """Waits until the server (``pid`` and its children) is idle: under
    ``quiet`` seconds of CPU in a ``window``, or ``limit`` seconds at most."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < quiet:
            return


def rss_mb(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


class ConnectionPoller(threading.Thread):
    """Backends connected to the bench database (not counting its own), and
    client backends on the whole server, every ``interval`` seconds."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.peak = self.peak_all = self.last = 0
        self.failure = ""

    def run(self):
        import psycopg

        name = DB.rsplit("/", 1)[1]
        try:
            with psycopg.connect(DB, autocommit=True) as conn:
                while not self.stopping.wait(self.interval):
                    ours, everyone = conn.execute(
                        "SELECT count(*) FILTER (WHERE datname = %s AND pid <> pg_backend_pid()"
                        " AND application_name <> %s),"
                        " count(*) FILTER (WHERE backend_type = 'client backend') FROM pg_stat_activity",
                        (name, OWN_APP_NAME),
                    ).fetchone()
                    with self.lock:
                        self.last = ours
                        self.peak = max(self.peak, ours)
                        self.peak_all = max(self.peak_all, everyone)
        except Exception as exc:  # noqa: BLE001 - reported, not fatal
            self.failure = repr(exc)[:200]

    def take(self) -> tuple[int, int]:
        """The peaks since the last call; the next period starts from now."""
        with self.lock:
            peaks = (self.peak, self.peak_all)
            self.peak = self.peak_all = self.last
        return peaks


# --- load --------------------------------------------------------------------------


def wrk(url: str, *, connections: int, seconds: int, headers: list[str], script: Path, timeout: float) -> dict:
    cmd = [WRK, "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s"]
    cmd += ["--timeout", f"{timeout}s", "-s", str(script)]
    for header in headers:
        cmd += ["-H", header]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + timeout + 30)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def merge(runs: list[dict]) -> dict:
    """One endpoint's slices as one run: answers, time, bytes, errors and
    status codes added up; each latency percentile the worst slice's."""
    codes: dict[str, int] = {}
    for run in runs:
        for code, count in run["codes"].items():
            codes[code] = codes.get(code, 0) + count
    return {
        "requests": sum(run["requests"] for run in runs),
        "duration_us": sum(run["duration_us"] for run in runs),
        "bytes": sum(run["bytes"] for run in runs),
        "errors": {kind: sum(run["errors"][kind] for run in runs) for kind in runs[0]["errors"]},
        "latency_us": {key: max(run["latency_us"][key] for run in runs) for key in runs[0]["latency_us"]},
        "codes": codes,
    }


def summarise(raw: dict) -> dict:
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    return {
        "req_per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "latency_ms": {k: round(raw["latency_us"][k] / 1000, 2) for k in ("p50", "p95", "p99")},
        "requests": raw["requests"],
        "errors": errors,
        "error_total": sum(errors.values()),
        "status_codes": dict(sorted(raw["codes"].items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--connections", default=None, help="comma separated wrk connection counts (default 8,64)")
    parser.add_argument("--seconds", type=int, default=None, help="load per endpoint and count (default 10)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="slices each endpoint's seconds are split into, interleaved (default 2)",
    )
    parser.add_argument("--rows", type=int, default=None, help="history per kind, about one a day (default 300)")
    parser.add_argument("--endpoints", default="", help="comma separated names to load (default all); baselines always")
    parser.add_argument("--timeout", type=float, default=5, help="wrk: a request slower than this is a timeout error")
    parser.add_argument("--quick", action="store_true", help="for CI: 5 s each, 64 connections only, 100 rows")
    parser.add_argument("--check", action="store_true", help="exit 1 on any error or connections over the pool")
    parser.add_argument("--pgbouncer", action="store_true", help="run the app's database through PgBouncer")
    parser.add_argument("--pgbouncer-pool-size", type=int, default=20, help="PgBouncer's server connections")
    args = parser.parse_args()
    quick = {"connections": "64", "seconds": 5, "rows": 100, "rounds": 1}
    full = {"connections": "8,64", "seconds": 10, "rows": 300, "rounds": 2}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    counts = [int(c) for c in args.connections.split(",") if c.strip()]
    wanted = {e.strip() for e in args.endpoints.split(",") if e.strip()}
    unknown = wanted - {name for name, _, _ in TARGETS}
    if args.rounds < 1 or args.seconds < args.rounds:
        parser.error("--rounds must be at least 1 and at most --seconds")
    if unknown:
        parser.error(f"unknown endpoints: {', '.join(sorted(unknown))}")
    targets = [t for t in TARGETS if t[0] in (BASELINE, "baseline_anon") or not wanted or t[0] in wanted]
    if not Path(WRK).exists():
        parser.error("wrk is not installed (apt-get install -y wrk)")

    # Stop everything on SIGTERM as on Ctrl-C: through the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="steady-bench-api-"))
    started: list[subprocess.Popen] = []
    poller = ConnectionPoller()
    log = scratch / "server.log"
    try:
        _ensure_database()
        _say(f"seeding {args.rows} rows per kind")
        creds = seed(args.rows, str(scratch / "var"))
        queries = query_counts(targets, creds)

        extra = {}
        database_url = DB
        if args.pgbouncer:
            bouncer, database_url = start_pgbouncer(scratch / "pgbouncer", args.pgbouncer_pool_size)
            started.append(bouncer)
            extra["DB_POOL_MAX_SIZE"] = "0"  # PgBouncer pools; the app keeps none
        env = _app_env(database_url, str(scratch / "var"), extra)
        _say(f"starting the server ({args.workers} worker(s){', through PgBouncer' if args.pgbouncer else ''})")
        server, port = start_server(env, args.workers, log)
        started.append(server)
        poller.start()

        script = scratch / "report.lua"
        script.write_text(WRK_SCRIPT)
        base = f"http://127.0.0.1:{port}"
        credentials = {
            "token": [f"Authorization: Bearer {creds['token']}"],
            "session": [f"Cookie: sessionid={creds['session']}"],
            None: [],
        }
        # Warm up every worker (imports, first connections) before measuring.
        wrk(
            f"{base}/bench/baseline/",
            connections=min(counts),
            seconds=2,
            headers=credentials["token"],
            script=script,
            timeout=args.timeout,
        )
        settle(server.pid)
        poller.take()
        runs: dict[str, dict] = {}
        slice_seconds = max(1, round(args.seconds / args.rounds))
        for n in counts:
            runs[str(n)] = results = {}
            slices: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
            cpu_used = dict.fromkeys(slices, 0.0)
            peaks = dict.fromkeys(slices, (0, 0))
            # Round after round, every target for a slice of its time: each
            # endpoint is measured beside the baseline all through the run,
            # not a minute after it, so a neighbour's load that comes and
            # goes weighs on both (this machine is shared).
            for round_no in range(args.rounds):
                for name, path, cred in targets:
                    url = base + path.format(alice=creds["alice"])
                    _say(f"{name} at {n} connections for {slice_seconds} s (round {round_no + 1} of {args.rounds})")
                    cpu_before = cpu_seconds(server.pid)
                    slices[name].append(
                        wrk(
                            url,
                            connections=n,
                            seconds=slice_seconds,
                            headers=credentials[cred],
                            script=script,
                            timeout=args.timeout,
                        )
                    )
                    cpu_used[name] += cpu_seconds(server.pid) - cpu_before
                    # wrk stops with up to ``n`` requests still queued in the
                    # server: let them finish before the next target starts,
                    # or they would be charged to it.
                    settle(server.pid)
                    peak, peak_all = poller.take()
                    peaks[name] = (max(peaks[name][0], peak), max(peaks[name][1], peak_all))
            for name, path, _ in targets:
                raw = merge(slices[name])
                results[name] = {
                    "path": path.split("?")[0],
                    **summarise(raw),
                    "req_per_s_by_round": [summarise(one)["req_per_s"] for one in slices[name]],
                    "fewest_answers_in_a_slice": min(one["requests"] for one in slices[name]),
                    "server_cpu_ms_per_request": (
                        round(cpu_used[name] * 1000 / raw["requests"], 2) if raw["requests"] else None
                    ),
                    "pg_connections_peak": peaks[name][0],
                    "pg_server_client_backends_peak": peaks[name][1],
                    "server_rss_mb": rss_mb(server.pid),
                }
            floor = results[BASELINE]["req_per_s"]
            cpu_floor = results[BASELINE]["server_cpu_ms_per_request"]
            for result in results.values():
                result["ratio_to_baseline"] = round(result["req_per_s"] / floor, 3) if floor else None
                result["ratio_to_baseline_by_round"] = [
                    round(mine / theirs, 3) if theirs else None
                    for mine, theirs in zip(
                        result["req_per_s_by_round"], results[BASELINE]["req_per_s_by_round"], strict=True
                    )
                ]
                cpu = result["server_cpu_ms_per_request"]
                result["cpu_ratio_to_baseline"] = round(cpu_floor / cpu, 3) if cpu and cpu_floor else None
        rss_end = rss_mb(server.pid)
    except StartFailed as exc:
        _say(str(exc))
        return 2
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    finally:
        poller.stopping.set()
        for proc in reversed(started):
            _stop(proc)
        server_errors = _server_errors(log)
        if poller.is_alive():
            poller.join(timeout=2)
        shutil.rmtree(scratch, ignore_errors=True)

    pool_env = {name: env.get(name) for name in POOL_SETTINGS}
    if args.pgbouncer:
        limit = args.pgbouncer_pool_size
    elif pool_env["DB_POOL_MAX_SIZE"] not in (None, "", "0"):
        limit = int(pool_env["DB_POOL_MAX_SIZE"]) * args.workers
    else:
        limit = None
    failures = []
    for n, results in runs.items():
        for name, result in results.items():
            if result["error_total"]:
                failures.append(f"{name} at {n} connections: {result['error_total']} errors")
            # wrk drops what is still in flight when the time is up: fewer
            # answers than connections means some waited the whole run.
            if result["fewest_answers_in_a_slice"] < int(n):
                failures.append(
                    f"{name} at {n} connections: {result['fewest_answers_in_a_slice']} answers in a slice of "
                    f"{slice_seconds} s"
                )
            if limit is not None and result["pg_connections_peak"] > limit:
                failures.append(f"{name} at {n} connections: {result['pg_connections_peak']} connections > {limit}")
    out = {
        "benchmark": "api throughput",
        "settings": {
            "workers": args.workers,
            "connections": counts,
            "seconds": args.seconds,
            "rounds": args.rounds,
            # Whole seconds per slice: --seconds 5 in 2 rounds loads 2 s twice.
            "slice_seconds": slice_seconds,
            "rows": args.rows,
            "pgbouncer": args.pgbouncer,
            "pgbouncer_pool_size": args.pgbouncer_pool_size if args.pgbouncer else None,
            "pool_env": pool_env,
            "pg_connections_limit": limit,
        },
        "seeded": creds["rows"],
        "queries_per_request": queries,
        "runs": runs,
        "pg_connections_peak": max(r["pg_connections_peak"] for results in runs.values() for r in results.values()),
        "server_rss_mb_end": rss_end,
        "server_errors": server_errors,
        "poller_failure": poller.failure or None,
        "check": {"enabled": args.check, "failures": failures},
    }
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "api.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
