# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""What your therapist sees (issue #25): each partner's one consented place
where both partners' lines appear side by side, showing exactly what the
therapist reads under each granted scope (the page ``/couple/therapists/sees/``
and ``GET /api/v1/couple/therapist-grants/{id}/view/``), "Not shared" for the
others, built by the therapist's own selectors and never logged as a
therapist read. The partner rules still hold: the other partner's missed
promises read "ended", their trigger patterns (from a private journal) and
their notes for the therapist only are not shown, the therapist's own session
notes never. Also the next session dates, for partners and through the
therapist's API."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from checkups import services as checkups
from repair.models import Commitment, Repair
from therapists import services
from therapists.models import AccessEvent, NextSession, Practice

from .conftest import client_for
from .factories import UserFactory
from .test_therapists_support import (  # noqa: F401 - fixtures
    ALL_SCOPES,
    active_grant,
    as_theo_ready,
    give_totp,
    keystore,
    make_grant,
    plant_secrets,
    ready_client,
    theo_totp,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=dt.UTC)
GOOD = {"closeness": 5, "trust": 5, "conflict": 1, "heard": 4, "reliability": 5, "steadiness": 4}  # 28
LOW = {"closeness": 2, "trust": 3, "conflict": 5, "heard": 2, "reliability": 3, "steadiness": 2}  # 13
FOR_THEO = "only-for-theo-3b7"
FOR_BOTH = "for-theo-and-bob-5e2"
PRIVATE = "PRIVATE-SESSION-NOTE-9c1"
PAGE = "/couple/therapists/sees/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_quiet_hours(alice, bob):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def view_url(grant) -> str:
    return f"/api/v1/couple/therapist-grants/{grant.pk}/view/"


def blocks(html: str) -> dict[str, str]:
    """Each scope's block on the page: ``data-shared`` yes/no."""
    import re

    return dict(re.findall(r'data-testid="sees-(\w+)" data-shared="(yes|no)"', html))


@pytest.fixture
def grant(couple, alice, bob, theo, theo_totp):
    return active_grant(couple, alice, bob, theo, scopes=ALL_SCOPES)


def commitment(couple, author, *, due, status="open"):
    start = due - dt.timedelta(days=2)
    repair = Repair.objects.create(
        couple=couple,
        status=Repair.Status.COMPLETED,
        created_at=start,
        expires_at=start + dt.timedelta(days=7),
        closed_at=start + dt.timedelta(minutes=40),
    )
    return Commitment.objects.create(repair=repair, author=author, text="Say the signal", due_at=due, status=status)


@pytest.fixture
def misses(couple, alice, bob, theo, grant):
    """A missed promise of each partner's, and a practice the couple missed."""
    mine = commitment(couple, alice, due=NOW - dt.timedelta(days=1))
    theirs = commitment(couple, bob, due=NOW - dt.timedelta(days=2))
    practice = Practice.objects.create(
        couple=couple,
        therapist=theo,
        therapist_name="Theo",
        kind="ritual",
        title="A walk after dinner",
        due_at=NOW - dt.timedelta(days=3),
        proposed_at=NOW - dt.timedelta(days=6),
        state="accepted",
        accepted_at=NOW - dt.timedelta(days=5),
    )
    return {"alice": f"commitment-{mine.pk}", "bob": f"commitment-{theirs.pk}", "practice": f"practice-{practice.pk}"}


# --- what is shown ---------------------------------------------------------------------------------------


def test_each_partner_sees_every_granted_scope_as_the_therapist_does(couple, alice, bob, grant):
    plant_secrets(couple, alice, bob, now=NOW)
    for partner in (alice, bob):
        response = web(partner).get(PAGE)
        page = response.content.decode()

        assert response.status_code == 200
        assert "What Theo sees" in page
        assert set(blocks(page).values()) == {"yes"} and len(blocks(page)) == len(ALL_SCOPES)
        assert 'data-testid="sees-not-shared"' not in page
        # The summary's charts, the check-up lines and the repair chart, as drawn for Theo.
        assert page.count("<svg") >= 4
        # Counts and titles only: no text either partner wrote.
        assert "SECRET-TEXT" not in page


