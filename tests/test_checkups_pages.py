# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""The check-up pages: a partner fills in privately (draft or send), sees
both answers only after the reveal and both trends side by side; a
therapist with the progress scope sees the lines and flags on the couple's
page, asks for a round, and ends their access."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from checkups import services
from checkups.models import Answer, Round
from therapists.models import AccessEvent

from .test_therapists_support import active_grant, theo_totp  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=UTC)
GOOD = {"closeness": 5, "trust": 5, "conflict": 1, "heard": 4, "reliability": 5, "steadiness": 4}
LOW = {"closeness": 2, "trust": 3, "conflict": 5, "heard": 2, "reliability": 3, "steadiness": 2}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(values: dict, action: str = "send") -> dict:
    return {**{k: str(v) for k, v in values.items()}, "action": action}


class TestPartnerPage:
    def test_alice_sends_and_bob_sees_nothing_of_hers_until_he_sends(self, couple, alice, bob):
        response = web(alice).post("/checkups/", form_data(GOOD))
        assert response.status_code == 302

        bobs = web(bob).get("/checkups/").content.decode()
        assert 'data-testid="checkup-open"' in bobs and 'data-testid="checkup-revealed"' not in bobs
        assert 'data-testid="checkup-sent"' in web(alice).get("/checkups/").content.decode()

        web(bob).post("/checkups/", form_data(LOW))
        page = web(alice).get("/checkups/").content.decode()

        assert 'data-testid="checkup-revealed"' in page and 'data-testid="checkup-next"' in page
        assert "<td>28</td><td>13</td>" in page.replace("\n", "")
        assert page.count('data-testid="checkup-chart"') == 2 and page.count('role="img"') == 2

    def test_a_draft_is_kept_and_not_sent(self, couple, alice):
        web(alice).post("/checkups/", form_data({"closeness": 3}, action="draft"))

        answer = Answer.objects.get()
        assert answer.submitted_at is None and answer.values == {"closeness": 3}
        page = web(alice).get("/checkups/").content.decode()
        assert 'data-testid="checkup-draft"' in page and 'value="3" id="id_closeness_3" checked' in page

    def test_sending_with_questions_left_shows_what_is_missing(self, couple, alice):
        page = web(alice).post("/checkups/", form_data({"closeness": 3})).content.decode()

        assert "Answer every question before sending (5 left)." in page
        assert not Answer.objects.exists()

    def test_the_page_runs_a_fixed_number_of_queries(self, couple, alice, bob, _frozen, django_assert_max_num_queries):
        for week in range(0, 12, 2):
            _frozen.move_to(NOW + dt.timedelta(weeks=week, minutes=5))
            services.checkup_answer_save(couple=couple, user=alice, answers=GOOD)
            services.checkup_answer_save(couple=couple, user=bob, answers=LOW)
        client = web(alice)

        with django_assert_max_num_queries(16):
            assert client.get("/checkups/").status_code == 200

    def test_theo_and_the_unpaired_are_not_shown_a_couples_check_up(self, theo, mallory):
        assert web(theo).get("/checkups/").status_code in (302, 404)
        response = web(mallory).get("/checkups/")
        assert response.status_code == 302 and "pair" in response["Location"]


class TestTherapistPage:
    @pytest.fixture
    def shared(self, couple, alice, bob, theo, theo_totp, _frozen):
        services.checkup_answer_save(couple=couple, user=alice, answers=GOOD)
        services.checkup_answer_save(couple=couple, user=bob, answers=GOOD)
        _frozen.move_to(dt.datetime(2026, 4, 2, 17, 5, tzinfo=UTC))
        services.checkup_answer_save(couple=couple, user=alice, answers=GOOD)
        services.checkup_answer_save(couple=couple, user=bob, answers=LOW)
        return active_grant(couple, alice, bob, theo, scopes=["mood_trends", "progress"])

    def test_both_lines_and_the_flag_are_on_the_couples_page_and_logged(self, couple, theo, shared):
        page = web(theo).get(f"/therapist/couples/{couple.pk}/").content.decode()

        assert 'data-testid="section-progress"' in page and 'data-testid="progress-flags"' in page
        assert "Bob: 28 → 13 in round 2 (down 15" in page
        assert "felt close" not in page  # numbers only
        assert sorted(AccessEvent.objects.values_list("what", flat=True)) == ["progress", "summary"]

    def test_without_the_scope_there_is_no_progress_section(self, couple, alice, bob, theo, theo_totp):
        active_grant(couple, alice, bob, theo, scopes=["mood_trends"])

        page = web(theo).get(f"/therapist/couples/{couple.pk}/").content.decode()

        assert 'data-testid="section-progress"' not in page
        assert not AccessEvent.objects.filter(what="progress").exists()

    def test_theo_asks_for_a_round_now(self, couple, theo, shared):
        response = web(theo).post(f"/therapist/couples/{couple.pk}/checkup-request/")

        assert response.status_code == 302
        assert Round.objects.get(number=3).asked_by_id == theo.pk

    def test_theo_ends_his_access(self, couple, theo, shared):
        client = web(theo)

        assert client.post(f"/therapist/couples/{couple.pk}/end/").status_code == 302
        assert client.get(f"/therapist/couples/{couple.pk}/").status_code == 404
