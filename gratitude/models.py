from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from couples.models import Couple

TEXT_MAX = 1000


class Reaction(models.TextChoices):
    """The small, fixed set a recipient may answer a note with. Words, not
    free text: an acknowledgement, never a conversation thread."""

    HEART = "heart", _("Love it")
    HUG = "hug", _("A hug")
    SMILE = "smile", _("A smile")
    THANKS = "thanks", _("Thank you")


class Note(models.Model):
    """A note of appreciation from one partner to the other.

    ``deliver_at`` is the one source of truth for delivery: the recipient
    sees the note from that instant on (every read filters on it), and the
    API's ``delivered_at`` is derived from it. Nothing is written when the
    recipient opens or reads a note: the only trace of the recipient is the
    explicit acknowledgement they choose to give."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="gratitude_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gratitude_sent")
    # SET_NULL: if the recipient erases their account, the note still
    # belongs to the one who wrote it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="gratitude_received"
    )
    text = models.CharField(max_length=TEXT_MAX)
    created_at = models.DateTimeField(default=dj_timezone.now)
    deliver_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reaction = models.CharField(max_length=16, choices=Reaction.choices, blank=True)

    class Meta:
        indexes = [
            # The jar: a recipient's delivered notes, newest first.
            models.Index(fields=["couple", "recipient", "-deliver_at"], name="note_received_idx"),
            # The sent box, and "when did this person last write" for the nudge.
            models.Index(fields=["author", "-created_at"], name="note_sent_idx"),
            # The API's sent box, in its order (the index above orders by
            # writing time, not by delivery): count and page without a sort.
            models.Index(fields=["couple", "author", "-deliver_at"], name="note_sent_box_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="note_text_not_empty"),
            # varchar(1000) holds on PostgreSQL; this holds on SQLite too.
            models.CheckConstraint(condition=LessThanOrEqual(Length("text"), TEXT_MAX), name="note_text_max"),
            models.CheckConstraint(condition=~Q(author=F("recipient")), name="note_not_to_self"),
            models.CheckConstraint(
                condition=Q(reaction__in=["", *Reaction.values]),
                name="note_reaction_valid",
            ),
            # A reaction is part of an acknowledgement, never without one.
            models.CheckConstraint(
                condition=Q(reaction="") | Q(acknowledged_at__isnull=False),
                name="note_reaction_needs_ack",
            ),
        ]
        ordering = ["-deliver_at", "-id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"

    def is_delivered(self, now) -> bool:
        return self.deliver_at <= now

    def delivered_at(self, now):
        return self.deliver_at if self.deliver_at <= now else None
