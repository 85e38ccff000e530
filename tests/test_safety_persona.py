"""Bob tries to learn whether alice paused or answered the safety check
(issue #23, docs/safety.md "What the partner can see").

Bob, the UI-bound adversary of Freed et al. (CHI 2018), walks everything
he can reach with his own account — every API list and detail, every page,
his notifications, his export, the live check-in's snapshot and socket —
and, with alice's unlocked phone, everything of hers that is not the safety
page itself. Each walk runs before and after alice answers "no", pauses and
asks to be asked again; the answers must be identical once normalised.

To extend (the promise ledger, the reassurance ritual): a route with a new
path parameter needs an object in ``tests/test_isolation.py``'s ``world``
(the same fixture is used here); a new way in that is not a GET route or a
page goes into ``WALKERS`` as a function ``(ctx) -> dict``."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from safety import services as safety

from .conftest import client_for
from .test_isolation import world  # noqa: F401 - the fixture, shared on purpose

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC)
# Alice's own safety page and its API: hers to see, and only there.
ALICE_SAFETY = re.compile(r"^/(api/v1/me/safety/|safety/)")
# Pages whose GET is not a read of one's data.
SKIP_PAGES = re.compile(r"^/(admin/|accounts/|api/|metrics|sw\.js|manifest|\.well-known/)")


@pytest.fixture
def _frozen():
    # Asked first by ctx, so before the world is made: the world and each
    # walk see the same clock, so "3 hours ago" cannot differ between walks.
    with time_machine.travel(FROZEN, tick=False):
        yield


def _routes(prefix_ok):
    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield "/" + prefix + str(entry.pattern), entry

    for route, entry in walk(get_resolver()):
        if prefix_ok(route) and "(?P" not in route and not route.endswith("$"):
            yield route, entry


def _fill(route: str, ids: dict) -> str | None:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    if any(name not in ids for name in names):
        return None
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), route)


def api_get_routes() -> list[str]:
    found = []
    for route, entry in _routes(lambda r: r.startswith("/api/v1/")):
        view = getattr(entry.callback, "cls", None)
        if view is not None and hasattr(view, "get"):
            found.append(route)
    return found


def page_routes() -> list[str]:
    return [route for route, _entry in _routes(lambda r: not SKIP_PAGES.match(r))]


def _normalise_html(text: str) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', text)
    text = re.sub(r'(csrf[-_]?token["\']?\s*[:=]\s*["\'])[^"\']+', r"\1", text, flags=re.I)
    return re.sub(r'nonce="[^"]+"', 'nonce=""', text)


def _response(response) -> tuple:
    content_type = response.get("Content-Type", "")
    if "json" in content_type:
        body = json.dumps(response.json(), sort_keys=True, default=str)
    else:
        body = _normalise_html(response.content.decode(errors="replace"))
    return response.status_code, response.get("Location", ""), body


# --- the walkers ------------------------------------------------------------------------------


def bob_api(ctx) -> dict:
    """Every GET of the API, as bob (his lists, details, live snapshot,
    notifications, export, his own /me/)."""
    seen = {}
    for route in api_get_routes():
        url = _fill(route, ctx["ids"])
        if url is not None:
            seen[url] = _response(ctx["bob_api"].get(url))
    return seen


def bob_pages(ctx) -> dict:
    """Every page, as bob in his browser (home, notifications, check-ins …)."""
    seen = {}
    for route in page_routes():
        url = _fill(route, ctx["ids"])
        if url is not None:
            seen[url] = _response(ctx["bob_web"].get(url))
    return seen


def alice_api_unlocked(ctx) -> dict:
    """Alice's phone, unlocked, in bob's hands: every GET but the safety
    API itself (her export and notifications among them)."""
    seen = {}
    for route in api_get_routes():
        url = _fill(route, ctx["ids"])
        if url is not None and not ALICE_SAFETY.match(url):
            seen[url] = _response(ctx["alice_api"].get(url))
    return seen


def alice_pages_unlocked(ctx) -> dict:
    """Alice's pages but the safety pages and the home page (which shows
    her, and only her, a calm "reminders are resting" card while paused:
    see test_alices_own_home_says_nothing_of_safety)."""
    seen = {}
    for route in page_routes():
        url = _fill(route, ctx["ids"])
        if url is not None and not ALICE_SAFETY.match(url) and url != "/":
            seen[url] = _response(ctx["alice_web"].get(url))
    return seen


WALKERS = [bob_api, bob_pages, alice_api_unlocked, alice_pages_unlocked]


def alice_feels_unsafe_and_pauses(alice) -> None:
    safety.safety_answer(user=alice, feel_safe="no")
    safety.safety_ask_every(user=alice, every_weeks=2)
    safety.safety_pause(user=alice)


@pytest.fixture
def ctx(_frozen, world, alice, bob):  # noqa: F811 - the shared fixture
    bob_web, alice_web = Client(), Client()
    bob_web.force_login(bob)
    alice_web.force_login(alice)
    return {
        "ids": world,
        "bob_api": client_for(bob),
        "alice_api": client_for(alice),
        "bob_web": bob_web,
        "alice_web": alice_web,
    }


def _walk(ctx) -> dict:
    return {walker.__name__: walker(ctx) for walker in WALKERS}


def _diff(before: dict, after: dict) -> list[str]:
    out = []
    for walker, seen in before.items():
        for url, answer in seen.items():
            if after[walker].get(url) != answer:
                out.append(f"{walker} {url}")
    return out


def test_bob_learns_nothing_of_alices_answer_or_pause(ctx, alice):
    _walk(ctx)  # a first walk settles what a GET itself changes (an opened notification)
    before = _walk(ctx)
    assert len(before["bob_api"]) > 40 and len(before["bob_pages"]) > 20
    # Most of the walk reaches real objects, not only 404s.
    assert sum(answer[0] == 200 for answer in before["bob_api"].values()) > 30
    assert sum(answer[0] == 200 for answer in before["bob_pages"].values()) > 20
    alice_feels_unsafe_and_pauses(alice)
    after = _walk(ctx)
    assert _diff(before, after) == []


def test_the_walk_notices_a_difference(ctx, bob):
    """The walk is not blind: bob's own pause changes bob's own home page."""
    before = bob_pages(ctx)
    safety.safety_pause(user=bob)
    assert before["/"] != bob_pages(ctx)["/"]


def test_alices_own_home_says_nothing_of_safety(ctx, alice):
    alice_feels_unsafe_and_pauses(alice)
    page = ctx["alice_web"].get("/").content.decode().lower()
    card = page[page.index('data-testid="safety-paused-card">') + len('data-testid="safety-paused-card">') :]
    # What is on the screen: the text, not the markup.
    card = re.sub(r"<[^>]+>", " ", card[: card.index("</section>")])
    assert "reminders are resting" in card
    for word in ("safe", "pause", "help", "abuse", "danger"):
        assert word not in card


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bobs_live_socket_hears_nothing_of_it(couple, alice, bob, settings, tmp_path):
    """Bob in a live check-in: nothing arrives on his socket when alice
    answers, pauses or resumes, and what he hears on joining is the same."""
    from channels.db import database_sync_to_async

    from checkins.models import Format
    from checkins.services import checkin_start

    from .test_live import bearer, run, socket, until

    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    checkin = checkin_start(couple=couple, user=bob, format=Format.objects.get(key="daily-pulse"))
    headers = bearer(bob)

    async def joined():
        comm = socket(checkin, headers)
        assert (await comm.connect())[0]
        heard = [(await until(comm, lambda m: m["type"] == "hello"))[0]]
        while not await comm.receive_nothing(timeout=1):
            heard.append(await comm.receive_json_from())
        return comm, heard

    async def scenario():
        comm, first = await joined()
        await database_sync_to_async(alice_feels_unsafe_and_pauses)(alice)
        assert await comm.receive_nothing(timeout=1)
        await database_sync_to_async(safety.safety_resume)(user=alice)
        assert await comm.receive_nothing(timeout=1)
        await comm.disconnect()
        await database_sync_to_async(safety.safety_pause)(user=alice)
        again, second = await joined()
        await again.disconnect()
        return first, second

    first, second = run(scenario)
    assert first == second


class _Rollback(Exception):
    pass


def _then_undo(ctx, change) -> dict:
    """Applies ``change``, walks, and undoes it all (a savepoint): two
    worlds from the same start."""
    from django.db import transaction

    seen = {}
    try:
        with transaction.atomic():
            change()
            seen.update(_walk(ctx))
            raise _Rollback
    except _Rollback:
        pass
    return seen


def test_bob_sees_the_same_as_if_alice_had_simply_not_answered(ctx, alice, bob):
    """A day passes with reminders due for both. In one world alice paused
    before; in the other she simply did nothing. Bob's side is the same."""
    from reminders.dispatch import dispatch_tick

    for user in (alice, bob):
        user.quiet_hours_start = user.quiet_hours_end = None
        user.save()
    _walk(ctx)  # settle what a GET itself changes
    a_day_later = FROZEN + dt.timedelta(hours=25)

    def the_day(*, paused: bool):
        def run():
            if paused:
                safety.safety_pause(user=alice)
            with time_machine.travel(a_day_later, tick=False):
                dispatch_tick()

        return run

    with time_machine.travel(a_day_later, tick=False):
        quiet = _then_undo(ctx, the_day(paused=False))
        paused = _then_undo(ctx, the_day(paused=True))
    # The pause did something: alice's own reminders stopped ...
    mine = "/api/v1/notifications/"
    assert quiet["alice_api_unlocked"][mine] != paused["alice_api_unlocked"][mine]
    # ... and bob's side did not move.
    bobs = ("bob_api", "bob_pages")
    assert _diff(_without_new_ids(quiet, bobs), _without_new_ids(paused, bobs)) == []


def _without_new_ids(seen: dict, walkers) -> dict:
    """Rows made inside a savepoint take new ids from the sequences (which
    a rollback does not rewind): the two worlds' notifications and today's
    question differ only by their numbers."""

    def plain(answer):
        status, location, body = answer
        body = re.sub(r'"id": \d+', '"id": 0', body)
        body = re.sub(r"/(notifications|daily|daily-question)/\d+/", r"/\1/0/", body)
        body = re.sub(r'(name="question"|data-question-id=)"?\d+', r"\1 0", body)
        return status, location, body

    return {k: {url: plain(answer) for url, answer in seen[k].items()} for k in walkers}
