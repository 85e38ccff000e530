"""What the safety check erases with an account (accounts.erasure). The
answers are sealed with the person's journal key, which the journal's step
destroys; the rows go here too, so nothing is left even before the
cascade."""

from accounts import erasure
from accounts.models import User

from .services import safety_erase


@erasure.step
def on_account_erasure(*, user: User, password: str | None) -> None:
    safety_erase(user=user)
