"""Therapist summary benchmark.

Seeds one couple with 24 months of daily history (check-ins with moods,
notes of appreciation, space periods, agreements with weekly reflections,
trigger logs; ``therapists.demo.history_bulk_create``) and an active grant
for every scope, then times the summary endpoint (the real API view through
Django's test client, with a confirmed therapist token) for the last month
and for the whole 24 months. Prints JSON: for each period the median
seconds of several runs and the number of database queries, and the ratio
time(24 months) / time(1 month) (target: at most 2).

Needs PostgreSQL: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/steady_bench_summary; the database is
created if missing and its tables are emptied). Run:
.venv/bin/python bench/summary.py [--runs 15]
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/steady_bench_summary")
NOW = dt.datetime(2026, 6, 10, 12, 0, tzinfo=dt.UTC)
DAYS = 730


def _ensure_database() -> None:
    import psycopg

    name = BENCH_DB.rsplit("/", 1)[1]
    admin = BENCH_DB.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = BENCH_DB
    os.environ.pop("REDIS_URL", None)
    os.environ["STEADY_VAR_DIR"] = tempfile.mkdtemp(prefix="steady-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ["DEBUG"] = "False"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)


def seed():
    """Fresh tables, one couple with 24 months of history, and theo with
    an active grant for every scope and a confirmed API token."""
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from knox.models import AuthToken

    from accounts.models import User
    from checkins.formats import builtin_formats_sync
    from checkins.models import Format
    from couples.models import Couple, Membership
    from therapists import services
    from therapists.demo import history_bulk_create
    from therapists.models import SCOPE_ORDER, VerifiedToken

    with connection.cursor() as c:
        # The access log refuses row deletes (its trigger); TRUNCATE is the
        # deliberate way to empty the whole scratch database.
        c.execute(
            "TRUNCATE therapists_accessevent, therapists_verifiedtoken, therapists_grant, therapists_connectcode, "
            "journal_entry, agreements_reflection, agreements_agreementversion, agreements_agreement, "
            "space_extension, space_spaceperiod, gratitude_note, checkins_event, checkins_answer, checkins_checkin, "
            "checkins_schedule, checkins_format, reminders_reminder, reminders_notification, couples_membership, "
            "couples_couple, mfa_authenticator, knox_authtoken, accounts_user RESTART IDENTITY CASCADE"
        )
    builtin_formats_sync(Format)
    created = NOW - dt.timedelta(days=DAYS + 10)
    alice = User.objects.create_user(email="alice@bench.invalid", display_name="Alice", timezone="Europe/Berlin")
    bob = User.objects.create_user(email="bob@bench.invalid", display_name="Bob", timezone="America/New_York")
    theo = User.objects.create_user(email="theo@bench.invalid", display_name="Theo", role=User.Role.THERAPIST)
    couple = Couple.objects.create(timezone="Europe/Berlin", created_at=created)
    Membership.objects.create(couple=couple, user=alice, joined_at=created)
    Membership.objects.create(couple=couple, user=bob, joined_at=created)
    history_bulk_create(couple=couple, a=alice, b=bob, end=NOW, days=DAYS, secret="bench")
    grant = services.grant_request(
        couple=couple,
        user=alice,
        code=services.connect_code_create(therapist=theo, now=NOW).code,
        scopes=SCOPE_ORDER,
        expires_at=NOW + dt.timedelta(days=90),
        now=NOW,
    )
    services.grant_approve(grant=grant, user=bob, now=NOW)
    Authenticator.objects.create(user=theo, type=Authenticator.Type.TOTP, data={"secret": "unused"})
    instance, token = AuthToken.objects.create(user=theo, expiry=None)
    VerifiedToken.objects.create(token_digest=instance.digest, verified_at=NOW, last_used_at=NOW)
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return couple, token


def measure(couple, token, start: dt.date, end: dt.date, runs: int) -> dict:
    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/therapist/couples/{couple.pk}/summary/"
    params = {"from": start.isoformat(), "to": end.isoformat()}
    timings = []
    with time_machine.travel(NOW, tick=True):
        client.get(url, params)  # warm-up: connection, caches
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url, params)
            timings.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
    body = response.json()
    return {
        "from": params["from"],
        "to": params["to"],
        "weeks": len(body["sections"]["checkin_consistency"]["weeks"]),
        "checkins_counted": body["sections"]["checkin_consistency"]["totals"]["scheduled"],
        "seconds_median": round(statistics.median(timings), 4),
        "seconds_min": round(min(timings), 4),
        "queries": len(queries.captured_queries),
        "response_bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    _ensure_database()
    _setup_django()
    couple, token = seed()
    today = NOW.date()
    month = measure(couple, token, today - dt.timedelta(days=30), today, args.runs)
    years = measure(couple, token, today - dt.timedelta(days=DAYS - 1), today, args.runs)
    out = {
        "database": "postgresql",
        "history_days": DAYS,
        "runs": args.runs,
        "one_month": month,
        "twenty_four_months": years,
        "ratio_24m_to_1m": round(years["seconds_median"] / month["seconds_median"], 2),
        "target_ratio": 2,
        "same_query_count": month["queries"] == years["queries"],
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
