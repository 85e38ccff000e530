"""Issue #20's edges on a 390×844 phone: an unpaired person on a couple
page is sent to the pairing page with one line saying why."""

import re

from playwright.sync_api import expect

from couples.decorators import NOT_PAIRED
from tests.factories import UserFactory

from .helpers import no_horizontal_scroll


def test_an_unpaired_person_on_couple_pages_lands_on_pairing_with_a_reason(phone_for, shot):
    mallory = UserFactory(display_name="Mallory")
    page = phone_for(mallory)
    for path in ("/checkins/", "/gratitude/", "/space/", "/agreements/", "/timeout/", "/journal/shared/"):
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/pair/$"))
        expect(page.get_by_text(NOT_PAIRED)).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_have_text("Pair with your partner")
    assert no_horizontal_scroll(page)
    shot(page, "edges-02-unpaired-on-checkins")


def test_after_a_leave_the_one_who_stays_reads_what_they_wrote(phone_for, shot, alice, bob, couple, password):
    # Issue #20, item 1: from the ended page to a read-only history, one
    # section at a time, and an old notification leads there too.
    from couples.services import couple_leave
    from gratitude.services import note_send
    from reminders.models import Notification
    from tests.factories import CheckInFactory

    pulse = {"mood": 4, "appreciated": "the long walk", "need": "an early night"}
    CheckInFactory(couple=couple, user=alice, answers={alice: pulse, bob: pulse})
    note_send(couple=couple, author=bob, text="Thank you for the soup")
    Notification.objects.create(user=bob, kind="checkin", title="Your partner started a check-in", url="/checkins/")
    couple_leave(user=alice, password=password)

    page = phone_for(bob)
    expect(page).to_have_url(re.compile(r"/couple/ended/$"))
    page.get_by_test_id("read-history").click()
    expect(page).to_have_url(re.compile(rf"/couple/ended/{couple.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What you wrote")
    expect(page.get_by_text("the long walk")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "edges-01b-history-checkins")
    page.get_by_test_id("history-tab-notes").click()
    expect(page.get_by_text("Thank you for the soup")).to_be_visible()
    expect(page.get_by_test_id("history-tab-notes")).to_have_attribute("aria-current", "page")
    shot(page, "edges-01c-history-notes")

    page.goto("/notifications/")
    page.get_by_text("Your partner started a check-in").click()
    expect(page).to_have_url(re.compile(rf"/couple/ended/{couple.pk}/$"))


def test_a_password_asked_again_is_asked_in_our_words(phone_for, theo, shot):
    # Issue #20, item 8: signed in long ago (here: a session without a
    # recent sign-in), setting up two-factor asks for the password once,
    # in Steady's words, then goes on.
    from tests.factories import PASSWORD

    page = phone_for(theo, path="/therapist/security/")
    page.get_by_test_id("setup-totp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    expect(page.get_by_text("Please reauthenticate")).to_have_count(0)
    expect(page.get_by_text("Confirm Access")).to_have_count(0)
    assert no_horizontal_scroll(page)
    shot(page, "edges-08-confirm-its-you")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("That password is not right.")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()


def test_counts_read_as_words_on_a_phone(phone_for, alice, couple, shot):
    # Issue #20, item 8: "2 new notifications", not "2 new notification".
    from reminders.models import Notification

    for _ in range(2):
        Notification.objects.create(user=alice, kind="checkin_started", title="Your partner started a check-in")
    page = phone_for(alice)
    expect(page.get_by_test_id("home-unread")).to_have_text("You have 2 new notifications")
    shot(page, "edges-08-plural-notifications")
