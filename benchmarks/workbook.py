"""Time and peak memory of writing the ranking workbook for a national-size commune group.

Scores a synthetic dataset of 10,600 communes (random but consistent dossier counts) with
the bundled rule set, then writes the workbook (every sheet, charts included) and prints
JSON lines::

    {"metric": "workbook_national_s", "value": ..., "unit": "s"}
    {"metric": "workbook_national_peak_rss", "value": ..., "unit": "MiB"}

The measurement runs in a child process so the peak memory is that of one scoring and
one workbook, not of whatever ran before. Goal: under 30 s and under 2 GiB.

Run: ``python benchmarks/workbook.py [N_COMMUNES]`` or ``python benchmarks/bench.py workbook``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_COMMUNES = 10_600


def synthetic_dataset(n: int, seed: int = 1):  # noqa: ANN201 - scoring.dataset.Dataset
    """``n`` ranked communes with random, internally consistent dossier counts."""
    import numpy as np
    import pandas as pd

    from scoring.dataset import Dataset

    rng = np.random.default_rng(seed)
    ids = [f"xa-{i:05d}" for i in range(n)]
    agencies = pd.DataFrame({
        "name": [f"UBND xã Số {i}" for i in range(n)], "group": "commune",
        "parent_id": [f"huyen-{i % 700}" for i in range(n)], "aliases": [() for _ in ids],
        "ranked": True, "kind": "commune"}, index=pd.Index(ids, name="agency_id"))
    rot, rl, pot, pl = (rng.integers(0, 500, n).astype(float) for _ in range(4))
    rot += rng.integers(500, 5000, n)
    eligible = rng.integers(1, 800, n).astype(float)
    online = np.floor(eligible * rng.random(n))
    dossiers = pd.DataFrame({
        "received": rot + rl + pot + pl, "resolved": rot + rl, "resolved_on_time": rot,
        "resolved_late": rl, "pending": pot + pl, "pending_on_time": pot, "pending_late": pl,
        "late": rl + pl, "late_rate_published": np.round((rl + pl) / (rot + rl + pot + pl) * 100,
                                                         2),
        "online": online, "online_eligible": eligible,
        "online_rate_published": np.round(online / eligible * 100, 2)}, index=agencies.index)
    tasks = pd.DataFrame({"lead_agency_ids": pd.Series(dtype=object),
                          "status": pd.Series(dtype=object)})
    manifest = {"name": "synthetic-national", "province": "Toàn quốc (mô phỏng)",
                "year": 2022, "period": {"start": "2021-12-15", "end": "2022-12-14"}}
    return Dataset(name="synthetic-national", agencies=agencies, dossiers=dossiers,
                   tasks=tasks, manifest=manifest, content_hash="0" * 64)


def _child(n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from reports import write_workbook
    from scoring.engine import score
    from scoring.paths import BUNDLED_RULES
    from scoring.rules.loader import load_rules

    rules = load_rules(BUNDLED_RULES)
    ds = synthetic_dataset(n)
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
    proc = subprocess.run([sys.executable, __file__, "--child", str(n)], text=True,
                          capture_output=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
