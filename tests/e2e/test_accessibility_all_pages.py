"""Every page at WCAG 2.2 AA, in English and in Arabic (right to left).

The pages come from the URL resolver, not from a hand-kept list: each web
route is filled with an object of a lived-in couple (the isolation test's
``world``) and asked for as the person it belongs to (a partner, a
therapist, a former partner, or nobody signed in). Every answer that is an
HTML page is checked with axe-core, with the WCAG tags only (``wcag2a``,
``wcag2aa``, ``wcag21a``, ``wcag21aa``, ``wcag22aa``) and every impact, in
a phone-sized Chromium whose language is English, then Arabic (the browser's
``Accept-Language`` and the ``django_language`` cookie, so LocaleMiddleware
serves the page ``dir="rtl"``). A route that is not a page must say why
(``NOT_PAGES``): a new route that answers 404 or 500 fails here, so a new
page cannot slip past the check.

One browser context per person and language; sign-ins are session cookies.
docs/accessibility.md says how to read a failure.
"""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from checkins.formats import builtin_formats_sync
from checkins.models import Format
from couples.services import couple_leave
from gratitude import services as gratitude
from tests.factories import PASSWORD, UserFactory, make_couple
from tests.test_isolation import world  # noqa: F401 - one of everything in alice and bob's couple
from tests.test_therapists_support import give_totp

