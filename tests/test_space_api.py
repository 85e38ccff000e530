"""Taking space through the API and the services: the promise and its
bounds, one open period per person, the reminder before the time,
kept / late / missed at the right moments, extensions, who may do what,
no text in notifications, and the follow-through counts."""

import datetime as dt
import json

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import get_resolver

from reminders.dispatch import dispatch_tick
from reminders.models import Notification, Reminder
from space import selectors, services, tasks
from space.models import Extension, SpacePeriod

from .conftest import client_for
from .factories import PASSWORD

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # 19:00 in Berlin (alice), 13:00 in New York (bob)
NOTE = "Need to cool down, SECRET-SPACE-NOTE. I love you."


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


def take(client, *, minutes=60, **extra):
    body = {"reconnect_by": iso(NOW + dt.timedelta(minutes=minutes)), **extra}
    return client.post("/api/v1/space/", body, format="json")


@pytest.fixture
def bobs_space(couple, bob):
    """Bob takes space until 20:00 UTC (21:00 in Berlin, 15:00 in New York)."""
    return services.space_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(hours=2), note=NOTE)


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("title", flat=True))


class TestTaking:
    def test_take_space_with_a_time_and_a_note(self, as_bob, as_alice, alice, bob, couple):
        response = take(as_bob, minutes=120, note=NOTE)

        assert response.status_code == 201
        body = response.json()
        assert body["partner"] == {"id": bob.pk, "display_name": "Bob"}
        assert body["is_mine"] is True and body["status"] == "open" and body["note"] == NOTE
        assert body["reconnect_by"] == body["first_reconnect_by"] == iso(NOW + dt.timedelta(hours=2))
        assert body["started_at"] == iso(NOW) and body["extended"] is False and body["reconnected_at"] is None

        # Alice sees a calm status through the API: who, until when, the note.
        current = as_alice.get("/api/v1/space/current/").json()
        assert current["count"] == 1
        seen = current["results"][0]
        assert seen["partner"]["display_name"] == "Bob" and seen["is_mine"] is False
        assert seen["reconnect_by"] == iso(NOW + dt.timedelta(hours=2)) and seen["note"] == NOTE
        assert {"id", "partner", "reconnect_by", "note", "status"} <= set(seen)

    @pytest.mark.parametrize("minutes", [15, 14, 30, 24 * 60, 24 * 60 + 1])
    def test_from_15_minutes_to_24_hours(self, as_bob, couple, minutes):
        # A minute of slack either side: a form sent a moment after it was filled.
        assert take(as_bob, minutes=minutes).status_code == 201

    def test_the_time_may_come_in_any_offset(self, as_bob, couple):
        body = as_bob.post("/api/v1/space/", {"reconnect_by": "2026-03-04T15:00:00-05:00"}, format="json").json()
        assert body["reconnect_by"] == iso(NOW + dt.timedelta(hours=2))

    def test_an_empty_note_is_fine(self, as_bob, couple):
        assert take(as_bob, note="").json()["note"] == ""
        assert SpacePeriod.objects.get().note == ""

    def test_both_may_take_space_at_once_each_one(self, as_alice, as_bob, couple, alice):
        bob_id = take(as_bob, minutes=90).json()["id"]
        alice_id = take(as_alice, minutes=30).json()["id"]
        # Each sees their own first.
        assert [p["id"] for p in as_alice.get("/api/v1/space/current/").json()["results"]] == [alice_id, bob_id]
        assert [p["id"] for p in as_bob.get("/api/v1/space/current/").json()["results"]] == [bob_id, alice_id]


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "reconnect_by"),
            ({"reconnect_by": None}, "reconnect_by"),
            ({"reconnect_by": ""}, "reconnect_by"),
            ({"reconnect_by": "tonight"}, "reconnect_by"),
            ({"reconnect_by": 1772650800}, "reconnect_by"),
            ({"reconnect_by": ["2026-03-04T20:00:00Z"]}, "reconnect_by"),
            ({"reconnect_by": "2026-03-04T20:00:00"}, "reconnect_by"),
            ({"reconnect_by": iso(NOW - dt.timedelta(minutes=1))}, "reconnect_by"),
            ({"reconnect_by": iso(NOW)}, "reconnect_by"),
            ({"reconnect_by": iso(NOW + dt.timedelta(minutes=13))}, "reconnect_by"),
            ({"reconnect_by": iso(NOW + dt.timedelta(hours=24, minutes=2))}, "reconnect_by"),
            ({"reconnect_by": iso(NOW + dt.timedelta(days=3))}, "reconnect_by"),
            ({"reconnect_by": iso(NOW + dt.timedelta(hours=1)), "note": "x" * 281}, "note"),
            ({"reconnect_by": iso(NOW + dt.timedelta(hours=1)), "note": "x" * 5000}, "note"),
            ({"reconnect_by": iso(NOW + dt.timedelta(hours=1)), "note": 7}, "note"),
            ({"reconnect_by": iso(NOW + dt.timedelta(hours=1)), "note": {"a": 1}}, "note"),
        ],
    )
    def test_field_errors_and_nothing_saved(self, as_bob, couple, body, field):
        response = as_bob.post("/api/v1/space/", body, format="json")

        assert response.status_code == 400
        errors = response.json()
        assert list(errors) == [field]
        assert all(isinstance(m, str) and m for m in errors[field])
        assert not SpacePeriod.objects.exists() and not Reminder.objects.exists()

    def test_messages_say_what_to_do(self, as_bob, couple):
        past = as_bob.post("/api/v1/space/", {"reconnect_by": iso(NOW - dt.timedelta(hours=1))}, format="json")
        assert past.json() == {
            "reconnect_by": ["That time has already passed. Choose when you'll reconnect, from now on."]
        }
        far = take(as_bob, minutes=25 * 60)
        assert "within the next 24 hours" in far.json()["reconnect_by"][0]
        long = take(as_bob, note="x" * 300)
        assert long.json() == {"note": ["Keep the note to 280 characters; this one has 300."]}
        huge = take(as_bob, note="x" * 5000)
        assert huge.json() == {"note": ["Keep the note to 280 characters; this one has 5000."]}

    def test_malformed_json(self, as_bob, couple):
        response = as_bob.generic("POST", "/api/v1/space/", "{reconnect_by:", content_type="application/json")
        assert response.status_code == 400 and "detail" in response.json()
        response = as_bob.generic("POST", "/api/v1/space/", json.dumps("x"), content_type="application/json")
        assert response.status_code == 400
        assert not SpacePeriod.objects.exists()

    def test_unknown_status_filter(self, as_bob, couple):
        response = as_bob.get("/api/v1/space/?status=whenever")
        assert response.status_code == 400 and "status" in response.json()

    @pytest.mark.parametrize("query", ["weeks=0", "weeks=53", "weeks=many"])
    def test_bad_followthrough_range(self, as_bob, couple, query):
        assert as_bob.get(f"/api/v1/space/followthrough/?{query}").status_code == 400

    def test_bad_extension_keeps_the_promise_unchanged(self, as_bob, bobs_space):
        for body in (
            {"reconnect_by": iso(bobs_space.reconnect_by)},
            {"reconnect_by": iso(bobs_space.reconnect_by - dt.timedelta(minutes=30))},
            {"reconnect_by": iso(NOW + dt.timedelta(hours=24, minutes=2))},
            {"reconnect_by": "later"},
            {"reconnect_by": "2026-03-04T22:00:00"},
            {},
        ):
            response = as_bob.post(f"/api/v1/space/{bobs_space.pk}/extend/", body, format="json")
            assert response.status_code == 400, body
            assert list(response.json()) == ["reconnect_by"]
        bobs_space.refresh_from_db()
        assert bobs_space.reconnect_by == NOW + dt.timedelta(hours=2) and bobs_space.note == NOTE
        assert not Extension.objects.exists()