def test_scopes_not_granted_say_not_shared_and_nothing_else(couple, alice, bob, theo, theo_totp):
    grant = active_grant(couple, alice, bob, theo, scopes=["mood_trends", "promises"])
    plant_secrets(couple, alice, bob, now=NOW)

    page = web(bob).get(PAGE).content.decode()
    shown = blocks(page)
    data = client_for(bob).get(view_url(grant)).json()

    assert shown.pop("mood_trends") == "yes" and shown.pop("promises") == "yes"
    assert set(shown.values()) == {"no"} and len(shown) == len(ALL_SCOPES) - 2
    assert page.count("not shared.</span>") == len(ALL_SCOPES) - 2
    assert data["scopes"] == ["mood_trends", "promises"]
    assert set(data["not_shared"]) == set(ALL_SCOPES) - {"mood_trends", "promises"}
    assert list(data["sections"]) == ["mood_trends"]
    assert data["progress"] is None and data["repair_trend"] is None and data["practices"] is None
    assert isinstance(data["promises"], list)


def test_the_api_holds_the_same_content_as_the_therapists_own_reads(couple, alice, bob, grant, as_theo_ready, misses):
    checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD)
    checkups.checkup_answer_save(couple=couple, user=bob, answers=LOW)
    mine = client_for(alice).get(view_url(grant)).json()
    theos_summary = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/summary/").json()
    theos_progress = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/progress/").json()
    theos_trend = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/repair-trend/").json()
    theos_practices = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/practices/").json()

    sections = dict(theos_summary["sections"])
    mine_sections = dict(mine["sections"])
    # Trigger patterns: Theo sees both partners'; alice only her own (see below).
    theirs_triggers, mine_triggers = sections.pop("trigger_patterns"), mine_sections.pop("trigger_patterns")
    assert mine_sections == sections
    assert mine_triggers["partners"] == [p for p in theirs_triggers["partners"] if p["partner_id"] == alice.pk]
    assert mine["period"] == {"from": theos_summary["from"], "to": theos_summary["to"]}
    assert mine["progress"] == theos_progress
    assert [p["points"][0]["score"] for p in mine["progress"]["partners"]] == [28, 13]  # side by side
    assert mine["repair_trend"] == theos_trend
    assert mine["practices"] == theos_practices


# --- never a therapist read -----------------------------------------------------------------------------


def test_a_partner_looking_writes_nothing_to_the_access_log(couple, alice, bob, grant):
    for partner in (alice, bob):
        assert web(partner).get(PAGE).status_code == 200
        assert client_for(partner).get(view_url(grant)).status_code == 200
        assert web(partner).get("/couple/therapists/").status_code == 200

    assert AccessEvent.objects.count() == 0


# --- who may look ----------------------------------------------------------------------------------------


def test_strangers_and_the_therapist_get_nothing(couple, alice, mallory, mallory_couple, theo, grant):
    mallorys = web(mallory).get(PAGE)

    assert mallorys.status_code == 200 and "Theo" not in mallorys.content.decode()
    assert 'data-testid="sees-nothing"' in mallorys.content.decode()
    assert client_for(mallory).get(view_url(grant)).status_code == 404
    assert client_for(theo).get(view_url(grant)).status_code == 404
    assert client_for(mallory).get("/api/v1/couple/therapist-grants/987654/view/").status_code == 404
    # The therapist has their own pages; this one is the couple's.
    assert web(theo).get(PAGE).url == "/therapist/"
    assert AccessEvent.objects.count() == 0


def test_a_grant_not_in_force_shows_nothing(couple, alice, bob, theo, theo_totp):
    pending = make_grant(couple, alice, theo, scopes=["mood_trends"])

    assert client_for(alice).get(view_url(pending)).status_code == 409
    assert 'data-testid="sees-nothing"' in web(bob).get(PAGE).content.decode()

    services.grant_approve(grant=pending, user=bob)
    assert client_for(alice).get(view_url(pending)).status_code == 200
    services.grant_revoke(grant=pending, user=bob)
    # On the very next request.
    assert client_for(alice).get(view_url(pending)).status_code == 409
    assert 'data-testid="sees-nothing"' in web(alice).get(PAGE).content.decode()


# --- the partner rules ------------------------------------------------------------------------------------


def test_my_misses_and_ours_as_the_therapist_sees_them_the_partners_read_ended(couple, alice, bob, grant, misses):
    as_theo = {
        r["id"]: r["state"]
        for r in ready_client(grant.therapist).get(f"/api/v1/therapist/couples/{couple.pk}/promises/").json()
    }
    alices = {r["id"]: r["state"] for r in client_for(alice).get(view_url(grant)).json()["promises"]}
    bobs = {r["id"]: r["state"] for r in client_for(bob).get(view_url(grant)).json()["promises"]}

    assert {as_theo[k] for k in misses.values()} == {"missed"}
    assert (alices[misses["alice"]], alices[misses["bob"]], alices[misses["practice"]]) == ("missed", "ended", "missed")
    assert (bobs[misses["alice"]], bobs[misses["bob"]], bobs[misses["practice"]]) == ("ended", "missed", "missed")


