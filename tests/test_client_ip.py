# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Whose address a request has: every per-address limit and every recorded
address believes X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says
(security review, issue #15, finding 3)."""

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from accounts.models import SecurityEvent
from backend.client_ip import client_ip
from backend.throttles import ClientIpMixin
from therapists.models import AccessEvent

from .factories import PASSWORD, UserFactory, address_confirm
from .test_therapists_support import as_theo_ready, theo_totp, theos_grant  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login/"
SIGNUP = "/api/v1/auth/signup/"
PROXY = "10.0.0.1"  # our proxy, as the app's socket sees it
CLIENT = "203.0.113.7"  # the address our proxy saw


def rates(monkeypatch, **scopes):
    # DRF reads the rates into the class when it is imported.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **scopes})


def signup(api, i, **headers):
    body = {"email": f"p{i}@example.com", "password": "a-long-unusual-pass-42", "display_name": "P", "timezone": "UTC"}
    return api.post(SIGNUP, body, format="json", **headers)


CASES = [
    # (trusted proxies, X-Forwarded-For, REMOTE_ADDR, the client)
    (0, None, PROXY, PROXY),
    (0, "198.51.100.9", PROXY, PROXY),  # no proxy: the header is the client's own claim
    (1, None, PROXY, PROXY),
    (1, f"198.51.100.9, {CLIENT}", PROXY, CLIENT),  # one proxy: its hop, not the client's
    (2, f"198.51.100.9, {CLIENT}, 10.0.0.2", PROXY, CLIENT),
    (2, CLIENT, PROXY, CLIENT),  # a proxy that did not append
    (1, "2001:db8::1", PROXY, "2001:db8::1"),
]


@pytest.mark.parametrize(("count", "xff", "remote", "expected"), CASES)
def test_the_client_is_the_hop_our_outermost_proxy_added(count, xff, remote, expected, settings):
    headers = {"HTTP_X_FORWARDED_FOR": xff} if xff else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)

    assert client_ip(request, trusted_proxy_count=count) == expected
    # DRF's own reading, for any code path that bypasses ours, agrees.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    assert BaseThrottle().get_ident(request) == expected


@pytest.mark.parametrize(
    ("xff", "expected"),
    [
        (f"{CLIENT}:4711", CLIENT),
        ("[2001:DB8::1]:4711", "2001:db8::1"),
        ("not-an-address", None),
        ("", PROXY),
    ],
)
def test_ports_are_dropped_and_garbage_is_no_address(xff, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)
    assert client_ip(request, trusted_proxy_count=1) == expected


def test_one_setting_drives_the_libraries():
    from allauth import app_settings as allauth_settings
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 0
    assert api_settings.NUM_PROXIES == 0
    assert allauth_settings.TRUSTED_PROXY_COUNT == 0


def _views(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _views(p.url_patterns)
        elif isinstance(p, URLPattern) and hasattr(p.callback, "cls"):
            yield p.callback.cls


def test_every_throttle_counts_by_our_client_address():
    throttles = set(api_settings.DEFAULT_THROTTLE_CLASSES)
    for view in _views(get_resolver().url_patterns):
        throttles.update(getattr(view, "throttle_classes", []))

    assert throttles
    assert [t for t in throttles if not issubclass(t, ClientIpMixin)] == []


class TestWithNoProxy:
    """TRUSTED_PROXY_COUNT=0, the default: a forged header changes nothing."""

    def test_a_password_spray_across_accounts_is_throttled_per_address(self, api, monkeypatch):
        rates(monkeypatch, login_ip="5/hour")
        accounts = [UserFactory() for _ in range(6)]

        statuses = [
            api.post(
                LOGIN,
                {"email": a.email, "password": "wrong-wrong-wrong"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
            ).status_code
            for i, a in enumerate(accounts)
        ]

        assert statuses == [400] * 5 + [429]

    def test_allauths_failed_log_in_limit_per_address_holds_too(self, api, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,10/15m/key"}
        accounts = [UserFactory() for _ in range(4)]

        statuses = [
            api.post(
                LOGIN,
                {"email": a.email, "password": "wrong-wrong-wrong"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
            ).status_code
            for i, a in enumerate(accounts)
        ]

        assert statuses == [400, 400, 400, 429]

    def test_the_sign_up_limit_does_not_reset_with_a_new_header(self, api, monkeypatch):
        rates(monkeypatch, signup="3/hour")

        statuses = [signup(api, i, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(4)]

        assert statuses == [201, 201, 201, 429]

    def test_security_events_record_the_peer_not_the_header(self, api, alice):
        api.post(
            LOGIN,
            {"email": alice.email, "password": PASSWORD},
            format="json",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )

        assert list(SecurityEvent.objects.values_list("kind", "ip")) == [("login", PROXY)]


class TestBehindOneProxy:
    @pytest.fixture(autouse=True)
    def _one_proxy(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1

    def test_the_last_hop_is_the_throttle_key(self, api, monkeypatch):
        rates(monkeypatch, signup="2/hour")

        first = signup(api, 1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.1, {CLIENT}")
        second = signup(api, 2, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.2, {CLIENT}")
        third = signup(api, 3, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.3, {CLIENT}")
        someone_else = signup(api, 4, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")

        assert [r.status_code for r in (first, second, third, someone_else)] == [201, 201, 429, 201]

    def test_security_events_and_web_sessions_record_the_client(self, api, client, alice):
        from allauth.usersessions.models import UserSession

        address_confirm(alice)
        api.post(
            LOGIN,
            {"email": alice.email, "password": PASSWORD},
            format="json",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.1, {CLIENT}",
        )
        client.post(
            "/accounts/login/",
            {"login": alice.email, "password": PASSWORD},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"198.51.100.2, {CLIENT}",
        )

        assert list(SecurityEvent.objects.order_by("id").values_list("kind", "via", "ip")) == [
            ("login", "api", CLIENT),
            ("login", "web", CLIENT),
        ]
        assert list(UserSession.objects.values_list("ip", flat=True)) == [CLIENT]

    def test_the_therapist_access_log_records_the_client(self, as_theo_ready, couple, theos_grant):
        as_theo_ready.get("/api/v1/therapist/couples/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"x, {CLIENT}")

        assert list(AccessEvent.objects.values_list("what", "ip")) == [("list", CLIENT)]
