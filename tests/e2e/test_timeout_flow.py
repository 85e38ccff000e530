"""Two phones (390x844): alice proposes time-out rules, bob adds his own
"during" text, alice accepts; bob takes a time-out with one tap from home;
alice sees the calm status with nothing to press (no nudge); bob comes
back and both see a plain confirmation offering to talk it through."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from repair.models import TimeoutRules
from space.models import SpacePeriod
from space.views import clock

from . import helpers
from .helpers import no_horizontal_scroll, small_targets


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def test_agree_rules_take_a_time_out_and_come_back(phone_for, alice, bob, couple, shot):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()
    a = phone_for(alice, path="/", timezone_id="Europe/Berlin")
    b = phone_for(bob, path="/", timezone_id="America/New_York")

    # No rules yet: home links to agreeing them.
    a.get_by_test_id("home-agree-rules").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Time-out rules")
    a.get_by_label("Our signal").fill("Pause, please")
    a.get_by_label("Longest break (minutes)").fill("90")
    a.get_by_label("What I'll do during a time-out").fill("I'll sit on the balcony and breathe.")
    fits(a, "rules form")
    shot(a, "timeout-01-propose-rules")
    a.get_by_test_id("propose-rules").click()
    expect(a.get_by_test_id("rules-pending")).to_contain_text("Waiting for Bob")

    # Bob adds his own text (a new version) rather than accepting as is.
    b.goto("/timeout/rules/")
    expect(b.get_by_test_id("rules-pending")).to_contain_text("Proposed by Alice")
    b.get_by_text("Suggest a change or add what you'll do").click()
    b.get_by_label("What I'll do during a time-out").fill("A walk round the park, no phone.")
    shot(b, "timeout-02-partner-adds-during")
    b.get_by_test_id("propose-rules").click()

    a.goto("/timeout/rules/")
    pending = a.get_by_test_id("rules-pending")
    expect(pending).to_contain_text("A walk round the park, no phone.")
    expect(pending).to_contain_text("I'll sit on the balcony and breathe.")
    a.get_by_test_id("accept-rules").click()
    expect(a.get_by_test_id("rules-active")).to_contain_text("Pause, please")
    fits(a, "rules active")
    shot(a, "timeout-03-rules-active")
    assert TimeoutRules.objects.get().status == "active"

    # Bob: one tap from home, then a return time inside the rules.
    b.goto("/")
    b.get_by_test_id("home-take-timeout").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("Time-out")
    b.get_by_text("30 min", exact=True).click()
    fits(b, "take a time-out")
    shot(b, "timeout-04-take")
    b.get_by_test_id("take-timeout").click()
    period = SpacePeriod.objects.get(author=bob)
    assert period.kind == "timeout"
    mine = b.get_by_test_id("timeout-mine")
    expect(mine).to_contain_text(
        f"You said you'd reconnect by {clock(period.reconnect_by, bob.tzinfo, timezone.now())}."
    )
    expect(mine).to_contain_text("A walk round the park, no phone.")
    fits(b, "waiting")
    shot(b, "timeout-05-waiting")

    # Alice: the calm status, on her own clock, and nothing to press.
    a.goto("/")
    at_alice = clock(period.reconnect_by, alice.tzinfo, timezone.now())
    expect(a.get_by_test_id("home-space-theirs")).to_contain_text(
        f"Bob is taking a time-out and plans to reconnect by {at_alice}."
    )
    a.goto(f"/timeout/{period.pk}/")
    theirs = a.get_by_test_id("space-theirs")
    expect(theirs).to_contain_text(f"Bob is taking a time-out and plans to reconnect by {at_alice}.")
    expect(a.locator("main").get_by_role("button")).to_have_count(0)
    expect(a.locator("main form")).to_have_count(0)
    for word in ("nudge", "are you back", "poke"):
        assert word not in a.locator("main").inner_text().lower()
    fits(a, "partner waits")
    shot(a, "timeout-06-partner-sees")

    # Bob comes back: a plain confirmation, and an offer to talk with no link.
    b.get_by_test_id("reconnect").click()
    expect(b.get_by_test_id("timeout-back")).to_contain_text("You're back")
    offer = b.get_by_test_id("repair-offer")
    expect(offer).to_contain_text("talk about what happened")
    expect(offer.locator("a")).to_have_count(0)
    assert SpacePeriod.objects.get(pk=period.pk).status == "kept"
    fits(b, "back")
    shot(b, "timeout-07-back")

    a.reload()
    expect(a.get_by_test_id("timeout-back")).to_contain_text("Bob is back")
    shot(a, "timeout-08-partner-after")
