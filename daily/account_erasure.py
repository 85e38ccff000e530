"""What the daily question erases when a person deletes their account
(accounts.erasure), as check-ins do: their own answers and preferences go;
the couple's questions (the library's words, not theirs) and the partner's
answers stay with the partner."""

from accounts import erasure
from accounts.models import User

from .models import DailyAnswer, DailyPreference


@erasure.step
def on_account_erasure(*, user: User, password: str) -> None:
    DailyAnswer.objects.filter(author=user).delete()
    DailyPreference.objects.filter(user=user).delete()
