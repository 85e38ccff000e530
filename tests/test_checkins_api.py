import datetime as dt
import json
import zoneinfo

import pytest
import time_machine

from checkins import services
from checkins.models import Answer, CheckIn, Event, Format, Schedule

from .conftest import client_for
from .factories import CheckInFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def propose(client, **over):
    body = {"format": "daily-pulse", "weekdays": [0, 2, 4], "time": "20:00", "timezone": "America/New_York"}
    body.update(over)
    return client.post("/api/v1/checkins/schedules/", body, format="json")


@pytest.fixture
def active_schedule(couple, as_alice, as_bob):
    schedule_id = propose(as_alice).json()["id"]
    as_bob.post(f"/api/v1/checkins/schedules/{schedule_id}/accept/", format="json")
    return Schedule.objects.get(pk=schedule_id)


@pytest.fixture
def open_checkin(couple, alice):
    return CheckInFactory(couple=couple, user=alice)


PULSE = {"mood": 4, "appreciated": "The tea you made", "need": "An early night"}


class TestFormats:
    def test_builtin_formats(self, as_alice, couple):
        body = as_alice.get("/api/v1/checkins/formats/").json()

        keys = [f["key"] for f in body["results"]]
        assert keys[:3] == ["daily-pulse", "weekly-state-of-us", "temperature-reading"]
        pulse = body["results"][0]
        assert [s["kind"] for s in pulse["steps"]] == ["mood", "text", "text"]
        assert all(s["prompt"] for f in body["results"] for s in f["steps"])

    def test_a_couple_adds_its_own_format_seen_only_by_it(self, as_alice, as_bob, as_mallory, couple, mallory_couple):
        steps = [
            {"key": "mood", "kind": "mood", "prompt": "How are you?"},
            {"key": "plan", "kind": "choice", "prompt": "Saturday?", "options": ["Walk", "Cinema"]},
        ]
        response = as_alice.post("/api/v1/checkins/formats/", {"name": "Our Sunday", "steps": steps}, format="json")

        assert response.status_code == 201
        key = response.json()["key"]
        assert key == "our-sunday"
        assert key in [f["key"] for f in as_bob.get("/api/v1/checkins/formats/").json()["results"]]
        assert key not in [f["key"] for f in as_mallory.get("/api/v1/checkins/formats/").json()["results"]]
        assert propose(as_mallory, format=key).status_code == 400

    def test_custom_keys_never_shadow_builtins(self, as_alice, couple):
        steps = [{"key": "x", "kind": "text", "prompt": "?"}]
        key = as_alice.post("/api/v1/checkins/formats/", {"name": "Daily pulse", "steps": steps}, format="json").json()[
            "key"
        ]
        assert key == "daily-pulse-2"

    @pytest.mark.parametrize(
        "steps",
        [
            [],
            "nope",
            [{"key": "a", "kind": "video", "prompt": "?"}],
            [{"key": "a b", "kind": "text", "prompt": "?"}],
            [{"key": "a", "kind": "text", "prompt": ""}],
            [{"key": "a", "kind": "text", "prompt": "?"}, {"key": "a", "kind": "text", "prompt": "?"}],
            [{"key": "c", "kind": "choice", "prompt": "?", "options": ["only one"]}],
            [{"key": f"k{i}", "kind": "text", "prompt": "?"} for i in range(13)],
        ],
    )
    def test_bad_formats(self, as_alice, couple, steps):
        response = as_alice.post("/api/v1/checkins/formats/", {"name": "X", "steps": steps}, format="json")
        assert response.status_code == 400
        assert "steps" in response.json()


