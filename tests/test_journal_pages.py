"""The journal web pages, through Django's test client: writing, the
guided trigger log, grounding, sharing and taking back, patterns, the
crisis page, the home card, and who may see what (only the author)."""

import base64
import datetime as dt
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client

from journal import services
from journal.models import Entry, Share
from journal.views import after_words, home_context

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 18, 30, tzinfo=dt.UTC)  # 19:30 in Berlin
TEST_KEK = base64.urlsafe_b64encode(b"k" * 32).decode()

TRIGGER_FORM = {
    "text": "No reply since lunch",
    "trigger_category": "no_reply",
    "intensity_before": "8",
    "story": "He is tired of me",
    "need": "To know we are okay",
    "can_do": "Make tea",
    "then": "breathe",
}


@pytest.fixture(autouse=True)
def _keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False


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


@pytest.fixture
def web_alice(alice):
    return web(alice)


@pytest.fixture
def web_bob(bob):
    return web(bob)


@pytest.fixture
def alice_trigger(alice):
    return services.entry_create(
        author=alice,
        kind="trigger",
        text="ALICE-SECRET what happened",
        trigger_category="no_reply",
        intensity_before=8,
        story="ALICE-SECRET story",
    )


@pytest.fixture
def alice_entry(alice):
    return services.entry_create(author=alice, kind="entry", text="ALICE-DIARY a calm day", mood=4, tags=["us"])


