"""Personas: alice and bob are a couple, theo a therapist, mallory a
stranger with her own couple (with mike)."""

import os

import hypothesis
import pytest
from django.conf import settings
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import User

from .factories import PASSWORD, UserFactory, make_couple

IN_CI = os.environ.get("CI", "").lower() == "true"

# backend.heap: the web process freezes its start-up objects; not this one,
# which imports backend.asgi while it collects tests (and not the servers it
# starts, which inherit this). tests/test_request_cycles.py checks a server.
os.environ["STEADY_GC_SETTLE"] = "0"

# Property tests explore new examples on every local run, where a find is a
# bug to fix; in CI they replay the same examples, so that a landing is never
# refused by luck. (A run found the Moncton fold in backend.localtime.)
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis.settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _require_services(request):
    """Tests marked postgres/redis skip without the service, but under
    CI=true a missing service fails the run instead of skipping."""
    from django.db import connection

    missing = []
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL)")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        missing.append("Redis (set REDIS_URL)")
    if missing:
        message = "needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Every transactional test (live server, races, workers) restores the
    rows that data migrations made (the built-in check-in formats) instead
    of starting from an empty flushed database."""
    return True


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return bool(marked) or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames


@pytest.fixture(autouse=True)
def _builtin_rows(request):
    """Transactional tests flush the database, and Django's serialized
    rollback does not reliably bring back what data migrations made (it came
    back empty after some live-server tests): put the built-in check-in
    formats back before every test that uses the database. Not only the
    transactional ones: pytest-django runs a test whose database use it
    cannot see at collection (a fixture that asks for it at run time) after
    the transactional ones, onto their flushed database (CI, issue #17's
    merge: 167 tests found no formats)."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or "db" in request.fixturenames or _is_transactional(request)
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from checkins.formats import builtin_formats_sync
    from checkins.models import Format

    if not Format.objects.filter(couple__isnull=True).exists():
        builtin_formats_sync(Format)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that assert it switch it back on.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttles and rate limits live in the cache; each test starts clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com", display_name="Alice", timezone="Europe/Berlin")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.com", display_name="Bob", timezone="America/New_York")


@pytest.fixture
def theo(db):
    return UserFactory(email="theo@example.com", display_name="Theo", role=User.Role.THERAPIST)


@pytest.fixture
def mallory(db):
    return UserFactory(email="mallory@example.com", display_name="Mallory")


@pytest.fixture
def mike(db):
    return UserFactory(email="mike@example.com", display_name="Mike")


@pytest.fixture
def couple(alice, bob):
    return make_couple(alice, bob)


@pytest.fixture
def mallory_couple(mallory, mike):
    return make_couple(mallory, mike)


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        _instance, token = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def api():
    return client_for(None)


@pytest.fixture
def as_alice(alice):
    return client_for(alice)


@pytest.fixture
def as_bob(bob):
    return client_for(bob)


@pytest.fixture
def as_theo(theo):
    return client_for(theo)


@pytest.fixture
def as_mallory(mallory):
    return client_for(mallory)