class TestSchedules:
    def test_propose_then_accept_makes_it_active_with_occurrences(self, as_alice, as_bob, couple):
        proposed = propose(as_alice)
        assert proposed.status_code == 201
        body = proposed.json()
        assert body["status"] == "proposed"
        assert body["weekdays"] == [0, 2, 4] and body["time"] == "20:00"
        assert not CheckIn.objects.exists()

        accepted = as_bob.post(f"/api/v1/checkins/schedules/{body['id']}/accept/", format="json")

        assert accepted.status_code == 200
        assert accepted.json()["status"] == "active"
        times = list(CheckIn.objects.order_by("scheduled_for").values_list("scheduled_for", flat=True))
        assert times[-1] - NOW >= dt.timedelta(days=14)
        ny = zoneinfo.ZoneInfo("America/New_York")
        assert {t.astimezone(ny).strftime("%a %H:%M") for t in times} == {"Mon 20:00", "Wed 20:00", "Fri 20:00"}
        # 8 March is spring-forward: before it 01:00 UTC, after it 00:00 UTC.
        assert times[0] == dt.datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
        assert dt.datetime(2026, 3, 10, 0, 0, tzinfo=UTC) in times

    def test_the_proposer_cannot_accept(self, as_alice, couple):
        schedule_id = propose(as_alice).json()["id"]
        response = as_alice.post(f"/api/v1/checkins/schedules/{schedule_id}/accept/", format="json")
        assert response.status_code == 403
        assert Schedule.objects.get(pk=schedule_id).status == "proposed"

    def test_accepting_twice_is_a_conflict(self, as_bob, active_schedule):
        response = as_bob.post(f"/api/v1/checkins/schedules/{active_schedule.pk}/accept/", format="json")
        assert response.status_code == 409

    def test_accepting_a_stale_version_is_a_conflict(self, as_alice, as_bob, couple):
        schedule_id = propose(as_alice).json()["id"]
        as_alice.patch(f"/api/v1/checkins/schedules/{schedule_id}/", {"time": "21:00"}, format="json")

        response = as_bob.post(f"/api/v1/checkins/schedules/{schedule_id}/accept/", {"version": 1}, format="json")
        assert response.status_code == 409
        ok = as_bob.post(f"/api/v1/checkins/schedules/{schedule_id}/accept/", {"version": 2}, format="json")
        assert ok.status_code == 200

    def test_a_change_goes_back_to_proposed_and_the_other_accepts(self, as_alice, as_bob, active_schedule):
        before = CheckIn.objects.count()
        response = as_bob.patch(f"/api/v1/checkins/schedules/{active_schedule.pk}/", {"time": "19:00"}, format="json")

        assert response.status_code == 200
        assert response.json()["status"] == "proposed"
        assert before > 0 and CheckIn.objects.count() == 0  # untouched future occurrences dropped
        assert as_bob.post(f"/api/v1/checkins/schedules/{active_schedule.pk}/accept/").status_code == 403
        assert as_alice.post(f"/api/v1/checkins/schedules/{active_schedule.pk}/accept/").status_code == 200
        ny = zoneinfo.ZoneInfo("America/New_York")
        assert {c.scheduled_for.astimezone(ny).strftime("%H:%M") for c in CheckIn.objects.all()} == {"19:00"}

    def test_answered_occurrences_survive_a_change(self, as_alice, as_bob, active_schedule, _frozen):
        first = CheckIn.objects.order_by("scheduled_for").first()
        _frozen.move_to(first.scheduled_for + dt.timedelta(minutes=1))
        as_alice.put(f"/api/v1/checkins/{first.pk}/answers/", {"answers": PULSE}, format="json")
        as_bob.patch(f"/api/v1/checkins/schedules/{active_schedule.pk}/", {"weekdays": [1]}, format="json")
        assert CheckIn.objects.filter(pk=first.pk).exists()

    def test_either_partner_pauses_and_resuming_needs_the_other(self, as_alice, as_bob, active_schedule):
        paused = as_alice.post(f"/api/v1/checkins/schedules/{active_schedule.pk}/pause/")
        assert paused.status_code == 200 and paused.json()["status"] == "paused"
        assert not CheckIn.objects.filter(scheduled_for__gt=NOW).exists()

        resumed = as_alice.post(f"/api/v1/checkins/schedules/{active_schedule.pk}/resume/")
        assert resumed.json()["status"] == "proposed"
        assert as_alice.post(f"/api/v1/checkins/schedules/{active_schedule.pk}/accept/").status_code == 403
        assert as_bob.post(f"/api/v1/checkins/schedules/{active_schedule.pk}/accept/").json()["status"] == "active"
        assert CheckIn.objects.filter(scheduled_for__gt=NOW).exists()

    def test_delete(self, as_bob, active_schedule):
        assert as_bob.delete(f"/api/v1/checkins/schedules/{active_schedule.pk}/").status_code == 204
        assert not Schedule.objects.exists()
        assert not CheckIn.objects.exists()

    def test_default_timezone_is_the_couples(self, as_alice, couple):
        body = {"format": "daily-pulse", "weekdays": [0], "time": "08:00"}
        response = as_alice.post("/api/v1/checkins/schedules/", body, format="json")
        assert response.json()["timezone"] == couple.timezone

    @pytest.mark.parametrize(
        ("over", "field"),
        [
            ({"weekdays": []}, "weekdays"),
            ({"weekdays": [7]}, "weekdays"),
            ({"weekdays": "mon"}, "weekdays"),
            ({"weekdays": [0, 1, 2, 3, 4, 5, 6, 0]}, "weekdays"),
            ({"time": "25:00"}, "time"),
            ({"time": 20}, "time"),
            ({"timezone": "Moon/Base"}, "timezone"),
            ({"format": "nope"}, "format"),
            ({"format": "x" * 200}, "format"),
        ],
    )
    def test_bad_input(self, as_alice, couple, over, field):
        response = propose(as_alice, **over)
        assert response.status_code == 400
        assert field in response.json()
        assert not Schedule.objects.exists()

    def test_bad_patch_keeps_the_schedule(self, as_alice, active_schedule):
        response = as_alice.patch(f"/api/v1/checkins/schedules/{active_schedule.pk}/", {"time": "99:99"}, format="json")
        assert response.status_code == 400
        active_schedule.refresh_from_db()
        assert active_schedule.status == "active" and str(active_schedule.time) == "20:00:00"

    def test_horizon_task_keeps_14_days_ahead_and_is_idempotent(self, active_schedule, _frozen):
        _frozen.move_to(NOW + dt.timedelta(days=10))
        services.schedules_extend_horizon()
        count = CheckIn.objects.count()
        services.schedules_extend_horizon()

        assert CheckIn.objects.count() == count
        last = CheckIn.objects.order_by("-scheduled_for").first().scheduled_for
        assert last >= NOW + dt.timedelta(days=10 + 14 - 3)
        active_schedule.refresh_from_db()
        assert active_schedule.generated_until >= NOW + dt.timedelta(days=24)
        dates = list(CheckIn.objects.values_list("local_date", flat=True))
        assert len(dates) == len(set(dates))


