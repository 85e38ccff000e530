"""The repair conversation (issue #18, section 3): each step answered
privately, revealed to both once both sent it, final once revealed; the last
step a commitment {text, due}. Drafts never count; the partner's answer is
null until its step is revealed; the trigger-log link stays the author's;
one open per couple; 7 days then silently closed; either partner stops it;
never a check-in."""

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from backend.errors import Conflict
from checkins.models import CheckIn
from couples.services import couple_leave
from journal import services as journal
from reminders.dispatch import dispatch_tick
from reminders.models import Notification, Reminder
from repair import conversation
from repair.conversation import STEP_KEYS
from repair.models import Commitment, Repair, RepairAnswer, RepairReveal
from space.models import Kind, SpacePeriod

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
DUE = NOW + dt.timedelta(days=3)


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_quiet_hours(alice, bob):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


def start(client, **body):
    return client.post("/api/v1/repairs/", body, format="json")


def put(client, rid, step, value, **extra):
    return client.put(f"/api/v1/repairs/{rid}/steps/{step}/", {"value": value, **extra}, format="json")


def step_of(body, key):
    return next(s for s in body["steps"] if s["key"] == key)


def states(body):
    return [s["state"] for s in body["steps"]]


def commitment(text="I'll say our signal instead of going quiet", due=DUE):
    return {"text": text, "due": iso(due)}


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("title", flat=True))


@pytest.fixture
def repair(as_alice, couple):
    return start(as_alice).json()["id"]


