"""Demo data for therapist access, and bulk history for the summary's
benchmark and tests.

- ``demo_seed`` (called by ``seed_demo``): Alice asked to share with the
  demo therapist, Bob approved; idempotent. The access log stays empty: it
  records real reads only, never made-up ones.
- ``history_bulk_create``: days of daily history for a couple, written in
  bulk (check-ins with moods, notes of appreciation, space periods,
  agreements with reflections, trigger logs). Text fields get ``secret``
  so that tests can prove a summary never carries any of it. Trigger logs
  get random bytes as their sealed text: the summary reads only their
  plain columns, so no key store is needed.
"""

from __future__ import annotations

import datetime as dt
import os
import random

from django.utils import timezone

from accounts.models import User
from couples.models import Couple

DEMO_THERAPIST_EMAIL = "theo@steady.demo"


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    from . import services
    from .models import Grant, Scope

    theo = User.objects.filter(email__iexact=DEMO_THERAPIST_EMAIL, role=User.Role.THERAPIST).first()
    if theo is None or Grant.objects.filter(couple=couple, therapist=theo).exists():
        return
    now = timezone.now()
    code = services.connect_code_create(therapist=theo, now=now)
    grant = services.grant_request(
        couple=couple,
        user=alice,
        code=code.code,
        scopes=[
            Scope.CHECKIN_CONSISTENCY,
            Scope.MOOD_TRENDS,
            Scope.AGREEMENTS,
            Scope.GRATITUDE_FREQUENCY,
            Scope.RECONNECT_FOLLOWTHROUGH,
            Scope.PROGRESS,
            Scope.PROMISES,
            Scope.REPAIR_TREND,
            Scope.PRACTICE,
        ],
        expires_at=now + dt.timedelta(days=90),
        now=now,
    )
    services.grant_approve(grant=grant, user=bob, now=now)
    services.presession_note_write(
        couple=couple,
        author=alice,
        therapist_id=theo.pk,
        text="I'd like to talk about how we plan our weekends.",
        share_with_partner=True,
        now=now,
    )
    services.session_note_write(
        therapist=theo, couple_id=couple.pk, text="First session: goals, the check-in rhythm.", now=now
    )
    # Practices: one both accepted and did, one accepted and open, one
    # waiting for Bob's answer. A seed writes no access events (reads only).
    from .models import NextSession, Practice, PracticeAnswer

    # The next session, a week on, shown to both on their therapist pages.
    NextSession.objects.create(
        couple=couple, therapist=theo, at=(now + dt.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )

    for kind, title, days, answers, state in [
        ("appreciation_notes", "Three notes of appreciation each", 5, (True, True), "done"),
        ("ritual", "A ten-minute walk after dinner, twice", 6, (True, True), "accepted"),
        ("conversation", "Talk about how we plan our weekends", 10, (True,), "proposed"),
    ]:
        practice = Practice.objects.create(
            couple=couple,
            therapist=theo,
            therapist_name=theo.display_name,
            kind=kind,
            title=title,
            due_at=now + dt.timedelta(days=days),
            proposed_at=now,
            state=state,
            accepted_at=now if state != "proposed" else None,
            settled_at=now if state == "done" else None,
        )
        for partner, accepted in zip((alice, bob), answers, strict=False):
            PracticeAnswer.objects.create(practice=practice, partner=partner, accepted=accepted, at=now)


def history_bulk_create(
    *, couple: Couple, a: User, b: User, end: dt.datetime, days: int, secret: str = "", seed: int = 7
) -> None:
    """``days`` days of history ending at ``end``, one check-in a day."""
    from agreements.models import Agreement, AgreementVersion, Reflection
    from checkins.models import Answer, CheckIn, Format, Schedule
    from gratitude.models import Note
    from journal.models import Entry
    from space.models import SpacePeriod

    rnd = random.Random(seed)
    start = end - dt.timedelta(days=days)
    fmt = Format.objects.filter(key="daily-pulse", couple__isnull=True).first()
    if fmt is None:  # a database emptied by a flush: the built-in formats come back
        from checkins.formats import builtin_formats_sync

        builtin_formats_sync(Format)
        fmt = Format.objects.get(key="daily-pulse", couple__isnull=True)
    schedule = Schedule.objects.create(
        couple=couple,
        format=fmt,
        weekdays=list(range(7)),
        time=dt.time(20, 0),
        timezone=couple.timezone,
        status=Schedule.Status.ACTIVE,
        proposed_by=a,
        accepted_by=b,
        accepted_at=start - dt.timedelta(days=1),
        generated_until=end,
    )
    checkins = []
    for i in range(days):
        at = start + dt.timedelta(days=i, hours=2)
        revealed = rnd.random() < 0.8
        checkins.append(
            CheckIn(
                couple=couple,
                format=fmt,
                steps=fmt.steps,
                schedule=schedule,
                local_date=at.date(),
                scheduled_for=at,
                closes_at=at + dt.timedelta(hours=48),
                revealed_at=at + dt.timedelta(hours=1) if revealed else None,
                created_at=at,
            )
        )
    CheckIn.objects.bulk_create(checkins, batch_size=1000)
    answers = []
    for c in checkins:
        for who in (a, b):
            mood = rnd.randint(1, 5)
            done = c.revealed_at is not None or rnd.random() < 0.5
            answers.append(
                Answer(
                    checkin=c,
                    author=who,
                    values={"mood": mood, "appreciated": f"{secret} thanks", "need": f"{secret} a walk"},
                    mood=mood,
                    submitted_at=c.scheduled_for + dt.timedelta(minutes=20) if done else None,
                    skipped_at=None if done else c.scheduled_for + dt.timedelta(minutes=30),
                    skip_reason="" if done else f"{secret} tired",
                    updated_at=c.scheduled_for,
                )
            )
    Answer.objects.bulk_create(answers, batch_size=1000)
    notes = []
    for i in range(days):
        at = start + dt.timedelta(days=i, hours=9)
        author, recipient = (a, b) if i % 2 else (b, a)
        acknowledged = rnd.random() < 0.6
        notes.append(
            Note(
                couple=couple,
                author=author,
                recipient=recipient,
                text=f"{secret} note {i}",
                created_at=at,
                deliver_at=at,
                acknowledged_at=at + dt.timedelta(hours=1) if acknowledged else None,
                reaction="heart" if acknowledged else "",
            )
        )
    Note.objects.bulk_create(notes, batch_size=1000)
    periods = []
    for i in range(0, days, 4):
        at = start + dt.timedelta(days=i, hours=18)
        promise = at + dt.timedelta(hours=2)
        outcome = rnd.choice(["kept", "kept", "kept", "late", "missed"])
        back = promise - dt.timedelta(minutes=10) if outcome == "kept" else promise + dt.timedelta(minutes=40)
        periods.append(
            SpacePeriod(
                couple=couple,
                author=a if i % 8 else b,
                started_at=at,
                first_reconnect_by=promise,
                reconnect_by=promise,
                note=f"{secret} need quiet",
                status=outcome,
                reconnected_at=back if outcome != "missed" else None,
                closed_at=back if outcome != "missed" else promise + dt.timedelta(hours=6),
            )
        )
    SpacePeriod.objects.bulk_create(periods, batch_size=1000)
    reflections = []
    for n, title in enumerate(("Phones away at dinner", "Say when I'll be back", "Sunday walk together")):
        since = start - dt.timedelta(days=1)
        agreement = Agreement.objects.create(
            couple=couple,
            status=Agreement.Status.ACTIVE,
            version=1,
            created_by=a,
            created_at=since,
            updated_at=since,
            active_since=since,
        )
        AgreementVersion.objects.create(
            agreement=agreement,
            number=1,
            title=title,
            details=f"{secret} details {n}",
            category="communication",
            review_every_days=7,
            proposed_by=a,
            proposed_at=since,
            accepted_by=b,
            accepted_at=since,
        )
        for week in range(days // 7):
            period_start = (start + dt.timedelta(weeks=week)).date()
            for who in (a, b):
                reflections.append(
                    Reflection(
                        agreement=agreement,
                        author=who,
                        version=1,
                        period_start=period_start,
                        period_end=period_start + dt.timedelta(days=6),
                        outcome=rnd.choice(["kept", "kept", "partly", "missed"]),
                        note=f"{secret} reflection",
                        created_at=timezone.make_aware(dt.datetime.combine(period_start, dt.time(12))),
                        revealed_at=timezone.make_aware(dt.datetime.combine(period_start, dt.time(13))),
                    )
                )
    Reflection.objects.bulk_create(reflections, batch_size=1000)
    categories = ["no_reply", "partner_needs_space", "plans_changed", "conflict", "no_appreciation"]
    entries = []
    for i in range(0, days, 3):
        for who in (a, b):
            at = start + dt.timedelta(days=i, hours=21)
            before = rnd.randint(3, 9)
            grounded = rnd.random() < 0.6
            entries.append(
                Entry(
                    author=who,
                    kind="trigger",
                    created_at=at,
                    updated_at=at,
                    trigger_category=rnd.choice(categories),
                    intensity_before=before,
                    intensity_after=max(before - 3, 0) if grounded else None,
                    grounded_at=at if grounded else None,
                    # Stand-in ciphertext: the summary never opens it.
                    text_sealed=b"\x01" + os.urandom(76),
                )
            )
    Entry.objects.bulk_create(entries, batch_size=1000)
