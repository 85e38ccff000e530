"""Two phones (390x844), issue #18's journey: alice and bob agree time-out
rules on the rules page; in a live check-in bob takes a time-out ("Need a
time-out?"); he comes back from his time-out's page, which offers a repair
conversation; both answer each step privately, see it revealed side by
side, step by step, and end with a commitment each. Drafts stay private;
nobody is chased."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from checkins import services as checkins
from checkins.formats import builtin_formats_sync
from checkins.models import Format
from repair.models import Commitment, Repair, RepairReveal, TimeoutRules
from space.models import SpacePeriod

from . import helpers
from .helpers import no_horizontal_scroll, small_targets

# The real ASGI application (HTTP and the live socket), as the live
# check-in's journey does; on PostgreSQL, where CI runs it.
pytestmark = pytest.mark.postgres


@pytest.fixture
def phone_for(browser, browser_context_args, asgi_server):
    """Overrides the conftest's: phones on the ASGI server, so the page's
    live socket works."""
    contexts = []

    def _phone_for(user, *, path="/", width=None, **overrides):
        if width is not None:
            overrides["viewport"] = {"width": width, "height": 844}
        context = browser.new_context(**{**browser_context_args, "base_url": asgi_server, **overrides})
        context.set_default_timeout(20_000)  # two phones and a server on two busy cores
        contexts.append(context)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": asgi_server}])
        page = context.new_page()
        page.goto(path)
        return page

    yield _phone_for
    for context in contexts:
        context.close()


ANSWERS = {
    "felt": ("Scared when you went quiet.", "Cornered, like I was failing a test."),
    "needed": ("To know you were coming back.", "A minute to finish my sentence."),
    "set_off": ("Old stuff: being left to wonder.", "A long day, and feeling blamed."),
    "own": ("I kept pushing after you asked for a pause.", "I went silent instead of saying our signal."),
}


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def answer(page: Page, text: str) -> None:
    page.get_by_test_id("repair-step-form").locator("textarea").fill(text)
    page.get_by_test_id("repair-send").click()


def test_time_out_then_repair_step_by_step(phone_for, alice, bob, couple, shot):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()
    a = phone_for(alice, path="/", timezone_id="Europe/Berlin")
    b = phone_for(bob, path="/", timezone_id="America/New_York")

    # In a calm moment, Alice proposes time-out rules and Bob agrees to them.
    a.get_by_test_id("home-agree-rules").click()
    a.get_by_label("Our signal").fill("I need a pause")
    a.get_by_label("Longest break (minutes)").fill("90")
    a.get_by_test_id("propose-rules").click()
    expect(a.get_by_test_id("rules-pending")).to_contain_text("Waiting for Bob")
    b.goto("/timeout/rules/")
    expect(b.get_by_test_id("rules-pending")).to_contain_text("Proposed by Alice")
    b.get_by_test_id("accept-rules").click()
    expect(b.get_by_test_id("rules-active")).to_contain_text("I need a pause")
    shot(b, "repair-01-rules-agreed")
    assert TimeoutRules.objects.get().status == "active"

    # Later, a live check-in gets heated: Bob takes the time-out from it.
    builtin_formats_sync(Format)
    checkin = checkins.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    a.goto(f"/checkins/{checkin.pk}/live/")
    b.goto(f"/checkins/{checkin.pk}/live/")
    expect(a.get_by_text("Bob is here.")).to_be_visible()
    expect(b.get_by_text("Alice is here.")).to_be_visible()
    b.get_by_text("Need a time-out?").click()
    b.get_by_test_id("live-break-30").click()
    for page in (a, b):
        expect(page.get_by_test_id("live-paused")).to_be_visible()
    period = SpacePeriod.objects.get(author=bob)
    assert period.kind == "timeout" and period.status == "open"
    expect(a.get_by_test_id("live-back-around")).to_contain_text("Bob is taking a time-out, as you both agreed.")
    expect(a.get_by_test_id("live-resume")).to_have_count(0)  # only its taker ends it
    shot(a, "repair-02-live-time-out-alice")
    shot(b, "repair-03-live-time-out-bob")

    # Bob comes back from his time-out's own page: the return page offers a
    # repair conversation.
    b.goto("/")
    b.get_by_test_id("home-timeout-mine").click()
    b.get_by_test_id("reconnect").click()
    expect(b.get_by_test_id("timeout-back")).to_contain_text("You're back")
    expect(b.get_by_test_id("repair-offer")).to_contain_text("talk about what happened")
    assert SpacePeriod.objects.get(pk=period.pk).status == "kept"
    fits(b, "back")
    shot(b, "repair-04-back-offer")
    # The check-in is no longer paused: it waits where it was. (Alice's open
    # live page learns of a return made from the time-out's page only at the
    # time Bob gave, hence the reload.)
    a.reload()
    expect(a.get_by_test_id("live-step")).to_be_visible()
    expect(a.get_by_test_id("live-paused")).to_have_count(0)

    b.get_by_test_id("repair-start-from-timeout").click()
    repair = Repair.objects.get()
    assert repair.timeout_id == period.pk
    expect(b.get_by_test_id("progress")).to_have_text("Step 1 of 5")
    fits(b, "first step")
    shot(b, "repair-05-first-step")

    # Alice finds it from home.
    a.goto("/")
    a.get_by_test_id("home-repair").click()
    a.get_by_test_id("repair-continue").click()
    expect(a.get_by_test_id("progress")).to_have_text("Step 1 of 5")

    # Step one: Bob sends; Alice drafts first (her draft stays hers).
    answer(b, ANSWERS["felt"][1])
    expect(b.get_by_test_id("repair-waiting")).to_contain_text(ANSWERS["felt"][1])
    fits(b, "waiting")
    shot(b, "repair-06-sent-waiting")
    a.reload()
    expect(a.locator("main")).not_to_contain_text(ANSWERS["felt"][1])
    a.get_by_test_id("repair-step-form").locator("textarea").fill("DRAFT only")
    a.get_by_test_id("repair-draft").click()
    b.reload()
    expect(b.locator("main")).not_to_contain_text("DRAFT only")
    for word in ("nudge", "hasn't answered", "remind"):
        assert word not in b.locator("main").inner_text().lower()
    answer(a, ANSWERS["felt"][0])
    # Bob's page shows the reveal by itself (the live socket), no reload.
    expect(b.get_by_test_id("revealed-felt").get_by_test_id("answer-theirs")).to_contain_text(ANSWERS["felt"][0])
    felt = a.get_by_test_id("revealed-felt")
    expect(felt.get_by_test_id("answer-mine")).to_contain_text(ANSWERS["felt"][0])
    expect(felt.get_by_test_id("answer-theirs")).to_contain_text(ANSWERS["felt"][1])
    expect(a.get_by_test_id("progress")).to_have_text("Step 2 of 5")
    fits(a, "first reveal")
    shot(a, "repair-07-first-revealed")

    # The next three steps, one at a time: each page follows by itself.
    for n, key in enumerate(("needed", "set_off", "own"), start=2):
        for page in (a, b):
            expect(page.get_by_test_id("progress")).to_have_text(f"Step {n} of 5")
        answer(a, ANSWERS[key][0])
        expect(a.get_by_test_id("repair-waiting")).to_be_visible()
        answer(b, ANSWERS[key][1])
        expect(a.get_by_test_id(f"revealed-{key}").get_by_test_id("answer-theirs")).to_contain_text(ANSWERS[key][1])
    assert RepairReveal.objects.filter(repair=repair).count() == 4
    shot(b, "repair-08-four-revealed")

    # The commitment: what each will do, and by when.
    due = (timezone.now() + dt.timedelta(days=3)).astimezone(bob.tzinfo).date().isoformat()
    for page, text in ((a, "Ask for a pause before I push."), (b, "Say our signal instead of going quiet.")):
        expect(page.get_by_test_id("progress")).to_have_text("Step 5 of 5")
        page.get_by_label("One thing I will do differently").fill(text)
        page.get_by_test_id("due-date").fill(due)
        page.get_by_test_id("due-time").fill("19:30")
        fits(page, "commitment")
        shot(page, f"repair-09-commitment-{'alice' if page is a else 'bob'}")
        page.get_by_test_id("repair-send").click()
        if page is a:
            expect(a.get_by_test_id("repair-waiting")).to_be_visible()
    expect(b.get_by_test_id("repair-commitments")).to_contain_text("Ask for a pause before I push.")
    expect(b.get_by_test_id("repair-commitments")).to_contain_text("Say our signal instead of going quiet.")
    fits(b, "finished")
    shot(b, "repair-10-finished")
    expect(a.get_by_test_id("repair-commitments")).to_contain_text("Say our signal instead of going quiet.")
    shot(a, "repair-11-finished-alice")
    assert Repair.objects.get().status == "completed"
    assert Commitment.objects.count() == 2


def test_the_narrowest_phone_and_a_stop(phone_for, alice, bob, couple, shot):
    from repair import conversation

    repair = conversation.repair_start(couple=couple, user=alice)
    a = phone_for(alice, path=f"/repair/{repair.pk}/", width=360)
    fits(a, "360 px")
    a.get_by_text("Stop this conversation").click()
    shot(a, "repair-12-stop-360")
    a.get_by_test_id("repair-stop").click()
    expect(a.get_by_test_id("repair-closed")).to_contain_text("was stopped")
    assert Repair.objects.get().status == "stopped"
