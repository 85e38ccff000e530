"""The notes-of-appreciation pages, through Django's test client: writing
(with prompts, now or later in the writer's own time), the jar, one note,
reactions, taking a note back, the random note, the nudge, the home card,
and who may see what."""

import datetime as dt
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client

from gratitude import services
from gratitude.models import Note
from gratitude.prompts import PROMPTS
from gratitude.views import home_context
from reminders.models import Preference

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # Wednesday, 13:00 in Berlin (alice), 07:00 in New York (bob)
SECRET = "SECRET-WAITING-NOTE for Friday"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user=None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


@pytest.fixture
def web_alice(alice):
    return web(alice)


@pytest.fixture
def web_bob(bob):
    return web(bob)


@pytest.fixture
def delivered(couple, alice):
    return services.note_send(couple=couple, author=alice, text="Thank you for the soup\nwhen I was ill.")


@pytest.fixture
def waiting(couple, alice):
    return services.note_send(couple=couple, author=alice, text=SECRET, deliver_at=NOW + dt.timedelta(days=2))


class TestWrite:
    def test_the_page_offers_prompts_and_a_labelled_box(self, web_alice, couple):
        page = html(web_alice.get("/gratitude/write/"))
        assert "A note for Bob" in page
        for prompt in PROMPTS[:3]:
            assert prompt in page
        assert '<label for="id_text">Your note</label>' in page
        assert 'type="datetime-local"' in page and '<label for="id_deliver_at">' in page

    def test_a_prompt_link_starts_the_note_without_javascript(self, web_alice, couple):
        page = html(web_alice.get("/gratitude/write/?prompt=0"))
        assert re.search(r"<textarea[^>]*>\s*" + re.escape(PROMPTS[0]), page)
        assert web_alice.get("/gratitude/write/?prompt=999").status_code == 200

    def test_send_now(self, web_alice, couple, bob):
        response = web_alice.post("/gratitude/write/", {"text": "You make mornings easy.", "when": "now"})
        assert response.status_code == 302 and response.url == "/gratitude/?box=sent"
        note = Note.objects.get()
        assert note.recipient == bob and note.deliver_at == NOW
        assert "Sent. Bob can read it now." in text_of(web_alice.get(response.url))

    def test_send_later_is_read_in_the_writers_own_timezone(self, web_alice, couple):
        response = web_alice.post(
            "/gratitude/write/", {"text": "Happy Friday", "when": "later", "deliver_at": "2026-03-06T20:00"}
        )
        assert response.status_code == 302
        # 20:00 in Berlin is 19:00 UTC.
        assert Note.objects.get().deliver_at == dt.datetime(2026, 3, 6, 19, 0, tzinfo=UTC)
        assert "It arrives Friday 6 March at 20:00" in text_of(web_alice.get(response.url))

    def test_a_time_is_ignored_when_now_is_chosen(self, web_alice, couple):
        web_alice.post("/gratitude/write/", {"text": "Now", "when": "now", "deliver_at": "2026-03-06T20:00"})
        assert Note.objects.get().deliver_at == NOW

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"text": "", "when": "now"}, "Write a few words first."),
            ({"text": "   ", "when": "now"}, "Write a few words first."),
            ({"text": "x" * 1001, "when": "now"}, "Keep it to 1,000 characters; this one has 1,001."),
            ({"text": "Hi", "when": "later", "deliver_at": ""}, "Choose the day and time it should arrive."),
            ({"text": "Hi", "when": "later", "deliver_at": "soon"}, "Enter a date and time"),
            ({"text": "Hi", "when": "later", "deliver_at": "2026-03-01T10:00"}, "That time has already passed."),
            ({"text": "Hi", "when": "later", "deliver_at": "2026-05-01T10:00"}, "at most 30 days"),
            ({"text": "Hi", "when": "sometime"}, "Choose now or later."),
        ],
    )
    def test_errors_are_shown_by_the_field_and_nothing_is_sent(self, web_alice, couple, data, message):
        response = web_alice.post("/gratitude/write/", data)
        assert response.status_code == 200
        page = html(response)
        assert 'role="alert"' in page
        assert message in text_of(response)
        assert not Note.objects.exists()
        # What was typed is still there.
        if data["text"].strip():
            assert data["text"][:50] in page

    def test_csrf_is_required(self, alice, couple):
        response = web(alice, csrf=True).post("/gratitude/write/", {"text": "Hi", "when": "now"})
        assert response.status_code == 403
        assert not Note.objects.exists()


