"""Issue #20, item 1: after a leave, each former partner can read again
what they wrote in the ended couple (read-only), reached from the ended
page, the pairing page and old notifications; 404 for anyone else."""

import pytest
from django.test import Client
from django.urls import reverse

from agreements.services import reflection_submit
from couples.services import couple_leave
from gratitude.services import note_send
from reminders.models import Notification
from tests.factories import AgreementFactory, CheckInFactory, make_couple

PULSE_ALICE = {"mood": 4, "appreciated": "alice-tea-secret", "need": "alice-sleep"}
PULSE_BOB = {"mood": 2, "appreciated": "bob-walk-secret", "need": "bob-quiet"}


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ended(couple, alice, bob, password):
    """alice and bob wrote things, then bob left."""
    CheckInFactory(couple=couple, user=alice, answers={alice: PULSE_ALICE, bob: PULSE_BOB})
    # A check-in only bob answered: never revealed.
    CheckInFactory(couple=couple, user=bob, answers={bob: {"mood": 3, "appreciated": "bob-unrevealed", "need": "rest"}})
    note_send(couple=couple, author=alice, text="alice-note-to-bob")
    note_send(couple=couple, author=bob, text="bob-note-to-alice")
    agreement = AgreementFactory(couple=couple, user=alice, accepted_by=bob, title="Phones away at dinner")
    reflection_submit(agreement=agreement, author=alice, outcome="kept", note="alice-reflection")
    reflection_submit(agreement=agreement, author=bob, outcome="missed", note="bob-reflection")
    AgreementFactory(couple=couple, user=bob, title="bob-proposal-never-accepted")
    old = Notification.objects.create(
        user=alice, kind="checkin", title="Your partner started a check-in", url="/checkins/1/"
    )
    couple_leave(user=bob, password=password)
    return {"couple": couple, "notification": old}


def url(couple, section=None):
    base = reverse("couple-history", args=[couple.pk])
    return f"{base}?section={section}" if section else base


@pytest.mark.django_db
def test_each_former_partner_reads_their_own_answers_only(ended, alice, bob):
    couple = ended["couple"]
    alice_page = browser(alice).get(url(couple)).content.decode()
    assert "alice-tea-secret" in alice_page and "alice-sleep" in alice_page
    assert "bob-walk-secret" not in alice_page and "bob-unrevealed" not in alice_page
    bob_page = browser(bob).get(url(couple)).content.decode()
    assert "bob-walk-secret" in bob_page and "bob-unrevealed" in bob_page
    assert "alice-tea-secret" not in bob_page


@pytest.mark.django_db
def test_notes_sent_and_received_stay_in_the_history(ended, alice):
    page = browser(alice).get(url(ended["couple"], "notes")).content.decode()
    assert "alice-note-to-bob" in page and "bob-note-to-alice" in page
    assert 'aria-current="page" data-testid="history-tab-notes"' in page


@pytest.mark.django_db
def test_agreements_show_the_agreed_wording_and_only_my_reflections(ended, alice):
    page = browser(alice).get(url(ended["couple"], "agreements")).content.decode()
    assert "Phones away at dinner" in page and "alice-reflection" in page
    assert "bob-reflection" not in page
    assert "bob-proposal-never-accepted" not in page


@pytest.mark.django_db
def test_the_history_is_read_only(ended, alice):
    response = browser(alice).post(url(ended["couple"]), {"text": "x"})
    assert response.status_code == 405


@pytest.mark.django_db
def test_nobody_else_reads_it(ended, mallory, mallory_couple, theo, alice, bob, mike):
    couple = ended["couple"]
    for person in (mallory, theo, mike):
        assert browser(person).get(url(couple)).status_code == 404, person
    # A couple still going has no history page: its own pages show it.
    assert browser(mallory).get(url(mallory_couple)).status_code == 404
    assert Client().get(url(couple)).status_code == 302  # to sign-in


@pytest.mark.django_db
def test_a_couple_still_going_is_404_even_for_its_member(couple, alice):
    assert browser(alice).get(url(couple)).status_code == 404


@pytest.mark.django_db
def test_an_unknown_section_falls_back_to_checkins(ended, alice):
    page = browser(alice).get(url(ended["couple"], "journal")).content.decode()
    assert 'aria-current="page" data-testid="history-tab-checkins"' in page


@pytest.mark.django_db
def test_the_ended_and_pairing_pages_link_to_it(ended, alice):
    client = browser(alice)
    history = reverse("couple-history", args=[ended["couple"].pk])
    ended_page = client.get(reverse("couple-ended")).content.decode()
    assert history in ended_page
    assert "Download a copy of your data" in ended_page
    assert history in client.get(reverse("pair")).content.decode()


@pytest.mark.django_db
def test_an_old_notification_leads_to_the_history(ended, alice):
    tapped = browser(alice).post(reverse("notification-open", args=[ended["notification"].pk]))
    assert tapped["Location"] == reverse("couple-history", args=[ended["couple"].pk])


@pytest.mark.django_db
def test_an_old_notification_from_an_earlier_couple_leads_to_that_couples_history(ended, alice, mike):
    # alice is paired again: the old link would be another couple's 404.
    make_couple(alice, mike)
    tapped = browser(alice).post(reverse("notification-open", args=[ended["notification"].pk]))
    assert tapped["Location"] == reverse("couple-history", args=[ended["couple"].pk])


@pytest.mark.django_db
def test_a_notification_of_the_current_couple_follows_its_link(couple, alice):
    note = Notification.objects.create(user=alice, kind="checkin", title="A check-in", url="/checkins/")
    assert browser(alice).post(reverse("notification-open", args=[note.pk]))["Location"] == "/checkins/"


@pytest.mark.django_db
def test_query_count_is_pinned(ended, alice, django_assert_max_num_queries):
    client = browser(alice)
    for section in ("checkins", "notes", "agreements"):
        client.get(url(ended["couple"], section))
        with django_assert_max_num_queries(9):
            assert client.get(url(ended["couple"], section)).status_code == 200
