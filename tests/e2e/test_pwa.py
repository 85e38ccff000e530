"""The installable app: manifest and icons, the service worker (what it
stores and, above all, what it never stores), the offline page, and turning
Web Push on and off from the reminders page, in headless Chromium."""

import base64
import json
import re
import struct
import urllib.request

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from playwright.sync_api import Page, expect

from reminders.models import PushSubscription

from .helpers import no_horizontal_scroll, small_targets

FAKE_ENDPOINT = "https://push.example.test/send/phone-1"


def get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # the live server, http on localhost
        return response.status, response.headers, response.read()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def vapid_public_key(settings):
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    settings.STEADY_VAPID_PUBLIC_KEY = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return settings.STEADY_VAPID_PUBLIC_KEY


def wait_until(page: Page, expression: str, seconds: float = 10) -> None:
    """Polls ``expression`` in the page (wait_for_function would need eval,
    which the site's Content-Security-Policy rightly refuses)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {seconds}s: {expression}")


def worker_ready(page: Page) -> None:
    """Waits until the service worker controls this page."""
    wait_until(page, "navigator.serviceWorker.controller !== null")


def cached_paths(page: Page) -> list[str]:
    return page.evaluate(
        """async () => {
            const paths = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
            }
            return paths.sort();
        }"""
    )


# --- Served right ------------------------------------------------------------


def test_manifest_is_complete_and_its_icons_load(live_server):
    status, headers, body = get(f"{live_server.url}/manifest.webmanifest")
    assert status == 200
    assert headers["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(body)
    assert manifest["name"] == "Steady"
    assert manifest["short_name"] == "Steady"
    assert manifest["description"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#ffffff"
    assert manifest["background_color"] == "#f6f4ef"

    sizes = set()
    for icon in manifest["icons"]:
        status, headers, data = get(live_server.url + icon["src"])
        assert status == 200, icon["src"]
        assert headers["Content-Type"].startswith(icon["type"]), icon["src"]
        if icon["type"] == "image/png":
            width, height = png_size(data)
            assert f"{width}x{height}" == icon["sizes"], icon["src"]
        sizes.add((icon["sizes"], icon["purpose"], icon["type"]))
    assert {("192x192", "any", "image/png"), ("512x512", "any", "image/png")} <= sizes
    assert any(purpose == "maskable" for _, purpose, _ in sizes)
    assert ("any", "any", "image/svg+xml") in sizes


def test_every_page_links_the_manifest_icon_and_theme(live_server):
    _, _, html = get(f"{live_server.url}/accounts/login/")
    html = html.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'rel="apple-touch-icon"' in html
    status, _, data = get(live_server.url + "/static/img/icons/apple-touch-icon.png")
    assert status == 200 and png_size(data) == (180, 180)
    assert html.count('name="theme-color"') == 2  # light and dark


def test_service_worker_is_served_from_the_root_and_never_cached_by_http(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert script.startswith('const VERSION = "')
    # The same files give the same version: no needless re-install.
    assert client.get("/sw.js").content.decode() == script


def test_the_offline_page_holds_nothing_of_whoever_fetched_it(alice, client):
    client.force_login(alice)
    # A message waiting for Alice's next page must not be used up (or kept)
    # by the offline page the service worker stores.
    client.post("/settings/notifications/", {"daily_cap": 3, "lead_minutes": 15})
    response = client.get("/offline/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You're offline" in html
    assert "Alice" not in html and alice.email not in html
    assert "Saved." not in html
    assert 'aria-label="Main"' not in html  # no Alerts count, no sign-in state
    assert "csrfmiddlewaretoken" not in html
    assert "Saved." in client.get("/settings/notifications/").content.decode()


# --- In Chromium -------------------------------------------------------------


def test_worker_installs_offline_page_shows_and_nothing_private_is_stored(phone_for, alice, bob, couple, shot):
    page = phone_for(alice)
    worker_ready(page)
    state = page.evaluate("navigator.serviceWorker.ready.then((r) => r.active && r.active.state)")
    assert state == "activated"
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")

    # Pages with private data and the API, visited and called while online.
    page.goto("/settings/notifications/")
    page.goto("/checkins/")
    api = page.evaluate("fetch('/api/v1/couple/').then((r) => r.status)")
    assert api == 200
    page.evaluate("fetch('/api/v1/notifications/').then((r) => r.json())")

    stored = cached_paths(page)
    assert "/offline/" in stored
    assert "/static/css/steady.css" in stored and "/static/js/steady.js" in stored
    assert "/static/css/checkins.css" in stored  # stored on first use
    for path in stored:
        assert path == "/offline/" or path.startswith("/static/"), f"stored a page or an API answer: {path}"
    assert page.evaluate("caches.keys()") == [page.evaluate("caches.keys()")[0]]  # one versioned cache
    assert page.evaluate("caches.keys()")[0].startswith("steady-")

    # No network: a page shows the offline page, not the browser's error,
    # and not a copy of the page.
    page.context.set_offline(True)
    page.goto("/gratitude/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
    assert page.url.endswith("/gratitude/")
    expect(page.get_by_role("link", name="Try again")).to_be_visible()
    assert "Alice" not in page.content()
    assert no_horizontal_scroll(page) and small_targets(page) == []
    shot(page, "pwa-01-offline")

    # Back online, it opens the page it could not.
    page.context.set_offline(False)
    expect(page.get_by_role("heading", level=1)).not_to_have_text("You're offline", timeout=10_000)
    assert page.url.endswith("/gratitude/")


def test_offline_page_in_dark_mode(new_phone, live_server, shot):
    page = new_phone(color_scheme="dark")
    page.goto("/accounts/login/")
    worker_ready(page)
    page.context.set_offline(True)
    page.goto("/journal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You're offline")
    shot(page, "pwa-02-offline-dark")
    page.context.set_offline(False)


def test_a_push_message_shows_a_content_free_notification(phone_for, alice, couple, vapid_public_key):
    page = phone_for(alice, permissions=["notifications"])
    worker_ready(page)
    worker = page.context.service_workers[0]
    # Only same-origin paths are ever opened from a notification.
    assert worker.evaluate("samePath('/gratitude/12/?from=push')") == "/gratitude/12/?from=push"
    for hostile in ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", None, 42]:
        assert worker.evaluate("(value) => samePath(value)", hostile) == "/"

    # Deliver a push the way the push service would, through DevTools.
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    payload = {"title": "Time for your check-in", "url": "/checkins/", "tag": "checkin-7"}
    for _ in range(2):  # the same tag twice: one notification, replaced
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": page.evaluate("location.origin"),
                "registrationId": registrations[0]["registrationId"],
                "data": json.dumps(payload),
            },
        )
    wait_until(page, "navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((n) => n.length > 0)")
    shown = page.evaluate(
        """navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) =>
            list.map((n) => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url})))"""
    )
    assert shown == [{"title": "Time for your check-in", "body": "", "tag": "checkin-7", "url": "/checkins/"}]


# --- Push from the reminders page --------------------------------------------

# Headless Chromium has no push service; these stand in for one where a test
# needs a subscription to succeed. Everything else (permission, the worker,
# the API calls with the session cookie and CSRF header) is real.
FAKE_PUSH_SERVICE = """(() => {
  // Kept in localStorage, as a browser keeps a subscription across pages.
  const KEY = "fake-push-endpoint";
  const fake = (endpoint) => ({
    endpoint,
    options: {},
    toJSON: () => ({endpoint, keys: {p256dh: "BFakeP256dhKeyForTests", auth: "fake-auth"}}),
    unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
  });
  PushManager.prototype.getSubscription = async function () {
    const endpoint = localStorage.getItem(KEY);
    return endpoint ? fake(endpoint) : null;
  };
  PushManager.prototype.subscribe = async function () {
    localStorage.setItem(KEY, "FAKE_ENDPOINT");
    return fake("FAKE_ENDPOINT");
  };
})();""".replace("FAKE_ENDPOINT", FAKE_ENDPOINT)

COUNT_PERMISSION_ASKS = """(() => {
  window.__asked = 0;
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => { window.__asked += 1; return ask(...args); };
})();"""


def push_page(phone_for, user, *, scripts=(), **options) -> Page:
    page = phone_for(user, path="/", **options)
    for script in scripts:
        page.add_init_script(script)
    page.goto("/settings/notifications/")
    return page


def test_push_on_and_off_registers_with_the_api(phone_for, alice, couple, vapid_public_key, shot):
    page = push_page(
        phone_for, alice, permissions=["notifications"], scripts=[FAKE_PUSH_SERVICE, COUNT_PERMISSION_ASKS]
    )
    card = page.get_by_test_id("push")
    turn_on = page.get_by_role("button", name="Turn on notifications on this phone")
    expect(page.get_by_test_id("push-status")).to_contain_text("Off on this phone.")
    expect(turn_on).to_be_visible()
    assert page.evaluate("window.__asked") == 0, "asked for permission before a tap"
    assert no_horizontal_scroll(page) and small_targets(page) == []
    shot(page, "pwa-03-push-off")

    turn_on.click()
    expect(card).to_have_attribute("data-state", "on")
    expect(page.get_by_test_id("push-status")).to_contain_text("On for this phone.")
    assert page.evaluate("window.__asked") == 1
    turn_off = page.get_by_role("button", name="Turn off on this phone")
    expect(turn_off).to_be_focused()
    sub = PushSubscription.objects.get()
    assert (sub.user, sub.endpoint, sub.auth) == (alice, FAKE_ENDPOINT, "fake-auth")
    shot(page, "pwa-04-push-on")

    turn_off.click()
    expect(card).to_have_attribute("data-state", "off")
    expect(turn_on).to_be_focused()
    assert not PushSubscription.objects.exists()


def test_signing_out_stops_this_phones_notifications(phone_for, alice, couple, vapid_public_key, shot):
    page = push_page(phone_for, alice, permissions=["notifications"], scripts=[FAKE_PUSH_SERVICE])
    page.get_by_role("button", name="Turn on notifications on this phone").click()
    expect(page.get_by_test_id("push")).to_have_attribute("data-state", "on")
    assert PushSubscription.objects.filter(user=alice).count() == 1

    page.goto("/settings/")
    page.get_by_test_id("sign-out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert not PushSubscription.objects.filter(user=alice).exists()
    assert page.evaluate("localStorage.getItem('fake-push-endpoint')") is None  # the browser dropped it too


def test_push_turns_on_the_phone_preference_if_it_was_off(phone_for, alice, couple, vapid_public_key):
    from reminders import services

    services.preferences_update(user=alice, data={"push": False})
    page = push_page(phone_for, alice, permissions=["notifications"], scripts=[FAKE_PUSH_SERVICE])
    expect(page.get_by_label("Phone notifications")).not_to_be_checked()
    page.get_by_role("button", name="Turn on notifications on this phone").click()
    expect(page.get_by_test_id("push")).to_have_attribute("data-state", "on")
    expect(page.get_by_label("Phone notifications")).to_be_checked()
    assert services.prefs_for(alice).push is True


def test_push_service_failure_is_explained(phone_for, alice, couple, vapid_public_key, shot):
    # The real PushManager: headless Chromium cannot reach a push service.
    page = push_page(phone_for, alice, permissions=["notifications"])
    page.get_by_role("button", name="Turn on notifications on this phone").click()
    status = page.get_by_test_id("push-status")
    expect(status).to_contain_text("That didn't work.", timeout=30_000)
    expect(status).to_contain_text("notifications are still off on this phone")
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_focused()
    assert not PushSubscription.objects.exists()
    shot(page, "pwa-05-push-failed")


def test_push_blocked_explains_how_to_allow(phone_for, alice, couple, vapid_public_key, shot):
    denied = "Object.defineProperty(Notification, 'permission', {get: () => 'denied'});"
    page = push_page(phone_for, alice, scripts=[denied])
    expect(page.get_by_test_id("push-status")).to_contain_text("Blocked in this browser.")
    expect(page.get_by_test_id("push-status")).to_contain_text("allow them, then come back here")
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_hidden()
    shot(page, "pwa-06-push-denied")


def test_push_not_set_up_on_the_server(phone_for, alice, couple, settings, shot):
    settings.STEADY_VAPID_PUBLIC_KEY = ""
    page = push_page(phone_for, alice, color_scheme="dark")
    expect(page.get_by_test_id("push-status")).to_contain_text("Phone notifications aren't available in Steady yet.")
    expect(page.get_by_test_id("push-status")).not_to_contain_text("server")
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_hidden()
    expect(page.get_by_role("button", name="Turn off on this phone")).to_be_hidden()
    shot(page, "pwa-07-push-not-set-up-dark")


def test_push_unsupported_browser(phone_for, alice, couple, vapid_public_key):
    page = push_page(phone_for, alice, scripts=["delete window.PushManager;"])
    expect(page.get_by_test_id("push-status")).to_contain_text("This browser can't show notifications.")
    expect(page.get_by_test_id("push-status")).to_contain_text("Add to Home Screen")
    expect(page.get_by_role("button", name="Turn on notifications on this phone")).to_be_hidden()


def test_registration_calls_the_api_with_session_and_csrf(phone_for, alice, bob, couple):
    page = push_page(phone_for, alice)
    subscription = {"endpoint": FAKE_ENDPOINT, "keys": {"p256dh": "BKeyFromTheBrowser", "auth": "secret-auth"}}
    page.evaluate("(s) => window.SteadyPush.register(s)", subscription)
    sub = PushSubscription.objects.get()
    assert (sub.user, sub.endpoint, sub.p256dh, sub.auth) == (alice, FAKE_ENDPOINT, "BKeyFromTheBrowser", "secret-auth")

    # Twice is harmless; the endpoint stays one row.
    page.evaluate("(s) => window.SteadyPush.register(s)", subscription)
    assert PushSubscription.objects.count() == 1

    # A refusal (not https) is an error for the caller, not a silent success.
    error = page.evaluate(
        "(s) => window.SteadyPush.register(s).then(() => '', (e) => e.message)",
        {**subscription, "endpoint": "http://x"},
    )
    assert "400" in error

    # Without the CSRF header the API refuses: the header is what let it in.
    status = page.evaluate(
        """(s) => fetch('/api/v1/push/subscriptions/', {method: 'POST', credentials: 'same-origin',
            headers: {'Content-Type': 'application/json'}, body: JSON.stringify(s)}).then((r) => r.status)""",
        subscription,
    )
    assert status == 403

    page.evaluate("(e) => window.SteadyPush.unregister(e)", FAKE_ENDPOINT)
    assert not PushSubscription.objects.exists()


def test_signed_out_the_api_refuses(db):
    # The page's JS only ever works for the person signed in.
    response = Client().post(
        "/api/v1/push/subscriptions/",
        {"endpoint": FAKE_ENDPOINT, "keys": {"p256dh": "x", "auth": "y"}},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)
