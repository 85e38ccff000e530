"""A therapist's morning with check-ups, end to end: theo opens his list of
couples on a laptop (Alice and Bob first: Bob's check-up total fell), opens
their page (both lines side by side, the flag), the session page (Alice's
note for him, his own private notes) and its print view, asks for a round now;
Alice and Bob each fill it in on their phones, privately; once both sent,
both see both answers; theo's page then has the new round."""

from playwright.sync_api import Page, expect

from checkups.demo import demo_seed
from checkups.models import Round
from therapists.models import AccessEvent
from therapists.services import presession_note_write

from ..test_therapists_support import active_grant, give_totp
from .helpers import low_contrast_text, no_horizontal_scroll, small_targets

LAPTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False, "device_scale_factor": 1}


def fits_phone(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    assert low_contrast_text(page) == [], f"{label}: low contrast"


def fill(page: Page, points: list[int]) -> None:
    for fieldset, value in zip(page.locator("form.checkup-form fieldset").all(), points, strict=True):
        fieldset.locator(f"label.choice:has(input[value='{value}'])").click()


def test_theos_list_then_a_couples_page_then_a_round_both_fill(phone_for, live_server, alice, bob, theo, couple, shot):
    demo_seed(couple=couple, alice=alice, bob=bob)
    give_totp(theo)
    grant = active_grant(couple, alice, bob, theo, scopes=["mood_trends", "progress"])
    presession_note_write(
        couple=couple,
        author=alice,
        therapist_id=theo.pk,
        text="Weekends keep slipping away from us.",
        share_with_partner=False,
    )

    # The list: scopes, the last day, and what needs attention.
    t = phone_for(theo, path="/therapist/", **LAPTOP)
    couple_row = t.get_by_test_id("therapist-couple").first
    expect(couple_row).to_contain_text("Alice and Bob")
    expect(couple_row).to_contain_text("Check-up progress")
    # Other lines may follow (a note written for theo is one of its own).
    expect(couple_row.get_by_test_id("couple-attention").first).to_contain_text("Bob's check-up total fell by 11")
    shot(t, "checkups-01-therapist-list")

    # The couple's page: both lines side by side, the flag, no item text.
    couple_row.click()
    progress = t.get_by_test_id("section-progress")
    expect(progress).to_be_visible()
    expect(progress.locator("svg[role=img]")).to_have_count(2)
    expect(progress.get_by_test_id("progress-flags")).to_contain_text("Bob: 30 → 19 in round 5")
    assert "felt close" not in t.content()
    shot(t, "checkups-02-therapist-couple-page")
    t.emulate_media(media="print")
    shot(t, "checkups-03-therapist-couple-print")
    t.emulate_media(media="screen")

    # Before the next session: Alice's note, theo's own private notes, print.
    t.get_by_test_id("session-link").click()
    expect(t.get_by_test_id("presession-notes")).to_contain_text("Weekends keep slipping away from us.")
    t.get_by_role("textbox", name="A new note").fill("Ask about weekends; Bob's total fell.")
    t.get_by_role("button", name="Save note").click()
    expect(t.get_by_test_id("session-notes")).to_contain_text("Ask about weekends")
    expect(t.get_by_test_id("session-notes")).to_contain_text("Private to you.")
    shot(t, "checkups-03b-therapist-session-page")
    t.emulate_media(media="print")
    expect(t.get_by_role("button", name="Save note")).to_be_hidden()
    shot(t, "checkups-03c-therapist-session-print")
    t.emulate_media(media="screen")
    t.goto(f"/therapist/couples/{couple.pk}/")
    progress = t.get_by_test_id("section-progress")

    # Theo asks for a round now: the scheduled round opens.
    progress.get_by_role("button", name="Ask for a round now").click()
    expect(t.get_by_role("status")).to_contain_text("Both partners get a reminder")
    assert Round.objects.get(number=6).asked_by_id == theo.pk

    # Alice fills it in on her phone; Bob sees nothing of hers.
    a = phone_for(alice, path="/checkups/")
    expect(a.get_by_role("heading", name="Your therapist asked for a round")).to_be_visible()
    fill(a, [5, 5, 1, 4, 5, 4])
    fits_phone(a, "check-up form")
    shot(a, "checkups-04-alice-fills")
    a.get_by_role("button", name="Send", exact=True).click()
    expect(a.get_by_test_id("checkup-sent")).to_be_visible()

    b = phone_for(bob, path="/checkups/")
    expect(b.get_by_test_id("checkup-open")).to_be_visible()
    expect(b.get_by_test_id("checkup-revealed")).to_contain_text("Round 5")  # the last revealed one only
    fill(b, [4, 4, 2, 4, 4, 4])
    b.get_by_role("button", name="Send", exact=True).click()

    # Both sent: revealed to both, trends side by side.
    revealed = b.get_by_test_id("checkup-revealed")
    expect(revealed).to_contain_text("Round 6")
    expect(revealed).to_contain_text("28")
    expect(b.get_by_test_id("checkup-chart")).to_have_count(2)
    fits_phone(b, "check-up revealed")
    shot(b, "checkups-05-bob-revealed")
    a.reload()
    expect(a.get_by_test_id("checkup-revealed")).to_contain_text("Round 6")

    # Theo's page now draws the sixth round; every look is in the log.
    t.reload()
    expect(t.get_by_test_id("section-progress")).to_contain_text("6 rounds revealed")
    whats = set(AccessEvent.objects.filter(couple=couple).values_list("what", flat=True))
    assert whats == {"list", "summary", "progress", "checkup_request", "session"}
    assert grant.pk
