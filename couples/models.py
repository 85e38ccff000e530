from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone

from accounts.timezones import validate_timezone

# Codes are typed on a phone: no 0/O, 1/I/L, 5/S or 2/Z look-alikes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY346789"
CODE_LENGTH = 8


class Couple(models.Model):
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_at = models.DateTimeField(default=dj_timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ended_at"])]

    def __str__(self) -> str:
        return f"Couple {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class MembershipQuerySet(models.QuerySet):
    def current(self) -> "MembershipQuerySet":
        """The current members: joined and not left. The one definition of
        "is a member now"; a couple that ended has none (leaving sets
        ``left_at`` on every membership in the same transaction)."""
        return self.filter(left_at__isnull=True)

    def current_of(self, *, couple_id: int) -> "MembershipQuerySet":
        return self.current().filter(couple_id=couple_id)


class Membership(models.Model):
    """A person's place in a couple. The partial unique index is the rule
    "a person belongs to at most one active couple", held by the database so
    that two joins at the same instant cannot both succeed."""

    couple = models.ForeignKey(Couple, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(default=dj_timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(left_at__isnull=True), name="one_active_couple_per_user"
            ),
            models.UniqueConstraint(fields=["couple", "user"], name="membership_unique_per_couple"),
        ]

    @property
    def is_current(self) -> bool:
        """``MembershipQuerySet.current`` for a membership in hand."""
        return self.left_at is None


class Invite(models.Model):
    code = models.CharField(max_length=CODE_LENGTH)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invites")
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # An open code is unique, so a typed code finds one invite at most.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="open_invite_code_unique",
            ),
            # A person has at most one open code: a new one replaces the old.
            models.UniqueConstraint(
                fields=["created_by"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invite_per_user",
            ),
        ]

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class PairingBlock(models.Model):
    """Set by a person who left: the former partner cannot pair with them again."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairing_blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="pairing_block_unique")]
