"""What repair erases when a person deletes their account (accounts.erasure)."""

from accounts import erasure
from accounts.models import User
from space.models import Kind, SpacePeriod

from .models import TimeoutDuring


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    # Their own words and their own time-outs go; the rules' terms stay as
    # the couple's record (their name on a version is already SET_NULL).
    TimeoutDuring.objects.filter(author=user).delete()
    SpacePeriod.objects.filter(author=user, kind=Kind.TIMEOUT).delete()
