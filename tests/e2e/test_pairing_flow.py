"""Two people on two phones: sign up, pair with a code, leave."""

import re

from playwright.sync_api import Page, expect

from accounts.models import User
from couples.models import Couple, Membership
from couples.services import BAD_CODE
from tests.factories import PASSWORD

from .helpers import confirm_email, no_horizontal_scroll


def sign_up(page: Page, *, name: str, email: str, timezone: str, shot=None) -> None:
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    # The timezone is preselected from the phone (steady.js).
    expect(page.get_by_label("Your timezone")).to_have_value(timezone)
    page.get_by_label("Your first name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    if shot:
        shot(page, "01-signup")
    page.get_by_role("button", name="Create my account").click()
    confirm_email(page, email)
    # New and unpaired: straight to the pair page.
    expect(page).to_have_url(re.compile(r"/pair/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pair with your partner")


def test_two_partners_sign_up_pair_and_one_leaves(new_phone, shot):
    alice = new_phone(timezone_id="Europe/Berlin")
    bob = new_phone(timezone_id="America/New_York")

    sign_up(alice, name="Alice", email="alice@example.com", timezone="Europe/Berlin", shot=shot)
    sign_up(bob, name="Bob", email="bob@example.com", timezone="America/New_York")
    assert User.objects.get(email="alice@example.com").timezone == "Europe/Berlin"
    assert User.objects.get(email="bob@example.com").timezone == "America/New_York"

    # Alice shows her code; its expiry is in her own timezone.
    alice.get_by_role("button", name="Show my code").click()
    code = alice.get_by_test_id("invite-code")
    expect(code).to_have_text(re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}"))
    expect(alice.get_by_test_id("invite-expiry")).to_contain_text("(Europe/Berlin time)")
    assert no_horizontal_scroll(alice)
    shot(alice, "02-pair-with-code")
    display_code = code.inner_text().replace("Your code:", "").strip()

    # Bob types a wrong code first: a clear error, in plain words, announced.
    bob.get_by_label("Enter your partner's code", exact=True).fill("zzzz-9999")
    bob.get_by_role("button", name="Pair with my partner").click()
    alert = bob.get_by_role("alert")
    expect(alert).to_have_text(BAD_CODE)
    expect(bob.get_by_label("Enter your partner's code", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(bob.get_by_label("Enter your partner's code", exact=True)).to_be_focused()
    expect(bob.get_by_label("Enter your partner's code", exact=True)).to_have_value("zzzz-9999")
    assert no_horizontal_scroll(bob)
    shot(bob, "03-pair-error")

    # Then Alice's code, in lower case and with the dash: it is normalised.
    bob.get_by_label("Enter your partner's code", exact=True).fill(display_code.lower())
    bob.get_by_role("button", name="Pair with my partner").click()
    # Paired: the first run (issue #22), which can be skipped.
    expect(bob).to_have_url(re.compile(r"/welcome/$"))
    expect(bob.get_by_role("status").first).to_contain_text("You're paired")
    bob.get_by_test_id("welcome-skip").click()
    expect(bob).to_have_url(re.compile(r"/$"))
    expect(bob.get_by_test_id("paired-with")).to_have_text("You're paired with Alice")
    shot(bob, "04-home")

    # Alice's phone is still on the pair page; her next look finds Bob (and her own first run).
    alice.get_by_test_id("check-paired").click()
    expect(alice).to_have_url(re.compile(r"/welcome/$"))
    alice.get_by_test_id("welcome-skip").click()
    expect(alice.get_by_test_id("paired-with")).to_have_text("You're paired with Bob")
    assert Couple.objects.filter(ended_at__isnull=True).count() == 1

    alice.get_by_role("link", name="Settings").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(alice.get_by_label("Your first name")).to_have_value("Alice")
    shot(alice, "06-settings")

    # Alice leaves, from Settings (not from the daily home screen): a wrong
    # password first changes nothing.
    alice.goto("/settings/")
    alice.get_by_role("link", name="Leave the couple").click()
    expect(alice.get_by_role("heading", level=1)).to_have_text("Leave the couple")
    # The pairing block is the default choice (issue #23).
    expect(alice.get_by_label("Don't let Bob pair with me again")).to_be_checked()
    expect(alice.get_by_label("Let Bob know the couple has ended")).not_to_be_checked()
    shot(alice, "05-leave")
    alice.get_by_label("Your password").fill("not-my-password")
    alice.get_by_role("button", name="Leave the couple").click()
    expect(alice.get_by_role("alert")).to_have_text("That password is not right.")
    assert Couple.objects.filter(ended_at__isnull=True).count() == 1

    alice.get_by_label("Your password").fill(PASSWORD)
    alice.get_by_role("button", name="Leave the couple").click()
    expect(alice).to_have_url(re.compile(r"/couple/ended/$"))
    expect(alice.get_by_role("status").first).to_have_text("You've left the couple.")
    expect(alice.get_by_role("heading", level=1)).to_have_text("Your couple has ended")
    shot(alice, "07-after-leaving")

    # Bob is unpaired too: his home page now shows the calm "ended" page,
    # with pairing again as a quiet link.
    bob.goto("/")
    expect(bob).to_have_url(re.compile(r"/couple/ended/$"))
    expect(bob.get_by_role("heading", level=1)).to_have_text("Your couple has ended")
    shot(bob, "edges-01-couple-ended")
    bob.get_by_role("link", name="Pair with someone on Steady").click()
    expect(bob.get_by_role("heading", name="You're not paired right now")).to_be_visible()
    assert not Membership.objects.filter(left_at__isnull=True).exists()


def test_login_page_and_wrong_password(new_phone, shot, alice, login):
    page = new_phone()
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password", exact=True).fill("wrong-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shot(page, "08-login-error")

    login(page, page.url.split("/accounts/")[0], "alice@example.com", PASSWORD)
    expect(page).to_have_url(re.compile(r"/pair/$"))
    expect(page.get_by_role("status").first).to_contain_text("Hello, Alice")


def test_dark_mode(phone_for, shot, alice, bob, couple):
    page = phone_for(alice, color_scheme="dark")
    expect(page.get_by_test_id("paired-with")).to_have_text("You're paired with Bob")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 24, 22)"
    shot(page, "09-home-dark")
    page.goto("/couple/leave/")
    shot(page, "10-leave-dark")
