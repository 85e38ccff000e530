"""Two phones run a live check-in together, over real websockets.

pytest-django's live_server speaks WSGI only, so this test serves the real
ASGI application (HTTP and websockets) with uvicorn in a thread, on the same
test database (the ``asgi_server`` fixture in conftest.py)."""

import pytest
from django.conf import settings
from django.test import Client

from checkins import services
from checkins.formats import builtin_formats_sync
from checkins.models import Format

from .helpers import live_text_steps, no_horizontal_scroll, small_targets

# Two phones and a server thread hit the database at once. The tests'
# in-memory SQLite (shared cache) takes table locks that its busy timeout
# does not retry ("database table is locked"), which the file-based WAL
# database of `make run` does not; so this runs where CI runs it, on
# PostgreSQL.
pytestmark = pytest.mark.postgres


@pytest.fixture
def phone(browser, browser_context_args, asgi_server):
    contexts = []

    def _phone(user):
        context = browser.new_context(**browser_context_args, base_url=asgi_server)
        context.set_default_timeout(20_000)  # two phones and a server on two busy cores
        contexts.append(context)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": asgi_server}])
        return context.new_page()

    yield _phone
    for context in contexts:
        context.close()


def test_a_full_live_session_on_two_phones(phone, shot, couple, alice, bob):
    builtin_formats_sync(Format)
    checkin = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    a, b = phone(alice), phone(bob)

    a.goto(f"/checkins/{checkin.pk}/live/")
    a.get_by_text("Waiting for Bob to open this page").wait_for()
    b.goto(f"/checkins/{checkin.pk}/live/")
    a.get_by_text("Bob is here.").wait_for()
    b.get_by_text("Alice is here.").wait_for()
    shot(a, "live-01-both-here")

    # Step 1: mood. Alice answers; Bob sees nothing of it until he answers.
    a.locator("label[for=live-mood-4]").click()
    a.get_by_test_id("live-share").click()
    a.get_by_test_id("live-waiting").wait_for()
    shot(a, "live-02-waiting-for-bob")
    assert b.get_by_test_id("live-reveal").count() == 0
    assert b.get_by_test_id("live-share").is_visible()
    b.locator("label[for=live-mood-2]").click()
    b.get_by_test_id("live-share").click()
    for page, other_word in ((a, "Low"), (b, "Good")):
        reveal = page.get_by_test_id("live-reveal")
        reveal.wait_for()
        assert other_word in reveal.inner_text()
    shot(b, "live-03-step-revealed")

    # Ready together, then the text steps.
    a.get_by_test_id("live-ready").click()
    a.get_by_test_id("live-waiting-ready").wait_for()
    b.get_by_text("Alice is ready to go on.").wait_for()
    b.get_by_test_id("live-ready").click()
    a.get_by_text("Step 2 of 3").wait_for()

    # A break mid-way: both see a calm return time, no countdown; only Bob,
    # who asked for it, can end it early; it resumes where it was.
    b.get_by_text("Need a break?").click()
    b.get_by_test_id("live-break-20").click()
    a.get_by_test_id("live-paused").wait_for()
    b.get_by_test_id("live-paused").wait_for()
    assert "Bob asked for a break. Back around" in a.get_by_test_id("live-back-around").inner_text()
    assert a.get_by_test_id("live-resume").count() == 0
    assert a.get_by_test_id("live-countdown").count() == 0
    shot(a, "live-04-break")
    b.get_by_test_id("live-resume").click()
    a.get_by_text("Step 2 of 3").wait_for()

    live_text_steps(
        a,
        b,
        [
            ("ALICE-thanks for the tea", "BOB-thanks for listening", "Step 2 of 3"),
            ("ALICE-an early night", "BOB-a walk tomorrow", "Step 3 of 3"),
        ],
    )

    for page in (a, b):
        page.get_by_test_id("live-finished").wait_for()
    shot(a, "live-05-finished")
    assert "BOB-a walk tomorrow" in a.get_by_test_id("live-finished").inner_text()
    assert a.get_by_test_id("live-note").get_attribute("href") == "/gratitude/write/"
    checkin.refresh_from_db()
    assert checkin.revealed_at is not None
    assert no_horizontal_scroll(a)
    assert not small_targets(a)


