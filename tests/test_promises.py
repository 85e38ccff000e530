# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""The promise ledger and the time to repair (issue #19): one view of every
promise, projected from the rows that hold each one; who sees what (maker,
partner, mallory, theo with and without the scopes); renegotiating and
keeping, at the due time exactly; DST-true due times; the reminder to the
maker only; queries pinned from 10 to 10,000 rows; the export."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import Agreement, AgreementVersion, Reflection
from checkins.models import CheckIn, Format
from promises import selectors
from reminders.models import Reminder
from repair.models import Commitment, Repair
from space.models import Kind, SpacePeriod
from therapists.models import AccessEvent

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
NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=UTC)


def period(couple, author, *, due, status="open", kind=Kind.TIMEOUT, started=None, first=None, closed=None):
    started = started or due - dt.timedelta(minutes=30)
    back = (closed or due) if status in ("kept", "late") else None
    return SpacePeriod.objects.create(
        couple=couple,
        author=author,
        kind=kind,
        started_at=started,
        first_reconnect_by=first or due,
        reconnect_by=due,
        status=status,
        reconnected_at=back,
        closed_at=None if status == "open" else (closed or due),
    )


def repair_of(couple, *, start, minutes=40, timeout=None, status=Repair.Status.COMPLETED):
    return Repair.objects.create(
        couple=couple,
        timeout=timeout,
        status=status,
        created_at=start,
        expires_at=start + dt.timedelta(days=7),
        closed_at=start + dt.timedelta(minutes=minutes),
    )


def commitment(repair, author, *, due, status="open", kept_at=None):
    return Commitment.objects.create(
        repair=repair, author=author, text="Say the signal", due_at=due, status=status, kept_at=kept_at
    )


