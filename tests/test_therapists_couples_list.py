# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""The therapist's list of couples (issue #25): per couple the scopes, the
grant's end and what needs attention (a check-up total that fell, only for
a couple sharing progress), in a fixed number of queries for 50 couples;
every couple listed is logged, with the progress scope where it was read."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from checkups.instruments import instrument_builtin
from checkups.models import Answer, Round
from therapists.models import AccessEvent, Grant, Practice, PreSessionNote

from .factories import UserFactory, make_couple
from .test_therapists_support import ready_client, theo_totp  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=UTC)
# token, authenticator, token confirmation, grants, partners, drops, missed
# practices and new pre-session notes (one UNION), the events' insert (a
# first page shorter than the page size needs no count).
LIST_QUERIES = 8


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def couples_sharing_with(
    theo, n: int, *, scopes=("mood_trends", "progress"), scores=((28, 28), (28, 13)), missed=False, note=False
):
    """``n`` couples sharing ``scopes`` with theo (approved grants written
    directly: the consent flow has its own tests), each with two revealed
    rounds whose totals are ``scores`` per round as (first partner, second)."""
    instrument = instrument_builtin()
    made = []
    for i in range(n):
        a, b = UserFactory(display_name=f"A{i}"), UserFactory(display_name=f"B{i}")
        couple = make_couple(a, b)
        Grant.objects.create(
            couple=couple,
            therapist=theo,
            scopes=list(scopes),
            expires_at=NOW + dt.timedelta(days=30 + i),
            requested_by=a,
            requested_at=NOW - dt.timedelta(days=20),
            approved_by=b,
            approved_at=NOW - dt.timedelta(days=19),
        )
        answers = []
        for number, (score_a, score_b) in enumerate(scores, start=1):
            opened = NOW - dt.timedelta(days=30 - 14 * number)
            round_ = Round.objects.create(
                couple=couple, instrument=instrument, number=number, opens_at=opened, revealed_at=opened
            )
            answers += [
                Answer(round=round_, author=a, values={}, score=score_a, submitted_at=opened),
                Answer(round=round_, author=b, values={}, score=score_b, submitted_at=opened),
            ]
        Answer.objects.bulk_create(answers)
        if missed:  # accepted by both, due yesterday, never marked
            Practice.objects.create(
                couple=couple,
                therapist=theo,
                therapist_name="Theo",
                kind="ritual",
                title="A walk",
                due_at=NOW - dt.timedelta(days=1),
                proposed_at=NOW - dt.timedelta(days=8),
                state="accepted",
                accepted_at=NOW - dt.timedelta(days=7),
            )
        if note:
            PreSessionNote.objects.create(couple=couple, therapist=theo, author=a, text="Before we meet")
        made.append((couple, a, b))
    return made


def test_each_couple_shows_scopes_end_and_a_fall_only_where_progress_is_shared(theo, theo_totp):
    ((dropped, _a, bob),) = couples_sharing_with(theo, 1)
    ((steady, *_),) = couples_sharing_with(theo, 1, scores=((20, 20), (18, 20)))
    ((private, *_),) = couples_sharing_with(theo, 1, scopes=("mood_trends",))

    rows = {r["id"]: r for r in ready_client(theo).get("/api/v1/therapist/couples/").json()["results"]}

    assert rows[dropped.pk]["attention"] == [
        {"kind": "checkup_drop", "partner_id": bob.pk, "round_number": 2, "from_score": 28, "to_score": 13, "drop": 15}
    ]
    assert rows[dropped.pk]["scopes"] == ["mood_trends", "progress"]
    assert rows[steady.pk]["attention"] == []  # down 2: under the set amount
    assert rows[private.pk]["attention"] == []  # the same fall, but not shared
    events = dict(AccessEvent.objects.filter(what="list").values_list("couple_id", "scopes"))
    assert events[dropped.pk] == ["progress"] and events[private.pk] == []


def test_the_api_list_runs_the_same_queries_for_1_and_50_couples(theo, theo_totp, django_assert_num_queries):
    couples_sharing_with(theo, 1)
    client = ready_client(theo)
    client.get("/api/v1/therapist/couples/")  # the token's confirmation is touched once a minute
    with django_assert_num_queries(LIST_QUERIES):
        assert len(client.get("/api/v1/therapist/couples/").json()["results"]) == 1

    couples_sharing_with(theo, 49)

    with django_assert_num_queries(LIST_QUERIES):
        body = client.get("/api/v1/therapist/couples/").json()
    assert len(body["results"]) == 50
    assert sum(1 for r in body["results"] if r["attention"]) == 50


def test_the_list_page_shows_attention_first_in_a_fixed_number_of_queries(theo, theo_totp, django_assert_num_queries):
    couples_sharing_with(theo, 10, scores=((20, 20), (20, 20)))
    couples_sharing_with(theo, 40)
    client = Client()
    client.force_login(theo)
    client.get("/therapist/")

    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get("/therapist/").content.decode()

    assert page.count('data-testid="therapist-couple"') == 50
    assert page.count('data-testid="couple-attention"') == 40
    first = page.index('data-testid="therapist-couple"')
    assert page.index('data-testid="couple-attention"') < page.index('data-testid="therapist-couple"', first + 1)


# session, user, authenticator, grants, partners, drops, missed practices and
# notes, the events' insert, codes, and the unread-notifications badge.
PAGE_QUERIES = 10


def test_a_missed_practice_and_a_note_need_attention_for_50_couples_in_the_same_queries(
    theo, theo_totp, django_assert_num_queries
):
    scopes = ("mood_trends", "progress", "practice")
    couples_sharing_with(theo, 1, scopes=scopes, missed=True, note=True)
    client = ready_client(theo)
    client.get("/api/v1/therapist/couples/")
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/api/v1/therapist/couples/")

    made = couples_sharing_with(theo, 49, scopes=scopes, missed=True, note=True)

    with django_assert_num_queries(LIST_QUERIES):
        body = client.get("/api/v1/therapist/couples/").json()
    assert len(body["results"]) == 50
    row = next(r for r in body["results"] if r["id"] == made[0][0].pk)
    assert [a["kind"] for a in row["attention"]] == ["checkup_drop", "practice_missed", "presession_note"]
    assert row["attention"][1]["count"] == 1 and row["attention"][2]["count"] == 1
    events = AccessEvent.objects.filter(what="list", couple=made[0][0]).values_list("scopes", flat=True)
    assert list(events)[0] == ["progress", "practice"]


def test_a_missed_practice_is_not_read_without_the_practice_scope_and_a_look_clears_both(theo, theo_totp):
    ((shared, *_),) = couples_sharing_with(theo, 1, scopes=("practice",), missed=True, note=True)
    ((private, *_),) = couples_sharing_with(theo, 1, scopes=("mood_trends",), missed=True, note=True)
    client = ready_client(theo)

    rows = {r["id"]: r for r in client.get("/api/v1/therapist/couples/").json()["results"]}

    assert [a["kind"] for a in rows[shared.pk]["attention"]] == ["practice_missed", "presession_note"]
    # The note is for theo under any scope; the practice needs the scope.
    assert [a["kind"] for a in rows[private.pk]["attention"]] == ["presession_note"]

    web = Client()
    web.force_login(theo)
    assert web.get(f"/therapist/couples/{shared.pk}/session/").status_code == 200
    rows = {r["id"]: r for r in client.get("/api/v1/therapist/couples/").json()["results"]}
    assert rows[shared.pk]["attention"] == []