def test_the_page_says_the_therapist_sees_the_partners_outcomes_in_full_whatever_they_are(couple, alice, bob, grant):
    # Said with no miss at all, so that saying it tells alice nothing about bob.
    page = web(alice).get(PAGE).content.decode()

    assert "Theo sees how each promise went, Bob's included, in full." in page
    assert client_for(alice).get(view_url(grant)).json()["withheld"] == ["trigger_patterns", "promises"]


def test_the_page_lists_the_partners_miss_as_ended(couple, alice, bob, grant, misses):
    page = web(alice).get(PAGE).content.decode()
    promises = page.split('data-testid="sees-promises"')[1].split("</section>")[0]

    assert promises.count("<td>Missed</td>") == 2  # alice's own and the couple's practice
    assert promises.count("<td>Ended</td>") == 1  # bob's


def test_trigger_patterns_show_only_my_own(couple, alice, bob, grant, keystore):
    plant_secrets(couple, alice, bob, now=NOW)

    data = client_for(alice).get(view_url(grant)).json()["sections"]["trigger_patterns"]
    page = web(alice).get(PAGE).content.decode()
    triggers = page.split('data-testid="sees-trigger_patterns"')[1].split("</section>")[0]

    assert [p["partner_id"] for p in data["partners"]] == [alice.pk]
    assert data["partners"][0]["total"] == 1
    assert "<h3>Alice</h3>" in triggers and "<h3>Bob</h3>" not in triggers
    assert "from Bob's private journal" in triggers


def test_notes_for_the_therapist_only_stay_with_their_author_and_theos_own_never_show(couple, alice, bob, theo, grant):
    web(alice).post(f"/couple/therapists/{grant.pk}/note/", {"text": FOR_THEO})
    web(alice).post(f"/couple/therapists/{grant.pk}/note/", {"text": FOR_BOTH, "share_with_partner": "on"})
    web(theo).post(f"/therapist/couples/{couple.pk}/session/", {"text": PRIVATE})

    alices, bobs = web(alice).get(PAGE).content.decode(), web(bob).get(PAGE).content.decode()
    alices_api = client_for(alice).get(view_url(grant)).content.decode()
    bobs_api = client_for(bob).get(view_url(grant)).content.decode()

    assert FOR_THEO in alices and FOR_BOTH in alices and FOR_THEO in alices_api
    assert FOR_BOTH in bobs and FOR_THEO not in bobs and FOR_THEO not in bobs_api
    for seen in (alices, bobs, alices_api, bobs_api):
        assert PRIVATE not in seen


def test_progress_shows_revealed_rounds_only(couple, alice, bob, grant):
    checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD)  # bob has not sent: not revealed

    data = client_for(bob).get(view_url(grant)).json()["progress"]

    assert [p["points"] for p in data["partners"]] == [[], []]


# --- a fixed number of queries ---------------------------------------------------------------------------


def _page_queries(django_assert_num_queries, client, n):
    with django_assert_num_queries(n):
        assert client.get(PAGE).status_code == 200


PAGE_QUERIES = 23
PER_FURTHER_GRANT = 16


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_history(
    couple, alice, bob, grant, misses, keystore, django_assert_num_queries
):
    # One round revealed (with none at all, the check-up read looks up the
    # built-in instrument: one more query, checkups.selectors.progress_for_couple).
    checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD, now=NOW - dt.timedelta(days=20))
    checkups.checkup_answer_save(couple=couple, user=bob, answers=GOOD, now=NOW - dt.timedelta(days=20))
    client = web(alice)
    client.get(PAGE)  # the session's first request warms what every page loads once
    _page_queries(django_assert_num_queries, client, PAGE_QUERIES)
    plant_secrets(couple, alice, bob, now=NOW, days=60)
    for i in range(3):
        checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD, now=NOW + dt.timedelta(days=15 * i))
        checkups.checkup_answer_save(couple=couple, user=bob, answers=LOW, now=NOW + dt.timedelta(days=15 * i))
    for i in range(20):
        commitment(couple, bob, due=NOW - dt.timedelta(days=i + 3))
    web(alice).post(f"/couple/therapists/{grant.pk}/note/", {"text": "x"})
    _page_queries(django_assert_num_queries, client, PAGE_QUERIES)
    # Each further therapist the couple shares with costs the same again, less the page's own.
    tina = UserFactory(email="tina@example.com", display_name="Tina", role="therapist")
    active_grant(couple, alice, bob, tina, scopes=ALL_SCOPES)
    _page_queries(django_assert_num_queries, client, PAGE_QUERIES + PER_FURTHER_GRANT)


# --- the next session dates ------------------------------------------------------------------------------


