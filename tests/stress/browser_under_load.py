"""Run the browser tests several times in a row while two CPU-bound processes compete for
the machine (issue 23): a test that waits for a selector the previous state also matches,
or a page that lets a late answer win, fails here long before it fails for a customer.

    python tests/stress/browser_under_load.py [--rounds 5] [--burners 2] [pytest args...]

The burners are started here and stopped here, by PID. Exit status: pytest's first failure.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BURN = "while True:\n    pass\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--burners", type=int, default=2)
    options, pytest_args = parser.parse_known_args()
    # Stopped from outside (CI's time limit, kill PID): still stop the burners.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(options.burners)]
    print(f"CPU burners running: PIDs {[burner.pid for burner in burners]}", flush=True)
    started = time.monotonic()
    try:
        for round_number in range(1, options.rounds + 1):
            round_started = time.monotonic()
            command = [sys.executable, "-m", "pytest", "-m", "browser", "-q", "-p", "no:cacheprovider", *pytest_args]
            result = subprocess.run(command, cwd=ROOT, env=os.environ.copy())
            print(
                f"round {round_number}/{options.rounds}: exit {result.returncode} "
                f"in {time.monotonic() - round_started:.0f} s",
                flush=True,
            )
            if result.returncode != 0:
                return result.returncode
    finally:
        for burner in burners:
            os.kill(burner.pid, signal.SIGTERM)
        for burner in burners:
            burner.wait(timeout=10)
    print(f"all {options.rounds} rounds passed under load in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
