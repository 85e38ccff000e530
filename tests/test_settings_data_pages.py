"""Settings pages for a person's data (issue #20, item 5): the download,
the signed-in devices and deleting the account, with the API's rules and
its services (home.selectors.user_export, accounts.selectors and
accounts.services)."""

import json

import pytest
from django.test import Client
from knox.models import AuthToken

from accounts.models import SecurityEvent, User
from checkins import services as checkins
from checkins.models import Answer, Format
from couples.models import Membership
from gratitude import services as gratitude
from gratitude.models import Note
from journal import crypto
from journal import services as journal
from journal.models import Entry

from .conftest import client_for
from .factories import PASSWORD, web_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")


@pytest.fixture
def history(couple, alice, bob):
    fmt = Format.objects.get(key="daily-pulse")
    revealed = checkins.checkin_start(couple=couple, user=alice, format=fmt)
    checkins.checkin_answer(
        checkin=revealed, author=alice, values={"mood": 4, "appreciated": "ALICE-SAID", "need": "x"}
    )
    checkins.checkin_answer(checkin=revealed, author=bob, values={"mood": 2, "appreciated": "BOB-SAID", "need": "y"})
    hidden = checkins.checkin_start(couple=couple, user=alice, format=fmt)
    checkins.checkin_answer(checkin=hidden, author=bob, values={"mood": 3, "appreciated": "BOB-HIDDEN", "need": "z"})
    gratitude.note_send(couple=couple, author=bob, text="BOB-NOTE-TO-ALICE")
    gratitude.note_send(couple=couple, author=alice, text="ALICE-NOTE-TO-BOB")
    journal.entry_create(author=alice, kind="entry", text="ALICE-PRIVATE-JOURNAL")
    journal.entry_create(author=bob, kind="entry", text="BOB-PRIVATE-JOURNAL")


def signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


class TestSettingsPage:
    def test_links_to_the_download_the_devices_and_deleting(self, alice, couple):
        page = signed_in(alice).get("/settings/").content.decode()

        assert 'href="/settings/export/"' in page
        assert 'href="/settings/devices/"' in page
        assert 'href="/settings/delete/"' in page

    def test_also_for_someone_not_in_a_couple_and_a_therapist(self, mallory, theo):
        for person in (mallory, theo):
            page = signed_in(person).get("/settings/").content.decode()
            assert 'href="/settings/delete/"' in page and 'href="/settings/devices/"' in page


