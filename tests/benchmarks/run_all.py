"""Run every benchmark in this folder, one after another, printing their numbers.

python tests/benchmarks/run_all.py            # all of them
python tests/benchmarks/run_all.py import     # those whose file name contains "import"
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Run the selected `bench_*.py` scripts in fresh processes; non-zero if any failed."""
    here = Path(__file__).resolve().parent
    wanted = sys.argv[1:]
    failed = 0
    for script in sorted(here.glob("bench_*.py")):
        if wanted and not any(word in script.stem for word in wanted):
            continue
        print(f"== {script.stem}", flush=True)
        failed += subprocess.run([sys.executable, str(script)], cwd=here.parents[1]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
