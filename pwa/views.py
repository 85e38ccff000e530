"""The installable app: the web app manifest, the service worker (served
from the site root so its scope is the whole site) and the offline page.

None of these hold anything of who asks: the offline page is the only page
the service worker ever stores, so it is rendered without the request (no
user, no messages, no couple) and cannot hold anyone's data. The manifest
is in the request's language (and says so with lang and dir).
"""

import hashlib
import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

NAME = "Steady"
# Shown in the request's language (the manifest view); the same words as
# base.html's meta description.
DESCRIPTION = gettext_lazy("Check-ins, notes of appreciation, agreements and kept promises, for the two of you.")
# From the design system (static/css/steady.css): the top bar's surface and
# the page background.
THEME_COLOR = "#ffffff"
BACKGROUND_COLOR = "#f6f4ef"

# The app shell, stored when the service worker installs. Every other file
# under STATIC_URL is stored the first time a page uses it.
SHELL = [
    "css/steady.css",
    "js/steady.js",
    "js/safety.js",
    "img/steady.svg",
    "img/icons/icon-192.png",
    "img/icons/badge-96.png",
]


def _icons() -> list[dict]:
    return [
        {"src": static("img/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": static("img/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        {"src": static("img/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        {
            "src": static("img/icons/icon-maskable-192.png"),
            "sizes": "192x192",
            "type": "image/png",
            "purpose": "maskable",
        },
        {
            "src": static("img/icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]


@require_GET
def manifest(request):
    """In the request's language (a signed-in person's own, else the cookie
    or Accept-Language: accounts.language), with its lang and dir; the name
    is the brand, the same in every language unless a catalog says
    otherwise."""
    language = translation.get_language()
    data = {
        "id": "/",
        "name": pgettext("app name", NAME),
        "short_name": pgettext("app name", NAME),
        "description": str(DESCRIPTION),
        "lang": language,
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "categories": ["lifestyle", "health"],
        "icons": _icons(),
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    # Private: it depends on who asks (their language), as Vary says.
    response["Cache-Control"] = "private, max-age=3600"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def offline_html() -> str:
    # No request, so no context processors: nothing about whoever fetched it.
    return render_to_string("pwa/offline.html")


@require_GET
def offline(request):
    response = HttpResponse(offline_html())
    response["Cache-Control"] = "no-cache"
    return response


# path -> (mtime_ns, size, sha256) so a changed file is hashed again without
# hashing every unchanged one on every request.
_digests: dict[str, tuple[int, int, str]] = {}


def _file_digest(path: str) -> str:
    stat = Path(path).stat()
    known = _digests.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    _digests[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def _static_fingerprint() -> str:
    """Changes whenever any static file's content does. Static URLs carry no
    hash here, so this is what moves a phone from its stored copies to new
    ones: a new fingerprint is a new service worker and a new cache."""
    h = hashlib.sha256()
    seen = set()
    for finder in finders.get_finders():
        for relative, storage in finder.list([]):
            if relative in seen:  # the first finder wins, as when serving
                continue
            seen.add(relative)
            h.update(relative.encode())
            h.update(_file_digest(storage.path(relative)).encode())
    return h.hexdigest()


def _version(body: str) -> str:
    h = hashlib.sha256()
    for part in (_static_fingerprint(), offline_html(), body):
        h.update(part.encode())
    return h.hexdigest()[:16]


@require_GET
def service_worker(request):
    config = {
        "offlineUrl": reverse("pwa-offline"),
        "staticUrl": static(""),
        "shell": [static(path) for path in SHELL],
        "icon": static("img/icons/icon-192.png"),
        "badge": static("img/icons/badge-96.png"),
    }
    body = render_to_string("pwa/sw.js", {"config": json.dumps(config, indent=2)})
    script = f'const VERSION = "{_version(body)}";\n{body}'
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    # Its scope is the whole site, and a phone must see a new one at once.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
