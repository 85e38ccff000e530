# ruff: noqa: F811 - pytest fixtures imported from the support module
"""Consent, defined once (issue #17, item 3): "an active grant" is one
definition on the model, the same for queries and for a grant in hand, and a
summary is read only through ``therapist_summary_read``, which checks
consent on the locked row and writes the access-log row with the read."""

import datetime as dt
import itertools

import pytest
from django.http import Http404
from django.utils import timezone

from couples.models import Couple
from therapists import services
from therapists.models import AccessEvent, Grant

from .factories import UserFactory, make_couple
from .test_therapists_support import as_theo_ready, theo_totp, theos_grant  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_the_query_and_the_grant_in_hand_agree_on_every_combination(theo):
    """Every combination of ended, approved, expired and couple ended: the
    grants the query calls active are exactly those whose status is active."""
    now = timezone.now()
    grants = []
    for ended, approved, expired, couple_ended in itertools.product([False, True], repeat=4):
        a, b = UserFactory(), UserFactory()
        couple = make_couple(a, b)
        grant = Grant.objects.create(
            couple=couple,
            therapist=theo,
            scopes=["checkin_consistency"],
            requested_by=a,
            requested_at=now - dt.timedelta(days=40),
            expires_at=now + dt.timedelta(days=-1 if expired else 10),
            approved_by=b if approved else None,
            approved_at=now - dt.timedelta(days=39) if approved else None,
            ended_at=now - dt.timedelta(days=1) if ended else None,
            end_reason=Grant.EndReason.REVOKED if ended else "",
        )
        if couple_ended:
            Couple.objects.filter(pk=couple.pk).update(ended_at=now - dt.timedelta(hours=1))
        grants.append(grant.pk)
    in_hand = {g.pk for g in Grant.objects.filter(pk__in=grants).select_related("couple") if g.is_active_at(now)}
    queried = set(Grant.objects.active(now).filter(pk__in=grants).values_list("pk", flat=True))
    assert queried == in_hand
    assert len(queried) == 1  # approved, not ended, not expired, couple not ended


def test_an_ended_couples_grant_is_not_active_even_if_nothing_closed_it(couple, theos_grant, as_theo_ready):
    """Leaving closes grants (a handler), but consent does not depend on it."""
    Couple.objects.filter(pk=couple.pk).update(ended_at=timezone.now())
    grant = Grant.objects.select_related("couple").get(pk=theos_grant.pk)
    assert grant.ended_at is None and grant.status == "revoked"
    assert as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/summary/").status_code == 404
    assert not AccessEvent.objects.exists()


def test_a_read_writes_exactly_one_access_event(couple, theos_grant, theo):
    today = timezone.localdate()
    summary = services.therapist_summary_read(
        therapist=theo, grant=theos_grant, start=today - dt.timedelta(days=7), end=today, ip="203.0.113.9"
    )
    assert summary["scopes"]
    event = AccessEvent.objects.get()
    assert (event.couple_id, event.grant_id, event.what, event.ip) == (
        couple.pk,
        theos_grant.pk,
        "summary",
        "203.0.113.9",
    )
    assert event.scopes == summary["scopes"]


def test_a_grant_revoked_before_the_read_reads_and_logs_nothing(couple, theos_grant, theo, alice):
    services.grant_revoke(grant=theos_grant, user=alice)
    today = timezone.localdate()
    with pytest.raises(Http404):
        services.therapist_summary_read(therapist=theo, grant=theos_grant, start=today, end=today, ip=None)
    assert not AccessEvent.objects.exists()


def test_another_therapist_cannot_read_through_theos_grant(couple, theos_grant):
    from accounts.models import User

    other = UserFactory(role=User.Role.THERAPIST)
    today = timezone.localdate()
    with pytest.raises(Http404):
        services.therapist_summary_read(therapist=other, grant=theos_grant, start=today, end=today, ip=None)
    assert not AccessEvent.objects.exists()
