"""The daily question's API (API.md, "Added in v1.1"): shapes, status
codes, reveal together, strangers, bad input, the history's pages and
queries, and each person's preferences."""

import datetime as dt

import pytest
import time_machine

from daily import services
from daily.models import DailyAnswer, DailyQuestion
from reminders.models import Preference, Reminder

from .conftest import client_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
URL = "/api/v1/daily-question/"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def answer_url(question_id) -> str:
    return f"{URL}{question_id}/answer/"


class TestToday:
    def test_the_same_question_for_both_in_the_couples_day(self, couple, as_alice, as_bob):
        mine = as_alice.get(URL)
        theirs = as_bob.get(URL)
        assert mine.status_code == theirs.status_code == 200
        body = mine.json()
        assert set(body) == {"id", "theme", "theme_label", "text", "date", "mine", "partner", "revealed_at"}
        assert body["id"] == theirs.json()["id"] and body["date"] == "2026-03-02"
        assert body["mine"] is None and body["partner"] is None and body["revealed_at"] is None
        assert DailyQuestion.objects.count() == 1

    @pytest.mark.parametrize("who", ["as_theo", "as_mallory"])
    def test_not_for_someone_outside_the_couple(self, request, couple, who):
        # mallory has no couple here; theo is a therapist.
        assert request.getfixturevalue(who).get(URL).status_code == 404

    def test_signed_out(self, api):
        assert api.get(URL).status_code == 401


class TestAnswer:
    def test_revealed_when_both_answered_then_final(self, couple, as_alice, as_bob):
        qid = as_alice.get(URL).json()["id"]
        first = as_alice.put(answer_url(qid), {"text": "SECRET-A"}, format="json")
        assert first.status_code == 200
        assert first.json()["mine"] == "SECRET-A" and first.json()["partner"] is None
        # Bob sees nothing of it, not even that it exists.
        assert as_bob.get(URL).json()["partner"] is None
        assert "SECRET-A" not in as_bob.get(URL).content.decode()

        second = as_bob.put(answer_url(qid), {"text": "SECRET-B"}, format="json")
        assert second.status_code == 200
        assert second.json()["partner"] == "SECRET-A" and second.json()["revealed_at"]
        assert as_alice.get(URL).json()["partner"] == "SECRET-B"

        late = as_alice.put(answer_url(qid), {"text": "changed"}, format="json")
        assert late.status_code == 409
        assert DailyAnswer.objects.get(author__email="alice@example.com").text == "SECRET-A"

    def test_changed_until_the_reveal(self, couple, as_alice):
        qid = as_alice.get(URL).json()["id"]
        as_alice.put(answer_url(qid), {"text": "one"}, format="json")
        assert as_alice.put(answer_url(qid), {"text": "two"}, format="json").json()["mine"] == "two"
        assert DailyAnswer.objects.count() == 1

    @pytest.mark.parametrize(
        "body",
        [{}, {"text": ""}, {"text": "   "}, {"text": 42}, {"text": None}, {"text": ["a"]}, {"text": "x" * 1001}],
    )
    def test_bad_input_is_a_400_with_the_field(self, couple, as_alice, body):
        qid = as_alice.get(URL).json()["id"]
        response = as_alice.put(answer_url(qid), body, format="json")
        assert response.status_code == 400
        assert "text" in response.json()
        assert not DailyAnswer.objects.exists()

    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_get_404_as_for_a_missing_question(self, couple, as_alice, request, mallory_couple, who):
        qid = as_alice.get(URL).json()["id"]
        stranger = client_for(request.getfixturevalue(who))
        real = stranger.put(answer_url(qid), {"text": "x"}, format="json")
        missing = stranger.put(answer_url(987654), {"text": "x"}, format="json")
        assert real.status_code == missing.status_code == 404
        assert not DailyAnswer.objects.exists()