class TestStepByStep:
    def test_start_opens_the_first_step_only(self, as_alice, alice, couple):
        response = start(as_alice)
        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "open" and body["started_by"] == alice.pk
        assert [s["key"] for s in body["steps"]] == STEP_KEYS
        assert states(body) == ["open", "locked", "locked", "locked", "locked"]
        assert all(s["partner"] is None and s["mine"] is None for s in body["steps"])
        assert body["expires_at"] == iso(NOW + dt.timedelta(days=7))
        assert step_of(body, "commitment")["kind"] == "commitment"

    def test_a_step_is_revealed_to_both_when_both_sent_it(self, as_alice, as_bob, repair):
        mine = put(as_alice, repair, "felt", "Hurt SECRET-A1")
        assert mine.status_code == 200
        assert states(mine.json())[:2] == ["waiting", "locked"]
        assert step_of(mine.json(), "felt")["mine"]["text"] == "Hurt SECRET-A1"

        # Bob sees nothing of Alice's answer, nor whether she answered.
        bob_view = as_bob.get(f"/api/v1/repairs/{repair}/")
        assert "SECRET-A1" not in bob_view.content.decode()
        assert states(bob_view.json())[0] == "open"
        assert step_of(bob_view.json(), "felt")["partner"] is None

        both = put(as_bob, repair, "felt", "Cornered SECRET-B1")
        assert both.status_code == 200
        felt = step_of(both.json(), "felt")
        assert felt["state"] == "revealed" and felt["partner"] == {"text": "Hurt SECRET-A1", "due": None}
        assert states(both.json()) == ["revealed", "open", "locked", "locked", "locked"]
        alice_view = as_alice.get(f"/api/v1/repairs/{repair}/").json()
        assert step_of(alice_view, "felt")["partner"]["text"] == "Cornered SECRET-B1"
        assert RepairReveal.objects.filter(repair_id=repair).count() == 1

    def test_a_draft_never_counts(self, as_alice, as_bob, repair):
        put(as_alice, repair, "felt", "Sent SECRET-A1")
        draft = put(as_bob, repair, "felt", "Draft SECRET-B1", submit=False)
        assert draft.status_code == 200
        felt = step_of(draft.json(), "felt")
        assert felt["state"] == "open" and felt["mine"]["submitted"] is False and felt["partner"] is None
        assert "SECRET-A1" not in draft.content.decode()
        assert "SECRET-B1" not in as_alice.get(f"/api/v1/repairs/{repair}/").content.decode()
        assert not RepairReveal.objects.exists()
        # An empty draft is fine; an empty answer is not.
        assert put(as_bob, repair, "felt", "", submit=False).status_code == 200
        assert put(as_bob, repair, "felt", "  ").status_code == 400

    def test_a_draft_first_then_the_partner_sends_is_no_reveal(self, as_alice, as_bob, repair):
        put(as_bob, repair, "felt", "Draft SECRET-B1", submit=False)
        sent = put(as_alice, repair, "felt", "Sent SECRET-A1")
        assert states(sent.json())[0] == "waiting" and step_of(sent.json(), "felt")["partner"] is None
        assert "SECRET-B1" not in sent.content.decode()
        assert not RepairReveal.objects.exists()
        # Bob sending it is what reveals it.
        revealed = put(as_bob, repair, "felt", "Sent SECRET-B1")
        assert step_of(revealed.json(), "felt")["partner"]["text"] == "Sent SECRET-A1"

    def test_a_revealed_step_is_final(self, as_alice, as_bob, repair):
        put(as_alice, repair, "felt", "A")
        put(as_bob, repair, "felt", "B")
        again = put(as_alice, repair, "felt", "Rewritten")
        assert again.status_code == 409
        assert put(as_bob, repair, "felt", "B", submit=False).status_code == 409
        assert RepairAnswer.objects.get(author__email="alice@example.com", step="felt").text == "A"

    def test_an_answer_can_change_until_the_step_is_revealed(self, as_alice, as_bob, repair):
        put(as_alice, repair, "felt", "First")
        put(as_alice, repair, "felt", "Second")
        put(as_bob, repair, "felt", "B")
        assert step_of(as_bob.get(f"/api/v1/repairs/{repair}/").json(), "felt")["partner"]["text"] == "Second"

    def test_a_step_not_yet_open_is_409_and_an_unknown_one_404(self, as_alice, repair):
        assert put(as_alice, repair, "needed", "Too soon").status_code == 409
        assert put(as_alice, repair, "commitment", commitment()).status_code == 409
        assert put(as_alice, repair, "nonsense", "x").status_code == 404
        assert not RepairAnswer.objects.exists()

    def test_the_whole_conversation_ends_in_two_commitments(self, as_alice, as_bob, alice, bob, repair):
        for key in STEP_KEYS[:-1]:
            put(as_alice, repair, key, f"{key} A")
            put(as_bob, repair, key, f"{key} B")
        put(as_alice, repair, "commitment", commitment("Ask for a pause"))
        done = put(as_bob, repair, "commitment", commitment("Say the signal", DUE + dt.timedelta(days=1)))
        assert done.status_code == 200
        body = done.json()
        assert body["status"] == "completed" and body["closed_at"] == iso(NOW)
        assert states(body) == ["revealed"] * 5
        assert step_of(body, "commitment")["partner"] == {"text": "Ask for a pause", "due": iso(DUE)}
        made = {c.author_id: (c.text, c.due_at, c.status) for c in Commitment.objects.all()}
        assert made == {
            alice.pk: ("Ask for a pause", DUE, "open"),
            bob.pk: ("Say the signal", DUE + dt.timedelta(days=1), "open"),
        }
        listed = as_bob.get("/api/v1/repairs/commitments/").json()["results"]
        assert [(c["made_by"], c["status"]) for c in listed] == [(alice.pk, "open"), (bob.pk, "open")]
        # A closed repair takes no more answers and cannot be stopped.
        assert as_alice.post(f"/api/v1/repairs/{repair}/stop/").status_code == 409


