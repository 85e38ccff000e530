# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Therapist access pages: the partner's consent page and access log, the
therapist's sign-up, set-up steps, home and summary; the two-factor gate,
the idle timeout of therapist sessions, and the home card."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts.models import User
from couples.services import couple_leave
from therapists import services
from therapists.middleware import TIMED_OUT
from therapists.models import AccessEvent, ConnectCode, Grant
from therapists.views import home_context

from .factories import PASSWORD
from .test_therapists_support import (  # noqa: F401 - fixtures
    SECRET,
    active_grant,
    give_totp,
    keystore,
    make_grant,
    plant_secrets,
    theo_totp,
    theos_grant,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)

MIDDLEWARE = "therapists.middleware.TherapistIdleTimeoutMiddleware"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _idle_middleware(settings):
    # Until the line is in backend/settings.py (see docs/therapists.md).
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- partners ---------------------------------------------------------------------------------------------


class TestConsentPage:
    def test_a_partner_asks_with_a_code_scopes_and_a_day(self, couple, alice, theo):
        code = services.connect_code_create(therapist=theo)
        client = web(alice)

        page = client.get("/couple/therapists/")
        response = client.post(
            "/couple/therapists/",
            {"code": code.code.lower(), "scopes": ["checkin_consistency", "mood_trends"], "until": "2026-04-30"},
        )

        assert page.status_code == 200
        assert "Never your answers." in page.content.decode()
        assert response.status_code == 302
        grant = Grant.objects.get()
        assert grant.scopes == ["checkin_consistency", "mood_trends"]
        # To the end of 30 April where Alice is (Berlin, UTC+2 in summer).
        assert grant.expires_at == dt.datetime(2026, 4, 30, 22, 0, tzinfo=UTC)
        followed = client.get(response["Location"]).content.decode()
        assert "Nothing is shared until Bob approves" in followed

    @pytest.mark.parametrize(
        ("data", "field_text"),
        [
            ({"code": "", "scopes": ["mood_trends"], "until": "2026-04-30"}, "Type the code your therapist gave you."),
            ({"code": "ABCD-EFGH", "scopes": ["mood_trends"], "until": "2026-04-30"}, "This code is not valid."),
            ({"code": "ABCD-EFGH", "until": "2026-04-30"}, "Choose at least one thing to share."),
            ({"code": "ABCD-EFGH", "scopes": ["diaries"], "until": "2026-04-30"}, "Select a valid choice."),
            ({"code": "ABCD-EFGH", "scopes": ["mood_trends"], "until": "2026-03-04"}, "Choose a day from tomorrow on."),
            ({"code": "ABCD-EFGH", "scopes": ["mood_trends"], "until": "2026-12-31"}, "(180 days)"),
            ({"code": "ABCD-EFGH", "scopes": ["mood_trends"], "until": "soon"}, "Enter a date"),
        ],
    )
    def test_mistakes_are_shown_next_to_the_field(self, couple, alice, data, field_text):
        response = web(alice).post("/couple/therapists/", data)

        assert response.status_code == 200
        assert field_text in response.content.decode()
        assert 'role="alert"' in response.content.decode()
        assert Grant.objects.count() == 0

    def test_bob_approves_what_alice_asked_and_can_stop_it(self, couple, alice, bob, theo):
        grant = make_grant(couple, alice, theo, scopes=["mood_trends"])
        client = web(bob)

        page = client.get("/couple/therapists/").content.decode()
        approved = client.post(
            f"/couple/therapists/{grant.pk}/approve/",
            {"scopes": ["mood_trends"], "expires_at": grant.expires_at.isoformat()},
        )
        grant.refresh_from_db()
        stopped = client.post(f"/couple/therapists/{grant.pk}/revoke/")

        assert "Alice asked on" in page and "Approve and share" in page
        assert approved.status_code == 302 and grant.approved_by == bob
        assert stopped.status_code == 302
        grant.refresh_from_db()
        assert grant.status == "revoked"

    def test_an_approval_for_something_else_than_shown_changes_nothing(self, couple, alice, bob, theo):
        grant = make_grant(couple, alice, theo, scopes=["mood_trends"])

        response = web(bob).post(
            f"/couple/therapists/{grant.pk}/approve/",
            {"scopes": ["mood_trends", "trigger_patterns"], "expires_at": grant.expires_at.isoformat()},
            follow=True,
        )

        assert "shares something else" in response.content.decode()
        grant.refresh_from_db()
        assert grant.approved_at is None

    def test_mallory_and_theo_get_404_on_the_couples_grants(self, couple, alice, theo, mallory, mallory_couple):
        grant = make_grant(couple, alice, theo)
        give_totp(theo)

        for user in (mallory, theo):
            client = web(user)
            assert client.post(f"/couple/therapists/{grant.pk}/approve/").status_code == 404
            assert client.post(f"/couple/therapists/{grant.pk}/revoke/").status_code == 404
        grant.refresh_from_db()
        assert grant.approved_at is None and grant.ended_at is None

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get("/couple/therapists/")

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_posts_need_csrf(self, couple, alice, theo):
        grant = make_grant(couple, alice, theo)
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)

        assert client.post(f"/couple/therapists/{grant.pk}/revoke/").status_code == 403
        grant.refresh_from_db()
        assert grant.ended_at is None


