"""The first run after pairing: whether a person finished or skipped it,
per couple (pairing again with someone new shows it again)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from couples.models import Couple


class FirstRun(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="first_runs")
    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "couple"], name="first_run_once_per_couple"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=False) | Q(skipped_at__isnull=False), name="first_run_has_an_end"
            ),
        ]

    def __str__(self) -> str:
        return f"First run of {self.user_id} in couple {self.couple_id}"
