"""The journal on two phones (390x844): Alice logs a hard moment, breathes
with the paced timer, records how strong it is afterwards and sees her
patterns. Bob, on his own phone, finds nothing of it anywhere — until she
shares one entry, which he then reads alone, and not after she takes it
back."""

import base64
import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from journal import services
from journal.models import Entry

from . import helpers
from .helpers import no_horizontal_scroll, small_targets

TEST_KEK = base64.urlsafe_b64encode(b"e" * 32).decode()

WHAT = "Sent him a photo at lunch; no reply all afternoon."
STORY = "He's bored of me."
NEED = "To know we're okay."
CAN_DO = "Make tea, and ask at dinner."


@pytest.fixture(autouse=True)
def _keystore(settings, tmp_path):
    # The live server runs in this process: it uses this key store too.
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False


@pytest.fixture
def history(alice):
    """A few weeks of earlier logs, so the patterns have something to show."""
    now = timezone.now()
    past = [
        (40, "no_reply", 7, 4),
        (33, "plans_changed", 6, 3),
        (26, "no_reply", 8, 5),
        (19, "partner_needs_space", 7, None),
        (12, "no_reply", 6, 3),
        (5, "conflict", 5, 2),
    ]
    for days, category, before, after in past:
        services.entry_create(
            author=alice,
            kind="trigger",
            text="An earlier evening",
            trigger_category=category,
            intensity_before=before,
            intensity_after=after,
            now=now - dt.timedelta(days=days),
        )
    services.entry_create(
        author=alice,
        kind="entry",
        text="A good weekend. Knowing when we'll talk helps.",
        mood=4,
        tags=["weekend"],
        now=now - dt.timedelta(days=2),
    )


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def bob_sees_nothing(b: Page, entry_id: int) -> None:
    for path in ["/", "/journal/", "/journal/shared/", "/journal/patterns/"]:
        b.goto(path)
        html = b.content()
        for text in [WHAT, STORY, NEED, CAN_DO, "An earlier evening", "A good weekend"]:
            assert text not in html, f"{path} shows {text!r}"
    response = b.goto(f"/journal/{entry_id}/")
    assert response.status == 404
    assert WHAT not in b.content()