class TestWriting:
    def test_the_journal_starts_empty_with_ways_in(self, web_alice, couple):
        page = html(web_alice.get("/journal/"))

        assert "<h1>Your journal</h1>" in page
        assert "Nothing here yet" in page
        for url in [
            "/journal/write/",
            "/journal/trigger/",
            "/journal/breathe/",
            "/journal/patterns/",
            "/journal/shared/",
            "/journal/help/",
        ]:
            assert f'href="{url}"' in page
        assert "share a single entry with Bob" in page

    def test_write_an_entry(self, web_alice, alice):
        response = web_alice.post(
            "/journal/write/", {"text": "A calm day.\r\nWe laughed.", "mood": "4", "tags": "dinner, us, "}
        )

        entry = Entry.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/journal/{entry.pk}/"
        page = html(web_alice.get(response["Location"]))
        assert "A calm day.<br>We laughed." in page
        assert "Mood:</span> Good" in page
        assert ">dinner</li>" in page and ">us</li>" in page
        assert "Saved. Only you can read it." in page
        assert "Wednesday 4 March, 19:30" in page  # in Alice's own timezone

    def test_an_empty_entry_is_explained(self, web_alice):
        response = web_alice.post("/journal/write/", {"text": "   ", "mood": "9"})

        page = html(response)
        assert response.status_code == 200
        assert 'role="alert"' in page
        assert "Write a few words." in page
        assert "Choose one of the moods shown." in page
        assert not Entry.objects.exists()

    def test_too_many_tags_are_explained(self, web_alice):
        response = web_alice.post("/journal/write/", {"text": "x", "tags": ",".join(f"t{i}" for i in range(11))})

        assert "Use 10 tags at most." in html(response)
        assert not Entry.objects.exists()

    def test_the_trigger_log_then_grounding_then_the_drop(self, web_alice, alice):
        form = html(web_alice.get("/journal/trigger/"))
        for label in [
            "What happened?",
            "What kind of moment was it?",
            "How strong is the feeling right now?",
            "The story I&#x27;m telling myself",
            "What I need",
            "What I can do now",
        ]:
            assert label in form
        for words in [
            "No reply from my partner",
            "My partner needs space",
            "My partner enjoying time with others",
            "No appreciation shown",
            "Plans changed",
            "A conflict",
            "Something else",
        ]:
            assert words in form

        response = web_alice.post("/journal/trigger/", TRIGGER_FORM)

        entry = Entry.objects.get()
        assert response["Location"] == f"/journal/{entry.pk}/breathe/"
        ground = html(web_alice.get(response["Location"]))
        assert "Breathe for a moment" in ground
        assert "data-breather" in ground
        assert "Before, you said 8." in ground
        assert "prefers-reduced-motion" not in ground  # lives in the CSS

        done = web_alice.post(f"/journal/{entry.pk}/breathe/", {"intensity_after": "5"})

        assert done["Location"] == f"/journal/{entry.pk}/"
        entry.refresh_from_db()
        assert (entry.intensity_before, entry.intensity_after, entry.grounded_at) == (8, 5, NOW)
        page = html(web_alice.get(done["Location"]))
        assert "Saved. It went from 8 to 5." in page
        assert "8 out of 10, then 5 after breathing" in page

    def test_just_save_skips_the_exercise(self, web_alice):
        response = web_alice.post("/journal/trigger/", {**TRIGGER_FORM, "then": "save"})

        entry = Entry.objects.get()
        assert response["Location"] == f"/journal/{entry.pk}/"
        assert "Breathe now" in html(web_alice.get(response["Location"]))

    def test_a_trigger_log_missing_its_essentials_is_explained(self, web_alice):
        response = web_alice.post(
            "/journal/trigger/", {"text": "", "trigger_category": "jealousy", "intensity_before": "11"}
        )

        page = html(response)
        assert "Say in a few words what happened." in page
        assert "Choose one of the kinds shown." in page
        assert "Choose a number from 0 to 10." in page
        assert page.count('role="alert"') >= 3
        assert 'aria-invalid="true"' in page
        assert not Entry.objects.exists()

    def test_grounding_needs_a_number_and_keeps_what_was_saved(self, web_alice, alice_trigger):
        response = web_alice.post(f"/journal/{alice_trigger.pk}/breathe/", {"intensity_after": "eleven"})

        assert response.status_code == 200
        assert "Choose a number from 0 to 10." in html(response)
        alice_trigger.refresh_from_db()
        assert alice_trigger.intensity_after is None

    def test_edit_a_trigger_log(self, web_alice, alice_trigger):
        form = html(web_alice.get(f"/journal/{alice_trigger.pk}/edit/"))
        assert "ALICE-SECRET what happened</textarea>" in form

        response = web_alice.post(
            f"/journal/{alice_trigger.pk}/edit/",
            {
                "text": "Changed",
                "trigger_category": "conflict",
                "intensity_before": "6",
                "intensity_after": "",
                "story": "",
            },
        )

        assert response.status_code == 302
        page = html(web_alice.get(response["Location"]))
        assert "Changed" in page and "A conflict" in page and "ALICE-SECRET story" not in page

    def test_delete_asks_first(self, web_alice, alice_entry):
        assert "Delete this entry?" in html(web_alice.get(f"/journal/{alice_entry.pk}/delete/"))
        assert Entry.objects.exists()

        response = web_alice.post(f"/journal/{alice_entry.pk}/delete/")

        assert response["Location"] == "/journal/"
        assert not Entry.objects.exists()

    def test_after_words_never_judge(self):
        assert after_words(8, 5) == "Saved. It went from 8 to 5."
        assert "that's okay" in after_words(6, 6)
        assert "help page" in after_words(4, 7)

    def test_the_list_is_paged_and_its_queries_do_not_grow(self, web_alice, alice, django_assert_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for n in (3, 25):
            Entry.objects.all().delete()
            for i in range(n):
                services.entry_create(author=alice, kind="entry", text=f"entry {i}")
            with CaptureQueriesContext(connection) as ctx:
                page = html(web_alice.get("/journal/"))
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]
        assert page.count('data-testid="journal-entry"') == 10
        assert "Page 1 of 3" in page
        assert "entry 24" in page and "entry 14" not in page


