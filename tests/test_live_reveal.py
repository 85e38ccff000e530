"""Reveal together, in live check-ins, against every other path that writes
the same answers (issue #15, findings 1 and 2).

A draft saved with PUT /answers/ shares its Answer row with live answers;
it must never be revealed as an answer, a skip reveals nothing more of the
one who skipped, and an answer revealed live is final on every path."""

import pytest

from checkins import selectors, services
from checkins.models import Answer, Event, Format, LiveSession

pytestmark = pytest.mark.django_db

DRAFT = "ALICE-DRAFT-NEVER-SENT"


@pytest.fixture
def checkin(couple, alice):
    return services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))


def session_url(checkin) -> str:
    return f"/api/v1/checkins/{checkin.pk}/session/"


def answers_url(checkin) -> str:
    return f"/api/v1/checkins/{checkin.pk}/answers/"


def partner_values(snapshot: dict) -> dict:
    return {s["key"]: s["partner"] for s in snapshot["steps"] if s["partner"] is not None}


def revealed_events(checkin) -> list:
    return list(Event.objects.filter(checkin=checkin, kind="step_revealed").values_list("data", flat=True))


class TestADraftIsNeverAnAnswer:
    def test_draft_then_skip_then_partner_answers_live_reveals_nothing(self, checkin, as_alice, as_bob):
        """The review's exploit, step by step, as two phones would do it."""
        # Given Alice saved a draft of the first step and then skipped
        r = as_alice.put(answers_url(checkin), {"answers": {"mood": 5}, "submit": False}, format="json")
        assert r.status_code == 200
        assert as_alice.post(f"/api/v1/checkins/{checkin.pk}/skip/", {}, format="json").status_code == 200
        # When Bob answers that step live
        r = as_bob.post(session_url(checkin) + "answer/", {"step": "mood", "value": 2}, format="json")
        assert r.status_code == 200
        # Then Bob sees nothing of Alice's, and nothing was revealed
        for snapshot in (r.json(), as_bob.get(session_url(checkin)).json()):
            assert partner_values(snapshot) == {}
            assert not any(s["revealed"] for s in snapshot["steps"])
        assert revealed_events(checkin) == []
        assert as_bob.get(f"/api/v1/checkins/{checkin.pk}/").json()["partner_answers"] is None

    def test_a_text_draft_stays_hidden_without_a_skip_too(self, checkin, as_alice, as_bob, alice, bob):
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
        services.live_ready(checkin=checkin, user=alice)
        services.live_ready(checkin=checkin, user=bob)
        # Alice drafts the second step on the form, never sends it live
        r = as_alice.put(
            answers_url(checkin), {"answers": {"mood": 4, "appreciated": DRAFT}, "submit": False}, format="json"
        )
        assert r.status_code == 200
        r = as_bob.post(session_url(checkin) + "answer/", {"step": "appreciated", "value": "BOB-A"}, format="json")
        assert r.status_code == 200
        snapshot = as_bob.get(session_url(checkin)).json()
        assert DRAFT not in str(snapshot)
        assert partner_values(snapshot) == {"mood": 4}
        assert [e["step"] for e in revealed_events(checkin)] == ["mood"]

    def test_the_step_reveals_once_both_answered_it_live_with_the_live_value(self, checkin, as_alice, alice, bob):
        as_alice.put(answers_url(checkin), {"answers": {"mood": 1}, "submit": False}, format="json")
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
        assert revealed_events(checkin) == []
        # Alice now answers it live: the step is revealed with what she gave live.
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        assert partner_values(selectors.live_snapshot(checkin=checkin, user=bob)) == {"mood": 4}
        assert revealed_events(checkin) == [{"step": "mood"}]

    def test_a_draft_does_not_hide_the_answered_hint_of_a_live_answer(self, checkin, as_alice, alice):
        """``step_answered`` follows live answers only (no content, no draft)."""
        as_alice.put(answers_url(checkin), {"answers": {"mood": 1}, "submit": False}, format="json")
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        kinds = list(Event.objects.filter(checkin=checkin).values_list("kind", "data"))
        assert kinds == [("created", {}), ("step_answered", {"step": "mood"})]

    def test_a_live_answer_changed_on_the_form_before_the_reveal_counts_no_more(self, checkin, as_alice, alice, bob):
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        # Alice changes her mind on the form (a draft now)
        as_alice.put(answers_url(checkin), {"answers": {"mood": 1}, "submit": False}, format="json")
        assert LiveSession.objects.get(checkin=checkin).answered[str(alice.pk)] == []
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
        assert partner_values(selectors.live_snapshot(checkin=checkin, user=bob)) == {}
        assert revealed_events(checkin) == []

    def test_a_form_save_that_keeps_the_live_answer_keeps_it_counted(self, checkin, as_alice, alice, bob):
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        r = as_alice.put(
            answers_url(checkin), {"answers": {"mood": 4, "need": "later"}, "submit": False}, format="json"
        )
        assert r.status_code == 200
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
        assert partner_values(selectors.live_snapshot(checkin=checkin, user=bob)) == {"mood": 4}


