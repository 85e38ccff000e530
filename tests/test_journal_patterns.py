"""Trigger patterns: counts by category over weeks (in the author's own
timezone, across a DST change) and average intensity before and after
grounding, computed by the database in a fixed number of queries; and the
therapist-facing ``trigger_patterns``, which holds aggregates only."""

import base64
import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journal import selectors, services

from .conftest import client_for
from .factories import UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
BERLIN = dt.timezone(dt.timedelta(hours=1))  # CET, before 29 March 2026
CEST = dt.timezone(dt.timedelta(hours=2))  # after
NOW = dt.datetime(2026, 4, 8, 12, 0, tzinfo=UTC)  # a Wednesday, Berlin on summer time
TEST_KEK = base64.urlsafe_b64encode(b"k" * 32).decode()
MARKER = "SECRET-TEXT-MARKER"


@pytest.fixture(autouse=True)
def _keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def trigger(user, at, category="no_reply", before=7, after=None, **extra):
    return services.entry_create(
        author=user,
        kind="trigger",
        text=f"{MARKER} what happened",
        trigger_category=category,
        intensity_before=before,
        intensity_after=after,
        story=f"{MARKER} story",
        need=f"{MARKER} need",
        can_do=f"{MARKER} can do",
        tags=[MARKER.lower()],
        now=at,
        **extra,
    )


def week(p, monday: dt.date) -> dict:
    return next(w for w in p["weeks"] if w["week_start"] == monday)


class TestForTheAuthor:
    def test_weeks_are_the_authors_own_across_the_clock_change(self, alice):
        # Alice is in Berlin. Sunday 29 March 23:30 CEST is still the week of
        # 23 March; Monday 30 March 00:30 CEST (Sunday 22:30 UTC) is the next.
        trigger(alice, dt.datetime(2026, 3, 29, 23, 30, tzinfo=CEST), "no_reply")
        trigger(alice, dt.datetime(2026, 3, 30, 0, 30, tzinfo=CEST), "plans_changed")
        # Monday 23 March 00:15 CET is Sunday 22 March 23:15 UTC.
        trigger(alice, dt.datetime(2026, 3, 23, 0, 15, tzinfo=BERLIN), "conflict")

        p = selectors.patterns_for_author(user=alice)

        assert week(p, dt.date(2026, 3, 23))["counts"]["no_reply"] == 1
        assert week(p, dt.date(2026, 3, 23))["counts"]["conflict"] == 1
        assert week(p, dt.date(2026, 3, 30))["counts"]["plans_changed"] == 1
        assert week(p, dt.date(2026, 3, 16))["total"] == 0

    def test_twelve_weeks_this_one_included_zero_filled(self, alice):
        p = selectors.patterns_for_author(user=alice)

        assert len(p["weeks"]) == 12
        assert p["weeks"][-1]["week_start"] == dt.date(2026, 4, 6)
        assert p["weeks"][0]["week_start"] == dt.date(2026, 1, 19)
        assert (p["start"], p["end"]) == (dt.date(2026, 1, 19), dt.date(2026, 4, 8))
        assert p["total"] == 0
        assert p["intensity"] == {
            "before_avg": None,
            "grounded": 0,
            "grounded_before_avg": None,
            "grounded_after_avg": None,
        }

    def test_counts_by_category_and_intensity_before_and_after_grounding(self, alice):
        monday = dt.datetime(2026, 4, 6, 9, 0, tzinfo=CEST)
        trigger(alice, monday, "no_reply", before=8, after=4)
        trigger(alice, monday + dt.timedelta(hours=3), "no_reply", before=6, after=5)
        trigger(alice, monday + dt.timedelta(days=1), "partner_needs_space", before=9)  # no grounding
        trigger(alice, monday - dt.timedelta(days=7), "conflict", before=4, after=1)

        p = selectors.patterns_for_author(user=alice)

        assert p["total"] == 4
        assert p["by_category"] == {
            "no_reply": 2,
            "partner_needs_space": 1,
            "partner_time_with_others": 0,
            "no_appreciation": 0,
            "plans_changed": 0,
            "conflict": 1,
            "other": 0,
        }
        # Before: every trigger (8+6+9+4)/4; grounded pairs only: (8+6+4)/3 -> (4+5+1)/3.
        assert p["intensity"] == {
            "before_avg": 6.8,
            "grounded": 3,
            "grounded_before_avg": 6.0,
            "grounded_after_avg": 3.3,
        }
        this_week = week(p, dt.date(2026, 4, 6))
        assert (this_week["total"], this_week["grounded"]) == (3, 2)
        assert (this_week["grounded_before_avg"], this_week["grounded_after_avg"]) == (7.0, 4.5)
        assert this_week["before_avg"] == 7.7

    def test_only_the_authors_triggers_in_the_window(self, alice, bob):
        trigger(alice, NOW - dt.timedelta(weeks=13))  # too old
        trigger(bob, NOW - dt.timedelta(days=1))  # not hers
        services.entry_create(author=alice, kind="entry", text="not a trigger", now=NOW - dt.timedelta(days=1))

        assert selectors.patterns_for_author(user=alice)["total"] == 0
        assert selectors.patterns_for_author(user=alice, weeks=14)["total"] == 1

    def test_one_query_however_many_entries(self, alice, django_assert_num_queries):
        for i in range(40):
            trigger(
                alice, NOW - dt.timedelta(hours=7 * i), category=["no_reply", "conflict", "other"][i % 3], after=i % 3
            )

        with django_assert_num_queries(1):
            p = selectors.patterns_for_author(user=alice)
        assert p["total"] == 40

    def test_computed_in_the_database_never_reading_sealed_text(self, alice):
        trigger(alice, NOW - dt.timedelta(days=1), after=3)

        with CaptureQueriesContext(connection) as ctx:
            selectors.patterns_for_author(user=alice)

        sql = ctx.captured_queries[0]["sql"]
        assert "GROUP BY" in sql.upper()
        assert "COUNT(" in sql.upper() and "SUM(" in sql.upper()
        assert "_sealed" not in sql

    def test_the_api_gives_the_same_numbers(self, alice):
        trigger(alice, NOW - dt.timedelta(days=1), "other", before=5, after=2)

        body = client_for(alice).get("/api/v1/journal/patterns/?weeks=4").json()

        assert body["total"] == 1
        assert body["timezone"] == "Europe/Berlin"
        assert len(body["weeks"]) == 4
        assert body["weeks"][-1]["week_start"] == "2026-04-06"
        assert body["weeks"][-1]["counts"]["other"] == 1
        assert body["intensity"]["grounded_after_avg"] == 2.0
        assert MARKER not in json.dumps(body)

    def test_still_there_after_the_key_is_destroyed(self, alice):
        trigger(alice, NOW - dt.timedelta(days=1), after=3)
        services.journal_key_destroy(user=alice)

        assert selectors.patterns_for_author(user=alice)["total"] == 1