class TestPrivacy:
    PAGES = [
        "/journal/{id}/",
        "/journal/{id}/edit/",
        "/journal/{id}/breathe/",
        "/journal/{id}/share/",
        "/journal/{id}/delete/",
    ]
    POSTS = [
        "/journal/{id}/edit/",
        "/journal/{id}/breathe/",
        "/journal/{id}/share/",
        "/journal/{id}/unshare/",
        "/journal/{id}/delete/",
    ]

    @pytest.mark.parametrize("path", PAGES)
    @pytest.mark.parametrize("who", ["bob", "mallory", "theo"])
    def test_nobody_but_the_author_finds_an_entry_page(self, request, couple, mallory_couple, alice_trigger, path, who):
        response = web(request.getfixturevalue(who)).get(path.format(id=alice_trigger.pk))

        assert response.status_code == 404
        assert b"ALICE-SECRET" not in response.content

    @pytest.mark.parametrize("path", POSTS)
    @pytest.mark.parametrize("who", ["bob", "mallory", "theo"])
    def test_nobody_but_the_author_can_change_it(self, request, couple, mallory_couple, alice_trigger, path, who):
        response = web(request.getfixturevalue(who)).post(
            path.format(id=alice_trigger.pk),
            {"intensity_after": "0", "text": "x", "trigger_category": "other", "intensity_before": "0"},
        )

        assert response.status_code == 404
        alice_trigger.refresh_from_db()
        assert (alice_trigger.intensity_after, alice_trigger.trigger_category) == (None, "no_reply")
        assert not Share.objects.exists()

    def test_the_partner_sees_nothing_of_her_journal_on_any_page(self, couple, web_bob, alice_trigger, alice_entry):
        pages = [web_bob.get(p) for p in ["/", "/journal/", "/journal/shared/", "/journal/patterns/"]]

        assert all(p.status_code == 200 for p in pages)
        everything = b"".join(p.content for p in pages)
        assert b"ALICE-SECRET" not in everything
        assert b"ALICE-DIARY" not in everything
        assert b"No reply from my partner" not in everything
        assert "Nothing is shared with you right now." in html(pages[2])

    def test_anonymous_is_sent_to_sign_in(self, alice_entry):
        for path in [
            "/journal/",
            "/journal/write/",
            "/journal/patterns/",
            "/journal/shared/",
            f"/journal/{alice_entry.pk}/",
        ]:
            response = web().get(path)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")

    def test_a_therapist_has_no_journal_pages(self, theo):
        for path in ["/journal/", "/journal/write/", "/journal/trigger/", "/journal/patterns/", "/journal/shared/"]:
            assert web(theo).get(path).status_code == 403

    def test_forms_need_the_csrf_token(self, alice, alice_entry):
        client = web(alice, csrf=True)
        assert client.post("/journal/write/", {"text": "x"}).status_code == 403
        assert client.post(f"/journal/{alice_entry.pk}/delete/").status_code == 403
        assert Entry.objects.count() == 1


class TestSharing:
    def test_share_then_take_back(self, couple, web_alice, web_bob, alice_entry, alice_trigger):
        confirm = html(web_alice.get(f"/journal/{alice_entry.pk}/share/"))
        assert "Share this entry with Bob?" in confirm
        assert "Bob isn't notified" in confirm
        assert "ALICE-DIARY a calm day" in confirm  # the preview of exactly what is shared

        done = web_alice.post(f"/journal/{alice_entry.pk}/share/")

        assert done["Location"] == f"/journal/{alice_entry.pk}/"
        page = html(web_alice.get(done["Location"]))
        assert "You and Bob. You shared it on 4 March, 19:30." in page
        assert "Stop sharing" in page
        shared = html(web_bob.get("/journal/shared/"))
        assert "ALICE-DIARY a calm day" in shared
        assert "ALICE-SECRET" not in shared
        assert shared.count('data-testid="shared-entry"') == 1
        assert "ALICE-DIARY" not in html(web_bob.get("/journal/"))
        assert web_bob.get(f"/journal/{alice_entry.pk}/").status_code == 404

        web_alice.post(f"/journal/{alice_entry.pk}/unshare/")

        assert "ALICE-DIARY" not in html(web_bob.get("/journal/shared/"))
        assert "Only you." in html(web_alice.get(f"/journal/{alice_entry.pk}/"))

    def test_not_paired_no_share_button(self, mallory):
        entry = services.entry_create(author=mallory, kind="entry", text="mine")
        client = web(mallory)

        assert 'data-testid="share"' not in html(client.get(f"/journal/{entry.pk}/"))
        assert "No one to share with" in html(client.get(f"/journal/{entry.pk}/share/"))
        client.post(f"/journal/{entry.pk}/share/")
        assert not Share.objects.exists()

    def test_unreadable_entries_say_so_and_can_only_be_deleted(self, couple, web_alice, alice, alice_trigger):
        services.journal_key_destroy(user=alice)

        page = html(web_alice.get(f"/journal/{alice_trigger.pk}/"))
        listing = web_alice.get("/journal/")

        assert "This entry can no longer be read" in page
        assert 'data-testid="share"' not in page
        assert f'href="/journal/{alice_trigger.pk}/edit/"' not in page
        assert listing.status_code == 200
        assert "This entry can no longer be read." in html(listing)
        assert web_alice.get(f"/journal/{alice_trigger.pk}/edit/").status_code == 302


