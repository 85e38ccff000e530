"""Web sign-up says nothing about whether an address is registered
(security review, issue #15, finding 8): a new address and a taken one get
the same answer, and only the mailbox learns which it was."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from accounts.models import User

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def sign_up(browser, email, path=SIGNUP):
    return browser.post(
        path, {"display_name": "Carol", "email": email, "password1": "a-long-unusual-pass-42", "timezone": "UTC"}
    )


def link_in(message) -> str:
    return re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)


def test_a_taken_address_gets_the_same_answer_as_a_new_one(alice):
    new, taken = Client(), Client()

    for_new = sign_up(new, "carol@example.com")
    for_taken = sign_up(taken, "Alice@Example.com")

    assert for_new.status_code == for_taken.status_code == 302
    assert for_new["Location"] == for_taken["Location"] == "/accounts/confirm-email/"
    page_new = new.get(for_new["Location"])
    page_taken = taken.get(for_taken["Location"])
    assert page_new.status_code == page_taken.status_code == 200
    assert page_new.content.decode().replace("carol@example.com", "ADDRESS") == page_taken.content.decode().replace(
        "alice@example.com", "ADDRESS"
    )
    # Neither browser is signed in; the taken address is not touched.
    assert "_auth_user_id" not in new.session and "_auth_user_id" not in taken.session
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_owner_of_a_taken_address_is_told_by_email(alice):
    sign_up(Client(), "alice@example.com")

    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "already exists" in message.subject.lower()
    assert "/accounts/password/reset/" in message.body  # how to get back in
    assert "/accounts/confirm-email/" not in message.body


def test_a_new_address_confirms_and_is_signed_in_on_the_same_phone():
    phone = Client()
    sign_up(phone, "carol@example.com")
    (message,) = mail.outbox
    assert message.to == ["carol@example.com"]

    page = phone.get(link_in(message)).content.decode()
    confirmed = phone.post(link_in(message))

    assert "Is carol@example.com your address?" in page

    assert confirmed.status_code == 302
    assert phone.get("/settings/").status_code == 200  # signed in
    assert EmailAddress.objects.get(email="carol@example.com").verified


def test_a_therapist_join_with_a_taken_address_answers_alike(alice):
    new, taken = Client(), Client()

    for_new = sign_up(new, "lind@example.com", path="/therapists/join/")
    for_taken = sign_up(taken, "alice@example.com", path="/therapists/join/")

    assert for_new["Location"] == for_taken["Location"] == "/accounts/confirm-email/"
    alice.refresh_from_db()
    assert alice.role == User.Role.PARTNER


def test_an_unconfirmed_address_is_sent_the_link_at_web_sign_in(alice):
    """Accounts made before sign-up asked for it (and by the API) confirm
    once, the first time they sign in on the web."""
    browser = Client()

    response = browser.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})

    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in browser.session
    (message,) = mail.outbox
    browser.post(link_in(message))
    assert browser.get("/settings/").status_code == 200