class TestOneOpenPeriod:
    def test_a_second_is_a_conflict(self, as_bob, couple):
        first = take(as_bob, minutes=60).json()
        response = take(as_bob, minutes=120)
        assert response.status_code == 409 and "detail" in response.json()
        assert list(SpacePeriod.objects.values_list("id", "reconnect_by")) == [
            (first["id"], NOW + dt.timedelta(hours=1))
        ]

    def test_after_reconnecting_a_new_one_is_fine(self, as_bob, couple, bobs_space):
        as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json")
        assert take(as_bob).status_code == 201

    def test_the_database_holds_the_rule(self, couple, bob, bobs_space):
        with pytest.raises(IntegrityError), transaction.atomic():
            SpacePeriod.objects.create(
                couple=couple,
                author=bob,
                first_reconnect_by=bobs_space.reconnect_by,
                reconnect_by=bobs_space.reconnect_by,
            )

    def test_the_database_refuses_an_open_period_with_an_outcome_time(self, couple, bob):
        with pytest.raises(IntegrityError), transaction.atomic():
            SpacePeriod.objects.create(
                couple=couple,
                author=bob,
                first_reconnect_by=NOW + dt.timedelta(hours=1),
                reconnect_by=NOW + dt.timedelta(hours=1),
                closed_at=NOW,
            )