class TestAnswerAndReveal:
    def url(self, checkin, tail=""):
        return f"/api/v1/checkins/{checkin.pk}/{tail}"

    def test_partner_answers_stay_hidden_until_both_submitted(self, as_alice, as_bob, open_checkin):
        response = as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        assert response.status_code == 200
        assert response.json()["my_answers"] == PULSE
        assert response.json()["partner_answers"] is None

        bob_view = as_bob.get(self.url(open_checkin))
        raw = bob_view.content.decode()
        assert bob_view.json()["partner_answers"] is None
        assert bob_view.json()["revealed_at"] is None
        assert "The tea you made" not in raw and "early night" not in raw

        bob_answers = {"mood": 3, "appreciated": "Your patience", "need": "A walk together"}
        revealed = as_bob.put(self.url(open_checkin, "answers/"), {"answers": bob_answers}, format="json").json()

        assert revealed["revealed_at"] is not None
        assert revealed["partner_answers"] == PULSE
        assert revealed["status"] == "completed"
        assert as_alice.get(self.url(open_checkin)).json()["partner_answers"] == bob_answers

    def test_a_draft_does_not_reveal(self, as_alice, as_bob, open_checkin):
        as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        draft = as_bob.put(self.url(open_checkin, "answers/"), {"answers": {"mood": 2}, "submit": False}, format="json")

        assert draft.status_code == 200
        assert draft.json()["my_state"] == "draft"
        assert draft.json()["partner_answers"] is None
        assert "The tea" not in draft.content.decode()

    def test_submitting_needs_every_step(self, as_alice, open_checkin):
        response = as_alice.put(self.url(open_checkin, "answers/"), {"answers": {"mood": 3}}, format="json")
        assert response.status_code == 400
        assert set(response.json()["answers"]) == {"appreciated", "need"}

    def test_editable_until_reveal_then_409(self, as_alice, as_bob, open_checkin):
        as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        edited = dict(PULSE, mood=5)
        assert as_alice.put(self.url(open_checkin, "answers/"), {"answers": edited}, format="json").status_code == 200
        as_bob.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")

        late = as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        assert late.status_code == 409
        assert Answer.objects.get(checkin=open_checkin, author__email="alice@example.com").values["mood"] == 5

    @pytest.mark.parametrize(
        ("answers", "key"),
        [
            ({"mood": 0}, "mood"),
            ({"mood": 6}, "mood"),
            ({"mood": "4"}, "mood"),
            ({"mood": True}, "mood"),
            ({"mood": 3.5}, "mood"),
            ({"appreciated": 5}, "appreciated"),
            ({"appreciated": "x" * 2001}, "appreciated"),
            ({"favourite_colour": "blue"}, "favourite_colour"),
        ],
    )
    def test_bad_answers_get_field_errors_and_keep_saved_data(self, as_alice, open_checkin, answers, key):
        as_alice.put(self.url(open_checkin, "answers/"), {"answers": {"mood": 2}, "submit": False}, format="json")

        response = as_alice.put(
            self.url(open_checkin, "answers/"), {"answers": answers, "submit": False}, format="json"
        )

        assert response.status_code == 400
        assert key in response.json()["answers"]
        assert Answer.objects.get(checkin=open_checkin).values == {"mood": 2}

    @pytest.mark.parametrize(
        "body", [{}, {"answers": []}, {"answers": "mood=3"}, {"answers": PULSE, "submit": "maybe"}]
    )
    def test_bad_bodies(self, as_alice, open_checkin, body):
        response = as_alice.put(self.url(open_checkin, "answers/"), body, format="json")
        assert response.status_code == 400

    def test_malformed_json(self, as_alice, open_checkin):
        response = as_alice.put(self.url(open_checkin, "answers/"), "{oops", content_type="application/json")
        assert response.status_code == 400

    def test_not_open_yet_and_closed(self, as_alice, active_schedule, _frozen):
        upcoming = CheckIn.objects.order_by("scheduled_for").first()
        early = as_alice.put(self.url(upcoming, "answers/"), {"answers": PULSE}, format="json")
        assert early.status_code == 409

        _frozen.move_to(upcoming.closes_at + dt.timedelta(seconds=1))
        late = as_alice.put(self.url(upcoming, "answers/"), {"answers": PULSE}, format="json")
        assert late.status_code == 409

    def test_window_closes_after_48_hours_without_revealing_anything(self, as_alice, as_bob, open_checkin, _frozen):
        as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        _frozen.move_to(NOW + dt.timedelta(hours=48, seconds=1))
        assert services.checkins_close_expired() == 1
        assert services.checkins_close_expired() == 0  # twice, one effect

        bob_view = as_bob.get(self.url(open_checkin)).json()
        assert bob_view["status"] == "closed"
        assert bob_view["partner_answers"] is None
        assert "The tea" not in json.dumps(bob_view)
        kinds = [e["kind"] for e in as_bob.get(self.url(open_checkin, "events/")).json()["results"]]
        assert kinds == ["created", "answered", "closed"]

    def test_skip_is_private_and_never_announced(self, as_alice, as_bob, open_checkin):
        response = as_alice.post(self.url(open_checkin, "skip/"), {"reason": "Exhausted tonight"}, format="json")

        assert response.status_code == 200
        assert response.json()["my_state"] == "skipped"
        bob_view = as_bob.get(self.url(open_checkin))
        assert "skip" not in bob_view.content.decode().lower().replace("my_state", "")
        assert "Exhausted" not in bob_view.content.decode()
        events = as_bob.get(self.url(open_checkin, "events/")).json()["results"]
        assert [e["kind"] for e in events] == ["created"]

    def test_answering_after_skipping_is_fine(self, as_alice, open_checkin):
        as_alice.post(self.url(open_checkin, "skip/"), format="json")
        response = as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        assert response.json()["my_state"] == "submitted"

    def test_skip_reason_too_long(self, as_alice, open_checkin):
        response = as_alice.post(self.url(open_checkin, "skip/"), {"reason": "x" * 501}, format="json")
        assert response.status_code == 400 and "reason" in response.json()

    def test_events_catch_up(self, as_alice, as_bob, open_checkin):
        as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        as_bob.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")

        everything = as_alice.get(self.url(open_checkin, "events/")).json()
        after_first = as_alice.get(self.url(open_checkin, "events/?since=1")).json()

        assert [(e["seq"], e["kind"]) for e in everything["results"]] == [
            (1, "created"),
            (2, "answered"),
            (3, "answered"),
            (4, "revealed"),
        ]
        assert [e["seq"] for e in after_first["results"]] == [2, 3, 4]
        assert everything["last_seq"] == 4
        assert all(set(e) == {"seq", "kind", "created_at"} for e in everything["results"])

    @pytest.mark.parametrize("since", ["-1", "abc", "1.5", "9" * 20])
    def test_events_bad_since(self, as_alice, open_checkin, since):
        response = as_alice.get(self.url(open_checkin, f"events/?since={since}"))
        assert response.status_code == 400 and "since" in response.json()

    def test_answering_twice_records_one_answered_event(self, as_alice, open_checkin):
        as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        as_alice.put(self.url(open_checkin, "answers/"), {"answers": PULSE}, format="json")
        assert Event.objects.filter(checkin=open_checkin, kind="answered").count() == 1


