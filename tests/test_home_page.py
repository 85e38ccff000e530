"""The couple home page (home.views.home): what it costs, however long
the couple's history (issue #16)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

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


class TestHomeCost:
    # session, user, the couple, then the cards: space 1, time-outs 1,
    # reassurance 1, check-ins 2, the daily question 1, appreciation 2, agreements 2,
    # therapists 1; unread notifications 1.
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

        with django_assert_max_num_queries(15) as few:
            assert short.get("/").status_code == 200
        with django_assert_num_queries(len(few.captured_queries)):
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
