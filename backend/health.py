"""Health: liveness, readiness, and the combined view.

- ``/api/v1/health/live/``: the process answers. No dependency is checked:
  a database or Redis outage must not make an orchestrator restart every
  web process at once (they would come back to the same outage).
- ``/api/v1/health/ready/``: this process can serve now: PostgreSQL, Redis
  (cache and channel layer) and the broker answer. 503 takes it out of the
  load balancer until they do.
- ``/api/v1/health/``: the same checks as readiness (kept for `make run`,
  compose and the bench, which wait on it).
"""

import os

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _broker_state() -> str:
    if settings.CELERY_BROKER_IS_EMBEDDED:
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        return "embedded" if os.access(folder, os.W_OK) else "error"
    from backend.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        return "error"


def _redis_state() -> str:
    """The cache's and the channel layer's Redis ("embedded" without one:
    the local-memory cache and the in-memory channel layer)."""
    if not settings.REDIS_URL:
        return "embedded"
    import redis

    try:
        for url in {settings.REDIS_URL, settings.CHANNELS_REDIS_URL}:
            with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
                client.ping()
        return "ok"
    except Exception:
        return "error"


def _checks() -> tuple[bool, dict]:
    body = {"database": "ok" if _database_ok() else "error", "redis": _redis_state(), "broker": _broker_state()}
    healthy = body["database"] == "ok" and body["redis"] in ("ok", "embedded") and body["broker"] in ("ok", "embedded")
    return healthy, {"status": "ok" if healthy else "error", **body}


_STATE = {
    "status": serializers.CharField(),
    "database": serializers.CharField(),
    "redis": serializers.CharField(),
    "broker": serializers.CharField(),
}


class _Open(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


class HealthApi(_Open):
    @extend_schema(
        auth=[],
        responses={200: inline_serializer("Health", _STATE), 503: inline_serializer("HealthDown", _STATE)},
    )
    def get(self, request):
        healthy, body = _checks()
        return Response(body, status=200 if healthy else 503)


class ReadyApi(_Open):
    @extend_schema(
        auth=[],
        responses={200: inline_serializer("Ready", _STATE), 503: inline_serializer("NotReady", _STATE)},
    )
    def get(self, request):
        healthy, body = _checks()
        return Response(body, status=200 if healthy else 503)


class LiveApi(_Open):
    @extend_schema(auth=[], responses={200: inline_serializer("Live", {"status": serializers.CharField()})})
    def get(self, request):
        return Response({"status": "ok"})