class TestBadInput:
    @pytest.mark.parametrize(
        "value,field",
        [
            (3, "value"),
            ({"text": "x"}, "value"),
            ("x" * 2001, "value"),
            (None, "value"),
        ],
    )
    def test_text_steps(self, as_alice, repair, value, field):
        response = put(as_alice, repair, "felt", value)
        assert response.status_code == 400 and field in response.json()

    @pytest.mark.parametrize(
        "value,field",
        [
            ("Just a string", "value"),
            ({"text": "Do it"}, "due"),
            ({"text": "Do it", "due": "2026-03-07T20:00:00"}, "due"),
            ({"text": "Do it", "due": iso(NOW - dt.timedelta(hours=1))}, "due"),
            ({"text": "Do it", "due": iso(NOW + dt.timedelta(days=91))}, "due"),
            ({"text": "", "due": iso(DUE)}, "text"),
            ({"text": "x" * 281, "due": iso(DUE)}, "text"),
            ({"text": 5, "due": iso(DUE)}, "text"),
        ],
    )
    def test_the_commitment(self, as_alice, as_bob, repair, value, field):
        for key in STEP_KEYS[:-1]:
            put(as_alice, repair, key, "A")
            put(as_bob, repair, key, "B")
        response = put(as_alice, repair, "commitment", value)
        assert response.status_code == 400, response.content
        assert field in response.json()

    def test_missing_value_and_bad_submit(self, as_alice, repair):
        assert "value" in as_alice.put(f"/api/v1/repairs/{repair}/steps/felt/", {}, format="json").json()
        bad = put(as_alice, repair, "felt", "x", submit="maybe")
        assert bad.status_code == 400 and "submit" in bad.json()

    def test_a_timeout_that_is_not_ours(self, as_alice, couple, mallory, mallory_couple):
        from space.services import space_take

        theirs = space_take(couple=mallory_couple, user=mallory, reconnect_by=NOW + dt.timedelta(hours=1))
        response = start(as_alice, timeout=theirs.pk)
        assert response.status_code == 400 and "timeout" in response.json()
        assert start(as_alice, timeout="x").status_code == 400
        assert not Repair.objects.exists()


class TestTheTriggerLink:
    def test_the_partner_sees_nothing_of_the_entry(self, as_alice, as_bob, alice, bob, repair):
        entry = journal.entry_create(
            author=alice, kind="trigger", text="TRIGGER-TEXT", trigger_category="no_reply", intensity_before=7
        )
        for key in ("felt", "needed"):
            put(as_alice, repair, key, "A")
            put(as_bob, repair, key, "B")
        mine = put(as_alice, repair, "set_off", "Old stuff", trigger_entry=entry.pk)
        assert mine.status_code == 200
        assert step_of(mine.json(), "set_off")["mine"]["trigger_entry"] == entry.pk
        put(as_bob, repair, "set_off", "A long day")
        bob_view = as_bob.get(f"/api/v1/repairs/{repair}/")
        assert step_of(bob_view.json(), "set_off")["partner"] == {"text": "Old stuff", "due": None}
        text = bob_view.content.decode()
        assert "TRIGGER-TEXT" not in text and 'trigger_entry": ' + str(entry.pk) not in text
        assert '"no_reply"' not in text

    def test_only_my_own_trigger_entries_on_the_set_off_step(self, as_alice, as_bob, alice, bob, repair):
        bobs = journal.entry_create(
            author=bob, kind="trigger", text="his", trigger_category="no_reply", intensity_before=5
        )
        plain = journal.entry_create(author=alice, kind="entry", text="a diary page")
        assert put(as_alice, repair, "felt", "A", trigger_entry=plain.pk).status_code == 400  # wrong step
        put(as_alice, repair, "felt", "A")
        put(as_bob, repair, "felt", "B")
        put(as_alice, repair, "needed", "A")
        put(as_bob, repair, "needed", "B")
        for entry_id in (bobs.pk, plain.pk, 987654):
            response = put(as_alice, repair, "set_off", "x", trigger_entry=entry_id)
            assert response.status_code == 400 and "trigger_entry" in response.json()


