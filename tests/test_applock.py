"""The app lock on the web (issue #23, "Quick exit"; docs/applock.md):
after the person's N minutes away, session-cookie pages ask again, server-side."""

import datetime as dt
from urllib.parse import quote

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, identify_hasher

from accounts import applock
from tests.factories import PASSWORD, web_login

NOW = dt.datetime(2026, 3, 4, 9, 0, tzinfo=dt.UTC)
PIN = "4821"
PAGE = "/settings/"


def _lock_on(user, minutes=5, pin=PIN):
    applock.app_lock_set(user=user, minutes=minutes, pin=pin)
    user.refresh_from_db()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def phone(alice, couple, clock):
    _lock_on(alice)
    browser = web_login(alice)
    assert browser.get(PAGE).status_code == 200  # the last request: now
    return browser


def _locked(response, path=PAGE):
    return response.status_code == 302 and response["Location"] == f"/lock/?next={quote(path, safe='')}"


@pytest.mark.django_db
class TestInactivity:
    @pytest.mark.parametrize("minutes", [1, 5, 15, 60])
    def test_open_until_n_minutes_locked_after(self, alice, couple, clock, minutes):
        _lock_on(alice, minutes=minutes)
        browser = web_login(alice)
        assert browser.get(PAGE).status_code == 200
        clock.shift(minutes * 60 - 1)
        assert browser.get(PAGE).status_code == 200  # N minutes - 1 s: open (and counts as activity)
        clock.shift(minutes * 60 + 1)
        response = browser.get(PAGE)
        assert _locked(response)
        assert "no-store" in response["Cache-Control"]
        # Stays locked: going back to the page later asks again too.
        clock.shift(1)
        assert _locked(browser.get(PAGE))

    def test_off_by_default_never_locks(self, alice, couple, clock):
        browser = web_login(alice)
        browser.get(PAGE)
        clock.shift(dt.timedelta(days=2))
        response = browser.get(PAGE)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", "")

    def test_every_page_under_the_lock_is_no_store(self, phone):
        response = phone.get(PAGE)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]

    def test_a_background_poll_is_not_activity(self, phone, clock):
        clock.shift(4 * 60)
        phone.get("/notifications/", headers={"Sec-Fetch-Mode": "cors"})
        clock.shift(61)
        assert _locked(phone.get(PAGE))

    def test_a_locked_background_poll_gets_nothing(self, phone, clock):
        clock.shift(5 * 60 + 1)
        response = phone.get("/notifications/", headers={"Sec-Fetch-Mode": "cors"})
        assert response.status_code == 403
        assert response.content == b""

    def test_a_post_while_locked_goes_to_the_lock(self, phone, clock, alice):
        clock.shift(5 * 60 + 1)
        response = phone.post(PAGE, {"display_name": "Changed", "timezone": "UTC"})
        assert response.status_code == 302 and response["Location"] == "/lock/"
        alice.refresh_from_db()
        assert alice.display_name == "Alice"

    def test_the_lock_page_shows_nothing_private(self, phone, clock, alice, bob):
        clock.shift(5 * 60 + 1)
        response = phone.get(PAGE, follow=True)
        page = response.content.decode()
        assert response.redirect_chain[-1][0].startswith("/lock/")
        assert "Steady is locked" in page
        for private in ("Alice", "Bob", alice.email, bob.email, "Notifications", "Journal"):
            assert private not in page
        assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