def test_log_breathe_record_patterns_and_share_one_entry(phone_for, alice, bob, couple, history, shot):
    a = phone_for(alice, path="/journal/", timezone_id="Europe/Berlin")
    b = phone_for(bob, path="/journal/", timezone_id="America/New_York")

    # Alice's journal: her entries, and ways in.
    expect(a.get_by_role("heading", level=1)).to_have_text("Your journal")
    expect(a.get_by_test_id("journal-entry")).to_have_count(7)
    fits(a, "journal")
    shot(a, "journal-01-alice-journal")

    # The guided trigger log, one question at a time.
    a.get_by_test_id("journal-trigger").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Log a hard moment")
    a.get_by_label("What happened?").fill(WHAT)
    a.get_by_test_id("trigger-next").click()
    a.get_by_role("radio", name="No reply from my partner").check()
    a.get_by_test_id("trigger-next").click()
    a.get_by_role("group", name="How strong is the feeling right now?").get_by_role(
        "radio", name="8", exact=True
    ).check()
    a.get_by_test_id("trigger-next").click()
    a.get_by_label("The story I'm telling myself").fill(STORY)
    a.get_by_test_id("trigger-next").click()
    a.get_by_label("What I need").fill(NEED)
    a.get_by_test_id("trigger-next").click()
    a.get_by_label("What I can do now").fill(CAN_DO)
    fits(a, "trigger form")
    shot(a, "journal-02-trigger-form")
    a.get_by_role("button", name="Save, then breathe").click()

    # Grounding: paced breathing with a visual timer.
    expect(a).to_have_url(re.compile(r"/journal/\d+/breathe/$"))
    entry = Entry.objects.get(
        kind="trigger", intensity_after__isnull=True, trigger_category="no_reply", intensity_before=8
    )
    expect(a.get_by_role("heading", level=1)).to_have_text("Breathe for a moment")
    expect(a.get_by_test_id("breather-time")).to_have_text("2:00")
    fits(a, "grounding")
    shot(a, "journal-03-grounding")
    a.get_by_test_id("breather-start").click()
    expect(a.locator("[data-phase]")).to_contain_text("Breathe in")
    expect(a.get_by_test_id("breather-time")).to_have_text(re.compile(r"^1:5\d left$"))
    expect(a.locator("[data-count]")).to_have_text(re.compile(r"^[1-4]$"))
    assert a.locator(".breather-circle").evaluate("el => getComputedStyle(el).animationName") == "journal-breathe"
    expect(a.locator("[data-phase]")).to_contain_text("Breathe out", timeout=6_000)
    shot(a, "journal-04-breathing")
    a.get_by_test_id("breather-stop").click()
    expect(a.get_by_test_id("breather-start")).to_have_text("Start again")

    # How strong now: the drop is recorded.
    a.get_by_role("group", name="How strong is the feeling now?").get_by_role("radio", name="4", exact=True).check()
    a.get_by_test_id("after-save").click()
    expect(a).to_have_url(re.compile(rf"/journal/{entry.pk}/$"))
    expect(a.get_by_role("status")).to_have_text("Saved. It went from 8 to 4.")
    expect(a.get_by_test_id("entry")).to_contain_text("8 out of 10, then 4 after breathing")
    expect(a.get_by_test_id("sharing")).to_contain_text("Only you.")
    fits(a, "entry")
    shot(a, "journal-05-entry")
    entry.refresh_from_db()
    assert (entry.intensity_before, entry.intensity_after) == (8, 4)

    # Patterns: by category over weeks, before and after breathing.
    a.goto("/journal/patterns/")
    expect(a.get_by_test_id("patterns-weekly")).to_contain_text("7 logged in 12 weeks.")
    rows = a.get_by_test_id("category-row")
    expect(rows.first).to_contain_text("No reply from my partner")
    expect(rows.first).to_contain_text("4")
    expect(a.get_by_test_id("intensity-summary")).to_contain_text("The 6 times you did the breathing exercise")
    expect(a.get_by_role("img", name=re.compile("^How strong, before and after breathing"))).to_be_visible()
    fits(a, "patterns")
    shot(a, "journal-06-patterns")

    # Bob's phone: nothing of hers, anywhere.
    bob_sees_nothing(b, entry.pk)
    b.goto("/")
    card = b.get_by_test_id("journal-card")
    if card.count():  # once the couple home page includes the card
        expect(card).to_contain_text("Only you can read it.")
        card.scroll_into_view_if_needed()
        shot(b, "journal-07a-bob-home")
    b.goto("/journal/shared/")
    expect(b.get_by_test_id("shared-empty")).to_be_visible()
    fits(b, "bob shared, empty")
    shot(b, "journal-07-bob-nothing-shared")

    # Alice shares this one entry.
    a.goto(f"/journal/{entry.pk}/")
    a.get_by_test_id("share").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Share this entry with Bob?")
    fits(a, "share confirm")
    shot(a, "journal-08-share-confirm")
    a.get_by_test_id("share-confirm").click()
    expect(a.get_by_test_id("sharing")).to_contain_text("You and Bob.")
    shot(a, "journal-09-shared")

    # Bob reads that one, and only that one.
    b.goto("/journal/shared/")
    shared = b.get_by_test_id("shared-entry")
    expect(shared).to_have_count(1)
    expect(shared).to_contain_text(WHAT)
    expect(shared).to_contain_text(STORY)
    assert "An earlier evening" not in b.content() and "A good weekend" not in b.content()
    fits(b, "bob shared")
    shot(b, "journal-10-bob-shared-one")
    b.goto("/journal/")
    assert WHAT not in b.content()
    assert b.goto(f"/journal/{entry.pk}/").status == 404

    # Alice takes it back; Bob's next look finds nothing.
    a.get_by_test_id("unshare").click()
    expect(a.get_by_test_id("sharing")).to_contain_text("Only you.")
    bob_sees_nothing(b, entry.pk)
    b.goto("/journal/shared/")
    expect(b.get_by_test_id("shared-empty")).to_be_visible()


