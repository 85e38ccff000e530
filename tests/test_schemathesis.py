"""Property-based API fuzzing with schemathesis, from /api/schema/, as a
signed-in partner with a couple: no server error on any input, and every
response matches the documented schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error, response_schema_conformance

from .factories import make_world

# Operations that would end the fuzzing session itself.
SESSION_ENDING = {
    ("POST", "/api/v1/auth/logout/"),
    ("DELETE", "/api/v1/me/"),
    ("DELETE", "/api/v1/me/sessions/"),
    ("POST", "/api/v1/couple/leave/"),
}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Called straight through WSGI, Django would close the database
    connection after each request, inside the test's transaction. Django's
    own test client disconnects this for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(couple, alice, settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    return {"Authorization": f"Bearer {AuthToken.objects.create(user=alice)[1]}"}


def _schema():
    # Serving the schema touches no database, so it loads at collection.
    from backend.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _schema()


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@pytest.mark.django_db
def test_no_input_breaks_the_api(case, bearer):
    if (case.method.upper(), case.path) in SESSION_ENDING:
        return
    response = case.call(headers=bearer)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@pytest.fixture
def world(couple, alice, bob, theo):
    return make_world(couple, alice, bob, theo)


def _token(user) -> dict:
    return {"Authorization": f"Bearer {AuthToken.objects.create(user=user)[1]}"}


@pytest.mark.django_db
class TestRealObjects:
    """Fuzzing mostly meets 404s on detail paths; these bodies are checked
    against the schema on purpose (all checks)."""

    def test_a_checkins_events_are_the_object_the_schema_describes(self, bearer, world):
        case = schema["/api/v1/checkins/{checkin_id}/events/"]["GET"].Case(
            path_parameters={"checkin_id": world["checkin_id"]}, query={"since": 0}
        )
        response = case.call(headers=bearer)

        assert response.status_code == 200
        assert set(response.json()) == {"checkin", "last_seq", "results"}
        case.validate_response(response, headers=bearer)

    def test_my_answers_is_null_until_i_answer(self, bearer, world):
        case = schema["/api/v1/checkins/{checkin_id}/"]["GET"].Case(path_parameters={"checkin_id": world["checkin_id"]})
        response = case.call(headers=bearer)

        assert response.status_code == 200
        assert response.json()["my_answers"] is None
        case.validate_response(response, headers=bearer)


def _plain_gets():
    for path, methods in schema.raw_schema["paths"].items():
        if "get" in methods and "{" not in path:
            yield path


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(_plain_gets()))
def test_every_persona_gets_a_documented_status(path, couple, mallory, theo, settings, tmp_path):
    """The fuzzing signs in as alice; mallory before she pairs, theo the
    therapist and a signed-out client meet the other documented answers
    (404 without a couple, 403 for the other role, 401)."""
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    case = schema[path]["GET"].Case()
    for headers in (_token(mallory), _token(theo), {}):
        response = case.call(headers=headers)
        case.validate_response(response, headers=headers)
