"""Agreement services and selectors, called directly: periods, the review
reminder (a recurring kind driven by the dispatcher), reflections from a
check-in, the therapist follow-through selector, and the database rules."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from agreements import selectors, services
from agreements.models import Agreement, AgreementVersion, Reflection
from agreements.periods import Period, first_review_due, next_review_due, period_containing
from backend.errors import Conflict, Forbidden, Invalid
from reminders.dispatch import dispatch_tick
from reminders.models import Delivery, Notification, Reminder

from .factories import CheckInFactory, UserFactory, make_couple

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Berlin (the couple's timezone)
# 14 days from Monday 2 March: the first period ends Sunday 15 March, reviewed
# at 18:00 Berlin (CET, 17:00 UTC); the next on Sunday 29 March, the day the
# clocks go forward: 18:00 CEST is 16:00 UTC.
FIRST_REVIEW = dt.datetime(2026, 3, 15, 17, 0, tzinfo=UTC)
SECOND_REVIEW = dt.datetime(2026, 3, 29, 16, 0, tzinfo=UTC)
TITLE = "SECRET-TITLE no phones at dinner"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def propose(couple, user, **over):
    fields = {"title": TITLE, "details": "SECRET-DETAILS", "category": "phones_and_privacy", "review_every_days": 14}
    fields.update(over)
    return services.agreement_propose(couple=couple, user=user, **fields)


@pytest.fixture
def active(couple, alice, bob):
    agreement = propose(couple, alice)
    return services.agreement_accept(agreement=agreement, user=bob, version=1)


def d(*args):
    return dt.date(*args)


class TestPeriods:
    @pytest.mark.parametrize(
        ("day", "anchor", "every", "expected"),
        [
            (d(2026, 3, 2), d(2026, 3, 2), 14, Period(d(2026, 3, 2), d(2026, 3, 15))),
            (d(2026, 3, 15), d(2026, 3, 2), 14, Period(d(2026, 3, 2), d(2026, 3, 15))),
            (d(2026, 3, 16), d(2026, 3, 2), 14, Period(d(2026, 3, 16), d(2026, 3, 29))),
            (d(2026, 3, 1), d(2026, 3, 2), 14, Period(d(2026, 3, 2), d(2026, 3, 15))),  # before: the first
            (d(2027, 3, 2), d(2026, 3, 2), 365, Period(d(2027, 3, 2), d(2028, 2, 29))),  # a leap year
            # No interval: the ISO week, Monday to Sunday.
            (d(2026, 3, 4), None, None, Period(d(2026, 3, 2), d(2026, 3, 8))),
            (d(2026, 3, 8), d(2026, 3, 4), None, Period(d(2026, 3, 2), d(2026, 3, 8))),
            (d(2026, 1, 1), None, None, Period(d(2025, 12, 29), d(2026, 1, 4))),
        ],
    )
    def test_period_containing(self, day, anchor, every, expected):
        assert period_containing(day=day, anchor=anchor, every_days=every) == expected

    def test_review_dates_keep_18_00_local_across_dst(self):
        first = first_review_due(active_since=NOW, every_days=14, tz_name="Europe/Berlin")
        assert first == FIRST_REVIEW
        assert next_review_due(previous=first, every_days=14, tz_name="Europe/Berlin", now=first) == SECOND_REVIEW

    def test_reviews_long_past_are_skipped_not_replayed(self):
        later = FIRST_REVIEW + dt.timedelta(days=60)
        due = next_review_due(previous=FIRST_REVIEW, every_days=14, tz_name="Europe/Berlin", now=later)
        assert due > later and due - later <= dt.timedelta(days=14)
        assert due.astimezone(dt.timezone(dt.timedelta(hours=2))).strftime("%H:%M") == "18:00"


class TestLifecycle:
    def test_propose_keeps_version_one_with_its_proposer(self, couple, alice):
        agreement = propose(couple, alice)
        version = AgreementVersion.objects.get(agreement=agreement)
        assert (agreement.status, agreement.version) == ("proposed", 1)
        assert (version.number, version.proposed_by, version.accepted_by) == (1, alice, None)
        assert version.proposed_at == NOW

    def test_wording_is_trimmed(self, couple, alice):
        agreement = propose(couple, alice, title="  Call if late  ", details="\r\n  Text too.\r\n")
        assert (agreement.current.title, agreement.current.details) == ("Call if late", "Text too.")

    def test_services_validate_too(self, couple, alice):
        with pytest.raises(Invalid) as info:
            propose(couple, alice, title="", category="chores", details="x" * 2001, review_every_days=400)
        assert set(info.value.errors) == {"title", "category", "details", "review_every_days"}
        assert not Agreement.objects.exists()

    def test_a_stranger_cannot_use_the_services(self, couple, active, mallory, mallory_couple):
        with pytest.raises(Http404):
            propose(couple, mallory)
        for call in (
            lambda: services.agreement_amend(agreement=active, user=mallory, version=1, changes={"title": "x"}),
            lambda: services.agreement_retire(agreement=active, user=mallory),
            lambda: services.reflection_submit(agreement=active, author=mallory, outcome="missed"),
        ):
            with pytest.raises(Http404):
                call()
        active.refresh_from_db()
        assert (active.status, active.version) == ("active", 1)

    def test_the_proposer_of_an_amendment_cannot_accept_it(self, couple, alice, bob, active):
        services.agreement_amend(agreement=active, user=alice, version=1, changes={"title": "Changed"})
        with pytest.raises(Forbidden):
            services.agreement_accept(agreement=active, user=alice, version=2)
        with pytest.raises(Conflict):
            services.agreement_accept(agreement=active, user=bob, version=1)
        assert services.agreement_accept(agreement=active, user=bob, version=2).status == "active"

    def test_the_database_refuses_a_self_accepted_version(self, couple, alice):
        agreement = propose(couple, alice)
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementVersion.objects.filter(agreement=agreement).update(accepted_by=alice, accepted_at=NOW)

    def test_the_database_keeps_one_version_number(self, couple, alice, active):
        with pytest.raises(IntegrityError), transaction.atomic():
            AgreementVersion.objects.create(agreement=active, number=1, title="x", category="other", proposed_by=alice)

    def test_the_database_keeps_one_reflection_per_partner_per_period(self, active, alice):
        services.reflection_submit(agreement=active, author=alice, outcome="kept")
        with pytest.raises(IntegrityError), transaction.atomic():
            Reflection.objects.create(
                agreement=active,
                author=alice,
                version=1,
                period_start=d(2026, 3, 2),
                period_end=d(2026, 3, 15),
                outcome="missed",
            )

    @pytest.mark.parametrize(
        "update",
        [{"status": "imposed"}, {"status": "active", "active_since": None}, {"status": "retired"}, {"version": 0}],
    )
    def test_the_database_keeps_states_valid(self, active, update):
        with pytest.raises(IntegrityError), transaction.atomic():
            Agreement.objects.filter(pk=active.pk).update(**update)

    def test_nobody_edits_the_other_partners_reflection(self, active, alice, bob):
        services.reflection_submit(agreement=active, author=alice, outcome="kept", note="alice's")
        services.reflection_submit(agreement=active, author=bob, outcome="missed", note="bob's")
        with pytest.raises(Conflict):
            services.reflection_submit(agreement=active, author=bob, outcome="kept", note="rewritten")
        assert dict(Reflection.objects.values_list("author_id", "note")) == {alice.pk: "alice's", bob.pk: "bob's"}


class TestReviewReminders:
    def reviews(self):
        return Reminder.objects.filter(kind="agreement_review")

    def test_accepting_schedules_a_review_for_both(self, active, alice, bob):
        version = AgreementVersion.objects.get(agreement=active)
        assert sorted(self.reviews().values_list("user_id", "target_id", "due_at", "status")) == sorted(
            [(u.pk, version.pk, FIRST_REVIEW, "pending") for u in (alice, bob)]
        )

    def test_no_interval_no_review(self, couple, alice, bob):
        agreement = propose(couple, alice, review_every_days=None)
        services.agreement_accept(agreement=agreement, user=bob, version=1)
        assert not self.reviews().exists()

    def test_a_proposal_has_no_review(self, couple, alice):
        propose(couple, alice)
        assert not self.reviews().exists()

    def test_both_get_a_gentle_content_free_reminder_and_it_recurs(self, active, alice, bob):
        with time_machine.travel(FIRST_REVIEW - dt.timedelta(minutes=1), tick=False):
            dispatch_tick()
        assert not Notification.objects.exists()

        with time_machine.travel(FIRST_REVIEW, tick=False):
            dispatch_tick()
            dispatch_tick()  # a second tick at once sends nothing more

        assert sorted(Notification.objects.values_list("user_id", "kind", "title", "url")) == sorted(
            [
                (u.pk, "agreement_review", "An agreement is due for a look together", f"/agreements/{active.pk}/")
                for u in (alice, bob)
            ]
        )
        for n in Notification.objects.all():
            assert "SECRET" not in n.title + n.url
        # Recurring: the same rows moved to the next review, 18:00 Berlin after the clocks changed.
        assert set(self.reviews().values_list("due_at", "fire_at", "status")) == {
            (SECOND_REVIEW, SECOND_REVIEW, "pending")
        }
        with time_machine.travel(SECOND_REVIEW, tick=False):
            dispatch_tick()
        assert Notification.objects.count() == 4
        assert Delivery.objects.filter(kind="agreement_review", outcome="sent").count() == 4

    def test_retiring_stops_the_reviews(self, active, alice):
        services.agreement_retire(agreement=active, user=alice, reason="done")
        assert set(self.reviews().values_list("status", flat=True)) == {"cancelled"}
        with time_machine.travel(FIRST_REVIEW, tick=False):
            dispatch_tick()
        assert not Notification.objects.exists()

    def test_amending_stops_them_and_accepting_again_starts_a_new_series(self, active, alice, bob, _frozen):
        _frozen.move_to(NOW + dt.timedelta(days=3))  # Thursday 5 March
        services.agreement_amend(agreement=active, user=alice, version=1, changes={"review_every_days": 7})
        assert set(self.reviews().values_list("status", flat=True)) == {"cancelled"}
        with time_machine.travel(FIRST_REVIEW, tick=False):
            dispatch_tick()
        assert not Notification.objects.exists()

        services.agreement_accept(agreement=active, user=bob, version=2)
        v2 = AgreementVersion.objects.get(agreement=active, number=2)
        pending = self.reviews().filter(status="pending")
        # 7 days from Thursday 5 March: Wednesday 11 March, 18:00 Berlin.
        assert set(pending.values_list("target_id", "due_at")) == {(v2.pk, dt.datetime(2026, 3, 11, 17, tzinfo=UTC))}
        assert pending.count() == 2

    def test_a_review_reached_after_a_retire_is_stale_and_ends(self, active):
        # The retire races the tick: the rows were not cancelled in time.
        Agreement.objects.filter(pk=active.pk).update(status="retired", retired_at=NOW)
        with time_machine.travel(FIRST_REVIEW, tick=False):
            result = dispatch_tick()
        assert result.outcomes["stale"] == 2
        assert not Notification.objects.exists()
        assert set(self.reviews().values_list("status", flat=True)) == {"done"}

    def test_no_nudge_when_both_already_reflected_on_the_period(self, active, alice, bob):
        services.reflection_submit(agreement=active, author=alice, outcome="kept")
        services.reflection_submit(agreement=active, author=bob, outcome="partly")
        with time_machine.travel(FIRST_REVIEW, tick=False):
            result = dispatch_tick()
        assert result.outcomes["stale"] == 2 and not Notification.objects.exists()
        # The series goes on for the next period.
        assert set(self.reviews().values_list("due_at", "status")) == {(SECOND_REVIEW, "pending")}

    def test_one_reflection_is_not_enough_to_skip_it(self, active, alice):
        services.reflection_submit(agreement=active, author=alice, outcome="kept")
        with time_machine.travel(FIRST_REVIEW, tick=False):
            assert dispatch_tick().outcomes["sent"] == 2

    def test_a_closed_couple_gets_no_reviews(self, active, alice):
        from couples.services import couple_leave

        from .factories import PASSWORD

        couple_leave(user=alice, password=PASSWORD)
        with time_machine.travel(FIRST_REVIEW, tick=False):
            dispatch_tick()
        assert not Notification.objects.exists()

    def test_the_person_can_turn_the_kind_off(self, active, alice, bob):
        from reminders.services import preferences_update

        preferences_update(user=bob, data={"kinds": {"agreement_review": False}})
        with time_machine.travel(FIRST_REVIEW, tick=False):
            dispatch_tick()
        assert list(Notification.objects.values_list("user_id", flat=True)) == [alice.pk]

    def test_a_tick_costs_the_same_for_many_agreements(self, django_assert_max_num_queries):
        def agreements_due(n):
            for _ in range(n):
                a, b = UserFactory(quiet_hours_start=None), UserFactory(quiet_hours_start=None)
                couple = make_couple(a, b, tz="Europe/Berlin")
                services.agreement_accept(agreement=propose(couple, a), user=b, version=1)

        agreements_due(1)
        with time_machine.travel(FIRST_REVIEW, tick=False), CaptureQueriesContext(connection) as small:
            dispatch_tick()
        agreements_due(20)
        with time_machine.travel(SECOND_REVIEW, tick=False), django_assert_max_num_queries(len(small.captured_queries)):
            result = dispatch_tick()
        # The first couple's second review and the twenty new couples' first (their
        # first review, 15 March, is long past: skipped to the next, not replayed).
        assert result.outcomes["sent"] + result.outcomes["missed"] == 42


class TestReflectionsFromCheckin:
    @pytest.fixture
    def checkin(self, couple, alice):
        return CheckInFactory(couple=couple, user=alice)

    def test_reflects_on_each_agreement_given(self, couple, alice, bob, active, checkin):
        other = propose(couple, bob, title="Call if late", review_every_days=None)
        services.agreement_accept(agreement=other, user=alice, version=1)

        result = services.agreement_reflections_from_checkin(
            checkin=checkin,
            author=alice,
            value={
                str(active.pk): {"outcome": "kept", "note": "  Easier than I thought.  "},
                str(other.pk): {"outcome": "partly"},
                "reflection": "free text the step may carry",
            },
        )

        assert result["skipped"] == []
        rows = {r.agreement_id: r for r in Reflection.objects.all()}
        assert (rows[active.pk].outcome, rows[active.pk].note, rows[active.pk].checkin_id) == (
            "kept",
            "Easier than I thought.",
            checkin.pk,
        )
        assert (rows[active.pk].period_start, rows[active.pk].period_end) == (d(2026, 3, 2), d(2026, 3, 15))
        assert (rows[other.pk].outcome, rows[other.pk].period_start, rows[other.pk].period_end) == (
            "partly",
            d(2026, 3, 2),
            d(2026, 3, 8),
        )
        assert all(r.author_id == alice.pk and r.revealed_at is None for r in rows.values())

    def test_reveals_together_with_a_standalone_reflection(self, active, alice, bob, checkin):
        services.reflection_submit(agreement=active, author=bob, outcome="missed", note="bob's")
        services.agreement_reflections_from_checkin(
            checkin=checkin, author=alice, value={str(active.pk): {"outcome": "kept"}}
        )
        assert Reflection.objects.filter(revealed_at=NOW).count() == 2
        period = selectors.reflection_period_for(
            agreement=active, user=alice, period=Period(d(2026, 3, 2), d(2026, 3, 15))
        )
        assert period.partner.note == "bob's"

    def test_edits_own_until_the_reveal_then_skips(self, active, alice, bob, checkin):
        value = {str(active.pk): {"outcome": "missed"}}
        services.agreement_reflections_from_checkin(checkin=checkin, author=alice, value=value)
        services.agreement_reflections_from_checkin(
            checkin=checkin, author=alice, value={str(active.pk): {"outcome": "partly"}}
        )
        assert Reflection.objects.get().outcome == "partly"
        services.reflection_submit(agreement=active, author=bob, outcome="kept")

        result = services.agreement_reflections_from_checkin(checkin=checkin, author=alice, value=value)

        assert result == {"saved": [], "skipped": [active.pk]}
        assert Reflection.objects.get(author=alice).outcome == "partly"

    def test_an_agreement_no_longer_active_is_skipped(self, active, alice, bob, checkin):
        services.agreement_amend(agreement=active, user=bob, version=1, changes={"title": "Changed"})
        result = services.agreement_reflections_from_checkin(
            checkin=checkin, author=alice, value={str(active.pk): {"outcome": "kept"}}
        )
        assert result == {"saved": [], "skipped": [active.pk]}
        assert not Reflection.objects.exists()

    def test_empty_entries_are_not_reflections(self, active, alice, checkin):
        result = services.agreement_reflections_from_checkin(
            checkin=checkin, author=alice, value={str(active.pk): None, "reflection": ""}
        )
        assert result == {"saved": [], "skipped": []}

    @pytest.mark.parametrize(
        "item",
        [{"outcome": "perfect"}, {"note": "no outcome"}, {"outcome": "kept", "note": "x" * 501}, "kept", ["kept"]],
    )
    def test_bad_entries_save_nothing(self, couple, alice, bob, active, checkin, item):
        other = propose(couple, bob, title="Call if late")
        services.agreement_accept(agreement=other, user=alice, version=1)
        with pytest.raises(Invalid) as info:
            services.agreement_reflections_from_checkin(
                checkin=checkin, author=alice, value={str(active.pk): item, str(other.pk): {"outcome": "kept"}}
            )
        assert list(info.value.errors["agreements"]) == [str(active.pk)]
        assert not Reflection.objects.exists()

    def test_another_couples_agreement_is_unknown(self, active, alice, checkin, mallory, mike, mallory_couple):
        theirs = propose(mallory_couple, mallory)
        services.agreement_accept(agreement=theirs, user=mike, version=1)
        with pytest.raises(Invalid) as info:
            services.agreement_reflections_from_checkin(
                checkin=checkin, author=alice, value={str(theirs.pk): {"outcome": "kept"}}
            )
        assert info.value.errors == {"agreements": {str(theirs.pk): ["There is no such agreement between you two."]}}
        assert not Reflection.objects.exists()

    def test_not_an_object(self, alice, checkin):
        with pytest.raises(Invalid):
            services.agreement_reflections_from_checkin(checkin=checkin, author=alice, value=["kept"])

    def test_only_a_member_of_the_checkins_couple(self, active, checkin, mallory, mallory_couple):
        with pytest.raises(Http404):
            services.agreement_reflections_from_checkin(
                checkin=checkin, author=mallory, value={str(active.pk): {"outcome": "missed"}}
            )
        assert not Reflection.objects.exists()


class TestFollowThroughForTherapists:
    def reflect(self, agreement, alice, bob, pairs, frozen, every=14):
        for a_outcome, b_outcome in pairs:
            services.reflection_submit(agreement=agreement, author=alice, outcome=a_outcome, note="SECRET-NOTE")
            if b_outcome:
                services.reflection_submit(agreement=agreement, author=bob, outcome=b_outcome, note="SECRET-NOTE")
            frozen.shift(dt.timedelta(days=every))

    def test_counts_per_partner_without_text(self, couple, alice, bob, active, _frozen):
        self.reflect(active, alice, bob, [("kept", "kept"), ("partly", "missed"), ("kept", None)], _frozen)

        rows = selectors.agreements_followthrough(couple=couple, start=d(2026, 3, 1), end=d(2026, 4, 30))

        assert rows == [
            {
                "agreement_id": active.pk,
                "title": TITLE,
                "category": "phones_and_privacy",
                "status": "active",
                "partners": [
                    {"partner_id": alice.pk, "display_name": "Alice", "kept": 1, "partly": 1, "missed": 0},
                    {"partner_id": bob.pk, "display_name": "Bob", "kept": 1, "partly": 0, "missed": 1},
                ],
            }
        ]
        assert "SECRET-NOTE" not in repr(rows) and "SECRET-DETAILS" not in repr(rows)

    def test_the_range_selects_periods(self, couple, alice, bob, active, _frozen):
        self.reflect(active, alice, bob, [("kept", "kept"), ("missed", "missed")], _frozen)
        rows = selectors.agreements_followthrough(couple=couple, start=d(2026, 3, 10), end=d(2026, 3, 31))
        assert [(p["kept"], p["missed"]) for p in rows[0]["partners"]] == [(0, 1), (0, 1)]

    def test_which_agreements(self, couple, alice, bob, active, mallory_couple, mallory, mike, _frozen):
        never = propose(couple, alice, title="Never accepted")
        old = propose(couple, bob, title="Retired long ago")
        services.agreement_accept(agreement=old, user=alice, version=1)
        services.agreement_retire(agreement=old, user=alice)
        theirs = propose(mallory_couple, mallory, title="Mallory's")
        services.agreement_accept(agreement=theirs, user=mike, version=1)
        _frozen.shift(dt.timedelta(days=40))

        rows = selectors.agreements_followthrough(couple=couple, start=d(2026, 4, 1), end=d(2026, 4, 30))

        assert [r["agreement_id"] for r in rows] == [active.pk]
        assert never.pk not in [r["agreement_id"] for r in rows]
        also_old = selectors.agreements_followthrough(couple=couple, start=d(2026, 3, 1), end=d(2026, 4, 30))
        assert [r["title"] for r in also_old] == [TITLE, "Retired long ago"]
        assert also_old[1]["status"] == "retired"
        assert also_old[1]["partners"][0] == {
            "partner_id": alice.pk,
            "display_name": "Alice",
            "kept": 0,
            "partly": 0,
            "missed": 0,
        }

    def test_a_fixed_number_of_queries(self, couple, alice, bob, _frozen, django_assert_num_queries):
        agreements = []
        for i in range(12):
            a = propose(couple, alice, title=f"Agreement {i}")
            agreements.append(services.agreement_accept(agreement=a, user=bob, version=1))
        for _ in range(3):
            for a in agreements:
                services.reflection_submit(agreement=a, author=alice, outcome="kept")
                services.reflection_submit(agreement=a, author=bob, outcome="partly")
            _frozen.shift(dt.timedelta(days=14))
        with django_assert_num_queries(3):
            rows = selectors.agreements_followthrough(couple=couple, start=d(2026, 1, 1), end=d(2026, 12, 31))
        assert len(rows) == 12
        assert all([p["kept"] + p["partly"] for p in r["partners"]] == [3, 3] for r in rows)


class TestDemo:
    def test_demo_seed_is_idempotent(self, couple, alice, bob):
        from agreements.demo import demo_seed

        demo_seed(couple=couple, alice=alice, bob=bob)
        counts = (Agreement.objects.count(), AgreementVersion.objects.count(), Reflection.objects.count())
        demo_seed(couple=couple, alice=alice, bob=bob)

        assert (Agreement.objects.count(), AgreementVersion.objects.count(), Reflection.objects.count()) == counts
        assert sorted(Agreement.objects.values_list("status", flat=True)) == ["active", "active", "proposed"]
        assert counts == (3, 4, 6)
        assert Reflection.objects.filter(revealed_at__isnull=False).count() == 6
        # Reviews of the back-dated agreements come in the future, not as a burst of past ones.
        pending = Reminder.objects.filter(kind="agreement_review", status="pending")
        assert pending.count() == 4 and all(r.due_at > NOW for r in pending)
        follow = selectors.agreements_followthrough(couple=couple, start=d(2026, 1, 1), end=d(2026, 3, 31))
        late = next(r for r in follow if r["title"] == "A text if I'll be late")
        assert [(p["kept"], p["partly"]) for p in late["partners"]] == [(2, 1), (2, 1)]
