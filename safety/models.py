"""The private safety check (issue #23, docs/safety.md).

An answer belongs to one person and no one else: it is sealed with that
person's own key (``journal.crypto``, as journal text is), read only through
``selectors.answers_for`` by its owner, never exported to a partner or a
therapist, and deleted with the account. The quiet pause is not here: it is
``accounts.User.couple_paused_at``, below reminders, so that the reminders
dispatch can skip a paused person without importing this app."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Feeling(models.TextChoices):
    YES = "yes", _("Yes")
    UNSURE = "unsure", _("I'm not sure")
    NO = "no", _("No")


# The sealed field's name in the cipher's associated data: ciphertext moved
# to another column or person does not open.
SEALED_FIELD = "safety.feel_safe"


class SafetyAnswer(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # One of Feeling, sealed with the person's key; never plaintext.
    feel_safe_sealed = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="safety_answer_user_recent")]

    def __str__(self) -> str:
        # Never the answer.
        return f"safety answer {self.pk}"


class SafetyPreference(models.Model):
    """Whether the person wants the question asked again every few weeks
    (off by default; in-app only: a card on their own home page, never a
    push, an email or a notification)."""

    class Every(models.IntegerChoices):
        TWO = 2, _("Every 2 weeks")
        FOUR = 4, _("Every 4 weeks")
        EIGHT = 8, _("Every 8 weeks")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    every_weeks = models.PositiveSmallIntegerField(choices=Every.choices, null=True, blank=True)
    # The last time the question was answered or put aside; the next ask
    # is ``every_weeks`` after it.
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every_weeks__isnull=True) | models.Q(every_weeks__in=[2, 4, 8]),
                name="safety_preference_every_valid",
            )
        ]

    def __str__(self) -> str:
        return f"safety preference {self.pk}"
