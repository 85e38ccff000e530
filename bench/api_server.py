"""The server bench/api.py runs: Steady's ASGI application, unchanged,
plus two HTTP routes only the bench has.

- /bench/baseline/: a DRF APIView with the project's default
  authentication and permission classes (knox Bearer token, then the
  session), that makes one indexed query (the caller's user row by primary
  key) and returns a JsonResponse.
- /bench/baseline-anon/: the same query and response, without
  authentication (the row of ``?user=<pk>``).

Both go through a handler of their own, Steady's (``backend.handler``: each
request's cycles broken once it is sent), with the same middleware, the
same request signals (so the same database connection handling), the same
thread per request and the same garbage collector settings
(``backend.heap``) as every Steady page and endpoint: only the URL
configuration differs. (A JsonResponse carries no link back to its DRF
view, so the baselines' view, with its DRF Request, still waits for the
collector: about 20 small objects a request, which only slows the
baseline.) The authenticated one is the floor for any list
endpoint; bench/api.py divides each endpoint's throughput by it, measured
in the same run on the same server process.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup(set_prefix=False)  # DRF's views read the settings when imported

from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from accounts.models import User  # noqa: E402
from backend.asgi import application as steady  # noqa: E402
from backend.handler import ASGIHandler  # noqa: E402


def _user_row(pk) -> dict:
    return User.objects.filter(pk=pk).values("id", "email", "display_name").first() or {}


class Baseline(APIView):
    def get(self, request):
        return JsonResponse(_user_row(request.user.pk))


class BaselineAnon(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        return JsonResponse(_user_row(request.GET.get("user") or 0))


urlpatterns = [
    path("bench/baseline/", Baseline.as_view()),
    path("bench/baseline-anon/", BaselineAnon.as_view()),
]


class _BenchHandler(ASGIHandler):
    def create_request(self, scope, body_file):
        request, error = super().create_request(scope, body_file)
        if request is not None:
            request.urlconf = __name__
        return request, error


bench_http = _BenchHandler()


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"].startswith("/bench/"):
        return await bench_http(scope, receive, send)
    return await steady(scope, receive, send)
