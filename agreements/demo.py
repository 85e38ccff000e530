"""Demo agreements for ``manage.py seed_demo``: one agreed weeks ago with a
few periods of reflections, one that went through a change before both
accepted it, and one waiting for Alice. Idempotent: each agreement is keyed
on its first title within the couple and made only if missing."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from couples.models import Couple

from . import services
from .models import Agreement, AgreementVersion, Reflection

LATE = "A text if I'll be late"
PHONES = "Phones away at dinner"
SATURDAY = "Saturday mornings to myself"


def _exists(couple: Couple, title: str) -> bool:
    return AgreementVersion.objects.filter(agreement__couple=couple, number=1, title=title).exists()


def _backdate(agreement: Agreement, *, proposed: dt.datetime, accepted: dt.datetime | None) -> None:
    """Moves an agreement's history into the past, as if made then, and
    restarts its review reminders from the new start."""
    Agreement.objects.filter(pk=agreement.pk).update(created_at=proposed, updated_at=accepted or proposed)
    AgreementVersion.objects.filter(agreement=agreement).update(proposed_at=proposed)
    if accepted is not None:
        AgreementVersion.objects.filter(agreement=agreement, accepted_at__isnull=False).update(accepted_at=accepted)
        Agreement.objects.filter(pk=agreement.pk).update(active_since=accepted)
        agreement.refresh_from_db()
        services._reviews_stop(agreement)
        services._reviews_start(agreement, services._current(agreement))


def _reflect(agreement: Agreement, person: User, outcome: str, note: str, at: dt.datetime) -> None:
    agreement.refresh_from_db()
    reflection, _created = services.reflection_submit(
        agreement=agreement, author=person, outcome=outcome, note=note, now=at
    )
    Reflection.objects.filter(pk=reflection.pk).update(created_at=at, updated_at=at)
    Reflection.objects.filter(
        agreement=agreement, period_start=reflection.period_start, revealed_at__isnull=False
    ).update(revealed_at=at)


@transaction.atomic
def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    now = timezone.now()
    if not _exists(couple, LATE):
        late = services.agreement_propose(
            couple=couple,
            user=alice,
            title=LATE,
            details="If either of us will be more than 20 minutes later than we said, we send a short text. "
            "No need to explain; just a new time.",
            category="communication",
            review_every_days=14,
        )
        services.agreement_accept(agreement=late, user=bob, version=1)
        start = now - dt.timedelta(days=43)
        _backdate(late, proposed=start - dt.timedelta(hours=20), accepted=start)
        history = [
            ("kept", "kept", "Easy once I set a reminder.", ""),
            ("partly", "kept", "Forgot once on Thursday.", "Thanks for the text on Tuesday, it helped."),
            ("kept", "partly", "", "Phone died on the way back; sorry."),
        ]
        for i, (a_outcome, b_outcome, a_note, b_note) in enumerate(history):
            at = start + dt.timedelta(days=14 * i + 12, hours=10)
            _reflect(late, alice, a_outcome, a_note, at)
            _reflect(late, bob, b_outcome, b_note, at + dt.timedelta(hours=2))

    if not _exists(couple, PHONES):
        phones = services.agreement_propose(
            couple=couple,
            user=bob,
            title=PHONES,
            details="Both phones go in the basket from 19:00 to 20:00 on weeknights.",
            category="phones_and_privacy",
            review_every_days=30,
        )
        services.agreement_amend(
            agreement=phones,
            user=alice,
            version=1,
            changes={
                "details": "Both phones go in the basket from 19:00 to 20:00 on weekdays, unless one of us is on call."
            },
        )
        services.agreement_accept(agreement=phones, user=bob, version=2)
        _backdate(phones, proposed=now - dt.timedelta(days=9), accepted=now - dt.timedelta(days=8))

    if not _exists(couple, SATURDAY):
        saturday = services.agreement_propose(
            couple=couple,
            user=bob,
            title=SATURDAY,
            details="Until 11:00 on Saturdays I go running or read on my own. It's not about us; "
            "I come back better company. Text me if something's urgent.",
            category="time_apart",
            review_every_days=30,
        )
        _backdate(saturday, proposed=now - dt.timedelta(hours=5), accepted=None)