class TestListsAndHistory:
    def test_status_filters(self, as_alice, as_bob, active_schedule, open_checkin):
        upcoming = as_alice.get("/api/v1/checkins/?status=upcoming").json()
        opened = as_alice.get("/api/v1/checkins/?status=open").json()

        assert upcoming["count"] == CheckIn.objects.filter(scheduled_for__gt=NOW).count() > 0
        assert [c["id"] for c in opened["results"]] == [open_checkin.pk]
        assert set(opened["results"][0]) >= {"id", "format", "scheduled_for", "status"}

        as_alice.put(f"/api/v1/checkins/{open_checkin.pk}/answers/", {"answers": PULSE}, format="json")
        as_bob.put(f"/api/v1/checkins/{open_checkin.pk}/answers/", {"answers": PULSE}, format="json")
        completed = as_alice.get("/api/v1/checkins/?status=completed").json()
        assert [c["id"] for c in completed["results"]] == [open_checkin.pk]
        assert as_alice.get("/api/v1/checkins/?status=open").json()["count"] == 0

    def test_unknown_status(self, as_alice, couple):
        response = as_alice.get("/api/v1/checkins/?status=everything")
        assert response.status_code == 400 and "status" in response.json()

    def test_ad_hoc_checkin(self, as_bob, couple):
        response = as_bob.post("/api/v1/checkins/", {"format": "temperature-reading"}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "open"
        assert [s["key"] for s in body["steps"]][0] == "appreciations"
        assert as_bob.post("/api/v1/checkins/", {"format": "nope"}, format="json").status_code == 400

    def test_list_query_count_does_not_grow(self, as_alice, couple, alice, django_assert_max_num_queries):
        fmt = Format.objects.get(key="daily-pulse")
        for _ in range(3):
            services.checkin_start(couple=couple, user=alice, format=fmt)
        with django_assert_max_num_queries(4) as few:
            as_alice.get("/api/v1/checkins/")
        for _ in range(30):
            checkin = services.checkin_start(couple=couple, user=alice, format=fmt)
            services.checkin_answer(checkin=checkin, author=alice, values={"mood": 3}, submit=False)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = as_alice.get("/api/v1/checkins/")
        assert response.json()["count"] == 33

    def test_schedule_list_query_count(self, as_alice, couple, django_assert_max_num_queries):
        for hour in range(10):
            propose(as_alice, time=f"{hour + 8:02d}:00")
        with django_assert_max_num_queries(5):
            assert as_alice.get("/api/v1/checkins/schedules/").json()["count"] == 10

    def test_consistency_is_the_couples(self, as_alice, as_bob, alice, bob, active_schedule, _frozen):
        checkins = list(CheckIn.objects.order_by("scheduled_for")[:3])
        for c in checkins[:2]:
            _frozen.move_to(c.scheduled_for + dt.timedelta(minutes=5))
            services.checkin_answer(checkin=c, author=alice, values=PULSE)
            services.checkin_answer(checkin=c, author=bob, values=dict(PULSE, mood=2))
        _frozen.move_to(checkins[2].closes_at + dt.timedelta(minutes=1))

        body = as_alice.get("/api/v1/checkins/insights/").json()

        assert body["consistency"]["weeks_4"] == {"scheduled": 3, "completed": 2, "ratio": 0.667}
        assert as_bob.get("/api/v1/checkins/insights/").json()["consistency"] == body["consistency"]
        # Each their own moods only: no partner's chart (issue #20, item 10).
        moods = {m["display_name"]: [p["mood"] for p in m["points"]] for m in body["moods"]}
        assert moods == {"Alice": [4, 4]}
        bobs = {
            m["display_name"]: [p["mood"] for p in m["points"]]
            for m in as_bob.get("/api/v1/checkins/insights/").json()["moods"]
        }
        assert bobs == {"Bob": [2, 2]}

    def test_moods_before_reveal_are_not_in_insights(self, as_bob, alice, open_checkin):
        services.checkin_answer(checkin=open_checkin, author=alice, values=PULSE)
        assert as_bob.get("/api/v1/checkins/insights/").json()["moods"] == []


def add_history(couple, alice, bob, days: int) -> None:
    """``days`` past check-ins, in every state alice's answer can be in,
    written in bulk (no events): the list's cost must not depend on it."""
    fmt = Format.objects.get(key="daily-pulse")
    checkins = CheckIn.objects.bulk_create(
        CheckIn(
            couple=couple,
            format=fmt,
            steps=fmt.steps,
            scheduled_for=NOW - dt.timedelta(days=day, hours=1),
            closes_at=NOW - dt.timedelta(days=day - 2, hours=1),
            revealed_at=NOW - dt.timedelta(days=day) if day % 4 == 0 else None,
        )
        for day in range(1, days + 1)
    )
    answers = []
    for n, checkin in enumerate(checkins):
        state = n % 4  # 0 submitted, 1 draft, 2 skipped, 3 none
        if state != 3:
            answers.append(
                Answer(
                    checkin=checkin,
                    author=alice,
                    values=PULSE,
                    submitted_at=checkin.scheduled_for if state == 0 else None,
                    skipped_at=checkin.scheduled_for if state == 2 else None,
                )
            )
        answers.append(Answer(checkin=checkin, author=bob, values=PULSE, submitted_at=checkin.scheduled_for))
    Answer.objects.bulk_create(answers)


class TestListCost:
    """Issue #16: the list's queries are the same for 10 check-ins as for
    hundreds, and it reads no answer content."""

    @pytest.mark.parametrize("status", [None, "open", "closed", "completed"])
    def test_same_queries_for_10_and_300_checkins(
        self, as_alice, couple, alice, bob, status, django_assert_max_num_queries, django_assert_num_queries
    ):
        path = "/api/v1/checkins/" + (f"?status={status}" if status else "")
        add_history(couple, alice, bob, 10)
        with django_assert_max_num_queries(3) as few:
            as_alice.get(path)
        add_history(couple, alice, bob, 290)

        with django_assert_num_queries(len(few.captured_queries)) as many:
            response = as_alice.get(path)

        assert response.status_code == 200
        sql = " ".join(q["sql"] for q in many.captured_queries)
        assert '"values"' not in sql and '"steps"' not in sql

    def test_every_state_of_mine_and_the_schema_serializer_agree(self, as_alice, couple, alice, bob, open_checkin):
        from checkins import selectors
        from checkins.api import CheckInListOutput, checkin_list_data

        add_history(couple, alice, bob, 8)
        rows = list(selectors.checkin_rows_for_member(user=alice, now=NOW))

        body = as_alice.get("/api/v1/checkins/").json()["results"]

        assert body == checkin_list_data(rows, now=NOW) == CheckInListOutput(rows, many=True, context={"now": NOW}).data
        assert {c["my_state"] for c in body} == {"not_started", "draft", "submitted", "skipped"}
        assert {c["status"] for c in body} == {"open", "closed", "completed"}
        assert body[0] == {
            "id": open_checkin.pk,
            "format": "daily-pulse",
            "format_name": "Daily pulse",
            "scheduled_for": "2026-03-02T09:00:00Z",
            "closes_at": open_checkin.closes_at.isoformat().replace("+00:00", "Z"),
            "status": "open",
            "revealed_at": None,
            "my_state": "not_started",
        }

    def test_no_checkins_yet_is_an_empty_list_not_paired_is_404(self, as_alice, couple, theo, alice, bob):
        assert as_alice.get("/api/v1/checkins/").json() == {"count": 0, "next": None, "previous": None, "results": []}
        assert client_for(theo).get("/api/v1/checkins/").status_code == 404
        couple.memberships.filter(user=alice).update(left_at=NOW)
        assert as_alice.get("/api/v1/checkins/").status_code == 404

    def test_bobs_list_shows_his_own_state_not_alices(self, as_bob, couple, alice, bob):
        add_history(couple, alice, bob, 8)
        assert {c["my_state"] for c in as_bob.get("/api/v1/checkins/").json()["results"]} == {"submitted"}


class TestWhoMaySee:
    """mallory (a stranger with her own couple) and theo (a therapist, no
    consent) get 404 on every check-in and schedule of alice and bob."""

    @pytest.fixture
    def targets(self, active_schedule, open_checkin):
        s, c = active_schedule.pk, open_checkin.pk
        return [
            ("get", f"/api/v1/checkins/schedules/{s}/", None),
            ("patch", f"/api/v1/checkins/schedules/{s}/", {"time": "07:00"}),
            ("delete", f"/api/v1/checkins/schedules/{s}/", None),
            ("post", f"/api/v1/checkins/schedules/{s}/accept/", {}),
            ("post", f"/api/v1/checkins/schedules/{s}/pause/", {}),
            ("post", f"/api/v1/checkins/schedules/{s}/resume/", {}),
            ("get", f"/api/v1/checkins/{c}/", None),
            ("put", f"/api/v1/checkins/{c}/answers/", {"answers": PULSE}),
            ("post", f"/api/v1/checkins/{c}/skip/", {}),
            ("get", f"/api/v1/checkins/{c}/events/", None),
        ]

    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_get_404(self, request, targets, mallory_couple, who):
        client = client_for(request.getfixturevalue(who))
        for method, url, body in targets:
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 404, (who, method, url, response.status_code)
        assert Schedule.objects.get().status == "active"
        assert not Answer.objects.exists()

    def test_mallorys_lists_hold_nothing_of_theirs(self, as_mallory, mallory_couple, active_schedule, open_checkin):
        assert as_mallory.get("/api/v1/checkins/").json()["count"] == 0
        assert as_mallory.get("/api/v1/checkins/schedules/").json()["count"] == 0

    def test_unpaired_and_anonymous(self, api, theo, active_schedule):
        assert api.get("/api/v1/checkins/").status_code == 401
        assert client_for(theo).get("/api/v1/checkins/").status_code == 404

    def test_a_former_partner_loses_access(self, as_bob, as_alice, open_checkin):
        from couples.services import couple_leave

        from .factories import PASSWORD

        couple_leave(user=open_checkin.couple.memberships.first().user, password=PASSWORD)
        assert as_bob.get(f"/api/v1/checkins/{open_checkin.pk}/").status_code == 404
        assert as_alice.get(f"/api/v1/checkins/{open_checkin.pk}/").status_code == 404
