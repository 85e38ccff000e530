"""The first run after pairing (issue #22): four skippable screens, shown
once per couple, reachable again from Settings."""

import datetime as dt

import pytest
from django.test import Client

from checkins.models import Schedule
from couples import services as couples
from firstrun.models import FirstRun

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pairing_leads_to_the_first_run_for_both(alice, bob):
    code = couples.invite_create(user=alice).code
    joined = web(bob).post("/pair/", {"code": code})
    assert joined["Location"] == "/welcome/"
    # The one who showed the code finds it on their next look at the pair page.
    assert web(alice).get("/pair/")["Location"] == "/welcome/"
    page = web(alice).get("/welcome/")
    assert page.status_code == 200 and 'data-testid="welcome-progress"' in page.content.decode()


def test_the_four_screens_in_order(alice, bob, couple):
    client = web(alice)
    for url, step in [
        ("/welcome/", 1),
        ("/welcome/notifications/", 2),
        ("/welcome/quiet-hours/", 3),
        ("/welcome/privacy/", 4),
    ]:
        html = client.get(url).content.decode()
        assert f"Step {step} of 4" in html, url
        assert 'data-testid="welcome-skip"' in html
    privacy = client.get("/welcome/privacy/").content.decode()
    for never in ("no location", "no last-seen", "no read receipts", "private journal"):
        assert never in privacy.lower()


def test_a_schedule_proposed_then_accepted_by_the_other(alice, bob, couple):
    proposed = web(alice).post(
        "/welcome/",
        {
            "action": "propose",
            "format": "daily-pulse",
            "weekdays": ["0", "3"],
            "time": "20:00",
            "timezone": "Europe/Berlin",
        },
    )
    assert proposed["Location"] == "/welcome/notifications/"
    schedule = Schedule.objects.get()
    assert schedule.status == "proposed" and schedule.proposed_by == alice
    # Alice's own screen waits for bob; bob's offers to accept.
    assert 'data-testid="welcome-proposed"' in web(alice).get("/welcome/").content.decode()
    assert 'data-testid="welcome-accept"' in web(bob).get("/welcome/").content.decode()
    # Alice cannot accept her own proposal.
    web(alice).post("/welcome/", {"action": "accept", "schedule": str(schedule.pk)})
    assert Schedule.objects.get().status == "proposed"
    accepted = web(bob).post("/welcome/", {"action": "accept", "schedule": str(schedule.pk)})
    assert accepted["Location"] == "/welcome/notifications/"
    assert Schedule.objects.get().status == "active"


def test_a_bad_proposal_shows_field_errors(alice, bob, couple):
    response = web(alice).post("/welcome/", {"action": "propose", "format": "daily-pulse", "time": "nope"})
    html = response.content.decode()
    assert response.status_code == 200 and "Choose at least one day." in html
    assert not Schedule.objects.exists()


def test_a_stranger_cannot_accept_someone_elses_schedule(alice, bob, couple, mallory, mike, mallory_couple):
    web(alice).post(
        "/welcome/",
        {"action": "propose", "format": "daily-pulse", "weekdays": ["0"], "time": "20:00", "timezone": "Europe/Berlin"},
    )
    schedule = Schedule.objects.get()
    response = web(mallory).post("/welcome/", {"action": "accept", "schedule": str(schedule.pk)})
    assert response.status_code == 404
    assert Schedule.objects.get().status == "proposed"


def test_quiet_hours_saved(alice, bob, couple):
    response = web(alice).post("/welcome/quiet-hours/", {"quiet_hours_start": "21:30", "quiet_hours_end": "07:00"})
    assert response["Location"] == "/welcome/privacy/"
    alice.refresh_from_db()
    assert (alice.quiet_hours_start, alice.quiet_hours_end) == (dt.time(21, 30), dt.time(7))
    bad = web(alice).post("/welcome/quiet-hours/", {"quiet_hours_start": "21:30", "quiet_hours_end": ""})
    assert bad.status_code == 200 and "Set both ends of quiet hours" in bad.content.decode()


@pytest.mark.parametrize(("action", "field"), [("skip", "skipped_at"), ("finish", "finished_at")])
def test_skipped_or_finished_it_is_not_shown_again_unless_asked(alice, bob, couple, action, field):
    client = web(alice)
    assert client.post("/welcome/finish/", {"action": action})["Location"] == "/"
    row = FirstRun.objects.get(user=alice, couple=couple)
    assert getattr(row, field) is not None
    assert client.get("/welcome/")["Location"] == "/"
    assert client.get("/pair/")["Location"] == "/welcome/"  # and on home from there
    # From Settings it is there again.
    assert "/welcome/?again=1" in client.get("/settings/").content.decode()
    assert client.get("/welcome/?again=1").status_code == 200
    # Bob's own first run is his.
    assert web(bob).get("/welcome/").status_code == 200


def test_not_for_the_unpaired(mallory):
    assert web(mallory).get("/welcome/")["Location"] == "/pair/"


def test_in_the_export(alice, bob, couple):
    from .conftest import client_for

    web(alice).post("/welcome/finish/", {"action": "skip"})
    exported = client_for(alice).get("/api/v1/me/export/").json()["first_run"]
    assert [(r["couple_id"], r["finished_at"], bool(r["skipped_at"])) for r in exported] == [(couple.pk, None, True)]
