"""A break in a live check-in (issues #18 section 2 and #20 item 4).

With the couple's time-out rules in force, "Take a break" *is* a time-out
(a taking-space period of kind "timeout", inside the rules), and the session
waits until its taker is back. Without rules it is the plain 20-60 minute
break. Either way only the one who asked can end it early (403 on REST, an
error on the socket), and the other sees a calm "back around HH:MM" on
their own clock. Docs: docs/repair.md, docs/realtime.md."""

import datetime as dt

import pytest
import time_machine

from checkins import selectors, services
from checkins.models import Answer, Event, Format, LiveSession
from reminders.models import Reminder
from repair import services as repair
from space.models import SpacePeriod
from space.services import space_extend, space_reconnect, space_take

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rules(couple, alice, bob):
    """Agreed: 25 minutes to 90 minutes."""
    rules = repair.timeout_rules_propose(
        couple=couple, user=alice, signal="Pause, please", min_minutes=25, max_minutes=90
    )
    return repair.timeout_rules_accept(rules=rules, user=bob, version=1)


@pytest.fixture
def checkin(couple, alice):
    return services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))


def url(checkin, action=""):
    return f"/api/v1/checkins/{checkin.pk}/session/{action}"


class TestATimeOut:
    def test_a_break_with_rules_in_force_is_a_time_out_both_see_calmly(
        self, frozen, rules, checkin, as_alice, as_bob, alice, bob
    ):
        r = as_bob.post(url(checkin, "pause/"), {"minutes": 45}, format="json")
        assert r.status_code == 200
        period = SpacePeriod.objects.get()
        assert (period.kind, period.author_id, period.status) == ("timeout", bob.pk, "open")
        assert period.reconnect_by == NOW + dt.timedelta(minutes=45)
        assert period.latest_reconnect_by == NOW + dt.timedelta(minutes=90)  # the rules' maximum
        assert LiveSession.objects.get(checkin=checkin).paused_timeout == period.pk
        assert r.json()["on_break"] == {
            "by": bob.pk,
            "until": "2026-03-04T18:45:00Z",
            "back_around": "13:45",  # Bob's clock (New York)
            "timeout": period.pk,
            "can_end": True,
        }
        alice_view = as_alice.get(url(checkin)).json()
        assert alice_view["status"] == "paused"
        assert alice_view["on_break"]["back_around"] == "19:45"  # Alice's clock (Berlin)
        assert alice_view["on_break"]["can_end"] is False
        # The time-out's own API shows the same period.
        assert as_alice.get(f"/api/v1/timeouts/{period.pk}/").status_code == 200
        event = Event.objects.filter(checkin=checkin, kind="session_paused").get()
        assert event.data == {"until": "2026-03-04T18:45:00+00:00", "by": bob.pk, "timeout": True}

    def test_minutes_default_to_the_rules_minimum_and_stay_inside_them(self, frozen, rules, checkin, as_bob, bob):
        for minutes in (20, 91, 0, "soon", True):
            r = as_bob.post(url(checkin, "pause/"), {"minutes": minutes}, format="json")
            assert r.status_code == 400 and "minutes" in r.json(), minutes
        assert not SpacePeriod.objects.exists()
        assert not Event.objects.filter(kind="session_paused").exists()
        assert as_bob.post(url(checkin, "pause/"), {}, format="json").status_code == 200
        assert SpacePeriod.objects.get().reconnect_by == NOW + dt.timedelta(minutes=25)

    def test_only_the_one_who_asked_ends_it_early_and_that_is_coming_back(
        self, frozen, rules, checkin, as_alice, as_bob, alice, bob
    ):
        as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        period = SpacePeriod.objects.get()
        r = as_alice.post(url(checkin, "resume/"))
        assert r.status_code == 403 and "Only the one who asked" in r.json()["detail"]
        assert as_alice.get(url(checkin)).json()["status"] == "paused"
        period.refresh_from_db()
        assert period.status == "open"

        frozen.shift(dt.timedelta(minutes=10))
        r = as_bob.post(url(checkin, "resume/"))
        assert r.status_code == 200 and r.json()["status"] == "active" and r.json()["on_break"] is None
        period.refresh_from_db()
        assert period.status == "kept" and period.reconnected_at == NOW + dt.timedelta(minutes=10)
        # Alice hears that he is back through taking space's own reminder.
        assert Reminder.objects.filter(kind="space_back", user=alice, target_id=period.pk).exists()
        assert LiveSession.objects.get(checkin=checkin).paused_timeout is None

    def test_the_session_waits_past_the_time_until_its_taker_is_back(
        self, frozen, rules, checkin, as_alice, as_bob, alice, bob
    ):
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        period = SpacePeriod.objects.get()
        frozen.shift(dt.timedelta(minutes=40))
        view = as_alice.get(url(checkin)).json()
        assert view["status"] == "paused" and view["on_break"]["back_around"] == "19:30"
        assert as_alice.post(url(checkin, "answer/"), {"step": "mood", "value": 3}, format="json").status_code == 409
        # Still only Bob may end it; Alice has nothing to press.
        assert as_alice.post(url(checkin, "resume/")).status_code == 403
        # Bob comes back from the time-out's own page (or API): the session
        # picks up, and the next write records it.
        space_reconnect(period=period, user=bob)
        assert as_alice.get(url(checkin)).json()["status"] == "active"
        period.refresh_from_db()
        assert period.status == "late"
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
        kinds = list(Event.objects.filter(checkin=checkin).values_list("kind", flat=True))
        assert kinds[-4:] == ["session_paused", "session_resumed", "step_answered", "step_revealed"]
        assert Event.objects.filter(kind="session_resumed").get().data == {"by": bob.pk}
        assert LiveSession.objects.get(checkin=checkin).paused_timeout is None

    def test_resume_after_it_closed_elsewhere_records_who_was_away(self, frozen, rules, checkin, as_alice, as_bob, bob):
        as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        space_reconnect(period=SpacePeriod.objects.get(), user=bob)
        assert as_alice.post(url(checkin, "resume/")).status_code == 200
        assert Event.objects.filter(kind="session_resumed").get().data == {"by": bob.pk}
        assert LiveSession.objects.get(checkin=checkin).paused_until is None

    def test_an_extension_moves_the_return_both_see(self, frozen, rules, checkin, as_alice, as_bob, bob):
        as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        period = SpacePeriod.objects.get()
        space_extend(period=period, user=bob, reconnect_by=NOW + dt.timedelta(minutes=60))
        assert as_alice.get(url(checkin)).json()["on_break"]["back_around"] == "20:00"

    def test_a_time_out_is_reminded_as_a_time_out_not_as_a_plain_break(self, frozen, rules, checkin, as_bob, bob):
        as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        assert not Reminder.objects.filter(kind="live_resume").exists()
        back = Reminder.objects.get(kind="space_timeout_return")
        assert (back.user_id, back.due_at) == (bob.pk, NOW + dt.timedelta(minutes=30))

    def test_back_around_is_on_each_clock_across_a_dst_change(self, rules, checkin, alice, bob):
        # New York springs forward at 07:00 UTC on 8 March 2026 (02:00 -> 03:00).
        with time_machine.travel(dt.datetime(2026, 3, 8, 6, 50, tzinfo=UTC), tick=False):
            checkin = services.checkin_start(
                couple=checkin.couple, user=alice, format=Format.objects.get(key="daily-pulse")
            )
            services.live_pause(checkin=checkin, user=bob, minutes=30)
            assert selectors.live_snapshot(checkin=checkin, user=bob)["on_break"]["back_around"] == "03:20"
            assert selectors.live_snapshot(checkin=checkin, user=alice)["on_break"]["back_around"] == "08:20"

    def test_back_around_never_comes_before_the_time(self, alice):
        until = dt.datetime(2026, 3, 4, 18, 44, 1, tzinfo=UTC)
        assert selectors.back_around(until=until, user=alice) == "19:45"
        assert selectors.back_around(until=until.replace(second=0), user=alice) == "19:44"


