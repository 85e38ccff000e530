"""The taking-space pages, through Django's test client: choosing a return
time (quick choices, tonight, a time of one's own), the calm status in the
viewer's own timezone, reconnect and extend, follow-through the same for
both, the home card, and who may do what."""

import datetime as dt
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client

from space import services
from space.models import Extension, SpacePeriod
from space.views import clock, home_context

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Wednesday 4 March 2026, 18:00 UTC: 19:00 in Berlin (alice), 13:00 in New York (bob).
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user=None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:
    page = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("&#x27;", "'")


@pytest.fixture
def web_alice(alice):
    return web(alice)


@pytest.fixture
def web_bob(bob):
    return web(bob)


@pytest.fixture
def bobs_space(couple, bob):
    """Bob takes space until 15:00 in New York (21:00 in Berlin)."""
    return services.space_take(
        couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(hours=2), note="Cooling down. Love you."
    )


class TestTaking:
    def test_the_form_offers_quick_times_in_my_own_timezone(self, web_bob, couple):
        page = text_of(web_bob.get("/space/"))
        assert "Need some space?" in page
        for words in ("30 min until 13:30", "1 hour until 14:00", "2 hours until 15:00", "Tonight until 21:00"):
            assert words in page
        assert "Another time" in page and "Your time (America/New York)" in page

    @pytest.mark.parametrize(
        ("when", "expected"),
        [
            ("30m", NOW + dt.timedelta(minutes=30)),
            ("1h", NOW + dt.timedelta(hours=1)),
            ("2h", NOW + dt.timedelta(hours=2)),
            ("tonight", dt.datetime(2026, 3, 5, 2, 0, tzinfo=UTC)),  # 21:00 in New York
        ],
    )
    def test_quick_choices(self, web_bob, bob, couple, when, expected):
        response = web_bob.post("/space/", {"when": when, "note": ""})
        assert response.status_code == 302
        assert SpacePeriod.objects.get(author=bob).reconnect_by == expected

    def test_tonight_for_alice_is_her_evening(self, web_alice, alice, couple):
        # 19:00 in Berlin, "2 hours" is 21:00: "tonight" is 22:00 Berlin, 21:00 UTC.
        assert "Tonight until 22:00" in text_of(web_alice.get("/space/"))
        web_alice.post("/space/", {"when": "tonight"})
        assert SpacePeriod.objects.get(author=alice).reconnect_by == dt.datetime(2026, 3, 4, 21, 0, tzinfo=UTC)

    def test_tonight_is_not_offered_late_at_night(self, web_alice, couple, _frozen):
        _frozen.move_to(dt.datetime(2026, 3, 4, 22, 0, tzinfo=UTC))  # 23:00 in Berlin
        page = text_of(web_alice.get("/space/"))
        assert "Tonight" not in page and "30 min" in page
        web_alice.post("/space/", {"when": "tonight"})
        assert not SpacePeriod.objects.exists()

    def test_tonight_is_later_than_the_quick_times(self, web_alice, couple, _frozen):
        _frozen.move_to(dt.datetime(2026, 3, 4, 19, 20, tzinfo=UTC))  # 20:20 in Berlin: 2 hours is 22:20
        assert "Tonight until 23:00" in text_of(web_alice.get("/space/"))

    def test_a_time_of_my_own(self, web_bob, bob, couple):
        web_bob.post("/space/", {"when": "custom", "custom_time": "16:30", "note": "Back soon"})
        period = SpacePeriod.objects.get()
        assert period.reconnect_by == dt.datetime(2026, 3, 4, 21, 30, tzinfo=UTC)  # 16:30 in New York
        assert period.note == "Back soon"

    def test_a_time_already_past_today_means_tomorrow(self, web_bob, couple):
        web_bob.post("/space/", {"when": "custom", "custom_time": "09:00"})
        assert SpacePeriod.objects.get().reconnect_by == dt.datetime(2026, 3, 5, 14, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({}, "Choose when you'll be back."),
            ({"when": "forever"}, "Choose one of the times shown."),
            ({"when": "custom"}, "Choose the time you'll be back, like 20:30."),
            ({"when": "custom", "custom_time": "half past"}, "Enter a time, like 20:30."),
            ({"when": "custom", "custom_time": "13:10"}, "Give yourself at least 15 minutes."),
            ({"when": "1h", "note": "x" * 281}, "Keep the note to 280 characters; this one has 281."),
        ],
    )
    def test_errors_are_shown_and_nothing_is_saved(self, web_bob, couple, data, message):
        response = web_bob.post("/space/", data)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
        assert message in text_of(response)
        assert not SpacePeriod.objects.exists()

    def test_a_bad_time_and_a_long_note_are_both_pointed_out(self, web_bob, couple):
        response = web_bob.post("/space/", {"when": "custom", "custom_time": "13:05", "note": "x" * 300})
        page = text_of(response)
        assert "Give yourself at least 15 minutes." in page
        assert "Keep the note to 280 characters; this one has 300." in page
        assert not SpacePeriod.objects.exists()

    def test_a_second_time_is_not_offered_and_not_taken(self, web_bob, bobs_space):
        page = text_of(web_bob.get("/space/"))
        assert "Need some space?" not in page and "You're taking some space" in page
        web_bob.post("/space/", {"when": "30m"})
        assert SpacePeriod.objects.count() == 1

    def test_csrf_is_required(self, bob, couple):
        assert web(bob, csrf=True).post("/space/", {"when": "1h"}).status_code == 403
        assert not SpacePeriod.objects.exists()


