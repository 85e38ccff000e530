"""`make run`: the Procfile honcho runs, and the `ready` process that prints
the URL and the demo logins once the web app answers. (.ci/run starts the
whole of `make run` and stops it again.)"""

import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from honcho.environ import expand_processes, parse_procfile

ROOT = Path(__file__).resolve().parent.parent


def test_the_procfile_runs_web_worker_beat_and_ready_with_web_on_port():
    procfile = parse_procfile((ROOT / "Procfile").read_text())

    assert list(procfile.processes) == ["web", "worker", "beat", "ready"]
    # honcho gives the first process the port it was started with.
    (web, *_) = expand_processes(procfile.processes, port=8123)
    assert web.name == "web.1" and web.env["PORT"] == "8123"
    assert '--port "$PORT"' in web.cmd and '--host "${HOST:-127.0.0.1}"' in web.cmd
    assert "--no-proxy-headers" in web.cmd and "--lifespan off" in web.cmd
    assert "--pool solo" in procfile.processes["worker"]


class _Health(http.server.BaseHTTPRequestHandler):
    answers = 0

    def do_GET(self):  # noqa: N802
        _Health.answers += 1
        ok = self.path == "/api/v1/health/" and _Health.answers >= 2  # not at once
        body = b'{"status": "ok", "broker": "embedded"}' if ok else b'{"status": "error"}'
        self.send_response(200 if ok else 503)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_ready_prints_the_url_and_logins_once_healthy_and_stays():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    env = {**os.environ, "STEADY_RUN_URL": url, "STEADY_RUN_LOGINS": "Demo logins (password: x)\n  alice@steady.demo"}
    ready = subprocess.Popen(
        [sys.executable, "scripts/run.py", "ready"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        lines = []
        while not any(line.startswith("Press Ctrl-C") for line in lines):
            line = ready.stdout.readline()
            assert line, f"ready exited early: {lines}"
            lines.append(line)
        time.sleep(0.5)
        assert ready.poll() is None  # idle: honcho would stop everything if it exited
    finally:
        ready.terminate()
        ready.wait(10)
        server.shutdown()

    text = "".join(lines)
    assert f"Steady is running at {url}" in text
    assert "alice@steady.demo" in text and "Demo logins" in text
    assert _Health.answers >= 2
