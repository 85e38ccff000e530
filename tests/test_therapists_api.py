# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Therapist access through the API: connect codes, consent grants (request,
approve, revoke, expiry, leaving), the second factor for therapists, the
summary's gate, the access log, and bad input."""

import datetime as dt
import json

import pytest
import time_machine

from couples.services import couple_leave
from reminders.dispatch import dispatch_tick
from reminders.models import Notification
from therapists import services
from therapists.models import CODE_ALPHABET, AccessEvent, AppendOnly, ConnectCode, Grant

from .conftest import client_for
from .factories import PASSWORD
from .test_therapists_support import (  # noqa: F401 - fixtures
    ALL_SCOPES,
    ALL_SUMMARY_SCOPES,
    active_grant,
    as_theo_ready,
    give_totp,
    keystore,
    make_grant,
    ready_client,
    theo_totp,
    theos_grant,
    totp_code,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # 19:00 in Berlin (alice), 13:00 in New York (bob)
GRANTS = "/api/v1/couple/therapist-grants/"
MISSING = 987654321


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def summary_url(couple_id) -> str:
    return f"/api/v1/therapist/couples/{couple_id}/summary/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_quiet_hours(alice, bob):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


@pytest.fixture
def code(theo):
    return services.connect_code_create(therapist=theo)


def request_body(connect, **overrides):
    body = {
        "code": connect.code,
        "scopes": ["checkin_consistency", "mood_trends"],
        "expires_at": iso(NOW + dt.timedelta(days=90)),
    }
    body.update(overrides)
    return body


# --- connect codes ------------------------------------------------------------------------------------


class TestConnectCodes:
    def test_a_therapist_makes_a_typeable_single_use_code_for_a_week(self, as_theo_ready, theo):
        response = as_theo_ready.post("/api/v1/therapist/connect-codes/")

        assert response.status_code == 201
        body = response.json()
        assert len(body["code"]) == 8 and set(body["code"]) <= set(CODE_ALPHABET)
        assert body["display_code"] == f"{body['code'][:4]}-{body['code'][4:]}"
        assert body["expires_at"] == iso(NOW + dt.timedelta(days=7))
        assert ConnectCode.objects.get(therapist=theo).used_at is None

    def test_the_therapist_lists_only_their_own_unused_codes(self, as_theo_ready, theo, code):
        services.connect_code_create(therapist=give_totp_to_new_therapist())
        used = services.connect_code_create(therapist=theo)
        ConnectCode.objects.filter(pk=used.pk).update(used_at=NOW)

        response = as_theo_ready.get("/api/v1/therapist/connect-codes/")

        assert response.status_code == 200
        assert [c["code"] for c in response.json()["results"]] == [code.code]

    def test_partners_cannot_make_codes(self, as_alice, couple):
        response = as_alice.post("/api/v1/therapist/connect-codes/")

        assert response.status_code == 403
        assert ConnectCode.objects.count() == 0

    def test_anonymous_gets_401(self, api):
        assert api.post("/api/v1/therapist/connect-codes/").status_code == 401

    def test_a_therapist_without_two_factor_gets_403_with_what_to_do(self, as_theo):
        response = as_theo.post("/api/v1/therapist/connect-codes/")

        assert response.status_code == 403
        assert response.json()["code"] == "mfa_setup_required"
        assert "two-factor" in response.json()["detail"]
        assert ConnectCode.objects.count() == 0


def give_totp_to_new_therapist():
    from accounts.models import User

    from .factories import UserFactory

    user = UserFactory(role=User.Role.THERAPIST)
    give_totp(user)
    return user


# --- the second factor on API tokens ------------------------------------------------------------------------


class TestTokenConfirmation:
    def test_a_token_reads_nothing_until_confirmed_with_a_code(self, theo, theo_totp, couple, theos_grant):
        client = client_for(theo)

        before = client.get(summary_url(couple.pk))
        confirmed = client.post("/api/v1/therapist/verify/", {"code": totp_code()}, format="json")
        after = client.get(summary_url(couple.pk))

        assert before.status_code == 403
        assert before.json()["code"] == "mfa_confirmation_required"
        assert confirmed.status_code == 200
        assert after.status_code == 200
        assert AccessEvent.objects.count() == 1

    def test_a_wrong_code_is_a_field_error(self, theo, theo_totp):
        client = client_for(theo)

        response = client.post("/api/v1/therapist/verify/", {"code": "000000"}, format="json")

        assert response.status_code == 400
        assert list(response.json()) == ["code"]

    def test_a_code_works_once(self, theo, theo_totp):
        code = totp_code()
        first = client_for(theo).post("/api/v1/therapist/verify/", {"code": code}, format="json")
        second = client_for(theo).post("/api/v1/therapist/verify/", {"code": code}, format="json")

        assert first.status_code == 200
        assert second.status_code == 400

    @pytest.mark.parametrize(("steps", "accepted"), [(-1, True), (1, True), (-2, False), (2, False)])
    def test_a_code_one_step_either_side_is_accepted_two_steps_is_not(self, theo, theo_totp, steps, accepted):
        # A phone clock a little off, or a code typed as it turns over, works;
        # one from a minute ago does not.
        with time_machine.travel(dt.datetime(2026, 11, 22, 9, 0, 15, tzinfo=dt.UTC), tick=False):
            code = totp_code(at=dt.datetime(2026, 11, 22, 9, 0, 15, tzinfo=dt.UTC) + dt.timedelta(seconds=30 * steps))
            response = client_for(theo).post("/api/v1/therapist/verify/", {"code": code}, format="json")

        assert (response.status_code == 200) is accepted

    def test_a_recovery_code_works_too(self, theo, theo_totp):
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

        codes = RecoveryCodes.activate(theo).generate_codes()

        response = client_for(theo).post("/api/v1/therapist/verify/", {"code": codes[0]}, format="json")

        assert response.status_code == 200

    def test_without_two_factor_there_is_nothing_to_confirm(self, as_theo):
        response = as_theo.post("/api/v1/therapist/verify/", {"code": "123456"}, format="json")

        assert response.status_code == 403

    def test_partners_never_need_it(self, as_alice):
        assert as_alice.post("/api/v1/therapist/verify/", {"code": "123456"}, format="json").status_code == 403

    def test_verification_is_throttled(self, theo, theo_totp):
        client = client_for(theo)
        statuses = [
            client.post("/api/v1/therapist/verify/", {"code": "000000"}, format="json").status_code for _ in range(6)
        ]

        assert statuses == [400] * 5 + [429]

    def test_it_lapses_after_15_idle_minutes(self, as_theo_ready, couple, theos_grant, _frozen):
        _frozen.shift(dt.timedelta(minutes=15, seconds=1))

        response = as_theo_ready.get(summary_url(couple.pk))

        assert response.status_code == 403
        assert response.json()["code"] == "mfa_confirmation_required"
        assert AccessEvent.objects.count() == 0

    def test_activity_keeps_it_alive_for_a_working_day_at_most(self, as_theo_ready, couple, theos_grant, _frozen):
        statuses = []
        for _ in range(6 * 12):  # every 10 minutes for 12 hours
            _frozen.shift(dt.timedelta(minutes=10))
            statuses.append(as_theo_ready.get("/api/v1/therapist/couples/").status_code)

        assert statuses[:-1] == [200] * (len(statuses) - 1)
        assert statuses[-1] == 403  # 12 hours after the code


# --- grants: asking ---------------------------------------------------------------------------------------


class TestRequest:
    def test_a_partner_asks_with_scopes_and_an_end(self, as_alice, alice, bob, theo, couple, code):
        response = as_alice.post(
            GRANTS, request_body(code, scopes=["mood_trends", "checkin_consistency"]), format="json"
        )

        assert response.status_code == 201
        body = response.json()
        assert body["therapist"] == {"id": theo.pk, "display_name": "Theo"}
        assert body["scopes"] == ["checkin_consistency", "mood_trends"]
        assert body["expires_at"] == iso(NOW + dt.timedelta(days=90))
        assert body["status"] == "pending"
        assert body["approvals"] == [{"partner_id": alice.pk, "display_name": "Alice", "approved_at": iso(NOW)}]
        assert body["waiting_for_me"] is False
        code.refresh_from_db()
        assert code.used_at == NOW

    def test_the_other_partner_sees_it_waiting_for_them_and_is_told_without_details(
        self, as_alice, as_bob, bob, couple, code
    ):
        as_alice.post(GRANTS, request_body(code), format="json")

        listed = as_bob.get(GRANTS).json()
        dispatch_tick()

        assert listed["count"] == 1
        assert listed["results"][0]["waiting_for_me"] is True
        notes = list(Notification.objects.filter(user=bob).values_list("title", "url"))
        assert notes == [("Your partner would like to share a summary with a therapist", "/couple/therapists/")]
        assert Notification.objects.filter(user__email="alice@example.com").count() == 0

    def test_the_code_works_once(self, as_alice, as_mallory, mallory_couple, couple, code):
        first = as_alice.post(GRANTS, request_body(code), format="json")
        second = as_mallory.post(GRANTS, request_body(code), format="json")

        assert first.status_code == 201
        assert second.status_code == 400
        assert list(second.json()) == ["code"]
        assert Grant.objects.filter(couple=mallory_couple).count() == 0

    def test_an_expired_code_is_refused_like_an_unknown_one(self, as_alice, couple, code, _frozen):
        _frozen.shift(dt.timedelta(days=7, seconds=1))
        expired = as_alice.post(GRANTS, request_body(code, expires_at=iso(NOW + dt.timedelta(days=30))), format="json")
        unknown = as_alice.post(
            GRANTS, request_body(code, code="ABCD-EFGH", expires_at=iso(NOW + dt.timedelta(days=30))), format="json"
        )

        assert expired.status_code == unknown.status_code == 400
        assert expired.json() == unknown.json()

    def test_codes_are_typed_loosely(self, as_alice, couple, code):
        typed = f" {code.code[:4].lower()} - {code.code[4:]} "

        assert as_alice.post(GRANTS, request_body(code, code=typed), format="json").status_code == 201

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"scopes": []}, "scopes"),
            ({"scopes": ["diaries"]}, "scopes"),
            ({"scopes": "mood_trends"}, "scopes"),
            ({"scopes": [1]}, "scopes"),
            ({"expires_at": iso(NOW - dt.timedelta(days=1))}, "expires_at"),
            ({"expires_at": iso(NOW + dt.timedelta(hours=2))}, "expires_at"),
            ({"expires_at": iso(NOW + dt.timedelta(days=180, seconds=1))}, "expires_at"),
            ({"expires_at": "next week"}, "expires_at"),
            ({"expires_at": None}, "expires_at"),
            ({"code": ""}, "code"),
            ({"code": "X" * 33}, "code"),
            ({"code": "ABC"}, "code"),
            ({"code": 12345678}, "code"),
        ],
    )
    def test_bad_input_is_a_field_error_and_saves_nothing(self, as_alice, couple, code, change, field):
        response = as_alice.post(GRANTS, request_body(code, **change), format="json")

        assert response.status_code == 400
        assert field in response.json()
        assert isinstance(response.json()[field], list)
        assert Grant.objects.count() == 0
        code.refresh_from_db()
        assert code.used_at is None

    @pytest.mark.parametrize("missing", ["code", "scopes", "expires_at"])
    def test_missing_fields(self, as_alice, couple, code, missing):
        body = request_body(code)
        del body[missing]

        response = as_alice.post(GRANTS, body, format="json")

        assert response.status_code == 400
        assert missing in response.json()

    def test_malformed_json(self, as_alice, couple, code):
        response = as_alice.post(GRANTS, "{not json", content_type="application/json")

        assert response.status_code == 400
        assert Grant.objects.count() == 0

    def test_exactly_180_days_is_allowed(self, as_alice, couple, code):
        response = as_alice.post(
            GRANTS, request_body(code, expires_at=iso(NOW + dt.timedelta(days=180))), format="json"
        )

        assert response.status_code == 201

    def test_one_open_request_per_therapist(self, as_alice, as_bob, couple, theo, code):
        as_alice.post(GRANTS, request_body(code), format="json")
        again = services.connect_code_create(therapist=theo)

        response = as_bob.post(GRANTS, request_body(again), format="json")

        assert response.status_code == 409
        assert Grant.objects.count() == 1
        again.refresh_from_db()
        assert again.used_at is None  # the conflict did not use the code up

    def test_after_a_grant_expired_a_new_one_can_be_asked(self, couple, alice, bob, theo, as_alice, _frozen):
        old = active_grant(couple, alice, bob, theo, days=2)
        _frozen.shift(dt.timedelta(days=3))
        code = services.connect_code_create(therapist=theo)

        response = as_alice.post(GRANTS, request_body(code, expires_at=iso(NOW + dt.timedelta(days=40))), format="json")

        assert response.status_code == 201
        old.refresh_from_db()
        assert old.end_reason == "expired"
        assert old.status == "expired"

    def test_a_therapist_or_someone_unpaired_cannot_ask(self, as_theo, theo, code):
        assert as_theo.post(GRANTS, request_body(code), format="json").status_code == 404
        assert as_theo.get(GRANTS).status_code == 404

    def test_anonymous_gets_401(self, api, code):
        assert api.post(GRANTS, request_body(code), format="json").status_code == 401
        assert api.get(GRANTS).status_code == 401