class TestCalmStatus:
    def test_the_partner_sees_who_and_until_when_in_her_own_time(self, web_alice, bobs_space):
        page = text_of(web_alice.get("/space/"))
        assert "Bob is taking some space and plans to reconnect by 21:00." in page
        assert "Cooling down. Love you." in page
        assert "There's nothing you need to do." in page
        # Nothing to press about bob's time: no reconnect, extend, ping or poke.
        html = web_alice.get("/space/").content.decode()
        assert f"/space/{bobs_space.pk}/reconnect/" not in html and f"/space/{bobs_space.pk}/extend/" not in html
        assert not re.search(r"\b(ping|poke|nudge|remind (him|her|them))\b", page, re.I)

    def test_the_person_taking_space_sees_their_own_time(self, web_bob, bobs_space):
        page = text_of(web_bob.get("/space/"))
        assert "You said you'd reconnect by 15:00." in page
        assert "We'll remind you at 14:50, ten minutes before." in page
        assert "I'm ready to reconnect" in page and "I need a little longer" in page

    def test_tomorrow_is_said_as_tomorrow(self, web_alice, couple, bob):
        services.space_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(hours=14))
        assert "plans to reconnect by 09:00 tomorrow." in text_of(web_alice.get("/space/"))

    def test_past_the_time_the_words_stay_calm(self, web_alice, web_bob, bobs_space, _frozen):
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(minutes=20))
        page = text_of(web_alice.get("/space/"))
        assert "Bob is taking some space and planned to reconnect by 21:00." in page
        assert "Sometimes it takes a little longer than planned." in page
        for harsh in ("late", "missed", "overdue", "failed", "broke"):
            assert harsh not in page.lower().split("coming back, together")[0]
        mine = text_of(web_bob.get("/space/"))
        assert "Whenever you're ready, mark that you're back." in mine
        assert "I need a little longer" not in mine

    def test_a_reminder_inside_quiet_hours_is_said_plainly(self, web_bob, couple, bob, _frozen):
        bob.quiet_hours_start, bob.quiet_hours_end = dt.time(22, 0), dt.time(7, 30)
        bob.save()
        _frozen.move_to(dt.datetime(2026, 3, 5, 2, 0, tzinfo=UTC))  # 21:00 in New York
        web_bob.post("/space/", {"when": "2h"})
        assert "there won't be a reminder" in text_of(web_bob.get("/space/"))


