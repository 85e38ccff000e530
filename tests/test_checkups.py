# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""The relationship check-up (issue #25): our own instrument as data,
private fills revealed together through one function, the cadence and its
reminder (DST-true, once, quiet hours), a therapist's "a round now" and
progress under the progress scope (consent, the access log, a drop flag),
what closes with a couple, the export and the demo data."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from checkups import services
from checkups.instruments import BUILTIN, instrument_builtin
from checkups.models import Answer, Round
from couples.services import couple_leave
from reminders.dispatch import dispatch_tick
from reminders.models import Notification, Reminder
from therapists import services as therapists
from therapists.models import AccessEvent

from .factories import PASSWORD, UserFactory
from .test_therapists_support import (  # noqa: F401 - fixtures
    active_grant,
    as_theo_ready,
    give_totp,
    ready_client,
    theo_totp,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# A Thursday, 19:00 in Berlin (winter time); Europe's clocks go forward on 29 March.
NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=UTC)
GOOD = {"closeness": 5, "trust": 5, "conflict": 1, "heard": 4, "reliability": 5, "steadiness": 4}  # 28
LOW = {"closeness": 2, "trust": 3, "conflict": 5, "heard": 2, "reliability": 3, "steadiness": 2}  # 13


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_quiet_hours(alice, bob):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


def send(client, answers, **extra):
    return client.post("/api/v1/checkups/", {"answers": answers, **extra}, format="json")


def reveal_round(couple, alice, bob, a=GOOD, b=GOOD, now=None):
    services.checkup_answer_save(couple=couple, user=alice, answers=a, now=now)
    services.checkup_answer_save(couple=couple, user=bob, answers=b, now=now)


class TestInstrument:
    def test_the_builtin_is_our_own_six_items_on_0_to_6(self):
        instrument = instrument_builtin()

        assert instrument.item_keys == ["closeness", "trust", "conflict", "heard", "reliability", "steadiness"]
        assert (instrument.scale_min, instrument.scale_max, instrument.score_max) == (0, 6, 36)
        assert "Steady" in instrument.source
        texts = " ".join(item["text"] for item in BUILTIN["items"]).lower()
        for third_party in ("ecr", "csi", "das", "dyadic", "couples satisfaction index"):
            assert third_party not in instrument.name.lower() and f" {third_party} " not in texts

    def test_scoring_counts_a_reversed_item_from_the_top(self):
        instrument = instrument_builtin()

        assert instrument.score(GOOD) == 5 + 5 + (6 - 1) + 4 + 5 + 4
        assert instrument.score(LOW) == 2 + 3 + (6 - 5) + 2 + 3 + 2
        assert instrument.score(dict.fromkeys(instrument.item_keys, 0)) == 6  # only the reversed one counts
        assert instrument.score(dict.fromkeys(instrument.item_keys, 6)) == 30

    def test_the_instruments_endpoint_lists_items_for_partners_only(self, as_alice, couple, as_theo_ready):
        body = as_alice.get("/api/v1/checkups/instruments/").json()

        assert [i["key"] for i in body[0]["items"]] == instrument_builtin().item_keys
        assert as_theo_ready.get("/api/v1/checkups/instruments/").status_code == 404


