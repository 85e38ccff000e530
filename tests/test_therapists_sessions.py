# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Before the next session (issue #25): a partner's optional note for the
therapist (the therapist only, or the partner too if its author chooses),
the therapist's own session notes (private to the therapist, never shown to
the couple, in the therapist's export), the session page and its print
layout, each look logged; strangers and ended grants get 404."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from therapists import services
from therapists.models import AccessEvent, PreSessionNote, SessionNote

from .conftest import client_for
from .factories import UserFactory
from .test_therapists_support import active_grant, give_totp, theo_totp  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=dt.UTC)
PRIVATE = "PRIVATE-SESSION-NOTE-9c1"
FOR_THEO = "only-for-theo-3b7"
FOR_BOTH = "for-theo-and-bob-5e2"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def grant(couple, alice, bob, theo, theo_totp):
    return active_grant(couple, alice, bob, theo, scopes=["mood_trends"])


@pytest.fixture
def notes(couple, alice, theo, grant):
    web(alice).post(f"/couple/therapists/{grant.pk}/note/", {"text": FOR_THEO})
    web(alice).post(f"/couple/therapists/{grant.pk}/note/", {"text": FOR_BOTH, "share_with_partner": "on"})
    web(theo).post(f"/therapist/couples/{couple.pk}/session/", {"text": PRIVATE})


def test_the_session_page_shows_the_couples_notes_and_theos_own_and_is_logged(couple, theo, notes):
    response = web(theo).get(f"/therapist/couples/{couple.pk}/session/")

    page = response.content.decode()
    assert response.status_code == 200
    assert FOR_THEO in page and FOR_BOTH in page and PRIVATE in page
    assert "Private to you." in page and "data-print" in page
    # One look, one event (saving a note reads nothing: it redirects).
    assert AccessEvent.objects.filter(what="session", couple=couple).count() == 1


def test_a_note_for_the_therapist_only_is_not_shown_to_the_partner(couple, alice, bob, notes):
    bobs = web(bob).get("/couple/therapists/").content.decode()
    alices = web(alice).get("/couple/therapists/").content.decode()

    assert FOR_BOTH in bobs and FOR_THEO not in bobs
    assert FOR_THEO in alices and FOR_BOTH in alices


def test_the_therapists_notes_never_reach_the_couple(couple, alice, bob, theo, notes):
    for partner in (alice, bob):
        assert PRIVATE not in web(partner).get("/couple/therapists/").content.decode()
        assert PRIVATE not in client_for(partner).get("/api/v1/me/export/").content.decode()
        assert PRIVATE not in client_for(partner).get("/api/v1/couple/access-log/").content.decode()
    (note,) = client_for(theo).get("/api/v1/me/export/").json()["therapist_notes"]["my_session_notes"]
    assert note["text"] == PRIVATE


def test_exports_hold_own_notes_and_shared_ones_only(couple, alice, bob, notes):
    alices = client_for(alice).get("/api/v1/me/export/").json()["therapist_notes"]
    bobs = client_for(bob).get("/api/v1/me/export/").json()["therapist_notes"]

    assert [n["text"] for n in alices["my_presession_notes"]] == [FOR_THEO, FOR_BOTH]
    assert [n["text"] for n in bobs["presession_notes_shared_with_me"]] == [FOR_BOTH]
    assert bobs["my_presession_notes"] == []


def test_strangers_another_therapist_and_an_ended_grant_get_404(couple, alice, mallory, mallory_couple, grant, notes):
    tess = UserFactory(role="therapist")
    give_totp(tess)

    assert web(tess).get(f"/therapist/couples/{couple.pk}/session/").status_code == 404
    assert web(tess).post(f"/therapist/couples/{couple.pk}/session/", {"text": "x"}).status_code == 404
    assert web(mallory).post(f"/couple/therapists/{grant.pk}/note/", {"text": "x"}).status_code == 404
    services.grant_revoke(grant=grant, user=alice)
    theo = grant.therapist
    assert web(theo).get(f"/therapist/couples/{couple.pk}/session/").status_code == 404
    assert web(alice).post(f"/couple/therapists/{grant.pk}/note/", {"text": "late"}).status_code == 302
    assert not PreSessionNote.objects.filter(text="late").exists()
    assert SessionNote.objects.count() == 1


def test_an_empty_note_is_refused_with_a_message(couple, alice, theo, grant):
    page = web(theo).post(f"/therapist/couples/{couple.pk}/session/", {"text": "   "}).content.decode()

    assert "Write something first." in page
    assert not SessionNote.objects.exists()
