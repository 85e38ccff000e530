"""Therapist access end to end: theo signs in on a laptop and sets up his
authenticator app (the code computed from the key the page shows), makes a
connect code; alice enters it on her phone with what to share; bob approves
the same on his; theo reads the summary with its charts (laptop, then a
390 px window); alice reads the access log; bob stops sharing and theo's
very next request is a 404."""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from therapists.demo import history_bulk_create
from therapists.models import AccessEvent, Grant

from ..test_therapists_support import totp_code
from . import helpers
from .helpers import no_horizontal_scroll, small_targets

LAPTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False, "device_scale_factor": 1}


def fits_phone(page: Page, label: str) -> None:
    assert no_horizontal_scroll(page), f"{label}: scrolls sideways"
    assert small_targets(page) == [], f"{label}: touch targets under 44 px"
    assert helpers.low_contrast_text(page) == [], f"{label}: low contrast"


def test_theo_sets_up_two_factor_the_couple_consents_theo_reads_and_bob_stops_it(
    new_phone, phone_for, live_server, alice, bob, theo, couple, shot
):
    history_bulk_create(couple=couple, a=alice, b=bob, end=timezone.now(), days=70)

    # Theo signs in on his laptop; before any couple data, the set-up steps.
    t = new_phone(**LAPTOP)
    helpers.login(t, live_server, theo.email)
    t.goto("/therapist/")
    expect(t).to_have_url(re.compile(r"/therapist/security/$"))
    t.get_by_test_id("setup-totp").click()
    # He has just signed in: no second password page before the set-up.
    expect(t.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    shot(t, "therapists-01-totp-setup")
    secret = t.get_by_test_id("totp-secret").text_content().strip()
    t.get_by_label("Authenticator code").fill(totp_code(secret))
    t.get_by_role("button", name="Turn it on").click()
    expect(t.get_by_test_id("recovery-codes")).to_be_visible()

    # A connect code for the couple.
    t.goto("/therapist/")
    t.get_by_role("button", name="Make a new code").click()
    code = t.get_by_test_id("new-connect-code").text_content().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    shot(t, "therapists-02-home-code")

    # Alice enters it with what to share.
    a = phone_for(alice, path="/couple/therapists/")
    a.get_by_label("Your therapist's code").fill(code.lower())
    a.get_by_label("Check-in consistency").check()
    a.get_by_label("Mood trends").check()
    a.get_by_label("Notes of appreciation").check()
    a.get_by_label("Trigger patterns").check()
    fits_phone(a, "consent form")
    shot(a, "therapists-03-alice-asks")
    a.get_by_role("button", name="Ask Bob to approve").click()
    expect(a.get_by_role("status")).to_contain_text("Nothing is shared until Bob approves")

    # Theo sees nothing yet.
    response = t.goto(f"/therapist/couples/{couple.pk}/")
    assert response.status == 404

    # Bob approves the same request.
    b = phone_for(bob, path="/couple/therapists/")
    waiting = b.get_by_test_id("grants-waiting")
    expect(waiting).to_contain_text("Alice asked on")
    expect(waiting).to_contain_text("Trigger patterns")
    fits_phone(b, "approve")
    shot(b, "therapists-04-bob-approves")
    b.get_by_role("button", name="Approve and share").click()
    expect(b.get_by_role("status")).to_contain_text("Theo can now see what you both chose")

    # Theo reads the summary: charts drawn on the server.
    t.goto("/therapist/")
    t.get_by_test_id("therapist-couple").click()
    expect(t.get_by_role("heading", name="Alice and Bob")).to_be_visible()
    for key in ("checkin_consistency", "mood_trends", "gratitude_frequency", "trigger_patterns"):
        expect(t.get_by_test_id(f"section-{key}")).to_be_visible()
    expect(t.get_by_test_id("section-agreements")).to_have_count(0)
    expect(t.locator("svg[role=img]").first).to_be_visible()
    shot(t, "therapists-05-summary-laptop")
    t.set_viewport_size({"width": 390, "height": 844})
    assert no_horizontal_scroll(t), "summary scrolls sideways at 390 px"
    shot(t, "therapists-06-summary-390")
    t.emulate_media(media="print")
    shot(t, "therapists-07-summary-print")
    t.emulate_media(media="screen")
    t.set_viewport_size(LAPTOP["viewport"])

    # Alice reads who looked.
    a.goto("/couple/therapists/log/")
    log = a.get_by_test_id("access-log")
    expect(log).to_contain_text("Theo viewed your check-in consistency, mood trends")
    expect(log).to_contain_text("Theo opened their list of couples")
    fits_phone(a, "access log")
    shot(a, "therapists-08-access-log")
    events = AccessEvent.objects.filter(couple=couple).count()

    # Bob stops it: theo's very next request is a 404.
    b.goto("/couple/therapists/")
    b.get_by_role("button", name="Stop sharing now").click()
    expect(b.get_by_role("status")).to_contain_text("Theo can no longer see anything")
    shot(b, "therapists-09-bob-stopped")
    response = t.goto(f"/therapist/couples/{couple.pk}/")
    assert response.status == 404
    assert Grant.objects.get(couple=couple).status == "revoked"
    assert AccessEvent.objects.filter(couple=couple).count() == events
