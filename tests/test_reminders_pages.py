import pytest
from django.test import Client

from reminders.models import Notification, Preference

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_web(alice):
    client = Client()
    client.force_login(alice)
    return client


def test_notifications_page_lists_and_opens(alice_web, alice, mallory):
    mine = Notification.objects.create(
        user=alice, kind="checkin_open", title="Time for your check-in", url="/checkins/1/"
    )
    theirs = Notification.objects.create(user=mallory, kind="checkin_open", title="Not yours", url="/x/")

    page = alice_web.get("/notifications/")
    assert page.status_code == 200
    assert b"Time for your check-in" in page.content and b"Not yours" not in page.content

    assert alice_web.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    response = alice_web.post(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/checkins/1/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_read_all(alice_web, alice):
    Notification.objects.create(user=alice, kind="checkin_open", title="A", url="/")
    alice_web.post("/notifications/read-all/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_page_saves_and_rejects_bad_input(alice_web, alice):
    assert alice_web.get("/settings/notifications/").status_code == 200
    response = alice_web.post(
        "/settings/notifications/",
        {"email": "on", "daily_cap": "4", "lead_minutes": "15", "kind_checkin_open": "on"},
    )
    assert response.status_code == 302
    prefs = Preference.objects.get(user=alice)
    assert (prefs.email, prefs.push, prefs.daily_cap, prefs.lead_minutes) == (True, False, 4, 15)
    assert prefs.kinds["checkin_open"] is True and prefs.kinds["checkin_unanswered"] is False

    bad = alice_web.post("/settings/notifications/", {"daily_cap": "999", "lead_minutes": "x"})
    assert bad.status_code == 200
    assert b"daily_cap_error" in bad.content and b"lead_minutes_error" in bad.content
    prefs.refresh_from_db()
    assert prefs.daily_cap == 4


def test_pages_need_login(client):
    for url in ("/notifications/", "/settings/notifications/"):
        assert client.get(url).status_code == 302


def test_csrf_enforced(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/notifications/read-all/").status_code == 403