class TestReconnectAndExtend:
    def test_back_on_time(self, web_bob, bobs_space, _frozen):
        _frozen.move_to(NOW + dt.timedelta(minutes=50))
        response = web_bob.post(f"/space/{bobs_space.pk}/reconnect/")
        assert response.status_code == 302
        assert SpacePeriod.objects.get().status == "kept"
        assert "Welcome back, right when you said." in text_of(web_bob.get("/space/"))

    def test_back_later_is_welcomed_too(self, web_bob, bobs_space, _frozen):
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(minutes=5))
        web_bob.post(f"/space/{bobs_space.pk}/reconnect/")
        assert SpacePeriod.objects.get().status == "late"
        page = text_of(web_bob.get("/space/"))
        assert "Welcome back. Alice will see that you're back." in page

    def test_the_partner_cannot_end_or_extend_it(self, web_alice, bobs_space):
        web_alice.post(f"/space/{bobs_space.pk}/reconnect/")
        assert web_alice.get(f"/space/{bobs_space.pk}/extend/").status_code == 302
        web_alice.post(f"/space/{bobs_space.pk}/extend/", {"when": "1h"})
        period = SpacePeriod.objects.get()
        assert period.status == "open" and period.reconnect_by == NOW + dt.timedelta(hours=2)
        assert not Extension.objects.exists()

    def test_extend_from_the_time_already_given(self, web_bob, bobs_space):
        page = text_of(web_bob.get(f"/space/{bobs_space.pk}/extend/"))
        assert "+30 min until 15:30" in page and "+1 hour until 16:00" in page
        response = web_bob.post(f"/space/{bobs_space.pk}/extend/", {"when": "30m"})
        assert response.status_code == 302
        assert SpacePeriod.objects.get().reconnect_by == NOW + dt.timedelta(hours=2, minutes=30)
        assert Extension.objects.count() == 1
        assert "Extended" in text_of(web_bob.get("/space/"))

    def test_extend_to_an_earlier_time_is_refused(self, web_bob, bobs_space):
        response = web_bob.post(f"/space/{bobs_space.pk}/extend/", {"when": "custom", "custom_time": "14:00"})
        assert response.status_code == 200
        assert "Choose a time later than the one you gave." in text_of(response)
        assert SpacePeriod.objects.get().reconnect_by == NOW + dt.timedelta(hours=2)

    def test_too_late_to_extend(self, web_bob, bobs_space, _frozen):
        _frozen.move_to(bobs_space.reconnect_by + dt.timedelta(seconds=1))
        response = web_bob.get(f"/space/{bobs_space.pk}/extend/")
        assert response.status_code == 302
        assert "The time you gave has come." in text_of(web_bob.get("/space/"))
        response = web_bob.post(f"/space/{bobs_space.pk}/extend/", {"when": "30m"})
        assert response.status_code == 302
        assert SpacePeriod.objects.get().reconnect_by == NOW + dt.timedelta(hours=2)


class TestFollowthrough:
    def test_what_they_did_together_and_each_only_their_own_late_returns(
        self, web_alice, web_bob, couple, alice, bob, _frozen
    ):
        """No scorekeeping between partners (issue #20, item 10): both read
        the same count of returns kept; each reads only their own late ones."""
        for i, (user, back) in enumerate([(bob, 50), (alice, 70), (bob, 130), (bob, 125)]):
            start = NOW - dt.timedelta(days=10 - i)
            _frozen.move_to(start)
            p = services.space_take(couple=couple, user=user, reconnect_by=start + dt.timedelta(hours=1))
            services.space_reconnect(period=p, user=user, now=start + dt.timedelta(minutes=back))
        _frozen.move_to(NOW)

        def section(client, testid):
            page = client.get("/space/").content.decode()
            found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
            return found.group(1) if found else None

        together = "In the last 8 weeks, you two came back when you said you would once."
        assert section(web_alice, "followthrough-together") == section(web_bob, "followthrough-together") == together
        assert "later than you'd said once" in section(web_alice, "followthrough-mine")
        assert "later than you'd said 2 times" in section(web_bob, "followthrough-mine")
        assert "2 times" not in section(web_alice, "followthrough-mine")
        # The history: her own late return says so; Bob's two read as over.
        history = web_alice.get("/space/").content.decode()
        assert history.count("Back, later than planned") == 1 and history.count('class="small">Over<') == 2

    def test_the_partners_late_return_reads_as_over_in_the_history(self, web_alice, web_bob, couple, bob, _frozen):
        start = NOW - dt.timedelta(days=1)
        _frozen.move_to(start)
        p = services.space_take(couple=couple, user=bob, reconnect_by=start + dt.timedelta(hours=1))
        services.space_reconnect(period=p, user=bob, now=start + dt.timedelta(hours=2))
        _frozen.move_to(NOW)

        assert "Back, later than planned" in text_of(web_bob.get("/space/"))
        alices = text_of(web_alice.get("/space/"))
        assert "later than planned" not in alices and "Over" in alices
        assert 'data-testid="followthrough-mine"' not in web_alice.get("/space/").content.decode()

    def test_nothing_yet(self, web_alice, couple):
        assert "Nothing yet." in text_of(web_alice.get("/space/"))


