"""Two phones (390x844) in two timezones: bob (New York) takes some space
with a quick return time and a note; alice (Berlin) sees a calm status
with the time on her own clock and nothing to press; bob extends it before
the time and comes back; both see the same follow-through; the
notifications say who, never the note or the time; the home cards."""

import datetime as dt

from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import Page, expect

from reminders.dispatch import dispatch_tick
from space import services
from space.models import Extension, SpacePeriod
from space.views import clock, home_context

from . import helpers
from .helpers import no_horizontal_scroll, small_targets

NOTE = "I need to cool down. I love you, I'll be back."


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def test_take_space_the_calm_status_extend_and_come_back(phone_for, alice, bob, couple, shot):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()
    b = phone_for(bob, path="/space/", timezone_id="America/New_York")
    a = phone_for(alice, path="/space/", timezone_id="Europe/Berlin")

    # Bob chooses a return time: the box for a time of his own shows only when asked for.
    expect(b.get_by_role("heading", name="Need some space?")).to_be_visible()
    custom = b.get_by_label("By what time")
    expect(custom).to_be_hidden()
    b.get_by_text("Another time").click()
    expect(custom).to_be_visible()
    expect(custom).to_be_focused()
    b.get_by_text("1 hour", exact=True).click()
    expect(custom).to_be_hidden()
    b.get_by_label("A note for Alice").fill(NOTE)
    fits(b, "take space")
    shot(b, "space-01-take")
    b.get_by_test_id("take-space").click()

    period = SpacePeriod.objects.get(author=bob)
    at_bob = clock(period.reconnect_by, bob.tzinfo, timezone.now())
    at_alice = clock(period.reconnect_by, alice.tzinfo, timezone.now())
    expect(b.get_by_role("status")).to_contain_text(f"Alice can see you're taking some space until {at_bob}.")
    mine = b.get_by_test_id("space-mine")
    expect(mine).to_contain_text(f"You said you'd reconnect by {at_bob}.")
    expect(mine).to_contain_text("ten minutes before")
    fits(b, "taking space")
    shot(b, "space-02-taking")

    # Alice: who, until when on her own clock, the note - and nothing to press.
    a.reload()
    theirs = a.get_by_test_id("space-theirs")
    expect(theirs).to_contain_text(f"Bob is taking some space and plans to reconnect by {at_alice}.")
    expect(theirs).to_contain_text(NOTE)
    expect(theirs.get_by_role("button")).to_have_count(0)
    expect(a.locator(f"form[action*='/space/{period.pk}/']")).to_have_count(0)
    fits(a, "partner status")
    shot(a, "space-03-partner-sees")

    # The lock screens: never the name, the note or the time.
    dispatch_tick()
    a.goto("/notifications/")
    expect(a.locator("main")).to_contain_text("Your partner is taking some space, with a time to reconnect")
    assert "cool down" not in a.locator("main").inner_text() and at_alice not in a.locator("main").inner_text()

    # Bob needs a little longer, before the time: half an hour more.
    b.get_by_test_id("extend").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("A little longer")
    fits(b, "extend")
    shot(b, "space-04-extend")
    b.get_by_text("+30 min").click()
    b.get_by_test_id("confirm-extend").click()
    period.refresh_from_db()
    assert period.reconnect_by == period.first_reconnect_by + dt.timedelta(minutes=30)
    assert Extension.objects.filter(period=period).count() == 1
    at_bob = clock(period.reconnect_by, bob.tzinfo, timezone.now())
    expect(b.get_by_role("status")).to_contain_text(f"You'll reconnect by {at_bob}.")
    expect(b.get_by_test_id("space-mine")).to_contain_text("Extended")

    a.goto("/space/")
    expect(a.get_by_test_id("space-theirs")).to_contain_text(
        f"plans to reconnect by {clock(period.reconnect_by, alice.tzinfo, timezone.now())}."
    )

    # Bob comes back, on time.
    b.get_by_test_id("reconnect").click()
    expect(b.get_by_role("status")).to_contain_text("Welcome back, right when you said.")
    assert SpacePeriod.objects.get(pk=period.pk).status == "kept"
    fits(b, "back")
    shot(b, "space-05-back")

    # Alice: the status is gone; the follow-through reads the same for both.
    a.reload()
    expect(a.get_by_test_id("space-theirs")).to_have_count(0)
    numbers = a.get_by_test_id("followthrough").inner_text()
    assert "you two came back when you said you would once" in numbers
    assert b.get_by_test_id("followthrough").inner_text() == numbers
    shot(a, "space-06-after")
    dispatch_tick()
    a.goto("/notifications/")
    expect(a.locator("main")).to_contain_text("Your partner is ready to reconnect")