class TestRevealTogether:
    def test_the_first_fill_opens_a_round_and_the_partner_is_reminded(self, as_alice, couple, alice, bob):
        response = send(as_alice, GOOD)

        assert response.status_code == 201
        body = response.json()
        assert (body["number"], body["state"], body["partner"]) == (1, "open", None)
        assert body["mine"] == {"values": GOOD, "score": 28, "draft": False, "submitted_at": iso(NOW)}
        (reminder,) = Reminder.objects.filter(kind="checkup_due")
        assert (reminder.user_id, reminder.due_at) == (bob.pk, NOW)

    def test_nothing_of_the_partner_before_the_reveal_not_even_that_they_sent(self, as_alice, as_bob, couple):
        send(as_alice, GOOD)

        (row,) = as_bob.get("/api/v1/checkups/").json()["results"]

        assert row["mine"] is None and row["partner"] is None and row["state"] == "open"
        assert "28" not in str(row)

    def test_a_draft_is_never_an_answer(self, as_alice, as_bob, couple):
        send(as_alice, GOOD)

        draft = send(as_bob, {"closeness": 1}, submit=False)

        assert draft.status_code == 201 and draft.json()["mine"]["draft"] is True
        assert draft.json()["mine"]["score"] is None and draft.json()["state"] == "open"
        assert Round.objects.get().revealed_at is None
        (row,) = as_alice.get("/api/v1/checkups/").json()["results"]
        assert row["partner"] is None

    def test_both_sent_reveals_both_to_both_at_once(self, as_alice, as_bob, couple, alice, bob):
        send(as_alice, GOOD)
        send(as_bob, {"closeness": 1}, submit=False)

        response = send(as_bob, LOW)

        assert response.json()["state"] == "revealed"
        assert response.json()["partner"] == {"values": GOOD, "score": 28, "submitted_at": iso(NOW)}
        (row, *_rest) = as_alice.get("/api/v1/checkups/").json()["results"]
        assert row["partner"]["score"] == 13 and row["revealed_at"] == iso(NOW)

    def test_a_revealed_answer_is_final(self, as_alice, as_bob, couple):
        send(as_alice, GOOD)
        send(as_bob, LOW)

        again = send(as_alice, LOW)
        draft = send(as_alice, LOW, submit=False)

        assert again.status_code == draft.status_code == 409
        assert Answer.objects.get(author__email="alice@example.com").score == 28

    def test_sending_again_before_the_reveal_replaces_and_a_draft_cannot_undo_a_send(self, as_alice, couple):
        send(as_alice, GOOD)

        assert send(as_alice, LOW).json()["mine"]["score"] == 13
        assert send(as_alice, GOOD, submit=False).status_code == 409
        assert Answer.objects.get().score == 13

    @pytest.mark.parametrize(
        "answers, why",
        [
            ({**GOOD, "closeness": 7}, "above the scale"),
            ({**GOOD, "closeness": -1}, "below the scale"),
            ({**GOOD, "closeness": True}, "a boolean"),
            ({**GOOD, "love": 3}, "an unknown item"),
            ({"closeness": 3}, "items missing on send"),
            ([], "not an object"),
        ],
    )
    def test_bad_answers_are_400_with_a_field_error(self, as_alice, couple, answers, why):
        response = send(as_alice, answers)

        assert response.status_code == 400, why
        assert "answers" in response.json(), why
        assert not Answer.objects.exists() and not Round.objects.exists()

    def test_an_unknown_instrument_is_400(self, as_alice, couple):
        response = send(as_alice, GOOD, instrument="ecr-r")

        assert response.status_code == 400 and "instrument" in response.json()

    def test_mallory_and_theo_see_nothing_of_the_couples_rounds(
        self, couple, as_alice, as_mallory, mallory_couple, as_theo_ready
    ):
        round_id = send(as_alice, GOOD).json()["id"]

        assert as_mallory.get(f"/api/v1/checkups/{round_id}/").status_code == 404
        assert as_mallory.get("/api/v1/checkups/").json()["results"] == []
        assert as_theo_ready.get(f"/api/v1/checkups/{round_id}/").status_code == 404
        assert as_theo_ready.get("/api/v1/checkups/").status_code == 404

    def test_unpaired_gets_404(self, api):
        loner = UserFactory()
        api.force_authenticate(loner)
        assert api.get("/api/v1/checkups/").status_code == 404
        assert api.post("/api/v1/checkups/", {"answers": GOOD}, format="json").status_code == 404


class TestCadence:
    def test_the_next_round_is_two_weeks_later_at_19_local_across_the_dst_change(self, couple, alice, bob):
        reveal_round(couple, alice, bob)

        following = Round.objects.get(number=2)

        # 2 April 19:00 in Berlin is summer time: 17:00 UTC, not 18:00.
        assert following.opens_at == dt.datetime(2026, 4, 2, 17, 0, tzinfo=UTC)
        reminders = Reminder.objects.filter(kind="checkup_due", target_id=following.pk)
        assert sorted(reminders.values_list("user_id", "due_at")) == [
            (alice.pk, following.opens_at),
            (bob.pk, following.opens_at),
        ]

    def test_a_late_reveal_keeps_the_rhythm_and_never_schedules_in_the_past(self, couple, alice, bob):
        services.checkup_answer_save(couple=couple, user=alice, answers=GOOD, now=NOW)
        late = NOW + dt.timedelta(days=17)
        services.checkup_answer_save(couple=couple, user=bob, answers=GOOD, now=late)

        assert Round.objects.get(number=2).opens_at == dt.datetime(2026, 4, 16, 17, 0, tzinfo=UTC)

    def test_the_reminder_goes_once_content_free_and_not_to_who_already_sent(self, couple, alice, bob, _frozen):
        reveal_round(couple, alice, bob)
        following = Round.objects.get(number=2)
        _frozen.move_to(following.opens_at + dt.timedelta(minutes=1))

        dispatch_tick()
        dispatch_tick()

        notes = list(Notification.objects.filter(kind="checkup_due").values_list("user_id", "title", "url"))
        assert sorted(notes) == [
            (alice.pk, "It's time for your relationship check-up", "/checkups/"),
            (bob.pk, "It's time for your relationship check-up", "/checkups/"),
        ]

    def test_quiet_hours_hold_the_reminder_until_morning(self, couple, alice, bob, _frozen):
        reveal_round(couple, alice, bob)
        alice.quiet_hours_start, alice.quiet_hours_end = dt.time(18, 0), dt.time(8, 0)
        alice.save()
        opens = Round.objects.get(number=2).opens_at
        _frozen.move_to(opens + dt.timedelta(minutes=1))

        dispatch_tick()
        assert not Notification.objects.filter(user=alice, kind="checkup_due").exists()
        _frozen.move_to(dt.datetime(2026, 4, 3, 6, 1, tzinfo=UTC))  # 08:01 in Berlin
        dispatch_tick()

        assert Notification.objects.filter(user=alice, kind="checkup_due").count() == 1

    def test_filling_before_the_next_round_opens_is_409_with_the_date(self, as_alice, couple, alice, bob):
        reveal_round(couple, alice, bob)

        response = send(as_alice, GOOD)

        assert response.status_code == 409 and "2 April" in response.json()["detail"]


