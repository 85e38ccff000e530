"""Pairing writes."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from accounts.security import security_event_record
from backend.errors import Conflict, Forbidden, Invalid

from . import closing
from .models import CODE_ALPHABET, CODE_LENGTH, Couple, Invite, Membership, PairingBlock
from .selectors import couple_for_user

# One message for every code that cannot be used — unknown, used, expired,
# revoked or blocked — so that a failed attempt tells a guesser nothing.
# English here (tests compare with it); gettext() where it is raised.
BAD_CODE = gettext_noop("This code is not valid. Check it, or ask your partner for a new one.")


def normalize_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _ensure_partner(user: User) -> None:
    if user.role != User.Role.PARTNER:
        raise Forbidden(gettext("Only partner accounts can pair."))


@transaction.atomic
def invite_create(*, user: User) -> Invite:
    _ensure_partner(user)
    if couple_for_user(user=user) is not None:
        raise Conflict(gettext("You are already paired."))
    now = timezone.now()
    # A new code replaces the old one (a unique constraint allows one open
    # code per person, so the revoke must come first).
    Invite.objects.filter(created_by=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Invite.objects.create(
                    code=_new_code(),
                    created_by=user,
                    created_at=now,
                    expires_at=now + dt.timedelta(hours=settings.STEADY_INVITE_TTL_HOURS),
                )
        except IntegrityError:  # a clash with another open code: draw again
            continue
    raise Conflict(gettext("Could not make a code right now; please try again."))


def couple_join(*, user: User, code: str) -> Couple:
    _ensure_partner(user)
    code = normalize_code(code)
    if len(code) != CODE_LENGTH:
        raise Invalid(gettext(BAD_CODE), field="code")
    try:
        with transaction.atomic():
            return _couple_join(user=user, code=code)
    except IntegrityError as exc:
        # The partial unique index on active memberships: one of the two
        # joined another couple in the same instant.
        raise Conflict(gettext("One of you is already paired.")) from exc


def _couple_join(*, user: User, code: str) -> Couple:
    now = timezone.now()
    invite = (
        Invite.objects.select_for_update()
        .select_related("created_by")
        .filter(code=code, used_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invite is None or invite.expires_at <= now:
        raise Invalid(gettext(BAD_CODE), field="code")
    if invite.created_by_id == user.pk:
        raise Invalid(gettext("This is your own code. Give it to your partner to enter on their phone."), field="code")
    inviter = invite.created_by
    if not inviter.is_active:
        # A closed account (awaiting erasure) pairs with nobody; its codes
        # were revoked when it closed, this is the belt to those braces.
        raise Invalid(gettext(BAD_CODE), field="code")
    blocks = PairingBlock.objects.filter(blocker__in=[user, inviter], blocked__in=[user, inviter])
    # A block lifts only when the person who set it makes a code and the
    # person they blocked enters it: every other way in is a bad code, in
    # the same words as any other (nobody is told about a block).
    if blocks.exclude(blocker=inviter, blocked=user).exists():
        raise Invalid(gettext(BAD_CODE), field="code")
    if couple_for_user(user=user) is not None or couple_for_user(user=inviter) is not None:
        raise Conflict(gettext("One of you is already paired."))
    # Claim the code with a conditional update: of two people entering the
    # same code at once, exactly one gets it (select_for_update is a no-op
    # on SQLite, the row count is not).
    claimed = Invite.objects.filter(pk=invite.pk, used_at__isnull=True, revoked_at__isnull=True).update(
        used_at=now, used_by=user
    )
    if claimed != 1:
        raise Invalid(gettext(BAD_CODE), field="code")
    couple = Couple.objects.create(timezone=inviter.timezone, created_at=now)
    Membership.objects.create(couple=couple, user=inviter, joined_at=now)
    Membership.objects.create(couple=couple, user=user, joined_at=now)
    for person in (inviter, user):
        security_event_record(kind="paired", user_id=person.pk)
    # Neither keeps an open code once paired.
    Invite.objects.filter(created_by__in=[user, inviter], used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    # The inviter's block on this person, if any, has been lifted by the
    # inviter's own code.
    blocks.delete()
    return couple


def couple_leave(*, user: User, password: str, block_partner: bool = True, notice: bool = False) -> Couple:
    """Unilateral and immediate: the couple is closed for both at once, with
    no confirmation from the partner, no waiting and no reason asked. Each
    person keeps what they wrote; the closed couple's shared data stays with
    the closed couple.

    ``block_partner`` (the default choice) stops the former partner pairing
    with this person again until this person lifts it (``pairing_block_lift``,
    or a code of theirs the former partner enters). ``notice`` sends the one
    who stays one content-free notice ("Your couple on Steady has ended"),
    the next morning in their own timezone (``closing.notice_send``)."""
    if not user.check_password(password):
        raise Invalid(gettext("That password is not right."), field="password")
    couple = couple_end_for(user=user, block_partner=block_partner, notice=notice)
    if couple is None:
        from django.http import Http404

        raise Http404("You are not paired.")
    return couple


def couple_end_for(*, user: User, block_partner: bool = False, notice: bool = False) -> Couple | None:
    """Ends the person's current couple, if any (the leave itself, after the
    password; also how an account closing ends its couple). None if the
    person is not in a couple."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("couple")
            .filter(user=user, left_at__isnull=True)
            .first()
        )
        if membership is None:
            return None
        couple = membership.couple
        now = timezone.now()
        others = list(
            Membership.objects.filter(couple=couple, left_at__isnull=True)
            .exclude(user=user)
            .values_list("user_id", flat=True)
        )
        Membership.objects.filter(couple=couple, left_at__isnull=True).update(left_at=now)
        Couple.objects.filter(pk=couple.pk).update(ended_at=now)
        couple.ended_at = now
        security_event_record(kind="left_couple", user_id=user.pk)
        if block_partner:
            for other_id in others:
                PairingBlock.objects.get_or_create(blocker=user, blocked_id=other_id)
        # Inside the transaction: grants, shares and live sessions end with
        # the couple, each app's part isolated (couples.closing).
        closing.couple_closed_run(couple_id=couple.pk)
        if notice and others:
            closing.notice_send(couple_id=couple.pk, user_ids=others)
    return couple


def pairing_block_lift(*, user: User, block_id: int) -> None:
    """The person who set a block turns it off (Settings): the former
    partner can pair with them again with a new code. 404 for a block that
    is not theirs (a blocked person never learns of one)."""
    deleted, _ = PairingBlock.objects.filter(pk=block_id, blocker=user).delete()
    if not deleted:
        from django.http import Http404

        raise Http404("No such block.")


def invites_revoke(*, user: User) -> int:
    """Revokes the person's open code (an account closing)."""
    return Invite.objects.filter(created_by=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