# --- grants: approving and stopping ---------------------------------------------------------------------------


@pytest.fixture
def pending(couple, alice, theo):
    return make_grant(couple, alice, theo, scopes=["checkin_consistency", "gratitude_frequency"], days=60)


def approve(client, grant, **body):
    return client.post(f"{GRANTS}{grant.pk}/approve/", body, format="json")


class TestApprove:
    def test_the_other_partner_approves_and_it_is_active(self, as_bob, alice, bob, pending):
        response = approve(as_bob, pending)

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "active"
        assert [a["partner_id"] for a in body["approvals"]] == [alice.pk, bob.pk]

    def test_the_one_who_asked_cannot_approve_it(self, as_alice, pending):
        response = approve(as_alice, pending)

        assert response.status_code == 403
        pending.refresh_from_db()
        assert pending.approved_at is None

    def test_approval_binds_to_exactly_what_was_asked(self, as_bob, pending):
        more = approve(as_bob, pending, scopes=["checkin_consistency", "gratitude_frequency", "trigger_patterns"])
        later = approve(as_bob, pending, expires_at=iso(NOW + dt.timedelta(days=61)))
        same = approve(
            as_bob, pending, scopes=["gratitude_frequency", "checkin_consistency"], expires_at=iso(pending.expires_at)
        )

        assert more.status_code == 409
        assert later.status_code == 409
        assert same.status_code == 200

    def test_approving_twice_is_a_conflict(self, as_bob, pending):
        approve(as_bob, pending)

        assert approve(as_bob, pending).status_code == 409

    def test_an_expired_request_cannot_be_approved(self, as_bob, couple, alice, theo, _frozen):
        short = make_grant(couple, alice, theo, days=2)
        _frozen.shift(dt.timedelta(days=2))

        response = approve(as_bob, short)

        assert response.status_code == 409
        assert response.json()["detail"] == "This request has passed its end date."

    def test_a_stopped_request_cannot_be_approved(self, as_alice, as_bob, pending):
        as_alice.post(f"{GRANTS}{pending.pk}/revoke/")

        assert approve(as_bob, pending).status_code == 409

    def test_bad_approval_input(self, as_bob, pending):
        assert approve(as_bob, pending, scopes=["nope"]).status_code == 400
        assert approve(as_bob, pending, expires_at="soon").status_code == 400
        pending.refresh_from_db()
        assert pending.approved_at is None


