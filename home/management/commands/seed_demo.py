"""Demo data for local runs: a couple (alice and bob) and a therapist (theo).

Idempotent: running it again finds the same people and the same couple and
changes nothing else. Each piece is a small function taking what it needs,
so later features can add their own demo history by writing a function and
calling it from ``Command.handle`` (keep them idempotent too: look up before
creating, and key every row on something stable).
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from couples.models import Couple, Membership

DEMO_PASSWORD = "steady-demo-pass"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    timezone: str
    role: str = User.Role.PARTNER


ALICE = DemoPerson("alice@steady.demo", "Alice", "Europe/Berlin")
BOB = DemoPerson("bob@steady.demo", "Bob", "Europe/Berlin")
THEO = DemoPerson("theo@steady.demo", "Theo", "Europe/Berlin", role=User.Role.THERAPIST)
DEMO_PEOPLE = (ALICE, BOB, THEO)


def demo_user_ensure(*, person: DemoPerson, password: str = DEMO_PASSWORD) -> tuple[User, bool]:
    """The demo user with this email, created if missing. An existing user
    keeps their data; only the password is set again, so the printed logins
    always work."""
    user = User.objects.filter(email__iexact=person.email).first()
    created = user is None
    if created:
        user = User(
            email=person.email,
            display_name=person.display_name,
            timezone=person.timezone,
            role=person.role,
        )
    password_validation.validate_password(password, user=user)
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    demo_email_address_ensure(user=user)
    return user, created


def demo_email_address_ensure(*, user: User) -> EmailAddress:
    """allauth's record of the address, primary and verified, so the web
    log-in treats it like any confirmed account."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user,
        email=user.email,
        defaults={"primary": True, "verified": True},
    )
    return address


def demo_couple_ensure(*, a: User, b: User) -> tuple[Couple, bool]:
    """The active couple of ``a`` and ``b``, created if neither is paired.
    Refuses (rather than breaking up a couple) if either is paired with
    someone else."""
    memberships = {m.user_id: m for m in Membership.objects.current().filter(user__in=[a, b])}
    if a.pk in memberships and b.pk in memberships and memberships[a.pk].couple_id == memberships[b.pk].couple_id:
        return memberships[a.pk].couple, False
    if memberships:
        raise CommandError(f"{a.email} or {b.email} is already paired with someone else; not touching that couple.")
    now = timezone.now()
    couple = Couple.objects.create(timezone=a.timezone, created_at=now)
    Membership.objects.create(couple=couple, user=a, joined_at=now)
    Membership.objects.create(couple=couple, user=b, joined_at=now)
    return couple, True


def logins_text(people: tuple[DemoPerson, ...] = DEMO_PEOPLE, password: str = DEMO_PASSWORD) -> str:
    width = max(len(p.email) for p in people)
    lines = [f"Demo logins (password for all: {password})"]
    for p in people:
        what = "therapist" if p.role == User.Role.THERAPIST else "partner"
        lines.append(f"  {p.email.ljust(width)}  {p.display_name} ({what})")
    lines.append(f"  {ALICE.display_name} and {BOB.display_name} are a couple.")
    return "\n".join(lines)


def _feature_demos():
    from agreements.demo import demo_seed as agreements_demo
    from checkins.demo import demo_seed as checkins_demo
    from checkups.demo import demo_seed as checkups_demo
    from daily.demo import demo_seed as daily_demo
    from firstrun.demo import demo_seed as firstrun_demo
    from gratitude.demo import demo_seed as gratitude_demo
    from journal.demo import demo_seed as journal_demo
    from promises.demo import demo_seed as promises_demo
    from reassurance.demo import demo_seed as reassurance_demo
    from repair.demo import demo_seed as repair_demo
    from space.demo import demo_seed as space_demo
    from therapists.demo import demo_seed as therapists_demo

    return [
        checkins_demo,
        daily_demo,
        firstrun_demo,
        gratitude_demo,
        space_demo,
        repair_demo,
        promises_demo,
        agreements_demo,
        journal_demo,
        reassurance_demo,
        checkups_demo,
        therapists_demo,
    ]


class Command(BaseCommand):
    help = "Create the demo couple (alice, bob) and therapist (theo). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is False. Demo accounts have a published password.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is False: refusing to create demo accounts with a published password. "
                "Use --force if this really is a demo server."
            )
        with transaction.atomic():
            alice, alice_new = demo_user_ensure(person=ALICE)
            bob, bob_new = demo_user_ensure(person=BOB)
            theo, theo_new = demo_user_ensure(person=THEO)
            couple, couple_new = demo_couple_ensure(a=alice, b=bob)
            # Each feature adds its own demo history (idempotent).
            for demo_seed in _feature_demos():
                demo_seed(couple=couple, alice=alice, bob=bob)

        created = [u.email for u, new in ((alice, alice_new), (bob, bob_new), (theo, theo_new)) if new]
        if created or couple_new:
            self.stdout.write(f"Created: {', '.join(created) or 'no users'}; couple {couple.pk}.")
        else:
            self.stdout.write("Demo data already present.")
        self.stdout.write(logins_text())
