"""A request served through Steady's ASGI application is freed by reference
counting as it ends: nothing of it waits for the cyclic garbage collector
(``backend.handler``, issue #16).

Django and DRF leave each request in reference cycles (the request and its
lazy user and messages, a DRF view with its Request and Response, a
``many=True`` serializer and its child, the handler's frame kept by the
disconnect listener's exception). Under load those objects, a whole page of
rows among them, reached the oldest generation and brought on full
collections of 150 ms every second or so. These tests serve requests
through ``backend.asgi.application`` as uvicorn does (the disconnect comes
once the response is sent) and look at what the collector finds."""

import asyncio
import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase
from django.views import View
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

from backend import handler
from backend.asgi import application
from journal import services as journal
from journal.models import Kind

from .test_live import bearer, cookie, run

pytestmark = pytest.mark.django_db(transaction=True)

# What a request must never leave to the collector: the request (Django's
# and DRF's), the view, the response, a serializer, a row.
REQUEST_OBJECTS = (HttpRequest, Request, View, HttpResponseBase, BaseSerializer, BaseForm, Model, AnonymousUser)
ROOT = Path(__file__).resolve().parent.parent


async def _serve(path: str, headers: list) -> tuple[int, bytes]:
    """One GET through the application, as uvicorn serves it: the body,
    then a disconnect once the response's last byte is sent."""
    sent: list = []
    finished = asyncio.Event()
    body_given = False

    async def receive():
        nonlocal body_given
        if not body_given:
            body_given = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            finished.set()

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    await application(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def _left_for_the_collector(path: str, headers: list, *, times: int = 3) -> list:
    """The objects of a request (served ``times`` times) that only the
    cyclic collector would have freed."""
    statuses = []

    async def scenario():
        await _serve(path, headers)  # the first request loads what is loaded once
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for _ in range(times):
                statuses.append((await _serve(path, headers))[0])
            gc.collect()
        finally:
            gc.set_debug(0)

    gc.disable()
    try:
        run(scenario)
        left = [obj for obj in gc.garbage if issubclass(type(obj), REQUEST_OBJECTS)]  # type(): lazy objects stay unset
    finally:
        gc.garbage.clear()
        gc.enable()
    assert statuses == [statuses[0]] * times
    return left, statuses[0]


def _names(objects: list) -> list[str]:
    return sorted({type(obj).__qualname__ for obj in objects})


@pytest.fixture
def entries(couple, alice, bob):
    for i in range(12):
        journal.entry_create(author=alice, kind=Kind.ENTRY, text=f"Day {i}.", mood=3, tags=["walk"])
    shared = journal.entry_create(author=bob, kind=Kind.ENTRY, text="Bob's day.", mood=3)
    journal.entry_share(entry=shared, author=bob)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/journal/",  # a page of rows: a many=True serializer, a paginator
        "/api/v1/journal/shared/",
        "/api/v1/checkins/",
        "/api/v1/me/",  # one object
        "/api/v1/journal/999999/",  # a 404 from a view
        "/api/v1/journal/?kind=nonsense",  # a 400 with field errors
    ],
)
def test_an_api_request_leaves_nothing_for_the_collector(entries, alice, path):
    left, status = _left_for_the_collector(path, bearer(alice))
    assert status in (200, 400, 404)
    assert _names(left) == []


def test_without_the_handler_a_page_was_left_for_the_collector(entries, alice, monkeypatch):
    # What the handler changes: Django's own behaviour leaves the request,
    # the view and every row of the page.
    monkeypatch.setattr(handler, "release", lambda request, response: None)
    monkeypatch.setattr(handler.ASGIHandler, "listen_for_disconnect", handler.DjangoASGIHandler.listen_for_disconnect)
    left, status = _left_for_the_collector("/api/v1/journal/", bearer(alice))
    assert status == 200
    assert {"ASGIRequest", "Request", "JournalListApi", "Entry", "ListSerializer"} <= set(_names(left))


@pytest.mark.parametrize("path", ["/", "/journal/", "/checkins/"])
def test_a_web_page_leaves_nothing_for_the_collector(entries, alice, path):
    left, status = _left_for_the_collector(path, cookie(alice))
    assert status == 200
    assert _names(left) == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_a_page_with_a_form_leaves_nothing_for_the_collector(db, path):
    # allauth's class-based views, with their forms.
    left, status = _left_for_the_collector(path, [])
    assert status == 200
    assert _names(left) == []


def test_an_anonymous_request_leaves_nothing_for_the_collector(db):
    left, status = _left_for_the_collector("/api/v1/journal/", [])
    assert status == 401
    assert _names(left) == []


def test_the_web_process_freezes_what_start_up_made_and_collects_young_objects_less_often():
    # backend.heap.settle, run when backend.asgi is imported, as uvicorn does;
    # the test suite turns it off for itself (tests/conftest.py).
    check = (
        "import gc, backend.asgi, backend.heap as heap; "
        "print(gc.get_freeze_count(), gc.get_threshold()[0] == heap.YOUNG_THRESHOLD)"
    )
    env = {**os.environ, "STEADY_GC_SETTLE": "1"}
    out = subprocess.run([sys.executable, "-c", check], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    frozen, young = out.stdout.split()
    assert int(frozen) > 10_000 and young == "True"

    env["STEADY_GC_SETTLE"] = "0"
    out = subprocess.run([sys.executable, "-c", check], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"]