class TestRevoke:
    @pytest.mark.parametrize("who", ["as_alice", "as_bob"])
    def test_either_partner_stops_it_alone_and_theo_sees_404_on_his_next_request(
        self, request, who, as_theo_ready, couple, theos_grant
    ):
        assert as_theo_ready.get(summary_url(couple.pk)).status_code == 200

        response = request.getfixturevalue(who).post(f"{GRANTS}{theos_grant.pk}/revoke/")

        assert response.status_code == 200
        assert response.json()["status"] == "revoked"
        assert as_theo_ready.get(summary_url(couple.pk)).status_code == 404
        assert as_theo_ready.get("/api/v1/therapist/couples/").json()["count"] == 0

    def test_stopping_twice_is_a_conflict(self, as_alice, theos_grant):
        as_alice.post(f"{GRANTS}{theos_grant.pk}/revoke/")

        assert as_alice.post(f"{GRANTS}{theos_grant.pk}/revoke/").status_code == 409

    def test_leaving_the_couple_ends_every_grant(
        self, alice, couple, theos_grant, as_theo_ready, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            couple_leave(user=alice, password=PASSWORD)

        theos_grant.refresh_from_db()
        assert theos_grant.status == "revoked"
        assert theos_grant.end_reason == "couple_closed"
        assert as_theo_ready.get(summary_url(couple.pk)).status_code == 404

    def test_a_closed_couple_is_404_even_if_no_handler_ran(
        self, alice, couple, theos_grant, as_theo_ready, monkeypatch
    ):
        monkeypatch.setattr("couples.closing._HANDLERS", {})  # consent never depends on a handler
        couple_leave(user=alice, password=PASSWORD)

        theos_grant.refresh_from_db()
        assert theos_grant.ended_at is None
        assert as_theo_ready.get(summary_url(couple.pk)).status_code == 404


class TestWhoMaySeeGrants:
    @pytest.mark.parametrize("client_name", ["as_mallory", "as_theo"])
    @pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("post", "approve/"), ("post", "revoke/")])
    def test_strangers_and_therapists_get_404(self, request, mallory_couple, pending, client_name, method, suffix):
        client = request.getfixturevalue(client_name)

        response = getattr(client, method)(f"{GRANTS}{pending.pk}/{suffix}", {}, format="json")

        assert response.status_code == 404
        pending.refresh_from_db()
        assert pending.approved_at is None and pending.ended_at is None

    def test_mallory_lists_only_her_own(self, as_mallory, mallory_couple, pending):
        assert as_mallory.get(GRANTS).json()["count"] == 0

    def test_anonymous_gets_401(self, api, pending):
        assert api.get(f"{GRANTS}{pending.pk}/").status_code == 401
        assert api.post(f"{GRANTS}{pending.pk}/revoke/").status_code == 401

    def test_the_list_costs_the_same_queries_for_many_grants(
        self, as_alice, couple, alice, bob, django_assert_max_num_queries
    ):
        from accounts.models import User

        from .factories import UserFactory

        for _ in range(12):
            therapist = UserFactory(role=User.Role.THERAPIST)
            grant = make_grant(couple, alice, therapist)
            services.grant_revoke(grant=grant, user=bob)

        with django_assert_max_num_queries(6):
            response = as_alice.get(GRANTS)

        assert response.json()["count"] == 12


