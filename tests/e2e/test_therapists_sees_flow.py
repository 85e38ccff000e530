"""What your therapist sees (issue #25), on a phone (390 x 844): Alice opens
her therapist page, sees the next session date Theo set, follows "What Theo
sees" and reads, scope by scope, what Theo reads: both check-up lines side
by side, the promises (Bob's miss reading "ended"), the practices, and "Not
shared" for the rest. Her look is not in the access log."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from checkups import services as checkups
from repair.models import Commitment, Repair
from therapists import services
from therapists.models import AccessEvent, Practice

from ..test_therapists_support import active_grant, give_totp
from .helpers import no_horizontal_scroll, small_targets
from .test_accessibility import AXE, RUN_AXE

GOOD = {"closeness": 5, "trust": 5, "conflict": 1, "heard": 4, "reliability": 5, "steadiness": 4}
LOW = {"closeness": 2, "trust": 3, "conflict": 5, "heard": 2, "reliability": 3, "steadiness": 2}


def test_alice_reads_what_theo_sees_on_her_phone(phone_for, alice, bob, theo, couple, shot):
    give_totp(theo)
    now = timezone.now()
    grant = active_grant(
        couple,
        alice,
        bob,
        theo,
        scopes=["mood_trends", "progress", "promises", "repair_trend", "practice"],
        now=now - dt.timedelta(days=20),
    )
    checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD, now=now - dt.timedelta(days=15))
    checkups.checkup_answer_save(couple=couple, user=bob, answers=GOOD, now=now - dt.timedelta(days=15))
    checkups.checkup_answer_save(couple=couple, user=alice, answers=GOOD)
    checkups.checkup_answer_save(couple=couple, user=bob, answers=LOW)
    start = now - dt.timedelta(days=4)
    repair = Repair.objects.create(
        couple=couple,
        status=Repair.Status.COMPLETED,
        created_at=start,
        expires_at=start + dt.timedelta(days=7),
        closed_at=start + dt.timedelta(minutes=40),
    )
    Commitment.objects.create(
        repair=repair, author=bob, text="Say the signal", due_at=now - dt.timedelta(days=1), status="open"
    )
    Practice.objects.create(
        couple=couple,
        therapist=theo,
        therapist_name="Theo",
        kind="ritual",
        title="A ten-minute walk after dinner",
        due_at=now + dt.timedelta(days=3),
        proposed_at=now - dt.timedelta(days=2),
        state="accepted",
        accepted_at=now - dt.timedelta(days=1),
    )
    services.next_session_set(therapist=theo, couple_id=couple.pk, at=now + dt.timedelta(days=6), ip=None)
    services.presession_note_write(
        couple=couple, author=bob, therapist_id=theo.pk, text="Only for Theo, this one.", share_with_partner=False
    )
    events = AccessEvent.objects.count()

    a = phone_for(alice, path="/couple/therapists/")
    if AXE.exists():
        a.add_init_script(AXE.read_text())
        a.reload()
    expect(a.get_by_test_id("grant-next-sessions")).to_contain_text("Next session:")
    a.get_by_test_id("grant-sees-link").click()

    expect(a.get_by_role("heading", name="What Theo sees")).to_be_visible()
    expect(a.get_by_test_id("sees-next-sessions")).not_to_contain_text("has not set a date")
    progress = a.get_by_test_id("sees-progress")
    expect(progress.locator("svg")).to_have_count(2)  # both lines, side by side
    expect(a.get_by_test_id("sees-promises")).to_contain_text("Ended")
    expect(a.get_by_test_id("sees-promises")).to_contain_text("in full")
    expect(a.get_by_test_id("sees-practice")).to_contain_text("A ten-minute walk after dinner")
    expect(a.get_by_test_id("sees-agreements")).to_contain_text("not shared")
    expect(a.get_by_test_id("sees-notes")).not_to_contain_text("Only for Theo, this one.")
    assert no_horizontal_scroll(a), "the page scrolls sideways at 390 px"
    assert small_targets(a) == []
    if AXE.exists():
        assert a.evaluate(RUN_AXE) == []
    shot(a, "therapists-sees-01-390")

    assert AccessEvent.objects.count() == events
    assert grant.is_active_at(timezone.now())
