"""The `agreements` step of a check-in records reflections in the agreements app."""

import pytest

from agreements.models import Reflection
from checkins import services
from checkins.models import Answer

from .factories import AgreementFactory, CheckInFactory

pytestmark = pytest.mark.django_db

STEPS = [
    {"key": "mood", "kind": "mood", "prompt": "How are you?"},
    {"key": "ours", "kind": "agreements", "prompt": "How did our agreements go?"},
]


@pytest.fixture
def setup(couple, alice, bob):
    agreement = AgreementFactory(couple=couple, user=alice, accepted_by=bob)
    fmt = services.format_create(couple=couple, user=alice, name="With agreements", steps=STEPS)
    checkin = CheckInFactory(couple=couple, user=alice, format=fmt)
    return agreement, checkin


def test_sending_answers_records_the_reflection(setup, alice):
    agreement, checkin = setup
    services.checkin_answer(
        checkin=checkin,
        author=alice,
        values={"mood": 4, "ours": {str(agreement.pk): {"outcome": "kept", "note": "Yes"}}},
    )
    reflection = Reflection.objects.get(agreement=agreement, author=alice)
    assert reflection.outcome == "kept"


def test_a_draft_records_nothing(setup, alice):
    agreement, checkin = setup
    services.checkin_answer(
        checkin=checkin, author=alice, values={"ours": {str(agreement.pk): {"outcome": "kept"}}}, submit=False
    )
    assert not Reflection.objects.exists()


def test_a_bad_reflection_is_a_field_error_and_saves_nothing(setup, alice):
    agreement, checkin = setup
    with pytest.raises(services.Invalid) as caught:
        services.checkin_answer(
            checkin=checkin, author=alice, values={"mood": 4, "ours": {str(agreement.pk): {"outcome": "maybe"}}}
        )
    assert "ours" in caught.value.errors["answers"]
    assert not Reflection.objects.exists()
    assert not Answer.objects.filter(submitted_at__isnull=False).exists()
