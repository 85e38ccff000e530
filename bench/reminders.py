"""Reminder dispatcher benchmark.

Seeds N couples (default 10,000 and 100,000) with realistic schedules,
upcoming check-ins, pending and finished reminders, preferences and delivery
history, keeps the number of reminders due in the measured tick the same
(10,000), and times one dispatcher tick. Prints JSON: per size the reminders
due, seconds, database queries (total and per batch) and peak Python memory
of the tick, and the ratio time(largest)/time(smallest).

Needs PostgreSQL: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/steady_bench; the database is created if
missing and its tables are emptied). Run: .venv/bin/python bench/reminders.py
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/steady_bench")
T = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)  # the measured tick
ZONES = ["Europe/Berlin", "America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles"]


def _ensure_database() -> None:
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_DB
    os.environ.pop("REDIS_URL", None)  # embedded broker in a scratch folder: no server needed
    os.environ["STEADY_VAR_DIR"] = tempfile.mkdtemp(prefix="steady-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ["DEBUG"] = "False"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := buf.read(1 << 20):
            copy.write(chunk)


def seed(n_couples: int, due: int) -> None:
    """Fresh tables, then N couples. The first due/2 couples have a check-in
    opening at T: one 'checkin_open' reminder per partner is due."""
    from django.db import connection

    from checkins.formats import builtin_formats_sync
    from checkins.models import Format

    rnd = random.Random(42)
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE reminders_notification, reminders_delivery, reminders_reminder, reminders_preference, "
            "reminders_pushsubscription, checkins_event, checkins_answer, checkins_checkin, checkins_schedule, "
            "checkins_format, couples_membership, couples_invite, couples_couple, accounts_user "
            "RESTART IDENTITY CASCADE"
        )
    builtin_formats_sync(Format)
    fmt = Format.objects.get(key="daily-pulse")
    steps = json.dumps(fmt.steps).replace("\\", "\\\\")
    n_users = 2 * n_couples
    due_couples = due // 2
    created = (T - dt.timedelta(days=200)).isoformat()
    raw = connection.connection  # the psycopg connection
    with raw.cursor() as cur:
        tz_of = [ZONES[i % len(ZONES)] for i in range(n_users)]
        _copy(
            cur,
            "accounts_user",
            [
                "password",
                "is_superuser",
                "email",
                "display_name",
                "timezone",
                "role",
                "quiet_hours_start",
                "quiet_hours_end",
                "is_active",
                "is_staff",
                "date_joined",
            ],
            (
                ("!", "f", f"u{i}@bench.invalid", f"P{i}", tz_of[i], "partner", "22:00", "07:30", "t", "f", created)
                for i in range(n_users)
            ),
        )
        _copy(cur, "couples_couple", ["timezone", "created_at"], ((tz_of[2 * i], created) for i in range(n_couples)))
        _copy(
            cur,
            "couples_membership",
            ["couple_id", "user_id", "joined_at"],
            ((i // 2 + 1, i + 1, created) for i in range(n_users)),
        )
        _copy(
            cur,
            "reminders_preference",
            ["user_id", "email", "push", "daily_cap", "lead_minutes", "kinds"],
            ((i + 1, "t" if i % 5 == 0 else "f", "t", 6, rnd.choice([15, 30, 30, 60]), "{}") for i in range(n_users)),
        )
        _copy(
            cur,
            "checkins_schedule",
            [
                "couple_id",
                "format_id",
                "weekdays",
                "time",
                "timezone",
                "status",
                "version",
                "proposed_by_id",
                "accepted_by_id",
                "accepted_at",
                "generated_until",
                "created_at",
                "updated_at",
            ],
            (
                (
                    i + 1,
                    fmt.pk,
                    json.dumps(rnd.sample(range(7), 3)),
                    f"{rnd.randint(18, 21)}:{rnd.choice(['00', '30'])}",
                    tz_of[2 * i],
                    "active",
                    1,
                    2 * i + 1,
                    2 * i + 2,
                    created,
                    (T + dt.timedelta(days=14)).isoformat(),
                    created,
                    created,
                )
                for i in range(n_couples)
            ),
        )
        # Check-ins: one opening at T for the due couples (ids 1..due_couples),
        # then two upcoming ones per couple over the next week.
        checkins = []
        for i in range(due_couples):
            checkins.append((i + 1, None, T))
        for i in range(n_couples):
            for k in (1, 4):
                checkins.append((i + 1, i + 1, T + dt.timedelta(days=k, hours=rnd.randint(0, 10))))
        _copy(
            cur,
            "checkins_checkin",
            [
                "couple_id",
                "format_id",
                "steps",
                "schedule_id",
                "scheduled_for",
                "closes_at",
                "created_at",
                "last_event_seq",
            ],
            (
                (couple, fmt.pk, steps, schedule, at.isoformat(), (at + dt.timedelta(hours=48)).isoformat(), created, 1)
                for couple, schedule, at in checkins
            ),
        )

        def reminders():
            # Finished history first: three per person (ids known for deliveries).
            for u in range(1, n_users + 1):
                for k in range(3):
                    at = T - dt.timedelta(days=k + 1, minutes=rnd.randint(0, 600))
                    yield (u, "checkin_open", 1, at, at, f"h{k}", "done")
            # Due now: both partners of the due couples.
            for i in range(due_couples):
                at = T - dt.timedelta(seconds=rnd.randint(0, 50))
                for u in (2 * i + 1, 2 * i + 2):
                    yield (u, "checkin_open", i + 1, at, at, "once", "pending")
            # Pending in the future: three kinds for each upcoming check-in.
            checkin_id = due_couples
            for i in range(n_couples):
                for _ in (1, 4):
                    checkin_id += 1
                    at = checkins[checkin_id - 1][2]
                    for u in (2 * i + 1, 2 * i + 2):
                        for kind, offset in (
                            ("checkin_before", -30),
                            ("checkin_open", 0),
                            ("checkin_unanswered", 1440),
                        ):
                            f = at + dt.timedelta(minutes=offset)
                            yield (u, kind, checkin_id, f, f, "once", "pending")

        _copy(
            cur,
            "reminders_reminder",
            ["user_id", "kind", "target_id", "due_at", "fire_at", "occurrence", "status", "created_at"],
            ((u, k, t, d.isoformat(), f.isoformat(), o, s, created) for u, k, t, d, f, o, s in reminders()),
        )
        # Yesterday's deliveries, one per person (the daily-cap read sees them).
        tick = "00000000-0000-0000-0000-000000000000"
        _copy(
            cur,
            "reminders_delivery",
            [
                "reminder_id",
                "occurrence",
                "user_id",
                "kind",
                "outcome",
                "due_at",
                "decided_at",
                "tick",
                "email_state",
                "email_attempts",
                "push_state",
                "push_attempts",
                "last_error",
            ],
            (
                (
                    3 * u + 1,
                    "h0",
                    u + 1,
                    "checkin_open",
                    "sent",
                    (T - dt.timedelta(hours=20)).isoformat(),
                    (T - dt.timedelta(hours=20)).isoformat(),
                    tick,
                    "none",
                    0,
                    "none",
                    0,
                    "",
                )
                for u in range(n_users)
            ),
        )
    raw.commit()
    with connection.cursor() as c:
        c.execute("ANALYZE")


def reset_due(due_ids: list[int]) -> None:
    from reminders.models import Delivery, Notification, Reminder

    Notification.objects.filter(delivery__reminder_id__in=due_ids).delete()
    Delivery.objects.filter(reminder_id__in=due_ids).delete()
    # Deferred ones moved their fire_at past quiet hours; seeded rows had
    # fire_at == due_at.
    from django.db.models import F

    Reminder.objects.filter(pk__in=due_ids).update(status="pending", fire_at=F("due_at"))


def measure(n_couples: int, due: int, batch: int, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reminders.dispatch import dispatch_tick
    from reminders.models import Reminder

    t0 = time.perf_counter()
    seed(n_couples, due)
    seed_seconds = time.perf_counter() - t0
    due_ids = list(Reminder.objects.filter(status="pending", fire_at__lte=T).values_list("pk", flat=True))
    total_rows = Reminder.objects.count()

    # The same tick several times (reset in between); the median resists
    # the noise of a shared machine.
    timings = []
    for i in range(repeat):
        if i:
            reset_due(due_ids)
        start = time.perf_counter()
        result = dispatch_tick(now=T, batch_size=batch, max_batches=10_000)
        timings.append(time.perf_counter() - start)
    seconds = statistics.median(timings)

    # A second, identical tick for the instrumented figures (queries and
    # memory), so that instrumentation does not distort the timing.
    reset_due(due_ids)
    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        second = dispatch_tick(now=T, batch_size=batch, max_batches=10_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert second.claimed == result.claimed
    return {
        "couples": n_couples,
        "reminder_rows": total_rows,
        "reminders_due": len(due_ids),
        "claimed": result.claimed,
        "outcomes": dict(result.outcomes),
        "deferred": result.deferred,
        "seconds": round(seconds, 3),
        "seconds_each": [round(t, 3) for t in timings],
        "queries": len(queries.captured_queries),
        "batches": second.batches,
        "queries_per_batch": round(len(queries.captured_queries) / max(second.batches, 1), 2),
        "peak_memory_mb": round(peak / 2**20, 2),
        "seed_seconds": round(seed_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    _ensure_database()
    if args.one:
        # A child run: one size, measured in a process that did only this.
        _setup_django()
        print(json.dumps(measure(args.one, args.due, args.batch, args.repeat)))
        return
    # Each size is seeded and measured in its own process: seeding builds a
    # large heap, and timing a tick in that same process measured the
    # garbage collector, not the dispatcher.
    runs = []
    for n in args.sizes:
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--due",
                str(args.due),
                "--batch",
                str(args.batch),
                "--repeat",
                str(args.repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
    smallest, largest = runs[0], runs[-1]
    out = {
        "benchmark": "reminders.dispatch_tick",
        "batch_size": args.batch,
        "runs": runs,
        "ratio_time_largest_over_smallest": round(largest["seconds"] / smallest["seconds"], 3),
        "targets": {"ratio_max": 1.5, "seconds_for_10000_due_max": 10},
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "reminders.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
