"""Shared helpers and fixtures for the therapist access tests (imported by
the test_therapists_* modules; no tests here).

- ``theo_totp``: theo with an authenticator app set up (a known secret).
- ``as_theo_ready``: an API client for theo whose token was confirmed with
  a code, as a therapist's app does after logging in.
- ``make_grant`` / ``active_grant``: a grant through the real services.
- ``plant_secrets``: history for alice and bob with a known secret string
  in every text field a summary could ever touch.
"""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import encrypt
from django.utils import timezone
from rest_framework.test import APIClient

from therapists import services
from therapists.models import SCOPE_ORDER, SUMMARY_SCOPES

from .conftest import client_for

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ALL_SCOPES = list(SCOPE_ORDER)
# What a summary reads of a grant with every scope (progress has its own read).
ALL_SUMMARY_SCOPES = list(SUMMARY_SCOPES)
SECRET = "SECRET-TEXT-7f3a"


def totp_code(secret: str = TOTP_SECRET, at: dt.datetime | None = None) -> str:
    """The code an authenticator app shows for ``secret`` now (RFC 6238,
    allauth's own HOTP helper)."""
    at = at or timezone.now()
    return format_hotp_value(hotp_value(secret, int(at.timestamp()) // 30))


def give_totp(user, secret: str = TOTP_SECRET) -> Authenticator:
    return Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)})


@pytest.fixture
def theo_totp(theo):
    return give_totp(theo)


def ready_client(user) -> APIClient:
    """A token client for a therapist with TOTP, confirmed with a code."""
    client = client_for(user)
    response = client.post("/api/v1/therapist/verify/", {"code": totp_code()}, format="json")
    assert response.status_code == 200, response.content
    return client


@pytest.fixture
def as_theo_ready(theo, theo_totp):
    return ready_client(theo)


def make_grant(couple, requester, therapist, *, scopes=None, days=30, now=None):
    now = now or timezone.now()
    code = services.connect_code_create(therapist=therapist, now=now)
    return services.grant_request(
        couple=couple,
        user=requester,
        code=code.code,
        scopes=scopes or ALL_SCOPES,
        expires_at=now + dt.timedelta(days=days),
        now=now,
    )


def active_grant(couple, requester, approver, therapist, **kwargs):
    grant = make_grant(couple, requester, therapist, **kwargs)
    return services.grant_approve(grant=grant, user=approver, now=kwargs.get("now"))


@pytest.fixture
def theos_grant(couple, alice, bob, theo):
    """Alice asked, Bob approved: theo sees every scope for 30 days."""
    return active_grant(couple, alice, bob, theo)


def plant_secrets(couple, alice, bob, *, now=None, days=14) -> None:
    """History for the couple with SECRET (plus the field's name) in every
    text field: check-in answers and skip reasons, notes of appreciation,
    space notes, agreement details, reflection notes, decline and retire
    reasons, and journal entries (text, story, need, what I can do, tags)."""
    from agreements import services as agreements
    from agreements.models import Agreement, AgreementVersion, Reflection
    from checkins.models import Answer, CheckIn, Format, Schedule
    from gratitude.models import Note
    from journal import services as journal
    from space.models import SpacePeriod

    now = now or timezone.now()
    fmt = Format.objects.get(key="daily-pulse", couple__isnull=True)
    schedule = Schedule.objects.create(
        couple=couple,
        format=fmt,
        weekdays=list(range(7)),
        time=dt.time(20, 0),
        timezone=couple.timezone,
        status=Schedule.Status.ACTIVE,
        proposed_by=alice,
        accepted_by=bob,
        accepted_at=now - dt.timedelta(days=days + 1),
    )
    for i in range(1, days + 1):
        at = now - dt.timedelta(days=i)
        revealed = i % 3 != 0
        checkin = CheckIn.objects.create(
            couple=couple,
            format=fmt,
            steps=fmt.steps,
            schedule=schedule,
            local_date=at.date(),
            scheduled_for=at,
            closes_at=at + dt.timedelta(hours=2),
            revealed_at=at + dt.timedelta(hours=1) if revealed else None,
        )
        for who, mood in ((alice, 2 + i % 3), (bob, 3 + i % 2)):
            Answer.objects.create(
                checkin=checkin,
                author=who,
                values={"mood": mood, "appreciated": f"{SECRET}-answer", "need": f"{SECRET}-need"},
                mood=mood,
                submitted_at=at + dt.timedelta(minutes=30) if revealed or who == alice else None,
                skipped_at=None if revealed or who == alice else at + dt.timedelta(minutes=40),
                skip_reason="" if revealed or who == alice else f"{SECRET}-skip",
            )
        Note.objects.create(
            couple=couple,
            author=alice if i % 2 else bob,
            recipient=bob if i % 2 else alice,
            text=f"{SECRET}-note {i}",
            created_at=at,
            deliver_at=at,
        )
    SpacePeriod.objects.create(
        couple=couple,
        author=bob,
        started_at=now - dt.timedelta(days=3),
        first_reconnect_by=now - dt.timedelta(days=3) + dt.timedelta(hours=1),
        reconnect_by=now - dt.timedelta(days=3) + dt.timedelta(hours=1),
        note=f"{SECRET}-space",
        status="kept",
        reconnected_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=50),
        closed_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=50),
    )
    agreement = agreements.agreement_propose(
        couple=couple, user=alice, title="Phones away at dinner", category="communication", details=f"{SECRET}-details"
    )
    Agreement.objects.filter(pk=agreement.pk).update(
        status="active", active_since=now - dt.timedelta(days=days), retire_reason=f"{SECRET}-retire"
    )
    AgreementVersion.objects.filter(agreement=agreement).update(
        accepted_by=bob, accepted_at=now - dt.timedelta(days=days)
    )
    declined = agreements.agreement_propose(couple=couple, user=bob, title="Sundays off", category="time_apart")
    AgreementVersion.objects.filter(agreement=declined).update(
        declined_by=alice, declined_at=now - dt.timedelta(days=2), decline_reason=f"{SECRET}-decline"
    )
    start = (now - dt.timedelta(days=7)).date()
    for who, outcome in ((alice, "kept"), (bob, "partly")):
        Reflection.objects.create(
            agreement=agreement,
            author=who,
            version=1,
            period_start=start,
            period_end=start + dt.timedelta(days=6),
            outcome=outcome,
            note=f"{SECRET}-reflection",
            revealed_at=now - dt.timedelta(days=1),
        )
    for who in (alice, bob):
        journal.entry_create(
            author=who,
            kind="trigger",
            text=f"{SECRET}-journal-text",
            trigger_category="no_reply",
            intensity_before=7,
            intensity_after=4,
            story=f"{SECRET}-story",
            need=f"{SECRET}-need-journal",
            can_do=f"{SECRET}-can-do",
            tags=[f"{SECRET}-tag"],
            now=now - dt.timedelta(days=2),
        )
        journal.entry_create(author=who, kind="entry", text=f"{SECRET}-diary", mood=2, now=now - dt.timedelta(days=1))


TEST_KEK = "Hk3m1nV2k7yq1gq6wJm0a2F0a7t3K0sVnq7P1c9XbQ4="


@pytest.fixture
def keystore(settings, tmp_path):
    """The journal's key store in a scratch folder (journal entries are sealed)."""
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False
