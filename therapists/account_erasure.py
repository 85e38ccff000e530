"""What therapist access does when an account closes, and what it erases
when an account is erased (accounts.erasure). The erasure step runs after
couples' step: the couple is closed by then, so every grant has ended and
open practices are closed."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from accounts import erasure
from accounts.models import User

from .models import ConnectCode, Grant, PracticeAnswer


@erasure.on_close
def on_account_close(*, user: User) -> None:
    # A therapist who closes their account stops reading at once: every
    # grant in force or waiting ends as if they had ended it themselves, and
    # the practices they proposed that are still open close silently. Each
    # couple keeps its access log. (A partner's grants end with the couple,
    # couples/account_erasure.py.)
    if not user.is_therapist:
        return
    from .services import practices_close

    now = timezone.now()
    ended = list(
        Grant.objects.filter(therapist=user, ended_at__isnull=True).values_list("couple_id", flat=True).distinct()
    )
    Grant.objects.filter(therapist=user, ended_at__isnull=True).update(
        ended_at=now, ended_by=user, end_reason=Grant.EndReason.THERAPIST_ENDED
    )
    for couple_id in ended:
        practices_close(couple_id=couple_id, therapist_id=user.pk, now=now)
    # Their open connect codes stop working (a code entered now gets the
    # same "bad code" as any other): expired as early as the table allows.
    ConnectCode.objects.filter(therapist=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=F("created_at") + dt.timedelta(microseconds=1)
    )


@erasure.step
def on_account_erasure(*, user: User, password: str | None) -> None:
    # A partner's answers to practices (the cascade would too; said here so
    # the erasure's list is complete). A practice stays as the couple's
    # record (its state says whether both accepted); a therapist's own
    # notes, notes written for them and a partner's own pre-session notes
    # go with their accounts by cascade; the access log is never touched.
    PracticeAnswer.objects.filter(partner=user).delete()
