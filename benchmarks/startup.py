"""CPU time of whole commands against ``python -c "import numpy, pandas"``.

Runs each command as a user would (a fresh Python process, the bundled rules and data),
``RUNS`` rounds interleaved, and prints the median CPU time (user + system) of each and
its ratio to importing numpy and pandas, the floor of any command that reads a table.

Metrics: ``cpu_<name>_s`` and ``cpu_<name>_over_numpy_pandas`` for ``help`` (``cchc
--help``), ``score`` (``cchc score``) and ``simulate`` (``cchc simulate --runs 1000``).

Run: ``python benchmarks/bench.py startup``. Bytecode caching matters: run it where
Python may write ``.pyc`` files (``PYTHONDONTWRITEBYTECODE`` unset), as on an installed
copy.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys

from scoring.paths import REPO_ROOT

RUNS = 5
COMMANDS: dict[str, list[str]] = {
    "numpy_pandas": ["-c", "import numpy, pandas"],
    "help": ["-m", "cchc.cli", "--help"],
    "score": ["-m", "cchc.cli", "score"],
    "simulate": ["-m", "cchc.cli", "simulate", "--runs", "1000"],
}


def cpu_of(args: list[str]) -> float:
    """User + system CPU seconds of one ``python args`` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, *args], cwd=REPO_ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    for args in COMMANDS.values():                 # warm the bytecode and file caches
        cpu_of(args)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(RUNS):
        for name, args in COMMANDS.items():
            times[name].append(cpu_of(args))
    base = statistics.median(times["numpy_pandas"])
    for name, values in times.items():
        median = statistics.median(values)
        print(json.dumps({"metric": f"cpu_{name}_s", "value": round(median, 3), "unit": "s"}))
        if name != "numpy_pandas":
            print(json.dumps({"metric": f"cpu_{name}_over_numpy_pandas",
                              "value": round(median / base, 2), "unit": "ratio"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