class TestOneOpenStopAndExpiry:
    def test_one_open_per_couple(self, as_alice, as_bob, repair):
        second = start(as_bob)
        assert second.status_code == 409 and second.json()["repair"] == repair
        assert Repair.objects.count() == 1

    def test_either_partner_stops_it_alone(self, as_alice, as_bob, bob, repair):
        put(as_alice, repair, "felt", "SECRET-A1")
        stopped = as_bob.post(f"/api/v1/repairs/{repair}/stop/")
        assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
        assert states(stopped.json()) == ["locked"] * 5
        assert "SECRET-A1" not in stopped.content.decode()
        assert put(as_alice, repair, "felt", "more").status_code == 409
        assert as_alice.post(f"/api/v1/repairs/{repair}/stop/").status_code == 409
        assert Repair.objects.get().closed_by == bob
        assert start(as_alice).status_code == 201

    def test_after_seven_days_it_closes_silently(self, as_alice, as_bob, alice, bob, repair, _frozen, settings):
        put(as_alice, repair, "felt", "A")
        dispatch_tick()  # Bob hears once that Alice would like to talk
        before = Notification.objects.count()
        _frozen.move_to(NOW + dt.timedelta(days=7))
        # Read as expired at once, before any sweep.
        assert as_bob.get(f"/api/v1/repairs/{repair}/").json()["status"] == "expired"
        assert put(as_bob, repair, "felt", "late").status_code == 409
        assert conversation.repairs_expire() == 1
        assert conversation.repairs_expire() == 0
        repair_row = Repair.objects.get()
        assert repair_row.status == "expired" and repair_row.closed_at == NOW + dt.timedelta(days=7)
        dispatch_tick()
        assert Notification.objects.count() == before
        assert start(as_bob).status_code == 201

    def test_the_open_days_are_a_setting(self, as_alice, couple, settings):
        settings.STEADY_REPAIR_OPEN_DAYS = 2
        assert start(as_alice).json()["expires_at"] == iso(NOW + dt.timedelta(days=2))

    def test_the_couple_ending_closes_it_silently(self, as_alice, as_bob, alice, bob, couple, repair):
        for key in STEP_KEYS[:-1]:
            put(as_alice, repair, key, "A")
            put(as_bob, repair, key, "B")
        put(as_alice, repair, "commitment", commitment())
        put(as_bob, repair, "commitment", commitment())
        open_one = start(as_bob).json()["id"]
        dispatch_tick()
        before = Notification.objects.count()
        couple_leave(user=alice, password=PASSWORD)
        assert Repair.objects.get(pk=open_one).status == "ended"
        assert set(Commitment.objects.values_list("status", flat=True)) == {"ended"}
        assert not Reminder.objects.filter(kind__startswith="repair_", status="pending").exists()
        with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
            dispatch_tick()
        assert Notification.objects.count() == before
        assert as_bob.get(f"/api/v1/repairs/{open_one}/").status_code == 404


class TestNotifications:
    def test_content_free_and_once(self, as_alice, as_bob, alice, bob, repair, _frozen):
        dispatch_tick()
        dispatch_tick()
        assert titles(bob) == ["Your partner would like to talk things through in a repair conversation"]
        assert titles(alice) == []
        put(as_alice, repair, "felt", "SECRET-A1")
        put(as_bob, repair, "felt", "SECRET-B1")
        dispatch_tick()
        dispatch_tick()
        # The one who sent first hears the step is there; the one who just
        # revealed it is looking at it. Nobody hears the other hasn't answered.
        assert titles(alice) == ["A step of your repair conversation is ready to read"]
        assert titles(bob) == ["Your partner would like to talk things through in a repair conversation"]

    def test_the_commitment_reminder_fires_once_at_its_time(self, as_alice, as_bob, alice, bob, repair, _frozen):
        for key in STEP_KEYS[:-1]:
            put(as_alice, repair, key, "A")
            put(as_bob, repair, key, "B")
        put(as_alice, repair, "commitment", commitment("SECRET-PROMISE"))
        put(as_bob, repair, "commitment", commitment("Other", DUE + dt.timedelta(days=2)))
        dispatch_tick()
        Notification.objects.all().delete()
        _frozen.move_to(DUE - dt.timedelta(minutes=1))
        dispatch_tick()
        assert titles(alice) == []
        _frozen.move_to(DUE)
        dispatch_tick()
        dispatch_tick()
        assert titles(alice) == ["It's the time you set for your repair commitment"]
        assert titles(bob) == []
        for title, url in Notification.objects.values_list("title", "url"):
            assert "SECRET" not in title and "Alice" not in title and url == f"/repair/{repair}/"

    def test_keeping_it_cancels_the_reminder_and_only_its_maker_keeps(self, as_alice, as_bob, alice, repair, _frozen):
        for key in STEP_KEYS[:-1]:
            put(as_alice, repair, key, "A")
            put(as_bob, repair, key, "B")
        put(as_alice, repair, "commitment", commitment())
        put(as_bob, repair, "commitment", commitment())
        mine = Commitment.objects.get(author=alice)
        assert as_bob.post(f"/api/v1/repairs/commitments/{mine.pk}/keep/").status_code == 404
        kept = as_alice.post(f"/api/v1/repairs/commitments/{mine.pk}/keep/")
        assert kept.status_code == 200 and kept.json()["status"] == "kept"
        assert as_alice.post(f"/api/v1/repairs/commitments/{mine.pk}/keep/").status_code == 409
        Notification.objects.all().delete()
        _frozen.move_to(DUE)
        dispatch_tick()
        assert titles(alice) == []