class TestAlreadyOnATimeOut:
    """The decision for a break asked for while a period is already open
    (docs/repair.md, "A break in a live check-in")."""

    def test_a_break_joins_the_time_out_already_open(self, frozen, rules, couple, checkin, as_bob, bob):
        open_one = repair.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=50))
        r = as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        assert r.status_code == 200
        assert SpacePeriod.objects.count() == 1  # no second one: one open period per person
        assert r.json()["on_break"]["timeout"] == open_one.pk
        assert r.json()["on_break"]["until"] == "2026-03-04T18:50:00Z"  # its time, not the minutes given
        # Coming back from the check-in is coming back from that time-out.
        as_bob.post(url(checkin, "resume/"))
        open_one.refresh_from_db()
        assert open_one.status == "kept"

    def test_even_with_the_rules_retired_since(self, frozen, rules, couple, checkin, as_bob, bob, alice):
        open_one = repair.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=50))
        repair.timeout_rules_retire(rules=rules, user=alice)
        r = as_bob.post(url(checkin, "pause/"), {"minutes": 20}, format="json")
        assert r.json()["on_break"]["timeout"] == open_one.pk

    def test_one_past_its_time_must_be_closed_first(self, frozen, rules, couple, checkin, as_bob, bob):
        repair.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=30))
        frozen.shift(dt.timedelta(minutes=31))
        r = as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        assert r.status_code == 409
        assert not LiveSession.objects.filter(paused_until__isnull=False).exists()

    def test_plain_taking_space_open_makes_a_plain_break(self, frozen, rules, couple, checkin, as_bob, bob):
        space = space_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(hours=3))
        r = as_bob.post(url(checkin, "pause/"), {"minutes": 20}, format="json")
        assert r.json()["on_break"]["timeout"] is None
        assert r.json()["on_break"]["until"] == "2026-03-04T18:20:00Z"
        as_bob.post(url(checkin, "resume/"))
        space.refresh_from_db()
        assert space.status == "open" and space.reconnect_by == NOW + dt.timedelta(hours=3)  # its own time

    def test_the_partners_time_out_is_theirs_alone(self, frozen, rules, couple, checkin, as_alice, bob, alice):
        bobs = repair.timeout_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(minutes=50))
        r = as_alice.post(url(checkin, "pause/"), {}, format="json")
        alices = SpacePeriod.objects.get(author=alice)
        assert r.json()["on_break"]["timeout"] == alices.pk != bobs.pk