# --- the therapist's side ------------------------------------------------------------------------------------


class TestTherapistReads:
    def test_theo_lists_the_couples_that_share_with_him(self, as_theo_ready, couple, alice, bob, theos_grant):
        response = as_theo_ready.get("/api/v1/therapist/couples/")

        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert row["id"] == couple.pk
        assert row["partners"] == [
            {"id": alice.pk, "display_name": "Alice"},
            {"id": bob.pk, "display_name": "Bob"},
        ]
        assert row["expires_at"] == iso(theos_grant.expires_at)
        assert row["scopes"] == ALL_SCOPES

    def test_listing_is_logged_once_per_couple_listed(self, as_theo_ready, couple, theos_grant):
        as_theo_ready.get("/api/v1/therapist/couples/")

        (event,) = AccessEvent.objects.all()
        # theo's grant shares progress and practice: the list reads whether a
        # check-up total fell and whether a practice was missed.
        assert (event.couple_id, event.what, event.scopes, event.ip) == (
            couple.pk,
            "list",
            ["progress", "practice"],
            "127.0.0.1",
        )

    def test_the_list_costs_the_same_queries_for_many_couples(self, as_theo_ready, theo, django_assert_max_num_queries):
        from .factories import UserFactory, make_couple

        for _ in range(8):
            a, b = UserFactory(), UserFactory()
            active_grant(make_couple(a, b), a, b, theo)

        with django_assert_max_num_queries(12):
            response = as_theo_ready.get("/api/v1/therapist/couples/")

        assert response.json()["count"] == 8
        assert AccessEvent.objects.count() == 8

    def test_pending_expired_and_revoked_grants_are_404_exactly_like_a_missing_couple(
        self, as_theo_ready, couple, alice, bob, theo, _frozen
    ):
        missing = as_theo_ready.get(summary_url(999999))
        grant = make_grant(couple, alice, theo, days=2)
        pending = as_theo_ready.get(summary_url(couple.pk))
        services.grant_approve(grant=grant, user=bob)
        active = as_theo_ready.get(summary_url(couple.pk))
        _frozen.shift(dt.timedelta(days=2))
        expired = ready_client(theo).get(summary_url(couple.pk))

        assert active.status_code == 200
        for response in (pending, expired):
            assert response.status_code == 404
            assert response.json() == missing.json() == {"detail": "Not found."}
        assert AccessEvent.objects.count() == 1

    def test_a_grant_from_another_couple_opens_only_that_couple(
        self, as_theo_ready, theo, couple, mallory, mike, mallory_couple
    ):
        active_grant(mallory_couple, mallory, mike, theo)

        assert as_theo_ready.get(summary_url(couple.pk)).status_code == 404
        assert as_theo_ready.get(summary_url(mallory_couple.pk)).status_code == 200

    def test_another_therapist_with_no_grant_gets_404(self, couple, theos_grant):
        other = give_totp_to_new_therapist()
        client = ready_client(other)

        assert client.get(summary_url(couple.pk)).status_code == 404
        assert AccessEvent.objects.count() == 0

    def test_theo_without_two_factor_gets_403_even_with_a_grant(self, as_theo, couple, theos_grant):
        response = as_theo.get(summary_url(couple.pk))

        assert response.status_code == 403
        assert response.json()["code"] == "mfa_setup_required"
        assert as_theo.get("/api/v1/therapist/couples/").status_code == 403
        assert AccessEvent.objects.count() == 0

    def test_partners_get_403_on_therapist_endpoints(self, as_alice, couple, theos_grant):
        assert as_alice.get(summary_url(couple.pk)).status_code == 403
        assert as_alice.get("/api/v1/therapist/couples/").status_code == 403

    def test_anonymous_gets_401(self, api, couple, theos_grant):
        assert api.get(summary_url(couple.pk)).status_code == 401
        assert api.get("/api/v1/therapist/couples/").status_code == 401

    def test_only_the_granted_scopes_are_in_the_summary(self, as_theo_ready, couple, alice, bob, theo):
        active_grant(couple, alice, bob, theo, scopes=["gratitude_frequency", "checkin_consistency"])

        body = as_theo_ready.get(summary_url(couple.pk)).json()

        assert body["scopes"] == ["checkin_consistency", "gratitude_frequency"]
        assert sorted(body["sections"]) == ["checkin_consistency", "gratitude_frequency"]

    def test_every_read_leaves_exactly_one_access_event(self, as_theo_ready, theo, couple, theos_grant):
        for _ in range(3):
            as_theo_ready.get(summary_url(couple.pk), {"from": "2026-02-01", "to": "2026-02-28"})

        events = list(AccessEvent.objects.order_by("id"))
        assert len(events) == 3
        event = events[0]
        assert (event.therapist_id, event.therapist_name, event.couple_id, event.what) == (
            theo.pk,
            "Theo",
            couple.pk,
            "summary",
        )
        assert event.scopes == ALL_SUMMARY_SCOPES
        assert (event.period_start, event.period_end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
        assert event.at == NOW and event.ip == "127.0.0.1"

    def test_the_default_period_is_the_last_8_weeks(self, as_theo_ready, couple, theos_grant):
        body = as_theo_ready.get(summary_url(couple.pk)).json()

        # Wednesday 4 March 2026 in Berlin: weeks from Monday 12 January.
        assert (body["from"], body["to"]) == ("2026-01-12", "2026-03-04")
        assert len(body["sections"]["checkin_consistency"]["weeks"]) == 8

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"from": "yesterday"}, "from"),
            ({"to": "2026-02-30"}, "to"),
            ({"from": "2026-03-01", "to": "2026-02-01"}, "from"),
            ({"from": "2023-01-01", "to": "2026-03-01"}, "to"),
            ({"from": "1999-12-31", "to": "2000-01-10"}, "from"),
        ],
    )
    def test_bad_dates_are_400_and_not_logged(self, as_theo_ready, couple, theos_grant, params, field):
        response = as_theo_ready.get(summary_url(couple.pk), params)

        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert AccessEvent.objects.count() == 0

    def test_two_years_is_allowed(self, as_theo_ready, couple, theos_grant):
        response = as_theo_ready.get(summary_url(couple.pk), {"from": "2024-03-04", "to": "2026-03-04"})

        assert response.status_code == 200
        assert len(response.json()["sections"]["gratitude_frequency"]["weeks"]) == 105


