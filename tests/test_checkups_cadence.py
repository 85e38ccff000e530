# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Per-couple check-up cadence (issue #25): every 1, 2 (default) or 4 weeks,
set by either partner or by a therapist with the progress scope (logged);
DST-true; the round already scheduled moves to the new rhythm, once."""

import datetime as dt

import pytest
import time_machine

from checkups import services
from checkups.models import Cadence, Round
from reminders.models import Reminder
from therapists.models import AccessEvent

from .factories import UserFactory
from .test_therapists_support import active_grant, as_theo_ready, give_totp, ready_client, theo_totp  # noqa: F401

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# A Thursday, 19:00 in Berlin (winter time); Europe's clocks go forward on 29 March.
NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=UTC)
GOOD = {"closeness": 5, "trust": 5, "conflict": 1, "heard": 4, "reliability": 5, "steadiness": 4}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def reveal(couple, alice, bob, now=None):
    services.checkup_answer_save(couple=couple, user=alice, answers=GOOD, now=now)
    services.checkup_answer_save(couple=couple, user=bob, answers=GOOD, now=now)


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        # 19:00 Berlin each time: winter time before 29 March, summer time after.
        (1, dt.datetime(2026, 3, 26, 18, 0, tzinfo=UTC)),
        (2, dt.datetime(2026, 4, 2, 17, 0, tzinfo=UTC)),
        (4, dt.datetime(2026, 4, 16, 17, 0, tzinfo=UTC)),
    ],
)
def test_the_next_round_follows_the_couples_cadence_dst_true(couple, alice, bob, as_alice, weeks, expected):
    assert as_alice.put("/api/v1/checkups/cadence/", {"weeks": weeks}, format="json").json() == {"weeks": weeks}

    reveal(couple, alice, bob)

    assert Round.objects.get(number=2).opens_at == expected


def test_two_weeks_without_a_setting(couple, alice, bob, as_bob):
    assert as_bob.get("/api/v1/checkups/cadence/").json() == {"weeks": 2}
    assert not Cadence.objects.exists()


def test_changing_it_moves_the_scheduled_round_and_its_reminders_once(couple, alice, bob, as_alice):
    reveal(couple, alice, bob)
    scheduled = Round.objects.get(number=2)

    as_alice.put("/api/v1/checkups/cadence/", {"weeks": 4}, format="json")
    as_alice.put("/api/v1/checkups/cadence/", {"weeks": 4}, format="json")

    scheduled.refresh_from_db()
    assert scheduled.opens_at == dt.datetime(2026, 4, 16, 17, 0, tzinfo=UTC)
    pending = Reminder.objects.filter(kind="checkup_due", target_id=scheduled.pk, status="pending")
    assert sorted(pending.values_list("user_id", "due_at")) == [
        (alice.pk, scheduled.opens_at),
        (bob.pk, scheduled.opens_at),
    ]


def test_bad_weeks_are_400_and_strangers_404(couple, as_alice, mallory, as_mallory, mallory_couple):
    for weeks in (0, 3, 8, "two", True):
        response = as_alice.put("/api/v1/checkups/cadence/", {"weeks": weeks}, format="json")
        assert response.status_code == 400, weeks
    assert not Cadence.objects.filter(couple=couple).exists()
    as_mallory.put("/api/v1/checkups/cadence/", {"weeks": 1}, format="json")
    assert not Cadence.objects.filter(couple=couple).exists()


def test_a_therapist_with_progress_sets_it_logged_and_without_it_404(couple, alice, bob, theo, as_theo_ready):
    active_grant(couple, alice, bob, theo, scopes=["progress"])
    url = f"/api/v1/therapist/couples/{couple.pk}/checkup-cadence/"

    assert as_theo_ready.post(url, {"weeks": 1}, format="json").json() == {"weeks": 1}
    (event,) = AccessEvent.objects.filter(what="checkup_cadence")
    assert event.scopes == ["progress"]

    tara = UserFactory(email="tara@example.com", role="therapist")
    give_totp(tara)
    active_grant(couple, alice, bob, tara, scopes=["mood_trends"])
    assert ready_client(tara).post(url, {"weeks": 4}, format="json").status_code == 404
    assert Cadence.objects.get(couple=couple).weeks == 1


def test_a_partner_sets_it_on_the_checkup_page(couple, alice):
    from django.test import Client

    client = Client()
    client.force_login(alice)
    assert 'data-testid="checkup-cadence"' in client.get("/checkups/").content.decode()

    assert client.post("/checkups/cadence/", {"weeks": "4"}).status_code == 302
    assert Cadence.objects.get(couple=couple).weeks == 4
    client.post("/checkups/cadence/", {"weeks": "nope"})
    assert Cadence.objects.get(couple=couple).weeks == 4


def test_the_cadence_is_in_each_partners_export(couple, as_alice, as_bob):
    as_alice.put("/api/v1/checkups/cadence/", {"weeks": 1}, format="json")

    for client in (as_alice, as_bob):
        (row,) = client.get("/api/v1/me/export/").json()["checkups"]["cadence"]
        assert row["couple_id"] == couple.pk and row["weeks"] == 1