class TestHistory:
    def test_past_questions_newest_first_with_what_each_may_see(self, couple, alice, bob, as_alice, as_bob, _frozen):
        days = []
        for n in range(3, 0, -1):
            _frozen.move_to(NOW - dt.timedelta(days=n))
            q = services.daily_question_for(couple=couple)
            services.daily_answer_submit(user=alice, question_id=q.pk, text=f"alice {n}")
            if n != 2:
                services.daily_answer_submit(user=bob, question_id=q.pk, text=f"bob {n}")
            days.append(q)
        _frozen.move_to(NOW)
        services.daily_question_for(couple=couple)  # today: not history

        page = as_bob.get(f"{URL}history/").json()
        assert page["count"] == 3
        rows = page["results"]
        assert [r["date"] for r in rows] == ["2026-03-01", "2026-02-28", "2026-02-27"]
        assert [(r["mine"], r["partner"]) for r in rows] == [
            ("bob 1", "alice 1"),
            (None, None),  # alice answered, bob did not: never revealed
            ("bob 3", "alice 3"),
        ]
        assert as_alice.get(f"{URL}history/").json()["results"][1] == {**rows[1], "mine": "alice 2"}

    def test_paginated_with_constant_queries(
        self, couple, alice, bob, as_alice, _frozen, django_assert_max_num_queries
    ):
        for n in range(60, 0, -1):
            _frozen.move_to(NOW - dt.timedelta(days=n))
            q = services.daily_question_for(couple=couple)
            services.daily_answer_submit(user=alice, question_id=q.pk, text="a")
            services.daily_answer_submit(user=bob, question_id=q.pk, text="b")
        _frozen.move_to(NOW)
        as_alice.get(f"{URL}history/")
        # auth, couple, count, page, answers
        with django_assert_max_num_queries(6):
            page = as_alice.get(f"{URL}history/").json()
        assert page["count"] == 60 and len(page["results"]) == 50 and page["next"]

    def test_empty_for_a_new_couple_404_when_not_paired(self, couple, as_alice, as_mallory):
        assert as_alice.get(f"{URL}history/").json()["count"] == 0
        assert as_mallory.get(f"{URL}history/").status_code == 404


class TestPreferences:
    def test_the_callers_own_and_off_by_default(self, couple, as_alice, as_bob):
        body = as_alice.get(f"{URL}preferences/").json()
        assert body["skip_themes"] == [] and body["reminder_time"] is None
        assert [t["key"] for t in body["themes"]] == ["appreciation", "memories", "hopes", "fun", "everyday", "depth"]

        changed = as_alice.patch(f"{URL}preferences/", {"skip_themes": ["fun"]}, format="json")
        assert changed.status_code == 200 and changed.json()["skip_themes"] == ["fun"]
        assert as_bob.get(f"{URL}preferences/").json()["skip_themes"] == []

    def test_the_reminder_on_and_off(self, couple, alice, as_alice):
        on = as_alice.patch(f"{URL}preferences/", {"reminder_time": "19:30"}, format="json")
        assert on.status_code == 200 and on.json()["reminder_time"] == "19:30"
        assert Preference.objects.get(user=alice).kinds["daily_question"] is True
        pending = Reminder.objects.get(user=alice, kind="daily_question", status="pending")
        # 19:30 in Berlin on 2 March is 18:30 UTC.
        assert pending.due_at == dt.datetime(2026, 3, 2, 18, 30, tzinfo=dt.UTC)

        off = as_alice.patch(f"{URL}preferences/", {"reminder_time": None}, format="json")
        assert off.json()["reminder_time"] is None
        assert not Reminder.objects.filter(user=alice, kind="daily_question", status="pending").exists()

    @pytest.mark.parametrize(
        "body",
        [
            {"skip_themes": "fun"},
            {"skip_themes": ["nope"]},
            {"skip_themes": [1]},
            {"skip_themes": ["appreciation", "memories", "hopes", "fun", "everyday", "depth"]},
            {"reminder_time": "25:00"},
            {"reminder_time": 7},
        ],
    )
    def test_bad_input(self, couple, as_alice, body):
        response = as_alice.patch(f"{URL}preferences/", body, format="json")
        assert response.status_code == 400
        assert set(response.json()) & {"skip_themes", "reminder_time"}
