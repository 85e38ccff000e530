import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def test_health_needs_no_auth_and_reports_services(api):
    response = api.get("/api/v1/health/")

    assert response.status_code == 200
    expected_broker = "embedded" if settings.CELERY_BROKER_IS_EMBEDDED else "ok"
    expected_redis = "ok" if settings.REDIS_URL else "embedded"
    assert response.json() == {"status": "ok", "database": "ok", "redis": expected_redis, "broker": expected_broker}


def test_liveness_checks_nothing_but_the_process(api, monkeypatch):
    from backend import health

    # Everything behind it is down: the process is still alive, so it must
    # not be restarted (readiness takes it out of the load balancer).
    monkeypatch.setattr(health, "_database_ok", lambda: False)
    monkeypatch.setattr(health, "_redis_state", lambda: "error")
    monkeypatch.setattr(health, "_broker_state", lambda: "error")
    response = api.get("/api/v1/health/live/")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "broken",
    [("_database_ok", False, "database"), ("_redis_state", "error", "redis"), ("_broker_state", "error", "broker")],
)
def test_readiness_fails_on_any_dependency(api, monkeypatch, broken):
    from backend import health

    name, value, field = broken
    ready = api.get("/api/v1/health/ready/")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"

    monkeypatch.setattr(health, name, lambda: value)
    for path in ("/api/v1/health/ready/", "/api/v1/health/"):
        response = api.get(path)
        assert response.status_code == 503
        assert response.json()["status"] == "error" and response.json()[field] == "error"


@pytest.mark.redis
def test_readiness_reports_an_unreachable_redis(api, settings):
    settings.CHANNELS_REDIS_URL = "redis://127.0.0.1:1/0"
    response = api.get("/api/v1/health/ready/")
    assert (response.status_code, response.json()["redis"]) == (503, "error")


def test_health_reports_a_broken_broker(api, monkeypatch):
    from backend import health

    monkeypatch.setattr(health, "_broker_state", lambda: "error")
    response = api.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


@pytest.mark.redis
def test_health_against_real_redis(api):
    body = api.get("/api/v1/health/").json()
    assert (body["broker"], body["redis"]) == ("ok", "ok")


def _api_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith("api/v1/"):
                yield "/" + route


def test_schema_describes_every_api_route(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    documented = {path for path in schema["paths"]}

    def normalise(route: str) -> str:
        import re

        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)

    routes = {normalise(r) for r in _api_routes()}
    assert routes, "no API routes found"
    assert routes <= documented, routes - documented


def test_schema_has_bearer_auth_and_request_bodies(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" or "Bearer" in str(s) for s in schemes.values()), schemes
    signup = schema["paths"]["/api/v1/auth/signup/"]["post"]
    assert "requestBody" in signup
    assert "201" in signup["responses"]


def test_docs_page_is_served(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_cache_channel_layer_and_broker_each_get_their_own_redis_database():
    from django.core.exceptions import ImproperlyConfigured

    from backend.settings import redis_db

    assert redis_db("redis://127.0.0.1:6379/1", 1) == "redis://127.0.0.1:6379/2"
    assert redis_db("redis://:secret@redis:6379", 2) == "redis://:secret@redis:6379/2"
    assert redis_db("rediss://cache.example:6380/4?ssl_cert_reqs=required", 2).endswith(
        ":6380/6?ssl_cert_reqs=required"
    )
    with pytest.raises(ImproperlyConfigured):
        redis_db("redis://127.0.0.1:6379/14", 2)


@pytest.mark.redis
def test_with_redis_the_three_uses_are_apart():
    cache = settings.CACHES["default"]["LOCATION"]
    layer = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["address"]
    assert len({cache, layer, settings.CELERY_BROKER_URL}) == 3
