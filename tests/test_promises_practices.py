# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Practices both partners accepted are promises the couple made together
(issues #19 and #25): the ledger lists them next to its own promises, with
no maker. Open until the due time, kept when done, renegotiated when the
couple changed it; a missed one reads "ended" to both partners (no one
person's miss to own) and "missed" to a therapist with the promises scope.
Proposed and not-taken-up practices are not promises."""

import datetime as dt

import pytest
import time_machine

from therapists.models import Practice

from .test_therapists_support import active_grant, as_theo_ready, give_totp, ready_client, theo_totp  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def practice(couple, theo, *, due, state="accepted", title="A walk after dinner"):
    settled = None if state in ("proposed", "accepted") else NOW - dt.timedelta(hours=1)
    accepted = None if state in ("proposed", "not_taken_up") else NOW - dt.timedelta(days=3)
    return Practice.objects.create(
        couple=couple,
        therapist=theo,
        therapist_name="Theo",
        kind="ritual",
        title=title,
        due_at=due,
        proposed_at=NOW - dt.timedelta(days=4),
        state=state,
        accepted_at=accepted,
        settled_at=settled,
    )


@pytest.fixture
def practices(couple, theo):
    return {
        "open": practice(couple, theo, due=NOW + dt.timedelta(days=2)),
        "at_due": practice(couple, theo, due=NOW),
        "missed": practice(couple, theo, due=NOW - dt.timedelta(days=1)),
        "done": practice(couple, theo, due=NOW + dt.timedelta(days=1), state="done"),
        "changed": practice(couple, theo, due=NOW + dt.timedelta(days=1), state="renegotiated"),
        "closed": practice(couple, theo, due=NOW + dt.timedelta(days=1), state="closed"),
        "proposed": practice(couple, theo, due=NOW + dt.timedelta(days=1), state="proposed"),
        "declined": practice(couple, theo, due=NOW + dt.timedelta(days=1), state="not_taken_up"),
    }


def rows(client, query=""):
    response = client.get(f"/api/v1/promises/{query}")
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def pid(p):
    return f"practice-{p.pk}"


def test_each_partner_sees_the_couples_practices_with_no_maker(as_alice, as_bob, practices):
    for client in (as_alice, as_bob):
        seen = rows(client)
        states = {key: seen[pid(p)]["state"] for key, p in practices.items() if pid(p) in seen}
        assert states == {
            "open": "open",
            "at_due": "ended",  # the practice's own rule: at its due time it is missed
            "missed": "ended",
            "done": "kept",
            "changed": "renegotiated",
            "closed": "ended",
        }
        assert seen[pid(practices["open"])]["made_by"] is None
        assert seen[pid(practices["open"])]["kind"] == "practice"
        assert "A walk after dinner" not in str(seen)


def test_a_missed_practice_is_no_ones_own_miss(as_alice, practices):
    assert pid(practices["missed"]) not in rows(as_alice, "?state=missed")
    assert pid(practices["missed"]) in rows(as_alice, "?state=ended")


def test_the_ledger_cannot_keep_or_move_a_practice(as_alice, practices):
    # A practice is marked on its own page, by either partner; the ledger's
    # writes are for promises one person made.
    p = pid(practices["open"])
    assert as_alice.post(f"/api/v1/promises/{p}/keep/").status_code == 404
    later = (NOW + dt.timedelta(days=5)).isoformat()
    assert as_alice.post(f"/api/v1/promises/{p}/renegotiate/", {"due_at": later}, format="json").status_code == 404
    assert Practice.objects.get(pk=practices["open"].pk).state == "accepted"


def test_mallory_sees_none_of_them(as_mallory, mallory_couple, practices):
    assert not any(key.startswith("practice-") for key in rows(as_mallory))


def test_theo_with_the_promises_scope_sees_a_missed_practice_as_missed(
    as_theo_ready, couple, alice, bob, theo, practices
):
    active_grant(couple, alice, bob, theo, scopes=["promises"])
    response = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/")
    assert response.status_code == 200
    seen = {r["id"]: r["state"] for r in response.json()}
    assert seen[pid(practices["missed"])] == "missed"
    assert pid(practices["proposed"]) not in seen and pid(practices["declined"]) not in seen


def test_the_page_shows_an_open_practice_as_the_couples_and_a_done_one_as_kept(alice, practices):
    from .factories import web_login

    page = web_login(alice).get("/promises/").content.decode()
    assert "You both" in page and "a practice you both accepted" in page
    assert "You did a practice together" in page
