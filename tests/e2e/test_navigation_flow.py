"""Issue #20, item 6: a tab bar in thumb reach on a 390×844 phone, the
current tab marked, "More" for the rest, leaving the couple in Settings
only, one name for notifications, and a pending therapist request never
listed under "Shared now"."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import UserFactory
from therapists import services as therapist_services

TABS = ["Home", "Check-ins", "Notes", "Journal", "More"]


def test_tab_bar_in_thumb_reach_marks_the_current_tab(phone_for, alice, bob, couple, shot):
    # Given Alice on her phone, on the home page
    page = phone_for(alice)
    bar = page.get_by_test_id("tabbar")

    # Then the bar holds the five tabs, fixed at the bottom of the screen,
    # each at least 44 px tall, with Home marked as the current page
    expect(bar.get_by_role("link")).to_have_text(TABS)
    box = bar.bounding_box()
    assert box["y"] + box["height"] == 844
    for link in bar.get_by_role("link").all():
        assert link.bounding_box()["height"] >= 44
    expect(bar.locator("[aria-current=page]")).to_have_text("Home")
    # The last of the page can be scrolled clear of the bar.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    footer = page.locator("footer").bounding_box()
    assert footer["y"] + footer["height"] <= box["y"] + 1
    # And leaving is not on the daily home screen any more
    expect(page.get_by_role("link", name="Leave the couple")).to_have_count(0)
    shot(page, "nav-01-home-tabbar")

    # When she opens each tab, that tab is the one marked
    for name in ["Check-ins", "Notes", "Journal"]:
        bar.get_by_role("link", name=name).click()
        expect(bar.locator("[aria-current=page]")).to_have_text(name)
    shot(page, "nav-02-journal-tab")

    # More lists the rest, and is marked on the pages it leads to
    bar.get_by_role("link", name="More").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("More")
    expect(bar.locator("[aria-current=page]")).to_have_text("More")
    more = page.get_by_test_id("more-list")
    for name in [
        "Daily question",
        "Agreements",
        "Taking space",
        "Time-outs",
        "Therapist",
        "Notifications",
        "Settings",
        "Help now",
    ]:
        expect(more.get_by_role("link", name=name)).to_be_visible()
    shot(page, "nav-03-more")
    # What the phone shows (a full-page capture draws the fixed bar mid-page).
    page.screenshot(path=str(shot(page, "nav-03-more").with_name("nav-03-more-screen.png")))

    more.get_by_role("link", name="Settings").click()
    expect(bar.locator("[aria-current=page]")).to_have_text("More")
    expect(page.get_by_role("link", name="Leave the couple")).to_be_visible()
    expect(page.get_by_role("link", name="Notification settings")).to_be_visible()
    shot(page, "nav-04-settings-leave")


def test_notifications_have_one_name(phone_for, alice, bob, couple):
    page = phone_for(alice)
    expect(page.get_by_test_id("nav-notifications")).to_have_text("Notifications")
    assert "Alerts" not in page.content()
    page.goto("/settings/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")


def test_large_screen_shows_the_tabs_as_a_top_row(phone_for, alice, bob, couple, shot):
    page = phone_for(alice, viewport={"width": 1024, "height": 768})
    box = page.get_by_test_id("tabbar").bounding_box()
    assert box["y"] < 120
    shot(page, "nav-05-wide")


def test_no_tab_bar_on_the_pair_page(phone_for):
    sam = UserFactory(display_name="Sam")
    page = phone_for(sam, path="/pair/")
    expect(page.get_by_test_id("tabbar")).to_have_count(0)


def test_a_pending_therapist_request_is_not_shared_now(phone_for, alice, bob, couple, theo, shot):
    code = therapist_services.connect_code_create(therapist=theo).code
    therapist_services.grant_request(
        couple=couple,
        user=alice,
        code=code,
        scopes=["checkin_consistency"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    page = phone_for(alice, path="/couple/therapists/")
    expect(page.get_by_test_id("grants-asked")).to_be_visible()
    expect(page.get_by_test_id("grants-current")).to_have_count(0)
    expect(page.get_by_role("heading", name="Shared now")).to_have_count(0)
    shot(page, "nav-06-therapist-asked")