# --- the access log ----------------------------------------------------------------------------------------


class TestAccessLog:
    def test_both_partners_read_it_in_their_own_timezone(self, as_alice, as_bob, as_theo_ready, couple, theos_grant):
        Grant.objects.filter(pk=theos_grant.pk).update(scopes=["checkin_consistency"])
        as_theo_ready.get(summary_url(couple.pk), {"from": "2026-02-01", "to": "2026-02-28"})

        alices = as_alice.get("/api/v1/couple/access-log/").json()
        bobs = as_bob.get("/api/v1/couple/access-log/").json()

        assert alices["count"] == bobs["count"] == 1
        event = alices["results"][0]
        assert event["therapist"]["display_name"] == "Theo"
        assert event["what"] == "summary"
        assert event["scopes"] == ["checkin_consistency"]
        assert event["period"] == {"from": "2026-02-01", "to": "2026-02-28"}
        assert event["at"] == iso(NOW)
        assert event["description"] == (
            "Theo viewed your check-in consistency (from 1 Feb 2026 to 28 Feb 2026) on 4 March at 19:00"
        )
        assert bobs["results"][0]["description"].endswith("on 4 March at 13:00")
        assert "ip" not in event

    def test_the_list_read_reads_plainly(self, as_alice, as_theo_ready, couple, theos_grant):
        as_theo_ready.get("/api/v1/therapist/couples/")

        (event,) = as_alice.get("/api/v1/couple/access-log/").json()["results"]
        assert event["what"] == "list"
        assert event["description"] == (
            "Theo opened their list of couples, which shows your names, until when you share "
            "and whether a check-up total fell and whether a practice was missed, on 4 March at 19:00"
        )

    def test_strangers_see_only_their_own_couples_log(
        self, as_mallory, mallory_couple, as_theo_ready, couple, theos_grant
    ):
        as_theo_ready.get(summary_url(couple.pk))

        assert as_mallory.get("/api/v1/couple/access-log/").json()["count"] == 0

    def test_therapists_and_anonymous_cannot_read_a_log(self, as_theo_ready, api, couple, theos_grant):
        assert as_theo_ready.get("/api/v1/couple/access-log/").status_code == 404
        assert api.get("/api/v1/couple/access-log/").status_code == 401

    def test_it_is_paginated_with_a_fixed_number_of_queries(
        self, as_alice, as_theo_ready, couple, theos_grant, django_assert_max_num_queries
    ):
        for _ in range(60):
            as_theo_ready.get("/api/v1/therapist/couples/")

        with django_assert_max_num_queries(5):
            body = as_alice.get("/api/v1/couple/access-log/").json()

        assert body["count"] == 60
        assert len(body["results"]) == 50
        assert body["next"] is not None

    def test_the_log_cannot_be_changed_or_deleted_by_the_application(self, as_theo_ready, couple, theos_grant):
        as_theo_ready.get(summary_url(couple.pk))
        event = AccessEvent.objects.get()

        event.therapist_name = "Someone else"
        with pytest.raises(AppendOnly):
            event.save()
        with pytest.raises(AppendOnly):
            event.delete()
        with pytest.raises(AppendOnly):
            AccessEvent.objects.filter(pk=event.pk).update(therapist_name="x")
        with pytest.raises(AppendOnly):
            AccessEvent.objects.all().delete()
        with pytest.raises(AppendOnly):
            AccessEvent.objects.bulk_update([event], ["therapist_name"])

        assert AccessEvent.objects.get().therapist_name == "Theo"