class TestReminderBeforeTheTime:
    def test_ten_minutes_before_to_the_person_taking_space_only(self, couple, alice, bob, bobs_space, _frozen):
        soon = bobs_space.reconnect_by - dt.timedelta(minutes=10)
        dispatch_tick()  # the partner's "taking some space" goes now
        assert titles(alice) == ["Your partner is taking some space, with a time to reconnect"]

        _frozen.move_to(soon - dt.timedelta(seconds=1))
        dispatch_tick()
        assert titles(bob) == []

        _frozen.move_to(soon)
        dispatch_tick()
        _frozen.move_to(soon + dt.timedelta(minutes=1))
        dispatch_tick()
        assert titles(bob) == ["Your time to reconnect is coming up"]
        assert list(Notification.objects.filter(user=bob).values_list("url", flat=True)) == ["/space/"]
        assert titles(alice) == ["Your partner is taking some space, with a time to reconnect"]

    def test_no_text_in_any_notification(self, as_alice, as_bob, couple, alice, bob, bobs_space, _frozen):
        dispatch_tick()
        _frozen.move_to(bobs_space.reconnect_by - dt.timedelta(minutes=10))
        dispatch_tick()
        as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json")
        dispatch_tick()
        rows = list(Notification.objects.values_list("title", "url"))
        assert len(rows) == 3
        for title, url in rows:
            for private in ("SECRET", "cool down", "love", "20:00", "21:00", "15:00"):
                assert private not in title and private not in url

    def test_the_reminder_moves_with_an_extension(self, as_bob, couple, bob, bobs_space, _frozen):
        old_soon = bobs_space.reconnect_by - dt.timedelta(minutes=10)
        new_time = bobs_space.reconnect_by + dt.timedelta(hours=1)
        _frozen.move_to(NOW + dt.timedelta(minutes=30))
        assert (
            as_bob.post(
                f"/api/v1/space/{bobs_space.pk}/extend/", {"reconnect_by": iso(new_time)}, format="json"
            ).status_code
            == 200
        )

        pending = Reminder.objects.filter(kind="space_reconnect_soon", status="pending")
        assert list(pending.values_list("due_at", flat=True)) == [new_time - dt.timedelta(minutes=10)]
        _frozen.move_to(old_soon)
        dispatch_tick()
        assert titles(bob) == []
        _frozen.move_to(new_time - dt.timedelta(minutes=10))
        dispatch_tick()
        assert titles(bob) == ["Your time to reconnect is coming up"]

    def test_back_early_means_no_reminder(self, as_bob, couple, bob, bobs_space, _frozen):
        _frozen.move_to(NOW + dt.timedelta(minutes=40))
        as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json")
        _frozen.move_to(bobs_space.reconnect_by - dt.timedelta(minutes=10))
        dispatch_tick()
        assert titles(bob) == []

    def test_a_stale_reminder_for_the_old_time_is_not_sent(self, couple, bob, bobs_space, _frozen):
        # Even if the cancel were lost, still_due checks the time as it stands.
        _frozen.move_to(NOW + dt.timedelta(minutes=5))
        SpacePeriod.objects.filter(pk=bobs_space.pk).update(reconnect_by=NOW + dt.timedelta(hours=3))
        _frozen.move_to(NOW + dt.timedelta(hours=2) - dt.timedelta(minutes=10))
        dispatch_tick()
        assert titles(bob) == []


