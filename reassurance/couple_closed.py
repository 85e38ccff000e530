"""What ends with a couple (couples.closing), silently: the ritual is
retired (no more times), an occurrence not yet revealed closes and is never
revealed, its reminders are cancelled, and every digest shared in the
couple is taken back. Each keeps their own phrases and steadied records."""

from django.utils import timezone

from couples import closing
from reminders import services as reminders

from .models import Digest, Occurrence, Ritual
from .services import REMINDER_KIND


@closing.handler
def reassurance_close(couple_id: int) -> None:
    now = timezone.now()
    Ritual.objects.filter(couple_id=couple_id).exclude(status=Ritual.Status.RETIRED).update(
        status=Ritual.Status.RETIRED, retired_at=now, next_at=None, updated_at=now
    )
    open_ids = list(
        Occurrence.objects.filter(couple_id=couple_id, revealed_at__isnull=True, closed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Occurrence.objects.filter(pk__in=open_ids).update(closed_at=now)
    reminders.reminders_cancel(kind_prefix=REMINDER_KIND, target_ids=open_ids)
    Digest.objects.filter(couple_id=couple_id).delete()