class TestAccessLogAfterTheCouple:
    """The log is part of each partner's own history: after a split or an
    account deletion each former member still reads it, read-only, for the
    time they were in the couple."""

    LOG = "/api/v1/couple/access-log/"

    @pytest.fixture
    def looked(self, as_theo_ready, couple, theos_grant):
        as_theo_ready.get(summary_url(couple.pk), {"from": "2026-02-01", "to": "2026-02-28"})
        return AccessEvent.objects.get()

    def test_after_a_split_each_former_partner_reads_the_couples_log(self, as_alice, as_bob, alice, couple, looked):
        couple_leave(user=alice, password=PASSWORD)

        for client in (as_alice, as_bob):
            assert client.get(self.LOG).status_code == 404  # "the couple" is no more
            body = client.get(self.LOG, {"couple": couple.pk}).json()
            assert body["count"] == 1
            assert body["results"][0]["id"] == looked.pk
            assert body["results"][0]["therapist"]["display_name"] == "Theo"
            couples = client.get(f"{self.LOG}couples/").json()
            assert couples["results"] == [
                {"id": couple.pk, "joined_at": iso(NOW), "left_at": iso(NOW), "current": False}
            ]

    def test_read_only(self, as_alice, alice, couple, looked):
        couple_leave(user=alice, password=PASSWORD)

        for method in ("post", "put", "patch", "delete"):
            assert getattr(as_alice, method)(f"{self.LOG}?couple={couple.pk}").status_code == 405
        assert AccessEvent.objects.get().therapist_name == "Theo"

    def test_only_for_the_time_they_were_a_member(self, as_alice, alice, theo, couple, theos_grant, _frozen):
        def event(at):
            return AccessEvent.objects.create(
                therapist=theo, therapist_name="Theo", couple=couple, grant=theos_grant, what="list", at=at
            )

        # Rows a well-behaved server never writes (the couple did not exist
        # yet, or had closed), made by hand: the rule must hold on its own.
        event(NOW - dt.timedelta(days=1))
        during = event(NOW + dt.timedelta(hours=1))
        _frozen.move_to(NOW + dt.timedelta(hours=2))
        couple_leave(user=alice, password=PASSWORD)
        event(NOW + dt.timedelta(hours=3))

        ids = [e["id"] for e in as_alice.get(self.LOG, {"couple": couple.pk}).json()["results"]]
        assert ids == [during.pk]

    def test_a_new_couple_does_not_mix_with_the_former_one(self, as_alice, alice, mike, couple, looked):
        from .factories import make_couple

        couple_leave(user=alice, password=PASSWORD)
        new = make_couple(alice, mike)

        assert as_alice.get(self.LOG).json()["count"] == 0
        assert as_alice.get(self.LOG, {"couple": new.pk}).json()["count"] == 0
        assert as_alice.get(self.LOG, {"couple": couple.pk}).json()["count"] == 1
        listed = as_alice.get(f"{self.LOG}couples/").json()["results"]
        assert [(c["id"], c["current"]) for c in listed] == [(new.pk, True), (couple.pk, False)]

    @pytest.mark.parametrize("split", [False, True])
    def test_strangers_and_therapists_get_404(
        self, as_mallory, as_theo_ready, mallory_couple, alice, couple, looked, split
    ):
        if split:
            couple_leave(user=alice, password=PASSWORD)

        for client in (as_mallory, as_theo_ready):
            assert client.get(self.LOG, {"couple": couple.pk}).status_code == 404
            assert client.get(self.LOG, {"couple": MISSING}).status_code == 404
        assert as_mallory.get(f"{self.LOG}couples/").json()["results"][0]["id"] == mallory_couple.pk
        assert as_theo_ready.get(f"{self.LOG}couples/").json()["count"] == 0

    @pytest.mark.parametrize("value", ["abc", "-1", "0", "1.5", "9" * 30])
    def test_a_bad_couple_is_400(self, as_alice, couple, value):
        response = as_alice.get(self.LOG, {"couple": value})

        assert response.status_code == 400 and "couple" in response.json()

    def test_after_an_account_deletion_the_partner_keeps_the_log(
        self, as_alice, as_bob, alice, couple, looked, keystore
    ):
        assert as_alice.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204

        assert AccessEvent.objects.filter(pk=looked.pk, couple=couple).exists()
        body = as_bob.get(self.LOG, {"couple": couple.pk}).json()
        assert [e["id"] for e in body["results"]] == [looked.pk]


def test_the_schema_names_the_therapist_endpoints(api):
    body = api.get("/api/schema/?format=json")
    paths = json.loads(body.content)["paths"] if body.status_code == 200 else {}
    for path in (
        "/api/v1/therapist/connect-codes/",
        "/api/v1/couple/therapist-grants/",
        "/api/v1/couple/therapist-grants/{grant_id}/approve/",
        "/api/v1/couple/therapist-grants/{grant_id}/revoke/",
        "/api/v1/couple/access-log/",
        "/api/v1/couple/access-log/couples/",
        "/api/v1/therapist/couples/",
        "/api/v1/therapist/couples/{couple_id}/summary/",
    ):
        assert path in paths
