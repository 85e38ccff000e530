"""What check-ups erase when a person deletes their account (accounts.erasure)."""

from accounts import erasure
from accounts.models import User

from .models import Answer


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    # Their own fills, drafts included (the cascade would too; said here so
    # the erasure's list is complete). Rounds stay as the couple's record;
    # a therapist's name on one is SET_NULL with their account.
    Answer.objects.filter(author=user).delete()
