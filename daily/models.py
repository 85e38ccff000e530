"""The daily question: one a day per couple, on the couple's local day,
answered privately by each partner and revealed together."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone as dj_timezone

from couples.models import Couple

from . import library

ANSWER_MAX = 1000
DEFAULT_REMINDER_TIME = "19:00"


class DailyQuestion(models.Model):
    """The couple's question for one local day. The question's text is
    copied in: history reads as it was asked, even if the library changes."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="daily_questions")
    date = models.DateField()
    question_index = models.PositiveIntegerField()
    theme = models.CharField(max_length=32)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=dj_timezone.now)
    # Written only by services.daily_question_reveal.
    revealed_at = models.DateTimeField(null=True, blank=True)
    # The couple ended before both answered: never revealed, no longer open.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            # One question per couple per local day, whoever asks first.
            models.UniqueConstraint(fields=["couple", "date"], name="daily_question_one_per_day"),
            models.CheckConstraint(
                condition=Q(revealed_at__isnull=True) | Q(closed_at__isnull=True),
                name="daily_question_revealed_or_closed",
            ),
        ]
        indexes = [
            # The pick's "when was each question last asked" for one couple.
            models.Index(fields=["couple", "question_index", "date"], name="daily_question_used_idx"),
        ]

    def __str__(self) -> str:
        return f"Daily question {self.date} (couple {self.couple_id})"

    @property
    def shown_text(self) -> str:
        """The question in the reader's language (while the library has it)."""
        return library.shown(self.text)


class DailyAnswer(models.Model):
    """One partner's answer. Editable until the reveal, final after."""

    question = models.ForeignKey(DailyQuestion, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_answers")
    text = models.TextField()
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["question_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "author"], name="daily_answer_one_per_partner"),
            models.CheckConstraint(condition=~Q(text=""), name="daily_answer_not_empty"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), ANSWER_MAX), name="daily_answer_max"),
        ]

    def __str__(self) -> str:
        return f"Daily answer {self.pk}"


class DailyPreference(models.Model):
    """One person's own choices: themes to skip (the couple's questions avoid
    the union of both partners' lists) and the time of the opt-in reminder
    (used only while the reminder kind is switched on)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_prefs")
    skip_themes = models.JSONField(default=list, blank=True)
    reminder_time = models.TimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Daily question preferences of {self.user_id}"
