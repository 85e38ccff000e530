"""Two partners on two phones (390x844): Alice proposes an agreement, Bob
reads it and suggests a change, Alice sees exactly what changed and
accepts, then both reflect and see each other's reflection only once both
are in."""

import re

from playwright.sync_api import Page, expect

from agreements.models import Agreement, AgreementVersion, Reflection

from . import helpers
from .helpers import no_horizontal_scroll, small_targets

TITLE = "Phones away at dinner"
DETAILS = "Both phones go in the basket from 19:00 to 20:00 on weeknights."
BOB_DETAILS = "Both phones go in the basket from 19:00 to 20:00 on weekdays, unless one of us is on call."
ALICE_NOTE = "Easier than I thought; the basket helps."
BOB_NOTE = "I checked mine once for work."


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def test_propose_amend_accept_and_reflect_together(phone_for, alice, bob, couple, shot):
    a = phone_for(alice, path="/agreements/", timezone_id="Europe/Berlin")
    b = phone_for(bob, path="/agreements/", timezone_id="America/New_York")

    # Alice proposes. Without a category: a clear error, her words kept.
    expect(a.get_by_role("heading", level=1)).to_have_text("Agreements")
    expect(a.get_by_text("No agreements yet")).to_be_visible()
    fits(a, "empty list")
    shot(a, "agreements-01-empty")
    a.get_by_role("link", name="Propose an agreement").click()
    a.get_by_label("In a few words").fill(TITLE)
    a.get_by_label("What exactly you both agree to").fill(DETAILS)
    a.get_by_label("Look at it together").select_option(label="Every two weeks")
    a.get_by_role("button", name="Propose to Bob").click()
    expect(a.get_by_role("alert")).to_have_text("Choose what it's about.")
    expect(a.get_by_label("In a few words")).to_have_value(TITLE)
    fits(a, "propose with error")
    shot(a, "agreements-02-propose-error")
    a.get_by_role("radio", name="Phones and privacy").check()
    shot(a, "agreements-02b-propose-filled")
    a.get_by_role("button", name="Propose to Bob").click()

    expect(a.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(a.get_by_test_id("agreement-status")).to_have_text("Waiting for Bob")
    expect(a.get_by_role("button", name="I agree to this")).to_have_count(0)
    fits(a, "proposed, alice")
    shot(a, "agreements-03-proposed-alice")
    agreement = Agreement.objects.get()

    # Bob's home page asks for his answer; he reads the exact wording and suggests a change.
    b.goto("/")
    card = b.get_by_test_id("agreements-card")
    expect(card).to_contain_text("Alice would like your answer on:")
    expect(card.get_by_test_id("agreement-row")).to_contain_text(TITLE)
    card.scroll_into_view_if_needed()
    shot(b, "agreements-03b-home-card-bob")
    b.goto("/agreements/")
    section = b.get_by_role("region", name="Waiting for you")
    expect(section.get_by_test_id("agreement-row")).to_contain_text(TITLE)
    fits(b, "list, bob")
    shot(b, "agreements-04-list-bob")
    section.get_by_test_id("agreement-row").click()
    expect(b.get_by_test_id("agreement-status")).to_have_text("Alice proposed this")
    expect(b.get_by_test_id("wording")).to_contain_text(DETAILS)
    fits(b, "review, bob")
    shot(b, "agreements-05-review-bob")
    b.get_by_role("link", name="Suggest a change").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("Suggest a change")
    b.get_by_label("What exactly you both agree to").fill(BOB_DETAILS)
    fits(b, "amend, bob")
    shot(b, "agreements-06-amend-bob")
    b.get_by_role("button", name="Send the change to Alice").click()
    expect(b.get_by_test_id("agreement-status")).to_have_text("Waiting for Alice")
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 2

    # Alice sees exactly what changed, and accepts version 2.
    a.reload()
    expect(a.get_by_test_id("agreement-status")).to_have_text("Bob suggested a change")
    changes = a.get_by_test_id("changes")
    expect(changes.locator("del")).to_have_text("removed: weeknights")
    expect(changes.locator("ins")).to_have_text("added: weekdays, unless one of us is on call")
    fits(a, "review changes, alice")
    shot(a, "agreements-07-changes-alice")
    a.get_by_role("button", name="I agree to this").click()
    expect(a.get_by_test_id("agreement-status")).to_have_text("Agreed by you both")
    expect(a.get_by_role("status")).to_contain_text("Agreed. It's active for both of you now.")
    fits(a, "active, alice")
    shot(a, "agreements-08-active-alice")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.version) == ("active", 2)

    # Both reflect; Alice first. Bob sees nothing of hers until his is in.
    a.get_by_test_id("reflect").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("How did it go?")
    a.get_by_role("radio", name=re.compile("^Kept")).check()
    a.get_by_label("A note").fill(ALICE_NOTE)
    fits(a, "reflect, alice")
    shot(a, "agreements-09-reflect-alice")
    a.get_by_role("button", name="Save my reflection").click()
    expect(a.get_by_test_id("mine-in")).to_contain_text("You'll see Bob's once you've both reflected")
    shot(a, "agreements-10-reflected-alice")

    b.goto(f"/agreements/{agreement.pk}/")
    b.get_by_test_id("reflect").click()
    assert ALICE_NOTE not in b.content()
    expect(b.get_by_test_id("mine-in")).to_have_count(0)
    b.get_by_role("radio", name=re.compile("^Partly")).check()
    b.get_by_label("A note").fill(BOB_NOTE)
    b.get_by_role("button", name="Save my reflection").click()

    # Revealed together, stacked on a phone.
    revealed = b.get_by_test_id("revealed")
    expect(revealed.get_by_test_id("reflection-theirs")).to_contain_text(ALICE_NOTE)
    expect(revealed.get_by_test_id("reflection-theirs")).to_contain_text("Kept")
    expect(revealed.get_by_test_id("reflection-mine")).to_contain_text(BOB_NOTE)
    mine_box = revealed.get_by_test_id("reflection-mine").bounding_box()
    theirs_box = revealed.get_by_test_id("reflection-theirs").bounding_box()
    assert theirs_box["y"] > mine_box["y"], "stacked on a phone"
    fits(b, "revealed, bob")
    shot(b, "agreements-11-revealed-bob")
    assert Reflection.objects.filter(revealed_at__isnull=False).count() == 2

    a.reload()
    expect(a.get_by_test_id("revealed").get_by_test_id("reflection-theirs")).to_contain_text(BOB_NOTE)
    shot(a, "agreements-12-revealed-alice")

    # Follow-through and the versions, side by side and on record.
    a.goto(f"/agreements/{agreement.pk}/reflections/")
    # What they did together, and Alice's own counted: never Bob's (no scorekeeping).
    follow = a.get_by_test_id("followthrough")
    expect(follow.get_by_test_id("followthrough-together")).to_contain_text("You reflected on one period together")
    expect(follow.get_by_test_id("followthrough-mine")).to_contain_text("Kept")
    expect(follow).not_to_contain_text("Bob: partly")
    fits(a, "reflections, alice")
    shot(a, "agreements-13-reflections-alice")
    a.goto(f"/agreements/{agreement.pk}/versions/")
    expect(a.get_by_test_id("version")).to_have_count(2)
    expect(a.get_by_test_id("version").first).to_contain_text("Accepted by you")
    expect(a.get_by_test_id("version").nth(1)).to_contain_text("Changed before anyone accepted it")
    fits(a, "versions, alice")
    shot(a, "agreements-14-versions-alice")

    # The narrowest phone still fits.
    narrow = phone_for(bob, path=f"/agreements/{agreement.pk}/", width=360)
    fits(narrow, "detail at 360")
    shot(narrow, "agreements-15-detail-bob-360")


