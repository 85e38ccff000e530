"""The promise ledger's page (/promises/) and the trend on /repair/ and on
a therapist's couple page, through Django's test client: a calm timeline of
kept promises, the viewer's own open ones with "Done" and "Move it later"
(a local day and time, DST-true), never a miss, a count, a score or a
percentage."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from repair.models import Commitment, Repair
from therapists.models import AccessEvent

from .test_promises import NOW, commitment, period, repair_of
from .test_therapists_support import active_grant, give_totp

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def history(couple, alice, bob):
    r = repair_of(couple, start=NOW - dt.timedelta(days=5))
    return {
        "a_open": commitment(r, alice, due=NOW + dt.timedelta(days=1)),
        "b_open": commitment(r, bob, due=NOW + dt.timedelta(days=1)),
        "b_missed": period(couple, bob, due=NOW - dt.timedelta(days=2), status="missed"),
        "b_kept": period(couple, bob, due=NOW - dt.timedelta(days=3), status="kept"),
        "a_kept": commitment(
            repair_of(couple, start=NOW - dt.timedelta(days=9)),
            alice,
            due=NOW - dt.timedelta(days=4),
            status="kept",
            kept_at=NOW - dt.timedelta(days=4, hours=1),
        ),
    }


def test_the_page_is_a_calm_timeline_with_no_miss_and_no_count(_frozen, alice, bob, history):
    response = web(alice).get("/promises/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Plans change; saying so in time keeps trust." in text
    assert "You kept a repair commitment" in text
    assert "Bob came back from a time-out" in text
    assert "Bob : a repair commitment, by" in text
    lowered = text.lower()
    for word in ("missed", "score", "streak", "%", "late", "ended"):
        assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered), word
    assert not re.search(r"(?<![:\d])\d+ (promises|times|kept)\b", lowered)
    # Only one's own open promise has buttons.
    assert response.content.decode().count('data-testid="promise-keep"') == 1


def test_done_and_move_it_later_for_ones_own_only(_frozen, alice, bob, history):
    a, b = history["a_open"], history["b_open"]
    browser = web(alice)
    # Bob's is not Alice's to move (404 through the service, told as a message).
    browser.post(f"/promises/commitment-{b.pk}/renegotiate/", {"due_date": "2026-03-22", "due_time": "20:00"})
    b.refresh_from_db()
    assert b.renegotiated_at is None
    # Alice (Berlin) moves hers to Monday 30 March 20:00, after the clocks went forward.
    response = browser.post(
        f"/promises/commitment-{a.pk}/renegotiate/", {"due_date": "2026-03-30", "due_time": "20:00"}, follow=True
    )
    assert "Moved." in text_of(response)
    a.refresh_from_db()
    assert a.due_at == dt.datetime(2026, 3, 30, 18, 0, tzinfo=dt.UTC)
    assert a.first_due_at == NOW + dt.timedelta(days=1)
    assert "(moved in time)" in text_of(browser.get("/promises/"))
    response = browser.post(f"/promises/commitment-{a.pk}/keep/", follow=True)
    assert "Kept." in text_of(response)
    a.refresh_from_db()
    assert a.status == "kept"


def test_a_bad_time_is_a_message_not_a_500(_frozen, alice, history):
    a = history["a_open"]
    response = web(alice).post(f"/promises/commitment-{a.pk}/renegotiate/", {"due_date": "x"}, follow=True)
    assert response.status_code == 200 and "Choose a date and a time." in text_of(response)


def test_strangers_get_404(mallory, mallory_couple, history):
    assert web(mallory).get("/promises/").status_code == 200  # their own couple's, empty
    a = history["a_open"]
    web(mallory).post(f"/promises/commitment-{a.pk}/keep/")
    a.refresh_from_db()
    assert a.status == "open"


def test_the_repair_page_has_the_trend_chart_without_counts(_frozen, couple, alice, bob):
    start = NOW - dt.timedelta(days=10)
    t = period(couple, bob, due=start + dt.timedelta(minutes=20), status="kept", started=start)
    repair_of(couple, start=start + dt.timedelta(minutes=25), minutes=20, timeout=t)
    response = web(alice).get("/repair/")
    html = response.content.decode()
    assert 'data-testid="repair-trend"' in html and "<svg" in html and 'role="img"' in html
    assert "Median minutes" in html
    assert "45" in text_of(response)


def test_the_therapists_page_shows_both_with_the_scopes_and_logs_each(couple, alice, bob, theo):
    give_totp(theo)
    active_grant(couple, alice, bob, theo, scopes=["promises", "repair_trend"])
    client = web(theo)
    Commitment.objects.create(
        repair=Repair.objects.create(
            couple=couple,
            status="completed",
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            expires_at=dt.datetime(2026, 1, 8, tzinfo=dt.UTC),
            closed_at=dt.datetime(2026, 1, 1, 1, tzinfo=dt.UTC),
        ),
        author=bob,
        text="Secret words",
        due_at=dt.datetime(2026, 1, 3, tzinfo=dt.UTC),
    )
    response = client.get(f"/therapist/couples/{couple.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="section-promises"' in html and 'data-testid="section-repair-trend"' in html
    assert "Secret words" not in html
    assert "Missed" in html  # full outcomes for the therapist
    assert set(AccessEvent.objects.filter(what__in=["promises", "repair_trend"]).values_list("what", flat=True)) == {
        "promises",
        "repair_trend",
    }
