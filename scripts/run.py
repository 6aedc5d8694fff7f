"""`make run`: set everything up and start web, Celery worker and beat. Ctrl-C stops all of it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from with_db import ensure_database_url  # noqa: E402

PY = sys.executable
PORT = os.environ.get("PORT", "8000")


def manage(*args):
    subprocess.check_call([PY, "manage.py", *args], cwd=ROOT)


def main():
    # development: DEBUG and the sandbox providers (settings.py); the fixed OTP for the demo login.
    os.environ.setdefault("ENVIRONMENT", "development")
    os.environ.setdefault("OTP_TEST_CODE", "123456")
    # A person reads this terminal: plain lines (deployments keep the default, JSON).
    os.environ.setdefault("LOG_FORMAT", "plain")
    embedded = not os.environ.get("DATABASE_URL")
    db = ensure_database_url()
    print(f"database: {db}")
    manage("migrate", "--noinput")
    manage("seed_demo")

    processes = {
        "web": [PY, "manage.py", "runserver", f"0.0.0.0:{PORT}", "--noreload"],
        "worker": [PY, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"],
        "beat": [PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
    }
    running = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in processes.items()}
    base = f"http://127.0.0.1:{PORT}"
    print(
        f"\nGST Credit is running:\n"
        f"  API docs  {base}/api/docs/\n"
        f"  admin     {base}/admin/   (admin / admin-demo-pass, officer / officer-demo-pass)\n"
        f"  health    {base}/health\n"
        f"  borrower  OTP login with phone +919812345678, code {os.environ['OTP_TEST_CODE']}\n"
        f"Ctrl-C stops web, worker and beat{' and the embedded PostgreSQL' if embedded else ''}.\n",
        flush=True,
    )

    def stop(*_):
        for proc in running.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.time() + 10
        for proc in running.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()
        if embedded:
            from embedded_pg import stop as stop_database

            stop_database()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        for name, proc in running.items():
            if proc.poll() is not None:
                print(f"{name} exited with {proc.returncode}; stopping the rest.", flush=True)
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