class TestPatternsAndHelp:
    def test_patterns_empty(self, web_alice):
        page = html(web_alice.get("/journal/patterns/"))
        assert "Nothing to show yet" in page

    def test_patterns_with_charts_and_words(self, web_alice, alice):
        for i, (cat, before, after) in enumerate([("no_reply", 8, 4), ("no_reply", 6, 3), ("conflict", 7, None)]):
            services.entry_create(
                author=alice,
                kind="trigger",
                text="PATTERN-SECRET",
                trigger_category=cat,
                intensity_before=before,
                intensity_after=after,
                now=NOW - dt.timedelta(days=3 * i),
            )

        page = html(web_alice.get("/journal/patterns/"))

        assert "3 logged in 12 weeks." in page
        assert page.count('data-testid="category-row"') == 2
        assert re.search(r"No reply from my partner</span>\s*<span class=\"cat-count\">2<", page)
        assert (
            "The 2 times you did the breathing exercise, the feeling went from 7 on average to 3.5 (out of 10)." in page
        )
        assert page.count("<svg") >= 4
        assert "PATTERN-SECRET" not in page

    def test_patterns_page_queries_do_not_grow(self, web_alice, alice):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for n in (2, 30):
            Entry.objects.all().delete()
            for i in range(n):
                services.entry_create(
                    author=alice,
                    kind="trigger",
                    text="t",
                    trigger_category="other",
                    intensity_before=5,
                    intensity_after=2,
                    now=NOW - dt.timedelta(hours=20 * i),
                )
            with CaptureQueriesContext(connection) as ctx:
                web_alice.get("/journal/patterns/")
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]

    def test_the_help_page_is_open_to_everyone_and_makes_no_clinical_claims(self, alice):
        for client in (web(), web(alice)):
            page = html(client.get("/journal/help/"))
            assert "Call your local emergency number now." in page
            assert 'href="https://findahelpline.com/"' in page
            lowered = page.split("<main", 1)[1].split("</main>")[0].lower()
            for word in [
                "diagnos",
                "disorder",
                "anxious attachment",
                "avoidant",
                "attachment style",
                "symptom",
                "cure",
            ]:
                assert word not in lowered

    def test_help_is_reachable_from_the_journal_the_trigger_log_and_grounding(self, web_alice, alice_trigger):
        for path in ["/journal/", "/journal/trigger/", "/journal/breathe/", f"/journal/{alice_trigger.pk}/breathe/"]:
            assert 'href="/journal/help/"' in html(web_alice.get(path))

    def test_the_standalone_breathing_page(self, web_alice):
        page = html(web_alice.get("/journal/breathe/"))
        assert 'data-seconds="120"' in page and 'data-in="4"' in page and 'data-out="6"' in page
        assert "<form" not in page.split("<main", 1)[1].split("</main>")[0].replace(
            '<form method="post" action="/accounts/logout/"', ""
        )


class TestHomeCard:
    def render(self, user):
        return render_to_string("journal/_home_card.html", {**home_context(user), "user": user})

    def test_the_card_is_the_same_whatever_anyone_wrote_or_shared(self, couple, alice, bob, django_assert_num_queries):
        with django_assert_num_queries(0):
            before_bob, before_alice = self.render(bob), self.render(alice)

        entry = services.entry_create(
            author=alice, kind="trigger", text="x", trigger_category="no_reply", intensity_before=9
        )
        services.entry_share(entry=entry, author=alice)
        services.entry_create(author=bob, kind="entry", text="his")

        assert self.render(bob) == before_bob
        assert self.render(alice) == before_alice
        assert 'href="/journal/"' in before_bob
        assert not re.search(r"\d", re.sub(r"<[^>]+>", "", before_bob))  # no counts, no dates

    def test_no_card_for_a_therapist_or_anonymous(self, theo):
        from django.contrib.auth.models import AnonymousUser

        assert home_context(theo) == {"journal_card": False}
        assert home_context(AnonymousUser()) == {"journal_card": False}