def test_a_phone_that_reconnects_catches_up(phone, couple, alice, bob):
    builtin_formats_sync(Format)
    checkin = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    a = phone(alice)
    a.goto(f"/checkins/{checkin.pk}/live/")
    a.get_by_test_id("live-step").wait_for()
    a.context.set_offline(True)
    a.evaluate("window.dispatchEvent(new Event('offline'))")
    # While alice's phone is offline, both answer through the services (from
    # this thread no hint can reach her socket either: she must catch up).
    services.live_answer(checkin=checkin, user=bob, step="mood", value=3)
    services.live_answer(checkin=checkin, user=alice, step="mood", value=5)
    a.context.set_offline(False)
    a.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    reveal = a.get_by_test_id("live-reveal")
    reveal.wait_for()
    assert "Okay" in reveal.inner_text()


def test_a_break_with_agreed_rules_is_a_time_out_only_its_taker_ends(phone, shot, couple, alice, bob):
    """Issue #18 section 2 and #20 item 4, on two phones: with time-out rules
    in force, Bob's break is a time-out; Alice sees "back around" on her own
    clock and has nothing to press; Bob comes back, and the session goes on."""
    import re

    from checkins import selectors
    from repair import services as repair
    from space.models import SpacePeriod

    builtin_formats_sync(Format)
    rules = repair.timeout_rules_propose(couple=couple, user=alice, signal="Pause", min_minutes=25, max_minutes=90)
    repair.timeout_rules_accept(rules=rules, user=bob, version=1)
    checkin = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    a, b = phone(alice), phone(bob)
    a.goto(f"/checkins/{checkin.pk}/live/")
    b.goto(f"/checkins/{checkin.pk}/live/")
    a.get_by_text("Bob is here.").wait_for()

    b.get_by_text("Need a time-out?").click()
    # The lengths offered are the rules': 25 minutes up to 90.
    assert b.get_by_test_id("live-break-20").count() == 0
    assert b.get_by_test_id("live-break-90").is_visible()
    shot(b, "live-06-time-out-choices")
    b.get_by_test_id("live-break-25").click()
    a.get_by_test_id("live-paused").wait_for()
    b.get_by_test_id("live-paused").wait_for()
    period = SpacePeriod.objects.get()
    assert period.kind == "timeout" and period.author_id == bob.pk
    alice_line = a.get_by_test_id("live-back-around").inner_text()
    expected = selectors.back_around(until=period.reconnect_by, user=alice)  # Alice's clock, rounded up
    assert alice_line == f"Bob is taking a time-out, as you both agreed. Back around {expected}."
    assert re.search(r"\d{2}:\d{2}", b.get_by_test_id("live-back-around").inner_text())
    assert a.get_by_test_id("live-resume").count() == 0  # nothing to press, no nudge
    assert a.get_by_test_id("live-countdown").count() == 0
    assert not re.search(r"\d+ s\b|\d+:\d{2}:\d{2}", a.get_by_test_id("live-paused").inner_text())  # no seconds
    shot(a, "live-07-time-out-partner")
    shot(b, "live-08-time-out-taker")
    assert no_horizontal_scroll(a) and no_horizontal_scroll(b)
    assert not small_targets(b)
    from .test_accessibility import AXE, RUN_AXE

    if AXE.exists():  # axe-core stays clean on both sides of the break
        for page in (a, b):
            page.add_init_script(AXE.read_text())  # the page's CSP allows no inline script
            page.reload()
            page.get_by_test_id("live-paused").wait_for()
            assert page.evaluate(RUN_AXE) == []

    b.get_by_test_id("live-resume").click()
    for page in (a, b):
        page.get_by_test_id("live-step").wait_for()
    period.refresh_from_db()
    assert period.status == "kept"
