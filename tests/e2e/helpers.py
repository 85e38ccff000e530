"""Helpers for e2e tests; the conftest exposes them as fixtures too."""

import re

from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, address_confirm


def login(page: Page, live_server, email: str, password: str = PASSWORD) -> Page:
    """Signs in through the real log-in page, as a person whose address is
    confirmed (web sign-in asks for that); ends wherever the app sends a
    signed-in person (home, or the pair page when unpaired)."""
    from accounts.models import User

    address_confirm(User.objects.get(email=email))
    base = getattr(live_server, "url", live_server)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("[data-testid=signed-in]")).to_be_attached()
    return page


def confirm_email(page: Page, email: str) -> Page:
    """After a web sign-up: the "check your email" page, then the emailed
    link opened on the same phone and confirmed, which signs the person in."""
    from .conftest import SCREENSHOTS

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "account-check-your-email.png"), full_page=True)
    message = [m for m in mail.outbox if m.to == [email]][-1]
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(path)
    page.screenshot(path=str(SCREENSHOTS / "account-confirm-email.png"), full_page=True)
    page.get_by_role("button", name="Confirm").click()
    return page


def sign_in_with_cookie(page: Page, base_url: str, user) -> None:
    """Signs ``user`` in on this page's context with a session cookie made
    by Django's test client: no form, so it is fast and not rate-limited."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}])


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def small_targets(page: Page, minimum: float = 44) -> list[str]:
    """Visible buttons and links in <main> shorter than ``minimum`` CSS px
    (described so a failure says which)."""
    return page.evaluate(
        """(minimum) => [...document.querySelectorAll('main a[href], main button, main [role=button], main summary')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.height < minimum)
            .map(([el, r]) => `${el.tagName.toLowerCase()} "${el.textContent.trim()}" ${r.width}x${r.height}`)""",
        minimum,
    )


_CONTRAST_JS = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const problems = [];
  for (const el of document.body.querySelectorAll("*")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest(".visually-hidden, [hidden], script, style") || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color).slice(0, 3);
    const bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}" ${ratio.toFixed(2)}`);
    }
  }
  return problems;
}"""


def low_contrast_text(page: Page) -> list[str]:
    """Text on the page below WCAG AA contrast against its background."""
    return page.evaluate(_CONTRAST_JS)


def live_text_steps(a, b, steps) -> None:
    """Two phones in a live check-in go through text steps together:
    ``steps`` is ``[(alice_text, bob_text, "Step N of M"), ...]``. Each text
    stays hidden from the other phone until both have shared, then both
    see both; both press ready."""
    for text_a, text_b, step_label in steps:
        a.get_by_text(step_label).wait_for()
        b.get_by_text(step_label).wait_for()
        a.get_by_test_id("live-text").fill(text_a)
        a.get_by_test_id("live-share").click()
        a.get_by_test_id("live-waiting").wait_for()
        assert text_a not in b.content()
        b.get_by_test_id("live-text").fill(text_b)
        b.get_by_test_id("live-share").click()
        a.get_by_text(text_b).wait_for()
        b.get_by_text(text_a).wait_for()
        a.get_by_test_id("live-ready").click()
        b.get_by_test_id("live-ready").click()