class TestASkipRevealsNothingMore:
    def test_a_skip_after_a_live_answer_takes_it_back(self, checkin, as_alice, as_bob, alice, bob):
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        assert as_alice.post(f"/api/v1/checkins/{checkin.pk}/skip/", {}, format="json").status_code == 200
        r = as_bob.post(session_url(checkin) + "answer/", {"step": "mood", "value": 2}, format="json")
        assert r.status_code == 200
        assert partner_values(r.json()) == {}
        assert revealed_events(checkin) == []
        # Nothing says who skipped: no event names it.
        assert not Event.objects.filter(checkin=checkin, kind__icontains="skip").exists()

    def test_answering_live_after_a_skip_clears_it_and_reveals(self, checkin, alice, bob):
        services.checkin_skip(checkin=checkin, author=alice, reason="tired")
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
        services.live_answer(checkin=checkin, user=alice, step="mood", value=3)
        answer = Answer.objects.get(checkin=checkin, author=alice)
        assert answer.skipped_at is None and answer.skip_reason == ""
        assert partner_values(selectors.live_snapshot(checkin=checkin, user=bob)) == {"mood": 3}
        assert revealed_events(checkin) == [{"step": "mood"}]

    def test_the_rule_itself(self):
        reveal = services.live_step_revealable
        assert reveal(answered={"1": ["mood"], "2": ["mood"]}, step="mood", skipped=set())
        assert not reveal(answered={"1": ["mood"], "2": []}, step="mood", skipped=set())
        assert not reveal(answered={"1": ["mood"]}, step="mood", skipped=set())
        assert not reveal(answered={"1": ["mood"], "2": ["mood"]}, step="mood", skipped={2})
        assert not reveal(answered={"1": ["mood"], "2": ["mood"]}, step="need", skipped=set())
        assert reveal(answered={"1": ["mood"], "2": ["mood"]}, step="mood", skipped={3})


class TestARevealedAnswerIsFinal:
    @pytest.fixture
    def revealed_mood(self, checkin, alice, bob):
        services.live_answer(checkin=checkin, user=alice, step="mood", value=4)
        services.live_answer(checkin=checkin, user=bob, step="mood", value=2)
        return checkin

    def test_put_cannot_rewrite_a_step_revealed_live(self, revealed_mood, as_alice, as_bob):
        """The review: Alice saw Bob's mood and changed hers to match (200)."""
        r = as_alice.put(answers_url(revealed_mood), {"answers": {"mood": 2}, "submit": False}, format="json")
        assert r.status_code == 409
        assert "mood" in r.json()["answers"]
        assert partner_values(as_bob.get(session_url(revealed_mood)).json()) == {"mood": 4}

    @pytest.mark.parametrize("value", [None, ""])
    def test_put_cannot_clear_it_either(self, revealed_mood, as_alice, value):
        r = as_alice.put(answers_url(revealed_mood), {"answers": {"mood": value}, "submit": False}, format="json")
        assert r.status_code == 409
        assert Answer.objects.get(checkin=revealed_mood, author__email="alice@example.com").values == {"mood": 4}

    def test_sending_it_unchanged_or_leaving_it_out_keeps_it(self, revealed_mood, as_alice, alice):
        r = as_alice.put(answers_url(revealed_mood), {"answers": {"mood": 4}, "submit": False}, format="json")
        assert r.status_code == 200, r.json()
        # Sent (every step needed) without the revealed step: it is kept.
        body = {"answers": {"appreciated": "you", "need": "a walk"}, "submit": True}
        r = as_alice.put(answers_url(revealed_mood), body, format="json")
        assert r.status_code == 200, r.json()
        answer = Answer.objects.get(checkin=revealed_mood, author=alice)
        assert answer.values == {"mood": 4, "appreciated": "you", "need": "a walk"} and answer.mood == 4
        assert answer.submitted_at is not None

    def test_a_draft_leaving_a_revealed_step_out_keeps_its_answer(self, revealed_mood, as_alice, alice):
        r = as_alice.put(answers_url(revealed_mood), {"answers": {"need": "a walk"}, "submit": False}, format="json")
        assert r.status_code == 200
        answer = Answer.objects.get(checkin=revealed_mood, author=alice)
        assert answer.values == {"mood": 4, "need": "a walk"} and answer.mood == 4

    def test_the_web_form_cannot_rewrite_it(self, revealed_mood, alice, client):
        client.force_login(alice)
        r = client.post(f"/checkins/{revealed_mood.pk}/", {"step": "1", "value": "1", "go": "next"}, follow=True)
        assert r.status_code == 200
        assert "revealed" in r.content.decode()
        assert Answer.objects.get(checkin=revealed_mood, author=alice).values == {"mood": 4}

    def test_a_live_answer_cannot_rewrite_it(self, revealed_mood, as_alice):
        r = as_alice.post(session_url(revealed_mood) + "answer/", {"step": "mood", "value": 1}, format="json")
        assert r.status_code == 409

    def test_once_the_whole_check_in_is_revealed_every_put_is_409(self, checkin, as_alice, as_bob):
        full = {"mood": 4, "appreciated": "you", "need": "rest"}
        assert as_alice.put(answers_url(checkin), {"answers": full}, format="json").status_code == 200
        assert as_bob.put(answers_url(checkin), {"answers": {**full, "mood": 2}}, format="json").status_code == 200
        for body in ({"answers": full}, {"answers": {**full, "need": "changed"}, "submit": False}):
            assert as_alice.put(answers_url(checkin), body, format="json").status_code == 409
        assert as_bob.get(f"/api/v1/checkins/{checkin.pk}/").json()["partner_answers"] == full