from .helpers import sign_in_with_cookie
from .test_accessibility import AXE, IN_CI

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) => ({
      target: n.target.join(" "),
      html: n.html.slice(0, 160),
      why: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 240),
    })),
  }));
}"""

# Routes outside the walk, and why. Everything else must be a page.
SKIPPED_PREFIXES = {
    "api/": "the JSON API (tests/test_health_schema.py, the OpenAPI schema)",
    "admin/": "Django's admin, for staff only",
}
NOT_PAGES = {
    "metrics": "Prometheus text, behind a token",
    "manifest.webmanifest": "the PWA manifest (JSON; tests/e2e/test_pwa.py)",
    "sw.js": "the service worker",
    "jsi18n/": "the JavaScript translation catalog (tests/test_i18n.py)",
    "settings/export/": "a JSON download of your data",
    "accounts/2fa/recovery-codes/download/": "a text download",
    "therapist/couples/<int:couple_id>/session-dates/<int:session_id>/remove/": "a POST action on a session date",
}
# Pages that answer with an error status on purpose (the HTML is still checked).
STATUS = {"account/restore/<str:token>/": 400}
# A parameter whose object has another name in the world.
ROUTE_IDS = {"timeout/<int:period_id>/": {"period_id": "timeout_id"}}
# Pages only someone signed out sees (signed in, they redirect home).
SIGNED_OUT = (
    "accounts/login/",
    "accounts/signup/",
    "accounts/password/reset/",
    "accounts/password/reset/done/",
    "accounts/password/reset/key/",
    "accounts/confirm-email/",
    "accounts/inactive/",
    "accounts/login/code/confirm/",
    "account-deleted/",
    "account-erased/",
    "account/restore/",
    "accessibility/",
    "offline/",
    "therapists/join/",
)
# Who each route belongs to, by prefix (default: alice, a partner).
PERSONAS = (
    ("therapist/", "therapist"),
    ("accounts/2fa/", "therapist"),  # the one with an authenticator app
    ("couple/ended/", "former"),
)
# Parameters that name no database object: something well formed.
PLACEHOLDERS = {"key": "abc-def", "uidb36": "1", "token": "not-a-real-token", "action": "done"}


def web_routes():
    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry

    for route, _entry in walk(get_resolver()):
        if not route.startswith(tuple(SKIPPED_PREFIXES)):
            yield route


def to_path(route: str, ids: dict) -> str:
    """A route from the resolver as a path: ``agreements/<int:agreement_id>/``
    with the world's agreement; allauth's regex routes with placeholders."""
    path = re.sub(r"^\^|\$$", "", route.replace("/^", "/").replace("/$", "/"))
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: f"<{m.group(1)}>", path)

    def sub(match):
        name = match.group(1)
        if name in PLACEHOLDERS:
            return PLACEHOLDERS[name]
        assert name in ids, f"{route}: give <{name}> an object in the accessibility walk"
        return str(ids[ROUTE_IDS.get(route, {}).get(name, name)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", sub, path)


def persona_for(route: str) -> str:
    if route.startswith(SIGNED_OUT):
        return "nobody"
    for prefix, who in PERSONAS:
        if route.startswith(prefix):
            return who
    return "alice"


@pytest.fixture
def formats(transactional_db):
    builtin_formats_sync(Format)


@pytest.fixture
def everyone(formats, world, alice):  # noqa: F811 - the fixture imported above
    """The world, plus the therapist whose grant is active (tina, the
    summary pages) and a couple that has ended (the former partner's pages)."""
    from therapists.models import Grant

    ids = dict(world)
    therapist = Grant.objects.active(timezone.now()).get(couple_id=ids["couple_id"]).therapist
    give_totp(therapist)
    RecoveryCodes.activate(therapist)
    former, other = UserFactory(display_name="Remy"), UserFactory(display_name="Noor")
    ended = make_couple(former, other)
    gratitude.note_send(couple=ended, author=other, text="For the history page")
    couple_leave(user=other, password=PASSWORD)
    people = {"alice": alice, "therapist": therapist, "former": former, "nobody": None}
    ids_for = {who: ids for who in people} | {"former": {**ids, "couple_id": ended.pk}}
    return people, ids_for


def probe(people, ids_for) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """(person, route, path) of every HTML page, and what every other route
    answered. With Django's test client: fast, and the same database."""
    pages, others = [], {}
    clients = {}
    for who, user in people.items():
        clients[who] = Client(raise_request_exception=False)
        if user is not None:
            clients[who].force_login(user)
    for route in web_routes():
        if route in NOT_PAGES:
            continue
        who = persona_for(route)
        path = to_path(route, ids_for[who])
        response = clients[who].get(path)
        kind = response.get("Content-Type", "")
        if response.status_code == STATUS.get(route, 200) and kind.startswith("text/html"):
            pages.append((who, route, path))
        elif response.status_code in (301, 302, 303):
            others[route] = f"redirects to {response['Location']}"
        elif response.status_code == 405:
            others[route] = "POST only"
        else:
            others[route] = f"{response.status_code} {kind}"
    return pages, others


def report(found: dict[str, list], language: str) -> str:
    lines = [f"WCAG 2.2 AA problems ({language}):"]
    for page, violations in found.items():
        lines.append(f"\n== {page}")
        for v in violations:
            lines.append(f"  [{v['impact']}] {v['id']}: {v['help']}")
            for node in v["nodes"]:
                lines.append(f"      at {node['target']}")
                lines.extend(f"        {text}" for text in (node["html"], node["why"]) if text)
    return "\n".join(lines)


@pytest.fixture
def axe_source():
    if not AXE.exists():
        message = f"axe-core is not installed ({AXE}): run `npm ci --no-audit --no-fund`"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_meets_wcag_22_aa(browser, browser_context_args, live_server, axe_source, everyone, language):
    people, ids_for = everyone
    pages, others = probe(people, ids_for)

    # Nothing answers 404 or 500: such a route is a page the walk cannot reach.
    broken = {route: answer for route, answer in others.items() if not answer.startswith(("redirects", "POST"))}
    assert not broken, f"routes the walk cannot open (fill their parameters, or list them in NOT_PAGES): {broken}"
    assert len(pages) >= 60, f"only {len(pages)} pages found: {pages}"

    contexts, found, rtl = {}, {}, []
    locale = "ar" if language == "ar" else "en-GB"
    try:
        for who, route, path in pages:
            if who not in contexts:
                context = browser.new_context(**{**browser_context_args, "base_url": live_server.url, "locale": locale})
                context.set_default_timeout(10_000)
                context.add_cookies(
                    [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
                )
                page = context.new_page()
                page.add_init_script(axe_source)
                if people[who] is not None:
                    sign_in_with_cookie(page, live_server.url, people[who])
                contexts[who] = (context, page)
            page = contexts[who][1]
            response = page.goto(path)
            assert response is not None and response.status == STATUS.get(route, 200), f"{path} as {who}"
            if page.evaluate("typeof axe") != "object":
                continue  # redirected to a non-HTML answer
            rtl.append(page.evaluate("document.documentElement.dir"))
            if violations := page.evaluate(RUN_AXE, WCAG_22_AA):
                found[f"{route} as {who} ({page.url.removeprefix(live_server.url)})"] = violations
    finally:
        for context, _ in contexts.values():
            context.close()

    assert set(rtl) == {"rtl" if language == "ar" else "ltr"}, f"page directions: {set(rtl)}"
    assert not found, report(found, language)


def test_every_route_is_walked_or_explained():
    """The walk's own rules name real routes (a renamed route must not leave
    a stale exception behind)."""
    routes = set(web_routes())
    assert set(NOT_PAGES) <= routes, set(NOT_PAGES) - routes
    for prefix in SIGNED_OUT:
        assert any(r.startswith(prefix) or r.replace("^", "").startswith(prefix) for r in routes), prefix
