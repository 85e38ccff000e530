"""Cross-couple isolation, proven from the outside.

Walks every API route in the URL configuration that names an object, and
for every object of alice and bob's couple tries every method as mallory (a
partner in another couple) and as theo (a therapist without consent). A
stranger must learn nothing: the answer about a real object of theirs is the
same as about one that does not exist, and is never a success or a 500. A new
route with a parameter this test does not know fails the test."""

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from knox.models import AuthToken

from agreements import services as agreements
from checkins import services as checkins
from checkins.models import Format
from checkups import services as checkups
from daily import services as daily
from gratitude import services as gratitude
from journal import services as journal
from reminders.models import Notification
from repair import conversation
from repair import services as repair
from repair.models import Commitment
from space import services as space

from .conftest import client_for
from .factories import UserFactory, reassurance_world

pytestmark = pytest.mark.django_db

MISSING = 987654321


def api_routes():
    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry

    for route, entry in walk(get_resolver()):
        if route.startswith("api/v1/") and "<" in route:
            view = getattr(entry.callback, "cls", None)
            methods = [m for m in ("get", "post", "put", "patch", "delete") if view and hasattr(view, m)]
            yield route, methods


@pytest.fixture
def world(settings, tmp_path, couple, alice, bob, mallory_couple):
    """One of everything in alice and bob's couple."""
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    fmt = Format.objects.get(key="daily-pulse")
    schedule = checkins.schedule_propose(
        couple=couple, user=alice, format=fmt, weekdays=[0], time=dt.time(20), timezone_name="Europe/Berlin"
    )
    checkin = checkins.checkin_start(couple=couple, user=alice, format=fmt)
    checkins.live_answer(checkin=checkin, user=alice, step="mood", value=4)
    note = gratitude.note_send(couple=couple, author=bob, text="Thank you")
    period = space.space_take(couple=couple, user=bob, reconnect_by=timezone.now() + dt.timedelta(hours=2))
    agreement = agreements.agreement_propose(couple=couple, user=alice, title="Phones away", category="other")
    rules = repair.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60, during="Walk")
    repair.timeout_rules_accept(rules=rules, user=bob, version=1)
    timeout = repair.timeout_take(couple=couple, user=alice, reconnect_by=timezone.now() + dt.timedelta(minutes=30))
    entry = journal.entry_create(author=alice, kind="entry", text="Mine alone")
    done = conversation.repair_start(couple=couple, user=alice, timeout=timeout)
    due = timezone.now() + dt.timedelta(days=2)
    for step in conversation.STEP_KEYS:
        for user in (alice, bob):
            commitment = step == conversation.LAST_STEP
            conversation.repair_answer(
                repair_id=done.pk, user=user, step=step, text=f"{step} SECRET", due=due if commitment else None
            )
    repair_open = conversation.repair_start(couple=couple, user=bob)
    conversation.repair_answer(repair_id=repair_open.pk, user=alice, step="felt", text="Hurt SECRET")
    conversation.repair_answer(repair_id=repair_open.pk, user=bob, step="felt", text="Drafting", submit=False)
    question = daily.daily_question_for(couple=couple)
    daily.daily_answer_submit(user=alice, question_id=question.pk, text="Hidden until Bob answers")
    notification = Notification.objects.create(user=alice, kind="checkin_open", title="Time for your check-in")
    alice_token = AuthToken.objects.create(user=alice)[0]
    # A check-up round alice filled in, not yet revealed.
    checkup = checkups.checkup_answer_save(
        couple=couple,
        user=alice,
        answers={"closeness": 4, "trust": 4, "conflict": 2, "heard": 4, "reliability": 4, "steadiness": 4},
    )
    # A pairing block alice set when she left an earlier couple (issue #23).
    from couples.models import PairingBlock

    block = PairingBlock.objects.create(blocker=alice, blocked=UserFactory(email="former@example.com"))
    ids = {
        "block_id": block.pk,
        "schedule_id": schedule.pk,
        "checkin_id": checkin.pk,
        "note_id": note.pk,
        "period_id": period.pk,
        "agreement_id": agreement.pk,
        "rules_id": rules.pk,
        "timeout_id": timeout.pk,
        "entry_id": entry.pk,
        "repair_id": repair_open.pk,
        "step_key": "felt",
        "commitment_id": Commitment.objects.filter(author=alice).get().pk,
        # The promise ledger's id of the same commitment (promises/).
        "promise_id": f"commitment-{Commitment.objects.filter(author=alice).get().pk}",
        "question_id": question.pk,
        "notification_id": notification.pk,
        "session_id": f"app-{alice_token.token_key}",
        "couple_id": couple.pk,
        "round_id": checkup.round_id,
        **reassurance_world(couple, alice, bob),
    }
    try:
        from therapists import services as therapists
    except ImportError:  # pragma: no cover - the therapists app always exists
        return ids
    tess = UserFactory(email="tess@example.com", role="therapist")
    code = therapists.connect_code_create(therapist=tess).code
    grant = therapists.grant_request(
        couple=couple,
        user=alice,
        code=code,
        scopes=["checkin_consistency"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    ids["grant_id"] = grant.pk
    # A practice proposed by another therapist the couple shares practice
    # with, accepted by alice (a stranger must not answer it).
    tina = UserFactory(email="tina@example.com", role="therapist")
    shared = therapists.grant_request(
        couple=couple,
        user=alice,
        code=therapists.connect_code_create(therapist=tina).code,
        scopes=["practice"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    therapists.grant_approve(grant=shared, user=bob)
    practice = therapists.practice_propose(
        therapist=tina,
        couple_id=couple.pk,
        kind="ritual",
        title="A walk",
        due_at=timezone.now() + dt.timedelta(days=5),
        ip=None,
    )
    therapists.practice_answer(practice_id=practice.pk, user=alice, accept=True)
    ids["practice_id"] = practice.pk
    # A next session date tina set (a stranger must not read or remove it).
    ids["session_date_id"] = therapists.next_session_set(
        therapist=tina, couple_id=couple.pk, at=timezone.now() + dt.timedelta(days=6), ip=None
    ).pk
    return ids


def body_for(route: str) -> dict:
    """A plausible body, so that validation cannot answer before access."""
    soon = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    for pattern, body in [
        (r"answers/$", {"answers": {"mood": 3}, "submit": False}),
        (r"session/answer/$", {"step": "mood", "value": 3}),
        (r"daily-question/<int:question_id>/answer/$", {"text": "A stranger's answer"}),
        (r"session/pause/$", {"minutes": 30}),
        (r"schedules/<int:schedule_id>/$", {"time": "07:00"}),
        (r"accept/$", {"version": 1}),
        (r"amend/$", {"version": 1, "title": "Changed"}),
        (r"reflections/$", {"outcome": "kept"}),
        (r"extend/$", {"reconnect_by": soon}),
        (r"renegotiate/$", {"due_at": (timezone.now() + dt.timedelta(days=3)).isoformat()}),
        (r"acknowledge/$", {"reaction": "heart"}),
        (r"journal/<int:entry_id>/$", {"text": "changed"}),
        (r"approve/$", {"scopes": ["checkin_consistency"]}),
        (r"steps/<slug:step_key>/$", {"value": "Changed by a stranger"}),
        (r"reassurance/occurrences/<int:occurrence_id>/$", {"text": "A stranger's message"}),
        (r"reassurance/phrases/<int:phrase_id>/$", {"text": "A stranger's phrase"}),
    ]:
        if re.search(pattern, route):
            return body
    return {}


def fill(route: str, ids: dict, *, missing: bool) -> str:
    def sub(match):
        name = match.group(1)
        assert name in ids, f"{route}: add an object for <{name}> to the isolation test"
        if not missing:
            return str(ids[name])
        return "app-notatoken" if name == "session_id" else str(MISSING)

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", sub, route)


@pytest.mark.parametrize("who", ["mallory", "theo"])
def test_strangers_learn_nothing_about_any_object(request, world, who):
    stranger = request.getfixturevalue(who)
    client = client_for(stranger)
    tried = 0
    for route, methods in api_routes():
        for method in methods:
            body = body_for(route)
            real = getattr(client, method)(fill(route, world, missing=False), body, format="json")
            missing = getattr(client, method)(fill(route, world, missing=True), body, format="json")
            where = f"{who} {method.upper()} /{route}"
            assert real.status_code < 500, where
            assert not 200 <= real.status_code < 300, f"{where} answered {real.status_code}"
            assert real.status_code in (401, 403, 404), f"{where} answered {real.status_code}"
            assert real.status_code == missing.status_code, (
                f"{where}: real {real.status_code} vs missing {missing.status_code}"
            )
            tried += 1
    assert tried > 40


def test_the_walk_left_everything_as_it_was(request, world, mallory, theo):
    from agreements.models import Agreement
    from checkins.models import Answer, CheckIn, Schedule
    from checkups.models import Answer as CheckupAnswer
    from checkups.models import Round
    from daily.models import DailyAnswer, DailyQuestion
    from gratitude.models import Note
    from journal.models import Entry
    from reassurance.models import Digest, Message, Occurrence, Phrase, Ritual
    from repair.models import Repair, RepairAnswer, RepairReveal, TimeoutDuring, TimeoutRules
    from space.models import SpacePeriod
    from therapists.models import NextSession, Practice, PracticeAnswer

    def state():
        return (
            list(Schedule.objects.values_list("pk", "status", "time")),
            list(CheckIn.objects.values_list("pk", "revealed_at", "last_event_seq")),
            list(Answer.objects.values_list("pk", "values")),
            list(Note.objects.values_list("pk", "acknowledged_at", "reaction")),
            list(SpacePeriod.objects.values_list("pk", "status", "reconnect_by")),
            list(Agreement.objects.values_list("pk", "status", "version")),
            list(TimeoutRules.objects.values_list("pk", "status", "version", "active_version")),
            list(TimeoutDuring.objects.values_list("pk", "text")),
            list(Repair.objects.values_list("pk", "status", "last_event_seq")),
            list(RepairAnswer.objects.values_list("pk", "text", "submitted_at")),
            list(RepairReveal.objects.values_list("pk", "step")),
            list(Commitment.objects.values_list("pk", "status")),
            list(Entry.objects.values_list("pk", "updated_at")),
            list(DailyQuestion.objects.values_list("pk", "revealed_at")),
            list(DailyAnswer.objects.values_list("pk", "author_id", "text")),
            list(Notification.objects.values_list("pk", "read_at")),
            AuthToken.objects.filter(user__email="alice@example.com").count(),
            list(Round.objects.values_list("pk", "opens_at", "revealed_at", "closed_at", "asked_by_id")),
            list(CheckupAnswer.objects.values_list("pk", "values", "submitted_at")),
            list(Ritual.objects.values_list("pk", "status", "version", "active_version")),
            list(Phrase.objects.values_list("pk", "text")),
            list(Occurrence.objects.values_list("pk", "revealed_at", "closed_at")),
            list(Message.objects.values_list("pk", "author_id", "text")),
            list(Digest.objects.values_list("pk", "acknowledged_at")),
            list(Practice.objects.values_list("pk", "state", "accepted_at", "settled_at")),
            list(PracticeAnswer.objects.values_list("pk", "partner_id", "accepted")),
            list(NextSession.objects.values_list("pk", "at")),
        )

    before = state()
    for who in ("mallory", "theo"):
        client = client_for(request.getfixturevalue(who))
        for route, methods in api_routes():
            for method in methods:
                getattr(client, method)(fill(route, world, missing=False), body_for(route), format="json")
    assert state() == before


@pytest.mark.parametrize("who", ["mallory", "theo"])
def test_what_your_therapist_sees_shows_a_stranger_nothing_of_the_couple(request, world, who):
    """The partners' "what your therapist sees" page names no object: it shows
    the caller's own couple. Mallory sees her own (nothing shared); theo, a
    therapist, is sent to his own pages."""
    from django.test import Client

    web = Client()
    web.force_login(request.getfixturevalue(who))
    response = web.get("/couple/therapists/sees/")

    if who == "theo":
        assert response.status_code == 302 and response.url == "/therapist/"
        return
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="sees-nothing"' in page
    from accounts.models import User

    tina = User.objects.get(email="tina@example.com")
    assert f"What {tina.display_name} sees" not in page and "A walk" not in page and "Alice" not in page
