"""Issue #23, the app lock on a 390×844 phone: turned on in Settings with a
PIN; after the chosen minute away (the server's clock moved on with
time-machine: ``live_server`` runs in this process) every page shows the
lock, which names nobody; the PIN opens it and the page asked for comes
back."""

import datetime as dt
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from accounts import applock

from .helpers import no_horizontal_scroll
from .test_accessibility import report
from .test_settings_flow import axe, axe_clean  # noqa: F401 - axe is a fixture

PIN = "4821"


def test_the_app_lock_after_a_minute_away(phone_for, axe, alice, bob, couple, shot):  # noqa: F811
    found: dict = {}
    page = phone_for(alice, path="/settings/")
    page.add_init_script(axe)
    page.get_by_test_id("settings-applock").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("App lock")
    axe_clean(page, "app lock settings, off", found)
    page.get_by_label("1 minute", exact=True).check()
    page.get_by_label("A PIN").fill(PIN)
    page.get_by_label("The PIN again").fill(PIN)
    page.get_by_role("button", name="Turn on the app lock").click()
    expect(page.get_by_test_id("applock-state")).to_contain_text("after 1 minute away")
    axe_clean(page, "app lock settings, on", found)
    shot(page, "applock-settings")

    page.goto("/journal/")
    expect(page.get_by_test_id("applock")).to_have_count(0)

    # A minute and a second later on the server, the same phone asks again.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=61), tick=True):
        page.goto("/journal/?from=lock")
        expect(page).to_have_url(re.compile(r"/lock/\?next=%2Fjournal%2F%3Ffrom%3Dlock$"))
        expect(page.get_by_test_id("applock")).to_have_text("Steady is locked")
        body = page.locator("body").inner_text()
        for private in ("Alice", "Bob", alice.email, "Journal", "Notifications"):
            assert private not in body
        assert no_horizontal_scroll(page)
        assert page.viewport_size == {"width": 390, "height": 844}
        axe_clean(page, "the lock", found)
        shot(page, "applock-locked")

        # Back does not show the page seen before the lock from a cache.
        page.go_back()
        expect(page.get_by_test_id("applock")).to_have_text("Steady is locked")
        page.goto("/journal/?from=lock")

        page.get_by_label("PIN", exact=True).fill("0000")
        page.get_by_role("button", name="Unlock").first.click()
        expect(page.get_by_text("That PIN is not right.")).to_be_visible()
        axe_clean(page, "the lock, wrong PIN", found)
        shot(page, "applock-wrong-pin")

        page.get_by_label("PIN", exact=True).fill(PIN)
        page.get_by_role("button", name="Unlock").first.click()
        expect(page).to_have_url(re.compile(r"/journal/\?from=lock$"))
        expect(page.get_by_test_id("applock")).to_have_count(0)
    assert not found, report(found, "app lock, 390 px")


@pytest.fixture
def webauthn_on(settings):
    """allauth's WebAuthn for this test only, on plain http://localhost."""
    settings.MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    settings.ROOT_URLCONF = "tests.e2e.webauthn_urls"


def test_a_passkey_opens_the_app_lock(webauthn_on, new_phone, live_server, login, alice, couple, shot):
    """Chromium's virtual authenticator (CDP WebAuthn) holds a passkey
    registered through allauth's MFA; the lock page's "Use a passkey" runs
    allauth's re-authentication with it, and the page asked for comes back."""
    applock.app_lock_set(user=alice, minutes=1, pin="")
    page = new_phone()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    login(page, live_server, alice.email)  # a fresh sign-in: allauth adds a key without asking again
    page.goto("/accounts/2fa/webauthn/add/")
    page.locator("#mfa_webauthn_add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    key = Authenticator.objects.get(user=alice, type=Authenticator.Type.WEBAUTHN)
    used_before = key.last_used_at

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=61), tick=True):
        page.goto("/journal/")
        expect(page.get_by_test_id("applock")).to_have_text("Steady is locked")
        expect(page.get_by_test_id("lock-passkey")).to_be_visible()
        expect(page.get_by_test_id("lock-pin")).to_have_count(0)  # no PIN chosen
        shot(page, "applock-passkey")
        page.get_by_role("button", name="Use a passkey").click()
        expect(page).to_have_url(re.compile(r"/journal/$"))
        expect(page.get_by_test_id("applock")).to_have_count(0)
    key.refresh_from_db()
    assert key.last_used_at is not None and key.last_used_at != used_before  # the passkey opened it