class TestWhoMaySee:
    def test_mallory_and_theo_get_404(self, mallory, theo, mallory_couple, bobs_space):
        for user in (mallory, theo):
            client = web(user)
            assert client.post(f"/space/{bobs_space.pk}/reconnect/").status_code == 404
            assert client.get(f"/space/{bobs_space.pk}/extend/").status_code == 404
            assert client.post(f"/space/{bobs_space.pk}/extend/", {"when": "1h"}).status_code == 404
        assert "Cooling down" not in text_of(web(mallory).get("/space/"))
        assert web(theo).get("/space/").status_code == 404
        assert SpacePeriod.objects.get().status == "open"

    def test_anonymous_is_sent_to_sign_in(self, bobs_space):
        response = web().get("/space/")
        assert response.status_code == 302 and "/accounts/login/" in response.url


class TestHomeCard:
    def render(self, user, rf):
        request = rf.get("/")
        request.user = user
        return re.sub(
            r"\s+",
            " ",
            render_to_string("space/_home_card.html", {**home_context(user), "user": user}, request=request),
        ).replace("&#x27;", "'")

    def test_the_partner_sees_the_calm_status_in_her_timezone(self, alice, bob, bobs_space, rf):
        card = self.render(alice, rf)
        assert "Bob is taking some space and plans to reconnect by 21:00." in card
        assert "Cooling down. Love you." in card
        assert "reconnect/" not in card

    def test_the_person_taking_space_can_come_back_from_home(self, bob, bobs_space, rf):
        card = self.render(bob, rf)
        assert "You said you'd reconnect by 15:00." in card
        assert f"/space/{bobs_space.pk}/reconnect/" in card and f"/space/{bobs_space.pk}/extend/" in card

    def test_nobody_taking_space(self, alice, couple, rf):
        assert "Take some space" in self.render(alice, rf)

    def test_nothing_when_not_paired(self, theo):
        assert home_context(theo) == {"space_card": False}

    def test_a_fixed_number_of_queries(self, alice, bob, couple, django_assert_max_num_queries):
        services.space_take(couple=couple, user=bob, reconnect_by=NOW + dt.timedelta(hours=1))
        with django_assert_max_num_queries(5):
            home_context(alice)


def test_clock_words():
    import zoneinfo

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    assert clock(NOW + dt.timedelta(hours=2), berlin, NOW) == "21:00"
    assert clock(NOW + dt.timedelta(hours=6), berlin, NOW) == "01:00 tomorrow"
    assert clock(NOW + dt.timedelta(days=3), berlin, NOW) == "19:00 on Saturday"
    assert clock(NOW - dt.timedelta(hours=20), berlin, NOW) == "23:00 yesterday"


def test_demo_seed_is_idempotent(couple, alice, bob):
    from space.demo import demo_seed
    from space.selectors import space_followthrough

    demo_seed(couple=couple, alice=alice, bob=bob)
    demo_seed(couple=couple, alice=alice, bob=bob)
    counts = space_followthrough(couple=couple, start=NOW - dt.timedelta(days=60), end=NOW)
    assert counts == {"kept": 3, "late": 1, "missed": 1, "open": 0, "extended": 1, "total": 5}
    assert Extension.objects.count() == 1