def test_decline_and_retire_are_seen_by_both(phone_for, alice, bob, couple, shot):
    from agreements import services

    proposal = services.agreement_propose(
        couple=couple, user=alice, title="Call my mum together on Sundays", category="family_and_friends"
    )
    b = phone_for(bob, path=f"/agreements/{proposal.pk}/")
    b.get_by_role("link", name="Decline").click()
    b.get_by_label("What doesn't work for you").fill("Every Sunday is a lot; could it be every other one?")
    fits(b, "decline")
    shot(b, "agreements-16-decline-bob")
    b.get_by_role("button", name="Decline it").click()
    expect(b.get_by_test_id("declined")).to_contain_text("Declined by you")

    a = phone_for(alice, path=f"/agreements/{proposal.pk}/")
    expect(a.get_by_test_id("declined")).to_contain_text("Every Sunday is a lot")
    expect(a.get_by_test_id("declined")).to_contain_text("Declined by Bob")
    fits(a, "declined, alice")
    shot(a, "agreements-17-declined-alice")

    kept = services.agreement_propose(couple=couple, user=bob, title="A text if I'll be late", category="communication")
    services.agreement_accept(agreement=kept, user=alice, version=1)
    a.goto(f"/agreements/{kept.pk}/retire/")
    a.get_by_label("Why you're retiring it").fill("We both do it without thinking now.")
    fits(a, "retire")
    shot(a, "agreements-18-retire-alice")
    a.get_by_role("button", name="Retire it").click()
    b.goto(f"/agreements/{kept.pk}/")
    expect(b.get_by_test_id("retired")).to_contain_text("Retired by Alice")
    expect(b.get_by_test_id("retired")).to_contain_text("without thinking now")
    b.goto("/agreements/")
    fits(b, "list with all states")
    shot(b, "agreements-19-list-bob")

    # Dark mode keeps every state readable: a change to review, and the list.
    services.agreement_amend(agreement=proposal, user=bob, version=1, changes={"details": "Every other Sunday."})
    dark = phone_for(alice, path=f"/agreements/{proposal.pk}/", color_scheme="dark")
    expect(dark.get_by_test_id("changes")).to_be_visible()
    fits(dark, "review changes, dark")
    shot(dark, "agreements-20-changes-alice-dark")
    dark.goto("/agreements/")
    dark.locator("summary", has_text="Retired").click()
    fits(dark, "list, dark")
    shot(dark, "agreements-21-list-alice-dark")
