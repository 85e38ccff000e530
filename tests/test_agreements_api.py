"""The agreements API: mutual acceptance of exactly one wording, versions,
decline and retire, reflections revealed together, and who may see what."""

import datetime as dt
import json

import pytest
import time_machine

from agreements import services
from agreements.models import Agreement, AgreementVersion, Reflection

from .conftest import client_for

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday: 10:00 in Berlin

PHONES = {
    "title": "Phones away at dinner",
    "details": "Both phones go in the basket from 19:00 to 20:00, unless one of us is on call.",
    "category": "phones_and_privacy",
    "review_every_days": 14,
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def propose(client, **over):
    body = {**PHONES, **over}
    return client.post("/api/v1/agreements/", body, format="json")


def url(agreement_id, action=""):
    return f"/api/v1/agreements/{agreement_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def proposed(couple, as_alice):
    return propose(as_alice).json()


@pytest.fixture
def active(proposed, as_bob):
    response = as_bob.post(url(proposed["id"], "accept"), {"version": 1}, format="json")
    assert response.status_code == 200
    return response.json()


class TestProposeAndAccept:
    def test_proposed_until_the_other_accepts_the_same_version(self, couple, alice, bob, as_alice, as_bob):
        response = propose(as_alice)

        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "proposed"
        assert body["version"] == 1
        assert body["title"] == PHONES["title"] and body["details"] == PHONES["details"]
        assert body["category"] == "phones_and_privacy" and body["category_label"] == "Phones and privacy"
        assert body["review_every_days"] == 14
        assert body["proposed_by"] == alice.pk and body["accepted_by"] is None
        assert body["can_accept"] is False
        assert as_bob.get(url(body["id"])).json()["can_accept"] is True

        accepted = as_bob.post(url(body["id"], "accept"), {"version": 1}, format="json")

        assert accepted.status_code == 200
        after = accepted.json()
        assert after["status"] == "active"
        assert after["accepted_by"] == bob.pk and after["proposed_by"] == alice.pk
        assert after["accepted_at"] == "2026-03-02T09:00:00Z"
        assert after["active_since"] == "2026-03-02T09:00:00Z"
        assert as_alice.get(url(body["id"])).json()["status"] == "active"

    def test_the_proposer_cannot_accept_their_own_version(self, as_alice, proposed):
        response = as_alice.post(url(proposed["id"], "accept"), {"version": 1}, format="json")

        assert response.status_code == 403
        agreement = Agreement.objects.get(pk=proposed["id"])
        assert agreement.status == "proposed"
        assert AgreementVersion.objects.get(agreement=agreement).accepted_by is None

    def test_accepting_a_stale_version_is_a_conflict(self, as_alice, as_bob, proposed):
        as_alice.post(url(proposed["id"], "amend"), {"version": 1, "title": "Phones away at meals"}, format="json")

        stale = as_bob.post(url(proposed["id"], "accept"), {"version": 1}, format="json")

        assert stale.status_code == 409
        assert stale.json()["current_version"] == 2
        assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"
        ok = as_bob.post(url(proposed["id"], "accept"), {"version": 2}, format="json")
        assert ok.status_code == 200 and ok.json()["title"] == "Phones away at meals"

    def test_accepting_needs_the_version(self, as_bob, proposed):
        response = as_bob.post(url(proposed["id"], "accept"), {}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()
        assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"

    def test_accepting_twice_is_a_conflict(self, as_bob, active):
        assert as_bob.post(url(active["id"], "accept"), {"version": 1}, format="json").status_code == 409

    def test_an_unknown_version_is_a_conflict(self, as_bob, proposed):
        assert as_bob.post(url(proposed["id"], "accept"), {"version": 7}, format="json").status_code == 409
        assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"

    def test_review_interval_is_optional(self, as_alice, couple):
        body = {k: v for k, v in PHONES.items() if k != "review_every_days"}
        response = as_alice.post("/api/v1/agreements/", body, format="json")
        assert response.status_code == 201
        assert response.json()["review_every_days"] is None
        minimal = as_alice.post("/api/v1/agreements/", {"title": "Kind words", "category": "other"}, format="json")
        assert minimal.status_code == 201 and minimal.json()["details"] == ""


class TestAmend:
    def test_amending_makes_a_new_version_proposed_by_the_amender(self, alice, bob, as_alice, as_bob, active):
        response = as_bob.post(
            url(active["id"], "amend"),
            {
                "version": 1,
                "details": "Phones in the basket at dinner; on-call days excepted.",
                "review_every_days": 30,
            },
            format="json",
        )

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "proposed" and body["version"] == 2
        assert body["proposed_by"] == bob.pk and body["accepted_by"] is None
        assert body["title"] == PHONES["title"]  # unchanged fields carry over
        assert body["review_every_days"] == 30
        assert body["active_since"] is None
        # Bob cannot accept his own wording; Alice can.
        assert as_bob.post(url(active["id"], "accept"), {"version": 2}, format="json").status_code == 403
        assert as_alice.post(url(active["id"], "accept"), {"version": 2}, format="json").json()["status"] == "active"

    def test_every_version_is_kept_with_who_and_when(self, alice, bob, as_alice, as_bob, active, _frozen):
        _frozen.shift(dt.timedelta(days=3))
        as_bob.post(url(active["id"], "amend"), {"version": 1, "title": "Phones away at meals"}, format="json")
        as_alice.post(url(active["id"], "accept"), {"version": 2}, format="json")

        versions = as_alice.get(url(active["id"], "versions")).json()

        assert versions["count"] == 2
        v2, v1 = versions["results"]
        assert (v1["number"], v1["title"], v1["proposed_by"], v1["accepted_by"]) == (
            1,
            PHONES["title"],
            alice.pk,
            bob.pk,
        )
        assert v1["proposed_at"] == "2026-03-02T09:00:00Z" and v1["accepted_at"] == "2026-03-02T09:00:00Z"
        assert (v2["number"], v2["title"], v2["proposed_by"], v2["accepted_by"]) == (
            2,
            "Phones away at meals",
            bob.pk,
            alice.pk,
        )
        assert v2["proposed_at"] == "2026-03-05T09:00:00Z"

    def test_a_stale_amend_is_a_conflict_and_changes_nothing(self, as_alice, as_bob, proposed):
        as_alice.post(url(proposed["id"], "amend"), {"version": 1, "title": "First change"}, format="json")

        response = as_bob.post(url(proposed["id"], "amend"), {"version": 1, "title": "Second change"}, format="json")

        assert response.status_code == 409
        assert list(AgreementVersion.objects.order_by("number").values_list("title", flat=True)) == [
            PHONES["title"],
            "First change",
        ]

    def test_the_same_wording_is_not_a_new_version(self, as_bob, active):
        response = as_bob.post(url(active["id"], "amend"), {"version": 1, "title": PHONES["title"]}, format="json")
        assert response.status_code == 400
        assert Agreement.objects.get(pk=active["id"]).status == "active"

    def test_nothing_to_change(self, as_bob, active):
        response = as_bob.post(url(active["id"], "amend"), {"version": 1}, format="json")
        assert response.status_code == 400
        assert AgreementVersion.objects.count() == 1

    def test_clearing_the_review_interval(self, as_bob, active):
        body = as_bob.post(url(active["id"], "amend"), {"version": 1, "review_every_days": None}, format="json").json()
        assert body["review_every_days"] is None and body["version"] == 2

    def test_a_retired_agreement_cannot_be_amended(self, as_alice, as_bob, active):
        as_alice.post(url(active["id"], "retire"), {"reason": "We don't need it now"}, format="json")
        response = as_bob.post(url(active["id"], "amend"), {"version": 1, "title": "Back again"}, format="json")
        assert response.status_code == 409


class TestDeclineAndRetire:
    def test_decline_with_a_reason_both_see(self, bob, as_alice, as_bob, proposed):
        response = as_bob.post(url(proposed["id"], "decline"), {"reason": "I'm on call most evenings"}, format="json")

        assert response.status_code == 200
        for client in (as_alice, as_bob):
            body = client.get(url(proposed["id"])).json()
            assert body["status"] == "declined"
            assert body["declined_by"] == bob.pk and body["decline_reason"] == "I'm on call most evenings"
            assert body["declined_at"] == "2026-03-02T09:00:00Z"
        # Declined is not accepted, and cannot be accepted now.
        assert as_bob.post(url(proposed["id"], "accept"), {"version": 1}, format="json").status_code == 409

    def test_a_declined_agreement_can_be_amended_into_a_new_proposal(self, bob, as_alice, as_bob, proposed):
        as_bob.post(url(proposed["id"], "decline"), {"reason": "Too strict"}, format="json")

        amended = as_bob.post(
            url(proposed["id"], "amend"), {"version": 1, "details": "Phones away at dinner on weekdays."}, format="json"
        )

        assert amended.status_code == 200
        body = amended.json()
        assert body["status"] == "proposed" and body["proposed_by"] == bob.pk and body["decline_reason"] == ""
        assert as_alice.post(url(proposed["id"], "accept"), {"version": 2}, format="json").status_code == 200
        v1 = AgreementVersion.objects.get(number=1)
        assert v1.declined_by == bob and v1.decline_reason == "Too strict" and v1.accepted_at is None

    def test_the_proposer_can_withdraw(self, alice, as_alice, proposed):
        body = as_alice.post(url(proposed["id"], "decline"), {}, format="json").json()
        assert body["status"] == "declined" and body["declined_by"] == alice.pk

    def test_decline_with_a_stale_version(self, as_alice, as_bob, proposed):
        as_alice.post(url(proposed["id"], "amend"), {"version": 1, "title": "Changed"}, format="json")
        response = as_bob.post(url(proposed["id"], "decline"), {"version": 1}, format="json")
        assert response.status_code == 409
        assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"

    def test_an_active_agreement_is_retired_not_declined(self, as_bob, active):
        assert as_bob.post(url(active["id"], "decline"), {}, format="json").status_code == 409

    def test_either_partner_retires_with_a_reason_both_see(self, alice, as_alice, as_bob, active):
        response = as_alice.post(url(active["id"], "retire"), {"reason": "We've moved past it"}, format="json")

        assert response.status_code == 200
        for client in (as_alice, as_bob):
            body = client.get(url(active["id"])).json()
            assert body["status"] == "retired"
            assert body["retired_by"] == alice.pk and body["retire_reason"] == "We've moved past it"
            assert body["retired_at"] == "2026-03-02T09:00:00Z"

    def test_the_reason_is_optional(self, as_bob, active):
        assert as_bob.post(url(active["id"], "retire"), {}, format="json").json()["status"] == "retired"

    def test_a_proposed_agreement_is_declined_not_retired(self, as_bob, proposed):
        assert as_bob.post(url(proposed["id"], "retire"), {}, format="json").status_code == 409
        assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"

    def test_retiring_twice(self, as_bob, active):
        as_bob.post(url(active["id"], "retire"), {}, format="json")
        assert as_bob.post(url(active["id"], "retire"), {}, format="json").status_code == 409

    def test_too_long_reasons(self, as_bob, as_alice, active):
        other = propose(as_alice, title="Another").json()
        r1 = as_bob.post(url(active["id"], "retire"), {"reason": "x" * 501}, format="json")
        r2 = as_bob.post(url(other["id"], "decline"), {"reason": "x" * 501}, format="json")
        assert r1.status_code == r2.status_code == 400
        assert "reason" in r1.json() and "reason" in r2.json()
        assert Agreement.objects.get(pk=active["id"]).status == "active"
        assert Agreement.objects.get(pk=other["id"]).status == "proposed"


class TestList:
    def test_list_and_filter(self, as_alice, as_bob, couple, active):
        propose(as_bob, title="Call if I'm late")
        body = as_alice.get("/api/v1/agreements/").json()
        assert body["count"] == 2 and set(body) >= {"count", "next", "previous", "results"}
        assert [a["title"] for a in as_alice.get("/api/v1/agreements/?status=active").json()["results"]] == [
            PHONES["title"]
        ]
        assert [a["title"] for a in as_alice.get("/api/v1/agreements/?status=proposed").json()["results"]] == [
            "Call if I'm late"
        ]

    def test_unknown_status_filter(self, as_alice, couple):
        response = as_alice.get("/api/v1/agreements/?status=imposed")
        assert response.status_code == 400 and "status" in response.json()

    def test_list_query_count_does_not_grow(self, as_alice, as_bob, couple, alice, bob, django_assert_max_num_queries):
        for i in range(3):
            propose(as_alice, title=f"Agreement {i}")
        # token, session check, page (the count and the couple come with it; the current version joined in)
        with django_assert_max_num_queries(3) as few:
            assert as_alice.get("/api/v1/agreements/").json()["count"] == 3
        for i in range(30):
            a = services.agreement_propose(couple=couple, user=alice, title=f"More {i}", category="other")
            if i % 2:
                services.agreement_amend(agreement=a, user=bob, version=1, changes={"details": "changed"})
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = as_alice.get("/api/v1/agreements/")
        assert response.json()["count"] == 33

    def test_versions_query_count_does_not_grow(self, as_alice, as_bob, active, django_assert_max_num_queries):
        with django_assert_max_num_queries(6) as few:
            as_alice.get(url(active["id"], "versions"))
        baseline = len(few.captured_queries)  # read now: each request resets Django's query log
        for n in range(1, 20):
            client = as_bob if n % 2 else as_alice
            client.post(url(active["id"], "amend"), {"version": n, "title": f"Wording {n}"}, format="json")
        with django_assert_max_num_queries(baseline):
            assert as_alice.get(url(active["id"], "versions")).json()["count"] == 20


class TestBadInput:
    @pytest.mark.parametrize(
        ("over", "field"),
        [
            ({"title": ""}, "title"),
            ({"title": "   "}, "title"),
            ({"title": "x" * 121}, "title"),
            ({"title": ["a list"]}, "title"),
            ({"title": None}, "title"),
            ({"details": "x" * 2001}, "details"),
            ({"details": {"not": "text"}}, "details"),
            ({"category": "chores"}, "category"),
            ({"category": ""}, "category"),
            ({"category": None}, "category"),
            ({"review_every_days": 0}, "review_every_days"),
            ({"review_every_days": 6}, "review_every_days"),
            ({"review_every_days": 366}, "review_every_days"),
            ({"review_every_days": "weekly"}, "review_every_days"),
            ({"review_every_days": True}, "review_every_days"),
        ],
    )
    def test_bad_proposals(self, as_alice, couple, over, field):
        response = propose(as_alice, **over)
        assert response.status_code == 400
        assert field in response.json()
        assert isinstance(response.json()[field], list)
        assert not Agreement.objects.exists()

    def test_missing_fields(self, as_alice, couple):
        response = as_alice.post("/api/v1/agreements/", {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"title", "category"}

    def test_malformed_json(self, as_alice, couple, active):
        for target in ("/api/v1/agreements/", url(active["id"], "amend"), url(active["id"], "reflections")):
            response = as_alice.post(target, "{not json", content_type="application/json")
            assert response.status_code == 400
        assert AgreementVersion.objects.count() == 1

    def test_a_body_that_is_not_an_object(self, as_alice, couple):
        response = as_alice.post("/api/v1/agreements/", json.dumps(["a", "list"]), content_type="application/json")
        assert response.status_code == 400

    @pytest.mark.parametrize(
        "body",
        [
            {"version": 1, "title": ""},
            {"version": 1, "category": "chores"},
            {"version": 1, "details": "x" * 2001},
            {"version": 1, "review_every_days": 3},
            {"version": "one", "title": "x"},
            {"title": "No version given"},
            {"version": 0, "title": "x"},
        ],
    )
    def test_bad_amendments_keep_the_agreement(self, as_bob, active, body):
        response = as_bob.post(url(active["id"], "amend"), body, format="json")
        assert response.status_code == 400
        agreement = Agreement.objects.get(pk=active["id"])
        assert (agreement.status, agreement.version) == ("active", 1)
        assert AgreementVersion.objects.get().title == PHONES["title"]

    @pytest.mark.parametrize("version", ["1x", None, [1], 1.5])
    def test_bad_accept_version(self, as_bob, proposed, version):
        response = as_bob.post(url(proposed["id"], "accept"), {"version": version}, format="json")
        assert response.status_code == 400
        assert Agreement.objects.get(pk=proposed["id"]).status == "proposed"


class TestReflections:
    def test_the_partners_reflection_is_invisible_until_both_reflected(self, alice, bob, as_alice, as_bob, active):
        target = url(active["id"], "reflections")
        posted = as_alice.post(target, {"outcome": "partly", "note": "ALICE-PRIVATE-NOTE"}, format="json")

        assert posted.status_code == 201
        assert posted.json()["mine"]["outcome"] == "partly" and posted.json()["partner"] is None
        # Bob sees nothing of it: not the outcome, not the note, not even the period.
        raw = as_bob.get(target).content.decode()
        assert "ALICE-PRIVATE-NOTE" not in raw and "partly" not in raw
        body = json.loads(raw)
        assert body["count"] == 0 and body["results"] == []
        assert body["current_period"] == {"start": "2026-03-02", "end": "2026-03-15"}
        for client in (as_alice, as_bob):
            follow = client.get(url(active["id"], "followthrough")).json()
            assert follow["periods"] == [] and all(p["partly"] == 0 for p in follow["partners"])
            assert follow["together"] == {"periods": 0, "kept": 0}
        # Alice sees her own only.
        mine = as_alice.get(target).json()["results"]
        assert len(mine) == 1 and mine[0]["partner"] is None and mine[0]["revealed_at"] is None

        both = as_bob.post(target, {"outcome": "kept", "note": "BOB-NOTE"}, format="json")

        assert both.status_code == 201
        body = both.json()
        assert body["revealed_at"] == "2026-03-02T09:00:00Z"
        assert body["mine"]["outcome"] == "kept" and body["mine"]["author"] == bob.pk
        assert body["partner"] == {
            "author": alice.pk,
            "outcome": "partly",
            "note": "ALICE-PRIVATE-NOTE",
            "created_at": "2026-03-02T09:00:00Z",
            "updated_at": "2026-03-02T09:00:00Z",
        }
        for client, theirs in ((as_alice, "BOB-NOTE"), (as_bob, "ALICE-PRIVATE-NOTE")):
            period = client.get(target).json()["results"][0]
            assert period["partner"]["note"] == theirs
            assert (period["period_start"], period["period_end"]) == ("2026-03-02", "2026-03-15")

    def test_reposting_edits_until_the_reveal_then_409(self, as_alice, as_bob, active):
        target = url(active["id"], "reflections")
        as_alice.post(target, {"outcome": "missed"}, format="json")
        edited = as_alice.post(target, {"outcome": "kept", "note": "Actually, I did."}, format="json")
        assert edited.status_code == 200
        assert Reflection.objects.get().outcome == "kept"

        as_bob.post(target, {"outcome": "kept"}, format="json")
        for client in (as_alice, as_bob):
            late = client.post(target, {"outcome": "missed", "note": "changing my mind"}, format="json")
            assert late.status_code == 409
        assert sorted(Reflection.objects.values_list("outcome", "note")) == [("kept", ""), ("kept", "Actually, I did.")]

    def test_a_new_period_starts_fresh(self, as_alice, as_bob, active, _frozen):
        target = url(active["id"], "reflections")
        as_alice.post(target, {"outcome": "kept"}, format="json")
        as_bob.post(target, {"outcome": "kept"}, format="json")
        _frozen.shift(dt.timedelta(days=14))  # 16 March: the second 14-day period

        response = as_alice.post(target, {"outcome": "partly"}, format="json")

        assert response.status_code == 201
        assert (response.json()["period_start"], response.json()["period_end"]) == ("2026-03-16", "2026-03-29")
        assert response.json()["partner"] is None
        periods = as_alice.get(target).json()["results"]
        assert [p["period_start"] for p in periods] == ["2026-03-16", "2026-03-02"]
        assert periods[1]["partner"]["outcome"] == "kept"

    def test_without_a_review_interval_the_period_is_the_iso_week(self, as_alice, as_bob, couple, _frozen):
        a = propose(as_alice, review_every_days=None).json()
        as_bob.post(url(a["id"], "accept"), {"version": 1}, format="json")
        _frozen.move_to(dt.datetime(2026, 3, 8, 22, 30, tzinfo=UTC))  # Sunday 23:30 in Berlin
        body = as_alice.post(url(a["id"], "reflections"), {"outcome": "kept"}, format="json").json()
        assert (body["period_start"], body["period_end"]) == ("2026-03-02", "2026-03-08")
        _frozen.move_to(dt.datetime(2026, 3, 8, 23, 30, tzinfo=UTC))  # Monday 00:30 in Berlin
        body = as_alice.post(url(a["id"], "reflections"), {"outcome": "kept"}, format="json").json()
        assert (body["period_start"], body["period_end"]) == ("2026-03-09", "2026-03-15")

    def test_only_an_active_agreement_is_reflected_on(self, as_alice, proposed):
        response = as_alice.post(url(proposed["id"], "reflections"), {"outcome": "kept"}, format="json")
        assert response.status_code == 409
        assert not Reflection.objects.exists()

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"outcome": "perfect"}, "outcome"),
            ({"outcome": ""}, "outcome"),
            ({}, "outcome"),
            ({"outcome": "kept", "note": "x" * 501}, "note"),
            ({"outcome": "kept", "note": ["x"]}, "note"),
        ],
    )
    def test_bad_reflections_keep_what_was_saved(self, as_alice, active, body, field):
        target = url(active["id"], "reflections")
        as_alice.post(target, {"outcome": "kept", "note": "saved"}, format="json")
        response = as_alice.post(target, body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert list(Reflection.objects.values_list("outcome", "note")) == [("kept", "saved")]

    def test_followthrough_is_what_they_did_together_and_each_their_own(
        self, alice, bob, as_alice, as_bob, active, _frozen, django_assert_max_num_queries
    ):
        """No scorekeeping between partners (issue #20, item 10): the couple's
        periods together, and only the caller's own totals and outcomes."""
        target = url(active["id"], "reflections")
        for a_outcome, b_outcome in (("kept", "kept"), ("partly", "kept"), ("missed", "partly")):
            as_alice.post(target, {"outcome": a_outcome, "note": "secret-a"}, format="json")
            as_bob.post(target, {"outcome": b_outcome, "note": "secret-b"}, format="json")
            _frozen.shift(dt.timedelta(days=14))
        as_alice.post(target, {"outcome": "missed"}, format="json")  # not revealed: not counted

        as_alice.get(url(active["id"], "followthrough"))
        with django_assert_max_num_queries(6):  # auth, the agreement, one for the follow-through
            body = as_alice.get(url(active["id"], "followthrough")).json()

        assert body["together"] == {"periods": 3, "kept": 1}
        assert body["partners"] == [
            {"partner_id": alice.pk, "display_name": "Alice", "you": True, "kept": 1, "partly": 1, "missed": 1},
        ]
        assert [p["outcomes"] for p in body["periods"]] == [
            [{"partner_id": alice.pk, "outcome": "missed"}],
            [{"partner_id": alice.pk, "outcome": "partly"}],
            [{"partner_id": alice.pk, "outcome": "kept"}],
        ]
        assert [p["both_kept"] for p in body["periods"]] == [False, False, True]
        assert (
            "secret" not in json.dumps(body)
            and "Bob" not in json.dumps(body)
            and str(bob.pk) not in [str(o["partner_id"]) for p in body["periods"] for o in p["outcomes"]]
        )
        bobs = as_bob.get(url(active["id"], "followthrough")).json()
        assert bobs["together"] == body["together"]
        assert bobs["partners"] == [
            {"partner_id": bob.pk, "display_name": "Bob", "you": True, "kept": 2, "partly": 1, "missed": 0},
        ]

    def test_reflections_list_query_count(self, as_alice, as_bob, active, _frozen, django_assert_max_num_queries):
        target = url(active["id"], "reflections")

        def reflect_periods(n):
            for _ in range(n):
                as_alice.post(target, {"outcome": "kept"}, format="json")
                as_bob.post(target, {"outcome": "partly"}, format="json")
                _frozen.shift(dt.timedelta(days=14))

        reflect_periods(2)
        as_alice.get(target)  # the token's own refresh (knox) after the clock moved is not ours to count
        with django_assert_max_num_queries(7) as few:
            as_alice.get(target)
        baseline = len(few.captured_queries)  # read now: each request resets Django's query log
        reflect_periods(15)
        as_alice.get(target)
        with django_assert_max_num_queries(baseline):
            body = as_alice.get(target).json()
        assert body["count"] == 17
        assert all(p["partner"]["outcome"] == "partly" for p in body["results"])


class TestWhoMaySee:
    """mallory (a stranger with her own couple) and theo (a therapist, no
    consent) get 404 on every agreement endpoint of alice and bob."""

    @pytest.fixture
    def targets(self, active):
        a = active["id"]
        return [
            ("get", url(a), None),
            ("post", url(a, "accept"), {"version": 1}),
            ("post", url(a, "amend"), {"version": 1, "title": "Mallory's words"}),
            ("post", url(a, "decline"), {"reason": "no"}),
            ("post", url(a, "retire"), {"reason": "no"}),
            ("get", url(a, "versions"), None),
            ("get", url(a, "reflections"), None),
            ("post", url(a, "reflections"), {"outcome": "missed", "note": "x"}),
            ("get", url(a, "followthrough"), None),
        ]

    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_get_404(self, request, targets, mallory_couple, who):
        client = client_for(request.getfixturevalue(who))
        for method, target, body in targets:
            response = getattr(client, method)(target, body, format="json")
            assert response.status_code == 404, (who, method, target, response.status_code)
        agreement = Agreement.objects.get()
        assert (agreement.status, agreement.version, agreement.retired_at) == ("active", 1, None)
        assert not Reflection.objects.exists()

    def test_mallorys_list_holds_nothing_of_theirs(self, as_mallory, mallory_couple, active):
        assert as_mallory.get("/api/v1/agreements/").json()["count"] == 0

    def test_unpaired_and_anonymous(self, api, as_theo, active):
        assert api.get("/api/v1/agreements/").status_code == 401
        assert api.post("/api/v1/agreements/", PHONES, format="json").status_code == 401
        assert api.get(url(active["id"])).status_code == 401
        assert as_theo.get("/api/v1/agreements/").status_code == 404
        assert as_theo.post("/api/v1/agreements/", PHONES, format="json").status_code == 404
        assert Agreement.objects.count() == 1

    def test_a_missing_agreement(self, as_alice, couple):
        assert as_alice.get(url(999999)).status_code == 404

    def test_a_former_partner_loses_access(self, as_alice, as_bob, alice, active):
        from couples.services import couple_leave

        from .factories import PASSWORD

        couple_leave(user=alice, password=PASSWORD)
        assert as_bob.get(url(active["id"])).status_code == 404
        assert as_alice.get(url(active["id"])).status_code == 404
