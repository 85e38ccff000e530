"""Two partners on two phones (390x844): agree on a schedule, answer a
check-in step by step, wait without seeing each other's answers, see them
revealed together, and find it in history with a mood chart."""

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from checkins import services
from checkins.formats import builtin_formats_sync
from checkins.models import Answer, CheckIn, Format, Schedule

from . import helpers
from .conftest import SCREENSHOTS
from .helpers import no_horizontal_scroll, small_targets

ALICE = {"mood": "Good", "appreciated": "The tea you made me this morning", "need": "An early night, together"}
BOB = {"mood": "Low", "appreciated": "How patient you were with my mum", "need": "A walk after dinner"}


@pytest.fixture(autouse=True)
def _builtin_formats(transactional_db):
    # live_server's database is flushed between tests, and with it the
    # built-in formats the migration made: put them back.
    builtin_formats_sync(Format)


def fits(page: Page, label: str, width: int | None = None) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    contrast = getattr(helpers, "low_contrast_text", None)
    if contrast is not None:
        assert contrast(page) == [], f"{label}: low contrast"


def answer(page: Page, values: dict, *, shot=None, who: str = "") -> None:
    """Answers the daily pulse step by step, as a person would."""
    expect(page.get_by_test_id("progress")).to_have_text("Step 1 of 3")
    expect(page.get_by_role("heading", level=1)).to_have_text("How are you feeling right now?")
    page.get_by_role("radio", name=values["mood"]).check()
    fits(page, f"{who} step 1")
    if shot:
        shot(page, f"checkins-05-{who}-step-1-mood")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_test_id("progress")).to_have_text("Step 2 of 3")
    box = page.get_by_role("textbox", name="One thing I appreciated about you today…")
    expect(box).to_be_visible()
    box.fill(values["appreciated"])
    fits(page, f"{who} step 2")
    if shot:
        shot(page, f"checkins-06-{who}-step-2-text")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_test_id("progress")).to_have_text("Step 3 of 3")
    page.get_by_role("textbox").fill(values["need"])
    if shot:
        shot(page, f"checkins-07-{who}-step-3-send")
    page.get_by_role("button", name="Send my answers").click()


