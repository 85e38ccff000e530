"""The couple home page (home.views.home): what it costs, however long
the couple's history (issue #16)."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from backend.prepared import PreparedRows
from checkins import services as checkins
from checkins.models import Format
from couples import selectors
from therapists.demo import history_bulk_create

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_history(couple, a, b, days: int, *, open_now: bool = True) -> None:
    """``days`` days of every kind of history (ending an hour ago), and a
    check-in open now if ``open_now``."""
    history_bulk_create(couple=couple, a=a, b=b, end=NOW - dt.timedelta(hours=1), days=days)
    if open_now:
        fmt = Format.objects.get(key="daily-pulse", couple__isnull=True)
        checkins.checkin_start(couple=couple, user=a, format=fmt)


# session, user, the couple, then the cards: space 1, time-outs 1, the
# reassurance ritual 1, check-ins 2, the daily question 1, appreciation 2,
# agreements 2, therapists 1; unread notifications 1. The journal's card and
# the safety card make none. A new card adds its own.
QUERIES = 15


class TestHomeCost:
    @pytest.mark.parametrize("open_now", [True, False])
    def test_the_same_queries_for_10_days_as_for_300(
        self,
        alice,
        bob,
        couple,
        mallory,
        mike,
        mallory_couple,
        open_now,
        django_assert_max_num_queries,
        django_assert_num_queries,
    ):
        with_history(couple, alice, bob, 10, open_now=open_now)
        with_history(mallory_couple, mallory, mike, 300, open_now=open_now)
        short, long = web(alice), web(mallory)
        short.get("/"), long.get("/")  # sessions and caches warm

        with django_assert_num_queries(QUERIES):
            assert short.get("/").status_code == 200
        with django_assert_num_queries(QUERIES):
            page = long.get("/")

        assert page.status_code == 200
        if open_now:
            assert 'data-testid="home-open-checkin"' in page.content.decode()

    def test_the_couple_is_looked_up_once(self, alice, bob, couple, django_assert_max_num_queries):
        with_history(couple, alice, bob, 10)
        client = web(alice)
        client.get("/")

        with django_assert_max_num_queries(15) as queries:
            client.get("/")

        memberships = [q["sql"] for q in queries.captured_queries if '"couples_membership"' in q["sql"]]
        assert len(memberships) == 1


class TestCoupleKnown:
    def test_answers_for_that_member_and_couple_only(self, alice, bob, couple, mallory, mike, mallory_couple):
        found, partners = selectors.member_couple_and_partners(user=alice)
        assert found == couple and partners == [alice, bob]
        with selectors.couple_known(user=alice, couple=found, partners=partners):
            assert selectors.couple_for_user(user=alice) is found
            assert selectors.couple_partner_of(couple=found, user=alice) == bob
            # Anyone else is still looked up.
            assert selectors.couple_for_user(user=mallory) == mallory_couple
            assert selectors.couple_partners(couple=mallory_couple) == [mallory, mike]
        assert selectors.couple_for_user(user=alice) == couple

    def test_not_paired(self, theo):
        assert selectors.member_couple_and_partners(user=theo) == (None, [])


def _page(client) -> str:
    """The page as its reader sees it, without the form tokens (new on
    every request)."""
    html = client.get("/").content.decode()
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', html)


class TestPreparedCards:
    def test_the_same_page_as_the_orms(self, alice, bob, couple, mallory, mike, mallory_couple, monkeypatch):
        """The cards' prepared reads (backend.prepared.PreparedRows) give
        every member the page the ORM's own querysets give them, from the
        same statements in turns."""
        with_history(couple, alice, bob, 30)
        with_history(mallory_couple, mallory, mike, 12, open_now=False)
        clients = [web(u) for u in (alice, bob, mallory, mike)]
        fast = [_page(c) for c in clients]
        fast_again = [_page(c) for c in reversed(clients)][::-1]
        monkeypatch.setattr(PreparedRows, "rows", lambda self, **kwargs: list(self.build(**kwargs)))
        slow = [_page(c) for c in clients]
        assert fast == fast_again == slow
        assert 'data-testid="home-open-checkin"' in fast[0]
        assert 'data-testid="home-open-checkin"' not in fast[2]
