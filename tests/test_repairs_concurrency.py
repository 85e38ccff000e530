"""The repair conversation under races, against a real PostgreSQL: two
answers to the same step at once reveal it exactly once (one reveal row,
one event, one notification); two starts at once open one conversation;
a stop racing the last answer leaves one consistent state."""

import datetime as dt

import pytest
from django.utils import timezone

from backend.errors import Conflict
from reminders.models import Reminder
from repair import conversation
from repair.models import Commitment, Repair, RepairEvent, RepairReveal

from .concurrency import race
from .factories import UserFactory, make_couple

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pair():
    alice, bob = UserFactory(display_name="Alice"), UserFactory(display_name="Bob")
    return make_couple(alice, bob), alice, bob


def answer(repair, user, step, text="x", due=None):
    return lambda: conversation.repair_answer(repair_id=repair.pk, user=user, step=step, text=text, due=due)


@pytest.mark.parametrize("attempt", range(3))
def test_two_answers_at_once_reveal_the_step_once(pair, attempt):
    couple, alice, bob = pair
    repair = conversation.repair_start(couple=couple, user=alice)

    results = race([answer(repair, alice, "felt"), answer(repair, bob, "felt")])

    assert [kind for kind, _ in results] == ["ok", "ok"]
    assert RepairReveal.objects.filter(repair=repair, step="felt").count() == 1
    assert list(RepairEvent.objects.filter(repair=repair).values_list("seq", "kind")) == [
        (1, "started"),
        (2, "step_revealed"),
    ]
    # Exactly one of them hears about it: the one who did not reveal it.
    assert Reminder.objects.filter(kind="repair_step_revealed", target_id=repair.pk).count() == 1


def test_two_last_answers_at_once_make_two_commitments_once(pair):
    couple, alice, bob = pair
    repair = conversation.repair_start(couple=couple, user=alice)
    for step in conversation.STEP_KEYS[:-1]:
        answer(repair, alice, step)()
        answer(repair, bob, step)()
    due = timezone.now() + dt.timedelta(days=2)

    results = race([answer(repair, alice, "commitment", "A", due), answer(repair, bob, "commitment", "B", due)])

    assert [kind for kind, _ in results] == ["ok", "ok"]
    assert Commitment.objects.filter(repair=repair).count() == 2
    assert Repair.objects.get(pk=repair.pk).status == "completed"


def test_two_starts_at_once_open_one(pair):
    couple, alice, bob = pair

    results = race([lambda u=u: conversation.repair_start(couple=couple, user=u) for u in (alice, bob)])

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert all(isinstance(exc, Conflict) for kind, exc in results if kind == "error")
    assert Repair.objects.filter(couple=couple).count() == 1


def test_a_stop_racing_the_last_answer_is_consistent(pair):
    couple, alice, bob = pair
    repair = conversation.repair_start(couple=couple, user=alice)
    answer(repair, alice, "felt")()

    results = race([answer(repair, bob, "felt"), lambda: conversation.repair_stop(repair_id=repair.pk, user=alice)])

    row = Repair.objects.get(pk=repair.pk)
    revealed = RepairReveal.objects.filter(repair=repair).count()
    assert row.status == "stopped"
    if results[0][0] == "ok":  # the answer came first: revealed, then stopped
        assert revealed == 1
    else:  # the stop came first: the answer met a closed repair
        assert isinstance(results[0][1], Conflict) and revealed == 0