class TestAPlainBreak:
    def test_without_rules_a_break_is_20_to_60_minutes_default_20(self, frozen, checkin, as_alice, as_bob, alice):
        assert as_bob.post(url(checkin, "pause/"), {"minutes": 61}, format="json").status_code == 400
        r = as_bob.post(url(checkin, "pause/"), {}, format="json")
        assert r.json()["on_break"]["until"] == "2026-03-04T18:20:00Z"
        assert r.json()["on_break"]["timeout"] is None
        assert not SpacePeriod.objects.exists()
        assert sorted(Reminder.objects.filter(kind="live_resume").values_list("user_id", flat=True)) == sorted(
            [alice.pk, checkin.couple.memberships.exclude(user=alice).get().user_id]
        )
        assert as_alice.post(url(checkin, "resume/")).status_code == 403
        # At its time it is over for both, without anyone pressing anything.
        frozen.shift(dt.timedelta(minutes=20))
        assert as_alice.get(url(checkin)).json()["status"] == "active"
        # A break already over changes nothing, whoever asks.
        assert as_alice.post(url(checkin, "resume/")).status_code == 200


class TestTheRevealRuleHolds:
    def test_during_and_after_a_time_out_the_partners_answer_stays_hidden_until_both_answered(
        self, frozen, rules, checkin, as_alice, as_bob, alice, bob
    ):
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        as_alice.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
        for client in (as_alice, as_bob):
            assert "SECRET" not in str(client.get(url(checkin)).json())
        bob_view = as_bob.get(url(checkin)).json()
        assert bob_view["steps"][0]["partner"] is None and bob_view["steps"][0]["mine"] is None
        as_alice.post(url(checkin, "resume/"))
        bob_view = as_bob.post(url(checkin, "answer/"), {"step": "mood", "value": 2}, format="json").json()
        assert bob_view["steps"][0]["partner"] == 4
        assert Answer.objects.count() == 2

    @pytest.mark.parametrize("who", ["as_mallory", "as_theo"])
    def test_strangers_get_404_and_take_no_time_out(self, request, rules, checkin, mallory_couple, who):
        client = request.getfixturevalue(who)
        for action, body in (("pause/", {"minutes": 30}), ("resume/", {}), ("", None)):
            method = client.get if not action else client.post
            assert method(url(checkin, action), body, format="json").status_code == 404
        assert not SpacePeriod.objects.exists()
        assert not LiveSession.objects.exists()