class TestAccessLogPage:
    def test_both_partners_read_who_looked_at_what_in_their_own_time(self, couple, alice, bob, theo, theo_totp):
        active_grant(couple, alice, bob, theo, scopes=["checkin_consistency"])
        web(theo).get(f"/therapist/couples/{couple.pk}/")

        alices = web(alice).get("/couple/therapists/log/").content.decode()
        bobs = web(bob).get("/couple/therapists/log/").content.decode()

        assert "Theo viewed your check-in consistency" in alices and "on 4 March at 19:00." in alices
        assert "on 4 March at 13:00." in bobs

    def test_it_is_paginated(self, couple, alice, bob, theo, theo_totp, django_assert_max_num_queries):
        active_grant(couple, alice, bob, theo)
        client = web(theo)
        for _ in range(25):
            client.get("/therapist/")
        client = web(alice)

        with django_assert_max_num_queries(8):
            page = client.get("/couple/therapists/log/").content.decode()

        assert page.count("opened their list of couples") == 20
        assert "Page 1 of 2" in page


class TestAccessLogPageAfterTheCouple:
    @pytest.fixture
    def looked(self, couple, alice, bob, theo, theo_totp):
        active_grant(couple, alice, bob, theo, scopes=["checkin_consistency"])
        web(theo).get(f"/therapist/couples/{couple.pk}/")

    def test_each_former_partner_still_reads_it_read_only(self, couple, alice, bob, looked):
        couple_leave(user=alice, password=PASSWORD)

        for person, at in ((alice, "19:00"), (bob, "13:00")):
            client = web(person)
            settings_page = client.get("/settings/").content.decode()
            assert 'data-testid="past-access-log"' in settings_page
            for path in ("/couple/therapists/log/", f"/couple/therapists/log/?couple={couple.pk}"):
                page = client.get(path).content.decode()
                assert "Theo viewed your check-in consistency" in page and f"on 4 March at {at}." in page
                assert "from 4 March 2026 to 4 March 2026" in page
                assert "<form" not in page.split("<main", 1)[-1]

    def test_strangers_and_therapists_get_nothing(self, couple, alice, mallory, mallory_couple, theo, looked):
        couple_leave(user=alice, password=PASSWORD)

        mallorys = web(mallory).get(f"/couple/therapists/log/?couple={couple.pk}")
        assert mallorys.status_code == 404
        assert "Theo viewed" not in web(mallory).get("/couple/therapists/log/").content.decode()
        assert web(theo).get(f"/couple/therapists/log/?couple={couple.pk}").status_code == 302
        assert web(alice).get("/couple/therapists/log/?couple=abc").status_code == 404

    def test_someone_never_paired_sees_a_calm_empty_page(self, mallory):
        page = web(mallory).get("/couple/therapists/log/")

        assert page.status_code == 200 and "Once you are paired" in page.content.decode()


def test_the_home_card_shows_what_waits_for_this_partner(couple, alice, bob, theo):
    make_grant(couple, alice, theo)

    for_bob, for_alice = home_context(bob), home_context(alice)

    assert len(for_bob["therapists_waiting"]) == 1
    assert for_alice["therapists_waiting"] == [] and len(for_alice["therapists_pending_partner"]) == 1
    assert home_context(theo) == {"therapists_card": False}


# --- therapists ---------------------------------------------------------------------------------------------


class TestTherapistGate:
    @pytest.mark.parametrize("path", ["/therapist/", "/therapist/couples/{id}/"])
    def test_without_two_factor_theo_is_sent_to_set_it_up_and_sees_nothing(self, couple, theo, theos_grant, path):
        response = web(theo).get(path.format(id=couple.pk))

        assert response.status_code == 302
        assert response["Location"] == "/therapist/security/"
        assert AccessEvent.objects.count() == 0

    def test_the_set_up_page_leads_to_allauths_authenticator_set_up(self, theo):
        page = web(theo).get("/therapist/security/").content.decode()

        assert "/accounts/2fa/totp/activate/" in page

    def test_an_unconfirmed_address_is_confirmed_first(self, theo):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=theo, email=theo.email, primary=True, verified=False)
        client = web(theo)

        page = client.get("/therapist/security/").content.decode()
        sent = client.post("/therapist/security/", {"action": "confirm-email"})

        assert "Send me the link" in page and "/accounts/2fa/totp/activate/" not in page
        assert sent.status_code == 302
        assert len(mail.outbox) == 1 and mail.outbox[0].to == [theo.email]

    def test_partners_are_sent_home(self, couple, alice):
        for path in ("/therapist/", "/therapist/security/", f"/therapist/couples/{couple.pk}/"):
            assert web(alice).get(path)["Location"] == "/"


