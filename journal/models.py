"""The private journal: entries and trigger logs.

What a person wrote (text, the story, the need, what they can do, tags) is
stored only as ciphertext sealed with their own key (``journal.crypto``);
the columns ending in ``_sealed`` never hold plaintext. What is needed to
see patterns in the database — the kind, category, intensities, mood and
times — is kept as plain columns: they are visible to the author only, and
only their aggregates may ever reach a therapist (``trigger_patterns``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MOOD_MIN, MOOD_MAX = 1, 5
MOOD_WORDS = {
    1: pgettext_lazy("mood", "Struggling"),
    2: pgettext_lazy("mood", "Low"),
    3: pgettext_lazy("mood", "Okay"),
    4: pgettext_lazy("mood", "Good"),
    5: pgettext_lazy("mood", "Great"),
}
INTENSITY_MIN, INTENSITY_MAX = 0, 10


class Kind(models.TextChoices):
    ENTRY = "entry", _("Journal entry")
    TRIGGER = "trigger", _("Trigger log")


class Category(models.TextChoices):
    NO_REPLY = "no_reply", _("No reply from my partner")
    PARTNER_NEEDS_SPACE = "partner_needs_space", _("My partner needs space")
    PARTNER_TIME_WITH_OTHERS = "partner_time_with_others", _("My partner enjoying time with others")
    NO_APPRECIATION = "no_appreciation", _("No appreciation shown")
    PLANS_CHANGED = "plans_changed", _("Plans changed")
    CONFLICT = "conflict", _("A conflict")
    OTHER = "other", _("Something else")


# The fields sealed with the author's key, by their API names.
SEALED_FIELDS = ("text", "story", "need", "can_do", "tags")


class Entry(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    # Plain, for patterns computed in the database.
    mood = models.PositiveSmallIntegerField(null=True, blank=True)
    trigger_category = models.CharField(max_length=32, choices=Category.choices, blank=True, default="")
    intensity_before = models.PositiveSmallIntegerField(null=True, blank=True)
    intensity_after = models.PositiveSmallIntegerField(null=True, blank=True)
    grounded_at = models.DateTimeField(null=True, blank=True)

    # Sealed with the author's key; never plaintext.
    text_sealed = models.BinaryField()
    story_sealed = models.BinaryField(null=True, blank=True)
    need_sealed = models.BinaryField(null=True, blank=True)
    can_do_sealed = models.BinaryField(null=True, blank=True)
    tags_sealed = models.BinaryField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["author", "-created_at", "-id"], name="journal_author_recent"),
            models.Index(fields=["author", "created_at"], condition=Q(kind="trigger"), name="journal_author_triggers"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="journal_kind_valid"),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=MOOD_MIN, mood__lte=MOOD_MAX), name="journal_mood_range"
            ),
            models.CheckConstraint(
                condition=Q(intensity_before__isnull=True)
                | Q(intensity_before__gte=INTENSITY_MIN, intensity_before__lte=INTENSITY_MAX),
                name="journal_intensity_before_range",
            ),
            models.CheckConstraint(
                condition=Q(intensity_after__isnull=True)
                | Q(intensity_after__gte=INTENSITY_MIN, intensity_after__lte=INTENSITY_MAX),
                name="journal_intensity_after_range",
            ),
            # A trigger log always has its category and how strong it was;
            # a journal entry has neither (nor an "after").
            models.CheckConstraint(
                condition=(
                    Q(kind="trigger", trigger_category__in=Category.values, intensity_before__isnull=False)
                    | Q(
                        kind="entry",
                        trigger_category="",
                        intensity_before__isnull=True,
                        intensity_after__isnull=True,
                        grounded_at__isnull=True,
                    )
                ),
                name="journal_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        # Never the text: this shows up in logs and the admin.
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def mood_word(self) -> str:
        return str(MOOD_WORDS.get(self.mood, ""))

    @property
    def is_shared(self) -> bool:
        """Shared, and the couple it was shared in is still together (the
        partner's access ends the moment either leaves)."""
        try:
            return self.share.couple.ended_at is None
        except Share.DoesNotExist:
            return False


class Share(models.Model):
    """One entry shared by its author with their partner, within the couple
    they were in when sharing: readable by that partner while the couple
    lasts (leaving ends it at once). Deleting the row un-shares; deleting
    the partner's account deletes only this row, never the entry."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="share")
    shared_with = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    couple = models.ForeignKey("couples.Couple", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        indexes = [models.Index(fields=["shared_with", "-created_at"], name="journal_share_with_recent")]

    def __str__(self) -> str:
        return f"Share of entry {self.entry_id}"


class JournalKey(models.Model):
    """One person's journal data key, wrapped with the KEK (``journal.crypto``,
    the ``database`` key store). Never the key itself: without the KEK, which
    only the environment holds, a row is useless.

    ``user_id`` is a plain column, not a foreign key, on purpose: the table
    can be dumped, restored or excluded from a backup on its own, and moved
    to a database of its own later, without the users table. Account
    erasure deletes the row (``journal/account_erasure.py``)."""

    user_id = models.BigIntegerField(primary_key=True)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self) -> str:
        return f"Journal key of user {self.user_id}"
