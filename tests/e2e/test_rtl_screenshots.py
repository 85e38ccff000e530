"""The main pages in Arabic, right to left, on a 390 × 844 phone: saved as
screenshots (test-artifacts/screenshots/rtl-ar-*.png, git-ignored) to be
looked at, and checked for what a screenshot would show mirrored wrong:
headings and text start on the right, the tab bar's first tab (Home) is on
the right, charts run time from right to left, nothing scrolls sideways.

Served by the ASGI app (``asgi_server``) so the live check-in is live.
"""

import pytest
from django.conf import settings
from django.test import Client

from .helpers import no_horizontal_scroll
from .test_accessibility import _keystore, lived_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.postgres

WIDTH, HEIGHT = 390, 844

# Where the page's first heading and first paragraph start: their right edge
# near the right of the screen, as Arabic text does.
STARTS_RIGHT = """() => {
  const out = [];
  for (const el of document.querySelectorAll("main h1, main .lead, main p, main h2")) {
    if (!el.checkVisibility() || !el.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    out.push({ tag: el.tagName, text: el.textContent.trim().slice(0, 30), right: r.right, boxRight: box.right,
               left: r.left, align: getComputedStyle(el).textAlign, dir: getComputedStyle(el).direction });
    if (out.length >= 4) break;
  }
  return out;
}"""


def _phone(browser, browser_context_args, base_url, user, language="ar"):
    context = browser.new_context(
        **{
            **browser_context_args,
            "base_url": base_url,
            "locale": language,
            "viewport": {"width": WIDTH, "height": HEIGHT},
        }
    )
    context.set_default_timeout(20_000)
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url},
        ]
    )
    return context


def test_main_pages_in_arabic_mirror(browser, browser_context_args, asgi_server, alice, bob, lived_in, shot):  # noqa: F811
    open_one = lived_in["open"].pk
    pages = [
        ("home", "/"),
        ("checkin", f"/checkins/{open_one}/"),
        ("live-checkin", f"/checkins/{open_one}/live/"),
        ("checkin-history", "/checkins/history/"),
        ("journal", "/journal/"),
        ("journal-patterns", "/journal/patterns/"),
        ("agreements", "/agreements/"),
        ("settings", "/settings/"),
        ("promises", "/promises/"),
        ("accessibility", "/accessibility/"),
    ]
    mine = _phone(browser, browser_context_args, asgi_server, alice)
    partner = _phone(browser, browser_context_args, asgi_server, bob)
    try:
        # Bob opens the live check-in too, so Alice's page is the live one.
        partner.new_page().goto(f"/checkins/{open_one}/live/")
        page = mine.new_page()
        problems = []
        for name, path in pages:
            page.goto(path)
            if name == "live-checkin":
                page.get_by_test_id("live-step").wait_for()
            assert page.evaluate("document.documentElement.dir") == "rtl", path
            shot(page, f"rtl-ar-{name}")
            if not no_horizontal_scroll(page):
                problems.append(f"{path}: scrolls sideways")
            for block in page.evaluate(STARTS_RIGHT):
                if block["dir"] != "rtl" or block["align"] in ("left", "-webkit-left"):
                    problems.append(f"{path}: {block['tag']} '{block['text']}' is {block['dir']}, {block['align']}")
                # Text starts at the right edge of its box (a few px of slack).
                elif block["boxRight"] - block["right"] > 4 and block["align"] not in ("center", "-webkit-center"):
                    problems.append(f"{path}: {block['tag']} '{block['text']}' does not start on the right")
            if page.locator("[data-testid=tabbar]").count():
                xs = page.locator("[data-testid=tabbar] a").evaluate_all(
                    "els => els.map((e) => e.getBoundingClientRect().left)"
                )
                if xs != sorted(xs, reverse=True):
                    problems.append(f"{path}: the tab bar is not mirrored ({xs})")
                # Each label stays inside its own tab (Arabic labels are longer).
                spill = page.locator("[data-testid=tabbar] a").evaluate_all(
                    "els => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.trim())"
                )
                if spill:
                    problems.append(f"{path}: tab labels run out of their tabs: {spill}")
            for svg in page.locator("svg.chart-svg").all():
                direction = svg.get_attribute("direction")
                if direction != "rtl":
                    problems.append(f"{path}: a chart drawn {direction}")
        assert not problems, "\n".join(problems)

        # The patterns chart: the oldest week's point is right of the newest.
        page.goto("/journal/patterns/")
        xs = page.locator("svg.chart-svg polyline").first.evaluate(
            "el => el.getAttribute('points').split(' ').map((p) => parseFloat(p))"
        )
        assert xs[0] >= xs[-1], f"time runs left to right in Arabic: {xs}"
    finally:
        mine.close()
        partner.close()


@pytest.mark.parametrize("language", ["de", "es"])
def test_main_pages_in_longer_languages_fit_a_small_phone(
    browser,
    browser_context_args,
    asgi_server,
    alice,
    lived_in,  # noqa: F811
    shot,
    language,
):
    """German and Spanish words run longer than English: on the narrowest
    phone Steady supports (360 px) no page scrolls sideways and no tab label
    runs out of its tab. Screenshots: test-artifacts/screenshots/{de,es}-*.png."""
    open_one = lived_in["open"].pk
    pages = [
        ("home", "/"),
        ("checkin", f"/checkins/{open_one}/"),
        ("checkin-history", "/checkins/history/"),
        ("journal", "/journal/"),
        ("agreements", "/agreements/"),
        ("promises", "/promises/"),
        ("notifications", "/notifications/"),
        ("settings", "/settings/"),
    ]
    context = _phone(browser, browser_context_args, asgi_server, alice, language)
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 360, "height": 780})
        problems = []
        for name, path in pages:
            page.goto(path)
            assert page.evaluate("document.documentElement.lang") == language, path
            shot(page, f"{language}-{name}")
            if not no_horizontal_scroll(page):
                wide = page.evaluate(
                    """() => [...document.querySelectorAll('body *')]
                        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                        .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 30)}"`)"""
                )
                problems.append(f"{path}: scrolls sideways ({wide})")
            spill = page.locator("[data-testid=tabbar] a").evaluate_all(
                "els => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent.trim())"
            )
            if spill:
                problems.append(f"{path}: tab labels run out of their tabs: {spill}")
            # A one-word label is not broken inside the word ("Tagebuc|h").
            broken = page.locator("[data-testid=tabbar] a").evaluate_all(
                """els => els.filter((e) => !/[\\s-]/.test(e.textContent.trim())).filter((e) => {
                    const range = document.createRange(); range.selectNodeContents(e);
                    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
                  }).map((e) => e.textContent.trim())"""
            )
            if broken:
                problems.append(f"{path}: a one-word tab label breaks inside the word: {broken}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
