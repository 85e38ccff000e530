"""Reads scoped to who asks."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from backend.prepared import PreparedRows

from .models import Couple, Invite, Membership, PairingBlock

# (user id, couple, partners) while a page that is a read for one member
# holds them; see couple_known.
_known: ContextVar[tuple[int, Couple, tuple[User, ...]] | None] = ContextVar("steady_couple_known", default=None)


def member_couple_and_partners(*, user: User) -> tuple[Couple | None, list[User]]:
    """The person's active couple and its current partners (the person
    included, in joining order), in one query; (None, []) if not paired."""
    if not user.is_authenticated:
        return None, []
    known = _known.get()
    if known is not None and known[0] == user.pk:
        return known[1], list(known[2])
    memberships = _MEMBERS_WITH.rows(user=user)
    if not memberships:
        return None, []
    return memberships[0].couple, [m.user for m in memberships]


def _members_with(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.current()
        .filter(couple__in=Membership.objects.current().filter(user=user).values("couple_id"))
        .select_related("couple", "user")
        .order_by("joined_at", "id")
    )


# Every page's first read (the home page's, the tab bar's), prepared once
# per process (backend.prepared).
_MEMBERS_WITH = PreparedRows(_members_with)


@contextmanager
def couple_known(*, user: User, couple: Couple, partners: list[User]) -> Iterator[None]:
    """Inside the block, ``couple_for_user(user=user)`` and
    ``couple_partners(couple=couple)`` answer from these, without a query.

    For the home page: each feature's card looks the couple up itself
    (lower apps know nothing of the page), which was one membership query
    per card and per selector. Only around a read: a membership changed
    inside the block would not be seen. A ContextVar, so it is this
    request's alone, also under ASGI."""
    token = _known.set((user.pk, couple, tuple(partners)))
    try:
        yield
    finally:
        _known.reset(token)


def couple_for_user(*, user: User) -> Couple | None:
    """The person's active couple, or None."""
    if not user.is_authenticated:
        return None
    known = _known.get()
    if known is not None and known[0] == user.pk:
        return known[1]
    membership = Membership.objects.current().select_related("couple").filter(user=user).only("couple").first()
    return membership.couple if membership else None


def couple_ids_of_member(*, user: User) -> QuerySet[Membership]:
    """The person's current couple as a subquery (``couple__in=``): a list of
    the couple's rows filtered by it needs no query of its own for the
    couple. It matches nothing for someone not paired; the list then tells
    "not paired" (404) from "nothing yet" (``couples.api.MemberListMixin``)."""
    return Membership.objects.current().filter(user=user).values("couple_id")


def couple_get_for_member(*, user: User) -> Couple:
    couple = couple_for_user(user=user)
    if couple is None:
        raise Http404("You are not paired.")
    return couple


def couple_partners(*, couple: Couple) -> list[User]:
    known = _known.get()
    if known is not None and known[1].pk == couple.pk:
        return list(known[2])
    return [
        m.user
        for m in Membership.objects.current_of(couple_id=couple.pk).select_related("user").order_by("joined_at", "id")
    ]


def member_is_current(*, user: User, couple_id: int) -> bool:
    """Whether ``user`` is a member of the couple now. One query."""
    return Membership.objects.current_of(couple_id=couple_id).filter(user=user).exists()


def couple_partner_of(*, couple: Couple, user: User) -> User | None:
    return next((p for p in couple_partners(couple=couple) if p.pk != user.pk), None)


def invite_open_for_user(*, user: User) -> Invite | None:
    from django.utils import timezone

    return Invite.objects.filter(
        created_by=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def had_couple(*, user: User) -> bool:
    """True for someone who was in a couple that has ended (or that they left)."""
    return Membership.objects.filter(user=user, left_at__isnull=False).exists()


def former_memberships(*, user: User) -> list[Membership]:
    """The person's memberships of couples that have ended, latest first:
    what the "your couple has ended" page and its history pages read."""
    return list(Membership.objects.filter(user=user, left_at__isnull=False).order_by("-left_at", "-id"))


def former_membership_get(*, user: User, couple_id: int) -> Membership:
    """The person's membership of an ended couple they were in; 404 for
    anyone else (a stranger, a therapist, a member of a couple still going)."""
    membership = Membership.objects.filter(user=user, couple_id=couple_id, left_at__isnull=False).first()
    if membership is None:
        raise Http404("No such couple.")
    return membership


def former_couple_at(*, user: User, when) -> int | None:
    """The ended couple the person was in at ``when`` (an old notification's
    time), or None."""
    return (
        Membership.objects.filter(user=user, left_at__isnull=False, joined_at__lte=when, left_at__gte=when)
        .values_list("couple_id", flat=True)
        .first()
    )


def pairing_blocks_set_by(*, user: User) -> list[PairingBlock]:
    """The blocks this person set when leaving, newest first, with the
    blocked person's name (Settings). A blocked person never reads one."""
    return list(
        PairingBlock.objects.filter(blocker=user)
        .select_related("blocked")
        .only("id", "created_at", "blocked__id", "blocked__display_name")
        .order_by("-created_at", "-id")
    )