@pytest.fixture
def progress_grant(couple, alice, bob, theo, theo_totp):
    return active_grant(couple, alice, bob, theo, scopes=["progress"])


# token, authenticator, token confirmation, savepoint pair, the locked
# grant, partners, answers, the access event.
PROGRESS_QUERIES = 9


def progress_url(couple_id) -> str:
    return f"/api/v1/therapist/couples/{couple_id}/progress/"


def request_url(couple_id) -> str:
    return f"/api/v1/therapist/couples/{couple_id}/checkup-request/"


class TestTherapistProgress:
    def test_both_lines_for_revealed_rounds_only_with_a_flag_for_a_drop(
        self, theo, progress_grant, couple, alice, bob, _frozen
    ):
        reveal_round(couple, alice, bob, a=GOOD, b=GOOD)
        _frozen.move_to(dt.datetime(2026, 4, 2, 17, 5, tzinfo=UTC))
        reveal_round(couple, alice, bob, a=GOOD, b=LOW)
        _frozen.move_to(dt.datetime(2026, 4, 16, 17, 5, tzinfo=UTC))
        services.checkup_answer_save(couple=couple, user=alice, answers=LOW)  # round 3: not revealed

        body = ready_client(theo).get(progress_url(couple.pk)).json()

        scores = {p["display_name"]: [pt["score"] for pt in p["points"]] for p in body["partners"]}
        assert scores == {"Alice": [28, 28], "Bob": [28, 13]}
        round2 = Round.objects.get(number=2).pk
        assert body["flags"] == [
            {"partner_id": bob.pk, "round_id": round2, "round_number": 2, "from_score": 28, "to_score": 13, "drop": 15}
        ]
        assert body["instrument"]["drop_flag"] == 6
        # Numbers only: no item text, no label on anyone.
        assert "felt close" not in str(body) and "anxious" not in str(body).lower()

    def test_a_drop_smaller_than_the_set_amount_is_not_flagged(self, theo, progress_grant, couple, alice, bob, _frozen):
        reveal_round(couple, alice, bob)
        _frozen.move_to(dt.datetime(2026, 4, 2, 17, 5, tzinfo=UTC))
        reveal_round(couple, alice, bob, b={**GOOD, "closeness": 0})  # 28 -> 23

        assert ready_client(theo).get(progress_url(couple.pk)).json()["flags"] == []

    def test_every_read_is_logged_with_its_scope(self, as_theo_ready, progress_grant, couple, theo):
        as_theo_ready.get(progress_url(couple.pk))

        (event,) = AccessEvent.objects.all()
        assert (event.what, event.scopes, event.couple_id, event.therapist_id) == (
            "progress",
            ["progress"],
            couple.pk,
            theo.pk,
        )

    def test_the_couple_reads_each_look_and_request_plainly(self, as_theo_ready, as_alice, progress_grant, couple):
        as_theo_ready.get(progress_url(couple.pk))
        as_theo_ready.post(request_url(couple.pk))

        log = [e["description"] for e in as_alice.get("/api/v1/couple/access-log/").json()["results"]]

        assert log == [
            "Theo asked you both for a check-up round on 19 March at 19:00",
            "Theo viewed your relationship check-up scores over time on 19 March at 19:00",
        ]

    def test_a_therapist_without_the_scope_and_mallory_get_nothing(
        self, couple, alice, bob, theo, theo_totp, as_mallory
    ):
        active_grant(couple, alice, bob, theo, scopes=["mood_trends"])
        theo_client = ready_client(theo)

        assert theo_client.get(progress_url(couple.pk)).status_code == 404
        assert theo_client.post(request_url(couple.pk)).status_code == 404
        assert as_mallory.get(progress_url(couple.pk)).status_code == 403  # a partner account, like any couple
        tess = UserFactory(role="therapist", display_name="Tess")
        give_totp(tess)
        assert ready_client(tess).get(progress_url(couple.pk)).status_code == 404
        assert not AccessEvent.objects.filter(what__in=["progress", "checkup_request"]).exists()
        assert not Round.objects.exists()

    def test_a_revoke_is_effective_on_the_very_next_request(self, as_theo_ready, progress_grant, couple, alice):
        assert as_theo_ready.get(progress_url(couple.pk)).status_code == 200

        therapists.grant_revoke(grant=progress_grant, user=alice)

        assert as_theo_ready.get(progress_url(couple.pk)).status_code == 404
        assert AccessEvent.objects.count() == 1

    def test_the_progress_read_runs_a_fixed_number_of_queries(
        self, theo, theo_totp, couple, alice, bob, _frozen, django_assert_num_queries
    ):
        active_grant(couple, alice, bob, theo, scopes=["progress"], days=150)

        def read(rounds: int):
            client = ready_client(theo)
            client.get(progress_url(couple.pk))  # the token's confirmation is touched once a minute
            with django_assert_num_queries(PROGRESS_QUERIES):
                response = client.get(progress_url(couple.pk))
            assert len(response.json()["partners"][0]["points"]) == rounds

        reveal_round(couple, alice, bob)
        read(1)
        for week in range(2, 20, 2):
            _frozen.move_to(NOW + dt.timedelta(weeks=week, minutes=5))
            reveal_round(couple, alice, bob)
        read(10)