class TestOutcomes:
    def test_back_before_the_time_is_kept(self, as_bob, as_alice, alice, bobs_space, _frozen):
        _frozen.move_to(NOW + dt.timedelta(minutes=90))
        response = as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "kept" and body["reconnected_at"] == iso(NOW + dt.timedelta(minutes=90))
        assert as_alice.get("/api/v1/space/current/").json()["count"] == 0
        dispatch_tick()
        assert titles(alice)[-1] == "Your partner is ready to reconnect"

    def test_back_exactly_at_the_time_is_kept(self, as_bob, bobs_space, _frozen):
        _frozen.move_to(bobs_space.reconnect_by)
        assert as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json").json()["status"] == "kept"

    def test_back_a_second_after_is_late(self, as_bob, bobs_space, _frozen):
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(seconds=1))
        assert as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json").json()["status"] == "late"

    def test_back_five_hours_late_is_still_late_not_missed(self, as_bob, bobs_space, _frozen):
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(hours=5, minutes=59))
        tasks.mark_missed()
        assert as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json").json()["status"] == "late"

    def test_never_marked_is_missed_six_hours_after_and_nobody_is_told(
        self, as_bob, couple, alice, bob, bobs_space, _frozen
    ):
        dispatch_tick()
        before = Notification.objects.count()
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(hours=6) - dt.timedelta(seconds=1))
        assert tasks.mark_missed() == 0
        assert SpacePeriod.objects.get().status == "open"

        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(hours=6))
        assert tasks.mark_missed() == 1
        assert tasks.mark_missed() == 0  # twice, one effect
        period = SpacePeriod.objects.get()
        assert period.status == "missed" and period.closed_at == bobs_space.reconnect_by + dt.timedelta(hours=6)
        assert period.reconnected_at is None
        dispatch_tick()
        # No "your partner missed it" alert, and nothing for bob either.
        assert Notification.objects.count() == before

        response = as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json")
        assert response.status_code == 409
        assert SpacePeriod.objects.get().status == "missed"

    def test_missed_counts_from_the_extended_time(self, as_bob, bobs_space, _frozen):
        new_time = bobs_space.reconnect_by + dt.timedelta(hours=4)
        as_bob.post(f"/api/v1/space/{bobs_space.pk}/extend/", {"reconnect_by": iso(new_time)}, format="json")
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(hours=6))
        assert tasks.mark_missed() == 0
        _frozen.move_to(new_time + dt.timedelta(hours=6))
        assert tasks.mark_missed() == 1

    def test_the_sweep_works_in_batches(self, couple, bob, alice, mallory_couple, mallory, _frozen):
        for user, c in ((bob, couple), (alice, couple), (mallory, mallory_couple)):
            services.space_take(couple=c, user=user, reconnect_by=NOW + dt.timedelta(hours=1))
        _frozen.move_to(NOW + dt.timedelta(hours=8))
        assert services.space_mark_missed(batch_size=2) == 3
        assert set(SpacePeriod.objects.values_list("status", flat=True)) == {"missed"}

    def test_reconnecting_twice_is_a_conflict(self, as_bob, bobs_space):
        assert as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json").status_code == 200
        response = as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json")
        assert response.status_code == 409
        assert SpacePeriod.objects.get().status == "kept"
        assert Reminder.objects.filter(kind="space_back").count() == 1


