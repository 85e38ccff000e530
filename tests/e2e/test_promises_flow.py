"""The promise ledger on a phone (390x844): Alice (Berlin) opens /promises/
with the couple's history (Bob's time-out and repair, kept commitments, a
commitment of hers still to keep and one of Bob's), moves hers later before
its time and then marks it done; the timeline of kept promises never shows a
miss, a count or a score; /repair/ shows how soon they came back together
as a chart."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from promises.demo import demo_seed as promises_demo
from repair.demo import demo_seed as repair_demo
from repair.models import Commitment, Repair
from space.models import SpacePeriod

from . import helpers
from .helpers import no_horizontal_scroll, small_targets


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def test_the_ledger_on_a_phone(phone_for, alice, bob, couple, shot):
    repair_demo(couple=couple, alice=alice, bob=bob)
    promises_demo(couple=couple, alice=alice, bob=bob)
    now = timezone.now()
    repair = Repair.objects.filter(couple=couple).first()
    mine = Commitment.objects.create(
        repair=Repair.objects.create(
            couple=couple,
            status="completed",
            created_at=now - dt.timedelta(days=1),
            expires_at=now + dt.timedelta(days=6),
            closed_at=now - dt.timedelta(hours=20),
        ),
        author=alice,
        text="Ask before I decide for us",
        due_at=now + dt.timedelta(days=2),
    )
    Commitment.objects.create(
        repair=Repair.objects.get(pk=mine.repair_id),
        author=bob,
        text="Call at lunch",
        due_at=now + dt.timedelta(days=1),
    )
    missed = SpacePeriod.objects.create(
        couple=couple,
        author=bob,
        kind="timeout",
        started_at=now - dt.timedelta(days=3, minutes=30),
        first_reconnect_by=now - dt.timedelta(days=3),
        reconnect_by=now - dt.timedelta(days=3),
        status="missed",
        closed_at=now - dt.timedelta(days=2),
    )
    assert repair and missed

    a = phone_for(alice, path="/promises/", timezone_id="Europe/Berlin")
    expect(a.get_by_test_id("promises-copy")).to_have_text("Plans change; saying so in time keeps trust.")
    expect(a.get_by_test_id("promise-open")).to_have_count(2)
    expect(a.get_by_test_id("promise-kept").first).to_be_visible()
    body = a.locator("main").inner_text().lower()
    for word in ("missed", "score", "streak", "%"):
        assert word not in body, word
    fits(a, "promises")
    shot(a, "promises-01-timeline")

    # Move it later, before its time: a local day and time.
    mine_card = a.get_by_test_id("promise-open").filter(has=a.get_by_test_id("promise-keep"))
    mine_card.get_by_text("Move it later").click()
    later = (now + dt.timedelta(days=4)).astimezone(alice.tzinfo)
    mine_card.locator("input[type=date]").fill(later.date().isoformat())
    mine_card.locator("input[type=time]").fill("19:30")
    mine_card.get_by_test_id("promise-move").click()
    expect(a.get_by_text("Moved.")).to_be_visible()
    expect(a.get_by_text("(moved in time)")).to_be_visible()
    mine.refresh_from_db()
    assert mine.renegotiated_at is not None and mine.due_at.astimezone(alice.tzinfo).strftime("%H:%M") == "19:30"
    shot(a, "promises-02-moved")

    a.get_by_test_id("promise-keep").click()
    expect(a.get_by_text("Kept.")).to_be_visible()
    expect(a.get_by_test_id("promise-open")).to_have_count(1)
    expect(a.get_by_test_id("promises-kept")).to_contain_text(
        "You kept a repair commitment, at the time moved in advance"
    )
    fits(a, "promises after keeping")
    shot(a, "promises-03-kept")

    a.goto("/repair/")
    trend = a.get_by_test_id("repair-trend")
    expect(trend.locator("svg[role=img]")).to_have_count(1)
    fits(a, "repair with the trend")
    trend.scroll_into_view_if_needed()
    shot(a, "promises-04-repair-trend")


def test_theo_sees_the_trend_and_full_outcomes_with_the_scopes(phone_for, alice, bob, theo, couple, shot):
    from ..test_therapists_support import active_grant, give_totp

    repair_demo(couple=couple, alice=alice, bob=bob)
    promises_demo(couple=couple, alice=alice, bob=bob)
    now = timezone.now()
    SpacePeriod.objects.create(
        couple=couple,
        author=bob,
        kind="timeout",
        started_at=now - dt.timedelta(days=3, minutes=30),
        first_reconnect_by=now - dt.timedelta(days=3),
        reconnect_by=now - dt.timedelta(days=3),
        status="missed",
        closed_at=now - dt.timedelta(days=2),
    )
    give_totp(theo)
    active_grant(couple, alice, bob, theo, scopes=["promises", "repair_trend"])
    t = phone_for(theo, path=f"/therapist/couples/{couple.pk}/")
    trend = t.get_by_test_id("section-repair-trend")
    expect(trend.locator("svg[role=img]")).to_have_count(1)
    table = t.get_by_test_id("section-promises")
    expect(table).to_contain_text("Missed")
    expect(table).to_contain_text("moved before it was due")
    assert "walking off" not in t.content()  # never a commitment's text
    assert no_horizontal_scroll(t)
    table.scroll_into_view_if_needed()
    shot(t, "promises-05-therapist")