class TestTherapistAsksForARound:
    def test_the_scheduled_round_opens_now_and_both_are_reminded(
        self, progress_grant, couple, alice, bob, theo, _frozen
    ):
        reveal_round(couple, alice, bob)
        _frozen.move_to(NOW + dt.timedelta(days=3))
        now = timezone.now()

        response = ready_client(theo).post(request_url(couple.pk))

        assert response.status_code == 201
        following = Round.objects.get(number=2)
        assert (following.opens_at, following.asked_by_id) == (now, theo.pk)
        pending = Reminder.objects.filter(kind="checkup_due", target_id=following.pk, status="pending")
        assert sorted(pending.values_list("user_id", "due_at")) == [(alice.pk, now), (bob.pk, now)]
        assert AccessEvent.objects.get(what="checkup_request").scopes == ["progress"]
        dispatch_tick()
        assert Notification.objects.filter(kind="checkup_due").count() == 2

    def test_with_no_round_yet_it_starts_the_first(self, as_theo_ready, progress_grant, couple):
        assert as_theo_ready.post(request_url(couple.pk)).status_code == 201
        assert Round.objects.get().number == 1

    def test_a_round_already_open_is_409(self, as_theo_ready, progress_grant, couple, alice):
        services.checkup_answer_save(couple=couple, user=alice, answers=GOOD)

        response = as_theo_ready.post(request_url(couple.pk))

        assert response.status_code == 409
        assert not AccessEvent.objects.filter(what="checkup_request").exists()


class TestLifecycle:
    def test_leaving_closes_the_open_round_silently(self, couple, alice, bob):
        services.checkup_answer_save(couple=couple, user=alice, answers=GOOD)

        couple_leave(user=bob, password=PASSWORD)

        current = Round.objects.get()
        assert current.closed_at is not None and current.revealed_at is None
        assert not Reminder.objects.filter(kind="checkup_due", status="pending").exists()

    def test_the_export_has_my_fills_and_only_revealed_partner_answers(
        self, as_alice, as_bob, couple, alice, bob, _frozen
    ):
        reveal_round(couple, alice, bob, a=GOOD, b=LOW)
        _frozen.move_to(dt.datetime(2026, 4, 2, 17, 5, tzinfo=UTC))
        services.checkup_answer_save(couple=couple, user=bob, answers=GOOD)  # round 2, not revealed

        export = as_alice.get("/api/v1/me/export/").json()["checkups"]

        assert [a["score"] for a in export["my_answers"]] == [28]
        assert [(a["round__number"], a["score"]) for a in export["partner_answers_revealed_to_me"]] == [(1, 13)]

    def test_deleting_an_account_erases_its_fills(self, couple, alice, bob):
        from accounts.services import account_delete

        reveal_round(couple, alice, bob)

        account_delete(user=alice, password=PASSWORD)

        assert list(Answer.objects.values_list("author_id", flat=True)) == [bob.pk]

    def test_the_demo_has_revealed_rounds_a_flag_and_the_next_round(self, couple, alice, bob):
        from checkups.demo import demo_seed
        from checkups.selectors import progress_for_couple

        demo_seed(couple=couple, alice=alice, bob=bob)
        demo_seed(couple=couple, alice=alice, bob=bob)

        progress = progress_for_couple(couple=couple)
        assert [len(p["points"]) for p in progress["partners"]] == [5, 5]
        assert [f["partner_id"] for f in progress["flags"]] == [bob.pk]
        assert Round.objects.filter(revealed_at__isnull=True, opens_at__gt=timezone.now()).count() == 1
