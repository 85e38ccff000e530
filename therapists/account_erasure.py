"""What therapist access erases when a person deletes their account
(accounts.erasure). Runs after couples' step: the couple is closed by then,
so every grant has ended and open practices are closed."""

from accounts import erasure
from accounts.models import User

from .models import PracticeAnswer


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    # A partner's answers to practices (the cascade would too; said here so
    # the erasure's list is complete). A practice stays as the couple's
    # record (its state says whether both accepted); a therapist's own
    # notes, notes written for them and a partner's own pre-session notes
    # go with their accounts by cascade; the access log is never touched.
    PracticeAnswer.objects.filter(partner=user).delete()
