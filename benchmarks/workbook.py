"""Time and peak memory of writing the ranking workbook at national size.

Scores the synthetic national dataset of ``benchmarks/synthetic.py`` (10,600 communes,
1,260 departments, 705 districts; 96 leaves of every kind) with its rule set, then writes
the workbook (every sheet, charts included) and prints JSON lines::

    {"metric": "workbook_national_s", "value": ..., "unit": "s"}
    {"metric": "workbook_national_peak_rss", "value": ..., "unit": "MiB"}

The measurement runs in a child process so the peak memory is that of one scoring and
one workbook, not of whatever ran before. Goal: under 30 s and under 2 GiB.

Run: ``python benchmarks/workbook.py [N_COMMUNES]`` or ``python benchmarks/bench.py workbook``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_COMMUNES = 10_600


def _child(n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.synthetic import make_dataset, make_rules
    from reports import write_workbook
    from scoring.engine import score

    rules = make_rules()
    ds = make_dataset(n_communes=n, rules=rules)
    t0 = time.perf_counter()
    result = score(rules, ds)
    t_score = time.perf_counter() - t0
    _ = result.ledger  # materialise the ledger: the writer reads it, scoring is timed apart
    with tempfile.TemporaryDirectory() as tmp:
        t1, c1 = time.perf_counter(), time.process_time()
        path = Path(tmp) / "national.xlsx"
        write_workbook(result, path)
        t_write, c_write = time.perf_counter() - t1, time.process_time() - c1
        size = path.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB (Linux)
    for metric, value, unit in (
            ("workbook_national_s", t_write, "s"),
            ("workbook_national_cpu_s", c_write, "s"),
            ("workbook_national_score_s", t_score, "s"),
            ("workbook_national_peak_rss", peak, "MiB"),
            ("workbook_national_size", size / 2**20, "MiB"),
            ("workbook_national_ledger_rows", len(result.ledger), "rows")):
        print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit}))


def main(argv: list[str] | None = None) -> int:
    """Run the measurement in a child process and pass its JSON lines through."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        _child(int(args[1]))
        return 0
    n = int(args[0]) if args and args[0].isdigit() else N_COMMUNES
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.run([sys.executable, __file__, "--child", str(n)], text=True,
                          capture_output=True, check=False, env=env)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
