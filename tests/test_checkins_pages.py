"""The check-in web pages, through Django's test client: who may see what,
step-by-step answering, the reveal, schedules, history and the home card."""

import datetime as dt
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from checkins import services
from checkins.charts import Series, line_chart
from checkins.models import Answer, CheckIn, Format, Schedule
from checkins.views import HISTORY_PAGE_SIZE, home_context

from .factories import CheckInFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday: 10:00 in Berlin, 04:00 in New York

ALICE_PULSE = {"mood": 4, "appreciated": "The tea you made me", "need": "An early night together"}
BOB_PULSE = {"mood": 2, "appreciated": "Bob-secret-appreciation", "need": "Bob-secret-need for a walk"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user=None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def web_alice(alice):
    return web(alice)


@pytest.fixture
def web_bob(bob):
    return web(bob)


@pytest.fixture
def pulse():
    return Format.objects.get(key="daily-pulse")


@pytest.fixture
def open_checkin(couple, alice, pulse):
    return CheckInFactory(couple=couple, user=alice, format=pulse)


@pytest.fixture
def proposed(couple, alice, pulse):
    return services.schedule_propose(
        couple=couple, user=alice, format=pulse, weekdays=[0, 2, 4], time=dt.time(20, 0), timezone_name="Europe/Berlin"
    )


@pytest.fixture
def active(proposed, bob):
    return services.schedule_accept(schedule=proposed, user=bob)


@pytest.fixture
def revealed(open_checkin, alice, bob):
    services.checkin_answer(checkin=open_checkin, author=alice, values=ALICE_PULSE)
    services.checkin_answer(checkin=open_checkin, author=bob, values=BOB_PULSE)
    open_checkin.refresh_from_db()
    return open_checkin


def html(response) -> str:
    return response.content.decode()


def step_post(client, checkin, step, value, go="next"):
    return client.post(f"/checkins/{checkin.pk}/", {"step": step, "value": value, "go": go})


class TestEveryPageOpensForAPartner:
    def test_lists_and_forms(self, web_alice, active, revealed):
        for url in [
            "/checkins/",
            "/checkins/schedules/",
            f"/checkins/schedules/{active.pk}/change/",
            f"/checkins/schedules/{active.pk}/delete/",
            "/checkins/history/",
            f"/checkins/{revealed.pk}/",
        ]:
            response = web_alice.get(url)
            assert response.status_code == 200, url
            assert html(response).count("<h1") == 1, url

    def test_every_state_of_a_checkin(self, web_alice, alice, couple, pulse, active, _frozen):
        fresh = services.checkin_start(couple=couple, user=alice, format=pulse)
        assert "Step 1 of 3" in html(web_alice.get(f"/checkins/{fresh.pk}/"))
        assert "Skip this one?" in html(web_alice.get(f"/checkins/{fresh.pk}/skip/"))

        upcoming = CheckIn.objects.filter(schedule=active).order_by("scheduled_for").first()
        page = html(web_alice.get(f"/checkins/{upcoming.pk}/"))
        # Monday 20:00 Berlin, in Alice's own timezone.
        assert "Not open yet" in page and "Monday 2 March at 20:00" in page

        _frozen.move_to(fresh.closes_at + dt.timedelta(minutes=1))
        closed = html(web_alice.get(f"/checkins/{fresh.pk}/"))
        assert "This one has closed" in closed and "Its time has passed" in closed

    def test_anonymous_is_sent_to_sign_in(self, open_checkin):
        for url in ["/checkins/", "/checkins/schedules/", "/checkins/history/", f"/checkins/{open_checkin.pk}/"]:
            response = web().get(url)
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class TestOnlyTheCoupleMaySee:
    @pytest.fixture
    def targets(self, active, open_checkin):
        s, c = active.pk, open_checkin.pk
        return [
            ("get", f"/checkins/schedules/{s}/change/", None),
            ("post", f"/checkins/schedules/{s}/change/", {"format": "daily-pulse", "weekdays": ["1"], "time": "07:00"}),
            ("get", f"/checkins/schedules/{s}/delete/", None),
            ("post", f"/checkins/schedules/{s}/delete/", {}),
            ("post", f"/checkins/schedules/{s}/accept/", {}),
            ("post", f"/checkins/schedules/{s}/pause/", {}),
            ("post", f"/checkins/schedules/{s}/resume/", {}),
            ("get", f"/checkins/{c}/", None),
            ("post", f"/checkins/{c}/", {"step": 1, "value": 3}),
            ("get", f"/checkins/{c}/skip/", None),
            ("post", f"/checkins/{c}/skip/", {"reason": "x"}),
        ]

    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_and_therapists_get_404(self, request, targets, mallory_couple, who):
        client = web(request.getfixturevalue(who))
        for method, url, body in targets:
            response = getattr(client, method)(url, body) if body is not None else getattr(client, method)(url)
            assert response.status_code == 404, (who, method, url, response.status_code)
        assert Schedule.objects.get().status == "active"
        assert not Answer.objects.exists()

    def test_mallory_sees_only_her_own_couple(self, mallory, mallory_couple, active, revealed):
        client = web(mallory)
        for url in ["/checkins/", "/checkins/schedules/", "/checkins/history/"]:
            page = html(client.get(url))
            assert "The tea you made me" not in page and "Bob-secret" not in page, url
            for marker in ['data-testid="schedule"', 'data-testid="open-checkin"', 'data-testid="history-item"']:
                assert marker not in page, (url, marker)

    def test_theo_has_no_couple_pages(self, theo):
        for url in ["/checkins/", "/checkins/schedules/", "/checkins/history/"]:
            assert web(theo).get(url).status_code == 404


class TestRevealTogether:
    def test_partners_answers_are_never_in_the_html_before_the_reveal(self, web_alice, web_bob, bob, open_checkin):
        services.checkin_answer(checkin=open_checkin, author=bob, values=BOB_PULSE)
        pages = [
            f"/checkins/{open_checkin.pk}/",
            f"/checkins/{open_checkin.pk}/?step=1",
            f"/checkins/{open_checkin.pk}/?step=2",
            f"/checkins/{open_checkin.pk}/?step=3",
            f"/checkins/{open_checkin.pk}/skip/",
            "/checkins/",
            "/checkins/history/",
        ]
        for url in pages:
            page = html(web_alice.get(url))
            assert "Bob-secret" not in page, url

        # Alice answers step by step; still nothing of Bob's until she sends.
        step_post(web_alice, open_checkin, 1, "4")
        step_post(web_alice, open_checkin, 2, "The tea you made me")
        assert "Bob-secret" not in html(web_alice.get(f"/checkins/{open_checkin.pk}/?step=3"))

        sent = step_post(web_alice, open_checkin, 3, "An early night together")
        assert sent.status_code == 302
        reveal = html(web_alice.get(f"/checkins/{open_checkin.pk}/"))
        assert "You both answered" in reveal
        assert "Bob-secret-appreciation" in reveal and "The tea you made me" in reveal
        assert "Low" in reveal and "Good" in reveal  # moods in words
        # The date in each viewer's own timezone.
        assert "Monday 2 March at 10:00" in reveal
        assert "Monday 2 March at 04:00" in html(web_bob.get(f"/checkins/{open_checkin.pk}/"))

    def test_the_waiting_state_never_says_whether_the_partner_started(self, web_alice, alice, bob, open_checkin):
        services.checkin_answer(checkin=open_checkin, author=alice, values=ALICE_PULSE)
        before = html(web_alice.get(f"/checkins/{open_checkin.pk}/"))
        assert "Your answers are in" in before
        assert "You'll both see each other's answers once Bob has answered too." in before

        services.checkin_answer(checkin=open_checkin, author=bob, values={"mood": 2}, submit=False)
        after = html(web_alice.get(f"/checkins/{open_checkin.pk}/"))
        strip = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # noqa: E731
        assert strip(before) == strip(after)

    def test_bobs_draft_does_not_show_to_alice(self, web_alice, bob, open_checkin):
        services.checkin_answer(
            checkin=open_checkin, author=bob, values={"appreciated": "Bob-secret-draft"}, submit=False
        )
        assert "Bob-secret" not in html(web_alice.get(f"/checkins/{open_checkin.pk}/?step=2"))

    def test_a_skip_is_private(self, web_alice, web_bob, open_checkin):
        response = web_bob.post(f"/checkins/{open_checkin.pk}/skip/", {"reason": "Bob-secret-reason: exhausted"})
        assert response.status_code == 302
        mine = html(web_bob.get(f"/checkins/{open_checkin.pk}/"))
        assert "You set this one aside" in mine and "Bob-secret-reason" in mine and "only you see it" in mine
        for url in [f"/checkins/{open_checkin.pk}/", "/checkins/", "/checkins/history/"]:
            page = html(web_alice.get(url)).lower()
            assert "bob-secret" not in page and "set this one aside" not in page and "skipped" not in page

    def test_answering_after_all(self, web_bob, open_checkin):
        web_bob.post(f"/checkins/{open_checkin.pk}/skip/", {"reason": ""})
        assert "Step 1 of 3" in html(web_bob.get(f"/checkins/{open_checkin.pk}/?step=1"))
        step_post(web_bob, open_checkin, 1, "3")
        answer = Answer.objects.get(author__email="bob@example.com")
        assert answer.values == {"mood": 3} and answer.skipped_at is None

    def test_skip_reason_too_long(self, web_bob, open_checkin):
        response = web_bob.post(f"/checkins/{open_checkin.pk}/skip/", {"reason": "x" * 501})
        assert response.status_code == 200
        assert "Keep it under 500 characters." in html(response)
        assert not Answer.objects.exists()


class TestStepByStep:
    def test_each_step_saves_a_draft_and_the_last_submits(self, web_alice, alice, open_checkin):
        first = web_alice.get(f"/checkins/{open_checkin.pk}/")
        page = html(first)
        assert "Step 1 of 3" in page and "How are you feeling right now?" in page
        for word in ["Struggling", "Low", "Okay", "Good", "Great"]:
            assert word in page

        response = step_post(web_alice, open_checkin, 1, "4")
        assert response.status_code == 302 and response["Location"].endswith("?step=2")
        answer = Answer.objects.get(checkin=open_checkin, author=alice)
        assert answer.values == {"mood": 4} and answer.submitted_at is None

        step2 = html(web_alice.get(response["Location"]))
        assert "Step 2 of 3" in step2
        assert "Small is perfect: a look, a message, a cup of tea." in step2  # the help text
        assert 'maxlength="2000"' in step2

        step_post(web_alice, open_checkin, 2, "The tea\r\nyou made me")
        answer.refresh_from_db()
        assert answer.values == {"mood": 4, "appreciated": "The tea\nyou made me"} and answer.submitted_at is None

        # Back saves too, then shows the previous step with its answer.
        back = step_post(web_alice, open_checkin, 3, "An early", go="back")
        assert back["Location"].endswith("?step=2")
        answer.refresh_from_db()
        assert answer.values["need"] == "An early" and answer.submitted_at is None
        assert "The tea\nyou made me</textarea>" in html(web_alice.get(back["Location"]))

        sent = step_post(web_alice, open_checkin, 3, "An early night")
        assert sent.status_code == 302 and sent["Location"] == f"/checkins/{open_checkin.pk}/"
        answer.refresh_from_db()
        assert answer.submitted_at is not None
        assert answer.values == {"mood": 4, "appreciated": "The tea\nyou made me", "need": "An early night"}
        assert "Your answers are in" in html(web_alice.get(sent["Location"]))

    def test_without_a_step_it_resumes_at_the_first_unanswered(self, web_alice, alice, open_checkin):
        services.checkin_answer(checkin=open_checkin, author=alice, values={"mood": 3}, submit=False)
        assert "Step 2 of 3" in html(web_alice.get(f"/checkins/{open_checkin.pk}/"))

    def test_sending_with_an_empty_step_goes_back_to_it(self, web_alice, alice, open_checkin):
        step_post(web_alice, open_checkin, 1, "2")
        response = step_post(web_alice, open_checkin, 3, "Quiet evening")
        assert response["Location"].endswith("?step=2")
        answer = Answer.objects.get(author=alice)
        assert answer.values == {"mood": 2, "need": "Quiet evening"} and answer.submitted_at is None
        assert "Step 2 still needs an answer" in html(web_alice.get(response["Location"]))

    @pytest.mark.parametrize(
        ("step", "value", "message"),
        [
            (1, "9", "Choose a mood from 1 to 5."),
            (1, "0", "Choose a mood from 1 to 5."),
            (1, "happy", "Choose a mood from 1 to 5."),
            (2, "x" * 2001, "Keep it under 2000 characters."),
        ],
    )
    def test_bad_input_shows_a_field_error_and_keeps_saved_data(
        self, web_alice, alice, open_checkin, step, value, message
    ):
        services.checkin_answer(
            checkin=open_checkin, author=alice, values={"mood": 2, "appreciated": "Saved before"}, submit=False
        )
        response = step_post(web_alice, open_checkin, step, value)

        assert response.status_code == 200
        page = html(response)
        assert message in page
        assert 'aria-invalid="true"' in page and 'role="alert"' in page
        assert f"Step {step} of 3" in page
        answer = Answer.objects.get(author=alice)
        assert answer.values == {"mood": 2, "appreciated": "Saved before"}
        if step == 2:
            assert "x" * 2001 in page  # what was typed is kept on screen, to trim

    def test_changing_answers_while_waiting(self, web_alice, alice, open_checkin):
        services.checkin_answer(checkin=open_checkin, author=alice, values=ALICE_PULSE)
        page = html(web_alice.get(f"/checkins/{open_checkin.pk}/?step=3"))
        assert "Save changes" in page and "Send my answers" not in page
        step_post(web_alice, open_checkin, 3, "A long bath")
        answer = Answer.objects.get(author=alice)
        assert answer.values["need"] == "A long bath" and answer.submitted_at is not None
        # An empty step of a sent answer is refused, and nothing changes.
        refused = step_post(web_alice, open_checkin, 2, "")
        assert "Please answer this step before sending." in html(refused)
        assert Answer.objects.get(author=alice).values["appreciated"] == ALICE_PULSE["appreciated"]

    def test_after_the_reveal_it_is_read_only(self, web_alice, alice, revealed):
        response = step_post(web_alice, revealed, 1, "1")
        assert response.status_code == 302
        assert Answer.objects.get(checkin=revealed, author=alice).values["mood"] == 4

    def test_not_open_yet_refuses_answers(self, web_alice, active):
        upcoming = CheckIn.objects.filter(schedule=active).order_by("scheduled_for").first()
        response = step_post(web_alice, upcoming, 1, "3")
        assert response.status_code == 302
        assert not Answer.objects.exists()

    def test_nonsense_step_numbers(self, web_alice, open_checkin):
        assert "Step 3 of 3" in html(web_alice.get(f"/checkins/{open_checkin.pk}/?step=99"))
        assert "Step 1 of 3" in html(web_alice.get(f"/checkins/{open_checkin.pk}/?step=abc"))
        assert step_post(web_alice, open_checkin, 7, "3").status_code == 302
        assert not Answer.objects.exists()


class TestSchedules:
    def test_propose_with_the_couples_timezone_as_default(self, web_alice, couple):
        form = html(web_alice.get("/checkins/schedules/"))
        assert 'name="timezone" value="Europe/Berlin"' in form
        for text in ["Daily pulse", "Two minutes to touch base", "Weekly state of us", "Temperature reading"]:
            assert text in form
        assert form.count('name="weekdays"') == 7

        response = web_alice.post(
            "/checkins/schedules/",
            {"format": "weekly-state-of-us", "weekdays": ["6"], "time": "18:30", "timezone": "Europe/Berlin"},
        )
        assert response.status_code == 302
        schedule = Schedule.objects.get()
        assert (schedule.format.key, schedule.weekdays, str(schedule.time)) == ("weekly-state-of-us", [6], "18:30:00")
        assert schedule.status == "proposed" and schedule.proposed_by.email == "alice@example.com"
        assert "Waiting for Bob to accept" in html(web_alice.get("/checkins/schedules/"))

    @pytest.mark.parametrize(
        ("over", "message"),
        [
            ({"weekdays": []}, "Choose at least one day."),
            ({"weekdays": ["9"]}, "Choose days from the week shown."),
            ({"time": "25:00"}, "Enter a time, like 20:00."),
            ({"format": "nope"}, "Choose one of the check-ins shown."),
            ({"timezone": "Moon/Base"}, "Choose a timezone from the list"),
        ],
    )
    def test_bad_input(self, web_alice, couple, over, message):
        body = {"format": "daily-pulse", "weekdays": ["0"], "time": "20:00", "timezone": "Europe/Berlin", **over}
        response = web_alice.post("/checkins/schedules/", body)
        assert response.status_code == 200
        assert message in html(response)
        assert not Schedule.objects.exists()

    def test_accept_is_only_for_the_partner_who_did_not_propose(self, web_alice, web_bob, proposed):
        alices = html(web_alice.get("/checkins/schedules/"))
        assert 'data-testid="accept"' not in alices
        assert "Waiting for Bob to accept" in alices
        bobs = html(web_bob.get("/checkins/schedules/"))
        assert 'data-testid="accept"' in bobs and "Alice proposed this" in bobs

        refused = web_alice.post(f"/checkins/schedules/{proposed.pk}/accept/", {"version": proposed.version})
        assert refused.status_code == 302
        assert Schedule.objects.get().status == "proposed"
        assert "you proposed it" in html(web_alice.get("/checkins/schedules/"))

        web_bob.post(f"/checkins/schedules/{proposed.pk}/accept/", {"version": proposed.version})
        assert Schedule.objects.get().status == "active"
        assert CheckIn.objects.filter(schedule=proposed).exists()
        # Bob lives in New York: the next one, Monday 20:00 Berlin, is 14:00 his time.
        bobs = html(web_bob.get("/checkins/schedules/"))
        assert "Active" in bobs and "(Europe/Berlin time)" in bobs and "Monday 2 March at 14:00 your time" in bobs

    def test_a_stale_accept_is_refused(self, web_alice, web_bob, proposed):
        web_alice.post(
            f"/checkins/schedules/{proposed.pk}/change/",
            {"format": "daily-pulse", "weekdays": ["0", "2", "4"], "time": "21:00", "timezone": "Europe/Berlin"},
        )
        web_bob.post(f"/checkins/schedules/{proposed.pk}/accept/", {"version": 1})
        assert Schedule.objects.get().status == "proposed"

    def test_pause_resume_change_and_delete(self, web_alice, web_bob, active):
        web_alice.post(f"/checkins/schedules/{active.pk}/pause/")
        assert Schedule.objects.get().status == "paused"
        assert "Paused by you" in html(web_alice.get("/checkins/schedules/"))
        assert "Paused by Alice" in html(web_bob.get("/checkins/schedules/"))

        web_bob.post(f"/checkins/schedules/{active.pk}/resume/")
        schedule = Schedule.objects.get()
        assert schedule.status == "proposed" and schedule.proposed_by.email == "bob@example.com"
        web_alice.post(f"/checkins/schedules/{active.pk}/accept/", {"version": schedule.version})
        assert Schedule.objects.get().status == "active"

        same = web_bob.post(
            f"/checkins/schedules/{active.pk}/change/",
            {"format": "daily-pulse", "weekdays": ["0", "2", "4"], "time": "20:00", "timezone": "Europe/Berlin"},
        )
        assert "the same as now" in html(same)
        assert Schedule.objects.get().status == "active"
        changed = web_bob.post(
            f"/checkins/schedules/{active.pk}/change/",
            {"format": "daily-pulse", "weekdays": ["1"], "time": "07:15", "timezone": "Europe/Berlin"},
        )
        assert changed.status_code == 302
        schedule = Schedule.objects.get()
        assert (schedule.status, schedule.weekdays, str(schedule.time)) == ("proposed", [1], "07:15:00")
        assert "Waiting for Alice to accept" in html(web_bob.get("/checkins/schedules/"))

        # Bob's change waits for Alice: for her, deleting it is declining it.
        confirm = html(web_alice.get(f"/checkins/schedules/{active.pk}/delete/"))
        assert "Decline this proposal?" in confirm
        assert "Delete this schedule?" in html(web_bob.get(f"/checkins/schedules/{active.pk}/delete/"))
        assert Schedule.objects.exists()
        web_alice.post(f"/checkins/schedules/{active.pk}/delete/")
        assert not Schedule.objects.exists()

    def test_accept_pause_and_resume_are_post_only(self, web_bob, proposed):
        for action in ["accept", "pause", "resume"]:
            assert web_bob.get(f"/checkins/schedules/{proposed.pk}/{action}/").status_code == 405
        assert Schedule.objects.get().status == "proposed"


class TestCsrf:
    def test_every_form_needs_its_token(self, alice, bob, proposed, open_checkin):
        a, b = web(alice, csrf=True), web(bob, csrf=True)
        attempts = [
            (a, "/checkins/schedules/", {"format": "daily-pulse", "weekdays": ["0"], "time": "20:00"}),
            (b, f"/checkins/schedules/{proposed.pk}/accept/", {}),
            (a, f"/checkins/schedules/{proposed.pk}/pause/", {}),
            (a, f"/checkins/schedules/{proposed.pk}/change/", {"format": "daily-pulse", "weekdays": ["1"]}),
            (a, f"/checkins/schedules/{proposed.pk}/delete/", {}),
            (a, f"/checkins/{open_checkin.pk}/", {"step": 1, "value": "3"}),
            (a, f"/checkins/{open_checkin.pk}/skip/", {"reason": ""}),
            (a, "/checkins/start/", {"format": "daily-pulse"}),
        ]
        for client, url, body in attempts:
            assert client.post(url, body).status_code == 403, url
        assert Schedule.objects.get().status == "proposed"
        assert Schedule.objects.count() == 1 and CheckIn.objects.count() == 1
        assert not Answer.objects.exists()

    def test_with_the_token_it_works(self, alice, open_checkin):
        client = web(alice, csrf=True)
        page = html(client.get(f"/checkins/{open_checkin.pk}/"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = client.post(f"/checkins/{open_checkin.pk}/", {"step": 1, "value": "3", "csrfmiddlewaretoken": token})
        assert response.status_code == 302
        assert Answer.objects.get().values == {"mood": 3}


class TestStartNow:
    def test_start_an_ad_hoc_checkin(self, web_bob, couple):
        response = web_bob.post("/checkins/start/", {"format": "temperature-reading"})
        checkin = CheckIn.objects.get()
        assert response["Location"] == f"/checkins/{checkin.pk}/"
        assert checkin.format.key == "temperature-reading" and checkin.status == "open"
        assert "Step 1 of 5" in html(web_bob.get(response["Location"]))

    def test_unknown_format(self, web_bob, couple):
        assert web_bob.post("/checkins/start/", {"format": "nope"}).status_code == 302
        assert not CheckIn.objects.exists()

    def test_open_checkins_are_listed_with_my_own_state_only(self, web_alice, web_bob, alice, open_checkin):
        services.checkin_answer(checkin=open_checkin, author=alice, values=ALICE_PULSE)
        assert "Your answers are in" in html(web_alice.get("/checkins/"))
        bobs = html(web_bob.get("/checkins/"))
        assert "Not started" in bobs and "Your answers are in" not in bobs


class TestHistory:
    def test_consistency_is_the_couples_and_moods_are_charted(self, web_alice, web_bob, alice, bob, active, _frozen):
        checkins = list(CheckIn.objects.filter(schedule=active).order_by("scheduled_for")[:3])
        for c, (a_mood, b_mood) in zip(checkins[:2], [(4, 2), (5, 3)], strict=True):
            _frozen.move_to(c.scheduled_for + dt.timedelta(minutes=5))
            services.checkin_answer(checkin=c, author=alice, values=dict(ALICE_PULSE, mood=a_mood))
            services.checkin_answer(checkin=c, author=bob, values=dict(BOB_PULSE, mood=b_mood))
        _frozen.move_to(checkins[2].closes_at + dt.timedelta(minutes=1))

        page = html(web_alice.get("/checkins/history/"))
        assert "You two completed 2 of 3 check-ins in the last 4 weeks." in page
        assert "You two completed 2 of 3 check-ins in the last 12 weeks." in page
        assert page.count('data-testid="history-item"') == 2
        assert "Bob-secret-appreciation" in page  # revealed, so shown
        # Her own mood chart only: never Bob's (no scorekeeping, issue #20).
        assert page.count('<svg class="chart-svg"') == 1
        assert "<title" in page and "<desc" in page and "Your mood, last 12 weeks" in page
        assert "Bob&#x27;s mood" not in page and "Bob's mood" not in page
        assert "Lowest 4 (Good), highest 5 (Great), latest 5 (Great)." in page
        assert "Lowest 2 (Low)" not in page
        bobs = html(web_bob.get("/checkins/history/"))
        assert (
            bobs.count('<svg class="chart-svg"') == 1 and "Lowest 2 (Low), highest 3 (Okay), latest 3 (Okay)." in bobs
        )
        assert "Alice&#x27;s mood" not in bobs and "Lowest 4 (Good)" not in bobs
        assert "<table" in page  # the text alternative
        # Bob sees the same couple's numbers.
        assert "You two completed 2 of 3 check-ins in the last 4 weeks." in html(web_bob.get("/checkins/history/"))

    def test_the_same_queries_for_10_days_as_for_300(
        self,
        alice,
        bob,
        couple,
        mallory,
        mike,
        mallory_couple,
        django_assert_max_num_queries,
        django_assert_num_queries,
    ):
        from therapists.demo import history_bulk_create

        history_bulk_create(couple=couple, a=alice, b=bob, end=NOW, days=10)
        history_bulk_create(couple=mallory_couple, a=mallory, b=mike, end=NOW, days=300)
        short, long = web(alice), web(mallory)
        # session, user, the couple, page count, page, its answers, the
        # consistency, the moods, unread notifications.
        with django_assert_max_num_queries(9) as few:
            assert 'data-testid="history-item"' in html(short.get("/checkins/history/"))
        with django_assert_num_queries(len(few.captured_queries)):
            page = html(long.get("/checkins/history/?page=3"))
        assert page.count('data-testid="history-item"') == HISTORY_PAGE_SIZE

    def test_unrevealed_checkins_are_not_in_history(self, web_alice, bob, open_checkin):
        services.checkin_answer(checkin=open_checkin, author=bob, values=BOB_PULSE)
        page = html(web_alice.get("/checkins/history/"))
        assert "Bob-secret" not in page and 'data-testid="history-item"' not in page
        assert 'data-testid="mood-chart"' not in page


class TestHomeCard:
    def render(self, user):
        request = RequestFactory().get("/")
        request.user = user
        return render_to_string("checkins/_home_card.html", {**home_context(user), "user": user}, request=request)

    def test_next_checkin_in_my_timezone_with_a_countdown(self, bob, alice, active):
        card = self.render(bob)
        # Monday 20:00 Berlin = 14:00 in New York, ten hours from now.
        assert "Monday 2 March at 14:00" in card
        assert "(in 10\xa0hours)" in card
        assert 'data-countdown="2026-03-02T14:00:00-05:00"' in card
        assert "Monday 2 March at 20:00" in self.render(alice)

    def test_open_for_me_but_not_what_i_set_aside(self, alice, bob, couple, pulse):
        one = services.checkin_start(couple=couple, user=alice, format=pulse)
        two = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="temperature-reading"))
        services.checkin_skip(checkin=two, author=bob, reason="tired")
        context = home_context(bob)
        assert [i["checkin"].pk for i in context["checkins_open"]] == [one.pk]
        assert {i["checkin"].pk for i in home_context(alice)["checkins_open"]} == {one.pk, two.pk}
        card = self.render(bob)
        assert "Not started" in card and "/checkins/schedules/" in card and "/checkins/history/" in card
        assert "No schedule yet" not in card

    @pytest.mark.parametrize("how_many_open", [3, 12])
    def test_open_and_next_however_many_are_open(
        self, alice, couple, pulse, active, how_many_open, django_assert_max_num_queries
    ):
        opened = [services.checkin_start(couple=couple, user=alice, format=pulse) for _ in range(how_many_open)]
        upcoming = CheckIn.objects.filter(schedule=active, scheduled_for__gt=NOW).order_by("scheduled_for").first()

        # The couple's two queries, then one for the check-ins (two when
        # more than the card's ten are open) and one for the schedules.
        with django_assert_max_num_queries(4 if how_many_open <= 10 else 5):
            context = home_context(alice)

        assert [i["checkin"].pk for i in context["checkins_open"]] == [c.pk for c in opened[:5]]
        assert context["checkins_next"].pk == upcoming.pk

    def test_not_paired(self, theo):
        assert home_context(theo) == {"checkins_card": False}
        assert self.render(theo).strip() == ""


class TestChart:
    def test_generic_accessible_svg(self):
        at = dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
        svg = line_chart(
            [Series("<b>Sam</b>", [(at, 2), (at + dt.timedelta(days=3), 4)]), Series("Kim", [(at, 3)])],
            title="Sleep & rest",
            y_min=0,
            y_max=10,
            tz=__import__("zoneinfo").ZoneInfo("Europe/Berlin"),
        )
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        assert "Sleep &amp; rest" in svg and "&lt;b&gt;Sam&lt;/b&gt;" in svg and "<b>" not in svg
        assert "3 Mar" in svg  # 23:30 UTC is already the 3rd in Berlin
        assert svg.count("<polyline") == 2 and "stroke-dasharray" in svg  # told apart without colour
        assert svg.count("<table") == 2 and "<caption>Kim</caption>" in svg

    def test_empty_and_single_point(self):
        assert "Nothing yet" in line_chart([Series("A", [])], title="T", y_min=1, y_max=5, empty_text="Nothing yet")
        one = line_chart([Series("A", [(1, 3)])], title="T", y_min=1, y_max=5)
        assert "A: 1 point on 1. Value 3." in one