class TestUnlock:
    def test_the_pin_opens_it_and_the_page_asked_for_resumes(self, phone, clock):
        clock.shift(5 * 60 + 1)
        asked = "/settings/devices/?x=1"
        response = phone.get(asked)
        assert _locked(response, asked)
        done = phone.post("/lock/", {"method": "pin", "pin-pin": PIN, "next": asked})
        assert done.status_code == 302 and done["Location"] == asked
        assert phone.get(asked).status_code == 200

    @pytest.mark.parametrize("bad", ["https://evil.example/", "//evil.example/x", "/lock/?next=/lock/"])
    def test_only_a_safe_next(self, phone, clock, bad):
        clock.shift(5 * 60 + 1)
        done = phone.post("/lock/", {"method": "pin", "pin-pin": PIN, "next": bad})
        assert done.status_code == 302 and done["Location"] == "/"

    def test_a_wrong_pin(self, phone, clock):
        clock.shift(5 * 60 + 1)
        wrong = phone.post("/lock/", {"method": "pin", "pin-pin": "0000", "next": PAGE})
        assert wrong.status_code == 400
        assert "That PIN is not right." in wrong.content.decode()
        assert _locked(phone.get(PAGE))

    def test_pins_are_throttled_like_log_in(self, phone, clock):
        clock.shift(5 * 60 + 1)
        for _ in range(10):
            assert phone.post("/lock/", {"method": "pin", "pin-pin": "0000"}).status_code == 400
        throttled = phone.post("/lock/", {"method": "pin", "pin-pin": PIN})
        assert throttled.status_code == 429
        assert "Too many tries" in throttled.content.decode()
        assert _locked(phone.get(PAGE))
        # A quarter of an hour later, the right PIN works again.
        clock.shift(15 * 60 + 1)
        assert phone.post("/lock/", {"method": "pin", "pin-pin": PIN}).status_code == 302

    def test_the_password_opens_it_through_allauth(self, phone, clock):
        clock.shift(5 * 60 + 1)
        wrong = phone.post("/lock/", {"method": "password", "password-password": "not-it-at-all"})
        assert wrong.status_code == 400
        assert "That password is not right." in wrong.content.decode()
        done = phone.post("/lock/", {"method": "password", "password-password": PASSWORD, "next": PAGE})
        assert done.status_code == 302 and done["Location"] == PAGE
        records = phone.session["account_authentication_methods"]
        assert records[-1]["method"] == "password" and records[-1].get("reauthenticated")
        assert phone.get(PAGE).status_code == 200

    def test_an_allauth_reauthentication_opens_it(self, phone, clock, alice):
        """A passkey (allauth's mfa_reauthenticate_webauthn) records a
        re-authentication as the password does: any record made after the
        lock engaged opens it."""
        clock.shift(5 * 60 + 1)
        assert _locked(phone.get(PAGE))
        session = phone.session
        session["account_authentication_methods"].append(
            {"method": "mfa", "at": NOW.timestamp() + 5 * 60 + 2, "reauthenticated": True}
        )
        session.save()
        clock.shift(2)
        assert phone.get(PAGE).status_code == 200

    def test_the_lock_page_when_not_locked_goes_on(self, phone):
        response = phone.get("/lock/?next=/settings/devices/")
        assert response.status_code == 302 and response["Location"] == "/settings/devices/"


@pytest.mark.django_db
class TestSettings:
    def test_turning_it_on_with_a_pin_stores_only_a_hash(self, alice, couple):
        browser = web_login(alice)
        response = browser.post("/settings/lock/", {"action": "on", "minutes": "15", "pin": PIN, "pin_again": PIN})
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.app_lock_minutes == 15
        assert PIN not in alice.app_lock_pin
        assert identify_hasher(alice.app_lock_pin)  # one of Django's password hashers
        assert check_password(PIN, alice.app_lock_pin)

    def test_the_real_hasher_is_argon2(self, alice, settings):
        settings.PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
        _lock_on(alice)
        assert alice.app_lock_pin.startswith("argon2$")

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"minutes": "7"}, "minutes"),
            ({"minutes": "5", "pin": "12", "pin_again": "12"}, "pin"),
            ({"minutes": "5", "pin": "12ab", "pin_again": "12ab"}, "pin"),
            ({"minutes": "5", "pin": "1234", "pin_again": "1235"}, "pin_again"),
            ({}, "minutes"),
        ],
    )
    def test_bad_input_is_a_400_with_the_field(self, alice, data, field):
        browser = web_login(alice)
        response = browser.post("/settings/lock/", {"action": "on", **data})
        assert response.status_code == 400
        assert response.context["form"].errors.get(field)
        alice.refresh_from_db()
        assert alice.app_lock_minutes is None

    def test_turning_it_off_needs_the_unlock(self, phone, alice):
        assert phone.post("/settings/lock/", {"action": "off"}).status_code == 400
        wrong = phone.post("/settings/lock/", {"action": "off", "off-secret": "9999"})
        assert wrong.status_code == 400
        assert "That PIN or password is not right." in wrong.content.decode()
        alice.refresh_from_db()
        assert alice.app_lock_minutes == 5
        assert phone.post("/settings/lock/", {"action": "off", "off-secret": PIN}).status_code == 302
        alice.refresh_from_db()
        assert alice.app_lock_minutes is None and alice.app_lock_pin == ""

    def test_turning_it_off_with_the_password(self, phone, alice):
        assert phone.post("/settings/lock/", {"action": "off", "off-secret": PASSWORD}).status_code == 302
        alice.refresh_from_db()
        assert alice.app_lock_minutes is None

    def test_changing_it_needs_the_unlock(self, phone, alice):
        response = phone.post("/settings/lock/", {"action": "on", "minutes": "60"})
        assert response.status_code == 400
        alice.refresh_from_db()
        assert alice.app_lock_minutes == 5
        ok = phone.post("/settings/lock/", {"action": "on", "minutes": "60", "secret": PIN})
        assert ok.status_code == 302
        alice.refresh_from_db()
        assert alice.app_lock_minutes == 60 and check_password(PIN, alice.app_lock_pin)

    def test_the_settings_page_itself_is_locked(self, phone, clock, alice):
        clock.shift(5 * 60 + 1)
        assert _locked(phone.get("/settings/lock/"), "/settings/lock/")
        assert phone.post("/settings/lock/", {"action": "off", "off-secret": PIN}).status_code == 302
        alice.refresh_from_db()
        assert alice.app_lock_minutes == 5  # the POST went to the lock, not to the setting