class TestDownload:
    def test_the_same_file_as_the_api(self, alice, as_alice, history):
        response = signed_in(alice).get("/settings/export/")

        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="steady-export.json"'
        assert "no-store" in response["Cache-Control"]
        data = json.loads(response.content)
        from_api = as_alice.get("/api/v1/me/export/").json()
        assert data == from_api
        raw = response.content.decode()
        for mine in ("ALICE-SAID", "ALICE-NOTE-TO-BOB", "ALICE-PRIVATE-JOURNAL", "BOB-NOTE-TO-ALICE", "BOB-SAID"):
            assert mine in raw, mine
        for private in ("BOB-HIDDEN", "BOB-PRIVATE-JOURNAL"):
            assert private not in raw, private

    def test_only_one_s_own(self, mallory, mallory_couple, history):
        raw = signed_in(mallory).get("/settings/export/").content.decode()
        assert "ALICE" not in raw and "BOB" not in raw

    def test_signed_out_goes_to_sign_in(self, client):
        response = client.get("/settings/export/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_a_post_is_refused(self, alice):
        assert signed_in(alice).post("/settings/export/").status_code == 405


class TestDevices:
    def test_lists_this_browser_first_and_the_app(self, alice, bob, django_assert_max_num_queries):
        browser = web_login(alice)
        client_for(alice)  # the app on a phone
        client_for(bob)
        browser.get("/settings/devices/")

        # session, user, the app's tokens, the web sessions (+ messages/none).
        with django_assert_max_num_queries(5):
            response = browser.get("/settings/devices/")

        page = response.content.decode()
        assert response.status_code == 200
        assert page.count('data-testid="device"') == 2
        assert page.index("This one") < page.index("The Steady app")
        assert page.count('data-testid="device-sign-out"') == 1
        assert 'data-testid="sign-out-others"' in page

    def test_the_same_queries_for_two_devices_as_for_eight(self, alice, django_assert_num_queries):
        browser = web_login(alice)
        client_for(alice)
        browser.get("/settings/devices/")
        with django_assert_num_queries(5) as few:
            browser.get("/settings/devices/")
        for _ in range(6):
            client_for(alice)
        with django_assert_num_queries(len(few.captured_queries)):
            page = browser.get("/settings/devices/").content.decode()
        assert page.count('data-testid="device"') == 8

    def test_signs_one_device_out(self, alice):
        browser = web_login(alice)
        phone = client_for(alice)
        token = AuthToken.objects.get(user=alice)

        response = browser.post(f"/settings/devices/app-{token.token_key}/sign-out/")

        assert response.status_code == 302 and response["Location"] == "/settings/devices/"
        assert phone.get("/api/v1/me/").status_code == 401
        assert browser.get("/settings/").status_code == 200  # still signed in here

    def test_signing_this_browser_out_goes_to_sign_in(self, alice):
        browser = web_login(alice)
        page = browser.get("/settings/devices/").content.decode()
        assert 'data-testid="device-sign-out"' not in page  # not offered for this one
        from allauth.usersessions.models import UserSession

        mine = UserSession.objects.get(user=alice)

        response = browser.post(f"/settings/devices/web-{mine.pk}/sign-out/")

        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert browser.get("/settings/").status_code == 302

    def test_sign_out_everywhere_else(self, alice):
        browser, other = web_login(alice), web_login(alice)
        phone = client_for(alice)

        response = browser.post("/settings/devices/sign-out-others/", follow=True)

        assert "Signed out everywhere else" in response.content.decode()
        assert phone.get("/api/v1/me/").status_code == 401
        assert other.get("/settings/").status_code == 302
        assert browser.get("/settings/").status_code == 200
        assert SecurityEvent.objects.filter(kind="sessions_ended", user_id=alice.pk, via="web").exists()

    @pytest.mark.parametrize("session_id", ["app-nope", "web-999999", "web-x", "nonsense", "app-"])
    def test_unknown_is_404(self, alice, session_id):
        assert web_login(alice).post(f"/settings/devices/{session_id}/sign-out/").status_code == 404

    def test_someone_else_s_device_is_404_and_stays_signed_in(self, alice, mallory):
        mallorys_phone = client_for(mallory)
        token = AuthToken.objects.get(user=mallory)

        response = web_login(alice).post(f"/settings/devices/app-{token.token_key}/sign-out/")

        assert response.status_code == 404
        assert mallorys_phone.get("/api/v1/me/").status_code == 200

    def test_signing_out_is_a_post(self, alice):
        token_client = client_for(alice)
        token = AuthToken.objects.get(user=alice)
        assert web_login(alice).get(f"/settings/devices/app-{token.token_key}/sign-out/").status_code == 405
        assert token_client.get("/api/v1/me/").status_code == 200


class TestDelete:
    def test_says_what_happens_to_the_partner_and_shared_things(self, alice, bob, couple):
        page = signed_in(alice).get("/settings/delete/").content.decode()

        section = page[page.index('data-testid="delete-what-happens"') :]
        assert "Your couple with Bob ends straight away" in section
        assert "Bob keeps everything they wrote" in section
        assert "they leave Bob's jar too" in section
        assert "stays as Bob's record of the couple" in section
        window = page[page.index('data-testid="delete-window"') :]
        assert "erased 14 days after you confirm" in window
        assert "a link we email to alice@example.com can bring the account back" in window
        assert "Your password alone can't" in window
        assert "Erase everything now" in page
        assert 'type="password"' in page and 'autocomplete="current-password"' in page

    def test_without_a_couple_no_partner_is_named(self, mallory, theo):
        assert "Your couple with" not in signed_in(mallory).get("/settings/delete/").content.decode()
        assert "Every couple sharing with you" in signed_in(theo).get("/settings/delete/").content.decode()

    def test_the_page_costs_a_few_queries(self, alice, bob, couple, django_assert_max_num_queries):
        browser = signed_in(alice)
        browser.get("/settings/delete/")
        # session, user, the couple and the partner (unread notifications
        # are not counted on this page).
        with django_assert_max_num_queries(5):
            assert browser.get("/settings/delete/").status_code == 200

    def test_wrong_password_changes_nothing(self, alice, bob, couple):
        browser = signed_in(alice)

        response = browser.post("/settings/delete/", {"password": "not-it-at-all"})

        assert response.status_code == 200
        assert "That password is not right." in response.content.decode()
        assert User.objects.filter(pk=alice.pk).exists()
        assert Membership.objects.filter(user=alice, left_at__isnull=True).exists()

    @pytest.mark.parametrize(
        ("body", "error"),
        [
            ({}, "Type your password to delete your account."),
            ({"password": ""}, "Type your password to delete your account."),
            ({"password": "x" * 500}, "at most 128 characters"),
        ],
    )
    def test_bad_input_is_a_field_error(self, alice, body, error):
        response = signed_in(alice).post("/settings/delete/", body)
        assert response.status_code == 200
        assert error in response.content.decode()
        assert User.objects.filter(pk=alice.pk).exists()

    def test_wrong_passwords_count_with_the_leave_page(self, alice, bob, couple):
        browser = signed_in(alice)
        for _ in range(3):
            browser.post("/couple/leave/", {"password": "wrong-one"})
        for _ in range(2):
            browser.post("/settings/delete/", {"password": "wrong-one"})

        response = browser.post("/settings/delete/", {"password": PASSWORD})

        assert "several wrong tries" in response.content.decode()
        assert User.objects.filter(pk=alice.pk).exists()

    def test_deletes_as_the_api_does_and_the_partner_keeps_theirs(self, alice, bob, couple, history):
        alice_id = alice.pk
        browser = web_login(alice)
        phone = client_for(alice)
        bob_phone = client_for(bob)

        response = browser.post("/settings/delete/", {"password": PASSWORD, "erase_now": "on"})

        assert response.status_code == 302 and response["Location"] == "/account-erased/"
        goodbye = browser.get("/account-erased/")
        assert goodbye.status_code == 200 and "Your account is erased" in goodbye.content.decode()
        assert browser.get("/settings/").status_code == 302  # signed out here
        assert phone.get("/api/v1/me/").status_code == 401  # and on the phone
        assert not User.objects.filter(pk=alice_id).exists()
        assert not Entry.objects.filter(author_id=alice_id).exists()
        assert not crypto.key_exists(alice_id)
        assert not Note.objects.filter(text="ALICE-NOTE-TO-BOB").exists()
        assert SecurityEvent.objects.filter(kind="account_deleted", user_id=alice_id).exists()
        # Bob: the couple has ended, and what he wrote is his.
        assert bob_phone.get("/api/v1/couple/").status_code == 404
        assert Answer.objects.filter(author=bob).count() == 2
        assert Entry.objects.filter(author=bob).count() == 1
        assert Note.objects.filter(author=bob, text="BOB-NOTE-TO-ALICE").exists()

    def test_the_goodbye_page_sends_a_signed_in_person_home(self, alice):
        response = signed_in(alice).get("/account-deleted/")
        assert response.status_code == 302 and response["Location"] == "/"