class TestJar:
    def test_the_recipient_sees_delivered_notes_only(self, web_bob, delivered, waiting):
        page = text_of(web_bob.get("/gratitude/"))
        assert "Thank you for the soup" in page and "From Alice" in page
        assert SECRET not in page and "Waiting" not in page

    def test_the_author_sees_her_waiting_note_in_sent(self, web_alice, delivered, waiting):
        page = text_of(web_alice.get("/gratitude/?box=sent"))
        assert SECRET in page and "Waiting" in page and "Take it back" in page
        assert "Arrives Friday 6 March at 13:00" in page  # her own time (Berlin)
        assert "Thank you for the soup" in page

    def test_empty_jar(self, web_bob, couple):
        page = text_of(web_bob.get("/gratitude/"))
        assert "Nothing in the jar yet" in page

    def test_pages_of_ten(self, web_bob, couple, alice, _frozen):
        for i in range(12):
            _frozen.move_to(NOW - dt.timedelta(hours=12 - i))
            services.note_send(couple=couple, author=alice, text=f"Note number {i:02d}")
        _frozen.move_to(NOW)
        first = text_of(web_bob.get("/gratitude/"))
        assert "Note number 11" in first and "Note number 01" not in first and "Page 1 of 2" in first
        second = text_of(web_bob.get("/gratitude/?page=2"))
        assert "Note number 01" in second and "Note number 00" in second
        assert web_bob.get("/gratitude/?page=99&box=nonsense").status_code == 200

    def test_query_count_does_not_grow(self, web_bob, couple, alice, django_assert_max_num_queries):
        services.note_send(couple=couple, author=alice, text="one")
        with django_assert_max_num_queries(12) as few:
            web_bob.get("/gratitude/")
        for i in range(20):
            services.note_send(couple=couple, author=alice, text=f"n{i}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            web_bob.get("/gratitude/")


class TestReactions:
    def test_the_recipient_reacts_from_the_page(self, web_bob, delivered):
        page = html(web_bob.get(f"/gratitude/{delivered.pk}/"))
        assert page.count('name="reaction"') == 4 and 'aria-pressed="false"' in page
        response = web_bob.post(
            f"/gratitude/{delivered.pk}/acknowledge/", {"reaction": "hug", "next": f"/gratitude/{delivered.pk}/"}
        )
        assert response.status_code == 302 and response.url == f"/gratitude/{delivered.pk}/#note-{delivered.pk}"
        delivered.refresh_from_db()
        assert delivered.reaction == "hug" and delivered.acknowledged_at == NOW
        assert 'aria-pressed="true"' in html(web_bob.get(f"/gratitude/{delivered.pk}/"))

    def test_the_author_sees_the_reaction_and_cannot_react(self, web_alice, web_bob, delivered):
        assert 'name="reaction"' not in html(web_alice.get(f"/gratitude/{delivered.pk}/"))
        web_alice.post(f"/gratitude/{delivered.pk}/acknowledge/", {"reaction": "heart"})
        delivered.refresh_from_db()
        assert delivered.acknowledged_at is None and delivered.reaction == ""

        web_bob.post(f"/gratitude/{delivered.pk}/acknowledge/", {"reaction": "heart"})
        assert "Bob sent back: Love it" in text_of(web_alice.get("/gratitude/?box=sent"))

    def test_an_unknown_reaction_changes_nothing(self, web_bob, delivered):
        web_bob.post(f"/gratitude/{delivered.pk}/acknowledge/", {"reaction": "<script>"})
        delivered.refresh_from_db()
        assert delivered.acknowledged_at is None

    def test_next_must_stay_on_this_site(self, web_bob, delivered):
        response = web_bob.post(
            f"/gratitude/{delivered.pk}/acknowledge/", {"reaction": "smile", "next": "https://evil.example/"}
        )
        assert response.url.startswith(f"/gratitude/{delivered.pk}/")

    def test_reading_leaves_no_trace(self, web_bob, delivered):
        before = Note.objects.values().get(pk=delivered.pk)
        web_bob.get(f"/gratitude/{delivered.pk}/")
        web_bob.get("/gratitude/")
        web_bob.get("/gratitude/random/")
        assert Note.objects.values().get(pk=delivered.pk) == before


class TestTakeBack:
    def test_confirm_then_take_back(self, web_alice, waiting):
        page = text_of(web_alice.get(f"/gratitude/{waiting.pk}/delete/"))
        assert "Take back this note?" in page and SECRET in page
        response = web_alice.post(f"/gratitude/{waiting.pk}/delete/")
        assert response.status_code == 302
        assert not Note.objects.exists()

    def test_a_delivered_note_stays(self, web_alice, delivered):
        assert web_alice.get(f"/gratitude/{delivered.pk}/delete/").status_code == 302
        web_alice.post(f"/gratitude/{delivered.pk}/delete/")
        assert Note.objects.filter(pk=delivered.pk).exists()


class TestRandom:
    def test_an_old_one(self, web_bob, delivered):
        page = text_of(web_bob.get("/gratitude/random/"))
        assert "Thank you for the soup" in page and "Show me another" in page

    def test_never_a_waiting_one(self, web_bob, waiting):
        for _ in range(5):
            page = text_of(web_bob.get("/gratitude/random/"))
            assert SECRET not in page and "Nothing in the jar yet" in page

    def test_bad_exclude_is_ignored(self, web_bob, delivered):
        assert web_bob.get("/gratitude/random/?exclude=abc").status_code == 200


class TestNudgeForm:
    def test_on_and_off(self, web_alice, alice, couple):
        assert web_alice.post("/gratitude/nudge/", {"days": "7"}).status_code == 302
        assert Preference.objects.get(user=alice).gratitude_nudge_days == 7
        assert 'value="7" selected' in html(web_alice.get("/gratitude/"))
        web_alice.post("/gratitude/nudge/", {"days": ""})
        assert Preference.objects.get(user=alice).gratitude_nudge_days is None

    def test_a_bad_choice_changes_nothing(self, web_alice, alice, couple):
        web_alice.post("/gratitude/nudge/", {"days": "3"})
        web_alice.post("/gratitude/nudge/", {"days": "5000"})
        assert Preference.objects.get(user=alice).gratitude_nudge_days == 3


class TestWhoMaySee:
    def test_mallory_and_theo_get_404_on_every_note_page(self, mallory, theo, mallory_couple, delivered, waiting):
        for user in (mallory, theo):
            client = web(user)
            for note in (delivered, waiting):
                assert client.get(f"/gratitude/{note.pk}/").status_code == 404
                assert client.get(f"/gratitude/{note.pk}/delete/").status_code == 404
                assert client.post(f"/gratitude/{note.pk}/delete/").status_code == 404
                assert client.post(f"/gratitude/{note.pk}/acknowledge/", {"reaction": "heart"}).status_code == 404
        assert Note.objects.count() == 2 and not Note.objects.filter(acknowledged_at__isnull=False).exists()
        mallorys = text_of(web(mallory).get("/gratitude/"))
        assert "soup" not in mallorys and SECRET not in mallorys
        assert web(theo).get("/gratitude/").status_code == 404
        assert web(theo).get("/gratitude/write/").status_code == 404

    def test_the_recipient_cannot_open_a_waiting_note(self, web_bob, waiting):
        assert web_bob.get(f"/gratitude/{waiting.pk}/").status_code == 404
        assert web_bob.get(f"/gratitude/{waiting.pk}/delete/").status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, delivered):
        for url in ("/gratitude/", "/gratitude/write/", "/gratitude/random/", f"/gratitude/{delivered.pk}/"):
            response = web().get(url)
            assert response.status_code == 302 and "/accounts/login/" in response.url


