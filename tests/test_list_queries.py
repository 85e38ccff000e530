"""List endpoints (issue #16): the same number of queries for 10 rows as for
many, and a page's hand-written rows equal to DRF's field-by-field output of
the same serializer (backend.output), so the fast path cannot drift from
the schema."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.output import drf_representation

pytestmark = pytest.mark.django_db

FEW, MANY = 10, 200


def queries_for(client, path: str) -> tuple[int, dict]:
    client.get(path)  # a token's first use may refresh it: a write of its own
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return len(queries), response.json()


def assert_constant(client, path: str, add_rows, expected: int) -> None:
    """``expected`` queries with FEW rows, and again with MANY."""
    add_rows(FEW)
    few, body = queries_for(client, path)
    assert body["count"] == FEW
    add_rows(MANY - FEW)
    many, body = queries_for(client, path)
    assert body["count"] == MANY and len(body["results"]) == 50 and body["next"]
    assert (few, many) == (expected, expected)


def assert_rows_match(serializer, instances) -> None:
    instances = list(instances)
    assert instances
    for instance in instances:
        assert serializer.to_representation(instance) == drf_representation(serializer, instance)


# --- gratitude ------------------------------------------------------------------------------


def _notes(couple, author, recipient, n: int, *, ahead: bool = False) -> None:
    from gratitude.models import Note

    now = timezone.now()
    Note.objects.bulk_create(
        Note(
            couple=couple,
            author=author,
            recipient=recipient,
            text=f"Thanks {i}",
            created_at=now - dt.timedelta(hours=i + 1),
            deliver_at=now + dt.timedelta(days=1) if ahead else now - dt.timedelta(hours=i),
            acknowledged_at=now if i % 2 else None,
            reaction="hug" if i % 4 == 1 else "",
        )
        for i in range(n)
    )


class TestGratitude:
    # auth (the token with its user), the page (the count and the couple come with it)
    QUERIES = 2

    def test_received_box_queries_do_not_grow(self, as_bob, couple, alice, bob):
        assert_constant(as_bob, "/api/v1/gratitude/", lambda n: _notes(couple, alice, bob, n), self.QUERIES)

    def test_sent_box_queries_do_not_grow(self, as_alice, couple, alice, bob):
        assert_constant(
            as_alice, "/api/v1/gratitude/?box=sent", lambda n: _notes(couple, alice, bob, n, ahead=True), self.QUERIES
        )

    def test_rows_are_drfs(self, couple, alice, bob):
        from gratitude import selectors
        from gratitude.api import GratitudeNoteOutput
        from gratitude.models import Note

        _notes(couple, alice, bob, 6)
        _notes(couple, bob, alice, 2, ahead=True)
        erased = Note.objects.filter(author=alice).order_by("id")[:2].values("id")
        Note.objects.filter(pk__in=erased).update(recipient=None)  # as after the recipient's erasure
        now = timezone.now()
        for user, box in ((alice, "sent"), (bob, "sent"), (bob, "received")):
            serializer = GratitudeNoteOutput(context={"now": now, "user": user})
            assert_rows_match(serializer, selectors.notes_list_for_member(user=user, box=box, now=now))


# --- space ----------------------------------------------------------------------------------


def _periods(couple, alice, bob, n: int) -> None:
    from space.models import SpacePeriod, Status

    now = timezone.now()
    rows = []
    for i in range(n):
        start = now - dt.timedelta(days=i + 1)
        rows.append(
            SpacePeriod(
                couple=couple,
                author=alice if i % 2 else bob,
                started_at=start,
                first_reconnect_by=start + dt.timedelta(hours=2),
                reconnect_by=start + dt.timedelta(hours=2 + i % 3),
                note=f"walk {i}" if i % 3 else "",
                status=Status.KEPT if i % 2 else Status.MISSED,
                reconnected_at=start + dt.timedelta(hours=1) if i % 2 else None,
                closed_at=start + dt.timedelta(hours=1),
            )
        )
    SpacePeriod.objects.bulk_create(rows)


class TestSpace:
    QUERIES = 2  # auth, the page (the count and the couple come with it)

    def test_queries_do_not_grow(self, as_alice, couple, alice, bob):
        assert_constant(as_alice, "/api/v1/space/", lambda n: _periods(couple, alice, bob, n), self.QUERIES)

    def test_rows_are_drfs(self, couple, alice, bob):
        from space import selectors
        from space.api import SpaceOutput

        _periods(couple, alice, bob, 6)
        assert_rows_match(SpaceOutput(context={"user": alice}), selectors.space_list_for_member(user=alice))


# --- notifications ----------------------------------------------------------------------------


def _notifications(user, n: int) -> None:
    from reminders.models import Notification

    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind="gratitude_received",
            title=f"A note {i}",
            url="/gratitude/" if i % 2 else "",
            created_at=now - dt.timedelta(hours=i),
            read_at=now if i % 3 else None,
        )
        for i in range(n)
    )


class TestNotifications:
    QUERIES = 2  # auth, the page (the count and the unread count come with it)

    def test_queries_do_not_grow(self, as_alice, alice, bob):
        _notifications(bob, 30)  # someone else's are neither counted nor listed
        assert_constant(as_alice, "/api/v1/notifications/", lambda n: _notifications(alice, n), self.QUERIES)

    def test_rows_are_drfs(self, alice):
        from reminders import selectors
        from reminders.api import NotificationOutput

        _notifications(alice, 6)
        assert_rows_match(NotificationOutput(), selectors.notifications_for_user(user=alice))


# --- journal --------------------------------------------------------------------------------


@pytest.fixture
def _keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK_DEV_FALLBACK = True  # a key of its own in tmp_path


def _entries(author, n: int, *, share_with=None) -> None:
    from journal import services

    for i in range(n):
        if i % 3:
            entry = services.entry_create(author=author, kind="entry", text=f"Day {i}", mood=i % 5 + 1, tags=["us"])
        else:
            entry = services.entry_create(
                author=author,
                kind="trigger",
                text=f"Moment {i}",
                trigger_category="no_reply",
                intensity_before=7,
                intensity_after=4 if i % 2 else None,
                story="I'm too much.",
                need="To know we're okay.",
                can_do="",
            )
        if share_with is not None or i % 4 == 0:
            services.entry_share(entry=entry, author=author)


class TestJournal:
    # auth, the page (the count comes with it; shares joined in, and the
    # author's wrapped key from the database key store: it was a query of its
    # own, issue #24, until the page's statement read it along)
    QUERIES = 2

    def test_my_entries_queries_do_not_grow(self, _keystore, as_alice, couple, alice):
        assert_constant(as_alice, "/api/v1/journal/", lambda n: _entries(alice, n), self.QUERIES)

    def test_shared_with_me_queries_do_not_grow(self, _keystore, as_bob, couple, alice, bob):
        assert_constant(as_bob, "/api/v1/journal/shared/", lambda n: _entries(alice, n, share_with=bob), self.QUERIES)

    def test_rows_are_drfs(self, _keystore, couple, alice, bob):
        from journal import crypto, selectors
        from journal.api import JournalMyEntryOutput, JournalSharedEntryOutput

        _entries(alice, 8)
        _entries(bob, 3, share_with=alice)
        crypto.key_destroy(bob.pk)  # bob's shared entries now read as unreadable
        mine = selectors.entries_unseal(selectors.entries_list_for_author(user=alice))
        assert_rows_match(JournalMyEntryOutput(), mine)
        shared = selectors.entries_unseal(selectors.entries_shared_with_list(user=alice))
        assert_rows_match(JournalSharedEntryOutput(), shared)
        assert not any(e.plain.readable for e in shared)
        # The couple ends: every share ends with it.
        type(couple).objects.filter(pk=couple.pk).update(ended_at=timezone.now())
        mine = selectors.entries_unseal(selectors.entries_list_for_author(user=alice))
        assert_rows_match(JournalMyEntryOutput(), mine)
        assert not any(JournalMyEntryOutput().to_representation(e)["shared"] for e in mine)

    def test_the_key_read_with_the_page_opens_what_cipher_for_opens(
        self, _keystore, settings, as_bob, couple, alice, bob
    ):
        """The lists read the author's wrapped key in the page's statement;
        it opens the same text as ``crypto.cipher_for`` (the file store,
        which the statement cannot read, still goes through it), and a
        destroyed key reads as unreadable at once, in the very next page."""
        from journal import crypto

        _entries(alice, 4, share_with=bob)
        body = as_bob.get("/api/v1/journal/shared/").json()
        assert body["count"] == 4 and all(row["readable"] and row["text"] for row in body["results"])
        settings.STEADY_KEYSTORE = "files"  # no key of alice's there: unreadable, through cipher_for
        assert not any(row["readable"] for row in as_bob.get("/api/v1/journal/shared/").json()["results"])
        settings.STEADY_KEYSTORE = "database"
        crypto.key_destroy(alice.pk)
        body = as_bob.get("/api/v1/journal/shared/").json()
        assert body["count"] == 4 and not any(row["readable"] or row["text"] for row in body["results"])


# --- agreements -----------------------------------------------------------------------------


class TestAgreements:
    QUERIES = 2  # auth, the page (the count and the couple come with it; current version joined in)

    def test_queries_do_not_grow(self, as_alice, couple, alice, bob):
        from agreements import services

        def add(n):
            for i in range(n):
                services.agreement_propose(
                    couple=couple, user=alice if i % 2 else bob, title=f"Phones away {i}", category="communication"
                )

        assert_constant(as_alice, "/api/v1/agreements/", add, self.QUERIES)

    def test_rows_are_drfs(self, couple, alice, bob):
        from agreements import selectors, services
        from agreements.api import AgreementOutput

        def propose(by, title, **kwargs):
            return services.agreement_propose(couple=couple, user=by, title=title, category="communication", **kwargs)

        propose(alice, "Proposed by me")
        propose(bob, "Proposed to me", details="Weekdays.", review_every_days=7)
        active = propose(bob, "Active", review_every_days=14)
        services.agreement_accept(agreement=active, user=alice, version=active.version)
        declined = propose(alice, "Declined")
        services.agreement_decline(agreement=declined, user=bob, reason="Not now.", version=declined.version)
        retired = propose(alice, "Retired")
        services.agreement_accept(agreement=retired, user=bob, version=retired.version)
        services.agreement_retire(
            agreement=selectors.agreement_get_for_member(user=alice, agreement_id=retired.pk),
            user=alice,
            reason="Done.",
        )
        rows = list(selectors.agreements_for_couple(couple=couple))
        assert {a.status for a in rows} == {"proposed", "active", "declined", "retired"}
        for user in (alice, bob):
            assert_rows_match(AgreementOutput(context={"user": user, "now": timezone.now()}), rows)


# --- the couple by subquery (couples.api.MemberListMixin) --------------------------------------

COUPLE_LISTS = ["/api/v1/checkins/", "/api/v1/gratitude/", "/api/v1/gratitude/?box=sent", "/api/v1/space/"]
COUPLE_LISTS += ["/api/v1/agreements/"]


class TestCoupleLists:
    """The lists of the couple's rows read the couple in the page's own
    query; "not paired" is still the 404 it was, before any error of the
    page, and a couple with nothing yet still gets an empty page."""

    @pytest.mark.parametrize("path", COUPLE_LISTS)
    def test_nothing_yet_is_an_empty_page(self, as_alice, couple, path):
        body = as_alice.get(path).json()
        assert (body["count"], body["results"], body["next"]) == (0, [], None)

    @pytest.mark.parametrize("path", COUPLE_LISTS)
    @pytest.mark.parametrize("page", ["", "page=2", "page=abc", "page_size=0"])
    def test_not_paired_or_left_is_the_same_404_first(self, as_alice, couple, alice, bob, theo, path, page):
        from tests.conftest import client_for

        _notes(couple, bob, alice, 3)
        _periods(couple, alice, bob, 3)
        url = path + ("&" if "?" in path else "?") + page if page else path
        assert client_for(theo).get(url).json() == {"detail": "Not found."}
        couple.memberships.filter(user=alice).update(left_at=timezone.now())
        response = as_alice.get(url)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
