"""Keyboard use and motion (docs/accessibility.md), in English and Arabic.

- The tab bar: reached by Tab, every tab visibly focused, in reading order,
  which in Arabic runs from right to left (the bar mirrors).
- Forms: Tab reaches every control, visibly, top to bottom and, on one line,
  in the language's direction.
- The live check-in: answered with the keyboard alone; when the partner's
  answer redraws the page, the person keeps their place (focus, caret) and
  never lands back at the top.
- The breathing exercise stops moving when the device asks for less motion.
"""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from checkins import services as checkins
from checkins.formats import builtin_formats_sync
from checkins.models import Format

from .test_accessibility import DESCRIBE

LANGUAGES = ["en", "ar"]

# The focused element: its name (as the a11y tests describe it), whether a
# focus ring shows, where it is, and whether it is in the tab bar.
FOCUSED = f"""() => {{
  const describe = {DESCRIBE};
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const target = el.type === "radio" || el.type === "checkbox" ? (el.closest("label") || el) : el;
  const targetStyle = getComputedStyle(target);
  const ring = [style, targetStyle].some((s) => (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2)
    || s.boxShadow !== "none");
  const r = target.getBoundingClientRect();
  return {{ key: describe(el), ring, x: r.left + r.width / 2, top: r.top + window.scrollY, height: r.height,
            tabbar: !!el.closest(".tabbar"), main: !!el.closest("main"), footer: !!el.closest("footer") }};
}}"""


# Everything in <main> a pointer could use, that is shown (not inside a
# closed <details>: Chrome keeps those in the layout, checkVisibility() knows).
CONTROLS = f"""() => {{
  const describe = {DESCRIBE};
  const selector = "main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary";
  return [...new Set([...document.querySelectorAll(selector)]
    .filter((el) => el.checkVisibility() && !el.disabled)
    .map(describe))];
}}"""


def phone_in(new_phone, live_url: str, language: str, user=None, **overrides) -> Page:
    """A phone whose browser speaks ``language`` (and says so with the
    language cookie), signed in as ``user``."""
    page = new_phone(locale="ar" if language == "ar" else "en-GB", **overrides)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_url}]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_url,
            }
        )
    page.context.add_cookies(cookies)
    return page


def tab_stops(page: Page, limit: int = 80) -> list[dict]:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or (stops and focused["key"] == stops[0]["key"]):
            break
        # A time field takes several Tabs (hours, minutes, its picker): one stop.
        if not stops or focused["key"] != stops[-1]["key"]:
            stops.append(focused)
        elif not focused["ring"]:
            stops[-1]["ring"] = False
    return stops


def assert_reading_order(stops: list[dict], language: str) -> None:
    """Top to bottom; on one line, along the language's direction."""
    for before, after in zip(stops, stops[1:], strict=False):
        same_line = abs(before["top"] - after["top"]) < min(before["height"], after["height"]) / 2
        if same_line:
            forward = after["x"] > before["x"] if language == "en" else after["x"] < before["x"]
            assert forward, f"{after['key']} comes after {before['key']} but sits before it on the line ({language})"
        else:
            assert after["top"] > before["top"], f"{after['key']} is above {before['key']}, yet focused after it"


def assert_all_reached_and_ringed(page: Page, stops: list[dict]) -> None:
    keys = [s["key"] for s in stops]
    missed = [c for c in page.evaluate(CONTROLS) if c not in keys]
    assert not missed, f"Tab never reaches {missed}; it stops at {keys}"
    unringed = [s["key"] for s in stops if not s["ring"]]
    assert not unringed, f"no visible focus ring on {unringed}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tab_bar_by_keyboard(new_phone, live_server, alice, couple, language):
    page = phone_in(new_phone, live_server.url, language, alice)
    page.goto("/")
    expect(page.get_by_test_id("tabbar")).to_be_visible()
    assert page.evaluate("document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")

    stops = tab_stops(page)
    tabs = [s for s in stops if s["tabbar"]]
    hrefs = [h.rsplit("|", 1)[0] for h in (s["key"] for s in tabs)]
    assert len(tabs) == 5, f"the tab bar's stops: {hrefs}"
    # The bar comes right after the header, before the page's content.
    first_tab = stops.index(tabs[0])
    assert stops[first_tab : first_tab + 5] == tabs
    assert all(s["main"] or s["footer"] for s in stops[first_tab + 5 :]), stops[first_tab + 5 :]
    assert all(s["ring"] for s in tabs), [s["key"] for s in tabs if not s["ring"]]
    xs = [s["x"] for s in tabs]
    if language == "ar":
        assert xs == sorted(xs, reverse=True), f"in Arabic the tabs run right to left: {xs}"
        assert xs[0] > 390 / 2  # Home, the first tab, on the right
    else:
        assert xs == sorted(xs), f"the tabs run left to right: {xs}"
    # Enter on a focused tab follows it.
    page.get_by_test_id("tabbar").get_by_role("link").nth(3).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/journal/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_forms_by_keyboard(new_phone, live_server, alice, couple, language):
    page = phone_in(new_phone, live_server.url, language, alice)
    for path in ("/agreements/new/", "/gratitude/write/", "/settings/", "/journal/trigger/"):
        page.goto(path)
        page.locator("main").focus()
        stops = [s for s in tab_stops(page) if s["main"]]
        assert stops, path
        assert_all_reached_and_ringed(page, stops)
        assert_reading_order(stops, language)

    # An error is announced and the first wrong field is where focus goes.
    page.goto("/agreements/new/")
    page.locator("main button[type=submit]").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_be_visible()
    assert page.evaluate("document.activeElement !== document.body")


