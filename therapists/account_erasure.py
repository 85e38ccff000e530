"""What therapists does when a therapist closes their account (accounts.erasure)."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from accounts import erasure
from accounts.models import User

from .models import ConnectCode, Grant


@erasure.on_close
def on_account_close(*, user: User) -> None:
    # A therapist who closes their account stops reading at once: every
    # grant in force or waiting ends as if they had ended it themselves.
    # Each couple keeps its access log. (A partner's grants end with the
    # couple, couples/account_erasure.py.)
    if not user.is_therapist:
        return
    now = timezone.now()
    Grant.objects.filter(therapist=user, ended_at__isnull=True).update(
        ended_at=now, ended_by=user, end_reason=Grant.EndReason.THERAPIST_ENDED
    )
    # Their open connect codes stop working (a code entered now gets the
    # same "bad code" as any other): expired as early as the table allows.
    ConnectCode.objects.filter(therapist=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=F("created_at") + dt.timedelta(microseconds=1)
    )