class TestHomeCard:
    def test_latest_note_and_waiting_count(self, alice, bob, delivered, waiting, rf):
        for_bob = home_context(bob)
        assert for_bob["gratitude_latest"]["note"] == delivered
        assert for_bob["gratitude_waiting"] == 0
        request = rf.get("/")
        request.user = bob
        card = render_to_string("gratitude/_home_card.html", {**for_bob, "user": bob}, request=request)
        assert "Latest from Alice" in card and "Thank you for the soup" in card and SECRET not in card

        for_alice = home_context(alice)
        assert for_alice["gratitude_latest"] is None and for_alice["gratitude_waiting"] == 1
        request.user = alice
        card = render_to_string("gratitude/_home_card.html", {**for_alice, "user": alice}, request=request)
        assert "One of your notes is waiting to arrive." in card and SECRET not in card

    def test_nothing_when_not_paired(self, theo):
        assert home_context(theo) == {"gratitude_card": False}

    def test_a_fixed_number_of_queries(self, bob, couple, alice, django_assert_max_num_queries):
        for i in range(15):
            services.note_send(couple=couple, author=alice, text=f"n{i}")
        with django_assert_max_num_queries(5):
            home_context(bob)


def test_demo_seed_is_idempotent(couple, alice, bob):
    from gratitude.demo import demo_seed

    demo_seed(couple=couple, alice=alice, bob=bob)
    demo_seed(couple=couple, alice=alice, bob=bob)
    assert Note.objects.filter(couple=couple).count() == 6
    assert Note.objects.filter(couple=couple, acknowledged_at__isnull=False).count() == 5
    assert home_context(bob)["gratitude_latest"] is not None
