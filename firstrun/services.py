from django.utils import timezone

from accounts.models import User
from couples.models import Couple

from .models import FirstRun


def first_run_end(*, user: User, couple: Couple, skipped: bool) -> FirstRun:
    """Finished (the last screen) or skipped: either way the first run is
    not shown again on its own; Settings still leads to it."""
    now = timezone.now()
    row, created = FirstRun.objects.get_or_create(
        user=user, couple=couple, defaults={"skipped_at": now} if skipped else {"finished_at": now}
    )
    if not created and not skipped and row.finished_at is None:
        row.finished_at = now
        row.save(update_fields=["finished_at"])
    return row