def listed(client, query: str = "") -> dict[str, str]:
    response = client.get(f"/api/v1/promises/{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "count" not in body
    return {row["id"]: row["state"] for row in body["results"]}


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(couple, alice, bob):
    """Alice's and Bob's promises in every state."""
    r = repair_of(couple, start=NOW - dt.timedelta(days=10))
    return {
        "a_open": commitment(r, alice, due=NOW + dt.timedelta(days=1)),
        "b_open": commitment(r, bob, due=NOW + dt.timedelta(days=1)),
        "a_missed": period(couple, alice, due=NOW - dt.timedelta(days=2), status="missed"),
        "b_missed": period(couple, bob, due=NOW - dt.timedelta(days=3), status="missed"),
        "b_late": period(couple, bob, due=NOW - dt.timedelta(days=4), status="late", closed=NOW - dt.timedelta(days=3)),
        "b_kept": period(couple, bob, due=NOW - dt.timedelta(days=5), status="kept", closed=NOW - dt.timedelta(days=5)),
    }


class TestWhoSeesWhat:
    def test_the_maker_sees_every_outcome_of_their_own(self, _frozen, as_bob, world):
        seen = listed(as_bob)
        assert seen[f"space-{world['b_missed'].pk}"] == "missed"
        assert seen[f"space-{world['b_late'].pk}"] == "missed"
        assert seen[f"space-{world['b_kept'].pk}"] == "kept"
        assert seen[f"commitment-{world['b_open'].pk}"] == "open"

    def test_the_partner_sees_a_missed_one_only_as_ended(self, _frozen, as_alice, world):
        seen = listed(as_alice)
        assert seen[f"space-{world['b_missed'].pk}"] == "ended"
        assert seen[f"space-{world['b_late'].pk}"] == "ended"
        assert seen[f"space-{world['b_kept'].pk}"] == "kept"
        assert seen[f"commitment-{world['b_open'].pk}"] == "open"
        assert seen[f"space-{world['a_missed'].pk}"] == "missed"
        assert "missed" not in {v for k, v in seen.items() if k != f"space-{world['a_missed'].pk}"}

    def test_state_missed_lists_only_the_callers_own(self, _frozen, as_alice, as_bob, world):
        assert set(listed(as_alice, "?state=missed")) == {f"space-{world['a_missed'].pk}"}
        assert set(listed(as_bob, "?state=missed")) == {
            f"space-{world['b_missed'].pk}",
            f"space-{world['b_late'].pk}",
        }
        assert f"space-{world['b_missed'].pk}" in listed(as_alice, "?state=ended")

    def test_the_partners_missed_one_carries_no_kept_time(self, _frozen, as_alice, world):
        rows = as_alice.get("/api/v1/promises/").json()["results"]
        late = next(r for r in rows if r["id"] == f"space-{world['b_late'].pk}")
        assert late["kept_at"] is None and late["state"] == "ended"

    def test_mallory_gets_404_everywhere(self, _frozen, as_mallory, mallory_couple, world):
        assert listed(as_mallory) == {}
        pid = f"commitment-{world['a_open'].pk}"
        assert as_mallory.post(f"/api/v1/promises/{pid}/keep/").status_code == 404
        later = (NOW + dt.timedelta(days=2)).isoformat()
        assert (
            as_mallory.post(f"/api/v1/promises/{pid}/renegotiate/", {"due_at": later}, format="json").status_code == 404
        )

    def test_unpaired_is_404(self, _frozen, mallory):
        from .conftest import client_for

        assert client_for(mallory).get("/api/v1/promises/").status_code == 404

    def test_bad_state_is_400(self, as_alice, couple):
        response = as_alice.get("/api/v1/promises/?state=late")
        assert response.status_code == 400 and "state" in response.json()

    def test_theo_without_a_grant_or_the_scope_gets_404(self, as_theo_ready, couple, alice, bob, theo, world):
        assert as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/").status_code == 404
        active_grant(couple, alice, bob, theo, scopes=["mood_trends"])
        assert as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/").status_code == 404
        assert as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/repair-trend/").status_code == 404
        assert as_theo_ready.get("/api/v1/promises/").status_code == 404
        assert not AccessEvent.objects.filter(what__in=["promises", "repair_trend"]).exists()

    def test_theo_with_the_promises_scope_sees_full_outcomes_logged(
        self, _frozen, as_theo_ready, couple, alice, bob, theo, world
    ):
        active_grant(couple, alice, bob, theo, scopes=["promises"])
        response = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/")
        assert response.status_code == 200
        seen = {r["id"]: r["state"] for r in response.json()}
        assert seen[f"space-{world['b_missed'].pk}"] == "missed"
        assert seen[f"space-{world['a_missed'].pk}"] == "missed"
        assert "Say the signal" not in response.content.decode()
        event = AccessEvent.objects.get(what="promises")
        assert event.scopes == ["promises"] and event.therapist_id == theo.pk
        assert as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/repair-trend/").status_code == 404

    def test_theo_with_the_repair_trend_scope_reads_it_logged(self, _frozen, as_theo_ready, couple, alice, bob, theo):
        active_grant(couple, alice, bob, theo, scopes=["repair_trend"])
        response = as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/repair-trend/")
        assert response.status_code == 200 and "months" in response.json()
        assert AccessEvent.objects.filter(what="repair_trend", scopes=["repair_trend"]).count() == 1
        assert as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/").status_code == 404

    def test_the_access_log_says_it_plainly(self, _frozen, as_theo_ready, as_alice, couple, alice, bob, theo):
        active_grant(couple, alice, bob, theo, scopes=["promises"])
        as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/promises/")
        log = as_alice.get("/api/v1/couple/access-log/").content.decode()
        assert "promises and how each went" in log


class TestCheckinsAndReviews:
    def _checkin(self, couple, *, revealed):
        fmt = Format.objects.get(key="daily-pulse", couple__isnull=True)
        at = NOW - dt.timedelta(days=1)
        return CheckIn.objects.create(
            couple=couple,
            format=fmt,
            scheduled_for=at,
            closes_at=at + dt.timedelta(hours=2),
            steps=fmt.steps,
            revealed_at=at + dt.timedelta(minutes=30) if revealed else None,
            closed_at=None if revealed else at + dt.timedelta(hours=2),
        )

    def test_a_checkin_enters_once_for_the_couple_only_when_revealed(self, _frozen, as_alice, as_bob, couple):
        kept = self._checkin(couple, revealed=True)
        closed = self._checkin(couple, revealed=False)
        for client in (as_alice, as_bob):
            rows = client.get("/api/v1/promises/").json()["results"]
            assert [r["id"] for r in rows] == [f"checkin-{kept.pk}"]
            assert rows[0]["made_by"] is None and rows[0]["state"] == "kept" and rows[0]["is_mine"]
        assert f"checkin-{closed.pk}" not in listed(as_alice, "?state=missed")

    def test_a_review_done_together_enters_once_due_at_18_local_dst_true(self, _frozen, as_alice, couple, alice, bob):
        from couples.models import Couple

        c = Couple.objects.get(memberships__user=alice)
        Couple.objects.filter(pk=c.pk).update(timezone="Europe/Berlin")
        agreement = Agreement.objects.create(couple=c, status="active", active_since=NOW - dt.timedelta(days=30))
        AgreementVersion.objects.create(
            agreement=agreement, number=1, title="Phones away", category="other", proposed_by=alice
        )
        # The period ends on Sunday 29 March 2026, the day Berlin's clocks go forward.
        for author in (alice, bob):
            Reflection.objects.create(
                agreement=agreement,
                author=author,
                version=1,
                period_start=dt.date(2026, 3, 23),
                period_end=dt.date(2026, 3, 29),
                outcome="kept",
                revealed_at=NOW,
            )
        rows = as_alice.get("/api/v1/promises/").json()["results"]
        assert len(rows) == 1 and rows[0]["kind"] == "agreement_review" and rows[0]["made_by"] is None
        # 18:00 summer time (UTC+2) that day, not 17:00 UTC.
        assert rows[0]["due_at"] == "2026-03-29T16:00:00Z"
        assert rows[0]["source"] == {"type": "agreement", "id": agreement.pk}


class TestRenegotiateAndKeep:
    def test_a_commitment_moved_before_its_time_then_kept_by_the_new_time(
        self, _frozen, as_alice, as_bob, couple, alice, bob
    ):
        r = repair_of(couple, start=NOW - dt.timedelta(days=1))
        c = commitment(r, alice, due=NOW + dt.timedelta(hours=2))
        pid = f"commitment-{c.pk}"
        later = NOW + dt.timedelta(days=1)
        assert (
            as_bob.post(
                f"/api/v1/promises/{pid}/renegotiate/", {"due_at": later.isoformat()}, format="json"
            ).status_code
            == 404
        )
        response = as_alice.post(f"/api/v1/promises/{pid}/renegotiate/", {"due_at": later.isoformat()}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["state"] == "renegotiated" and body["first_due_at"] == "2026-03-19T20:00:00Z"
        assert listed(as_bob)[pid] == "renegotiated"
        # Past the first time, before the new one: still renegotiated, and keepable.
        _frozen.move_to(NOW + dt.timedelta(hours=5))
        assert listed(as_alice)[pid] == "renegotiated"
        assert as_bob.post(f"/api/v1/promises/{pid}/keep/").status_code == 404
        kept = as_alice.post(f"/api/v1/promises/{pid}/keep/")
        assert kept.status_code == 200 and kept.json()["state"] == "kept"
        assert kept.json()["renegotiated_at"] is not None
        assert as_alice.post(f"/api/v1/promises/{pid}/keep/").status_code == 409

    def test_earlier_or_naive_or_bad_times_are_400(self, _frozen, as_alice, couple, alice):
        c = commitment(repair_of(couple, start=NOW), alice, due=NOW + dt.timedelta(hours=2))
        url = f"/api/v1/promises/commitment-{c.pk}/renegotiate/"
        for bad in ((NOW + dt.timedelta(hours=1)).isoformat(), "2026-03-20T10:00:00", "soon", ""):
            response = as_alice.post(url, {"due_at": bad}, format="json")
            assert response.status_code == 400 and "due_at" in response.json(), bad
        assert as_alice.post(url, {}, format="json").status_code == 400

    def test_exactly_at_the_due_time_keep_works_and_renegotiate_is_409(self, as_alice, couple, alice):
        due = NOW + dt.timedelta(hours=2)
        a = commitment(repair_of(couple, start=NOW - dt.timedelta(days=1)), alice, due=due)
        with time_machine.travel(due, tick=False):
            later = (due + dt.timedelta(hours=1)).isoformat()
            assert (
                as_alice.post(
                    f"/api/v1/promises/commitment-{a.pk}/renegotiate/", {"due_at": later}, format="json"
                ).status_code
                == 409
            )
            assert listed(as_alice)[f"commitment-{a.pk}"] == "open"
            assert as_alice.post(f"/api/v1/promises/commitment-{a.pk}/keep/").status_code == 200

    def test_a_moment_after_the_due_time_both_are_409_and_it_reads_missed(self, as_alice, as_bob, couple, alice):
        due = NOW + dt.timedelta(hours=2)
        a = commitment(repair_of(couple, start=NOW - dt.timedelta(days=1)), alice, due=due)
        with time_machine.travel(due + dt.timedelta(microseconds=1), tick=False):
            pid = f"commitment-{a.pk}"
            later = (due + dt.timedelta(hours=1)).isoformat()
            assert (
                as_alice.post(f"/api/v1/promises/{pid}/renegotiate/", {"due_at": later}, format="json").status_code
                == 409
            )
            assert as_alice.post(f"/api/v1/promises/{pid}/keep/").status_code == 409
            assert listed(as_alice)[pid] == "missed"
            assert listed(as_bob)[pid] == "ended"

    def test_a_time_out_is_renegotiated_through_space_extend(self, _frozen, as_alice, as_bob, couple, alice):
        p = period(couple, alice, due=NOW + dt.timedelta(minutes=20), started=NOW - dt.timedelta(minutes=10))
        SpacePeriod.objects.filter(pk=p.pk).update(latest_reconnect_by=NOW + dt.timedelta(hours=2))
        pid = f"space-{p.pk}"
        assert (
            as_bob.post(
                f"/api/v1/promises/{pid}/renegotiate/",
                {"due_at": (NOW + dt.timedelta(hours=1)).isoformat()},
                format="json",
            ).status_code
            == 404
        )
        too_late = (NOW + dt.timedelta(hours=3)).isoformat()
        response = as_alice.post(f"/api/v1/promises/{pid}/renegotiate/", {"due_at": too_late}, format="json")
        assert response.status_code == 400 and "due_at" in response.json()
        response = as_alice.post(
            f"/api/v1/promises/{pid}/renegotiate/", {"due_at": (NOW + dt.timedelta(hours=1)).isoformat()}, format="json"
        )
        assert response.status_code == 200 and response.json()["state"] == "renegotiated"
        p.refresh_from_db()
        assert p.reconnect_by == NOW + dt.timedelta(hours=1) and p.extensions.count() == 1
        assert response.json()["renegotiated_at"] is not None
        # Keeping a promise to come back is coming back.
        kept = as_alice.post(f"/api/v1/promises/{pid}/keep/")
        assert kept.status_code == 200 and kept.json()["state"] == "kept"
        p.refresh_from_db()
        assert p.status == "kept"

    def test_a_time_out_at_its_time_exactly(self, as_alice, couple, alice):
        due = NOW + dt.timedelta(minutes=20)
        p = period(couple, alice, due=due, started=NOW)
        with time_machine.travel(due, tick=False):
            later = (due + dt.timedelta(minutes=30)).isoformat()
            assert (
                as_alice.post(
                    f"/api/v1/promises/space-{p.pk}/renegotiate/", {"due_at": later}, format="json"
                ).status_code
                == 409
            )
            assert as_alice.post(f"/api/v1/promises/space-{p.pk}/keep/").status_code == 200

    def test_couple_promises_and_unknown_ids_are_404(self, _frozen, as_alice, couple):
        for pid in ("checkin-1", "review-1", "nothing-1", "space-x", "space-99999999"):
            assert as_alice.post(f"/api/v1/promises/{pid}/keep/").status_code == 404


class TestReminders:
    def test_the_maker_is_reminded_at_the_new_time_and_the_partner_never(self, _frozen, as_alice, couple, alice, bob):
        from repair.conversation import COMMITMENT_KIND

        c = commitment(repair_of(couple, start=NOW), alice, due=NOW + dt.timedelta(hours=2))
        later = NOW + dt.timedelta(days=1, hours=3)
        as_alice.post(f"/api/v1/promises/commitment-{c.pk}/renegotiate/", {"due_at": later.isoformat()}, format="json")
        pending = Reminder.objects.filter(kind=COMMITMENT_KIND, status="pending")
        assert [(r.user_id, r.due_at) for r in pending] == [(alice.pk, later)]
        assert not Reminder.objects.filter(user=bob, target_id=c.pk, kind__startswith="repair_commitment").exists()

    def test_the_due_time_is_the_instant_given_across_a_dst_change(self, as_alice, couple, alice):
        """Given at 10:00 Berlin on Saturday 28 March for 10:00 on Monday 30
        March (after the clocks went forward): 47 real hours, not 48."""
        start = dt.datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            c = commitment(repair_of(couple, start=start), alice, due=start + dt.timedelta(hours=3))
            due = "2026-03-30T10:00:00+02:00"
            response = as_alice.post(f"/api/v1/promises/commitment-{c.pk}/renegotiate/", {"due_at": due}, format="json")
            assert response.status_code == 200
            assert response.json()["due_at"] == "2026-03-30T08:00:00Z"
        c.refresh_from_db()
        assert c.due_at - start == dt.timedelta(hours=47)


class TestTrend:
    def test_median_minutes_per_month_and_no_counts(self, _frozen, as_alice, as_bob, couple, alice, bob):
        from couples.models import Couple

        Couple.objects.filter(pk=couple.pk).update(timezone="Europe/Berlin")
        # Three in February (20, 40, 90 minutes), one on 1 March 00:30 Berlin
        # (still February in UTC: the month is the couple's).
        for day, minutes in ((3, 20), (10, 40), (20, 90)):
            start = dt.datetime(2026, 2, day, 19, 0, tzinfo=UTC)
            t = period(couple, bob, due=start + dt.timedelta(minutes=20), status="kept", started=start)
            repair_of(couple, start=start + dt.timedelta(minutes=20), minutes=minutes - 20, timeout=t)
        start = dt.datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
        t = period(couple, alice, due=start + dt.timedelta(minutes=20), status="kept", started=start)
        repair_of(couple, start=start + dt.timedelta(minutes=30), minutes=30, timeout=t)
        # Not counted: a repair without a time-out, a stopped one.
        repair_of(couple, start=NOW - dt.timedelta(days=3))
        t = period(
            couple, alice, due=NOW - dt.timedelta(days=2), status="kept", started=NOW - dt.timedelta(days=2, hours=1)
        )
        repair_of(couple, start=NOW - dt.timedelta(days=2), timeout=t, status=Repair.Status.STOPPED)
        for client in (as_alice, as_bob):
            body = client.get("/api/v1/repairs/trend/").json()
            assert body == {
                "timezone": "Europe/Berlin",
                "months": [{"month": "2026-02", "median_minutes": 40}, {"month": "2026-03", "median_minutes": 60}],
            }
        text = str(body)
        assert "count" not in text and "total" not in text

    def test_mallory_and_theo_get_404(self, as_mallory, as_theo_ready, mallory_couple, couple):
        assert as_theo_ready.get("/api/v1/repairs/trend/").status_code == 404
        body = as_mallory.get("/api/v1/repairs/trend/").json()
        assert body["months"] == []


def _bulk(couple, alice, bob, n: int) -> None:
    """``n`` promises of every source, alternating makers."""
    now = timezone.now()
    SpacePeriod.objects.bulk_create(
        SpacePeriod(
            couple=couple,
            author=alice if i % 2 else bob,
            kind=Kind.TIMEOUT,
            started_at=now - dt.timedelta(days=i + 1, minutes=30),
            first_reconnect_by=now - dt.timedelta(days=i + 1),
            reconnect_by=now - dt.timedelta(days=i + 1),
            status="missed" if i % 3 else "kept",
            reconnected_at=None if i % 3 else now - dt.timedelta(days=i + 1),
            closed_at=now - dt.timedelta(days=i + 1),
        )
        for i in range(n)
    )
    repairs = Repair.objects.bulk_create(
        Repair(
            couple=couple,
            status="completed",
            created_at=now - dt.timedelta(days=i + 1),
            expires_at=now + dt.timedelta(days=6),
            closed_at=now - dt.timedelta(days=i + 1, minutes=-30),
        )
        for i in range(n)
    )
    Commitment.objects.bulk_create(
        Commitment(repair=r, author=alice, text="x", due_at=now + dt.timedelta(days=i % 80 + 1))
        for i, r in enumerate(repairs)
    )
    # Agreement reviews: about one period per promise of the other sources
    # (weekly reviews accepted 50 weeks ago, one agreement per 50).
    accepted = now - dt.timedelta(weeks=50)
    agreements = Agreement.objects.bulk_create(
        Agreement(couple=couple, status="active", active_since=accepted) for _ in range(max(n // 50, 1))
    )
    AgreementVersion.objects.bulk_create(
        AgreementVersion(
            agreement=a,
            number=1,
            title="x",
            category="other",
            review_every_days=7,
            proposed_by=alice,
            accepted_by=bob,
            accepted_at=accepted,
        )
        for a in agreements
    )


class TestQueries:
    # auth (the token and its user), the page (one UNION ALL statement).
    QUERIES = 2

    def _count(self, client, path):
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        return len(queries), response.json()

    @pytest.mark.parametrize(("query", "first"), [("", 5), ("?state=missed", 5), ("?state=ended", 5), ("?page=2", 30)])
    def test_the_ledger_is_constant_from_10_to_10000_rows(self, as_alice, couple, alice, bob, query, first):
        _bulk(couple, alice, bob, first)
        few, body = self._count(as_alice, f"/api/v1/promises/{query}")
        assert body["results"]
        _bulk(couple, alice, bob, 5000 - first)
        many, body = self._count(as_alice, f"/api/v1/promises/{query}")
        assert len(body["results"]) == 50 and body["next"]
        assert (few, many) == (self.QUERIES, self.QUERIES)

    def test_the_trend_is_constant(self, as_alice, couple, alice, bob):
        def timeouts(n):
            now = timezone.now()
            for i in range(n):
                start = now - dt.timedelta(days=i % 300 + 1)
                t = period(couple, alice, due=start + dt.timedelta(minutes=20), status="kept", started=start)
                repair_of(couple, start=start + dt.timedelta(minutes=25), timeout=t)

        timeouts(10)
        few, _ = self._count(as_alice, "/api/v1/repairs/trend/")
        timeouts(190)
        many, body = self._count(as_alice, "/api/v1/repairs/trend/")
        assert few == many == 3  # auth, the couple, the trend
        assert body["months"]


class TestWholeLife:
    def test_export_holds_my_own_and_the_couples_never_the_partners(self, _frozen, couple, alice, bob, world):
        from home.selectors import user_export

        mine = {row["id"]: row["state"] for row in user_export(user=alice)["promises"]}
        assert mine == {
            f"commitment-{world['a_open'].pk}": "open",
            f"space-{world['a_missed'].pk}": "missed",
        }

    def test_after_a_leave_each_keeps_their_own(self, _frozen, couple, alice, bob, world):
        from couples.services import couple_leave
        from home.selectors import user_export

        couple_leave(user=alice, password=PASSWORD)
        mine = {row["id"]: row["state"] for row in user_export(user=alice)["promises"]}
        theirs = {row["id"]: row["state"] for row in user_export(user=bob)["promises"]}
        # Open commitments end with the couple, silently (never missed).
        assert mine[f"commitment-{world['a_open'].pk}"] == "ended"
        assert theirs[f"space-{world['b_missed'].pk}"] == "missed"
        assert f"space-{world['a_missed'].pk}" not in theirs

    def test_erasure_takes_the_rows_that_hold_them(self, _frozen, couple, alice, bob, world):
        from accounts.erasure import erasure_steps_run

        erasure_steps_run(user=alice, password=PASSWORD)
        rows = selectors.ledger(couple_ids=[couple.pk], viewer_id=None)
        assert {r["p_made_by"] for r in rows} == {bob.pk}


class TestTrendWindow:
    def test_the_last_twelve_whole_months_only(self, _frozen, as_alice, couple, alice):
        # NOW is 19 March 2026: April 2025 is the first month shown, whole.
        for start in (dt.datetime(2025, 3, 31, 12, tzinfo=UTC), dt.datetime(2025, 4, 1, 12, tzinfo=UTC)):
            t = period(couple, alice, due=start + dt.timedelta(minutes=20), status="kept", started=start)
            repair_of(couple, start=start + dt.timedelta(minutes=25), minutes=35, timeout=t)
        months = as_alice.get("/api/v1/repairs/trend/").json()["months"]
        assert months == [{"month": "2025-04", "median_minutes": 60}]


class TestTherapistQueries:
    def test_the_therapists_promises_read_is_constant(self, as_theo_ready, couple, alice, bob, theo):
        active_grant(couple, alice, bob, theo, scopes=["promises"])
        path = f"/api/v1/therapist/couples/{couple.pk}/promises/"
        _bulk(couple, alice, bob, 5)
        as_theo_ready.get(path)
        with CaptureQueriesContext(connection) as few:
            assert as_theo_ready.get(path).status_code == 200
        _bulk(couple, alice, bob, 995)
        with CaptureQueriesContext(connection) as many:
            response = as_theo_ready.get(path)
        assert len(response.json()) == 200
        assert len(few) == len(many)
