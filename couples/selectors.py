"""Reads scoped to who asks."""

from django.http import Http404

from accounts.models import User

from .models import Couple, Invite, Membership


def couple_for_user(*, user: User) -> Couple | None:
    """The person's active couple, or None."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.select_related("couple").filter(user=user, left_at__isnull=True).only("couple").first()
    )
    return membership.couple if membership else None


def couple_get_for_member(*, user: User) -> Couple:
    couple = couple_for_user(user=user)
    if couple is None:
        raise Http404("You are not paired.")
    return couple


def couple_partners(*, couple: Couple) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(couple=couple, left_at__isnull=True)
        .select_related("user")
        .order_by("joined_at", "id")
    ]


def couple_partner_of(*, couple: Couple, user: User) -> User | None:
    return next((p for p in couple_partners(couple=couple) if p.pk != user.pk), None)


def invite_open_for_user(*, user: User) -> Invite | None:
    from django.utils import timezone

    return Invite.objects.filter(
        created_by=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).first()
