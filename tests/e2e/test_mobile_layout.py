"""Every page fits a 360 px phone: no sideways scrolling, and every button and
link in the page body is at least 44 px tall."""

import pytest
from playwright.sync_api import expect

from couples.services import invite_create
from tests.factories import UserFactory

from .helpers import low_contrast_text, no_horizontal_scroll, small_targets

NARROW = 360


def check(page, label):
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways at {NARROW} px"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    # Every page has one h1, a viewport meta tag and a language.
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("meta[name=viewport]")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_signed_out_pages_fit(new_phone, shot, color_scheme):
    page = new_phone(width=NARROW, color_scheme=color_scheme)
    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        page.goto(path)
        check(page, path)
    shot(page, f"20-password-reset-{color_scheme}")
    # With errors on screen, too.
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    check(page, "signup with errors")
    shot(page, f"21-signup-errors-{color_scheme}")
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    check(page, "login with errors")


def test_unpaired_pages_fit(phone_for, shot):
    person = UserFactory(display_name="Maximiliane-Josephine")
    page = phone_for(person, path="/pair/", width=NARROW)
    check(page, "pair, no code yet")
    page.get_by_role("button", name="Show my code").click()
    expect(page.get_by_test_id("invite-code")).to_be_visible()
    check(page, "pair, with code")
    page.get_by_label("Enter your partner's code", exact=True).fill("WXYZ WXYZ WXYZ WXYZ")
    page.get_by_role("button", name="Pair with my partner").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "pair, with error")
    shot(page, "22-pair-error-360")
    for path in ["/settings/", "/accounts/password/change/"]:
        page.goto(path)
        check(page, path)
    shot(page, "23-password-change-360")


def test_paired_pages_fit(phone_for, alice, bob, couple, shot):
    page = phone_for(alice, width=NARROW)
    check(page, "home")
    shot(page, "11-home-360")
    page.goto("/couple/leave/")
    check(page, "leave")
    page.get_by_role("button", name="Leave the couple").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "leave with error")
    page.goto("/settings/")
    page.get_by_label("Until").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, "settings with error")
    shot(page, "12-settings-error-360")


def test_therapist_home_fits(phone_for, theo, shot):
    page = phone_for(theo, width=NARROW)
    check(page, "therapist home")
    shot(page, "24-therapist-home-360")


def test_unpaired_invite_stays_on_reload(phone_for, mallory):
    invite = invite_create(user=mallory)
    page = phone_for(mallory, path="/pair/")
    expect(page.get_by_test_id("invite-code")).to_contain_text(invite.display_code)
    page.get_by_test_id("check-paired").click()
    expect(page.get_by_role("status").first).to_contain_text("Not yet")
    expect(page.get_by_test_id("invite-code")).to_contain_text(invite.display_code)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_text_contrast_meets_aa(phone_for, new_phone, alice, bob, couple, mallory, color_scheme):
    page = phone_for(alice, color_scheme=color_scheme)
    assert low_contrast_text(page) == [], "home"
    page.goto("/couple/leave/")
    page.get_by_role("button", name="Leave the couple").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert low_contrast_text(page) == [], "leave with error"
    page.goto("/settings/")
    assert low_contrast_text(page) == [], "settings"

    page = phone_for(mallory, path="/pair/", color_scheme=color_scheme)
    page.get_by_role("button", name="Show my code").click()
    page.get_by_label("Enter your partner's code", exact=True).fill("nope")
    page.get_by_role("button", name="Pair with my partner").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert low_contrast_text(page) == [], "pair with code and error"

    page = new_phone(color_scheme=color_scheme)
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert low_contrast_text(page) == [], "login with errors"