@pytest.mark.django_db
class TestApi:
    def test_a_token_is_unaffected(self, phone, clock, as_alice):
        clock.shift(dt.timedelta(hours=3))
        assert _locked(phone.get(PAGE))
        response = as_alice.get("/api/v1/me/")
        assert response.status_code == 200
        assert response.json()["email"] == "alice@example.com"

    def test_a_locked_session_cookie_reads_no_api(self, phone, clock):
        assert phone.get("/api/v1/me/").status_code == 200  # open: the cookie works
        clock.shift(5 * 60 + 1)
        response = phone.get("/api/v1/me/")
        assert response.status_code in (401, 403)
        assert b"alice" not in response.content

    def test_the_api_shows_nothing_of_the_lock(self, as_alice, alice):
        _lock_on(alice)
        body = as_alice.get("/api/v1/me/").json()
        assert not any("lock" in key for key in body)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestLiveSocket:
    """The live check-in socket refuses a locked session cookie at the
    handshake; a Bearer token (the native app) is unaffected."""

    @pytest.fixture
    def checkin(self, couple, alice):
        from checkins import services
        from checkins.models import Format

        return services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))

    def _headers(self, browser):
        from django.conf import settings as django_settings

        sessionid = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
        return [
            (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={sessionid}".encode()),
            (b"origin", b"http://localhost"),
        ]

    def _connects(self, checkin, headers) -> bool:
        from tests.test_live import run, socket

        async def scenario():
            comm = socket(checkin, headers)
            connected, _code = await comm.connect()
            await comm.disconnect()
            return connected

        return run(scenario)

    def test_a_locked_session_is_refused(self, checkin, alice):
        import time

        from tests.test_live import bearer

        _lock_on(alice)
        browser = web_login(alice)
        assert browser.get(PAGE).status_code == 200
        headers = self._headers(browser)
        assert self._connects(checkin, headers)  # open
        session = browser.session
        session[applock.SEEN] = time.time() - 5 * 60 - 1  # five minutes away
        session.save()
        assert not self._connects(checkin, headers)
        assert self._connects(checkin, bearer(alice))


@pytest.mark.django_db
class TestEdges:
    def test_turned_on_again_later_counts_from_then(self, phone, clock, alice):
        assert phone.post("/settings/lock/", {"action": "off", "off-secret": PIN}).status_code == 302
        clock.shift(dt.timedelta(days=3))
        phone.post("/settings/lock/", {"action": "on", "minutes": "5"})
        assert phone.get(PAGE).status_code == 200

    @pytest.mark.parametrize("path", ["/accounts/logout/", "/accounts/2fa/reauthenticate/", "/accounts/email/"])
    def test_allauth_pages_show_nothing_while_locked(self, phone, clock, path):
        clock.shift(5 * 60 + 1)
        assert _locked(phone.get(path), path)

    def test_signing_out_still_works_while_locked(self, phone, clock):
        clock.shift(5 * 60 + 1)
        response = phone.post("/accounts/logout/")
        assert response.status_code == 302 and response["Location"] == "/accounts/login/"
        assert "_auth_user_id" not in phone.session

    def test_the_lock_waits_for_the_signed_in_user_only(self, client):
        assert client.get("/lock/").status_code == 302  # anonymous: the log-in page
