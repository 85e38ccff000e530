"""Therapist web sessions end after a short idle time.

A therapist's browser shows couples' data; a laptop left open between
appointments must not keep showing it. Partners are not affected (their
sessions stay long: the product is used a few minutes a day on a phone).

The last activity is kept in the session itself (written at most once a
minute), so the check costs no extra query. Goes after
``AuthenticationMiddleware`` (and allauth's) in ``MIDDLEWARE``.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from .access import IDLE, TOUCH_EVERY

SESSION_KEY = "steady_therapist_active_at"
TIMED_OUT = gettext_noop(
    "You were signed out after 15 minutes without activity. This keeps what couples share with you safe."
)


class TherapistIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        return response if response is not None else self.get_response(request)

    def _check(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        # Only a session that carries a signed-in user (an API request with
        # a token and no cookie has no session user and is checked by
        # therapists.access instead).
        if session is None or user is None or not session.get("_auth_user_id"):
            return None
        if not user.is_authenticated or not user.is_therapist:
            return None
        now = time.time()
        last = session.get(SESSION_KEY)
        if last is not None and now - last > IDLE.total_seconds():
            logout(request)
            if request.path.startswith("/api/"):
                return None  # now anonymous: the API answers 401
            messages.info(request, gettext(TIMED_OUT))
            login_url = reverse("account_login")
            if request.method == "GET":
                login_url += "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(login_url)
        if last is None or now - last >= TOUCH_EVERY.total_seconds():
            session[SESSION_KEY] = now
        return None
