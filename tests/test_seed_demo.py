import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from checkins.models import CheckIn, Schedule
from couples.models import Membership
from daily.models import DailyAnswer, DailyQuestion
from firstrun.models import FirstRun

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_fills_every_feature(settings, tmp_path, capsys):
    settings.DEBUG = True
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    call_command("seed_demo")

    def counts():
        return (
            User.objects.count(),
            CheckIn.objects.count(),
            Schedule.objects.count(),
            DailyQuestion.objects.count(),
            DailyAnswer.objects.count(),
            FirstRun.objects.count(),
        )

    first = counts()
    call_command("seed_demo")

    assert counts() == first
    assert User.objects.get(email="theo@steady.demo").role == "therapist"
    alice = User.objects.get(email="alice@steady.demo")
    assert alice.check_password("steady-demo-pass")
    assert Membership.objects.filter(user=alice, left_at__isnull=True).exists()
    assert CheckIn.objects.filter(revealed_at__isnull=False).count() >= 10
    assert Schedule.objects.get().status == "active"
    # Three days of daily questions revealed, and today's asked; the first run done.
    assert DailyQuestion.objects.filter(revealed_at__isnull=False).count() == 3
    assert DailyQuestion.objects.count() == 4 and DailyAnswer.objects.count() == 6
    assert FirstRun.objects.filter(finished_at__isnull=False).count() == 2
    # A reassurance ritual both agreed, one past time revealed, Alice's records.
    from reassurance.models import Occurrence, Ritual, Steadied

    assert Ritual.objects.get().status == "active" and Ritual.objects.get().next_at is not None
    assert Occurrence.objects.filter(revealed_at__isnull=False).count() == 1
    assert Steadied.objects.count() == 4
    out = capsys.readouterr().out
    assert "alice@steady.demo" in out and "steady-demo-pass" in out


def test_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
