import pytest
from django.test import Client

from backend.throttles import WriteThrottle

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_csp_and_security_headers(alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/settings/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_that_csp_would_block(alice, couple):
    import re

    client = Client()
    client.force_login(alice)
    for url in ("/", "/settings/", "/checkins/", "/notifications/"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert ' style="' not in html, url


def test_api_responses_are_never_stored(as_alice):
    response = as_alice.get("/api/v1/me/")
    assert response["Cache-Control"] == "no-store"


def test_the_api_docs_page_is_the_one_exception(client):
    assert "Content-Security-Policy" not in client.get("/api/docs/")


def test_every_write_is_throttled_and_reads_are_not(as_alice, monkeypatch):
    monkeypatch.setattr(WriteThrottle, "THROTTLE_RATES", {**WriteThrottle.THROTTLE_RATES, "writes": "3/hour"})
    statuses = [as_alice.patch("/api/v1/me/", {"display_name": f"A{i}"}, format="json").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert as_alice.get("/api/v1/me/").status_code == 200


class TestDatabaseUnavailable:
    """While PostgreSQL restarts, a request gets a calm 503 with Retry-After
    (API: JSON; pages: a page that needs no database), never a bare 500."""

    @pytest.fixture
    def db_down(self, monkeypatch):
        from django.db import OperationalError

        def refuse(*args, **kwargs):
            raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

        return lambda target: monkeypatch.setattr(target, refuse)

    def test_an_api_request_gets_a_503_in_json(self, alice, db_down, settings):
        from knox.models import AuthToken

        settings.DEBUG = False
        _, token = AuthToken.objects.create(user=alice)
        db_down("knox.auth.TokenAuthentication.authenticate_credentials")
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")

        response = client.get("/api/v1/me/")

        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert response["Content-Type"] == "application/json"
        assert "Nothing you saved is lost" in response.json()["detail"]

    def test_a_page_gets_a_503_page_that_needs_no_database(self, alice, db_down, settings):
        settings.DEBUG = False
        client = Client(raise_request_exception=False)
        client.force_login(alice)
        # Fails inside the middleware, before any view runs.
        db_down("django.contrib.sessions.backends.db.SessionStore.load")

        response = client.get("/settings/")

        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert b"Back in a moment" in response.content

    def test_any_other_error_is_a_plain_500_without_details(self, alice, monkeypatch, settings):
        settings.DEBUG = False

        def broken(*args, **kwargs):
            raise RuntimeError("SECRET internal detail")

        monkeypatch.setattr("knox.auth.TokenAuthentication.authenticate_credentials", broken)
        client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer x")

        response = client.get("/api/v1/me/")

        assert response.status_code == 500
        assert "Retry-After" not in response
        assert b"SECRET" not in response.content


class TestNotFound:
    def test_a_missing_page_is_a_styled_404_and_a_missing_api_route_is_json(self, alice, settings):
        settings.DEBUG = False
        client = Client()
        client.force_login(alice)

        page = client.get("/no-such-page/")
        api = client.get("/api/v1/no-such-route/")

        assert page.status_code == 404
        assert b"We couldn't find that page" in page.content
        assert b"steady.css" in page.content
        assert api.status_code == 404
        assert api.json() == {"detail": "Not found."}
