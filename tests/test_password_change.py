"""A new password ends the other sign-ins: API tokens as well as web
sessions (security review, issue #15, finding 4)."""

import re

import pytest
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client

from accounts.models import SecurityEvent

from .conftest import client_for
from .factories import PASSWORD, web_login

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-pass-77"
ME = "/api/v1/me/"
SIGNED_OUT = "Every other phone, app and browser that was signed in to your account is now signed out."


def change_password(browser):
    return browser.post(
        "/accounts/password/change/", {"oldpassword": PASSWORD, "password1": NEW, "password2": NEW}, follow=True
    )


def reset_password(browser, user):
    browser.post("/accounts/password/reset/", {"email": user.email})
    (message,) = mail.outbox
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)
    form_url = browser.get(link)["Location"]  # allauth moves the key out of the URL first
    return browser.post(form_url, {"password1": NEW, "password2": NEW}, follow=True)


class TestChange:
    def test_every_other_sign_in_ends_and_this_browser_stays(self, alice):
        phone = client_for(alice)
        other_browser = web_login(alice)
        this_browser = web_login(alice)

        response = change_password(this_browser)

        assert response.status_code == 200
        assert SIGNED_OUT in response.content.decode()
        assert phone.get(ME).status_code == 401
        assert other_browser.get("/settings/").status_code == 302  # to the log-in page
        assert this_browser.get("/settings/").status_code == 200
        # The one web session left is this browser's, and it is listed.
        assert list(UserSession.objects.values_list("session_key", flat=True)) == [this_browser.session.session_key]
        alice.refresh_from_db()
        assert alice.check_password(NEW)

    def test_it_is_recorded_once(self, alice):
        change_password(web_login(alice))

        assert list(SecurityEvent.objects.filter(kind="password_changed").values_list("user_id", "via")) == [
            (alice.pk, "web")
        ]

    def test_someone_elses_sign_ins_are_untouched(self, alice, bob):
        bobs_phone = client_for(bob)
        bobs_browser = web_login(bob)

        change_password(web_login(alice))

        assert bobs_phone.get(ME).status_code == 200
        assert bobs_browser.get("/settings/").status_code == 200

    def test_a_wrong_old_password_ends_nothing(self, alice):
        phone = client_for(alice)
        browser = web_login(alice)

        browser.post(
            "/accounts/password/change/", {"oldpassword": "nope-nope-nope", "password1": NEW, "password2": NEW}
        )

        assert phone.get(ME).status_code == 200
        assert not SecurityEvent.objects.filter(kind="password_changed").exists()


class TestReset:
    def test_every_sign_in_ends(self, alice):
        phone = client_for(alice)
        browser = web_login(alice)

        response = reset_password(Client(), alice)

        assert response.status_code == 200
        assert SIGNED_OUT in response.content.decode()
        assert phone.get(ME).status_code == 401
        assert browser.get("/settings/").status_code == 302
        assert not UserSession.objects.exists()
        assert SecurityEvent.objects.filter(kind="password_changed", user_id=alice.pk).count() == 1

    def test_a_reset_from_a_browser_signed_in_as_her_signs_that_one_out_too(self, alice):
        browser = web_login(alice)

        response = reset_password(browser, alice)

        assert response.status_code == 200
        assert SIGNED_OUT in response.content.decode()
        assert browser.get("/settings/").status_code == 302
        assert not UserSession.objects.exists()
