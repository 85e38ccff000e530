# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""The summary's contents: each section from its feature's data, weeks in
the couple's timezone, nothing that is not shared, no text at all (checked
on the raw JSON against secrets planted in every text field), and a fixed
number of queries whatever the length of the history."""

import datetime as dt
import json

import pytest
import time_machine

from therapists import selectors
from therapists.demo import history_bulk_create
from therapists.models import AccessEvent

from .test_therapists_support import (  # noqa: F401 - fixtures
    ALL_SCOPES,
    ALL_SUMMARY_SCOPES,
    SECRET,
    active_grant,
    as_theo_ready,
    keystore,
    plant_secrets,
    theo_totp,
    theos_grant,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def url(couple) -> str:
    return f"/api/v1/therapist/couples/{couple.pk}/summary/"


class TestNoText:
    def test_no_text_from_any_feature_reaches_a_therapist(
        self, keystore, couple, alice, bob, theos_grant, as_theo_ready, as_alice
    ):
        plant_secrets(couple, alice, bob)

        summary = as_theo_ready.get(url(couple), {"from": "2026-01-01", "to": "2026-03-04"})
        couples = as_theo_ready.get("/api/v1/therapist/couples/")
        log = as_alice.get("/api/v1/couple/access-log/")

        assert summary.status_code == couples.status_code == log.status_code == 200
        body = summary.json()
        # The planted data is there, as numbers...
        assert body["sections"]["checkin_consistency"]["totals"]["completed"] > 0
        assert body["sections"]["gratitude_frequency"]["total"] == 14
        assert body["sections"]["reconnect_followthrough"]["kept"] == 1
        assert body["sections"]["trigger_patterns"]["partners"][0]["total"] == 1
        assert body["sections"]["agreements"]["agreements"][0]["partners"][0]["kept"] == 1
        # ...and no text, in any response.
        for response in (summary, couples, log):
            assert SECRET.encode() not in response.content
            assert b"SECRET" not in response.content

    def test_agreements_show_their_agreed_title_only(self, keystore, couple, alice, bob, theos_grant, as_theo_ready):
        plant_secrets(couple, alice, bob)

        agreements = as_theo_ready.get(url(couple)).json()["sections"]["agreements"]["agreements"]

        assert [a["title"] for a in agreements] == ["Phones away at dinner"]
        assert set(agreements[0]) == {"agreement_id", "title", "category", "status", "partners"}


@pytest.fixture
def history(couple, alice, bob):
    """Twelve weeks of daily history ending now (deterministic)."""
    history_bulk_create(couple=couple, a=alice, b=bob, end=NOW, days=84, secret=SECRET)


class TestSections:
    def test_consistency_per_week_counts_finished_scheduled_check_ins(
        self, couple, history, theos_grant, as_theo_ready
    ):
        from checkins.models import CheckIn

        body = as_theo_ready.get(url(couple), {"from": "2026-02-02", "to": "2026-02-08"}).json()
        (week,) = body["sections"]["checkin_consistency"]["weeks"]
        lo, hi = selectors.period_bounds(couple=couple, start=dt.date(2026, 2, 2), end=dt.date(2026, 2, 8))
        in_week = CheckIn.objects.filter(couple=couple, scheduled_for__gte=lo, scheduled_for__lt=hi)

        assert week["week_start"] == "2026-02-02"
        assert week["scheduled"] == in_week.count() == 7
        assert week["completed"] == in_week.filter(revealed_at__isnull=False).count()
        assert week["ratio"] == round(week["completed"] / 7, 3)

    def test_moods_are_each_partners_weekly_average_of_revealed_check_ins(
        self, couple, alice, bob, history, theos_grant, as_theo_ready
    ):
        from django.db.models import Avg

        from checkins.models import Answer

        body = as_theo_ready.get(url(couple), {"from": "2026-02-02", "to": "2026-02-08"}).json()
        partners = body["sections"]["mood_trends"]["partners"]
        lo, hi = selectors.period_bounds(couple=couple, start=dt.date(2026, 2, 2), end=dt.date(2026, 2, 8))
        expected = Answer.objects.filter(
            author=alice,
            checkin__revealed_at__isnull=False,
            checkin__scheduled_for__gte=lo,
            checkin__scheduled_for__lt=hi,
        ).aggregate(a=Avg("mood"))["a"]

        assert [p["display_name"] for p in partners] == ["Alice", "Bob"]
        assert partners[0]["weeks"][0]["average"] == round(expected, 2)

    def test_weeks_follow_the_couples_timezone(self, couple, alice, bob, theos_grant, as_theo_ready):
        from gratitude.models import Note

        # Sunday 1 March 23:30 in Berlin is still the week of 23 February
        # there, though it is Sunday 22:30 UTC either way; Monday 00:30 in
        # Berlin (Sunday 23:30 UTC) is the next week.
        for at in (dt.datetime(2026, 3, 1, 22, 30, tzinfo=UTC), dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC)):
            Note.objects.create(couple=couple, author=alice, recipient=bob, text="x", created_at=at, deliver_at=at)

        weeks = as_theo_ready.get(url(couple), {"from": "2026-02-23", "to": "2026-03-04"}).json()["sections"][
            "gratitude_frequency"
        ]["weeks"]

        assert [(w["week_start"], w["notes"]) for w in weeks] == [("2026-02-23", 1), ("2026-03-02", 1)]

    def test_reconnect_and_triggers_are_counts(self, couple, history, theos_grant, as_theo_ready):
        body = as_theo_ready.get(url(couple), {"from": "2025-12-10", "to": "2026-03-04"}).json()["sections"]
        space = body["reconnect_followthrough"]
        triggers = body["trigger_patterns"]

        assert space["total"] == space["kept"] + space["late"] + space["missed"] + space["open"] == 21
        assert [p["total"] for p in triggers["partners"]] == [28, 28]
        assert set(triggers["partners"][0]["by_category"]) <= set(triggers["categories"])


def test_the_summary_costs_a_fixed_number_of_queries_for_one_month_or_two_years(
    couple, alice, bob, theo, theo_totp, django_assert_num_queries
):
    from .test_therapists_support import ready_client

    history_bulk_create(couple=couple, a=alice, b=bob, end=NOW, days=731)
    active_grant(couple, alice, bob, theo)
    client = ready_client(theo)

    # The token (with its user), the authenticator app, the token's
    # confirmation; the grant; then in one transaction (savepoint, release
    # in this test) the grant again, locked; the partners; consistency,
    # moods, agreements (3), notes, space, triggers; the access event.
    with django_assert_num_queries(17):
        month = client.get(url(couple), {"from": "2026-02-04", "to": "2026-03-04"})
    with django_assert_num_queries(17):
        years = client.get(url(couple), {"from": "2024-03-05", "to": "2026-03-04"})

    assert month.status_code == years.status_code == 200
    assert len(years.json()["sections"]["checkin_consistency"]["weeks"]) == 105
    # Every day of the two years, less the last ones still open (48-hour windows).
    assert 726 <= years.json()["sections"]["checkin_consistency"]["totals"]["scheduled"] <= 730
    assert AccessEvent.objects.count() == 2
    assert json.loads(years.content)["scopes"] == ALL_SUMMARY_SCOPES