class TestForATherapistSummary:
    START = dt.datetime(2026, 3, 2, tzinfo=UTC)
    END = dt.datetime(2026, 4, 6, tzinfo=UTC)

    def test_aggregates_per_person_and_no_text_at_all(self, alice, bob):
        trigger(alice, dt.datetime(2026, 3, 3, 20, tzinfo=UTC), "no_reply", before=8, after=3)
        trigger(alice, dt.datetime(2026, 3, 10, 20, tzinfo=UTC), "plans_changed", before=6)
        trigger(bob, dt.datetime(2026, 3, 11, 20, tzinfo=UTC), "conflict", before=5, after=5)
        services.entry_create(author=alice, kind="entry", text=f"{MARKER} diary", tags=[MARKER])

        result = selectors.trigger_patterns(user_ids=[alice.pk, bob.pk], start=self.START, end=self.END)

        dumped = json.dumps(result, default=str)
        assert MARKER not in dumped
        assert MARKER.lower() not in dumped
        assert "what happened" not in dumped and "story" not in dumped
        assert set(result) == {"start", "end", "categories", "people"}
        assert set(result["people"]) == {alice.pk, bob.pk}
        hers = result["people"][alice.pk]
        assert set(hers) == {"total", "by_category", "intensity", "weeks"}
        assert hers["total"] == 2
        assert hers["by_category"]["no_reply"] == 1
        assert hers["intensity"] == {
            "before_avg": 7.0,
            "grounded": 1,
            "grounded_before_avg": 8.0,
            "grounded_after_avg": 3.0,
        }
        assert [w["week_start"] for w in hers["weeks"]] == [
            dt.date(2026, 3, 2),
            dt.date(2026, 3, 9),
            dt.date(2026, 3, 16),
            dt.date(2026, 3, 23),
            dt.date(2026, 3, 30),
        ]
        assert all(
            set(w)
            == {"week_start", "total", "counts", "before_avg", "grounded", "grounded_before_avg", "grounded_after_avg"}
            for w in hers["weeks"]
        )
        assert result["people"][bob.pk]["by_category"]["conflict"] == 1

    def test_only_the_people_asked_for_and_only_in_range(self, alice, bob, mallory):
        trigger(mallory, dt.datetime(2026, 3, 3, 20, tzinfo=UTC))
        trigger(alice, dt.datetime(2026, 4, 6, 0, 0, tzinfo=UTC))  # the end is exclusive
        trigger(alice, dt.datetime(2026, 3, 1, 23, 59, tzinfo=UTC))  # before the start

        result = selectors.trigger_patterns(user_ids=[alice.pk, bob.pk], start=self.START, end=self.END)

        assert set(result["people"]) == {alice.pk, bob.pk}
        assert result["people"][alice.pk]["total"] == 0

    def test_one_query_for_any_number_of_people(self, django_assert_num_queries):
        people = [UserFactory() for _ in range(6)]
        for i, person in enumerate(people):
            for j in range(i + 1):
                trigger(person, dt.datetime(2026, 3, 3 + j, 20, tzinfo=UTC), after=j % 4)

        with django_assert_num_queries(1):
            result = selectors.trigger_patterns(user_ids=[p.pk for p in people], start=self.START, end=self.END)
        assert [result["people"][p.pk]["total"] for p in people] == [1, 2, 3, 4, 5, 6]

    def test_weeks_follow_the_timezone_asked_for(self, alice):
        # Sunday 8 March 23:30 UTC is Monday 9 March 00:30 in Berlin.
        trigger(alice, dt.datetime(2026, 3, 8, 23, 30, tzinfo=UTC))

        utc = selectors.trigger_patterns(user_ids=[alice.pk], start=self.START, end=self.END)
        berlin = selectors.trigger_patterns(user_ids=[alice.pk], start=self.START, end=self.END, tz="Europe/Berlin")

        assert utc["people"][alice.pk]["weeks"][0]["total"] == 1
        assert week(berlin["people"][alice.pk], dt.date(2026, 3, 9))["total"] == 1
