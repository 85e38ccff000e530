"""Two phones (390x844): alice writes bob a note with a prompt, bob finds it
in the jar and sends back a reaction, alice sees it; a note for later stays
invisible to bob until its time and can be taken back; "show me an old
one"; the lock-screen line says only who; the home card."""

import datetime as dt
import re

from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from playwright.sync_api import Page, expect

from gratitude import services
from gratitude.models import Note
from gratitude.prompts import PROMPTS
from gratitude.views import home_context
from reminders.dispatch import dispatch_tick

from . import helpers
from .helpers import no_horizontal_scroll, small_targets

NOTE = "You stayed calm when the car broke down and made it an adventure."


def fits(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    expect(page.locator("h1")).to_have_count(1)
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def no_quiet_hours(*users):
    for u in users:
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


def test_write_receive_react_and_the_jar(phone_for, alice, bob, couple, shot):
    no_quiet_hours(alice, bob)
    a = phone_for(alice, path="/gratitude/write/", timezone_id="Europe/Berlin")
    b = phone_for(bob, path="/gratitude/", timezone_id="America/New_York")

    # Bob's jar is empty, and says so kindly.
    expect(b.get_by_test_id("jar-empty")).to_contain_text("Nothing in the jar yet")
    shot(b, "gratitude-01-jar-empty")

    # Alice starts from a prompt (inserted in place by gratitude.js) and sends now.
    expect(a.get_by_role("heading", level=1)).to_have_text("A note for Bob")
    expect(a.get_by_label("Deliver on")).to_be_hidden()  # "Now" is chosen
    a.get_by_role("link", name=PROMPTS[0]).click()
    box = a.get_by_role("textbox", name="Your note")
    expect(box).to_have_value(PROMPTS[0] + " ")
    expect(a).to_have_url(re.compile(r"/gratitude/write/$"))
    box.fill(f"{PROMPTS[0]} {NOTE}")
    expect(a.get_by_text(re.compile(r"\d+ characters left"))).to_be_visible()
    fits(a, "write")
    shot(a, "gratitude-02-write")
    a.get_by_test_id("send-note").click()
    expect(a.get_by_role("status")).to_contain_text("Sent. Bob can read it now.")
    expect(a.get_by_role("link", name="Sent", exact=True)).to_have_attribute("aria-current", "page")

    # The lock screen, the inbox and the push say neither who nor what.
    dispatch_tick()
    b.goto("/notifications/")
    expect(b.locator("main")).to_contain_text("A new note for you")
    assert "car broke down" not in b.locator("main").inner_text()
    shot(b, "gratitude-03-notification")

    # Bob reads it in his jar and sends back a hug.
    b.goto("/gratitude/")
    note = b.get_by_test_id("note").first
    expect(note).to_contain_text("From Alice")
    expect(note).to_contain_text("car broke down")
    fits(b, "jar")
    shot(b, "gratitude-04-jar-bob")
    note.get_by_test_id("react-hug").click()
    expect(b.get_by_role("status")).to_contain_text("Sent back: A hug.")
    expect(b.get_by_test_id("react-hug")).to_have_attribute("aria-pressed", "true")
    shot(b, "gratitude-05-reacted")

    # Alice sees the reaction in her sent box, and nothing about reading.
    a.reload()
    expect(a.get_by_test_id("reply")).to_have_text(re.compile(r"Bob sent back:\s+A hug"))
    assert not re.search(r"\b(seen|read at|opened|viewed)\b", a.locator("main").inner_text(), re.I)
    fits(a, "sent")
    shot(a, "gratitude-06-sent-alice")

    # A note for later: alice picks a time (her own clock); bob sees nothing of it.
    a.goto("/gratitude/write/")
    a.get_by_role("textbox", name="Your note").fill("For Friday evening: SECRET-LATER-NOTE")
    a.get_by_label("At a time I choose").check()
    later = timezone.localtime(timezone.now() + dt.timedelta(days=2), alice.tzinfo).replace(
        hour=20, minute=0, second=0, microsecond=0
    )
    a.get_by_label("Deliver on").fill(later.strftime("%Y-%m-%dT%H:%M"))
    shot(a, "gratitude-07-write-later")
    a.get_by_test_id("send-note").click()
    expect(a.get_by_role("status")).to_contain_text("at 20:00. Until then you can take it back.")
    waiting = a.get_by_test_id("note").first
    expect(waiting).to_contain_text("Waiting")
    expect(waiting).to_contain_text("Arrives")
    fits(a, "sent with waiting")
    shot(a, "gratitude-08-sent-waiting")
    assert Note.objects.get(text__startswith="For Friday").deliver_at == later

    b.reload()
    expect(b.get_by_test_id("note")).to_have_count(1)
    assert "SECRET-LATER-NOTE" not in b.content()

    # Alice changes her mind: taking it back needs a confirmation.
    waiting.get_by_test_id("take-back").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Take back this note?")
    fits(a, "take back")
    shot(a, "gratitude-09-take-back")
    a.get_by_test_id("confirm-take-back").click()
    expect(a.get_by_role("status")).to_contain_text("Taken back.")
    assert not Note.objects.filter(text__startswith="For Friday").exists()


def test_an_old_one_at_random_and_the_home_card(phone_for, alice, bob, couple, shot):
    now = timezone.now()
    for i, text in enumerate(
        [
            "Thank you for making the bed every single morning this week.",
            "I loved our walk by the river on Sunday.",
            "You were so patient on the phone with my mum.",
        ]
    ):
        note = services.note_send(couple=couple, author=alice, text=text, now=now - dt.timedelta(days=30 - i * 9))
        if i == 1:
            services.note_acknowledge(note=note, user=bob, reaction="heart")

    b = phone_for(bob, path="/gratitude/", timezone_id="America/New_York", width=360)
    b.get_by_test_id("random-note").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("From the jar")
    first = b.get_by_test_id("note").inner_text()
    fits(b, "random")
    shot(b, "gratitude-10-random")
    b.get_by_test_id("another").click()
    assert b.get_by_test_id("note").inner_text() != first  # another one, when there is another

    # Dark mode, the whole jar.
    d = phone_for(bob, path="/gratitude/", color_scheme="dark")
    expect(d.get_by_test_id("note")).to_have_count(3)
    fits(d, "jar dark")
    shot(d, "gratitude-11-jar-dark")

    # The home card, as the couple home page will include it.
    request = RequestFactory().get("/")
    request.user = bob
    page = Template(
        '{% extends "base.html" %}{% load static %}'
        '{% block extra_head %}<link rel="stylesheet" href="{% static "css/gratitude.css" %}">{% endblock %}'
        '{% block content %}<h1>Hello, Bob</h1>{% include "gratitude/_home_card.html" %}{% endblock %}'
    ).render(Context({**home_context(bob), "user": bob, "request": request}))
    b.set_content(page)
    card = b.get_by_test_id("gratitude-card")
    expect(card.get_by_test_id("latest-note")).to_contain_text("Latest from Alice")
    expect(card.get_by_test_id("latest-note")).to_contain_text("patient on the phone")
    fits(b, "home card")
    shot(b, "gratitude-12-home-card")

    # And on the real couple home page.
    b.goto("/")
    expect(b.get_by_test_id("gratitude-card").get_by_test_id("latest-note")).to_contain_text("patient on the phone")
    shot(b, "gratitude-13-home-page")
