"""Seeing Steady run (issue #24): a request id on every request, log line
and task; JSON logs in production; Prometheus metrics behind a bearer
secret; Sentry when SENTRY_DSN is set. None of them ever carries private
text: log lines hold the message a developer wrote (never a request body),
metrics are labelled by view, task and kind only, and Sentry events leave
with no request body, cookies, headers or local variables
(tests/test_observability.py writes a journal entry and a note and greps
everything).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import os
import re
import time
import traceback
import uuid

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils.crypto import constant_time_compare

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("steady_request_id", default="-")
# What a proxy or a client may hand us as a request id; anything else is
# replaced (a header is attacker-chosen text that lands in every log line).
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
access_log = logging.getLogger("steady.request")


def request_id_from(header: str | None) -> str:
    return header if header and _VALID_ID.fullmatch(header) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID (nginx, the ingress) or makes one,
    keeps it for the log lines and tasks of this request, returns it in the
    response, and writes one access line (method, path without the query
    string, status, duration)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id_from(request.headers.get("X-Request-ID"))
        request.request_id = rid
        token = REQUEST_ID.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "http": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    }
                },
            )
            return response
        finally:
            REQUEST_ID.reset(token)


class InternalEndpointsMiddleware:
    """Liveness, readiness and /metrics, answered before the host check
    (ALLOWED_HOSTS) and the HTTPS redirect: Kubernetes probes and Prometheus
    reach a pod by its IP over plain HTTP, with a Host header no allow-list
    names. Nothing here is private: liveness says "ok", readiness names the
    services that answer, and /metrics still needs its bearer token."""

    def __init__(self, get_response):
        from .health import LiveApi, ReadyApi

        self.get_response = get_response
        self.views = {
            "/api/v1/health/live/": LiveApi.as_view(),
            "/api/v1/health/ready/": ReadyApi.as_view(),
            "/metrics": metrics,
        }

    def __call__(self, request):
        view = self.views.get(request.path_info)
        if view is None:
            return self.get_response(request)
        response = view(request)
        if hasattr(response, "render"):
            response.render()
        response["Cache-Control"] = "no-store"
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, from a fixed list of fields: never the
    record's other attributes (Django attaches the request to some)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", REQUEST_ID.get()),
            "process": record.process,
        }
        for name in ("http", "task"):
            value = getattr(record, name, None)
            if isinstance(value, dict):
                line[name] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(line, default=str)


# --- Celery: the request id crosses into tasks; task metrics -----------------------------


def _task_metrics():
    from prometheus_client import Counter, Histogram

    return (
        Counter("steady_celery_tasks_total", "Celery tasks finished, by task and outcome", ["task", "outcome"]),
        Histogram("steady_celery_task_seconds", "Celery task run time", ["task"]),
    )


def celery_connect() -> None:
    """Called from backend/celery.py."""
    from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun, task_retry

    tasks_total, task_seconds = _task_metrics()
    started: dict[str, float] = {}
    tokens: dict[str, contextvars.Token] = {}

    @before_task_publish.connect(weak=False)
    def _publish(headers=None, **_kwargs):
        rid = REQUEST_ID.get()
        if headers is not None and rid != "-":
            headers.setdefault("steady_request_id", rid)

    @task_prerun.connect(weak=False)
    def _prerun(task_id=None, task=None, **_kwargs):
        rid = getattr(task.request, "steady_request_id", None) or f"task-{task_id}"
        tokens[task_id] = REQUEST_ID.set(rid)
        started[task_id] = time.monotonic()

    @task_postrun.connect(weak=False)
    def _postrun(task_id=None, task=None, state=None, **_kwargs):
        began = started.pop(task_id, None)
        if began is not None:
            task_seconds.labels(task.name).observe(time.monotonic() - began)
        if state == "SUCCESS":
            tasks_total.labels(task.name, "success").inc()
        token = tokens.pop(task_id, None)
        if token is not None:
            REQUEST_ID.reset(token)

    @task_failure.connect(weak=False)
    def _failure(sender=None, **_kwargs):
        tasks_total.labels(getattr(sender, "name", "?"), "failure").inc()

    @task_retry.connect(weak=False)
    def _retry(sender=None, **_kwargs):
        tasks_total.labels(getattr(sender, "name", "?"), "retry").inc()


def worker_metrics_serve() -> int | None:
    """The worker's metrics on an internal port (STEADY_WORKER_METRICS_PORT;
    never behind the public ingress). Prefork children count in
    PROMETHEUS_MULTIPROC_DIR, which the parent's server adds up."""
    port = int(os.environ.get("STEADY_WORKER_METRICS_PORT") or 0)
    if not port:
        return None
    from prometheus_client import REGISTRY, CollectorRegistry, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(port, addr=os.environ.get("STEADY_WORKER_METRICS_ADDR", "0.0.0.0"), registry=registry)  # noqa: S104 - a pod's internal port
    return port


# --- /metrics ----------------------------------------------------------------------------


def metrics(request):
    """Prometheus metrics for this web process, for whoever holds
    STEADY_METRICS_TOKEN (``Authorization: Bearer …``). Without a token set
    there is no such page (404)."""
    token = settings.STEADY_METRICS_TOKEN
    if not token:
        return HttpResponseNotFound("Not found\n", content_type="text/plain")
    given = request.headers.get("Authorization", "")
    if not constant_time_compare(given, f"Bearer {token}"):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    from django_prometheus.exports import ExportToDjangoView

    response = ExportToDjangoView(request)
    response["Cache-Control"] = "no-store"
    return response


# --- Sentry ------------------------------------------------------------------------------

_SCRUBBED_HEADERS = {"authorization", "cookie", "x-csrftoken", "x-steady-device"}


def sentry_scrub(event: dict, _hint: dict | None = None) -> dict:
    """What leaves for Sentry: the error and where it happened, never what a
    person wrote or who they are. The SDK is told the same (no PII, no
    bodies, no local variables); this is the belt to those braces."""
    request = event.get("request")
    if isinstance(request, dict):
        for name in ("data", "cookies", "query_string", "env"):
            request.pop(name, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in _SCRUBBED_HEADERS}
    event.pop("user", None)
    for crumbs in (
        (event.get("breadcrumbs") or {}).get("values", []) if isinstance(event.get("breadcrumbs"), dict) else []
    ):
        # SQL breadcrumbs carry their parameters: a note's text is one.
        data = crumbs.get("data")
        if isinstance(data, dict):
            data.pop("params", None)
    for exc in (event.get("exception") or {}).get("values", []):
        for frame in (exc.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    return event


def sentry_init() -> bool:
    """Sentry, only when SENTRY_DSN is set (and the SDK installed)."""
    dsn = os.environ.get("SENTRY_DSN", "")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("STEADY_RELEASE") or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        before_send=sentry_scrub,
    )
    return True