class TestEvents:
    def test_events_carry_no_text_and_no_one_sided_answer(self, as_alice, as_bob, repair):
        put(as_alice, repair, "felt", "SECRET-A1")
        only_one = as_bob.get(f"/api/v1/repairs/{repair}/events/?since=0").json()
        assert [e["kind"] for e in only_one["results"]] == ["started"]
        put(as_bob, repair, "felt", "SECRET-B1")
        body = as_bob.get(f"/api/v1/repairs/{repair}/events/?since=1")
        assert [(e["seq"], e["kind"], e["data"]) for e in body.json()["results"]] == [
            (2, "step_revealed", {"step": "felt"})
        ]
        assert body.json()["last_seq"] == 2 and "SECRET" not in body.content.decode()
        assert as_bob.get(f"/api/v1/repairs/{repair}/events/?since=-1").status_code == 400


class TestNeverACheckIn:
    def test_not_a_format_and_not_startable_as_a_check_in(self, as_alice, alice, couple):
        formats = as_alice.get("/api/v1/checkins/formats/").json()["results"]
        assert "repair" not in [f["key"] for f in formats]
        response = as_alice.post("/api/v1/checkins/", {"format": "repair"}, format="json")
        assert response.status_code == 409
        # A couple's own format called "Repair" never takes the key.
        made = as_alice.post(
            "/api/v1/checkins/formats/",
            {"name": "Repair", "steps": [{"key": "a", "kind": "text", "prompt": "Hi"}]},
            format="json",
        )
        assert made.status_code == 201 and made.json()["key"] != "repair"
        assert as_alice.post("/api/v1/checkins/", {"format": "repair"}, format="json").status_code == 409

    def test_repairs_are_not_in_check_in_lists(self, as_alice, as_bob, repair):
        put(as_alice, repair, "felt", "A")
        put(as_bob, repair, "felt", "B")
        assert CheckIn.objects.count() == 0
        assert as_alice.get("/api/v1/checkins/").json()["count"] == 0


class TestListAndQueries:
    def test_the_list_is_newest_first_and_its_queries_pinned(
        self, as_alice, as_bob, repair, django_assert_max_num_queries
    ):
        as_alice.post(f"/api/v1/repairs/{repair}/stop/")
        second = start(as_bob).json()["id"]
        with django_assert_max_num_queries(2):
            body = as_alice.get("/api/v1/repairs/").json()
        assert [r["id"] for r in body["results"]] == [second, repair]
        assert [r["status"] for r in body["results"]] == ["open", "stopped"]

    def test_the_detail_queries_are_pinned(self, as_alice, as_bob, repair, django_assert_max_num_queries):
        put(as_alice, repair, "felt", "A")
        put(as_bob, repair, "felt", "B")
        with django_assert_max_num_queries(5):
            assert as_alice.get(f"/api/v1/repairs/{repair}/").status_code == 200


class TestTimeoutThenRepair:
    def test_a_repair_follows_a_time_out(self, as_alice, alice, bob, couple):
        from repair import services

        rules = services.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60)
        services.timeout_rules_accept(rules=rules, user=bob, version=1)
        period = services.timeout_take(couple=couple, user=alice, reconnect_by=NOW + dt.timedelta(minutes=30))
        back = as_alice.post(f"/api/v1/space/{period.pk}/reconnect/").json()
        assert back["repair_offer"] is True
        response = start(as_alice, timeout=period.pk)
        assert response.status_code == 201 and response.json()["timeout"] == period.pk
        assert SpacePeriod.objects.get(pk=period.pk).kind == Kind.TIMEOUT


