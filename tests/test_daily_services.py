"""The daily question's rules (issue #22), on the services: one question
per couple per local day over a simulated year, no repeat within 365 days,
the union of both partners' skipped themes, DST days, and reveal together
as check-ins do."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.http import Http404

from accounts.services import account_delete
from backend.errors import Conflict, Invalid
from couples.services import couple_leave
from daily import library, services
from daily.models import DailyAnswer, DailyPreference, DailyQuestion
from daily.selectors import answers_for, daily_export

from .factories import PASSWORD, make_couple

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


class TestPick:
    def test_the_same_day_the_same_question_for_the_same_couple(self):
        day = dt.date(2026, 3, 2)
        one = services.question_pick(couple_id=7, day=day, skip=[], last_asked={})
        assert one == services.question_pick(couple_id=7, day=day, skip=[], last_asked={})
        # Another couple walks the library in another order.
        others = {services.question_pick(couple_id=c, day=day, skip=[], last_asked={}).index for c in range(8, 20)}
        assert len(others) > 1

    def test_skipped_themes_are_avoided(self):
        skip = {"fun", "depth", "memories"}
        for couple_id in range(30):
            q = services.question_pick(couple_id=couple_id, day=dt.date(2026, 1, 1), skip=skip, last_asked={})
            assert q.theme not in skip

    def test_a_question_already_asked_waits_behind_every_one_not_asked(self):
        day = dt.date(2027, 1, 1)
        first = services.question_pick(couple_id=1, day=day, skip=[], last_asked={})
        for ago in (1, 364, 365, 900):
            asked = {first.index: day - dt.timedelta(days=ago)}
            assert services.question_pick(couple_id=1, day=day, skip=[], last_asked=asked) != first
        # Once every question was asked, the one asked longest ago comes back.
        everything = {q.index: day - dt.timedelta(days=10) for q in library.questions()}
        everything[first.index] = day - dt.timedelta(days=400)
        assert services.question_pick(couple_id=1, day=day, skip=[], last_asked=everything) == first

    def test_when_the_pool_is_used_up_the_least_recently_asked_comes_back(self):
        day = dt.date(2027, 1, 1)
        pool = [q for q in library.questions() if q.theme == "fun"]
        skip = set(library.themes()) - {"fun"}
        asked = {q.index: day - dt.timedelta(days=1 + i) for i, q in enumerate(pool)}
        oldest = pool[-1]
        assert services.question_pick(couple_id=1, day=day, skip=skip, last_asked=asked) == oldest

    def test_skipping_every_theme_together_still_gives_a_question(self):
        q = services.question_pick(couple_id=1, day=dt.date(2026, 1, 1), skip=set(library.themes()), last_asked={})
        assert q in library.questions()


class TestOneAYear:
    def test_one_question_a_local_day_over_a_year_never_repeated(self, alice, bob, couple):
        # Berlin: the year crosses both DST changes (29 March, 25 October).
        start = utc(2026, 1, 1, 12)
        seen = set()
        for n in range(366):
            now = start + dt.timedelta(days=n)
            with time_machine.travel(now, tick=False):
                q = services.daily_question_for(couple=couple)
                assert services.daily_question_for(couple=couple) == q  # asked twice, one row
            assert q.date == (start + dt.timedelta(days=n)).date()
            seen.add(q.question_index)
        assert DailyQuestion.objects.filter(couple=couple).count() == 366
        # 366 days, none repeated: the library has more than that.
        assert len(seen) == 366

    def test_with_a_small_pool_the_least_recently_asked_returns(self, alice, bob, couple):
        skip = sorted(set(library.themes()) - {"fun"})
        services.daily_preferences_update(user=alice, data={"skip_themes": skip})
        pool = [q.index for q in library.questions() if q.theme == "fun"]
        start = utc(2026, 1, 1, 12)
        asked = []
        for n in range(len(pool) + 3):
            with time_machine.travel(start + dt.timedelta(days=n), tick=False):
                asked.append(services.daily_question_for(couple=couple).question_index)
        assert sorted(asked[: len(pool)]) == sorted(pool)  # each once first
        assert asked[len(pool) :] == asked[:3]  # then the oldest first, in order

    def test_the_couples_questions_avoid_the_union_of_both_skips(self, alice, bob, couple):
        services.daily_preferences_update(user=alice, data={"skip_themes": ["fun", "depth"]})
        services.daily_preferences_update(user=bob, data={"skip_themes": ["memories"]})
        start = utc(2026, 5, 1, 12)
        for n in range(60):
            with time_machine.travel(start + dt.timedelta(days=n), tick=False):
                assert services.daily_question_for(couple=couple).theme not in {"fun", "depth", "memories"}

    def test_a_former_partners_skip_no_longer_counts(self, alice, bob, couple, mallory):
        services.daily_preferences_update(user=bob, data={"skip_themes": ["fun"]})
        couple_leave(user=bob, password=PASSWORD)
        assert services.couple_skip_themes(couple_id=couple.pk) == set()

    def test_two_couples_get_their_own_rows(self, couple, mallory_couple):
        with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
            mine, theirs = (
                services.daily_question_for(couple=couple),
                services.daily_question_for(couple=mallory_couple),
            )
        assert mine.pk != theirs.pk and mine.couple == couple and theirs.couple == mallory_couple


class TestLocalDay:
    def test_the_day_is_the_couples_not_utcs(self, alice, bob):
        couple = make_couple(alice, bob, tz="Pacific/Auckland")
        # 11:30 UTC on 2 March is already 3 March, 00:30, in Auckland.
        with time_machine.travel(utc(2026, 3, 2, 11, 30), tick=False):
            assert services.daily_question_for(couple=couple).date == dt.date(2026, 3, 3)

    @pytest.mark.parametrize(
        ("before", "after", "day_before", "day_after"),
        [
            # Berlin springs forward on 29 March 2026: that local day has 23 hours.
            (utc(2026, 3, 28, 22, 59), utc(2026, 3, 28, 23, 0), dt.date(2026, 3, 28), dt.date(2026, 3, 29)),
            (utc(2026, 3, 29, 21, 59), utc(2026, 3, 29, 22, 0), dt.date(2026, 3, 29), dt.date(2026, 3, 30)),
            # And falls back on 25 October: 25 hours; midnight is 22:00 UTC the day before.
            (utc(2026, 10, 24, 21, 59), utc(2026, 10, 24, 22, 0), dt.date(2026, 10, 24), dt.date(2026, 10, 25)),
            (utc(2026, 10, 25, 22, 59), utc(2026, 10, 25, 23, 0), dt.date(2026, 10, 25), dt.date(2026, 10, 26)),
        ],
    )
    def test_a_new_question_at_local_midnight_on_dst_days(self, couple, before, after, day_before, day_after):
        assert couple.timezone == "Europe/Berlin"
        with time_machine.travel(before, tick=False):
            first = services.daily_question_for(couple=couple)
        with time_machine.travel(after, tick=False):
            second = services.daily_question_for(couple=couple)
        assert (first.date, second.date) == (day_before, day_after)
        assert first.pk != second.pk


@pytest.fixture
def today(couple):
    with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
        yield services.daily_question_for(couple=couple)


class TestRevealTogether:
    def test_hidden_until_both_answered_then_both_shown(self, alice, bob, today):
        q = services.daily_answer_submit(user=alice, question_id=today.pk, text="SECRET-ALICE")
        assert q.revealed_at is None
        q = DailyQuestion.objects.get(pk=today.pk)
        assert answers_for(question=q, user=alice) == ("SECRET-ALICE", None)
        assert answers_for(question=q, user=bob) == (None, None)  # no trace of alice's answer

        q = services.daily_answer_submit(user=bob, question_id=today.pk, text="SECRET-BOB")
        assert q.revealed_at is not None
        q = DailyQuestion.objects.get(pk=today.pk)
        assert answers_for(question=q, user=alice) == ("SECRET-ALICE", "SECRET-BOB")
        assert answers_for(question=q, user=bob) == ("SECRET-BOB", "SECRET-ALICE")

    def test_an_answer_changes_until_the_reveal_then_is_final(self, alice, bob, today):
        services.daily_answer_submit(user=alice, question_id=today.pk, text="first")
        services.daily_answer_submit(user=alice, question_id=today.pk, text="second")
        assert DailyAnswer.objects.get(author=alice).text == "second"
        services.daily_answer_submit(user=bob, question_id=today.pk, text="mine")
        for who in (alice, bob):
            with pytest.raises(Conflict):
                services.daily_answer_submit(user=who, question_id=today.pk, text="changed")
        assert sorted(DailyAnswer.objects.values_list("text", flat=True)) == ["mine", "second"]

    def test_one_answer_is_never_a_reveal(self, alice, today):
        services.daily_answer_submit(user=alice, question_id=today.pk, text="a")
        services.daily_answer_submit(user=alice, question_id=today.pk, text="b")
        assert DailyQuestion.objects.get(pk=today.pk).revealed_at is None

    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_cannot_answer(self, request, today, who):
        with pytest.raises(Http404):
            services.daily_answer_submit(user=request.getfixturevalue(who), question_id=today.pk, text="x")
        assert not DailyAnswer.objects.exists()

    @pytest.mark.parametrize("text", ["", "   ", None, 5, "x" * 1001])
    def test_bad_answers_are_refused_with_the_field(self, alice, today, text):
        with pytest.raises(Invalid) as caught:
            services.daily_answer_submit(user=alice, question_id=today.pk, text=text)
        assert caught.value.field == "text"


class TestLeavingAndErasure:
    def test_leaving_closes_an_unrevealed_question_silently(self, alice, bob, couple, today):
        services.daily_answer_submit(user=alice, question_id=today.pk, text="mine alone")
        couple_leave(user=bob, password=PASSWORD)
        q = DailyQuestion.objects.get(pk=today.pk)
        assert q.closed_at is not None and q.revealed_at is None
        # Nobody can answer it any more, and it is never revealed.
        with pytest.raises(Http404):
            services.daily_answer_submit(user=bob, question_id=today.pk, text="late")
        assert services.daily_question_reveal(question=q, now=q.closed_at) is False
        # Each keeps their own answer in their export; the other's stays theirs.
        assert [a["text"] for a in daily_export(user=alice)["my_answers"]] == ["mine alone"]
        assert daily_export(user=bob)["partner_answers_revealed_to_me"] == []

    def test_a_revealed_question_stays_revealed_after_leaving(self, alice, bob, couple, today):
        services.daily_answer_submit(user=alice, question_id=today.pk, text="A")
        services.daily_answer_submit(user=bob, question_id=today.pk, text="B")
        couple_leave(user=alice, password=PASSWORD)
        assert DailyQuestion.objects.get(pk=today.pk).closed_at is None
        assert [a["text"] for a in daily_export(user=alice)["partner_answers_revealed_to_me"]] == ["B"]

    def test_in_the_export_through_the_api(self, alice, bob, couple, today):
        from .conftest import client_for

        services.daily_answer_submit(user=alice, question_id=today.pk, text="ALICE-OWN")
        services.daily_answer_submit(user=bob, question_id=today.pk, text="BOB-REVEALED")
        services.daily_preferences_update(user=alice, data={"skip_themes": ["fun"]})
        exported = client_for(alice).get("/api/v1/me/export/").json()["daily_question"]
        assert [a["text"] for a in exported["my_answers"]] == ["ALICE-OWN"]
        assert [a["text"] for a in exported["partner_answers_revealed_to_me"]] == ["BOB-REVEALED"]
        assert exported["preferences"] == {"skip_themes": ["fun"], "reminder_time": None}

    def test_erasure_takes_the_persons_answers_and_preferences_only(self, alice, bob, couple, today):
        services.daily_answer_submit(user=alice, question_id=today.pk, text="A")
        services.daily_answer_submit(user=bob, question_id=today.pk, text="B")
        services.daily_preferences_update(user=alice, data={"skip_themes": ["fun"]})
        account_delete(user=alice, password=PASSWORD)
        assert list(DailyAnswer.objects.values_list("text", flat=True)) == ["B"]
        assert not DailyPreference.objects.exists()
        assert DailyQuestion.objects.filter(pk=today.pk).exists()


class TestPreferences:
    def test_skip_themes_are_checked_all_at_once(self, alice):
        with pytest.raises(Invalid) as caught:
            services.daily_preferences_update(user=alice, data={"skip_themes": ["fun", "nope"], "reminder_time": "x"})
        assert set(caught.value.errors) == {"skip_themes", "reminder_time"}
        with pytest.raises(Invalid):
            services.daily_preferences_update(user=alice, data={"skip_themes": sorted(library.themes())})
        assert not DailyPreference.objects.exists()

    def test_kept_in_the_librarys_order_without_duplicates(self, alice):
        prefs = services.daily_preferences_update(user=alice, data={"skip_themes": ["depth", "fun", "fun"]})
        assert prefs.skip_themes == ["fun", "depth"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_two_partners_opening_the_day_at_once_get_one_question(alice, bob, couple):
    results, errors = [], []

    def ask():
        try:
            results.append(services.daily_question_for(couple=couple).pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(results)) == 1
    assert DailyQuestion.objects.filter(couple=couple).count() == 1
