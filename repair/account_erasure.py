"""What repair erases when a person deletes their account (accounts.erasure)."""

from accounts import erasure
from accounts.models import User
from space.models import Kind, SpacePeriod

from .models import Commitment, RepairAnswer, TimeoutDuring


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    # Their own words and their own time-outs go; the rules' terms stay as
    # the couple's record (their name on a version is already SET_NULL).
    TimeoutDuring.objects.filter(author=user).delete()
    SpacePeriod.objects.filter(author=user, kind=Kind.TIMEOUT).delete()
    # Their repair answers (drafts and revealed ones alike) and their
    # commitments go; the conversation stays as the partner's record of
    # their own answers, its starter's name removed (SET_NULL).
    RepairAnswer.objects.filter(author=user).delete()
    Commitment.objects.filter(author=user).delete()
