"""Time-out rules (agreed like an agreement: both accept the same version;
the active version stays in force while a new one is proposed) and taking a
time-out (a taking-space period of kind "timeout", inside the rules):
bounds, one open period, coming back with a repair offer, moving it later
within the maximum, the return reminder, and what must not exist (a nudge)."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import get_resolver

from couples.services import couple_leave
from reminders.dispatch import dispatch_tick
from reminders.models import Notification, Reminder
from repair import services
from repair.models import TimeoutDuring, TimeoutRules
from space.models import SpacePeriod
from space.selectors import space_followthrough
from space.services import space_mark_missed, space_take

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
DURING_A = "I'll walk round the block, SECRET-DURING-ALICE."
DURING_B = "I'll make tea and breathe, SECRET-DURING-BOB."


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


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
def active_rules(couple, alice, bob):
    """Alice proposed 20 min to 2 hours; Bob accepted (adding his own text first)."""
    rules = services.timeout_rules_propose(
        couple=couple, user=alice, signal="Pause, please", min_minutes=20, max_minutes=120, during=DURING_A
    )
    rules = services.timeout_rules_amend(rules=rules, user=bob, version=1, changes={"during": DURING_B})
    return services.timeout_rules_accept(rules=rules, user=alice, version=2)


def take(client, minutes):
    return client.post("/api/v1/timeouts/", {"reconnect_by": iso(NOW + dt.timedelta(minutes=minutes))}, format="json")


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("title", flat=True))


class TestRules:
    def test_propose_then_the_other_accepts_the_same_version(self, as_alice, as_bob, alice, bob, couple):
        created = as_alice.post(
            "/api/v1/timeout-rules/",
            {"signal": "Pause, please", "max_minutes": 90, "during": DURING_A},
            format="json",
        )
        assert created.status_code == 201
        body = created.json()
        assert body["status"] == "proposed" and body["version"] == 1 and body["min_minutes"] == 20
        assert body["during"] == {str(alice.pk): DURING_A} and body["active"] is None
        assert body["can_accept"] is False

        rid = body["id"]
        own = as_alice.post(f"/api/v1/timeout-rules/{rid}/accept/", {"version": 1}, format="json")
        assert own.status_code == 403
        stale = as_bob.post(f"/api/v1/timeout-rules/{rid}/accept/", {"version": 2}, format="json")
        assert stale.status_code == 409 and stale.json()["current_version"] == 1

        accepted = as_bob.post(f"/api/v1/timeout-rules/{rid}/accept/", {"version": 1}, format="json")
        assert accepted.status_code == 200
        body = accepted.json()
        assert body["status"] == "active" and body["active"]["version"] == 1
        assert as_bob.get("/api/v1/timeout-rules/").json()["results"][0]["id"] == rid

    def test_each_partner_writes_only_their_own_during(self, as_bob, alice, bob, couple):
        rules = services.timeout_rules_propose(
            couple=couple, user=alice, signal="Pause", max_minutes=60, during=DURING_A
        )
        response = as_bob.post(
            f"/api/v1/timeout-rules/{rules.pk}/amend/", {"version": 1, "during": DURING_B}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        # Alice's text is carried over as she wrote it; Bob's is his own.
        assert body["during"] == {str(alice.pk): DURING_A, str(bob.pk): DURING_B}
        assert body["version"] == 2 and body["status"] == "proposed" and body["can_accept"] is False
        # There is no way to address the partner's text: a dict is a wrong type.
        bad = as_bob.post(
            f"/api/v1/timeout-rules/{rules.pk}/amend/",
            {"version": 2, "during": {str(alice.pk): "overwritten"}},
            format="json",
        )
        assert bad.status_code == 400 and "during" in bad.json()
        assert TimeoutDuring.objects.get(author=alice, version__number=2).text == DURING_A

    def test_the_active_version_stays_in_force_while_a_new_one_is_proposed(self, active_rules, alice, bob, couple):
        rules = services.timeout_rules_amend(rules=active_rules, user=alice, version=2, changes={"max_minutes": 60})
        assert rules.status == "proposed" and rules.version == 3 and rules.active_version == 2
        assert services.timeout_rules_in_force(couple=couple).max_minutes == 120

        rules = services.timeout_rules_decline(rules=rules, user=bob, version=3, reason="Two hours helps me")
        # Declined: back to the version in force, the declined one on record.
        assert rules.status == "active" and rules.version == 2 and rules.active_version == 2
        rules = services.timeout_rules_amend(rules=rules, user=bob, version=2, changes={"max_minutes": 90})
        assert rules.version == 4
        rules = services.timeout_rules_accept(rules=rules, user=alice, version=4)
        assert services.timeout_rules_in_force(couple=couple).max_minutes == 90

    def test_bounds_and_one_set_per_couple(self, as_alice, active_rules):
        low = as_alice.post(
            "/api/v1/timeout-rules/", {"signal": "x", "min_minutes": 19, "max_minutes": 60}, format="json"
        )
        assert low.status_code == 400 and "min_minutes" in low.json()
        high = as_alice.post("/api/v1/timeout-rules/", {"signal": "x", "max_minutes": 1441}, format="json")
        assert high.status_code == 400 and "max_minutes" in high.json()
        crossed = as_alice.post(
            "/api/v1/timeout-rules/", {"signal": "x", "min_minutes": 60, "max_minutes": 30}, format="json"
        )
        assert crossed.status_code == 400 and "max_minutes" in crossed.json()
        again = as_alice.post("/api/v1/timeout-rules/", {"signal": "x", "max_minutes": 60}, format="json")
        assert again.status_code == 409

    def test_retire_ends_the_rules_but_not_a_time_out_already_taken(self, as_alice, as_bob, active_rules, couple):
        assert take(as_bob, 30).status_code == 201
        retired = as_alice.post(
            f"/api/v1/timeout-rules/{active_rules.pk}/retire/", {"reason": "new ones"}, format="json"
        )
        assert retired.status_code == 200 and retired.json()["status"] == "retired" and retired.json()["active"] is None
        assert SpacePeriod.objects.get(kind="timeout").status == "open"
        assert take(as_alice, 30).status_code == 409
        assert (
            as_alice.post("/api/v1/timeout-rules/", {"signal": "x", "max_minutes": 60}, format="json").status_code
            == 201
        )


class TestTakingATimeout:
    def test_no_rules_is_409_with_a_pointer_to_agree_them(self, as_bob, couple):
        response = take(as_bob, 30)
        assert response.status_code == 409
        assert response.json()["rules_url"] == "/timeout/rules/"

    def test_a_proposal_alone_is_not_rules_in_force(self, as_bob, couple, alice):
        services.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60)
        assert take(as_bob, 30).status_code == 409

    @pytest.mark.parametrize(("minutes", "expected"), [(18, 400), (20, 201), (120, 201), (122, 400)])
    def test_the_return_time_is_inside_the_rules(self, as_bob, active_rules, minutes, expected):
        response = take(as_bob, minutes)
        assert response.status_code == expected
        if expected == 400:
            assert "reconnect_by" in response.json()

    def test_a_time_out_is_a_space_period_the_partner_sees_calmly(self, as_alice, as_bob, bob, active_rules):
        response = take(as_bob, 45)
        assert response.status_code == 201
        body = response.json()
        assert body["kind"] == "timeout" and body["status"] == "open" and body["note"] == ""
        assert body["latest_reconnect_by"] == iso(NOW + dt.timedelta(minutes=120))
        seen = as_alice.get("/api/v1/space/current/").json()["results"]
        assert [(r["kind"], r["is_mine"], r["reconnect_by"]) for r in seen] == [
            ("timeout", False, iso(NOW + dt.timedelta(minutes=45)))
        ]
        assert as_alice.get(f"/api/v1/timeouts/{body['id']}/").json()["partner"]["id"] == bob.pk
        assert as_alice.get("/api/v1/timeouts/").json()["count"] == 1

    def test_space_items_say_their_kind(self, as_alice, couple, alice):
        space_take(couple=couple, user=alice, reconnect_by=NOW + dt.timedelta(hours=1))
        assert [r["kind"] for r in as_alice.get("/api/v1/space/current/").json()["results"]] == ["space"]
        assert as_alice.get("/api/v1/timeouts/").json()["count"] == 0

    def test_one_open_period_per_person(self, as_bob, couple, bob, active_rules):
        assert take(as_bob, 30).status_code == 201
        assert take(as_bob, 30).status_code == 409
        assert (
            as_bob.post("/api/v1/space/", {"reconnect_by": iso(NOW + dt.timedelta(hours=1))}, format="json").status_code
            == 409
        )

    def test_coming_back_offers_a_repair(self, as_alice, as_bob, couple, active_rules):
        tid = take(as_bob, 30).json()["id"]
        assert as_alice.post(f"/api/v1/space/{tid}/reconnect/").status_code == 403
        back = as_bob.post(f"/api/v1/space/{tid}/reconnect/")
        assert back.status_code == 200
        assert back.json()["status"] == "kept" and back.json()["repair_offer"] is True

    def test_plain_space_has_no_repair_offer(self, as_alice, couple, alice):
        period = space_take(couple=couple, user=alice, reconnect_by=NOW + dt.timedelta(hours=1))
        assert as_alice.post(f"/api/v1/space/{period.pk}/reconnect/").json()["repair_offer"] is False


class TestMovingItLater:
    def test_later_only_before_due_within_the_maximum_from_the_start(self, as_bob, active_rules, _frozen):
        tid = take(as_bob, 30).json()["id"]

        def extend(minutes_from_start):
            at = iso(NOW + dt.timedelta(minutes=minutes_from_start))
            return as_bob.post(f"/api/v1/space/{tid}/extend/", {"reconnect_by": at}, format="json")

        assert extend(20).status_code == 400  # earlier
        assert extend(121).status_code == 400  # past the maximum from the start
        _frozen.move_to(NOW + dt.timedelta(minutes=25))
        ok = extend(120)
        assert ok.status_code == 200 and ok.json()["extended"] is True
        _frozen.move_to(NOW + dt.timedelta(minutes=121))
        assert extend(122).status_code == 409  # the time has come


class TestTheReturnReminder:
    def test_at_the_return_time_once_and_content_free(self, as_bob, alice, bob, active_rules, _frozen):
        tid = take(as_bob, 30).json()["id"]
        dispatch_tick()  # the partner's calm "taking some space" notice
        assert titles(alice) == ["Your partner is taking some space, with a time to reconnect"]
        _frozen.move_to(NOW + dt.timedelta(minutes=29, seconds=59))
        dispatch_tick()
        assert titles(bob) == []
        _frozen.move_to(NOW + dt.timedelta(minutes=30))
        dispatch_tick()
        dispatch_tick()
        assert titles(bob) == ["Your time-out is up: it's the time you gave to come back"]
        assert list(Notification.objects.filter(user=bob).values_list("url", flat=True)) == [f"/timeout/{tid}/"]
        for title, url in Notification.objects.values_list("title", "url"):
            for private in ("SECRET", "Pause", "walk", "18:30", "19:30", "13:30", "Bob", "Alice"):
                assert private not in title and private not in url

    def test_it_moves_with_an_extension_and_is_cancelled_on_return(self, as_bob, bob, active_rules, _frozen):
        tid = take(as_bob, 30).json()["id"]
        new_time = NOW + dt.timedelta(minutes=90)
        as_bob.post(f"/api/v1/space/{tid}/extend/", {"reconnect_by": iso(new_time)}, format="json")
        pending = Reminder.objects.filter(kind="space_timeout_return", status="pending")
        assert list(pending.values_list("due_at", flat=True)) == [new_time]
        assert not Reminder.objects.filter(kind="space_reconnect_soon").exists()
        _frozen.move_to(NOW + dt.timedelta(minutes=30))
        dispatch_tick()
        assert titles(bob) == []
        as_bob.post(f"/api/v1/space/{tid}/reconnect/")
        _frozen.move_to(new_time)
        dispatch_tick()
        assert titles(bob) == []

    def test_dst_true_return_time(self, bob, couple, active_rules, _frozen):
        # New York springs forward at 02:00 on 8 March 2026: 01:50 EST + 30
        # minutes is 03:20 EDT, and the reminder fires 30 real minutes later.
        start = dt.datetime(2026, 3, 8, 6, 50, tzinfo=UTC)
        _frozen.move_to(start)
        period = services.timeout_take(couple=couple, user=bob, reconnect_by=start + dt.timedelta(minutes=30))
        from zoneinfo import ZoneInfo

        assert period.reconnect_by.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "03:20"
        _frozen.move_to(start + dt.timedelta(minutes=29))
        dispatch_tick()
        assert titles(bob) == []
        _frozen.move_to(start + dt.timedelta(minutes=30))
        dispatch_tick()
        assert titles(bob) == ["Your time-out is up: it's the time you gave to come back"]


class TestNothingToChase:
    def test_no_nudge_route_for_the_partner_who_stays(self):
        # Every route of taking space and time-outs: none to ping or chase.
        names = [k for k in get_resolver().reverse_dict if isinstance(k, str)]
        ours = [n for n in names if any(part in n for part in ("space", "timeout"))]
        assert "api-timeouts" in ours and "timeout-detail" in ours
        for name in ours:
            for word in ("nudge", "poke", "ping", "are-you-back", "chase", "remind"):
                assert word not in name

    def test_no_nudge_button_on_the_partners_page(self, client, alice, bob, couple, active_rules):
        period = services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
        client.force_login(alice)
        page = client.get(f"/timeout/{period.pk}/").content.decode()
        assert "Bob is taking a time-out and plans to reconnect by" in page
        lowered = page.lower()
        for word in ("nudge", "are you back", "poke", "remind bob", 'data-testid="reconnect"', "/extend/"):
            assert word not in lowered


class TestClosing:
    def test_open_time_outs_end_silently_when_the_couple_closes(
        self, as_bob, alice, bob, couple, active_rules, _frozen
    ):
        tid = take(as_bob, 30).json()["id"]
        couple_leave(user=alice, password=PASSWORD)
        period = SpacePeriod.objects.get(pk=tid)
        assert period.status == "ended" and period.closed_at is not None
        assert not Reminder.objects.filter(target_id=tid, kind__startswith="space_", status="pending").exists()
        _frozen.move_to(NOW + dt.timedelta(hours=12))
        assert space_mark_missed() == 0
        dispatch_tick()
        assert SpacePeriod.objects.get(pk=tid).status == "ended"
        assert titles(bob) == []
        # Neither kept nor missed: it counts nowhere in the follow-through.
        counts = space_followthrough(couple=couple, start=NOW - dt.timedelta(days=1), end=NOW + dt.timedelta(days=1))
        assert counts["total"] == counts["missed"] == counts["open"] == 0


def test_rules_model_holds_one_set_per_couple(couple, alice, active_rules):
    assert TimeoutRules.objects.filter(couple=couple).count() == 1


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "signal"),
            ({"signal": "Pause"}, "max_minutes"),
            ({"signal": 42, "max_minutes": 60}, "signal"),
            ({"signal": "Pause", "max_minutes": "60"}, "max_minutes"),
            ({"signal": "Pause", "max_minutes": 60.5}, "max_minutes"),
            ({"signal": "Pause", "max_minutes": True}, "max_minutes"),
            ({"signal": "Pause", "max_minutes": 60, "min_minutes": None}, "min_minutes"),
            ({"signal": "x" * 81, "max_minutes": 60}, "signal"),
            ({"signal": "Pause", "max_minutes": 60, "during": "x" * 281}, "during"),
            ({"signal": "Pause", "max_minutes": 60, "during": ["a"]}, "during"),
            ({"signal": "   ", "max_minutes": 60}, "signal"),
        ],
    )
    def test_rules_field_errors(self, as_alice, couple, body, field):
        response = as_alice.post("/api/v1/timeout-rules/", body, format="json")
        assert response.status_code == 400 and field in response.json()
        assert not TimeoutRules.objects.exists()

    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("accept", {}, "version"),
            ("accept", {"version": "1"}, "version"),
            ("amend", {"version": 1, "max_minutes": 2000}, "max_minutes"),
            ("amend", {"signal": "x"}, "version"),
            ("decline", {"reason": 5}, "reason"),
            ("retire", {"reason": "x" * 501}, "reason"),
        ],
    )
    def test_rules_action_field_errors(self, as_bob, active_rules, path, body, field):
        response = as_bob.post(f"/api/v1/timeout-rules/{active_rules.pk}/{path}/", body, format="json")
        assert response.status_code == 400 and field in response.json()

    @pytest.mark.parametrize(
        "body", [{}, {"reconnect_by": "soon"}, {"reconnect_by": 5}, {"reconnect_by": "2026-03-04T19:00:00"}]
    )
    def test_timeout_field_errors(self, as_bob, active_rules, body):
        response = as_bob.post("/api/v1/timeouts/", body, format="json")
        assert response.status_code == 400 and "reconnect_by" in response.json()
        assert not SpacePeriod.objects.exists()

    def test_malformed_json_is_a_400(self, as_bob, active_rules):
        for path in ("/api/v1/timeouts/", "/api/v1/timeout-rules/", f"/api/v1/timeout-rules/{active_rules.pk}/accept/"):
            response = as_bob.generic("POST", path, '{"signal": ', content_type="application/json")
            assert response.status_code == 400, path


class TestWholeLife:
    def test_export_holds_my_rules_my_during_and_my_time_outs_not_theirs(
        self, as_alice, alice, bob, couple, active_rules, settings, tmp_path
    ):
        settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
        mine = services.timeout_take(couple=couple, user=alice, reconnect_by=NOW + dt.timedelta(minutes=30))
        services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=40))
        body = as_alice.get("/api/v1/me/export/").json()
        part = body["timeouts"]
        assert [v["number"] for v in part["rules_versions"]] == [1, 2]
        assert part["rules_versions"][1]["signal"] == "Pause, please"
        assert [row["text"] for row in part["my_during"]] == [DURING_A, DURING_A]
        assert DURING_B not in json.dumps(part)
        assert [t["id"] for t in part["my_timeouts"]] == [mine.pk]
        assert {row["kind"] for row in body["space"]} == {"timeout"}

    def test_erasure_removes_my_during_texts_and_my_time_outs(
        self, alice, bob, couple, active_rules, settings, tmp_path
    ):
        from accounts.services import account_delete

        settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
        services.timeout_take(couple=couple, user=alice, reconnect_by=NOW + dt.timedelta(minutes=30))
        services.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
        alice_id = alice.pk
        account_delete(user=alice, password=PASSWORD)
        assert not TimeoutDuring.objects.filter(author_id=alice_id).exists()
        assert not SpacePeriod.objects.filter(author_id=alice_id).exists()
        assert TimeoutDuring.objects.filter(author=bob).exists()
        # Bob's open time-out ended with the couple, silently.
        assert SpacePeriod.objects.get(author=bob).status == "ended"


def test_seed_demo_has_active_rules_and_one_past_time_out(settings, tmp_path):
    from django.core.management import call_command

    settings.DEBUG = True
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    call_command("seed_demo")
    call_command("seed_demo")
    rules = TimeoutRules.objects.get()
    assert rules.status == "active" and rules.in_force
    assert TimeoutDuring.objects.filter(version__rules=rules).count() == 2
    # The repair demo's time-out, and the ledger's (promises/demo.py: one
    # renegotiated commitment and a point on the time-to-repair chart).
    assert list(SpacePeriod.objects.filter(kind="timeout").values_list("status", flat=True)) == ["kept", "kept"]
