"""A therapist's morning (issue #25): theo opens his list of couples (what
needs attention first: a check-up fall, a missed practice, a new note),
then one couple's session page (what changed since the last session,
practices, notes, next session), proposes a practice and prints the page;
laptop and 390 x 844. Alice answers the practice on her phone."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from checkups import services as checkups
from therapists import services
from therapists.models import Practice

from ..test_therapists_support import active_grant, give_totp
from .helpers import no_horizontal_scroll

LAPTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False, "device_scale_factor": 1}
GOOD = {"closeness": 5, "trust": 5, "conflict": 1, "heard": 4, "reliability": 5, "steadiness": 4}
LOW = {"closeness": 2, "trust": 3, "conflict": 5, "heard": 2, "reliability": 3, "steadiness": 2}


def test_a_therapists_morning_list_session_page_print(new_phone, phone_for, alice, bob, theo, couple, shot):
    give_totp(theo)
    now = timezone.now()
    grant = active_grant(
        couple,
        alice,
        bob,
        theo,
        scopes=["agreements", "gratitude_frequency", "progress", "practice"],
        now=now - dt.timedelta(days=20),
    )
    # Two revealed check-up rounds: Bob's total fell.
    checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD, now=now - dt.timedelta(days=15))
    checkups.checkup_answer_save(couple=couple, user=bob, answers=GOOD, now=now - dt.timedelta(days=15))
    checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD)
    checkups.checkup_answer_save(couple=couple, user=bob, answers=LOW)
    # A practice both accepted that passed its due time in silence.
    Practice.objects.create(
        couple=couple,
        therapist=theo,
        therapist_name="Theo",
        kind="ritual",
        title="A ten-minute walk after dinner",
        due_at=now - dt.timedelta(days=1),
        proposed_at=now - dt.timedelta(days=8),
        state="accepted",
        accepted_at=now - dt.timedelta(days=7),
    )
    services.presession_note_write(
        couple=couple, author=alice, therapist_id=theo.pk, text="Weekends are hard again.", share_with_partner=False
    )
    assert grant.is_active_at(now)

    # The list: this couple needs attention, with the reasons in words.
    t = phone_for(theo, path="/therapist/", **LAPTOP)
    row = t.get_by_test_id("therapist-couple").first
    expect(row).to_contain_text("Alice and Bob")
    attention = t.get_by_test_id("couple-attention")
    expect(attention.filter(has_text="check-up total fell")).to_have_count(1)
    expect(attention.filter(has_text="1 practice missed")).to_have_count(1)
    expect(attention.filter(has_text="1 new note for you")).to_have_count(1)
    shot(t, "therapists-morning-01-list-laptop")

    # One couple's session page.
    row.click()
    t.get_by_test_id("session-link").click()
    changed = t.get_by_test_id("what-changed")
    expect(changed).to_contain_text("Bob")
    expect(t.get_by_test_id("changed-practices")).to_contain_text("Missed")
    expect(t.get_by_test_id("presession-notes")).to_contain_text("Weekends are hard again.")

    # A next session and a new practice.
    t.get_by_label("Day").fill((now + dt.timedelta(days=6)).date().isoformat())
    t.get_by_label("Time (yours)").fill("17:00")
    t.get_by_role("button", name="Add a session date").click()
    expect(t.get_by_test_id("next-sessions")).not_to_contain_text("No date set")
    t.get_by_label("Kind").select_option("appreciation_notes")
    t.get_by_label("Title").fill("Three notes of appreciation each")
    t.get_by_label("Due by the end of").fill((now + dt.timedelta(days=6)).date().isoformat())
    t.get_by_role("button", name="Propose").click()
    expect(t.get_by_role("status")).to_contain_text("once both partners accept")
    expect(t.get_by_test_id("changed-practices")).to_contain_text("Waiting for both of you")
    shot(t, "therapists-morning-02-session-laptop")

    t.set_viewport_size({"width": 390, "height": 844})
    assert no_horizontal_scroll(t), "the session page scrolls sideways at 390 px"
    shot(t, "therapists-morning-03-session-390")

    t.set_viewport_size(LAPTOP["viewport"])
    t.emulate_media(media="print")
    expect(t.get_by_test_id("practice-propose")).to_be_hidden()
    shot(t, "therapists-morning-04-session-print")

    # Alice, on her phone, sees the proposal and accepts it.
    a = phone_for(alice, path="/practices/")
    card = a.get_by_test_id("practice").filter(has_text="Three notes of appreciation each")
    expect(card).to_contain_text("It starts only if you both accept")
    assert no_horizontal_scroll(a), "practices scroll sideways at 390 px"
    shot(a, "therapists-morning-05-practices-390")
    card.get_by_role("button", name="Accept").click()
    expect(a.get_by_role("status")).to_contain_text("Accepted.")
    expect(a.get_by_test_id("practice").filter(has_text="Three notes")).to_contain_text("You accepted")
