"""Real-browser tests: headless Chromium (Playwright) against pytest-django's
``live_server``, sized like a phone.

Fixtures and helpers here are meant to be reused by every feature's e2e
tests:

- ``new_phone(**overrides)`` opens a fresh browser context (its own cookies,
  like a second person's phone) and returns its page. Call it twice for two
  partners at once.
- ``phone_for(user)`` is ``new_phone`` already signed in as ``user`` (a
  session cookie, no trip through the log-in page): the quick way to start a
  test from a signed-in state.
- ``login(page, live_server, email, password)`` signs in through the real
  log-in page (see ``helpers.py``; also importable from there).
- ``shot(page, name)`` saves a full-page screenshot under
  ``test-artifacts/screenshots/``.
- ``asgi_server`` serves the real ASGI application (HTTP and websockets)
  with uvicorn in a thread and yields its base URL: for tests that need
  websockets, which ``live_server`` (WSGI only) cannot serve. Mark such
  tests ``postgres`` (see ``test_live_flow.py``).

``live_server`` runs in another thread on a transactional database: create
data inside the test (the ``alice``/``bob``/``couple`` fixtures work), never
rely on a surrounding transaction.
"""

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from django.conf import settings

from .helpers import login as _login
from .helpers import sign_in_with_cookie

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is fine (it is: the
# loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = Path(os.environ.get("STEADY_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"

PHONE_WIDTH, PHONE_HEIGHT = 390, 844
DEFAULT_TIMEZONE = "Europe/Berlin"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config):
    # pytest-base-url (pulled in by pytest-playwright) still defines its
    # session fixture the deprecated way; nothing to do about it here.
    config.addinivalue_line("filterwarnings", "ignore:Session-scoped fixtures defined as instance methods")


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is ``e2e``. Tests that drive the browser skip
    when Chromium is missing, except under CI=true, where they fail (see
    ``browser_type_launch_args``)."""
    skip = pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (set STEADY_CHROMIUM)")
    for item in items:
        if HERE not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if "browser" in getattr(item, "fixturenames", ()) and not CHROMIUM.exists() and not IN_CI:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}; e2e tests cannot run under CI=true")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": PHONE_WIDTH, "height": PHONE_HEIGHT},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "timezone_id": DEFAULT_TIMEZONE,
        "locale": "en-GB",
    }


@pytest.fixture
def new_phone(browser, browser_context_args, live_server):
    """A factory: each call is another phone (a separate browser context with
    its own cookies) and returns its page, with ``base_url`` set to the live
    server so ``page.goto("/pair/")`` works. Keyword arguments override the
    context options (``timezone_id``, ``color_scheme``, ``viewport``...);
    ``width=360`` is a shortcut for a narrower phone. Contexts close at the
    end of the test."""
    contexts = []

    def _new_phone(*, width: int | None = None, **overrides):
        if width is not None:
            overrides["viewport"] = {"width": width, "height": PHONE_HEIGHT}
        options = {**browser_context_args, "base_url": live_server.url, **overrides}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_phone
    for context in contexts:
        context.close()


@pytest.fixture
def phone_for(new_phone, live_server):
    """``phone_for(user, **overrides)``: a new phone already signed in as
    ``user``, on the home page."""

    def _phone_for(user, *, path: str = "/", **overrides):
        page = new_phone(**overrides)
        sign_in_with_cookie(page, live_server.url, user)
        page.goto(path)
        return page

    return _phone_for


@pytest.fixture
def login():
    """``login(page, live_server, email, password)`` through the real log-in page."""
    return _login


@pytest.fixture
def shot():
    """``shot(page, name)`` saves ``test-artifacts/screenshots/<name>.png``
    (full page) and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        return path

    return _shot


@pytest.fixture
def asgi_server(transactional_db):
    """The real ASGI application (HTTP and websockets) served by uvicorn in a
    thread, on the test database; yields its base URL."""
    from channels.layers import channel_layers
    from django.db import connections

    from backend.asgi import application

    # Each server runs its own event loop; channels-redis binds its locks to
    # the loop that first used the layer, so every server gets a fresh one
    # ("Lock ... is bound to a different event loop" otherwise).
    channel_layers.backends.clear()
    # The server's worker threads each open their own connection; with
    # CONN_MAX_AGE they would keep them open after the test (and the test
    # database could not be dropped). Closed after each request instead.
    db_settings = connections["default"].settings_dict
    conn_max_age = db_settings.get("CONN_MAX_AGE")
    db_settings["CONN_MAX_AGE"] = 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        else:
            pytest.fail("uvicorn did not start within 10 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db_settings["CONN_MAX_AGE"] = conn_max_age
        channel_layers.backends.clear()
