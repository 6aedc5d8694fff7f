"""`make test`'s pytest step: the suite in pytest-xdist workers and, at the same time, the
schemathesis run on its own (its generated tests do not fuzz under xdist).

Both are mostly one core each at a time (the fuzzing is one process: a live server thread and
the client), so side by side on two cores the wall time is about the longer of the two rather
than their sum. They never share a database (xdist's workers use the _gw0/_gw1 test databases,
schemathesis the plain one) nor Redis databases (root conftest.py). The schemathesis output is
kept and printed after the suite's, so the two do not interleave. Extra arguments (CI's
--create-db) go to both.

    python scripts/run_tests.py [pytest args...]
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = "tests/api/test_schemathesis.py"
PYTEST = [sys.executable, "-m", "pytest"]


def main(extra: list[str]) -> int:
    workers = os.environ.get("TEST_WORKERS", "2")
    with tempfile.TemporaryFile() as fuzz_log:
        fuzz = subprocess.Popen(
            [*PYTEST, "-p", "no:xdist", SCHEMATHESIS, *extra], cwd=ROOT, stdout=fuzz_log, stderr=subprocess.STDOUT
        )
        in_workers = ["-n", workers, "--dist", "loadfile", f"--ignore={SCHEMATHESIS}"]
        suite = subprocess.call([*PYTEST, *in_workers, *extra], cwd=ROOT)
        fuzzed = fuzz.wait()
        fuzz_log.seek(0)
        print(f"\n== {SCHEMATHESIS} (run beside the suite)", flush=True)
        sys.stdout.buffer.write(fuzz_log.read())
        sys.stdout.flush()
    print(f"\nsuite: {'passed' if suite == 0 else 'FAILED'}; schemathesis: {'passed' if fuzzed == 0 else 'FAILED'}")
    return suite or fuzzed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
