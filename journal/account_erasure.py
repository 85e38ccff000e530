"""What the journal erases when a person deletes their account (accounts.erasure)."""

from accounts import erasure
from accounts.models import User

from .services import journal_key_destroy


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    # Crypto-shredding before the rows go: even if the deletion failed after
    # this, every copy of the entries' text (backups included) is unreadable.
    journal_key_destroy(user=user)