class TestExtend:
    def test_extending_before_the_time_is_recorded(self, as_bob, as_alice, bobs_space, _frozen):
        _frozen.move_to(NOW + dt.timedelta(minutes=100))
        new_time = NOW + dt.timedelta(hours=3)
        response = as_bob.post(f"/api/v1/space/{bobs_space.pk}/extend/", {"reconnect_by": iso(new_time)}, format="json")

        assert response.status_code == 200
        body = response.json()
        assert body["reconnect_by"] == iso(new_time) and body["first_reconnect_by"] == iso(NOW + dt.timedelta(hours=2))
        assert body["extended"] is True and body["status"] == "open"
        ext = Extension.objects.get()
        assert (ext.previous_reconnect_by, ext.new_reconnect_by, ext.created_at) == (
            NOW + dt.timedelta(hours=2),
            new_time,
            NOW + dt.timedelta(minutes=100),
        )
        # Alice sees the new time; back before it is kept.
        assert as_alice.get("/api/v1/space/current/").json()["results"][0]["reconnect_by"] == iso(new_time)
        _frozen.move_to(NOW + dt.timedelta(hours=2, minutes=30))
        assert as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json").json()["status"] == "kept"

    def test_after_the_time_it_is_too_late_to_extend(self, as_bob, bobs_space, _frozen):
        _frozen.move_to(bobs_space.reconnect_by)
        response = as_bob.post(
            f"/api/v1/space/{bobs_space.pk}/extend/",
            {"reconnect_by": iso(bobs_space.reconnect_by + dt.timedelta(hours=1))},
            format="json",
        )
        assert response.status_code == 409
        assert SpacePeriod.objects.get().reconnect_by == bobs_space.reconnect_by

    def test_a_closed_one_cannot_be_extended(self, as_bob, bobs_space):
        as_bob.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json")
        response = as_bob.post(
            f"/api/v1/space/{bobs_space.pk}/extend/",
            {"reconnect_by": iso(NOW + dt.timedelta(hours=5))},
            format="json",
        )
        assert response.status_code == 409

    def test_twice_is_two_extensions(self, as_bob, bobs_space):
        for hours in (3, 4):
            as_bob.post(
                f"/api/v1/space/{bobs_space.pk}/extend/",
                {"reconnect_by": iso(NOW + dt.timedelta(hours=hours))},
                format="json",
            )
        assert Extension.objects.count() == 2
        assert Reminder.objects.filter(kind="space_reconnect_soon", status="pending").count() == 1

    def test_a_stale_read_is_a_conflict(self, bob, bobs_space):
        from backend.errors import Conflict

        stale = SpacePeriod.objects.get(pk=bobs_space.pk)
        services.space_extend(period=bobs_space, user=bob, reconnect_by=NOW + dt.timedelta(hours=3))
        with pytest.raises(Conflict):
            services.space_extend(period=stale, user=bob, reconnect_by=NOW + dt.timedelta(hours=4))
        assert SpacePeriod.objects.get().reconnect_by == NOW + dt.timedelta(hours=3)