def test_partners_see_the_next_session_dates_on_both_pages_and_in_the_api(couple, alice, bob, theo, grant):
    services.next_session_set(therapist=theo, couple_id=couple.pk, at=NOW + dt.timedelta(days=7), ip=None)
    services.next_session_set(
        therapist=theo, couple_id=couple.pk, at=NOW - dt.timedelta(days=7) + dt.timedelta(days=21), ip=None
    )

    (row,) = client_for(alice).get("/api/v1/couple/therapist-grants/").json()["results"]
    detail = client_for(bob).get(f"/api/v1/couple/therapist-grants/{grant.pk}/").json()
    view = client_for(bob).get(view_url(grant)).json()

    assert row["next_sessions"] == ["2026-03-26T18:00:00Z", "2026-04-02T18:00:00Z"]
    assert detail["next_sessions"] == row["next_sessions"]
    assert [s["at"] for s in view["next_sessions"]] == row["next_sessions"]
    # Alice in Berlin (19:00), Bob in New York (14:00).
    assert "Thursday 26 March, 19:00" in web(alice).get("/couple/therapists/").content.decode()
    assert "Thursday 26 March 2026, 14:00" in web(bob).get(PAGE).content.decode()


def test_an_ended_grant_shows_no_session_dates(couple, alice, bob, theo, grant):
    services.next_session_set(therapist=theo, couple_id=couple.pk, at=NOW + dt.timedelta(days=7), ip=None)
    services.grant_revoke(grant=grant, user=bob)

    (row,) = client_for(alice).get("/api/v1/couple/therapist-grants/").json()["results"]

    assert row["next_sessions"] == []


class TestTheTherapistsSessionDatesApi:
    def url(self, couple, session_id=None):
        base = f"/api/v1/therapist/couples/{couple.pk}/session-dates/"
        return base if session_id is None else f"{base}{session_id}/"

    def test_set_list_and_remove_a_date_setting_is_logged_reading_is_not(self, couple, grant, as_theo_ready):
        at = (NOW + dt.timedelta(days=7)).isoformat()

        created = as_theo_ready.post(self.url(couple), {"at": at}, format="json")
        listed = as_theo_ready.get(self.url(couple))

        assert created.status_code == 201, created.content
        assert listed.json() == [{"id": created.json()["id"], "at": "2026-03-26T18:00:00Z"}]
        assert list(AccessEvent.objects.values_list("what", flat=True)) == ["session_date"]
        assert as_theo_ready.delete(self.url(couple, created.json()["id"])).status_code == 204
        assert as_theo_ready.delete(self.url(couple, created.json()["id"])).status_code == 404
        assert as_theo_ready.get(self.url(couple)).json() == []
        assert NextSession.objects.count() == 0

    @pytest.mark.parametrize(
        "body",
        [{}, {"at": "2026-03-26T18:00:00"}, {"at": "2026-03-01T18:00:00Z"}, {"at": "2028-03-01T18:00:00Z"}, {"at": 5}],
    )
    def test_bad_dates_are_400_with_a_field_error(self, couple, grant, as_theo_ready, body):
        response = as_theo_ready.post(self.url(couple), body, format="json")

        assert response.status_code == 400 and "at" in response.json()
        assert NextSession.objects.count() == 0 and AccessEvent.objects.count() == 0

    def test_at_most_six_ahead(self, couple, grant, as_theo_ready):
        for i in range(6):
            as_theo_ready.post(self.url(couple), {"at": (NOW + dt.timedelta(days=i + 1)).isoformat()}, format="json")

        response = as_theo_ready.post(self.url(couple), {"at": (NOW + dt.timedelta(days=9)).isoformat()}, format="json")

        assert response.status_code == 409

    def test_without_an_active_grant_every_call_is_404(self, couple, alice, bob, grant, as_theo_ready, mallory):
        session = services.next_session_set(
            therapist=grant.therapist, couple_id=couple.pk, at=NOW + dt.timedelta(days=2), ip=None
        )
        services.grant_revoke(grant=grant, user=alice)

        assert as_theo_ready.get(self.url(couple)).status_code == 404
        assert (
            as_theo_ready.post(
                self.url(couple), {"at": (NOW + dt.timedelta(days=3)).isoformat()}, format="json"
            ).status_code
            == 404
        )
        assert as_theo_ready.delete(self.url(couple, session.pk)).status_code == 404
        assert client_for(mallory).get(self.url(couple)).status_code == 403
        assert (
            client_for(alice)
            .post(self.url(couple), {"at": (NOW + dt.timedelta(days=3)).isoformat()}, format="json")
            .status_code
            == 403
        )
