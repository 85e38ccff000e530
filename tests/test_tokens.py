"""API tokens: a request checks only the token it presents; expired tokens
are swept in bulk by a beat task (accounts.tasks.tokens_expired_delete)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import tasks
from accounts.services import tokens_expired_delete

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def issue(user, *, expires_in: dt.timedelta | None = dt.timedelta(days=60)):
    instance, token = AuthToken.objects.create(user=user, expiry=expires_in)
    return instance, token


def expire(instance) -> None:
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - dt.timedelta(minutes=1))


class TestRequest:
    def test_an_expired_token_is_refused_and_deleted(self, alice):
        instance, token = issue(alice)
        expire(instance)

        response = bearer(token).get(ME)

        assert response.status_code == 401
        assert not AuthToken.objects.filter(pk=instance.pk).exists()

    def test_a_request_reads_no_other_token(self, alice, bob):
        # Given alice has other devices, some expired, and bob an expired one.
        _, token = issue(alice)
        others = [issue(alice)[0] for _ in range(5)]
        for instance in others[:3]:
            expire(instance)
        bobs, _ = issue(bob)
        expire(bobs)
        client = bearer(token)
        client.get(ME)  # the presented token's own refresh is a write of its own

        with CaptureQueriesContext(connection) as queries:
            response = client.get(ME)

        assert response.status_code == 200
        token_reads = [q["sql"] for q in queries if "knox_authtoken" in q["sql"]]
        assert len(token_reads) == 1  # the presented token, by its key, with its user
        assert "token_key" in token_reads[0].split("WHERE", 1)[1]
        # Nobody else's expired token was touched: that is the sweep's job.
        assert AuthToken.objects.filter(pk__in=[o.pk for o in others] + [bobs.pk]).count() == 6

    def test_queries_do_not_grow_with_the_number_of_tokens(self, alice):
        _, token = issue(alice)
        client = bearer(token)
        client.get(ME)
        with CaptureQueriesContext(connection) as few:
            client.get(ME)
        for _ in range(30):
            expire(issue(alice)[0])

        with CaptureQueriesContext(connection) as many:
            client.get(ME)

        assert len(many) == len(few)

    def test_a_used_token_is_still_refreshed(self, alice, settings):
        instance, token = issue(alice, expires_in=dt.timedelta(days=1))
        before = AuthToken.objects.get(pk=instance.pk).expiry

        assert bearer(token).get(ME).status_code == 200

        assert AuthToken.objects.get(pk=instance.pk).expiry > before + dt.timedelta(days=50)

    def test_an_expired_token_is_not_listed_as_a_device(self, alice):
        _, token = issue(alice)
        old, _ = issue(alice)
        expire(old)

        ids = [row["id"] for row in bearer(token).get("/api/v1/me/sessions/").json()["results"]]

        assert f"app-{old.token_key}" not in ids


class TestSweep:
    def test_deletes_only_expired_tokens(self, alice, bob):
        alive, _ = issue(alice)
        forever, _ = issue(bob, expires_in=None)
        gone = [issue(u)[0] for u in (alice, bob, alice)]
        for instance in gone:
            expire(instance)

        assert tokens_expired_delete() == 3

        assert set(AuthToken.objects.values_list("pk", flat=True)) == {alive.pk, forever.pk}

    def test_twice_is_safe(self, alice):
        alive, _ = issue(alice)
        expire(issue(alice)[0])

        assert tasks.tokens_expired_delete() == 1
        assert tasks.tokens_expired_delete() == 0

        assert list(AuthToken.objects.values_list("pk", flat=True)) == [alive.pk]

    def test_works_in_batches(self, alice):
        for _ in range(7):
            expire(issue(alice)[0])
        alive, _ = issue(alice)

        with CaptureQueriesContext(connection) as queries:
            assert tokens_expired_delete(batch_size=3) == 7

        assert list(AuthToken.objects.values_list("pk", flat=True)) == [alive.pk]
        selects = [q for q in queries if q["sql"].startswith("SELECT") and "LIMIT 3" in q["sql"]]
        assert len(selects) == 3  # 3 + 3 + 1: the last short batch ends it

    def test_a_signed_in_device_survives_the_sweep(self, alice):
        _, token = issue(alice)

        tokens_expired_delete()

        assert bearer(token).get(ME).status_code == 200
