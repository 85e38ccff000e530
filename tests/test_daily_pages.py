"""The daily question's pages (issue #22): today (answer, change, reveal),
the history (paginated, queries pinned), themes and reminder, the home
card, and strangers."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from daily import services
from daily.models import DailyAnswer, DailyQuestion
from reminders.models import Reminder

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestToday:
    def test_answer_then_wait_then_both(self, alice, bob, couple):
        a, b = web(alice), web(bob)
        page = a.get("/daily/")
        question = DailyQuestion.objects.get()
        html = page.content.decode()
        assert page.status_code == 200 and question.text.replace("'", "&#x27;") in html
        assert 'data-testid="daily-form"' in html

        saved = a.post("/daily/", {"text": "SECRET-ALICE"}, follow=True)
        html = saved.content.decode()
        assert 'data-testid="daily-waiting"' in html and "SECRET-ALICE" in html
        # Bob's page says nothing about alice having answered.
        bob_html = b.get("/daily/").content.decode()
        assert "SECRET-ALICE" not in bob_html and "has answered" not in bob_html

        both = b.post("/daily/", {"text": "SECRET-BOB"}, follow=True).content.decode()
        assert 'data-testid="daily-revealed"' in both and "SECRET-ALICE" in both and "SECRET-BOB" in both
        assert "SECRET-BOB" in a.get("/daily/").content.decode()

    def test_a_revealed_answer_is_final_on_the_page_too(self, alice, bob, couple):
        question = services.daily_question_for(couple=couple)
        services.daily_answer_submit(user=alice, question_id=question.pk, text="A")
        services.daily_answer_submit(user=bob, question_id=question.pk, text="B")
        response = web(alice).post("/daily/", {"text": "changed"}, follow=True)
        assert "stay as they are" in response.content.decode()
        assert DailyAnswer.objects.get(author=alice).text == "A"

    def test_an_empty_answer_is_a_clear_error(self, alice, couple):
        response = web(alice).post("/daily/", {"text": "  "})
        assert response.status_code == 200
        assert "Write a few words first." in response.content.decode()
        assert not DailyAnswer.objects.exists()

    def test_strangers_and_the_unpaired(self, theo, mallory, couple):
        assert web(mallory).get("/daily/")["Location"] == "/pair/"
        assert web(theo).get("/daily/").status_code in (302, 404)
        assert not DailyQuestion.objects.filter(couple__memberships__user=mallory).exists()


class TestHistory:
    def test_paginated_and_queries_pinned(self, alice, bob, couple, _frozen, django_assert_max_num_queries):
        for n in range(25, 0, -1):
            _frozen.move_to(NOW - dt.timedelta(days=n))
            q = services.daily_question_for(couple=couple)
            services.daily_answer_submit(user=alice, question_id=q.pk, text=f"alice-{n}")
            services.daily_answer_submit(user=bob, question_id=q.pk, text=f"bob-{n}")
        _frozen.move_to(NOW)
        client = web(alice)
        client.get("/daily/history/")
        # session, user, couple (decorator), couple, partners, count, page, answers, unread
        with django_assert_max_num_queries(11) as few:
            page = client.get("/daily/history/")
        html = page.content.decode()
        assert "bob-1" in html and "bob-10" in html and "bob-11" not in html
        with django_assert_max_num_queries(len(few.captured_queries)):
            older = client.get("/daily/history/?page=3").content.decode()
        assert "bob-25" in older

    def test_an_unrevealed_past_question_keeps_the_partners_answer_hidden(self, alice, bob, couple, _frozen):
        _frozen.move_to(NOW - dt.timedelta(days=1))
        q = services.daily_question_for(couple=couple)
        services.daily_answer_submit(user=bob, question_id=q.pk, text="SECRET-BOB")
        _frozen.move_to(NOW)
        html = web(alice).get("/daily/history/").content.decode()
        assert "SECRET-BOB" not in html and "Not answered." in html


class TestThemes:
    def test_skip_and_reminder_saved(self, alice, couple):
        client = web(alice)
        assert client.get("/daily/themes/").status_code == 200
        response = client.post("/daily/themes/", {"skip": ["fun", "depth"], "reminder": "20:00"})
        assert response.status_code == 302
        assert alice.daily_prefs.skip_themes == ["fun", "depth"]
        assert Reminder.objects.filter(user=alice, kind="daily_question", status="pending").exists()
        client.post("/daily/themes/", {"skip": [], "reminder": ""})
        assert not Reminder.objects.filter(user=alice, kind="daily_question", status="pending").exists()

    def test_bad_choices_are_form_errors(self, alice, couple):
        response = web(alice).post(
            "/daily/themes/",
            {"skip": ["appreciation", "memories", "hopes", "fun", "everyday", "depth"], "reminder": "03:33"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Choose one of the times, or off." in html


class TestHomeCard:
    def test_says_whether_i_answered_never_whether_my_partner_did(self, alice, bob, couple):
        assert "See today's question" in web(alice).get("/").content.decode()
        question = services.daily_question_for(couple=couple)
        services.daily_answer_submit(user=bob, question_id=question.pk, text="B")
        html = web(alice).get("/").content.decode()
        assert 'data-testid="daily-card"' in html and ">Answer<" in html
        assert "You've answered" not in html
        services.daily_answer_submit(user=alice, question_id=question.pk, text="A")
        assert "See both answers" in web(alice).get("/").content.decode()
