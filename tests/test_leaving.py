"""Leaving with care (issue #23): leaving stays instant and unilateral, with
the pairing block as the default choice and an optional content-free notice;
the one who stays never learns the time of day; deleting an account closes
it at once and erases it 14 days later unless the emailed link (and only
that) restores it."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from knox.models import AuthToken

from accounts import services as accounts
from accounts.models import AccountClosure, SecurityEvent, User
from accounts.security import PASSWORD_TRIES
from couples import services as couples
from couples.models import Couple, Invite, Membership, PairingBlock
from couples.services import BAD_CODE
from gratitude import services as gratitude
from gratitude.models import Note
from journal import crypto
from journal import services as journal
from journal.models import Entry
from reminders.kinds import KINDS
from reminders.models import Reminder

from .conftest import client_for
from .factories import PASSWORD, address_confirm, make_couple, web_login

pytestmark = pytest.mark.django_db

INVITES = "/api/v1/couple/invites/"
JOIN = "/api/v1/couple/join/"
LEAVE = "/api/v1/couple/leave/"
ME = "/api/v1/me/"
BLOCKS = "/api/v1/me/pairing-blocks/"
GRANTS = "/api/v1/couple/therapist-grants/"
DAY0 = dt.datetime(2026, 3, 4, 19, 37, tzinfo=dt.UTC)  # 14:37 in New York, 20:37 in Berlin


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")


def _pair(inviter, joiner):
    code = client_for(inviter).post(INVITES).json()["code"]
    return client_for(joiner).post(JOIN, {"code": code}, format="json")


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


# --- leaving ------------------------------------------------------------------------------


class TestLeave:
    def test_instant_and_unilateral_with_nothing_asked_but_the_password(self, as_alice, as_bob, couple):
        # No reason field, no confirmation by Bob, no waiting.
        assert as_alice.post(LEAVE, {"password": PASSWORD}, format="json").status_code == 204
        couple.refresh_from_db()
        assert couple.ended_at is not None
        assert as_bob.get("/api/v1/couple/").status_code == 404

    def test_the_page_shows_the_block_as_the_default_choice_and_the_notice_off(self, alice, bob, couple):
        html = _browser(alice).get("/couple/leave/").content.decode()
        block = re.search(r'<input[^>]*name="block_partner"[^>]*>', html).group(0)
        notice = re.search(r'<input[^>]*name="notice"[^>]*>', html).group(0)
        assert "checked" in block
        assert "checked" not in notice
        assert "Don&#x27;t let Bob pair with me again" in html
        assert "turn it off in Settings" in html
        assert "Your couple on Steady has ended." in html
        assert "reason" not in re.sub(r"No reason", "", html)

    def test_no_notice_unless_chosen(self, as_alice, couple, bob):
        as_alice.post(LEAVE, {"password": PASSWORD}, format="json")
        assert not Reminder.objects.filter(user=bob).exists()

    def test_the_notice_is_content_free_and_comes_the_next_morning(self, alice, bob, couple):
        with time_machine.travel(DAY0, tick=False):
            couples.couple_leave(user=alice, password=PASSWORD, notice=True)
        (reminder,) = Reminder.objects.filter(user=bob)
        assert reminder.kind == "couple_ended" and reminder.target_id == couple.pk
        # 9:00 the next day in Bob's timezone: the day, never the hour.
        assert reminder.due_at == dt.datetime(2026, 3, 5, 14, 0, tzinfo=dt.UTC)
        assert KINDS["couple_ended"].title == "Your couple on Steady has ended"
        assert KINDS["couple_ended"].url(couple) == "/couple/ended/"
        assert not Reminder.objects.filter(user=alice).exists()

    def test_the_notice_from_the_page(self, alice, bob, couple):
        _browser(alice).post("/couple/leave/", {"password": PASSWORD, "notice": "on", "block_partner": "on"})
        assert Reminder.objects.filter(user=bob, kind="couple_ended").count() == 1

    @pytest.mark.parametrize("body", [{"password": PASSWORD, "notice": "yes"}, {"password": PASSWORD, "notice": 1}])
    def test_bad_notice_is_a_field_error(self, as_alice, couple, body):
        response = as_alice.post(LEAVE, body, format="json")
        assert response.status_code == 400 and "notice" in response.json()


class TestTheOneWhoStays:
    def _leave_at(self, alice, couple):
        with time_machine.travel(DAY0 - dt.timedelta(hours=5, minutes=1), tick=False):
            gratitude.note_send(couple=couple, author=alice, text="A note")
        with time_machine.travel(DAY0, tick=False):
            couples.couple_leave(user=alice, password=PASSWORD, notice=True)

    @staticmethod
    def _no_time_of_day(text: str) -> None:
        for clock in ("14:37", "2:37", "19:37", "20:37", "T19:37", "8:37"):
            assert clock not in text, clock

    def test_the_ended_page_has_support_and_no_time_of_day(self, alice, bob, couple):
        self._leave_at(alice, couple)
        bob.refresh_from_db()
        browser = _browser(bob)
        html = browser.get("/couple/ended/").content.decode()
        assert "Your couple has ended" in html
        assert 'id="support"' in html
        self._no_time_of_day(html)
        self._no_time_of_day(browser.get(f"/couple/ended/{couple.pk}/").content.decode())
        self._no_time_of_day(browser.get("/settings/").content.decode())

    def test_the_export_says_the_day_the_couple_ended_not_the_time(self, alice, bob, couple):
        self._leave_at(alice, couple)
        export = client_for(bob).get("/api/v1/me/export/").json()
        assert export["couples"][0]["left_on"] == "2026-03-04"
        assert "left_at" not in export["couples"][0]
        membership_left = Membership.objects.get(user=bob).left_at.isoformat()
        raw = client_for(bob).get("/api/v1/me/export/").content.decode()
        assert membership_left not in raw

    def test_the_api_tells_the_stayer_nothing_about_when(self, alice, bob, couple):
        self._leave_at(alice, couple)
        as_bob = client_for(bob)
        assert as_bob.get("/api/v1/couple/").status_code == 404
        self._no_time_of_day(as_bob.get("/api/v1/notifications/").content.decode())


# --- the pairing block --------------------------------------------------------------------


class TestPairingBlock:
    def _left_with_block(self, alice, couple):
        couples.couple_leave(user=alice, password=PASSWORD)  # the default: blocked
        return PairingBlock.objects.get(blocker=alice)

    def test_a_blocked_attempt_is_the_same_400_as_any_wrong_code(self, alice, bob, couple):
        self._left_with_block(alice, couple)
        as_alice = client_for(alice)
        bobs_code = client_for(bob).post(INVITES).json()["code"]

        blocked = as_alice.post(JOIN, {"code": bobs_code}, format="json")
        wrong = as_alice.post(JOIN, {"code": "ABCD-EFGH"}, format="json")
        Invite.objects.filter(code=bobs_code).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        expired = as_alice.post(JOIN, {"code": bobs_code}, format="json")

        assert blocked.status_code == wrong.status_code == expired.status_code == 400
        assert blocked.content == wrong.content == expired.content
        assert blocked.json() == {"code": [BAD_CODE]}
        assert Couple.objects.filter(ended_at__isnull=True).count() == 0

    def test_it_lifts_when_the_one_who_left_makes_a_code_and_it_is_entered(self, alice, bob, couple):
        self._left_with_block(alice, couple)
        assert _pair(alice, bob).status_code == 201
        assert not PairingBlock.objects.exists()

    def test_a_code_made_by_the_blocked_person_never_lifts_it(self, alice, bob, couple):
        self._left_with_block(alice, couple)
        assert _pair(bob, alice).status_code == 400
        assert PairingBlock.objects.filter(blocker=alice, blocked=bob).exists()

    def test_turned_off_in_settings(self, alice, bob, couple):
        block = self._left_with_block(alice, couple)
        browser = _browser(alice)
        page = browser.get("/settings/pairing/").content.decode()
        assert "Bob" in page and 'data-testid="lift-block"' in page
        assert 'href="/settings/pairing/"' in browser.get("/settings/").content.decode()

        response = browser.post("/settings/pairing/", {"block": block.pk})
        assert response.status_code == 302
        assert not PairingBlock.objects.exists()
        assert _pair(bob, alice).status_code == 201

    def test_turned_off_through_the_api(self, alice, bob, couple):
        block = self._left_with_block(alice, couple)
        listed = client_for(alice).get(BLOCKS).json()
        assert listed == [{"id": block.pk, "display_name": "Bob", "created_on": listed[0]["created_on"]}]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", listed[0]["created_on"])
        assert client_for(alice).delete(f"{BLOCKS}{block.pk}/").status_code == 204
        assert not PairingBlock.objects.exists()

    def test_the_blocked_person_never_sees_or_lifts_it(self, alice, bob, mallory, couple):
        block = self._left_with_block(alice, couple)
        assert client_for(bob).get(BLOCKS).json() == []
        assert client_for(bob).delete(f"{BLOCKS}{block.pk}/").status_code == 404
        assert client_for(mallory).delete(f"{BLOCKS}{block.pk}/").status_code == 404
        assert _browser(bob).post("/settings/pairing/", {"block": block.pk}).status_code == 404
        assert _browser(bob).post("/settings/pairing/", {"block": "x"}).status_code == 404
        assert "Alice" not in _browser(bob).get("/settings/pairing/").content.decode()
        assert PairingBlock.objects.filter(pk=block.pk).exists()


# --- closing, restoring, erasing an account -----------------------------------------------


def _restore_link() -> str:
    (message,) = [m for m in mail.outbox if "closed" in m.subject]
    return re.search(r"https?://\S+/account/restore/\S+/", message.body).group(0)


def _path(link: str) -> str:
    return link[link.index("/account/restore/") :]


@pytest.fixture
def closed(alice, bob, couple, django_capture_on_commit_callbacks):
    """Alice wrote a journal entry and a note, then closed her account on DAY0."""
    with time_machine.travel(DAY0, tick=False):
        journal.entry_create(author=alice, kind="entry", text="ALICE-PRIVATE-JOURNAL")
        gratitude.note_send(couple=couple, author=alice, text="ALICE-NOTE")
        with django_capture_on_commit_callbacks(execute=True):
            accounts.account_close(user=alice, password=PASSWORD)
    alice.refresh_from_db()
    return alice


class TestClose:
    def test_closes_at_once_everywhere(self, alice, bob, couple, django_capture_on_commit_callbacks):
        address_confirm(alice)
        browser = web_login(alice)
        phone, tablet = client_for(alice), client_for(alice)
        with django_capture_on_commit_callbacks(execute=True):
            assert phone.delete(ME, {"password": PASSWORD}, format="json").status_code == 204

        assert User.objects.filter(pk=alice.pk, is_active=False).exists()
        assert not AuthToken.objects.filter(user=alice).exists()
        assert tablet.get(ME).status_code == 401
        assert browser.get("/settings/").status_code == 302
        # The couple has ended for Bob; he sees only that.
        assert client_for(bob).get("/api/v1/couple/").status_code == 404
        assert "Your couple has ended" in _browser(bob).get("/couple/ended/").content.decode()
        assert not PairingBlock.objects.exists()
        assert not Reminder.objects.filter(user=bob, kind="couple_ended").exists()
        assert SecurityEvent.objects.filter(kind="account_closed", user_id=alice.pk).exists()
        # Nothing is erased yet.
        assert AccountClosure.objects.filter(user=alice).exists()

    def test_the_email_carries_the_link_and_nothing_private(self, closed):
        (message,) = mail.outbox
        assert message.to == ["alice@example.com"]
        assert message.subject == "Your Steady account is closed"
        assert "18 March 2026" in message.body
        assert "/account/restore/" in message.body
        for private in ("Alice", "Bob", "ALICE-", "password is"):
            assert private not in message.body, private

    def test_its_open_code_stops_working(self, alice, mallory, django_capture_on_commit_callbacks):
        code = client_for(alice).post(INVITES).json()["code"]
        accounts.account_close(user=alice, password=PASSWORD)
        wrong = client_for(mallory).post(JOIN, {"code": "ABCDEFGH"}, format="json")
        response = client_for(mallory).post(JOIN, {"code": code}, format="json")
        assert response.status_code == 400 and response.content == wrong.content

    def test_a_therapist_closing_ends_their_access_at_once(self, theo, alice, bob, couple):
        from therapists.models import Grant

        from .test_therapists_support import active_grant

        grant = active_grant(couple, alice, bob, theo)
        accounts.account_close(user=theo, password=PASSWORD)
        grant.refresh_from_db()
        assert grant.ended_at is not None and grant.end_reason == Grant.EndReason.THERAPIST_ENDED

    def test_a_therapists_open_connect_code_stops_working(self, theo, alice, bob, couple):
        from therapists import services as therapists

        code = therapists.connect_code_create(therapist=theo).code
        accounts.account_close(user=theo, password=PASSWORD)
        wrong = client_for(alice).post(GRANTS, {"code": "ABCDEFGH", "scopes": ["mood_trends"]}, format="json")
        response = client_for(alice).post(GRANTS, {"code": code, "scopes": ["mood_trends"]}, format="json")
        assert wrong.status_code == response.status_code == 400
        assert response.content == wrong.content

    def test_invisible_in_the_admin_list(self, closed, bob, mallory):
        admin = User.objects.create_superuser(email="admin@example.com", password=PASSWORD)
        browser = Client()
        browser.force_login(admin)
        html = browser.get("/admin/accounts/user/").content.decode()
        assert "bob@example.com" in html
        assert "alice@example.com" not in html

    def test_wrong_password_changes_nothing_and_is_limited_per_person(self, alice, couple):
        as_alice, other_phone = client_for(alice), client_for(alice)
        for _ in range(PASSWORD_TRIES - 1):
            assert as_alice.delete(ME, {"password": "not-it-at-all"}, format="json").status_code == 400
        # The count is per person, not per device or request.
        assert other_phone.delete(ME, {"password": "not-it-either"}, format="json").status_code == 400
        response = as_alice.delete(ME, {"password": PASSWORD}, format="json")
        assert response.status_code == 429
        assert User.objects.filter(pk=alice.pk, is_active=True).exists()
        assert not AccountClosure.objects.exists()

    @pytest.mark.parametrize("erase_now", ["yes", 1, None])
    def test_bad_erase_now_is_a_field_error(self, as_alice, alice, erase_now):
        response = as_alice.delete(ME, {"password": PASSWORD, "erase_now": erase_now}, format="json")
        assert response.status_code == 400 and "erase_now" in response.json()
        assert User.objects.filter(pk=alice.pk, is_active=True).exists()

    def test_erase_now_erases_at_once(self, alice, bob, couple, django_capture_on_commit_callbacks):
        journal.entry_create(author=alice, kind="entry", text="ALICE-PRIVATE-JOURNAL")
        alice_id = alice.pk
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(alice).delete(ME, {"password": PASSWORD, "erase_now": True}, format="json")
        assert response.status_code == 204
        assert not User.objects.filter(pk=alice_id).exists()
        assert not crypto.key_exists(alice_id)
        assert mail.outbox == []  # nothing to restore, nothing sent

    def test_settings_says_it_all_before_confirming(self, alice, bob, couple):
        html = _browser(alice).get("/settings/delete/").content.decode()
        for said in (
            "Your couple with Bob ends straight away",
            "signed out on every device at once",
            "nobody on Steady can see your account",
            "erased 14 days after you confirm",
            "journal's key is destroyed",
            "a link we email to alice@example.com can bring the account back, once",
            "Your password alone can't",
            "Erase everything now",
        ):
            assert said in html, said

    def test_settings_closes_and_says_so(self, alice, django_capture_on_commit_callbacks):
        browser = _browser(alice)
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post("/settings/delete/", {"password": PASSWORD})
        assert response["Location"] == "/account-deleted/"
        page = browser.get("/account-deleted/").content.decode()
        assert "Your account is closed" in page and "erased in 14 days" in page
        assert User.objects.filter(pk=alice.pk, is_active=False).exists()
        assert len(mail.outbox) == 1


class TestSignInWhileClosed:
    def test_the_api_log_in_fails_like_a_wrong_password(self, closed, api):
        right = api.post("/api/v1/auth/login/", {"email": "alice@example.com", "password": PASSWORD}, format="json")
        wrong = api.post("/api/v1/auth/login/", {"email": "alice@example.com", "password": "nope-nope"}, format="json")
        nobody = api.post("/api/v1/auth/login/", {"email": "zed@example.com", "password": PASSWORD}, format="json")
        assert right.status_code == wrong.status_code == nobody.status_code == 400
        assert right.content == wrong.content == nobody.content

    def test_the_web_log_in_fails_like_a_wrong_password(self, closed):
        address_confirm(closed)

        def attempt(password: str) -> str:
            response = Client().post("/accounts/login/", {"login": "alice@example.com", "password": password})
            assert response.status_code == 200
            return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

        assert attempt(PASSWORD) == attempt("not-her-password")
        assert "inactive" not in attempt(PASSWORD).lower()

    def test_a_password_reset_does_not_restore_it(self, closed):
        address_confirm(closed)
        mail.outbox.clear()
        Client().post("/accounts/password/reset/", {"email": "alice@example.com"})
        assert not any("/password/reset/key/" in m.body for m in mail.outbox)
        closed.refresh_from_db()
        assert not closed.is_active and not closed.has_usable_password()


class TestRestore:
    def test_restorable_on_day_13_by_the_emailed_link_only(self, closed, bob):
        link = _restore_link()
        with time_machine.travel(DAY0 + dt.timedelta(days=13, hours=23), tick=False):
            assert accounts.closed_accounts_erase() == 0
            browser = Client()
            page = browser.get(_path(link))
            assert page.status_code == 200 and 'data-testid="restore-account"' in page.content.decode()
            closed.refresh_from_db()
            assert not closed.is_active  # a GET (a mail scanner) changes nothing
            response = browser.post(_path(link))
            assert response.status_code == 302 and response["Location"] == "/accounts/login/"
            closed.refresh_from_db()
            assert closed.is_active and closed.check_password(PASSWORD)
            assert not AccountClosure.objects.exists()
            # Everything is there again, the journal readable; the couple stays ended.
            from journal.selectors import journal_export

            assert [e["text"] for e in journal_export(user=closed)] == ["ALICE-PRIVATE-JOURNAL"]
            assert crypto.key_exists(closed.pk)
            assert Note.objects.filter(author=closed, text="ALICE-NOTE").exists()
            assert not Membership.objects.filter(left_at__isnull=True).exists()
            assert SecurityEvent.objects.filter(kind="account_restored", user_id=closed.pk).exists()
            api = client_for(None)
            body = {"email": "alice@example.com", "password": PASSWORD}
            assert api.post("/api/v1/auth/login/", body, format="json").status_code == 200

    @time_machine.travel(DAY0 + dt.timedelta(days=1), tick=False)
    def test_a_used_link_is_refused(self, closed):
        link = _restore_link()
        assert Client().post(_path(link)).status_code == 302
        again = Client().post(_path(link))
        assert again.status_code == 400 and 'data-testid="restore-refused"' in again.content.decode()
        assert Client().get(_path(link)).status_code == 400

    @time_machine.travel(DAY0 + dt.timedelta(days=1), tick=False)
    def test_a_link_from_an_earlier_closing_is_refused(self, closed, django_capture_on_commit_callbacks):
        first = _restore_link()
        Client().post(_path(first))
        mail.outbox.clear()
        closed.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            accounts.account_close(user=closed, password=PASSWORD)
        assert Client().post(_path(first)).status_code == 400
        assert Client().post(_path(_restore_link())).status_code == 302

    @pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxfQ:1abc:forged", "x" * 300])
    def test_a_forged_link_is_refused(self, closed, token):
        assert Client().post(f"/account/restore/{token}/").status_code == 400
        closed.refresh_from_db()
        assert not closed.is_active

    def test_day_14_erases_and_the_link_has_expired(self, closed, bob):
        link = _restore_link()
        alice_id = closed.pk
        with time_machine.travel(DAY0 + dt.timedelta(days=14), tick=False):
            # Expired before the sweep gets there...
            assert Client().get(_path(link)).status_code == 400
            assert Client().post(_path(link)).status_code == 400
            # ...and the sweep erases.
            from accounts import tasks

            assert tasks.closed_accounts_erase() == 1
            assert tasks.closed_accounts_erase() == 0
        assert not User.objects.filter(pk=alice_id).exists()
        assert not crypto.key_exists(alice_id)
        assert not Entry.objects.filter(author_id=alice_id).exists()
        assert not Note.objects.filter(text="ALICE-NOTE").exists()
        assert SecurityEvent.objects.filter(kind="account_deleted", user_id=alice_id).exists()
        assert User.objects.filter(pk=bob.pk).exists()

    def test_the_erase_task_is_on_the_beat(self):
        from backend.celery import app

        assert "accounts.closed_accounts_erase" in {e["task"] for e in app.conf.beat_schedule.values()}


@time_machine.travel(DAY0 + dt.timedelta(days=2), tick=False)
def test_make_couple_still_works_after_a_restore(closed, mallory):
    Client().post(_path(_restore_link()))
    closed.refresh_from_db()
    assert make_couple(closed, mallory).ended_at is None


def test_a_closed_accounts_notes_and_answers_are_out_of_the_partners_sight(alice, bob, couple):
    from checkins import services as checkins
    from checkins.models import Format

    fmt = Format.objects.get(key="daily-pulse")
    checkin = checkins.checkin_start(couple=couple, user=alice, format=fmt)
    checkins.checkin_answer(checkin=checkin, author=alice, values={"mood": 4, "appreciated": "ALICE-ANS", "need": "x"})
    checkins.checkin_answer(checkin=checkin, author=bob, values={"mood": 2, "appreciated": "BOB-ANS", "need": "y"})
    gratitude.note_send(couple=couple, author=alice, text="ALICE-NOTE")
    gratitude.note_send(couple=couple, author=bob, text="BOB-NOTE")

    accounts.account_close(user=alice, password=PASSWORD)

    export = client_for(bob).get("/api/v1/me/export/").content.decode()
    history = _browser(bob).get(f"/couple/ended/{couple.pk}/?section=notes").content.decode()
    assert "ALICE-NOTE" not in export and "ALICE-ANS" not in export
    assert "ALICE-NOTE" not in history
    assert "BOB-NOTE" in export and "BOB-ANS" in export and "BOB-NOTE" in history


def test_opening_a_restore_link_signs_nobody_out(closed, bob):
    browser = _browser(bob)
    with time_machine.travel(DAY0 + dt.timedelta(days=1), tick=False):
        assert browser.get(_path(_restore_link())).status_code == 200
    assert browser.get("/settings/").status_code == 200
