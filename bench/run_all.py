"""Runs every bench in this folder, one after the other.

python bench/run_all.py           # full size (`make bench`): figures for docs/benchmarks.md
python bench/run_all.py --smoke   # small sizes (`make test`): every bench still runs end to end,
                                  # prints its ratio, and fails loudly if it breaks

Both end with one table: every figure the benches printed, its ratio and its target. A target
missed does not fail the run (a smoke size says nothing about one); a bench that breaks does.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {
    "ledger_posting.py": ["--entries", "200", "--procs", "2", "--seconds", "2"],
    "repayments_api.py": ["--payments", "100", "--procs", "2", "--seconds", "2"],
    "close_of_business.py": ["--loans", "2000"],
    "close_of_business_parts.py": ["--loans", "2000", "--parts", "4", "--workers", "2", "--quick"],
    "webhooks_apply.py": ["--events", "100", "--procs", "2", "--seconds", "2"],
    "webhooks_deliver.py": ["--events", "200", "--seconds", "2"],
    "collections_desk.py": ["--loans", "3000", "--unpaid-every", "10", "--collectors", "5", "--seconds", "2"],
    "banking_analytics.py": ["--per-month", "100", "--others", "10", "--seconds", "2"],
    # Keeps its database at full size (bench_admin); the smoke size seeds a small one afresh.
    "admin_changelist.py": ["--db", "bench_admin_smoke", "--fresh", "--loans", "2000", "--seconds", "2"],
}

if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    from bench.common import RESULTS_ENV, TEMPLATE_ENV, scratch_database, summary_table

    smoke = "--smoke" in sys.argv[1:]
    # Migrated once; every bench's scratch database is a copy of it.
    with scratch_database("template") as template_url, tempfile.NamedTemporaryFile(suffix=".jsonl") as results:
        env = {**os.environ, TEMPLATE_ENV: template_url.rsplit("/", 1)[1], RESULTS_ENV: results.name}
        for name, smoke_args in BENCHES.items():
            print(f"== {name}{' (smoke)' if smoke else ''}", flush=True)
            subprocess.run([sys.executable, str(HERE / name), *(smoke_args if smoke else [])], check=True, env=env)
        print(f"\n== summary{' (smoke sizes: the targets are for the full ones)' if smoke else ''}")
        print(summary_table(results.name), flush=True)