class TestOnlyTheAuthor:
    def test_the_partner_cannot_end_or_extend_it(self, as_alice, bobs_space):
        assert as_alice.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json").status_code == 403
        response = as_alice.post(
            f"/api/v1/space/{bobs_space.pk}/extend/", {"reconnect_by": iso(NOW + dt.timedelta(hours=5))}, format="json"
        )
        assert response.status_code == 403
        period = SpacePeriod.objects.get()
        assert period.status == "open" and period.reconnect_by == NOW + dt.timedelta(hours=2)

    def test_there_is_no_way_to_ping_poke_or_demand(self, as_alice, bobs_space):
        # The only space endpoints there are: none lets the partner nudge.
        names = {
            p.name
            for p in get_resolver().url_patterns
            for p in getattr(p, "url_patterns", [p])
            for p in getattr(p, "url_patterns", [p])
            if getattr(p, "name", None) and p.name.startswith("api-space")
        }
        assert names == {
            "api-space",
            "api-space-current",
            "api-space-followthrough",
            "api-space-period",
            "api-space-reconnect",
            "api-space-extend",
        }
        for verb in ("ping", "poke", "nudge", "remind", "demand"):
            assert as_alice.post(f"/api/v1/space/{bobs_space.pk}/{verb}/", format="json").status_code == 404
        assert as_alice.patch(f"/api/v1/space/{bobs_space.pk}/", {"status": "kept"}, format="json").status_code == 405
        assert as_alice.delete(f"/api/v1/space/{bobs_space.pk}/").status_code == 405
        # Nothing the partner did reached bob.
        assert (
            not Reminder.objects.filter(user=bobs_space.author, kind__startswith="space_")
            .exclude(kind="space_reconnect_soon")
            .exists()
        )


class TestWhoMaySee:
    @pytest.fixture
    def targets(self, bobs_space):
        p = bobs_space.pk
        return [
            ("get", f"/api/v1/space/{p}/", None),
            ("post", f"/api/v1/space/{p}/reconnect/", None),
            ("post", f"/api/v1/space/{p}/extend/", {"reconnect_by": iso(NOW + dt.timedelta(hours=5))}),
        ]

    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_get_404(self, request, targets, mallory_couple, who):
        client = client_for(request.getfixturevalue(who))
        for method, url, body in targets:
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 404, (who, method, url, response.status_code)
        period = SpacePeriod.objects.get()
        assert period.status == "open" and period.reconnect_by == NOW + dt.timedelta(hours=2)

    def test_mallorys_lists_hold_nothing_of_theirs(self, as_mallory, mallory_couple, bobs_space):
        assert as_mallory.get("/api/v1/space/current/").json()["count"] == 0
        assert as_mallory.get("/api/v1/space/").json()["count"] == 0
        assert as_mallory.get("/api/v1/space/followthrough/").json()["total"] == 0

    def test_theo_and_anonymous(self, api, as_theo, bobs_space):
        for url in ("/api/v1/space/", "/api/v1/space/current/", "/api/v1/space/followthrough/"):
            assert as_theo.get(url).status_code == 404, url
            assert api.get(url).status_code == 401, url
        assert api.get(f"/api/v1/space/{bobs_space.pk}/").status_code == 401
        assert api.post(f"/api/v1/space/{bobs_space.pk}/reconnect/", format="json").status_code == 401
        assert api.post("/api/v1/space/", {}, format="json").status_code == 401
        assert (
            as_theo.post(
                "/api/v1/space/", {"reconnect_by": iso(NOW + dt.timedelta(hours=1))}, format="json"
            ).status_code
            == 404
        )

    def test_after_leaving_it_is_gone_for_both_and_no_reminder(self, as_alice, as_bob, alice, bob, bobs_space, _frozen):
        from couples.services import couple_leave

        couple_leave(user=alice, password=PASSWORD)
        assert as_bob.get(f"/api/v1/space/{bobs_space.pk}/").status_code == 404
        assert as_alice.get("/api/v1/space/current/").status_code == 404
        _frozen.move_to(bobs_space.reconnect_by - dt.timedelta(minutes=10))
        dispatch_tick()
        assert not Notification.objects.exists()
        # Closed with the couple, silently: "ended", and never "missed".
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(hours=2))
        services.space_mark_missed()
        bobs_space.refresh_from_db()
        assert bobs_space.status == "ended" and bobs_space.closed_at is not None