def test_errors_history_and_the_home_cards(phone_for, alice, bob, couple, shot):
    now = timezone.now()
    # Some history behind them: kept, late, and one never marked.
    for i, (user, back) in enumerate([(bob, 40), (alice, 90), (bob, None), (alice, 20)]):
        start = now - dt.timedelta(days=20 - i * 4)
        p = services.space_take(couple=couple, user=user, reconnect_by=start + dt.timedelta(hours=1), now=start)
        if back is not None:
            services.space_reconnect(period=p, user=user, now=start + dt.timedelta(minutes=back))
    services.space_mark_missed(now=now)

    b = phone_for(bob, path="/space/", timezone_id="America/New_York", width=360)
    # A time too soon, and a note too long: said plainly, nothing saved.
    b.get_by_text("Another time").click()
    soon = timezone.localtime(now + dt.timedelta(minutes=5), bob.tzinfo)
    b.get_by_label("By what time").fill(soon.strftime("%H:%M"))
    b.get_by_label("A note for Alice").fill("x" * 290)
    b.get_by_test_id("take-space").click()
    expect(b.get_by_role("alert").first).to_contain_text("Give yourself at least 15 minutes.")
    assert not SpacePeriod.objects.filter(status="open").exists()
    fits(b, "take space error")
    shot(b, "space-07-error")

    b.get_by_text("2 hours", exact=True).click()
    b.get_by_label("A note for Alice").fill("Going for a walk to clear my head.")
    b.get_by_test_id("take-space").click()
    expect(b.get_by_test_id("space-mine")).to_be_visible()

    # Dark mode for alice, with the status and the history.
    a = phone_for(alice, path="/space/", color_scheme="dark")
    expect(a.get_by_test_id("space-theirs")).to_contain_text("Going for a walk")
    # No scorekeeping: Alice reads what they kept together and her own late
    # return; Bob's unmarked one is "Over" in the list, never counted for her.
    expect(a.get_by_test_id("followthrough-together")).to_contain_text("came back when you said you would 2 times")
    expect(a.get_by_test_id("followthrough-mine")).to_contain_text("later than you'd said once")
    expect(a.get_by_test_id("followthrough")).not_to_contain_text("didn't mark")
    expect(a.locator(".space-history")).to_contain_text("Over")
    fits(a, "space dark")
    shot(a, "space-08-dark")

    # The home cards, as the couple home page will include them.
    def home(user) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return Template(
            '{% extends "base.html" %}{% load static %}'
            '{% block extra_head %}<link rel="stylesheet" href="{% static "css/space.css" %}">{% endblock %}'
            '{% block content %}<h1>Hello, {{ user.display_name }}</h1>{% include "space/_home_card.html" %}'
            "{% endblock %}"
        ).render(Context({**home_context(user), "user": user, "request": request}))

    a.set_content(home(alice))
    expect(a.get_by_test_id("home-space-theirs")).to_contain_text("Bob is taking some space and plans to reconnect by")
    fits(a, "home card partner")
    shot(a, "space-09-home-partner")
    b.set_content(home(bob))
    expect(b.get_by_test_id("home-space-mine")).to_contain_text("You're taking some space.")
    fits(b, "home card mine")
    shot(b, "space-10-home-mine")

    # And on the real couple home page.
    a.goto("/")
    expect(a.get_by_test_id("home-space-theirs")).to_contain_text("Going for a walk")
    shot(a, "space-11-home-page-partner")
    b.goto("/")
    expect(b.get_by_test_id("home-space-mine")).to_be_visible()
