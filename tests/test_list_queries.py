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
    # auth (the token with its user), the couple, the count, the page
    QUERIES = 4

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
    QUERIES = 4  # auth, the couple, the count, the page

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
    QUERIES = 4  # auth, the count, the page, the unread count

    def test_queries_do_not_grow(self, as_alice, alice, bob):
        _notifications(bob, 30)  # someone else's are neither counted nor listed
        assert_constant(as_alice, "/api/v1/notifications/", lambda n: _notifications(alice, n), self.QUERIES)

    def test_rows_are_drfs(self, alice):
        from reminders import selectors
        from reminders.api import NotificationOutput

        _notifications(alice, 6)
        assert_rows_match(NotificationOutput(), selectors.notifications_for_user(user=alice))