class TestLists:
    def test_history_is_paginated_with_a_fixed_query_count(
        self, as_alice, couple, alice, bob, django_assert_max_num_queries, _frozen
    ):
        def one(user, at):
            _frozen.move_to(at)
            p = services.space_take(couple=couple, user=user, reconnect_by=at + dt.timedelta(hours=1))
            services.space_reconnect(period=p, user=user, now=at + dt.timedelta(minutes=30))

        for i in range(3):
            one(bob, NOW - dt.timedelta(days=30 - i))
        _frozen.move_to(NOW)
        with django_assert_max_num_queries(6) as few:
            first = as_alice.get("/api/v1/space/").json()
        assert set(first) == {"count", "next", "previous", "results"} and first["count"] == 3
        for i in range(60):
            one(alice if i % 2 else bob, NOW - dt.timedelta(days=20) + dt.timedelta(hours=2 * i))
        _frozen.move_to(NOW)
        with django_assert_max_num_queries(len(few.captured_queries)):
            body = as_alice.get("/api/v1/space/").json()
        assert body["count"] == 63 and len(body["results"]) == 50 and body["next"]
        assert as_alice.get("/api/v1/space/?status=kept").json()["count"] == 63

    def test_current_query_count(self, as_alice, couple, alice, bob, django_assert_max_num_queries):
        services.space_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(hours=1))
        services.space_take(couple=couple, user=alice, reconnect_by=NOW + dt.timedelta(hours=1))
        with django_assert_max_num_queries(6):
            assert as_alice.get("/api/v1/space/current/").json()["count"] == 2


