"""Therapist access on PostgreSQL: the access log refuses UPDATE and DELETE
whatever the client (a trigger), and races on a code or a grant have one
outcome."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from therapists import services
from therapists.models import AccessEvent, Grant

from .concurrency import race
from .test_therapists_support import make_grant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_raw_sql_cannot_change_or_delete_an_access_event(couple, alice, bob, theo):
    grant = make_grant(couple, alice, theo)
    event = services.access_record_summary(
        therapist=theo,
        grant=grant,
        scopes=["mood_trends"],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 31),
        ip=None,
    )

    for sql in (
        "UPDATE therapists_accessevent SET therapist_name = 'nobody' WHERE id = %s",
        "DELETE FROM therapists_accessevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])

    assert AccessEvent.objects.get(pk=event.pk).therapist_name == "Theo"


def test_two_partners_entering_one_code_at_once_make_one_grant(couple, alice, bob, theo):
    code = services.connect_code_create(therapist=theo)
    expires = timezone.now() + dt.timedelta(days=30)

    results = race(
        [
            lambda who=who: services.grant_request(
                couple=couple, user=who, code=code.code, scopes=["mood_trends"], expires_at=expires
            )
            for who in (alice, bob)
        ]
    )

    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert Grant.objects.count() == 1


def test_approve_and_revoke_at_once_leave_one_consistent_grant(couple, alice, bob, theo):
    for _ in range(5):
        grant = make_grant(couple, alice, theo)

        race(
            [
                lambda g=grant: services.grant_approve(grant=g, user=bob),
                lambda g=grant: services.grant_revoke(grant=g, user=alice),
            ]
        )

        grant.refresh_from_db()
        # Revoked in any case (a revoke after the approval ends it too).
        assert grant.ended_at is not None and grant.status == "revoked"


def test_deleting_an_account_keeps_the_couples_access_log(couple, alice, bob, theo, settings, tmp_path):
    """The partner who stays keeps the log: no foreign key from an access
    event to a partner, the couple is closed, not deleted, and the trigger
    would refuse any cascade that tried to touch a row."""
    from accounts.services import account_delete
    from therapists.selectors import access_log_for_member

    from .factories import PASSWORD
    from .test_therapists_support import active_grant

    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    grant = active_grant(couple, alice, bob, theo)
    event = services.access_record_summary(
        therapist=theo,
        grant=grant,
        scopes=["mood_trends"],
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 31),
        ip=None,
    )

    account_delete(user=alice, password=PASSWORD)
    theo.delete()  # a therapist's account going does not touch the log either

    assert [e.pk for e in access_log_for_member(user=bob, couple_id=couple.pk)] == [event.pk]
    assert AccessEvent.objects.get(pk=event.pk).therapist_name == "Theo"
