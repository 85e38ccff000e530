"""Two phones (390x844): pairing leads both partners into the first run.
Bob proposes the first check-in schedule, turns nothing on, sets quiet
hours and reads what Alice can and cannot see; Alice accepts his proposal
on her first screen and skips the rest. Settings leads back to it.
Screenshots in test-artifacts/screenshots/firstrun-*.png; axe-core on each
screen."""

import datetime as dt
import re

from playwright.sync_api import expect

from checkins.models import Schedule
from couples import services as couples
from firstrun.models import FirstRun

from .test_daily_flow import axe_clean, fits, phone


def test_the_first_run_end_to_end(phone_for, alice, bob, shot):
    code = couples.invite_create(user=alice).code
    a = phone(phone_for, alice, path="/pair/")
    b = phone(phone_for, bob, path="/pair/")

    b.get_by_label("Enter your partner's code", exact=True).fill(code)
    b.get_by_role("button", name="Pair with my partner").click()
    expect(b).to_have_url(re.compile(r"/welcome/$"))
    expect(b.get_by_test_id("welcome-progress")).to_have_text("Step 1 of 4")
    expect(b.get_by_role("heading", level=1)).to_have_text("A time to check in, together")
    fits(b, "schedule")
    axe_clean(b, "schedule")
    shot(b, "firstrun-01-schedule")

    # Bob proposes the daily pulse on Mondays and Thursdays at 20:00 (the defaults).
    b.get_by_role("button", name="Propose this to Alice").click()
    expect(b).to_have_url(re.compile(r"/welcome/notifications/$"))
    expect(b.get_by_test_id("welcome-progress")).to_have_text("Step 2 of 4")
    fits(b, "notifications")
    axe_clean(b, "notifications")
    shot(b, "firstrun-02-notifications")
    b.get_by_test_id("welcome-next").click()

    expect(b.get_by_test_id("welcome-progress")).to_have_text("Step 3 of 4")
    b.get_by_label("From").fill("21:30")
    b.get_by_label("Until").fill("07:00")
    fits(b, "quiet hours")
    axe_clean(b, "quiet hours")
    shot(b, "firstrun-03-quiet-hours")
    b.get_by_test_id("welcome-quiet-save").click()

    expect(b.get_by_test_id("welcome-progress")).to_have_text("Step 4 of 4")
    expect(b.get_by_test_id("welcome-never")).to_contain_text("no location")
    expect(b.get_by_test_id("welcome-never")).to_contain_text("no read receipts")
    fits(b, "privacy")
    axe_clean(b, "privacy")
    shot(b, "firstrun-04-privacy")
    b.get_by_test_id("welcome-finish").click()
    expect(b).to_have_url(re.compile(r"/$"))
    expect(b.get_by_test_id("paired-with")).to_have_text("You're paired with Alice")
    bob.refresh_from_db()
    assert (bob.quiet_hours_start, bob.quiet_hours_end) == (dt.time(21, 30), dt.time(7))

    # Alice's next look at the pair page: her own first run, with Bob's proposal to accept.
    a.get_by_test_id("check-paired").click()
    expect(a).to_have_url(re.compile(r"/welcome/$"))
    expect(a.get_by_test_id("welcome-accept")).to_contain_text("Bob proposed a check-in")
    shot(a, "firstrun-05-accept")
    a.get_by_test_id("welcome-accept-button").click()
    expect(a).to_have_url(re.compile(r"/welcome/notifications/$"))
    assert Schedule.objects.get().status == "active"
    a.get_by_test_id("welcome-skip").click()
    expect(a).to_have_url(re.compile(r"/$"))
    assert FirstRun.objects.get(user=alice).skipped_at is not None

    # Reachable again from Settings.
    a.goto("/settings/")
    a.get_by_test_id("welcome-again").click()
    expect(a.get_by_test_id("welcome-active")).to_contain_text("Daily pulse")
    shot(a, "firstrun-06-again")
