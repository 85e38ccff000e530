"""What couples erases when a person deletes their account (accounts.erasure)."""

from accounts import erasure
from accounts.models import User

from .selectors import couple_for_user
from .services import couple_leave


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    # The couple closes first, for both, which ends every therapist grant
    # and journal share made within it (couples.closing).
    if couple_for_user(user=user) is not None:
        couple_leave(user=user, password=password)
