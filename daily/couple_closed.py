"""What ends with a couple (couples.closing): a question not yet revealed
closes, silently. It is never revealed after; each partner keeps their own
answer (in their export). Reminders need nothing: ``still_due`` finds the
person unpaired and drops them without a word."""

from django.utils import timezone

from couples import closing

from .models import DailyQuestion


@closing.handler
def questions_close(couple_id: int) -> None:
    DailyQuestion.objects.filter(couple_id=couple_id, revealed_at__isnull=True, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