def test_schedule_answer_wait_and_reveal_together(phone_for, alice, bob, couple, shot):
    a = phone_for(alice, path="/checkins/schedules/", timezone_id="Europe/Berlin")
    b = phone_for(bob, path="/checkins/schedules/", timezone_id="America/New_York")

    # Alice proposes a schedule; with none yet, the form is open.
    expect(a.get_by_role("heading", level=1)).to_have_text("Check-in schedules")
    expect(a.get_by_text("No schedule yet")).to_be_visible()
    fits(a, "schedules, empty")
    shot(a, "checkins-01-schedules-empty")
    a.get_by_role("radio", name=re.compile("^Weekly state of us")).check()
    a.get_by_role("radio", name=re.compile("^Daily pulse")).check()
    for day in ["Monday", "Wednesday", "Friday"]:
        a.get_by_role("checkbox", name=day).check()
    a.get_by_label("At what time").fill("20:30")
    expect(a.get_by_label("In which timezone")).to_have_value("Europe/Berlin")  # the couple's
    a.get_by_role("checkbox", name="Monday").focus()
    shot(a, "checkins-02-propose-form")

    # Without a day: a clear error, the rest kept.
    for day in ["Monday", "Wednesday", "Friday"]:
        a.get_by_role("checkbox", name=day).uncheck()
    a.get_by_role("button", name="Propose to Bob").click()
    expect(a.get_by_role("alert")).to_have_text("Choose at least one day.")
    expect(a.get_by_label("At what time")).to_have_value("20:30")
    fits(a, "propose with error")
    shot(a, "checkins-02b-propose-error")
    for day in ["Monday", "Wednesday", "Friday"]:
        a.get_by_role("checkbox", name=day).check()
    a.get_by_role("button", name="Propose to Bob").click()

    schedule_card = a.get_by_test_id("schedule")
    expect(schedule_card.get_by_test_id("schedule-status")).to_have_text("Waiting for Bob to accept")
    expect(schedule_card).to_contain_text("Mondays, Wednesdays and Fridays at 20:30")
    expect(a.get_by_role("button", name="Accept")).to_have_count(0)
    fits(a, "schedules, proposed")
    shot(a, "checkins-03-schedules-proposed")

    # Bob accepts on his phone; he sees the time in New York too.
    b.reload()
    expect(b.get_by_test_id("schedule-status")).to_have_text("Alice proposed this")
    shot(b, "checkins-03b-schedules-bob-to-accept")
    b.get_by_role("button", name="Accept").click()
    expect(b.get_by_test_id("schedule-status")).to_have_text("Active")
    expect(b.get_by_test_id("schedule")).to_contain_text("(Europe/Berlin time)")
    expect(b.get_by_test_id("schedule")).to_contain_text("your time")
    fits(b, "schedules, active")
    shot(b, "checkins-04-schedules-active")
    assert Schedule.objects.get().status == "active"
    # Change and delete are a tap away, each on its own calm page.
    b.get_by_role("link", name="Change").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("Change this schedule")
    expect(b.get_by_role("checkbox", name="Wednesday")).to_be_checked()
    fits(b, "change schedule")
    shot(b, "checkins-04c-schedule-change")
    b.goto("/checkins/schedules/")
    b.get_by_role("link", name="Delete").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("Delete this schedule?")
    fits(b, "delete schedule")
    shot(b, "checkins-04d-schedule-delete")
    b.get_by_role("link", name="Keep it").click()
    expect(b.get_by_test_id("schedule-status")).to_have_text("Active")

    # Alice starts a check-in now (waiting for 20:30 is not practical).
    a.goto("/checkins/")
    a.locator("summary", has_text="Start one now").click()
    a.get_by_role("radio", name=re.compile("^Daily pulse")).check()
    fits(a, "check-ins index")
    shot(a, "checkins-04b-index-start")
    a.get_by_role("button", name="Start this check-in").click()
    expect(a).to_have_url(re.compile(r"/checkins/\d+/$"))
    checkin = CheckIn.objects.get(schedule__isnull=True)
    assert a.url.endswith(f"/checkins/{checkin.pk}/")

    answer(a, ALICE, shot=shot, who="alice")
    expect(a.get_by_role("heading", level=1)).to_have_text("Your answers are in")
    expect(a.get_by_test_id("waiting")).to_contain_text(
        "You'll both see each other's answers once Bob has answered too."
    )
    fits(a, "waiting")
    shot(a, "checkins-08-waiting")

    # Bob's phone shows nothing of Alice's answers, nor that she answered.
    b.goto("/checkins/")
    b.get_by_test_id("open-checkin").click()
    expect(b.get_by_test_id("progress")).to_have_text("Step 1 of 3")
    html = b.content()
    for text in [ALICE["appreciated"], ALICE["need"], "answers are in"]:
        assert text not in html
    shot(b, "checkins-09-bob-step-1")
    answer(b, BOB, who="bob")

    # Revealed together: Bob sees both at once, stacked on his phone.
    expect(b.get_by_role("heading", level=1)).to_have_text("You both answered")
    expect(b.get_by_test_id("answer-theirs").nth(1)).to_contain_text(ALICE["appreciated"])
    expect(b.get_by_test_id("answer-mine").nth(1)).to_contain_text(BOB["appreciated"])
    expect(b.get_by_test_id("answer-theirs").first).to_contain_text("Good")
    mine_box = b.get_by_test_id("answer-mine").first.bounding_box()
    theirs_box = b.get_by_test_id("answer-theirs").first.bounding_box()
    assert theirs_box["y"] > mine_box["y"], "stacked on a phone"
    fits(b, "reveal")
    shot(b, "checkins-10-reveal-bob")

    # Alice's waiting page notices the reveal by itself (checkins.js).
    expect(a.get_by_role("heading", level=1)).to_have_text("You both answered", timeout=25_000)
    expect(a.get_by_test_id("answer-theirs").nth(2)).to_contain_text(BOB["need"])
    shot(a, "checkins-11-reveal-alice")
    assert Answer.objects.filter(checkin=checkin, submitted_at__isnull=False).count() == 2

    # History: the check-in and her own mood chart, never Bob's (no scorekeeping).
    a.goto("/checkins/history/")
    charts = a.get_by_test_id("mood-chart")
    expect(charts).to_have_count(1)
    expect(a.get_by_role("img", name="Your mood, last 12 weeks")).to_be_visible()
    expect(a.get_by_role("img", name="Bob's mood, last 12 weeks")).to_have_count(0)
    item = a.get_by_test_id("history-item")
    expect(item).to_have_count(1)
    item.locator("summary").click()
    expect(item).to_contain_text(BOB["appreciated"])
    fits(a, "history")
    shot(a, "checkins-12-history")

    # The wide screen puts the two answers side by side.
    a.set_viewport_size({"width": 900, "height": 900})
    a.goto(f"/checkins/{checkin.pk}/")
    mine_box = a.get_by_test_id("answer-mine").first.bounding_box()
    theirs_box = a.get_by_test_id("answer-theirs").first.bounding_box()
    assert abs(theirs_box["y"] - mine_box["y"]) < 2 and theirs_box["x"] > mine_box["x"]