class TestLifecycle:
    def test_export_has_mine_and_only_revealed_partner_answers(self, as_alice, as_bob, alice, bob, repair):
        entry = journal.entry_create(
            author=bob, kind="trigger", text="T", trigger_category="no_reply", intensity_before=3
        )
        put(as_alice, repair, "felt", "ALICE-FELT")
        put(as_bob, repair, "felt", "BOB-FELT")
        put(as_alice, repair, "needed", "ALICE-NEEDED")
        put(as_bob, repair, "needed", "BOB-NEEDED-DRAFT", submit=False)
        body = as_alice.get("/api/v1/me/export/").json()["repairs"]
        steps = {s["key"]: s for s in body["conversations"][0]["steps"]}
        assert steps["felt"]["mine"]["text"] == "ALICE-FELT" and steps["felt"]["partner"]["text"] == "BOB-FELT"
        assert steps["needed"]["mine"]["text"] == "ALICE-NEEDED" and steps["needed"]["partner"] is None
        assert "BOB-NEEDED-DRAFT" not in json.dumps(body)
        bob_export = as_bob.get("/api/v1/me/export/").json()["repairs"]
        assert "BOB-NEEDED-DRAFT" in json.dumps(bob_export)  # his own draft is his
        assert "ALICE-NEEDED" not in json.dumps(bob_export)
        assert entry.pk  # bob's trigger entry never appears in alice's export
        assert 'trigger_entry": ' + str(entry.pk) not in json.dumps(body)

    def test_export_has_my_commitments(self, as_alice, as_bob, alice, repair):
        for key in STEP_KEYS[:-1]:
            put(as_alice, repair, key, "A")
            put(as_bob, repair, key, "B")
        put(as_alice, repair, "commitment", commitment("MINE"))
        put(as_bob, repair, "commitment", commitment("HIS"))
        body = as_alice.get("/api/v1/me/export/").json()["repairs"]
        assert [c["text"] for c in body["my_commitments"]] == ["MINE"]

    def test_erasure_removes_my_answers_and_commitments(self, as_alice, as_bob, alice, bob, repair):
        from accounts.services import account_delete

        for key in STEP_KEYS[:-1]:
            put(as_alice, repair, key, "A")
            put(as_bob, repair, key, "B")
        put(as_alice, repair, "commitment", commitment())
        put(as_bob, repair, "commitment", commitment())
        alice_id = alice.pk
        account_delete(user=alice, password=PASSWORD)
        assert not RepairAnswer.objects.filter(author_id=alice_id).exists()
        assert not Commitment.objects.filter(author_id=alice_id).exists()
        assert RepairAnswer.objects.filter(author=bob).count() == 5
        assert Repair.objects.get().started_by is None

    def test_seed_demo_has_one_repaired_time_out(self, settings):
        from django.core.management import call_command

        settings.DEBUG = True
        call_command("seed_demo")
        call_command("seed_demo")
        # Bob's; the ledger's demo (promises/demo.py) adds Alice's, a month earlier.
        repair = Repair.objects.get(timeout__author__email__startswith="bob")
        assert Repair.objects.count() == 2
        assert repair.status == "completed" and repair.timeout.kind == Kind.TIMEOUT
        assert RepairReveal.objects.filter(repair=repair).count() == 5
        assert Commitment.objects.filter(repair=repair).count() == 2


def test_a_conflict_is_a_domain_error(alice, couple):
    conversation.repair_start(couple=couple, user=alice)
    with pytest.raises(Conflict):
        conversation.repair_start(couple=couple, user=alice)


class TestTherapistSummary:
    """No scope shows a repair: its answers, commitments and even its
    existence stay out of every section (and out of check-in consistency)."""

    def test_nothing_of_a_repair_reaches_the_summary(self, couple, alice, bob, theo, settings, tmp_path):
        from therapists.models import Grant

        from .conftest import client_for
        from .test_therapists_support import active_grant

        settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
        grant = active_grant(couple, alice, bob, theo)
        repair = conversation.repair_start(couple=couple, user=alice)
        for step in STEP_KEYS[:-1]:
            for user in (alice, bob):
                conversation.repair_answer(repair_id=repair.pk, user=user, step=step, text=f"REPAIR-SECRET {step}")
        from therapists import services as therapists

        assert Grant.objects.active(timezone.now()).filter(pk=grant.pk).exists()
        summary = therapists.therapist_summary_read(
            therapist=theo, grant=grant, start=NOW.date() - dt.timedelta(days=7), end=NOW.date(), ip=None
        )
        text = json.dumps(summary, default=str)
        assert "REPAIR-SECRET" not in text and "repair" not in text.lower()
        assert client_for(theo).get(f"/api/v1/repairs/{repair.pk}/").status_code == 404
        assert summary["sections"]["checkin_consistency"]["totals"]["completed"] == 0
