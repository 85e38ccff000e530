"""The private safety check, its resources and the quiet pause (issue #23,
docs/safety.md). The partner's side is in tests/test_safety_persona.py."""

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.countries import country_from_timezone
from accounts.services import closed_accounts_erase
from checkins.models import Format
from checkins.services import checkin_start
from reminders.dispatch import dispatch_tick
from reminders.models import Delivery, Notification, PushSubscription, Reminder
from safety import resources
from safety.models import SafetyAnswer, SafetyPreference
from safety.selectors import safety_check_due

from .factories import PASSWORD, web_login

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")


# --- resources and country ---------------------------------------------------------------


def test_every_country_list_starts_with_its_emergency_number():
    for code in [*resources.seeded_countries(), "", "ZZ"]:
        listed = resources.resources_for(code)["resources"]
        assert listed[0]["kind"] == "emergency", code
        assert sum(r["kind"] == "emergency" for r in listed) == 1, code
        for r in listed:
            assert set(r) == {"kind", "name", "phone", "url", "note"}
            assert r["url"] == "" or r["url"].startswith("https://")
    assert {"US", "GB", "DE", "ES", "AU"} <= set(resources.seeded_countries())
    assert resources.resources_for("US")["resources"][0]["phone"] == "911"
    # A country without its own list gets the general one.
    assert resources.resources_for("FR")["country"] == ""


def test_every_note_and_list_name_is_marked_for_translation():
    # The data file is JSON, so makemessages cannot see it: resources.TRANSLATED
    # lists what a reader reads in their own language (organisation names stay).
    data = resources._all()
    shown = {entry["name"] for entry in data.values()}
    shown |= {r["note"] for entry in data.values() for r in entry["resources"] if r["note"]}
    shown |= {r["name"] for entry in data.values() for r in entry["resources"] if r["name"] in resources.GENERIC_NAMES}
    assert shown == set(resources.TRANSLATED)


@pytest.mark.parametrize(
    ("tz", "country"),
    [
        ("Europe/Berlin", "DE"),
        ("America/New_York", "US"),
        ("Europe/London", "GB"),
        ("Australia/Sydney", "AU"),
        ("Europe/Madrid", "ES"),
        ("UTC", ""),
        ("Etc/GMT+5", ""),
    ],
)
def test_country_defaults_from_the_timezone(tz, country):
    assert country_from_timezone(tz) == country


