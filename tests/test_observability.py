"""Seeing it run without seeing anyone's words (issue #24): every request
has an id that reaches its log lines and its tasks; production logs are
JSON; /metrics is served only to the bearer of STEADY_METRICS_TOKEN and
counts requests, tasks and due reminders; Sentry events leave without
bodies, cookies or local variables. A journal entry and a note of
appreciation are written, shown, refused and dispatched, and nothing of
their text is in any log line."""

import datetime as dt
import io
import json
import logging

import pytest
from django.utils import timezone

from backend import observability
from reminders.models import Reminder

pytestmark = pytest.mark.django_db

SECRET_JOURNAL = "SECRET-JOURNAL-he-never-called-back"
SECRET_NOTE = "SECRET-NOTE-thank-you-for-the-soup"
TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def json_logs(settings, tmp_path):
    """Everything logged, by any logger at any level, as production writes it."""
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(observability.RequestIdFilter())
    handler.setFormatter(observability.JsonFormatter())
    root = logging.getLogger()
    access = logging.getLogger("steady.request")
    before = (root.level, access.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    access.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(before[0])
        access.setLevel(before[1])


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


class TestRequestId:
    def test_each_response_carries_a_fresh_id(self, api):
        first, second = (api.get("/api/v1/health/live/")["X-Request-ID"] for _ in range(2))
        assert len(first) == 32 and first != second

    def test_the_proxys_id_is_kept(self, api):
        response = api.get("/api/v1/health/live/", HTTP_X_REQUEST_ID="req-from-nginx-42")
        assert response["X-Request-ID"] == "req-from-nginx-42"

    @pytest.mark.parametrize("bad", ["short", "has space in it", "x" * 200, "new\nline-injected-here"])
    def test_an_unusable_id_is_replaced(self, api, bad):
        rid = api.get("/api/v1/health/live/", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert rid != bad and len(rid) == 32

    def test_the_id_crosses_into_the_tasks_it_queues(self):
        from celery.signals import before_task_publish, task_postrun, task_prerun

        headers = {}
        token = observability.REQUEST_ID.set("req-from-nginx-42")
        try:
            before_task_publish.send(sender="reminders.dispatch", headers=headers, body=None)
        finally:
            observability.REQUEST_ID.reset(token)
        assert headers["steady_request_id"] == "req-from-nginx-42"

        class Request:
            steady_request_id = headers["steady_request_id"]

        class Task:
            name = "reminders.dispatch"
            request = Request()

        task_prerun.send(sender=Task, task_id="t1", task=Task())
        seen = observability.REQUEST_ID.get()
        task_postrun.send(sender=Task, task_id="t1", task=Task(), state="SUCCESS")
        assert seen == "req-from-nginx-42"
        assert observability.REQUEST_ID.get() == "-"


class TestLogs:
    def test_no_private_text_in_any_log_line(self, json_logs, couple, alice, bob, as_alice, as_bob):
        # Written, read, shared, refused, and its notifications dispatched.
        entry = as_alice.post("/api/v1/journal/", {"kind": "entry", "text": SECRET_JOURNAL}, format="json")
        assert entry.status_code == 201
        as_alice.post(f"/api/v1/journal/{entry.json()['id']}/share/")
        assert SECRET_JOURNAL in json.dumps(as_bob.get("/api/v1/journal/shared/").json())
        assert as_alice.post("/api/v1/gratitude/", {"text": SECRET_NOTE}, format="json").status_code == 201
        assert SECRET_NOTE in json.dumps(as_bob.get("/api/v1/gratitude/").json())
        refused = as_alice.post("/api/v1/journal/", {"kind": "entry", "text": SECRET_JOURNAL * 400}, format="json")
        assert refused.status_code == 400
        bad = as_alice.post("/api/v1/gratitude/", {"text": SECRET_NOTE, "nonsense": SECRET_NOTE}, format="json")
        assert bad.status_code in (201, 400)
        from reminders import tasks

        tasks.dispatch()

        out = json_logs.getvalue()
        assert out, "nothing was logged: the test would prove nothing"
        assert "SECRET" not in out
        lines = _lines(json_logs)
        access = [line for line in lines if line["logger"] == "steady.request"]
        assert {"POST /api/v1/journal/ 201", "POST /api/v1/journal/ 400"} <= {line["message"] for line in access}
        assert all(line["request_id"] != "-" and line["http"]["path"].startswith("/api/") for line in access)

    def test_a_logged_line_carries_its_request_id(self, json_logs, api):
        response = api.get("/api/v1/health/live/", HTTP_X_REQUEST_ID="req-from-nginx-42")
        (line,) = [ln for ln in _lines(json_logs) if ln["logger"] == "steady.request"]
        assert line["request_id"] == response["X-Request-ID"] == "req-from-nginx-42"
        assert line["http"]["status"] == 200 and line["level"] == "INFO"

    def test_production_logs_json_and_celery_does_not_take_over(self):
        import subprocess
        import sys

        code = (
            "import django; django.setup();"
            "from django.conf import settings as s;"
            "print(s.LOG_FORMAT, s.LOGGING['handlers']['console']['formatter'],"
            " s.LOGGING['loggers']['steady.request']['level'], s.CELERY_WORKER_HIJACK_ROOT_LOGGER)"
        )
        env = {
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "backend.settings_production",
            "SECRET_KEY": "x" * 60,
            "STEADY_KEK": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
            "STEADY_VAR_DIR": "/tmp/steady-observability-test",
        }
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
        assert out.stdout.split() == ["json", "json", "INFO", "False"]


class TestMetrics:
    def test_not_served_without_a_token_configured(self, api, settings):
        settings.STEADY_METRICS_TOKEN = ""
        assert api.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404

    @pytest.mark.parametrize("header", [None, "Bearer wrong", f"Token {TOKEN}", TOKEN])
    def test_refused_without_the_token(self, api, settings, header):
        settings.STEADY_METRICS_TOKEN = TOKEN
        extra = {"HTTP_AUTHORIZATION": header} if header else {}
        response = api.get("/metrics", **extra)
        assert response.status_code == 401
        assert b"django_http" not in response.content

    def test_requests_tasks_and_due_reminders(self, api, settings, alice):
        settings.STEADY_METRICS_TOKEN = TOKEN
        now = timezone.now()
        for minutes in (3, 1):
            Reminder.objects.create(
                user=alice, kind="test", target_id=minutes, occurrence=str(minutes),
                due_at=now - dt.timedelta(minutes=minutes), fire_at=now - dt.timedelta(minutes=minutes),
            )  # fmt: skip
        from reminders import tasks

        tasks.recover.apply()

        body = api.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
        assert "django_http_requests_total_by_method_total" in body
        assert "steady_reminders_due 2.0" in body
        oldest = next(ln for ln in body.splitlines() if ln.startswith("steady_reminders_due_oldest_seconds "))
        assert 170 <= float(oldest.split()[1]) <= 400
        assert 'steady_celery_tasks_total{outcome="success",task="reminders.recover"}' in body
        assert "alice" not in body and str(alice.email) not in body


class TestSentry:
    def test_off_without_a_dsn(self, monkeypatch):
        monkeypatch.delenv("SENTRY_DSN", raising=False)
        assert observability.sentry_init() is False

    def test_on_with_a_dsn_and_told_to_send_no_personal_data(self, tmp_path):
        # In a process of its own: the SDK patches Django and Celery for good.
        import os
        import subprocess
        import sys

        code = (
            "import django; django.setup();"
            "import sentry_sdk, json; from backend import observability;"
            "o = sentry_sdk.get_client().options;"
            "print(json.dumps([o['dsn'], o['send_default_pii'], o['include_local_variables'],"
            " o['max_request_body_size'], o['before_send'] is observability.sentry_scrub]));"
            "sentry_sdk.get_client().close(timeout=0)"
        )
        env = {**os.environ, "SENTRY_DSN": "https://public@sentry.invalid/1", "STEADY_VAR_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603
        assert done.returncode == 0, done.stderr[-2000:]
        options = json.loads(done.stdout.strip().splitlines()[-1])
        assert options == ["https://public@sentry.invalid/1", False, False, "never", True]

    def test_an_event_leaves_without_body_cookies_headers_or_locals(self):
        event = {
            "request": {
                "url": "https://steady.example/api/v1/journal/",
                "method": "POST",
                "data": {"text": SECRET_JOURNAL},
                "cookies": {"sessionid": "s"},
                "query_string": "q=" + SECRET_NOTE,
                "headers": {"Authorization": "Bearer t", "Cookie": "sessionid=s", "User-Agent": "phone"},
            },
            "user": {"email": "alice@example.com"},
            "breadcrumbs": {"values": [{"category": "query", "data": {"params": [SECRET_NOTE]}}]},
            "exception": {
                "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"text": SECRET_JOURNAL}}]}}]
            },
        }
        scrubbed = json.dumps(observability.sentry_scrub(event, {}))
        assert "SECRET" not in scrubbed and "alice@" not in scrubbed and "Bearer" not in scrubbed
        assert "User-Agent" in scrubbed and "/api/v1/journal/" in scrubbed


class TestProbesAndScrapes:
    """Kubernetes probes and Prometheus reach a pod by IP over plain HTTP."""

    @pytest.mark.parametrize("path", ["/api/v1/health/live/", "/api/v1/health/ready/"])
    def test_probes_answer_whatever_the_host_and_without_https(self, client, settings, path):
        settings.ALLOWED_HOSTS = ["steady.example"]
        settings.SECURE_SSL_REDIRECT = True
        response = client.get(path, HTTP_HOST="10.1.2.3:8000")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "ok"
        # Other paths still refuse an unknown host.
        assert client.get("/api/v1/health/", HTTP_HOST="10.1.2.3:8000").status_code == 400

    def test_metrics_scraped_by_ip_still_need_the_token(self, client, settings):
        settings.ALLOWED_HOSTS = ["steady.example"]
        settings.SECURE_SSL_REDIRECT = True
        settings.STEADY_METRICS_TOKEN = TOKEN
        assert client.get("/metrics", HTTP_HOST="10.1.2.3:8000").status_code == 401
        ok = client.get("/metrics", HTTP_HOST="10.1.2.3:8000", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert ok.status_code == 200 and b"steady_reminders_due" in ok.content
