"""The reassurance ritual and "I steadied myself" (issue #21): the ritual
agreed like time-out rules, DST-true times, occurrences made by the tick
and revealed together, closing silently, phrases seen only inside an
occurrence, never a "needs reassurance" ping or a count, steadied records
sealed at rest, digests shared and taken back, and the whole life."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from couples.services import couple_leave
from journal import services as journal
from reassurance import services
from reassurance.models import Digest, Message, Occurrence, Phrase, Ritual, Steadied
from reminders.kinds import KINDS
from reminders.models import Notification, Reminder
from repair import services as repair
from space import services as space

pytestmark = pytest.mark.django_db

RITUAL = "/api/v1/reassurance/ritual/"
PHRASES = "/api/v1/reassurance/phrases/"
OCC = "/api/v1/reassurance/occurrences/"
STEADIED = "/api/v1/steadied/"
DIGESTS = "/api/v1/steadied/digests/"
# A Monday, before Berlin's spring-forward (29 March 2026).
NOW = dt.datetime(2026, 3, 23, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def weekly(days=(0, 2), time="20:30", tz="Europe/Berlin"):
    return {"weekdays": list(days), "time": time, "timezone": tz}


def agreed(as_alice, as_bob, body=None):
    made = as_alice.post(RITUAL, body or weekly(), format="json")
    assert made.status_code == 201, made.content
    accepted = as_bob.post(f"{RITUAL}{made.json()['id']}/accept/", {"version": 1}, format="json")
    assert accepted.status_code == 200, accepted.content
    return accepted.json()


class TestRitual:
    def test_proposed_by_one_accepted_by_the_other(self, clock, couple, as_alice, as_bob):
        assert as_alice.get(RITUAL).status_code == 404
        made = as_alice.post(RITUAL, weekly(), format="json")
        assert made.status_code == 201
        body = made.json()
        assert body["status"] == "proposed" and body["version"] == 1 and body["next_at"] is None
        assert body["can_accept"] is False and as_bob.get(RITUAL).json()["can_accept"] is True
        rid = body["id"]
        assert as_alice.post(f"{RITUAL}{rid}/accept/", {"version": 1}, format="json").status_code == 403
        assert as_bob.post(f"{RITUAL}{rid}/accept/", {"version": 2}, format="json").status_code == 409
        done = as_bob.post(f"{RITUAL}{rid}/accept/", {"version": 1}, format="json").json()
        assert done["status"] == "active"
        # Monday 23 March, 20:30 in Berlin (CET, UTC+1) = 19:30 UTC.
        assert done["next_at"] == "2026-03-23T19:30:00Z"
        assert done["active"]["description"] == "Mondays and Wednesdays at 20:30 (Europe/Berlin)"

    def test_an_amendment_keeps_the_version_in_force(self, clock, couple, as_alice, as_bob):
        first = agreed(as_alice, as_bob)
        again = as_bob.post(RITUAL, {"after_timeout_minutes": 15, "version": 1}, format="json")
        assert again.status_code == 201
        body = again.json()
        assert body["status"] == "proposed" and body["version"] == 2
        assert body["active"]["mode"] == "weekly" and body["next_at"] == first["next_at"]
        assert as_bob.post(RITUAL, weekly(), format="json").status_code == 201  # no version: the web's own lock
        assert as_alice.post(RITUAL, {**weekly(), "version": 1}, format="json").status_code == 409  # stale

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"weekdays": [], "time": "20:00", "timezone": "Europe/Berlin"}, "weekdays"),
            ({"weekdays": [7], "time": "20:00", "timezone": "Europe/Berlin"}, "weekdays"),
            ({"weekdays": [1], "time": "20:00", "timezone": "Mars/Base"}, "timezone"),
            ({"weekdays": [1], "timezone": "Europe/Berlin"}, "time"),
            ({"weekdays": ["1"], "time": "20:00", "timezone": "Europe/Berlin"}, "weekdays"),
            ({"after_timeout_minutes": 999}, "after_timeout_minutes"),
            ({"after_timeout_minutes": "10"}, "after_timeout_minutes"),
            ({"after_timeout_minutes": 10, "weekdays": [1]}, "after_timeout_minutes"),
            ({"weekdays": [1], "time": "25:00", "timezone": "Europe/Berlin"}, "time"),
        ],
    )
    def test_bad_terms_are_field_errors(self, couple, as_alice, body, field):
        response = as_alice.post(RITUAL, body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert not Ritual.objects.exists()

    @pytest.mark.parametrize("who", ["as_mallory", "as_theo"])
    def test_strangers_get_404(self, request, couple, mallory_couple, as_alice, as_bob, who):
        rid = agreed(as_alice, as_bob)["id"]
        stranger = request.getfixturevalue(who)
        assert stranger.get(RITUAL).status_code == 404
        assert stranger.post(f"{RITUAL}{rid}/accept/", {"version": 1}, format="json").status_code == 404


class TestDstTrueTimes:
    def test_berlin_across_spring_forward(self):
        # Sunday 29 March 2026: 02:00 → 03:00 in Berlin. 20:30 stays 20:30.
        before = services.ritual_next_at(
            weekdays=[5], time=dt.time(20, 30), tz="Europe/Berlin", after=dt.datetime(2026, 3, 27, tzinfo=dt.UTC)
        )
        after = services.ritual_next_at(
            weekdays=[0], time=dt.time(20, 30), tz="Europe/Berlin", after=dt.datetime(2026, 3, 29, tzinfo=dt.UTC)
        )
        assert before == dt.datetime(2026, 3, 28, 19, 30, tzinfo=dt.UTC)  # CET
        assert after == dt.datetime(2026, 3, 30, 18, 30, tzinfo=dt.UTC)  # CEST

    def test_a_skipped_time_moves_to_the_jump_and_a_repeated_one_is_its_first(self):
        gap = services.ritual_next_at(
            weekdays=[6], time=dt.time(2, 30), tz="Europe/Berlin", after=dt.datetime(2026, 3, 28, tzinfo=dt.UTC)
        )
        assert gap == dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)  # 03:00 CEST, the jump
        fold = services.ritual_next_at(
            weekdays=[6], time=dt.time(2, 30), tz="Europe/Berlin", after=dt.datetime(2026, 10, 24, tzinfo=dt.UTC)
        )
        assert fold == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 CEST, the first pass

    def test_the_tick_keeps_the_wall_clock_over_the_change(self, couple, alice, bob):
        with time_machine.travel(dt.datetime(2026, 3, 26, tzinfo=dt.UTC), tick=False) as t:
            ritual = services.ritual_propose(
                user=alice, data={"weekdays": [5, 0], "time": dt.time(20, 30), "timezone": "Europe/Berlin"}
            )
            services.ritual_accept(ritual_id=ritual.pk, user=bob, version=1)
            seen = []
            for day in range(27, 32):
                t.move_to(dt.datetime(2026, 3, day, 23, 0, tzinfo=dt.UTC))
                services.occurrences_tick()
            seen = list(Occurrence.objects.order_by("at").values_list("at", flat=True))
        assert seen == [
            dt.datetime(2026, 3, 28, 19, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 3, 30, 18, 30, tzinfo=dt.UTC),
        ]


def _open_occurrence(alice, bob, *, at=None):
    ritual = services.ritual_propose(user=alice, data={"weekdays": [0], "time": dt.time(12), "timezone": "UTC"})
    services.ritual_accept(ritual_id=ritual.pk, user=bob, version=1)
    at = at or timezone.now() - dt.timedelta(minutes=5)
    Ritual.objects.filter(pk=ritual.pk).update(next_at=at)
    services.occurrences_tick()
    return Occurrence.objects.get(ritual=ritual, at=at)


class TestOccurrences:
    def test_the_tick_makes_one_at_the_time_and_reminds_each_once(self, clock, couple, alice, bob):
        occurrence = _open_occurrence(alice, bob)
        assert set(Reminder.objects.filter(kind="reassurance_ritual").values_list("user_id", "target_id")) == {
            (alice.pk, occurrence.pk),
            (bob.pk, occurrence.pk),
        }
        services.occurrences_tick()  # again: nothing new
        assert Occurrence.objects.count() == 1 and Reminder.objects.filter(kind="reassurance_ritual").count() == 2
        assert Ritual.objects.get().next_at > timezone.now()

    def test_the_tick_reads_only_what_is_due(self, clock, couple, alice, bob, mallory_couple, mallory, mike):
        # Many couples with rituals not yet due cost the tick nothing more.
        for a, b in ((alice, bob), (mallory, mike)):
            r = services.ritual_propose(user=a, data={"weekdays": [3], "time": dt.time(9), "timezone": "UTC"})
            services.ritual_accept(ritual_id=r.pk, user=b, version=1)
        with CaptureQueriesContext(connection) as idle:
            services.occurrences_tick()
        sql = " ".join(q["sql"] for q in idle.captured_queries)
        assert '"next_at" <=' in sql and "reconnected_at" in sql
        assert len(idle.captured_queries) <= 6
        assert not Occurrence.objects.exists()

    def test_revealed_when_both_wrote_on_every_path(self, clock, couple, alice, bob, as_alice, as_bob):
        o = _open_occurrence(alice, bob)
        url = f"{OCC}{o.pk}/"
        first = as_alice.put(url, {"text": "SECRET-A I'm here"}, format="json")
        assert first.status_code == 200 and first.json()["status"] == "waiting" and first.json()["partner"] is None
        for path in (url, OCC):
            assert "SECRET-A" not in as_bob.get(path).content.decode()
        assert as_bob.get(url).json()["status"] == "open"  # nothing says alice wrote
        page = client_for_web(bob).get(f"/reassurance/{o.pk}/")
        assert page.status_code == 200 and "SECRET-A" not in page.content.decode()
        from reassurance.selectors import reassurance_export

        assert "SECRET-A" not in str(reassurance_export(user=bob))
        both = as_bob.put(url, {"text": "SECRET-B thank you"}, format="json").json()
        assert both["status"] == "revealed" and both["partner"] == "SECRET-A I'm here"
        assert as_alice.get(url).json()["partner"] == "SECRET-B thank you"
        assert "SECRET-A" in client_for_web(bob).get(f"/reassurance/{o.pk}/").content.decode()
        assert "SECRET-A" in str(reassurance_export(user=bob))
        assert as_alice.put(url, {"text": "changed"}, format="json").status_code == 409

    def test_one_nobody_or_only_one_answered_closes_silently(self, clock, couple, alice, bob, as_alice, as_bob):
        o = _open_occurrence(alice, bob)
        as_alice.put(f"{OCC}{o.pk}/", {"text": "SECRET-ONLY-ME"}, format="json")
        clock.shift(services.OPEN_FOR + dt.timedelta(minutes=1))
        before = Notification.objects.count()
        services.occurrences_tick()
        o.refresh_from_db()
        assert o.closed_at is not None and o.revealed_at is None
        mine, theirs = as_alice.get(f"{OCC}{o.pk}/").json(), as_bob.get(f"{OCC}{o.pk}/").json()
        assert mine["status"] == theirs["status"] == "closed"
        assert theirs["mine"] is None and theirs["partner"] is None and "SECRET" not in str(theirs)
        assert set(theirs) == set(mine)  # the same shape: nothing marks who did not write
        assert Notification.objects.count() == before
        assert as_alice.put(f"{OCC}{o.pk}/", {"text": "late"}, format="json").status_code == 409

    def test_partner_phrases_only_inside_an_open_occurrence(self, clock, couple, alice, bob, as_alice, as_bob):
        as_bob.post(PHRASES, {"text": "PHRASE-BOB I'm not going anywhere"}, format="json")
        assert "PHRASE-BOB" not in as_alice.get(PHRASES).content.decode()
        o = _open_occurrence(alice, bob)
        assert as_alice.get(f"{OCC}{o.pk}/").json()["partner_phrases"] == ["PHRASE-BOB I'm not going anywhere"]
        assert "PHRASE-BOB" not in as_alice.get(OCC).content.decode()
        clock.shift(services.OPEN_FOR + dt.timedelta(minutes=1))
        assert as_alice.get(f"{OCC}{o.pk}/").json()["partner_phrases"] == []

    def test_bad_input_and_strangers(self, clock, couple, alice, bob, as_alice, as_mallory, as_theo, mallory_couple):
        o = _open_occurrence(alice, bob)
        url = f"{OCC}{o.pk}/"
        assert as_alice.put(url, {"text": ""}, format="json").status_code == 400
        assert as_alice.put(url, {"text": 5}, format="json").status_code == 400
        assert as_alice.put(url, {"text": "x" * 501}, format="json").status_code == 400
        for stranger in (as_mallory, as_theo):
            assert stranger.get(url).status_code == 404
            assert stranger.put(url, {"text": "hi"}, format="json").status_code == 404
        assert as_theo.get(OCC).status_code == 404

    def test_after_a_time_out_ends(self, clock, couple, alice, bob):
        rules = repair.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60)
        repair.timeout_rules_accept(rules=rules, user=bob, version=1)
        r = services.ritual_propose(user=alice, data={"after_timeout_minutes": 10})
        services.ritual_accept(ritual_id=r.pk, user=bob, version=1)
        period = repair.timeout_take(couple=couple, user=bob, reconnect_by=timezone.now() + dt.timedelta(minutes=30))
        ritual = Ritual.objects.get()
        terms = services.ritual_in_force(couple=couple)
        assert services.ritual_next_time(
            ritual=ritual, terms=terms, now=timezone.now()
        ) == period.reconnect_by + dt.timedelta(minutes=10)
        clock.shift(dt.timedelta(minutes=25))
        space.space_reconnect(period=period, user=bob)
        services.occurrences_tick()
        assert not Occurrence.objects.exists()  # not yet: ten minutes after
        clock.shift(dt.timedelta(minutes=10))
        services.occurrences_tick()
        services.occurrences_tick()
        o = Occurrence.objects.get()
        period.refresh_from_db()
        assert o.timeout_id == period.pk and o.at == period.reconnected_at + dt.timedelta(minutes=10)
        assert Reminder.objects.filter(kind="reassurance_ritual", target_id=o.pk).count() == 2


def client_for_web(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


class TestNeverOnDemand:
    def test_no_ping_no_request_no_count(self):
        from django.urls import get_resolver

        kinds = [k for k in KINDS.values() if k.load.__module__.startswith("reassurance.")]
        assert [k.key for k in kinds] == ["reassurance_ritual"]
        for k in kinds:
            assert "need" not in k.title.lower() and "partner" not in k.title.lower()
            assert k.opt_in
        routes = [str(p.pattern) for p in get_resolver().url_patterns]
        everything = " ".join(routes)
        for word in ("request", "need", "ask", "ping", "nudge"):
            assert word not in everything.replace("api/", "")

    def test_nothing_counts_and_nothing_tells_the_partner(self, clock, couple, alice, bob, as_alice, as_bob):
        agreed(as_alice, as_bob)
        o = _open_occurrence_from_existing(alice)
        as_alice.put(f"{OCC}{o.pk}/", {"text": "hello"}, format="json")
        as_alice.post(STEADIED, {"what": "breathing"}, format="json")
        for body in (as_bob.get(RITUAL).json(), as_bob.get(f"{OCC}{o.pk}/").json()):
            assert not any("count" in key or "requests" in key for key in body)
        # Writing sends the partner nothing.
        assert not Reminder.objects.filter(user=bob).exclude(kind="reassurance_ritual").exists()
        assert not Notification.objects.filter(user=bob).exists()
        assert not as_bob.get(OCC).json().get("count_requests")


def _open_occurrence_from_existing(alice):
    ritual = Ritual.objects.get()
    at = timezone.now() - dt.timedelta(minutes=1)
    Ritual.objects.filter(pk=ritual.pk).update(next_at=at)
    services.occurrences_tick()
    return Occurrence.objects.get(at=at)


class TestReminder:
    def test_opt_in_once_content_free(self, clock, couple, alice, bob):
        kind = KINDS["reassurance_ritual"]
        assert kind.opt_in and "{" not in kind.title
        o = _open_occurrence(alice, bob)
        reminder = Reminder.objects.get(user=alice, target_id=o.pk)
        target = kind.load([o.pk])[o.pk]
        assert kind.still_due(reminder, target, timezone.now())
        Message.objects.create(occurrence=o, author=alice, text="done")
        target = kind.load([o.pk])[o.pk]
        assert not kind.still_due(reminder, target, timezone.now())
        assert kind.next_due is None  # once per occurrence

    def test_dispatch_sends_only_to_who_turned_it_on(self, clock, couple, alice, bob):
        from reminders.dispatch import dispatch_tick
        from reminders.services import preferences_update

        preferences_update(user=alice, data={"kinds": {"reassurance_ritual": True}})
        alice.quiet_hours_start = alice.quiet_hours_end = None
        alice.save()
        _open_occurrence(alice, bob)
        dispatch_tick(now=timezone.now())
        assert list(Notification.objects.values_list("user_id", "title")) == [(alice.pk, "It's your reassurance time")]


class TestPhrases:
    def test_crud_own_only(self, couple, as_alice, as_bob, as_mallory):
        made = as_alice.post(PHRASES, {"text": "  We're okay  "}, format="json")
        assert made.status_code == 201 and made.json()["text"] == "We're okay"
        pid = made.json()["id"]
        assert as_alice.patch(f"{PHRASES}{pid}/", {"text": "We're fine"}, format="json").json()["text"] == "We're fine"
        for other in (as_bob, as_mallory):
            assert other.patch(f"{PHRASES}{pid}/", {"text": "x"}, format="json").status_code == 404
            assert other.delete(f"{PHRASES}{pid}/").status_code == 404
            assert other.get(PHRASES).json() == []
        assert as_alice.post(PHRASES, {"text": ""}, format="json").status_code == 400
        assert as_alice.post(PHRASES, {"text": 3}, format="json").status_code == 400
        assert as_alice.post(PHRASES, {"text": "x" * 201}, format="json").status_code == 400
        assert as_alice.delete(f"{PHRASES}{pid}/").status_code == 204
        assert not Phrase.objects.exists()


class TestSteadied:
    def test_private_and_sealed_at_rest(self, couple, alice, as_alice, as_bob, as_theo):
        entry = journal.entry_create(
            author=alice, kind="trigger", text="x", trigger_category="no_reply", intensity_before=7
        )
        made = as_alice.post(
            STEADIED,
            {"what": "SECRET-WALK round the block", "helped": "a_lot", "after": {"journal_entry": entry.pk}},
            format="json",
        )
        assert made.status_code == 201, made.content
        assert (
            made.json()["after"] == {"journal_entry": entry.pk} and made.json()["what"] == "SECRET-WALK round the block"
        )
        raw = bytes(Steadied.objects.get().what_sealed)
        assert b"SECRET-WALK" not in raw
        with connection.cursor() as cursor:
            cursor.execute("SELECT what_sealed FROM reassurance_steadied")
            assert b"SECRET" not in bytes(cursor.fetchone()[0])
        assert as_bob.get(STEADIED).json()["results"] == []
        assert as_theo.get(STEADIED).status_code == 403
        assert as_alice.get(STEADIED).json()["results"][0]["what"] == "SECRET-WALK round the block"

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"what": ""}, "what"),
            ({"what": 5}, "what"),
            ({"what": "x" * 201}, "what"),
            ({"what": "ok", "helped": "hugely"}, "helped"),
            ({"what": "ok", "after": {"journal_entry": 987654}}, "after"),
            ({"what": "ok", "after": {"timeout": "1"}}, "after"),
            ({"what": "ok", "after": {"journal_entry": 1, "timeout": 1}}, "after"),
        ],
    )
    def test_bad_input(self, alice, as_alice, body, field):
        response = as_alice.post(STEADIED, body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()

    def test_not_after_someone_elses_timeout(self, couple, alice, bob, as_alice):
        period = space.space_take(couple=couple, user=bob, reconnect_by=timezone.now() + dt.timedelta(hours=1))
        assert (
            as_alice.post(STEADIED, {"what": "ok", "after": {"timeout": period.pk}}, format="json").status_code == 400
        )

    def test_digest_share_acknowledge_unshare(self, couple, alice, as_alice, as_bob, as_mallory, mallory_couple):
        month = timezone.now().strftime("%Y-%m")
        assert as_alice.post(DIGESTS, {"month": month}, format="json").status_code == 400  # nothing yet
        for what in ("Walk", "walk ", "Breathing"):
            as_alice.post(STEADIED, {"what": what, "helped": "a_lot" if what == "Breathing" else None}, format="json")
        shared = as_alice.post(DIGESTS, {"month": month}, format="json")
        assert shared.status_code == 201, shared.content
        assert shared.json()["items"] == [
            {"what": "Breathing", "times": 1, "a_lot": 1},
            {"what": "Walk", "times": 2, "a_lot": 0},
        ]
        assert as_alice.post(DIGESTS, {"month": month}, format="json").status_code == 409
        assert as_alice.post(DIGESTS, {"month": "2999-01"}, format="json").status_code == 400
        assert as_alice.post(DIGESTS, {"month": "soon"}, format="json").status_code == 400
        did = shared.json()["id"]
        got = as_bob.get(f"{DIGESTS}?box=shared_with_me").json()
        assert [d["id"] for d in got] == [did]
        assert as_bob.get(DIGESTS).json() == []
        assert as_alice.get(f"{DIGESTS}?box=bad").status_code == 400
        assert as_mallory.post(f"{DIGESTS}{did}/acknowledge/").status_code == 404
        assert as_alice.post(f"{DIGESTS}{did}/acknowledge/").status_code == 404  # not one's own
        assert as_bob.post(f"{DIGESTS}{did}/acknowledge/").json()["acknowledged_at"]
        assert as_bob.delete(f"{DIGESTS}{did}/").status_code == 404
        assert as_mallory.delete(f"{DIGESTS}{did}/").status_code == 404
        assert as_alice.delete(f"{DIGESTS}{did}/").status_code == 204
        assert as_bob.get(f"{DIGESTS}?box=shared_with_me").json() == []

    def test_patterns_page_shows_what_helped_most_in_own_words(self, alice, bob):
        for what, helped in (
            ("Cold water on my face", "a_lot"),
            ("Music", ""),
            ("Music", ""),
            ("cold water on my face", "a_lot"),
        ):
            services.steadied_record(user=alice, what=what, helped=helped)
        page = client_for_web(alice).get("/journal/patterns/").content.decode()
        assert page.index("Cold water on my face") < page.index("Music")
        assert "Cold water" not in client_for_web(bob).get("/journal/patterns/").content.decode()


class TestWholeLife:
    def test_leaving_closes_open_items_silently_and_each_keeps_their_own(self, clock, couple, alice, bob, password):
        o = _open_occurrence(alice, bob)
        services.phrase_add(user=alice, text="Mine")
        services.phrase_add(user=bob, text="His")
        services.steadied_record(user=alice, what="Walk")
        services.digest_share(user=alice, month=timezone.now().strftime("%Y-%m"))
        couple_leave(user=bob, password=password)
        o.refresh_from_db()
        assert o.closed_at is not None and o.revealed_at is None
        assert Ritual.objects.get().status == "retired" and Ritual.objects.get().next_at is None
        assert not Digest.objects.exists()
        assert Phrase.objects.count() == 2 and Steadied.objects.count() == 1
        assert not Reminder.objects.filter(kind="reassurance_ritual", status="pending").exists()

    def test_erasure_and_export(self, clock, couple, alice, bob, password):
        from accounts.services import account_delete
        from home.selectors import user_export

        o = _open_occurrence(alice, bob)
        services.message_write(user=alice, occurrence_id=o.pk, text="MSG-A")
        services.message_write(user=bob, occurrence_id=o.pk, text="MSG-B")
        services.phrase_add(user=alice, text="PHRASE-A")
        services.steadied_record(user=alice, what="STEADY-A")
        exported = user_export(user=alice)["reassurance"]
        assert exported["phrases"] == ["PHRASE-A"]
        assert exported["occurrences"][0]["mine"] == "MSG-A" and exported["occurrences"][0]["partner"] == "MSG-B"
        assert exported["steadied"][0]["what"] == "STEADY-A"
        assert "STEADY-A" not in str(user_export(user=bob)) and "PHRASE-A" not in str(user_export(user=bob))
        account_delete(user=alice, password=password)
        assert not Phrase.objects.filter(text="PHRASE-A").exists()
        assert not Steadied.objects.exists() and list(Message.objects.values_list("text", flat=True)) == ["MSG-B"]


class TestPages:
    def test_ritual_page_propose_accept_and_write(self, clock, couple, alice, bob):
        a, b = client_for_web(alice), client_for_web(bob)
        assert a.get("/reassurance/").status_code == 200
        a.post("/reassurance/", {"action": "propose", "mode": "weekly", "weekdays": ["0", "2"], "time": "20:30"})
        ritual = Ritual.objects.get()
        b.post("/reassurance/", {"action": "accept", "version": "1"})
        ritual.refresh_from_db()
        assert ritual.status == "active"
        page = b.get("/reassurance/").content.decode()
        assert "Monday 23 March, 15:30" in page  # bob's clock, New York
        assert "breathe" in page.lower()
        bad = a.post("/reassurance/", {"action": "propose", "mode": "weekly", "time": "20:30"})
        assert bad.status_code == 200 and "Choose at least one day" in bad.content.decode()
        home = a.get("/").content.decode()
        assert 'data-testid="reassurance-card"' in home and "Monday 23 March, 20:30" in home

    def test_steadied_and_phrases_pages(self, couple, alice):
        a = client_for_web(alice)
        assert a.post("/steadied/", {"action": "record", "what": "Walked", "helped": "a_lot"}).status_code == 302
        assert a.post("/steadied/", {"action": "record", "known": "Walked"}).status_code == 302
        assert Steadied.objects.count() == 2
        assert a.post("/steadied/", {"action": "record"}).status_code == 200
        assert a.post("/reassurance/phrases/", {"action": "add", "text": "We're okay"}).status_code == 302
        assert "We&#x27;re okay" in a.get("/reassurance/phrases/").content.decode()

    def test_strangers_pages(self, clock, couple, alice, bob, mallory, mallory_couple):
        o = _open_occurrence(alice, bob)
        assert client_for_web(mallory).get(f"/reassurance/{o.pk}/").status_code == 404


class TestHomeCard:
    def test_the_same_for_the_partner_whether_or_not_the_other_wrote(self, clock, couple, alice, bob):
        import re

        o = _open_occurrence(alice, bob)

        def card():
            page = client_for_web(bob).get("/").content.decode()
            return re.search(
                r'<section class="card"[^>]*data-testid="reassurance-card".*?</section>', page, re.S
            ).group(0)

        before = card()
        services.message_write(user=alice, occurrence_id=o.pk, text="SECRET-HOME")
        services.steadied_record(user=alice, what="SECRET-STEADY")
        assert card() == before
        assert "It's your reassurance time" in before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_both_writing_at_once_reveal_once(alice, bob, couple, settings, tmp_path):
    import threading

    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    o = _open_occurrence(alice, bob)
    errors, barrier = [], threading.Barrier(2)

    def write(user, text):
        try:
            barrier.wait()
            services.message_write(user=user, occurrence_id=o.pk, text=text)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(u, t)) for u, t in ((alice, "A"), (bob, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    o.refresh_from_db()
    assert o.revealed_at is not None and Message.objects.filter(occurrence=o).count() == 2


def test_two_ticks_make_each_time_once(couple, alice, bob):
    o = _open_occurrence(alice, bob)
    Ritual.objects.update(next_at=o.at)  # as if a second beat read the same row
    services.occurrences_tick()
    assert Occurrence.objects.count() == 1


def test_admin_shows_that_things_exist_never_their_words(couple, alice, bob):
    from django.test import Client

    from reassurance import models

    from .factories import UserFactory, reassurance_world

    reassurance_world(couple, alice, bob)
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(root)
    for name in ("Ritual", "Occurrence", "Message", "Phrase", "Steadied", "Digest"):
        model = getattr(models, name)
        assert c.get(f"/admin/reassurance/{name.lower()}/").status_code == 200, name
        page = c.get(f"/admin/reassurance/{name.lower()}/{model.objects.first().pk}/change/")
        assert page.status_code == 200, name
        assert "Hidden until Bob" not in page.content.decode() and "going anywhere" not in page.content.decode()