def test_write_help_and_breathing_without_motion(phone_for, alice, couple, shot):
    a = phone_for(alice, path="/journal/write/")
    a.get_by_role("button", name="Save").click()
    expect(a.get_by_role("alert")).to_have_text("Write a few words.")
    fits(a, "write with error")
    a.get_by_label("What's on your mind?").fill("Quiet evening. I didn't check my phone once.")
    a.get_by_role("radio", name="Good").check()
    a.get_by_label("Tags").fill("evening, progress")
    shot(a, "journal-11-write")
    a.get_by_role("button", name="Save").click()
    expect(a.get_by_test_id("entry")).to_contain_text("Quiet evening.")
    expect(a.get_by_test_id("entry")).to_contain_text("Mood: Good")
    fits(a, "journal entry")

    a.goto("/journal/")
    a.get_by_role("link", name="If it feels like too much").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("If it feels like too much")
    expect(a.get_by_test_id("help-danger")).to_contain_text("Call your local emergency number now.")
    fits(a, "help")
    shot(a, "journal-12-help")

    # With reduced motion the circle stays still and the words pace the breath.
    calm = phone_for(alice, path="/journal/breathe/", reduced_motion="reduce")
    calm.get_by_test_id("breather-start").click()
    expect(calm.locator("[data-phase]")).to_contain_text("Breathe in")
    assert calm.locator(".breather-circle").evaluate("el => getComputedStyle(el).animationName") == "none"
    fits(calm, "breathe, reduced motion")
    shot(calm, "journal-13-breathe-reduced-motion")

    # Dark: the list and the patterns keep their contrast.
    services.entry_create(
        author=alice, kind="trigger", text=WHAT, trigger_category="no_reply", intensity_before=7, intensity_after=3
    )
    dark = phone_for(alice, path="/journal/", color_scheme="dark")
    fits(dark, "journal, dark")
    shot(dark, "journal-14-journal-dark")
    dark.goto("/journal/patterns/")
    fits(dark, "patterns, dark")
    shot(dark, "journal-15-patterns-dark")


def test_the_trigger_log_asks_one_question_at_a_time_and_keeps_a_draft(phone_for, shot, alice):
    # Issue #20, item 9: one question at a time with back and skip; leaving
    # the page keeps a draft on this phone; saving removes it.
    page = phone_for(alice, path="/journal/trigger/")
    what = page.get_by_label("What happened?")
    expect(what).to_be_visible()
    expect(page.get_by_role("group", name="What kind of moment was it?")).to_be_hidden()
    expect(page.get_by_test_id("trigger-back")).to_be_hidden()
    expect(page.get_by_test_id("trigger-skip")).to_be_hidden()  # the first three are needed
    expect(page.get_by_test_id("trigger-save")).to_be_hidden()
    expect(page.get_by_text("Question 1 of 6")).to_be_visible()

    # A needed question cannot be passed empty; it says why, kindly.
    page.get_by_test_id("trigger-next").click()
    expect(page.get_by_role("alert")).to_have_text("Say in a few words what happened.")
    expect(what).to_be_visible()

    what.fill("No answer all afternoon")
    page.get_by_test_id("trigger-next").click()
    expect(what).to_be_hidden()
    page.get_by_role("radio", name="No reply from my partner").check()
    page.get_by_test_id("trigger-back").click()
    expect(what).to_have_value("No answer all afternoon")
    page.get_by_test_id("trigger-next").click()
    page.get_by_test_id("trigger-next").click()
    page.get_by_role("group", name="How strong is the feeling right now?").get_by_role(
        "radio", name="6", exact=True
    ).check()
    page.get_by_test_id("trigger-next").click()
    expect(page.get_by_text("Question 4 of 6")).to_be_visible()
    page.get_by_label("The story I'm telling myself").fill("They've had enough of me")
    assert no_horizontal_scroll(page)
    shot(page, "edges-09-trigger-one-question")

    # Leaving the page, then coming back: the draft is there, where she was.
    page.goto("/journal/")
    page.goto("/journal/trigger/")
    expect(page.get_by_text("You started this log earlier.")).to_be_visible()
    expect(page.get_by_text("Question 4 of 6")).to_be_visible()
    expect(page.get_by_label("The story I'm telling myself")).to_have_value("They've had enough of me")
    shot(page, "edges-09-trigger-draft-kept")
    page.get_by_test_id("trigger-back").click()
    expect(
        page.get_by_role("group", name="How strong is the feeling right now?").get_by_role(
            "radio", name="6", exact=True
        )
    ).to_be_checked()
    page.get_by_test_id("trigger-next").click()
    page.get_by_test_id("trigger-next").click()
    page.get_by_test_id("trigger-skip").click()  # what I need
    expect(page.get_by_text("Question 6 of 6")).to_be_visible()
    expect(page.get_by_test_id("trigger-next")).to_be_hidden()
    page.get_by_test_id("trigger-save").click()

    expect(page).to_have_url(re.compile(r"/journal/\d+/$"))
    entry = Entry.objects.get(author=alice, kind="trigger")
    assert entry.intensity_before == 6 and entry.trigger_category == "no_reply"
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('steady:draft:')).length") == 0
    page.goto("/journal/trigger/")
    expect(page.get_by_text("You started this log earlier.")).to_be_hidden()
    expect(page.get_by_label("What happened?")).to_have_value("")
