"""Property-based API fuzzing with schemathesis, from /api/schema/, as a
signed-in partner with a couple: no server error on any input, and every
response matches the documented schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error, response_schema_conformance

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