def test_skip_privately_and_the_home_card(phone_for, alice, bob, couple, shot):
    pulse = Format.objects.get(key="daily-pulse")
    schedule = services.schedule_propose(
        couple=couple, user=bob, format=pulse, weekdays=[1, 3], time=dt.time(19, 0), timezone_name="Europe/Berlin"
    )
    services.schedule_accept(schedule=schedule, user=alice)
    checkin = services.checkin_start(couple=couple, user=alice, format=pulse)
    b = phone_for(bob, path=f"/checkins/{checkin.pk}/", timezone_id="America/New_York")
    b.get_by_role("link", name="Skip this check-in").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("Skip this one?")
    b.get_by_label("Why, if you'd like to note it").fill("Long day; I'd rather talk tomorrow.")
    fits(b, "skip")
    shot(b, "checkins-13-skip")
    b.get_by_role("button", name="Skip this check-in").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("You set this one aside")
    shot(b, "checkins-14-skipped")
    # What Bob set aside does not nag him from his home page.
    b.goto("/")
    expect(b.get_by_test_id("checkins-card")).to_be_visible()
    expect(b.get_by_test_id("home-open-checkin")).to_have_count(0)

    a = phone_for(alice, path=f"/checkins/{checkin.pk}/")
    assert "rather talk tomorrow" not in a.content() and "aside" not in a.content()

    # The card on the couple home page: open for me, and the next one with a countdown.
    a.goto("/")
    expect(a.get_by_test_id("checkins-card")).to_contain_text("Daily pulse")
    expect(a.get_by_test_id("home-open-checkin")).to_contain_text("Not started")
    expect(a.get_by_test_id("next-checkin")).to_contain_text(re.compile(r"at 19:00\s+\(in .+\)"))
    fits(a, "home card")
    shot(a, "checkins-15-home-card")


ALICE_MOODS = [3, 4, 4, None, 2, 4, 5, None, 4]
BOB_MOODS = [2, 3, 3, None, 3, 3, 4, None, 4]


def seed_three_weeks(couple, alice, bob) -> int:
    """Three weeks of a Monday-Wednesday-Friday pulse, most answered by both
    and two left to close: made through the services, at the times they
    happened (time_machine), before any phone opens."""
    now = timezone.now()
    pulse = Format.objects.get(key="daily-pulse")
    with time_machine.travel(now - dt.timedelta(weeks=3), tick=False) as clock:
        schedule = services.schedule_propose(
            couple=couple,
            user=alice,
            format=pulse,
            weekdays=[0, 2, 4],
            time=dt.time(20, 0),
            timezone_name="Europe/Berlin",
        )
        services.schedule_accept(schedule=schedule, user=bob)
        past = list(CheckIn.objects.filter(schedule=schedule, closes_at__lt=now).order_by("scheduled_for"))
        for checkin, a_mood, b_mood in zip(past, ALICE_MOODS, BOB_MOODS, strict=False):
            if a_mood is None:
                continue
            clock.move_to(checkin.scheduled_for + dt.timedelta(minutes=20))
            services.checkin_answer(
                checkin=checkin, author=alice, values={"mood": a_mood, "appreciated": "You listened", "need": "Sleep"}
            )
            services.checkin_answer(
                checkin=checkin, author=bob, values={"mood": b_mood, "appreciated": "Dinner", "need": "A hug"}
            )
    return len(past)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_history_with_a_few_weeks_behind_them(phone_for, alice, bob, couple, shot, color_scheme):
    finished = seed_three_weeks(couple, alice, bob)
    completed = CheckIn.objects.filter(revealed_at__isnull=False).count()
    assert finished >= 7 and completed >= 5

    a = phone_for(alice, path="/checkins/history/", color_scheme=color_scheme, width=360)
    expect(a.get_by_test_id("consistency")).to_contain_text(
        f"You two completed {completed} of {finished} check-ins in the last 4 weeks."
    )
    expect(a.get_by_role("img", name="Your mood, last 12 weeks")).to_be_visible()
    expect(a.get_by_role("img", name="Bob's mood, last 12 weeks")).to_have_count(0)
    expect(a.get_by_test_id("history-item")).to_have_count(completed)
    a.get_by_test_id("history-item").first.locator("summary").click()
    a.locator("summary", has_text="Your mood, last 12 weeks as text").click()
    expect(a.get_by_role("table").first).to_contain_text("Mood")
    fits(a, f"history, {color_scheme}")
    shot(a, f"checkins-16-history-weeks-{color_scheme}")
    # The charts close up, at phone size (the full page is long).
    a.get_by_test_id("moods").screenshot(path=str(SCREENSHOTS / f"checkins-16b-moods-{color_scheme}.png"))

    latest = CheckIn.objects.filter(revealed_at__isnull=False).order_by("-scheduled_for").first()
    b = phone_for(bob, path=f"/checkins/{latest.pk}/", color_scheme=color_scheme, timezone_id="America/New_York")
    expect(b.get_by_role("heading", level=1)).to_have_text("You both answered")
    fits(b, f"reveal, {color_scheme}")
    shot(b, f"checkins-17-reveal-{color_scheme}")
