"""Page-number pagination (docs/API.md) with the count carried by the
page's own query (backend.pagination.CountingPaginator): the same pages,
counts, links and 404s as Django's paginator, one query fewer."""

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.pagination import TOTAL, CountingPaginator
from reminders.models import Notification

pytestmark = pytest.mark.django_db


def _notifications(user, n: int) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(user=user, kind="gratitude_received", title=f"A note {i}", created_at=now - dt.timedelta(hours=i))
        for i in range(n)
    )


def _mine(user):
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


class TestApi:
    def test_the_last_page_has_the_count_and_no_next(self, as_alice, alice, bob):
        _notifications(alice, 60)
        _notifications(bob, 5)  # not counted
        body = as_alice.get("/api/v1/notifications/?page=2").json()
        assert body["count"] == 60 and len(body["results"]) == 10
        assert body["next"] is None and body["previous"].endswith("/api/v1/notifications/")
        assert [r["title"] for r in body["results"]] == [f"A note {i}" for i in range(50, 60)]
        assert all(TOTAL not in row for row in body["results"])

    def test_an_empty_list_is_a_page_of_nothing(self, as_alice):
        body = as_alice.get("/api/v1/notifications/").json()
        assert body == {"count": 0, "next": None, "previous": None, "results": [], "unread_count": 0}

    @pytest.mark.parametrize("page", ["3", "4", "99999999999999999999999999"])
    def test_a_page_past_the_last_is_404(self, as_alice, alice, page):
        _notifications(alice, 60)
        response = as_alice.get(f"/api/v1/notifications/?page={page}")
        assert response.status_code == 404
        assert response.json()["detail"] == "Invalid page."


class TestPaginator:
    def test_one_query_for_a_page_and_its_count(self, alice):
        _notifications(alice, 12)
        with CaptureQueriesContext(connection) as queries:
            page = CountingPaginator(_mine(alice), 5).page(2)
            rows, count, has_next = list(page), page.paginator.count, page.has_next()
        assert len(queries) == 1
        assert count == 12 and has_next
        assert [r.pk for r in rows] == [r.pk for r in Paginator(_mine(alice), 5).page(2)]
        assert not hasattr(rows[0], TOTAL)

    def test_values_rows(self, alice):
        _notifications(alice, 7)
        page = CountingPaginator(_mine(alice).values("id", "title"), 5).page(2)
        assert page.paginator.count == 7 and [set(r) for r in page] == [{"id", "title"}] * 2

    @pytest.mark.parametrize(
        "rows",
        [
            # DISTINCT, a union or values_list rows (no place for the count):
            # Django's own count for these. (SQLite takes no ORDER BY inside
            # a union's parts.)
            lambda qs: qs.values("kind").distinct().order_by("kind"),
            lambda qs: qs.order_by().union(qs.order_by()).order_by("-created_at"),
            lambda qs: qs.values_list("id", flat=True),
        ],
    )
    def test_what_the_window_cannot_count_is_counted_apart(self, alice, rows):
        _notifications(alice, 7)
        qs = rows(_mine(alice))
        expected = Paginator(qs, 5)
        page = CountingPaginator(qs, 5).page(1)
        assert page.paginator.count == expected.count
        assert list(page) == list(expected.page(1))
