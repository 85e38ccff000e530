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
