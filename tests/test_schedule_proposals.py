"""A proposed schedule reaches the partner (issue #20, item 3): on the home
card, as agreements' proposals do, with accept, suggest a change and
decline, and as a notification (``schedule_proposed``) in content-free
words, once per version."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from checkins import services
from checkins.models import Format, Schedule
from checkins.views import home_context
from couples import services as couples
from reminders.dispatch import dispatch_tick
from reminders.kinds import KINDS
from reminders.models import Notification, Reminder

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
KIND = "schedule_proposed"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_quiet_hours(alice, bob):
    # What is told, not when: quiet hours are the engine's own tests'.
    for person in (alice, bob):
        person.quiet_hours_start = person.quiet_hours_end = None
        person.save()


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pulse():
    return Format.objects.get(key="daily-pulse")


@pytest.fixture
def proposed(couple, alice, pulse):
    return services.schedule_propose(
        couple=couple, user=alice, format=pulse, weekdays=[0, 2, 4], time=dt.time(20, 0), timezone_name="Europe/Berlin"
    )


def pending(user=None):
    qs = Reminder.objects.filter(kind=KIND, status=Reminder.Status.PENDING)
    return qs.filter(user=user) if user is not None else qs


class TestNotification:
    def test_the_partner_is_told_once_in_content_free_words(self, alice, bob, proposed):
        assert list(pending().values_list("user_id", "target_id", "occurrence")) == [(bob.pk, proposed.pk, "v1")]

        dispatch_tick(now=NOW)
        dispatch_tick(now=NOW + dt.timedelta(minutes=1))

        (note,) = Notification.objects.filter(user=bob)
        assert note.kind == KIND
        assert note.title == "Your partner proposed a time for check-ins"
        assert note.url == f"/checkins/schedules/#schedule-{proposed.pk}"
        assert "Alice" not in note.title and "Daily" not in note.title and "20:00" not in note.title
        assert not Notification.objects.filter(user=alice).exists()

    def test_registered_with_fixed_wording_and_on_by_default(self):
        kind = KINDS[KIND]
        assert "{" not in kind.title and not kind.opt_in

    def test_a_change_and_a_resume_are_told_again_each_once(self, alice, bob, proposed, pulse):
        dispatch_tick(now=NOW)
        services.schedule_accept(schedule=proposed, user=bob)

        changed = services.schedule_update(schedule=proposed, user=bob, fields={"time": dt.time(21, 0)})
        assert list(pending().values_list("user_id", "occurrence")) == [(alice.pk, f"v{changed.version}")]
        services.schedule_accept(schedule=changed, user=alice)
        assert not pending().exists()  # accepted before the tick: nothing to tell

        services.schedule_pause(schedule=changed, user=alice)
        resumed = services.schedule_resume(schedule=changed, user=alice)
        dispatch_tick(now=NOW)

        assert list(Notification.objects.filter(kind=KIND).values_list("user_id", flat=True)) == [bob.pk, bob.pk]
        assert resumed.version == 3

    def test_accepted_declined_or_paused_before_the_tick_is_not_told(self, alice, bob, couple, pulse):
        def propose():
            return services.schedule_propose(
                couple=couple, user=alice, format=pulse, weekdays=[1], time=dt.time(8, 0), timezone_name="UTC"
            )

        services.schedule_accept(schedule=propose(), user=bob)
        services.schedule_delete(schedule=propose(), user=bob)
        paused = propose()
        services.schedule_pause(schedule=paused, user=alice)

        dispatch_tick(now=NOW)

        assert not Notification.objects.filter(kind=KIND).exists()
        assert pending().count() == 0

    def test_an_older_version_is_never_told(self, alice, bob, proposed):
        services.schedule_update(schedule=proposed, user=alice, fields={"weekdays": [5]})
        # Both reminders exist; only the one for the version now proposed is sent.
        assert sorted(pending(bob).values_list("occurrence", flat=True)) == ["v1", "v2"]

        dispatch_tick(now=NOW)

        assert Notification.objects.filter(user=bob, kind=KIND).count() == 1

    def test_leaving_the_couple_ends_it(self, alice, bob, proposed):
        couples.couple_leave(user=alice, password=PASSWORD)

        assert not pending().exists()
        dispatch_tick(now=NOW)
        assert not Notification.objects.filter(kind=KIND).exists()

    def test_a_closed_couples_proposal_is_not_told_even_if_not_cancelled(self, alice, bob, proposed):
        couples.couple_leave(user=alice, password=PASSWORD)
        Reminder.objects.filter(kind=KIND).update(status=Reminder.Status.PENDING)  # as if a handler had failed

        dispatch_tick(now=NOW)

        assert not Notification.objects.filter(kind=KIND).exists()


class TestHomeCard:
    def test_the_partner_sees_the_proposal_with_accept_change_and_decline(self, alice, bob, proposed):
        page = web(bob).get("/").content.decode()

        card = page[page.index('data-testid="checkins-card"') :]
        assert 'data-testid="home-schedule-proposal"' in card
        assert "Alice proposed a regular time to check in" in card
        assert "Mondays, Wednesdays and Fridays at 20:00" in card
        assert f'action="/checkins/schedules/{proposed.pk}/accept/"' in card
        assert f'name="version" value="{proposed.version}"' in card
        assert f'href="/checkins/schedules/{proposed.pk}/change/"' in card
        assert f'href="/checkins/schedules/{proposed.pk}/delete/"' in card
        assert "Nothing planned right now" not in card

    def test_the_proposer_sees_it_waits_for_the_partner(self, alice, bob, proposed):
        page = web(alice).get("/").content.decode()

        assert 'data-testid="home-schedule-proposal"' not in page
        assert "Your proposed schedule is waiting for Bob to accept." in page

    def test_accepting_from_home_comes_back_home_and_starts_it(self, alice, bob, proposed):
        response = web(bob).post(
            f"/checkins/schedules/{proposed.pk}/accept/", {"version": proposed.version, "back": "home"}, follow=True
        )

        assert response.redirect_chain[-1][0] == "/"
        proposed.refresh_from_db()
        assert proposed.status == Schedule.Status.ACTIVE
        page = response.content.decode()
        assert "Accepted" in page and 'data-testid="home-schedule-proposal"' not in page
        assert 'data-testid="next-checkin"' in page

    def test_back_takes_only_home(self, bob, proposed):
        response = web(bob).post(
            f"/checkins/schedules/{proposed.pk}/accept/", {"version": proposed.version, "back": "https://evil.example/"}
        )
        assert response["Location"] == "/checkins/schedules/"

    def test_declining_says_so_and_removes_it_for_both(self, alice, bob, proposed):
        page = web(bob).get(f"/checkins/schedules/{proposed.pk}/delete/").content.decode()
        assert "Decline this proposal?" in page and "Decline it" in page and "suggest a change" in page
        mine = web(alice).get(f"/checkins/schedules/{proposed.pk}/delete/").content.decode()
        assert "Delete this schedule?" in mine

        response = web(bob).post(f"/checkins/schedules/{proposed.pk}/delete/", follow=True)

        assert "Declined. Either of you can propose another time." in response.content.decode()
        assert not Schedule.objects.filter(pk=proposed.pk).exists()
        assert not pending().exists()

    def test_the_schedules_page_says_decline_for_the_partner(self, alice, bob, proposed):
        assert ">Decline</a>" in web(bob).get("/checkins/schedules/").content.decode()
        assert ">Delete</a>" in web(alice).get("/checkins/schedules/").content.decode()

    def test_a_stranger_cannot_accept_or_decline(self, mallory, mallory_couple, proposed):
        stranger = web(mallory)
        assert stranger.post(f"/checkins/schedules/{proposed.pk}/accept/", {"back": "home"}).status_code == 404
        assert stranger.post(f"/checkins/schedules/{proposed.pk}/delete/").status_code == 404
        assert Schedule.objects.filter(pk=proposed.pk, status="proposed").exists()

    def test_the_card_costs_the_same_with_many_schedules(
        self, alice, bob, couple, pulse, proposed, django_assert_num_queries
    ):
        home_context(bob)
        with django_assert_num_queries(4) as few:
            context = home_context(bob)
        assert [r["schedule"].pk for r in context["checkins_proposals"]] == [proposed.pk]

        for hour in range(6, 12):
            services.schedule_propose(
                couple=couple, user=alice, format=pulse, weekdays=[3], time=dt.time(hour, 0), timezone_name="UTC"
            )
        with django_assert_num_queries(len(few.captured_queries)):
            context = home_context(bob)
        assert len(context["checkins_proposals"]) == 3 and context["checkins_proposals_more"]


class TestThroughTheApi:
    def test_a_proposal_by_api_is_told_and_an_accept_by_api_ends_it(self, alice, bob, couple, as_alice, as_bob):
        created = as_alice.post(
            "/api/v1/checkins/schedules/",
            {"format": "daily-pulse", "weekdays": [1, 3], "time": "19:30", "timezone": "UTC"},
            format="json",
        )
        assert created.status_code == 201
        schedule_id = created.json()["id"]
        assert list(pending().values_list("user_id", "target_id")) == [(bob.pk, schedule_id)]

        dispatch_tick(now=NOW)
        listed = as_bob.get("/api/v1/notifications/").json()["results"]
        assert [(n["kind"], n["url"]) for n in listed] == [(KIND, f"/checkins/schedules/#schedule-{schedule_id}")]
        assert as_alice.get("/api/v1/notifications/").json()["results"] == []

        changed = as_alice.patch(f"/api/v1/checkins/schedules/{schedule_id}/", {"time": "20:00"}, format="json")
        assert changed.status_code == 200
        accepted = as_bob.post(f"/api/v1/checkins/schedules/{schedule_id}/accept/", format="json")
        assert accepted.status_code == 200
        assert not pending().exists()  # the change's notice, not yet sent, went with the accept
