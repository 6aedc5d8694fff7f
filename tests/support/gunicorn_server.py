"""The app served by gunicorn, as deployed, on the test database: for tests that kill things.

Its database connections carry `application_name` so a test can find and terminate them in
pg_stat_activity; its worker processes can be killed and gunicorn starts new ones.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from constance import config
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(application_name: str) -> str:
    params = connection.settings_dict
    auth = quote(params["USER"] or "")
    if params.get("PASSWORD"):
        auth += ":" + quote(params["PASSWORD"])
    host = params.get("HOST") or "localhost"
    if host.startswith("/"):  # a Unix socket directory (the embedded PostgreSQL), as scripts/embedded_pg.py writes it
        return f"postgres://{auth}@{quote(host, safe='')}/{params['NAME']}?application_name={application_name}"
    return f"postgres://{auth}@{host}:{params.get('PORT') or 5432}/{params['NAME']}?application_name={application_name}"


@dataclass
class Answer:
    status: int | None  # None: the connection failed (reset, refused, timed out)
    body: dict | None
    headers: dict


class GunicornServer:
    def __init__(self, *, application_name: str = "gst-fault-web", workers: int = 2, env: dict | None = None):
        self.application_name = application_name
        self.workers = workers
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def log_tail(self, lines: int = 60) -> str:
        """The end of gunicorn's own log (tracebacks of 500s), for a failing assertion to show."""
        self.log.flush()
        self.log.seek(0)
        return "".join(self.log.read().decode(errors="replace").splitlines(keepends=True)[-lines:])

    def __enter__(self):
        self.log = tempfile.TemporaryFile()
        # A fault test sends hundreds of requests a minute as one user from one address: the
        # request rates (live settings, read by the server from the database) are raised so
        # that what it meets is the faults, not the throttles.
        for name in settings.CONSTANCE_CONFIG:
            if name.startswith("THROTTLE_"):
                setattr(config, name, "1000000/minute")
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(self.application_name),
            "SANDBOX": "true",
            "DEBUG": "false",
            **self.extra_env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "2",
                "--log-level",
                "warning",
                "--error-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.get("/health").status == 200:
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer /health within 30 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        """gunicorn's worker processes: the children of its master."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def kill_a_worker(self) -> int | None:
        pids = self.worker_pids()
        if not pids:
            return None
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def request(self, method: str, path: str, body=None, *, token=None, headers=None, timeout=15) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base_url + path, data=data, headers=all_headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status, _json(response.read()), dict(response.headers))
        except urllib.error.HTTPError as error:
            try:
                return Answer(error.code, _json(error.read()), dict(error.headers))
            except (http.client.HTTPException, OSError):  # the error body itself was cut off
                return Answer(None, None, {})
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, OSError):
            return Answer(None, None, {})

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs) -> Answer:
        return self.request("POST", path, body, **kwargs)


def _json(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def terminate_backends(application_name: str) -> int:
    """Kill every database connection the server holds right now; how many were killed. Only in
    this test database: another test run on the same PostgreSQL keeps its own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database() AND pid <> pg_backend_pid()",
            [application_name],
        )
        return cursor.fetchone()[0]