@pytest.mark.postgres
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_live_check_in_by_keyboard(browser, browser_context_args, asgi_server, alice, bob, couple, language):
    builtin_formats_sync(Format)
    checkin = checkins.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    contexts = []

    def phone(user):
        context = browser.new_context(
            **{**browser_context_args, "base_url": asgi_server, "locale": "ar" if language == "ar" else "en-GB"}
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": asgi_server,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": asgi_server},
            ]
        )
        return context.new_page()

    try:
        a, b = phone(alice), phone(bob)
        a.goto(f"/checkins/{checkin.pk}/live/")
        b.goto(f"/checkins/{checkin.pk}/live/")
        a.get_by_test_id("live-share").wait_for()
        b.get_by_test_id("live-share").wait_for()

        # Everything in the step is reachable, ringed, in reading order.
        a.locator("main").focus()
        stops = [s for s in tab_stops(a) if s["main"]]
        assert_all_reached_and_ringed(a, stops)
        assert_reading_order(stops, language)

        # Mood with the arrow keys, shared with Enter.
        a.locator("main").focus()
        for _ in range(10):
            a.keyboard.press("Tab")
            if a.evaluate("document.activeElement.type === 'radio'"):
                break
        else:
            raise AssertionError("Tab never reached the moods")
        a.keyboard.press("Space")
        a.keyboard.press("ArrowDown")
        chosen = a.evaluate("document.activeElement.value")
        expect(a.get_by_test_id("live-share")).to_be_visible()
        a.get_by_test_id("live-share").focus()
        a.keyboard.press("Enter")
        a.get_by_test_id("live-waiting").wait_for()
        # The button is gone: focus is on the step, not lost to the page's top.
        assert a.evaluate("document.activeElement.closest('[data-stage]') !== null")
        assert chosen

        # Bob answers; Alice's page redraws with the reveal; she goes on by keyboard.
        b.locator("label[for=live-mood-2]").click()
        b.get_by_test_id("live-share").click()
        a.get_by_test_id("live-reveal").wait_for()
        assert a.evaluate("document.activeElement.closest('[data-stage]') !== null")
        a.keyboard.press("Tab")
        expect(a.get_by_test_id("live-ready")).to_be_focused()
        a.keyboard.press("Enter")
        b.get_by_test_id("live-ready").click()
        a.get_by_test_id("live-text").wait_for()

        # Typing, while Bob shares his answer: the redraw keeps her text, her
        # focus and her caret.
        a.get_by_test_id("live-text").focus()
        a.keyboard.type("The tea you ")
        b.get_by_test_id("live-text").fill("Your patience")
        b.get_by_test_id("live-share").click()
        expect(b.get_by_test_id("live-waiting")).to_be_visible()
        a.wait_for_timeout(500)  # the update reaches Alice's page
        a.keyboard.type("made me")
        expect(a.get_by_test_id("live-text")).to_be_focused()
        expect(a.get_by_test_id("live-text")).to_have_value("The tea you made me")
        a.keyboard.press("Tab")
        expect(a.get_by_test_id("live-share")).to_be_focused()
        a.keyboard.press("Enter")
        a.get_by_test_id("live-reveal").wait_for()
        expect(a.get_by_test_id("live-reveal")).to_contain_text("Your patience")
    finally:
        for context in contexts:
            context.close()


def _circle_scale(page: Page) -> str:
    return page.locator(".breather-circle").evaluate("el => getComputedStyle(el).transform")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_breathing_exercise_stops_moving_when_asked(new_phone, live_server, alice, couple, language):
    calm = phone_in(new_phone, live_server.url, language, alice, reduced_motion="reduce")
    calm.goto("/journal/breathe/")
    calm.get_by_test_id("breather-start").click()
    expect(calm.locator("[data-count]")).not_to_be_empty()
    circle = calm.locator(".breather-circle")
    assert circle.evaluate("el => getComputedStyle(el).animationName") == "none"
    still = _circle_scale(calm)
    calm.wait_for_timeout(1500)
    assert _circle_scale(calm) == still, "the circle moved although the phone asked for less motion"
    # The words still pace the breath, and the count goes on.
    expect(calm.locator("[data-time]")).not_to_have_text("2:00")

    # Without the request, the circle breathes.
    moving = phone_in(new_phone, live_server.url, language, alice, reduced_motion="no-preference")
    moving.goto("/journal/breathe/")
    moving.get_by_test_id("breather-start").click()
    assert moving.locator(".breather-circle").evaluate("el => getComputedStyle(el).animationName") != "none"
    first = _circle_scale(moving)
    moving.wait_for_timeout(1500)
    assert _circle_scale(moving) != first