class TestFollowthrough:
    def make_history(self, couple, alice, bob, _frozen):
        def period(user, start, *, back_after=None, extend=False):
            _frozen.move_to(start)
            p = services.space_take(couple=couple, user=user, reconnect_by=start + dt.timedelta(hours=1))
            if extend:
                p = services.space_extend(
                    period=p,
                    user=user,
                    reconnect_by=start + dt.timedelta(hours=2),
                    now=start + dt.timedelta(minutes=30),
                )
            if back_after is not None:
                services.space_reconnect(period=p, user=user, now=start + back_after)
            return p

        base = NOW - dt.timedelta(days=20)
        period(bob, base, back_after=dt.timedelta(minutes=50))  # kept
        period(alice, base + dt.timedelta(days=1), back_after=dt.timedelta(minutes=90), extend=True)  # kept, extended
        period(bob, base + dt.timedelta(days=2), back_after=dt.timedelta(hours=2))  # late
        period(alice, base + dt.timedelta(days=3))  # missed, below
        services.space_mark_missed(now=base + dt.timedelta(days=4))
        period(bob, NOW - dt.timedelta(days=90), back_after=dt.timedelta(minutes=5))  # outside the window
        period(bob, NOW - dt.timedelta(minutes=30))  # open
        _frozen.move_to(NOW)

    def test_counts_per_outcome_for_the_couple_in_one_query(
        self, couple, alice, bob, mallory_couple, mallory, _frozen, django_assert_num_queries
    ):
        self.make_history(couple, alice, bob, _frozen)
        services.space_take(couple=mallory_couple, user=mallory, reconnect_by=NOW + dt.timedelta(hours=1))

        with django_assert_num_queries(1):
            counts = selectors.space_followthrough(couple=couple, start=NOW - dt.timedelta(days=30), end=NOW)

        assert counts == {"kept": 2, "late": 1, "missed": 1, "open": 1, "extended": 1, "total": 5}

    def test_the_window_is_by_start_time(self, couple, alice, bob, _frozen):
        self.make_history(couple, alice, bob, _frozen)
        base = NOW - dt.timedelta(days=20)
        counts = selectors.space_followthrough(couple=couple, start=base, end=base + dt.timedelta(days=2))
        assert counts == {"kept": 2, "late": 0, "missed": 0, "open": 0, "extended": 1, "total": 2}

    def test_what_they_did_together_and_each_only_their_own_late_and_missed(
        self, as_alice, as_bob, couple, alice, bob, _frozen, django_assert_max_num_queries
    ):
        """No scorekeeping between partners (issue #20, item 10): kept and
        open are the couple's; late and missed are the caller's own, and the
        partner's count nowhere, the total included (no subtraction finds them)."""
        self.make_history(couple, alice, bob, _frozen)
        as_alice.get("/api/v1/space/followthrough/?weeks=8")
        with django_assert_max_num_queries(4):  # auth, the couple, one for the counts
            alices = as_alice.get("/api/v1/space/followthrough/?weeks=8").json()
        bobs = as_bob.get("/api/v1/space/followthrough/?weeks=8").json()

        assert alices == {"weeks": 8, "kept": 2, "late": 0, "missed": 1, "open": 1, "extended": 1, "total": 4}
        assert bobs == {"weeks": 8, "kept": 2, "late": 1, "missed": 0, "open": 1, "extended": 1, "total": 4}
        assert "Alice" not in json.dumps(alices) and "Bob" not in json.dumps(alices)

    def test_the_partners_late_and_missed_read_as_ended(self, as_alice, as_bob, couple, alice, bob, _frozen):
        self.make_history(couple, alice, bob, _frozen)

        def statuses(client, query=""):
            rows = client.get(f"/api/v1/space/?page_size=50{query}").json()["results"]
            return sorted((r["partner"]["display_name"], r["status"]) for r in rows)

        assert statuses(as_alice) == [
            ("Alice", "kept"),
            ("Alice", "missed"),
            ("Bob", "ended"),
            ("Bob", "kept"),
            ("Bob", "kept"),
            ("Bob", "open"),
        ]
        assert ("Bob", "late") in statuses(as_bob) and ("Alice", "ended") in statuses(as_bob)
        # A filter lists what the caller would read: late and missed are the caller's own.
        assert statuses(as_alice, "&status=late") == []
        assert statuses(as_alice, "&status=missed") == [("Alice", "missed")]
        assert statuses(as_alice, "&status=ended") == [("Bob", "ended")]
        assert statuses(as_bob, "&status=late") == [("Bob", "late")]
        late = SpacePeriod.objects.get(status="late")
        assert as_alice.get(f"/api/v1/space/{late.pk}/").json()["status"] == "ended"
        assert as_bob.get(f"/api/v1/space/{late.pk}/").json()["status"] == "late"


class TestOddInput:
    def test_a_nul_character_is_a_400_not_a_500(self, as_bob, couple):
        response = take(as_bob, note="back\x00soon")
        assert response.status_code == 400 and "note" in response.json()
        assert not SpacePeriod.objects.exists()

    def test_an_id_beyond_any_integer_is_a_404(self, as_bob, bobs_space):
        huge = "9" * 30
        assert as_bob.get(f"/api/v1/space/{huge}/").status_code == 404
        assert as_bob.post(f"/api/v1/space/{huge}/reconnect/", format="json").status_code == 404
        assert SpacePeriod.objects.get().status == "open"


def test_a_custom_time_on_the_night_clocks_go_forward(couple, bob, _frozen):
    """New York springs forward at 02:00 on 8 March 2026: 09:00 that morning
    is 13:00 UTC (EDT), not 14:00; "02:30" does not exist and means 03:00."""
    from django.test import Client

    web = Client()
    web.force_login(bob)
    _frozen.move_to(dt.datetime(2026, 3, 8, 5, 0, tzinfo=UTC))  # 00:00 EST
    web.post("/space/", {"when": "custom", "custom_time": "09:00"})
    period = SpacePeriod.objects.get()
    assert period.reconnect_by == dt.datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    services.space_reconnect(period=period, user=bob)

    web.post("/space/", {"when": "custom", "custom_time": "02:30"})
    assert SpacePeriod.objects.get(status="open").reconnect_by == dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
