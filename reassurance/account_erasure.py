"""What the reassurance ritual erases when a person deletes their account
(accounts.erasure): their phrases, their messages, their steadied records
and digests (already unreadable: the journal's step destroyed the key
first). The ritual's versions stay as the couple's record, their name
removed (``proposed_by`` is set null with the account)."""

from accounts import erasure
from accounts.models import User

from .models import Digest, Message, Phrase, Steadied


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    Phrase.objects.filter(owner=user).delete()
    Message.objects.filter(author=user).delete()
    Digest.objects.filter(author=user).delete()
    Steadied.objects.filter(author=user).delete()