class TestTherapistPages:
    def test_home_lists_the_couples_with_their_end_dates_and_logs_the_look(self, couple, theo, theo_totp, theos_grant):
        page = web(theo).get("/therapist/").content.decode()

        assert "Alice and Bob" in page
        assert "Until 3 April 2026" in page  # 30 days from 4 March 19:00 Berlin, last day shown
        assert AccessEvent.objects.filter(what="list").count() == 1

    def test_theo_makes_a_connect_code(self, theo, theo_totp):
        client = web(theo)

        response = client.post("/therapist/")
        page = client.get(response["Location"]).content.decode()

        code = ConnectCode.objects.get(therapist=theo)
        assert code.display_code in page

    def test_the_summary_page_draws_charts_and_leaves_one_event(
        self, keystore, couple, alice, bob, theo, theo_totp, theos_grant
    ):
        plant_secrets(couple, alice, bob)

        response = web(theo).get(f"/therapist/couples/{couple.pk}/", {"start": "2026-02-01", "end": "2026-03-04"})

        page = response.content.decode()
        assert response.status_code == 200
        assert page.count('role="img"') >= 4  # consistency, moods, notes, triggers
        assert "<title" in page and "<desc" in page and "as text</summary>" in page
        assert "@media print" not in page  # in therapists.css
        assert SECRET not in page
        assert AccessEvent.objects.filter(what="summary").count() == 1

    def test_bad_dates_show_an_error_and_the_default_weeks(self, couple, theo, theo_totp, theos_grant):
        page = web(theo).get(f"/therapist/couples/{couple.pk}/", {"start": "2026-03-04", "end": "2026-01-01"})

        assert page.status_code == 200
        assert "The start comes after the end." in page.content.decode()

    def test_no_grant_no_page(self, couple, alice, theo, theo_totp):
        make_grant(couple, alice, theo)  # pending

        assert web(theo).get(f"/therapist/couples/{couple.pk}/").status_code == 404
        assert AccessEvent.objects.count() == 0


class TestIdleTimeout:
    def test_a_therapist_session_ends_after_15_idle_minutes(self, theo, theo_totp, _frozen):
        client = web(theo)
        assert client.get("/therapist/").status_code == 200

        _frozen.shift(dt.timedelta(minutes=15, seconds=1))
        response = client.get("/therapist/")

        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Ftherapist%2F"
        assert TIMED_OUT in client.get(response["Location"]).content.decode()
        assert "_auth_user_id" not in client.session

    def test_activity_keeps_it_going(self, theo, theo_totp, _frozen):
        client = web(theo)
        for _ in range(8):
            _frozen.shift(dt.timedelta(minutes=10))
            assert client.get("/therapist/").status_code == 200

    def test_the_api_over_the_session_answers_401_after_it(self, couple, theo, theo_totp, theos_grant, _frozen):
        client = web(theo)
        client.get("/therapist/")
        _frozen.shift(dt.timedelta(minutes=16))

        assert client.get("/api/v1/therapist/couples/").status_code in (401, 403)
        assert "_auth_user_id" not in client.session

    def test_partners_sessions_are_not_affected(self, couple, alice, _frozen):
        client = web(alice)
        client.get("/couple/therapists/")
        _frozen.shift(dt.timedelta(hours=5))

        assert client.get("/couple/therapists/").status_code == 200


class TestJoin:
    def test_a_therapist_signs_up_and_is_guided_to_two_factor(self, client):
        page = client.get("/therapists/join/")
        response = client.post(
            "/therapists/join/",
            {
                "display_name": "Dr Theo Lind",
                "email": "lind@example.com",
                "password1": "a long enough phrase 42",
                "timezone": "Europe/Berlin",
            },
        )

        assert page.status_code == 200 and "Join as a therapist" in page.content.decode()
        # First the emailed link (sign-up never says whether an address is
        # taken), then, signed in, the two-factor set-up.
        assert response.status_code == 302
        assert response["Location"] == "/accounts/confirm-email/"
        user = User.objects.get(email="lind@example.com")
        assert user.role == User.Role.THERAPIST and user.display_name == "Dr Theo Lind"
        (message,) = mail.outbox
        link = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)
        confirmed = client.post(link)
        assert confirmed.status_code == 302
        assert confirmed["Location"] == "/therapist/security/"

    def test_a_partner_account_is_never_turned_into_a_therapist(self, couple, alice):
        from backend.errors import Conflict

        with pytest.raises(Conflict):
            services.therapist_role_set(user=alice)
        alice.refresh_from_db()
        assert alice.role == User.Role.PARTNER


def test_mfa_pages_use_the_sites_look(theo):
    client = Client()
    client.login(email=theo.email, password=PASSWORD)

    page = client.get("/accounts/2fa/").content.decode()

    assert "Two-factor authentication" in page and 'class="card"' in page
    assert "steady.css" in page
