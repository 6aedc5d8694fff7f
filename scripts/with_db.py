"""Run a command with DATABASE_URL set: the caller's own, or the embedded PostgreSQL's."""

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def ensure_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        from embedded_pg import start

        url = start()
        os.environ["DATABASE_URL"] = url
    return url


if __name__ == "__main__":
    ensure_database_url()
    sys.exit(subprocess.call(sys.argv[1:]))