def test_the_couple_ending_closes_the_time_out_silently(frozen, rules, checkin, as_bob, alice, bob):
    from couples.services import couple_leave

    from .factories import PASSWORD

    as_bob.post(url(checkin, "pause/"), {"minutes": 30}, format="json")
    couple_leave(user=alice, password=PASSWORD)
    period = SpacePeriod.objects.get()
    assert period.status == "ended"
    assert LiveSession.objects.get(checkin=checkin).finished_at is not None


def test_a_pause_that_becomes_a_time_out_is_a_fixed_handful_of_queries(
    frozen, rules, checkin, alice, bob, django_assert_num_queries
):
    from checkins.models import CheckIn

    services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
    # The plain pause's statements, with the time-out made on the way: the
    # rules in force, the membership check, the one-open-period check, the
    # partner, the period and its two reminders (no live_resume ones).
    with django_assert_num_queries(17):
        services.live_pause(checkin=CheckIn(pk=checkin.pk), user=bob, minutes=30)
    # Coming back: the lock; is it still on (one read); the period read,
    # closed as taking space closes it (its three reminder kinds cancelled,
    # the partner read and told, the period read back); the session's
    # update, the sequence, the event.
    with django_assert_num_queries(17):
        services.live_resume(checkin=CheckIn(pk=checkin.pk), user=bob)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_the_socket_the_partner_gets_an_error_and_nothing_changes(couple, alice, bob):
    from .test_live import bearer, run, socket, until

    rules = repair.timeout_rules_propose(couple=couple, user=alice, signal="Pause", min_minutes=20, max_minutes=60)
    repair.timeout_rules_accept(rules=rules, user=bob, version=1)
    checkin = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    alice_headers, bob_headers = bearer(alice), bearer(bob)

    async def scenario():
        a, b = socket(checkin, alice_headers), socket(checkin, bob_headers)
        await a.connect()
        await b.connect()
        await b.send_json_to({"type": "pause", "minutes": 20})
        paused, _ = await until(a, lambda m: m["type"] == "event" and m["kind"] == "session_paused")
        await a.send_json_to({"type": "resume"})
        error, _ = await until(a, lambda m: m["type"] == "error")
        await b.send_json_to({"type": "resume"})
        resumed, _ = await until(a, lambda m: m["type"] == "event" and m["kind"] == "session_resumed")
        await a.disconnect()
        await b.disconnect()
        return paused, error, resumed

    paused, error, resumed = run(scenario)
    assert paused["data"]["by"] == bob.pk and paused["data"]["timeout"] is True
    assert error["code"] == 403
    assert resumed["data"] == {"by": bob.pk}
    assert SpacePeriod.objects.get().status == "kept"
