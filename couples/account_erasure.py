"""What couples does when a person closes or erases their account (accounts.erasure)."""

from accounts import erasure
from accounts.models import User

from .services import couple_end_for, invites_revoke


@erasure.on_close
def on_account_close(*, user: User) -> None:
    # The couple closes at once, for both, which ends every therapist grant
    # and journal share made within it (couples.closing). No pairing block
    # and no notice: the partner sees only that the couple has ended. The
    # person's open code stops working: nobody pairs with a closed account.
    couple_end_for(user=user)
    invites_revoke(user=user)


@erasure.step
def on_account_erasure(*, user: User, password: str | None) -> None:
    # Closed already when the account closed (on_account_close, which runs
    # again before every erasure); said here so the erasure's list is whole.
    couple_end_for(user=user)
