# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Agreement reviews in the promise ledger (issue #19, the last gap): every
review period of an accepted agreement version with a review interval is a
promise the couple made, due at 18:00 local on the period's last day: open
until then, kept once both reflections are revealed, missed after (read
"ended" by the partners: no one person's miss to own). Only the current
period and past ones appear, none after the version stopped. One
reflection written and not revealed changes nothing, for either partner.
DST-true due times; per persona; ids; the export; the page; the queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from agreements import services as agreements
from agreements.models import Agreement, AgreementVersion, Reflection
from agreements.periods import period_containing, review_at
from couples.models import Couple
from promises import selectors

from .factories import PASSWORD
from .test_therapists_support import (  # noqa: F401 - fixtures
    active_grant,
    as_theo_ready,
    give_totp,
    ready_client,
    theo_totp,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
BERLIN = "Europe/Berlin"
# Monday 23 March 2026, 09:00 in Berlin (CET, UTC+1): the first week's
# period runs to Sunday 29 March, the day Berlin's clocks go forward.
ACCEPTED = dt.datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
DUE = [
    dt.datetime(2026, 3, 29, 16, 0, tzinfo=UTC),  # 18:00 CEST (UTC+2), not 17:00 UTC
    dt.datetime(2026, 4, 5, 16, 0, tzinfo=UTC),
    dt.datetime(2026, 4, 12, 16, 0, tzinfo=UTC),
]
# Wednesday of the third week: two periods past, the third open.
NOW = dt.datetime(2026, 4, 8, 12, 0, tzinfo=UTC)


def agreed(couple, proposer, accepter, *, at=ACCEPTED, every=7, tz=BERLIN, title="Phones away at dinner"):
    Couple.objects.filter(pk=couple.pk).update(timezone=tz)
    with time_machine.travel(at, tick=False):
        agreement = agreements.agreement_propose(
            couple=Couple.objects.get(pk=couple.pk),
            user=proposer,
            title=title,
            category="communication",
            review_every_days=every,
        )
        agreement = agreements.agreement_accept(agreement=agreement, user=accepter, version=agreement.version)
    return Agreement.objects.get(pk=agreement.pk)


def version_of(agreement, number=1) -> AgreementVersion:
    return AgreementVersion.objects.get(agreement=agreement, number=number)


def rid(agreement, k, number=1) -> str:
    return f"review-{version_of(agreement, number).pk * selectors.REVIEW_ID_STEP + k}"


def reflect(agreement, person, at, outcome="kept"):
    with time_machine.travel(at, tick=False):
        return agreements.reflection_submit(
            agreement=Agreement.objects.get(pk=agreement.pk), author=person, outcome=outcome, note="private words"
        )[0]


def rows(client, query=""):
    response = client.get(f"/api/v1/promises/{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "count" not in body
    return {row["id"]: row for row in body["results"]}


def reviews(client, query=""):
    return {pid: row for pid, row in rows(client, query).items() if row["kind"] == "agreement_review"}


@pytest.fixture
def agreement(couple, alice, bob):
    return agreed(couple, alice, bob)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


class TestPeriods:
    def test_the_current_period_is_open_and_the_past_ones_missed(self, agreement, at_now):
        got = selectors.ledger(couple_ids=[agreement.couple_id], viewer_id=None)
        got = {r["p_id"]: r for r in got}
        assert set(got) == {rid(agreement, k) for k in range(3)}
        assert [got[rid(agreement, k)]["p_state"] for k in range(3)] == ["missed", "missed", "open"]
        assert [got[rid(agreement, k)]["p_due"] for k in range(3)] == DUE
        for row in got.values():
            assert row["p_made_by"] is None and row["p_kind"] == "agreement_review"
            assert row["p_source_type"] == "agreement" and row["p_source_id"] == agreement.pk
            assert row["p_first_due"] == row["p_due"] and row["p_renegotiated_at"] is None

    def test_nothing_before_acceptance_and_the_first_period_from_the_first_day(self, couple, alice, bob):
        agreement = agreed(couple, alice, bob)
        with time_machine.travel(ACCEPTED - dt.timedelta(days=1), tick=False):
            assert not list(selectors.ledger(couple_ids=[couple.pk], viewer_id=None))
        with time_machine.travel(ACCEPTED + dt.timedelta(minutes=1), tick=False):
            assert [r["p_id"] for r in selectors.ledger(couple_ids=[couple.pk], viewer_id=None)] == [rid(agreement, 0)]

    def test_at_the_due_time_exactly_open_a_moment_after_missed(self, agreement):
        for at, state in ((DUE[0], "open"), (DUE[0] + dt.timedelta(seconds=1), "missed")):
            with time_machine.travel(at, tick=False):
                (row,) = selectors.ledger(couple_ids=[agreement.couple_id], viewer_id=None)
                assert row["p_state"] == state
        # The next period begins at local midnight (22:00 UTC in summer time).
        with time_machine.travel(dt.datetime(2026, 3, 29, 21, 59, tzinfo=UTC), tick=False):
            assert len(list(selectors.ledger(couple_ids=[agreement.couple_id], viewer_id=None))) == 1
        with time_machine.travel(dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC), tick=False):
            assert len(list(selectors.ledger(couple_ids=[agreement.couple_id], viewer_id=None))) == 2

    @pytest.mark.parametrize(
        ("tz", "accepted", "every", "due"),
        [
            # Berlin falls back on Sunday 25 October 2026: 18:00 CET is 17:00 UTC.
            (BERLIN, dt.datetime(2026, 10, 12, 10, 0, tzinfo=UTC), 14, dt.datetime(2026, 10, 25, 17, 0, tzinfo=UTC)),
            # New York springs forward on Sunday 8 March 2026: 18:00 EDT is 22:00 UTC.
            (
                "America/New_York",
                dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
                7,
                dt.datetime(2026, 3, 8, 22, 0, tzinfo=UTC),
            ),
            # New York falls back on Sunday 1 November 2026: 18:00 EST is 23:00 UTC.
            (
                "America/New_York",
                dt.datetime(2026, 10, 26, 15, 0, tzinfo=UTC),
                7,
                dt.datetime(2026, 11, 1, 23, 0, tzinfo=UTC),
            ),
            # Accepted late in the evening in New York: already the next UTC
            # day, still the local day it was accepted on.
            (
                "America/New_York",
                dt.datetime(2026, 6, 2, 3, 30, tzinfo=UTC),
                7,
                dt.datetime(2026, 6, 7, 22, 0, tzinfo=UTC),
            ),
        ],
    )
    def test_due_times_are_dst_true(self, couple, alice, bob, tz, accepted, every, due):
        agreement = agreed(couple, alice, bob, at=accepted, every=every, tz=tz)
        with time_machine.travel(accepted + dt.timedelta(hours=1), tick=False):
            (row,) = selectors.ledger(couple_ids=[couple.pk], viewer_id=None)
        assert row["p_due"] == due and row["p_id"] == rid(agreement, 0)

    @pytest.mark.parametrize(
        ("tz", "every"), [(BERLIN, 7), (BERLIN, 10), ("America/New_York", 14), ("Pacific/Auckland", 30)]
    )
    def test_the_periods_are_the_agreements_own(self, couple, alice, bob, tz, every):
        """One definition: the ledger's periods are ``agreements.periods``'
        (``period_containing`` from the acceptance day, due ``review_at``
        its last day), across a year of clock changes."""
        accepted = dt.datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
        agreement = agreed(couple, alice, bob, at=accepted, every=every, tz=tz)
        now = dt.datetime(2027, 1, 20, 12, 0, tzinfo=UTC)
        with time_machine.travel(now, tick=False):
            got = sorted(selectors.ledger(couple_ids=[couple.pk], viewer_id=None), key=lambda r: r["p_due"])
        anchor = agreements.local_date(accepted, tz)
        today = agreements.local_date(now, tz)
        expected, day = [], anchor
        while day <= today:
            p = period_containing(day=day, anchor=anchor, every_days=every)
            expected.append(review_at(p.end, tz))
            day = p.end + dt.timedelta(days=1)
        assert [r["p_due"] for r in got] == expected
        assert [r["p_id"] for r in got] == [rid(agreement, k) for k in range(len(expected))]

    def test_a_review_done_through_the_agreement_is_the_ledgers_period(self, couple, alice, bob):
        """Reflections written by ``reflection_submit`` (the agreement's own
        period) land on the ledger's period of the same number."""
        for tz, accepted in (
            ("America/New_York", dt.datetime(2026, 6, 2, 3, 30, tzinfo=UTC)),
            ("Pacific/Auckland", dt.datetime(2026, 4, 4, 13, 30, tzinfo=UTC)),
        ):
            agreement = agreed(couple, alice, bob, at=accepted, every=7, tz=tz, title=f"In {tz}")
            at = accepted + dt.timedelta(days=8)
            reflect(agreement, alice, at)
            reflect(agreement, bob, at + dt.timedelta(minutes=5))
            with time_machine.travel(at + dt.timedelta(hours=1), tick=False):
                got = {r["p_id"]: r["p_state"] for r in selectors.ledger(couple_ids=[couple.pk], viewer_id=None)}
            assert got[rid(agreement, 1)] == "kept"
            assert got[rid(agreement, 0)] == "missed"

    def test_no_interval_no_review_and_proposed_or_declined_none(self, couple, alice, bob, at_now):
        with time_machine.travel(ACCEPTED, tick=False):
            plain = agreements.agreement_propose(couple=couple, user=alice, title="No interval", category="other")
            agreements.agreement_accept(agreement=plain, user=bob, version=1)
            agreements.agreement_propose(
                couple=couple, user=alice, title="Waiting", category="other", review_every_days=7
            )
            declined = agreements.agreement_propose(
                couple=couple, user=alice, title="Declined", category="other", review_every_days=7
            )
            agreements.agreement_decline(agreement=declined, user=bob, version=1)
        assert not list(selectors.ledger(couple_ids=[couple.pk], viewer_id=None))


class TestRevealRule:
    def test_one_reflection_alone_changes_nothing_for_either_partner(
        self, agreement, as_alice, as_bob, alice, bob, couple
    ):
        pid = rid(agreement, 0)
        at = DUE[0] - dt.timedelta(days=2)
        with time_machine.travel(at, tick=False):
            before = {"alice": rows(as_alice), "bob": rows(as_bob)}
        reflect(agreement, alice, at)
        assert Reflection.objects.get(agreement=agreement, author=alice).revealed_at is None
        with time_machine.travel(at, tick=False):
            # Byte for byte the same answers as before Alice wrote.
            assert rows(as_alice) == before["alice"] and rows(as_bob) == before["bob"]
            assert rows(as_bob)[pid]["state"] == "open" and rows(as_alice)[pid]["state"] == "open"
        with time_machine.travel(DUE[0] + dt.timedelta(hours=1), tick=False):
            seen_alice, seen_bob = rows(as_alice)[pid], rows(as_bob)[pid]
            # Past its time: ended to both alike, never showing who wrote.
            assert seen_alice == seen_bob
            assert seen_alice["state"] == "ended" and seen_alice.get("kept_at") is None
            assert not rows(as_alice, "?state=missed") and not rows(as_bob, "?state=missed")
            assert not rows(as_alice, "?state=kept") and not rows(as_bob, "?state=kept")
            full = {r["p_id"]: r for r in selectors.ledger(couple_ids=[couple.pk], viewer_id=None)}
            assert full[pid]["p_state"] == "missed" and full[pid]["p_closed_at"] is None

    def test_both_revealed_makes_it_kept_under_the_same_id(self, agreement, as_alice, as_bob, alice, bob):
        pid = rid(agreement, 0)
        at = DUE[0] - dt.timedelta(days=1)
        reflect(agreement, alice, at)
        reflect(agreement, bob, at + dt.timedelta(hours=1), outcome="partly")
        assert set(Reflection.objects.filter(agreement=agreement).values_list("revealed_at", flat=True)) == {
            at + dt.timedelta(hours=1)
        }
        with time_machine.travel(NOW, tick=False):
            for client in (as_alice, as_bob):
                got = reviews(client)
                assert got[pid]["state"] == "kept"
                assert got[pid]["kept_at"] == "2026-03-28T17:00:00Z"  # when the second was written
                assert got[rid(agreement, 1)]["state"] == "ended" and got[rid(agreement, 2)]["state"] == "open"
                assert set(reviews(client, "?state=kept")) == {pid}

    def test_revealed_after_its_due_time_on_the_last_day_is_kept(self, agreement, alice, bob):
        """Reflections are open until the period's last day ends, so a review
        done at 20:00 that evening is kept (missed between 18:00 and then)."""
        evening = DUE[0] + dt.timedelta(hours=2)
        reflect(agreement, alice, evening)
        with time_machine.travel(evening, tick=False):
            (row,) = selectors.ledger(couple_ids=[agreement.couple_id], viewer_id=None)
            assert row["p_state"] == "missed"
        reflect(agreement, bob, evening + dt.timedelta(minutes=10))
        with time_machine.travel(evening + dt.timedelta(minutes=10), tick=False):
            (row,) = selectors.ledger(couple_ids=[agreement.couple_id], viewer_id=None)
            assert row["p_state"] == "kept"


class TestPersonas:
    def test_partners_read_a_missed_review_as_ended_and_missed_lists_none(self, agreement, at_now, as_alice, as_bob):
        for client in (as_alice, as_bob):
            got = reviews(client)
            assert {pid: row["state"] for pid, row in got.items()} == {
                rid(agreement, 0): "ended",
                rid(agreement, 1): "ended",
                rid(agreement, 2): "open",
            }
            assert all(row["made_by"] is None and row["is_mine"] for row in got.values())
            assert got[rid(agreement, 2)]["due_at"] == "2026-04-12T16:00:00Z"
            assert not reviews(client, "?state=missed")
            assert set(reviews(client, "?state=ended")) == {rid(agreement, 0), rid(agreement, 1)}
            assert set(reviews(client, "?state=open")) == {rid(agreement, 2)}

    def test_renegotiate_and_keep_on_a_review_are_404(self, agreement, at_now, as_alice, as_bob, as_mallory):
        for client in (as_alice, as_bob, as_mallory):
            for pid in (rid(agreement, 2), rid(agreement, 0)):
                r = client.post(
                    f"/api/v1/promises/{pid}/renegotiate/", {"due_at": "2026-05-01T10:00:00Z"}, format="json"
                )
                assert r.status_code == 404
                assert client.post(f"/api/v1/promises/{pid}/keep/").status_code == 404

    def test_mallory_sees_nothing_of_theirs(self, agreement, at_now, as_mallory, mallory_couple):
        assert not rows(as_mallory)
        assert not rows(as_mallory, "?state=open")
        with pytest.raises(Http404):
            from accounts.models import User

            selectors.promise_get_for_member(
                user=User.objects.get(email__startswith="mallory"), promise_id=rid(agreement, 2)
            )

    def test_a_review_id_parses_and_reads_back_one_row(self, agreement, at_now, alice):
        pid = rid(agreement, 1)
        assert selectors.parse_promise_id(pid) == ("review", version_of(agreement).pk * selectors.REVIEW_ID_STEP + 1)
        row = selectors.promise_get_for_member(user=alice, promise_id=pid)
        assert row["p_id"] == pid and row["p_seen"] == "ended" and row["p_due"] == DUE[1]
        with pytest.raises(Http404):
            selectors.promise_get_for_member(user=alice, promise_id=rid(agreement, 7))  # not begun

    def test_theo_with_the_promises_scope_sees_full_outcomes(
        self, agreement, at_now, as_theo_ready, couple, alice, bob, theo
    ):
        active_grant(couple, alice, bob, theo, scopes=["promises"])
        got = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/")
        assert got.status_code == 200, got.content
        states = {r["id"]: r["state"] for r in got.json() if r["kind"] == "agreement_review"}
        assert states == {rid(agreement, 0): "missed", rid(agreement, 1): "missed", rid(agreement, 2): "open"}

    def test_theo_without_the_scope_sees_none(self, agreement, at_now, as_theo_ready, couple, alice, bob, theo):
        active_grant(couple, alice, bob, theo, scopes=["progress"])
        got = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/")
        assert got.status_code == 404  # docs/therapists.md: 404 without the scope
        assert "review-" not in got.content.decode()


class TestWhenTheVersionStops:
    def test_a_changed_agreement_closes_its_open_period_silently_and_starts_anew(self, agreement, alice, bob, couple):
        changed = dt.datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # in the second period, before its review
        with time_machine.travel(changed, tick=False):
            amended = agreements.agreement_amend(
                agreement=agreement, user=alice, version=1, changes={"title": "Phones in the hall"}
            )
        accepted = dt.datetime(2026, 4, 3, 9, 0, tzinfo=UTC)  # Friday
        with time_machine.travel(accepted, tick=False):
            agreements.agreement_accept(agreement=amended, user=bob, version=2)
        with time_machine.travel(NOW, tick=False):
            got = {r["p_id"]: r for r in selectors.ledger(couple_ids=[couple.pk], viewer_id=None)}
        assert {pid: r["p_state"] for pid, r in got.items()} == {
            rid(agreement, 0): "missed",  # due before the change
            rid(agreement, 1): "ended",  # the change came before its review
            rid(agreement, 0, number=2): "open",  # Friday 3 April to Thursday 9 April
        }
        assert got[rid(agreement, 1)]["p_closed_at"] == changed
        assert got[rid(agreement, 0, number=2)]["p_due"] == dt.datetime(2026, 4, 9, 16, 0, tzinfo=UTC)

    def test_a_retired_agreement_makes_no_new_periods(self, agreement, alice, couple):
        retired = dt.datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
        with time_machine.travel(retired, tick=False):
            agreements.agreement_retire(agreement=agreement, user=alice)
        with time_machine.travel(NOW + dt.timedelta(days=60), tick=False):
            got = {r["p_id"]: r["p_state"] for r in selectors.ledger(couple_ids=[couple.pk], viewer_id=None)}
        assert got == {rid(agreement, 0): "missed", rid(agreement, 1): "ended"}

    def test_when_the_couple_ends_an_open_review_closes_silently(self, agreement, at_now, alice, bob, couple):
        from couples.services import couple_leave
        from home.selectors import user_export

        couple_leave(user=alice, password=PASSWORD)
        for person in (alice, bob):
            mine = {row["id"]: row for row in user_export(user=person)["promises"]}
            assert {pid: row["state"] for pid, row in mine.items()} == {
                rid(agreement, 0): "ended",
                rid(agreement, 1): "ended",
                rid(agreement, 2): "ended",
            }
        with time_machine.travel(NOW + dt.timedelta(days=30), tick=False):
            full = {r["p_id"]: r["p_state"] for r in selectors.ledger(couple_ids=[couple.pk], viewer_id=None)}
        assert full == {rid(agreement, 0): "missed", rid(agreement, 1): "missed", rid(agreement, 2): "ended"}


class TestExportAndPage:
    def test_the_export_holds_the_couples_reviews(self, agreement, at_now, alice, bob):
        from home.selectors import user_export

        reflect(agreement, alice, NOW)  # alone: nothing in either export
        for person in (alice, bob):
            mine = {row["id"]: row for row in user_export(user=person)["promises"]}
            assert {pid: row["state"] for pid, row in mine.items()} == {
                rid(agreement, 0): "ended",
                rid(agreement, 1): "ended",
                rid(agreement, 2): "open",
            }
            row = mine[rid(agreement, 2)]
            assert row["kind"] == "agreement_review" and row["made_by"] is None
            assert row["due_at"] == DUE[2].isoformat()

    def test_the_page_shows_the_open_review_among_the_couples_never_a_miss(self, agreement, at_now, alice):
        from django.test import Client

        web = Client()
        web.force_login(alice)
        page = web.get("/promises/")
        assert page.status_code == 200
        html = page.content.decode()
        assert html.count('data-testid="promise-open"') == 1
        assert "You both" in html and "an agreement review, by" in html and "Sun 12 Apr, 18:00" in html
        assert f"/agreements/{agreement.pk}/" in html
        assert "missed" not in html.lower()
        assert "ended" not in html.lower()
        assert 'data-testid="promise-keep"' not in html  # nothing to mark done on a review


class TestQueries:
    def test_one_statement_whatever_the_number_of_agreements_and_periods(self, couple, alice, bob, as_alice):
        def count():
            as_alice.get("/api/v1/promises/")
            with CaptureQueriesContext(connection) as queries:
                response = as_alice.get("/api/v1/promises/")
            assert response.status_code == 200
            return len(queries), response.json()

        long_ago = dt.datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
        agreed(couple, alice, bob, at=long_ago, title="First")
        with time_machine.travel(NOW, tick=False):
            few, body = count()
            assert len(body["results"]) == 50 and body["next"]
        for i in range(20):
            agreed(couple, alice if i % 2 else bob, bob if i % 2 else alice, at=long_ago, title=f"Agreement {i}")
        with time_machine.travel(NOW, tick=False):
            many, body = count()
            assert len(body["results"]) == 50
            assert {r["kind"] for r in body["results"]} == {"agreement_review"}
        assert few == many == 2
