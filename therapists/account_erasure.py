"""What therapists does when a therapist closes their account (accounts.erasure)."""

from django.utils import timezone

from accounts import erasure
from accounts.models import User

from .models import Grant


@erasure.on_close
def on_account_close(*, user: User) -> None:
    # A therapist who closes their account stops reading at once: every
    # grant in force or waiting ends as if they had ended it themselves.
    # Each couple keeps its access log. (A partner's grants end with the
    # couple, couples/account_erasure.py.)
    if not user.is_therapist:
        return
    Grant.objects.filter(therapist=user, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=user, end_reason=Grant.EndReason.THERAPIST_ENDED
    )