def test_me_has_country_from_the_timezone_until_set(as_alice, alice):
    assert as_alice.get("/api/v1/me/").json()["country"] == "DE"
    response = as_alice.patch("/api/v1/me/", {"country": "gb"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["country"] == "GB"
    assert as_alice.get("/api/v1/me/safety/").json()["resources"]["country"] == "GB"
    bad = as_alice.patch("/api/v1/me/", {"country": "XX"}, format="json")
    assert bad.status_code == 400 and "country" in bad.json()
    assert as_alice.patch("/api/v1/me/", {"country": ""}, format="json").json()["country"] == "DE"


# --- the API ----------------------------------------------------------------------------


def test_get_shows_pause_and_resources_but_never_answers(as_alice):
    body = as_alice.get("/api/v1/me/safety/").json()
    assert body["paused"] is False
    assert body["country"] == "DE"
    assert body["resources"]["resources"][0]["kind"] == "emergency"
    assert body["ask_every_weeks"] is None  # off by default
    as_alice.post("/api/v1/me/safety/", {"feel_safe": "no"}, format="json")
    assert "no" not in json.dumps(as_alice.get("/api/v1/me/safety/").json()["paused"])
    assert "answer" not in as_alice.get("/api/v1/me/safety/").json()


def test_answer_is_stored_sealed_and_read_back_only_on_request(as_alice, alice):
    response = as_alice.post("/api/v1/me/safety/", {"feel_safe": "unsure"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["answer"]["feel_safe"] == "unsure"
    assert response.json()["resources"]["resources"][0]["kind"] == "emergency"
    answer = SafetyAnswer.objects.get(user=alice)
    with connection.cursor() as cursor:
        cursor.execute("SELECT feel_safe_sealed FROM safety_safetyanswer WHERE id = %s", [answer.pk])
        raw = bytes(cursor.fetchone()[0])
    assert b"unsure" not in raw
    listed = as_alice.get("/api/v1/me/safety/answers/").json()
    assert listed["count"] == 1 and listed["results"][0]["feel_safe"] == "unsure"


@pytest.mark.parametrize("body", [{}, {"feel_safe": "maybe"}, {"feel_safe": 1}, {"feel_safe": None}, []])
def test_bad_answers_are_400(as_alice, body):
    response = as_alice.post("/api/v1/me/safety/", body, format="json")
    assert response.status_code == 400
    assert not SafetyAnswer.objects.exists()


def test_nobody_else_reads_an_answer(as_alice, as_bob, as_mallory, as_theo, couple, mallory_couple, api):
    as_alice.post("/api/v1/me/safety/", {"feel_safe": "no"}, format="json")
    for other in (as_bob, as_mallory, as_theo):
        assert other.get("/api/v1/me/safety/answers/").json()["count"] == 0
        assert other.get("/api/v1/me/safety/").json()["paused"] is False
    assert api.get("/api/v1/me/safety/").status_code == 401


def test_pause_and_resume_are_one_call_each_and_idempotent(as_alice, alice):
    assert as_alice.post("/api/v1/me/safety/pause/").json()["paused"] is True
    alice.refresh_from_db()
    first = alice.couple_paused_at
    assert as_alice.post("/api/v1/me/safety/pause/").status_code == 200
    alice.refresh_from_db()
    assert alice.couple_paused_at == first
    assert as_alice.delete("/api/v1/me/safety/pause/").status_code == 204
    assert as_alice.get("/api/v1/me/safety/").json()["paused"] is False
    assert as_alice.delete("/api/v1/me/safety/pause/").status_code == 204


def test_ask_every_few_weeks_is_a_choice(as_alice, alice):
    assert safety_check_due(user=alice) is False  # off by default
    assert as_alice.patch("/api/v1/me/safety/", {"ask_every_weeks": 3}, format="json").status_code == 400
    assert as_alice.patch("/api/v1/me/safety/", {"ask_every_weeks": 4}, format="json").json()["ask_every_weeks"] == 4
    now = timezone.now()
    alice.refresh_from_db()
    assert safety_check_due(user=alice, now=now) is False
    assert safety_check_due(user=alice, now=now + dt.timedelta(weeks=4, minutes=1)) is True
    later = now + dt.timedelta(weeks=4, minutes=1)
    with time_machine.travel(later, tick=False):
        as_alice.post("/api/v1/me/safety/", {"feel_safe": "yes"}, format="json")
    alice.refresh_from_db()
    assert safety_check_due(user=alice, now=later + dt.timedelta(days=1)) is False


def test_the_periodic_question_is_in_app_only(couple, alice, bob):
    """Never a push, an email or an entry in the notifications list: the
    only trace is a card on the person's own home page."""
    PushSubscription.objects.create(user=alice, endpoint="https://push.example/a", p256dh="x", auth="y")
    start = dt.datetime(2026, 3, 2, 9, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        from safety.services import safety_ask_every

        safety_ask_every(user=alice, every_weeks=2)
    browser = web_login(alice)
    with time_machine.travel(start + dt.timedelta(weeks=2, hours=1), tick=False):
        dispatch_tick()
        page = browser.get("/").content.decode()
    assert 'data-testid="safety-check-card"' in page
    assert not Reminder.objects.filter(user=alice).exclude(kind__startswith="checkin").exists()
    assert not Notification.objects.filter(user=alice).exists()
    assert mail.outbox == []
    assert not Delivery.objects.filter(user=alice).exists()
    # And the partner's home never shows it.
    assert 'data-testid="safety-check-card"' not in web_login(bob).get("/").content.decode()


# --- the pause and reminders ----------------------------------------------------------------


def test_a_paused_persons_reminders_stop_and_the_partners_do_not(couple, alice, bob, as_alice):
    for user in (alice, bob):
        user.quiet_hours_start = user.quiet_hours_end = None
        user.save()
    as_alice.post("/api/v1/me/safety/pause/")
    checkin = checkin_start(couple=couple, user=bob, format=Format.objects.get(key="daily-pulse"))
    later = Reminder.objects.get(user=bob, kind="checkin_unanswered", target_id=checkin.pk).fire_at
    dispatch_tick()
    with time_machine.travel(later + dt.timedelta(minutes=1), tick=False):
        dispatch_tick()
    assert set(Notification.objects.values_list("user_id", flat=True)) == {bob.pk}
    assert set(Delivery.objects.filter(user=alice).values_list("kind", "outcome")) == {
        ("checkin_started", "paused"),
        ("checkin_unanswered", "paused"),
    }
    assert Delivery.objects.get(user=bob, kind="checkin_unanswered").outcome == "sent"
    # Resuming is one tap; what fell in the pause is not sent late.
    as_alice.delete("/api/v1/me/safety/pause/")
    with time_machine.travel(later + dt.timedelta(minutes=2), tick=False):
        dispatch_tick()
    assert not Notification.objects.filter(user=alice).exists()


# --- erasure and the export -----------------------------------------------------------------


def test_answers_go_with_the_account(as_alice, alice):
    as_alice.post("/api/v1/me/safety/", {"feel_safe": "no"}, format="json")
    as_alice.patch("/api/v1/me/safety/", {"ask_every_weeks": 2}, format="json")
    response = as_alice.delete("/api/v1/me/", {"password": PASSWORD, "erase_now": True}, format="json")
    assert response.status_code == 204
    assert not SafetyAnswer.objects.exists()
    assert not SafetyPreference.objects.exists()


def test_a_closed_accounts_answers_go_when_its_window_ends(as_alice, alice):
    # Deleting without "erase now" closes the account: the answers wait,
    # sealed, for the restore window, and go with the erasure after it.
    as_alice.post("/api/v1/me/safety/", {"feel_safe": "no"}, format="json")
    assert as_alice.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204
    assert SafetyAnswer.objects.exists()
    closed_accounts_erase(now=timezone.now() + dt.timedelta(days=13))
    assert SafetyAnswer.objects.exists()
    closed_accounts_erase(now=timezone.now() + dt.timedelta(days=14, minutes=1))
    assert not SafetyAnswer.objects.exists()
    assert not SafetyPreference.objects.exists()


def test_the_export_is_the_same_whether_or_not_one_answered_or_paused(as_alice):
    before = as_alice.get("/api/v1/me/export/").json()
    as_alice.post("/api/v1/me/safety/", {"feel_safe": "no"}, format="json")
    as_alice.post("/api/v1/me/safety/pause/")
    after = as_alice.get("/api/v1/me/export/").json()
    assert before == after
    assert after["safety"]["included"] is False


# --- pages ---------------------------------------------------------------------------------


def test_safety_pages_are_private_and_never_cached(couple, alice):
    browser = web_login(alice)
    for url in ("/safety/", "/safety/help/", "/safety/answers/"):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert response["Referrer-Policy"] == "no-referrer"
        assert "data-replace-history" in response.content.decode()
    page = browser.get("/safety/").content.decode()
    assert "Do you feel safe with your partner?" in page
    assert "I need help now" in page


def test_answering_no_leads_to_help_and_the_pause_from_the_page(couple, alice):
    browser = web_login(alice)
    response = browser.post("/safety/answer/", {"feel_safe": "no"})
    assert response.status_code == 302 and response["Location"] == "/safety/help/"
    help_page = browser.get("/safety/help/").content.decode()
    assert "112" in help_page or "110" in help_page  # Germany, from alice's timezone
    browser.post("/safety/pause/")
    alice.refresh_from_db()
    assert alice.couple_paused
    home = browser.get("/").content.decode()
    assert 'data-testid="safety-paused-card"' in home
    browser.post("/safety/resume/", {"next": "home"})
    alice.refresh_from_db()
    assert not alice.couple_paused
    assert browser.post("/safety/answer/", {"feel_safe": "bad"}).status_code == 302
    assert SafetyAnswer.objects.count() == 1


def test_help_page_opens_without_signing_in(client):
    response = client.get("/safety/help/?country=AU")
    assert response.status_code == 200
    assert "000" in response.content.decode()
    assert client.get("/safety/").status_code == 302  # the check itself needs an account


def test_every_page_has_the_quick_exit(client, couple, alice):
    assert "data-quick-exit" in client.get("/accounts/login/").content.decode()
    assert "data-quick-exit" in web_login(alice).get("/").content.decode()


def test_settings_and_help_link_to_the_safety_check(couple, alice):
    browser = web_login(alice)
    assert 'href="/safety/"' in browser.get("/settings/").content.decode()
    assert 'href="/safety/help/"' in browser.get("/journal/help/").content.decode()


def test_a_form_sent_by_the_script_learns_where_to_go_as_json(couple, alice):
    browser = web_login(alice)
    response = browser.post("/safety/pause/", HTTP_X_STEADY_REPLACE="1")
    assert response.status_code == 200
    assert response.json() == {"location": "/safety/"}
    assert "no-store" in response["Cache-Control"]
    # The message waits for the page the script replaces this one with.
    assert "Paused, for you only" in browser.get("/safety/").content.decode()
