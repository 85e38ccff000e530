"""Issue #20, item 8: re-authentication in Steady's own words, and a
therapist who has just signed in (the emailed link, or the log-in page) is
not asked for the password again to set up two-factor."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, web_login

from .test_accounts_pages import link_in, sign_up

ACTIVATE = "/accounts/2fa/totp/activate/"


@pytest.mark.django_db
def test_a_therapist_just_confirmed_goes_straight_to_the_authenticator():
    phone = Client()
    sign_up(phone, "lind@example.com", path="/therapists/join/")
    (message,) = mail.outbox
    phone.post(link_in(message))
    response = phone.get(ACTIVATE)
    assert response.status_code == 200, response.get("Location")
    assert "Set up your authenticator app" in response.content.decode()


@pytest.mark.django_db
def test_a_therapist_just_signed_in_goes_straight_to_the_authenticator(theo):
    response = web_login(theo).get(ACTIVATE)
    assert response.status_code == 200, response.get("Location")


@pytest.mark.django_db
def test_the_password_prompt_is_in_our_words(theo):
    phone = web_login(theo)
    session = phone.session
    session.pop("account_authentication_methods", None)  # a sign-in long ago
    session.save()
    response = phone.get(ACTIVATE, follow=True)
    page = response.content.decode()
    assert re.search(r"/accounts/reauthenticate/", response.redirect_chain[-1][0])
    assert "Confirm it&#x27;s you" in page or "Confirm it's you" in page
    for library in ("Confirm Access", "Please reauthenticate", "Enter your password:", "Alternative options"):
        assert library not in page
    wrong = phone.post(response.redirect_chain[-1][0], {"password": "not-my-password"})
    assert wrong.status_code == 200
    assert "That password is not right." in wrong.content.decode()
    assert "Incorrect password" not in wrong.content.decode()
    done = phone.post(response.redirect_chain[-1][0], {"password": PASSWORD})
    assert done.status_code == 302
    assert phone.get(ACTIVATE).status_code == 200
