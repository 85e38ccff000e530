"""Issue #23 on a 390×844 phone: the private safety check from Settings,
help and the quiet pause, with every safety page kept out of the history
(Back never reaches one), and the quick exit ("Leave this page", Escape
three times) replacing the page with a neutral site."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import no_horizontal_scroll

NEUTRAL = re.compile(r"^https://www\.google\.com/search")


@pytest.fixture(autouse=True)
def _keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")


def neutral_site(page):
    # No network in tests: the neutral site answers from here.
    page.route(
        NEUTRAL,
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><p>Sunny"),
    )


def history_urls(page) -> list[str]:
    """Every page reachable with Back from here."""
    seen = [page.url]
    while page.evaluate("history.length") > 1:
        before = page.url
        response = page.go_back(wait_until="load")
        if response is None and page.url == before:
            break
        seen.append(page.url)
    return seen


def test_back_never_reaches_a_safety_page(phone_for, alice, couple, shot):
    page = phone_for(alice)
    neutral_site(page)
    page.goto("/settings/")
    page.get_by_test_id("settings-safety").click()
    expect(page).to_have_url(re.compile(r"/safety/$"))
    expect(page.get_by_role("heading", name="Do you feel safe with your partner?")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "safety-check")

    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Answer, just for me").click()
    expect(page).to_have_url(re.compile(r"/safety/help/$"))
    expect(page.get_by_test_id("resource-emergency").first).to_contain_text("110")
    shot(page, "safety-help")

    page.get_by_test_id("safety-pause-button").click()
    expect(page).to_have_url(re.compile(r"/safety/$"))
    expect(page.get_by_test_id("safety-resume")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Paused, for you only")
    page.get_by_test_id("safety-answers-link").click()
    expect(page).to_have_url(re.compile(r"/safety/answers/$"))
    expect(page.get_by_test_id("safety-answers")).to_contain_text("No")
    page.get_by_role("link", name="Back to Steady").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("safety-paused-card")).to_be_visible()
    shot(page, "safety-home-paused")

    urls = history_urls(page)
    assert len(urls) >= 2, urls
    assert not [url for url in urls if "/safety/" in url], urls

    # Resuming is one tap, from home.
    page.goto("/")
    page.get_by_test_id("safety-resume").click()
    expect(page.get_by_test_id("safety-paused-card")).to_have_count(0)


def test_quick_exit_by_link_and_by_escape(phone_for, alice, couple):
    page = phone_for(alice)
    neutral_site(page)
    page.goto("/journal/help/")
    page.get_by_test_id("quick-exit").click()
    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    # The page it left was replaced, not stacked: Back goes to the one before.
    assert "/journal/help/" not in page.url

    page.goto("/checkins/")
    for _ in range(3):
        page.keyboard.press("Escape")
    expect(page).to_have_url(NEUTRAL)


def test_quick_exit_is_on_the_sign_in_page_too(new_phone):
    page = new_phone()
    page.goto("/accounts/login/")
    expect(page.get_by_test_id("quick-exit")).to_be_visible()


def test_before_the_page_scripts_run_safety_pages_still_stay_out_of_history(phone_for, alice, couple):
    """A tap can land before the deferred scripts run (a slow phone, a loaded
    server): steady.js is kept from loading at all here, and the quick exit
    and every safety page still move on with location.replace."""
    # No service worker either: it would hand steady.js over from its cache.
    page = phone_for(alice, service_workers="block")
    neutral_site(page)
    page.route(re.compile(r"/static/js/steady\.js"), lambda route: route.abort())
    page.goto("/settings/")
    page.get_by_test_id("settings-safety").click()
    expect(page).to_have_url(re.compile(r"/safety/$"))
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_role("button", name="Answer, just for me").click()
    expect(page).to_have_url(re.compile(r"/safety/help/$"))
    page.get_by_test_id("safety-pause-button").click()
    expect(page.get_by_test_id("safety-resume")).to_be_visible()
    page.get_by_test_id("safety-answers-link").click()
    expect(page).to_have_url(re.compile(r"/safety/answers/$"))
    page.get_by_role("link", name="Back to Steady").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("safety-paused-card")).to_be_visible()

    urls = history_urls(page)
    assert not [url for url in urls if "/safety/" in url], urls

    page.goto("/journal/help/")
    page.get_by_test_id("quick-exit").click()
    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    assert "/journal/help/" not in page.url
