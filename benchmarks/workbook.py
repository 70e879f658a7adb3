"""Time and peak memory of writing the ranking workbook, province and national size.

Scores the synthetic dataset of ``benchmarks/synthetic.py`` with its rule set (96 leaves of
every kind), then writes the workbook (every sheet, charts included; the ledger inside the
clock) and prints JSON lines ``{"metric", "value", "unit"}``.

* ``province``: three synthetic provinces (≈ 600 units × 96 leaves ≈ 58,000 ledger rows).
  The workbook is timed against two yardsticks in the same process, interleaved, medians
  of ``ROUNDS`` runs (wall and CPU time): ``floor`` writes just the ledger's cells with
  xlsxwriter's public ``write_string``/``write_number`` (the least any xlsxwriter
  workbook with that ledger costs), ``to_excel`` is
  ``ledger.to_excel(engine="xlsxwriter")`` (what an analyst would write). Goal: the
  workbook in ≤ 3 s.
* ``national`` (10,600 communes, 12,565 units, ≈ 1.2 M ledger rows): one run in a child
  process, so the peak memory (``ru_maxrss``) is that of one scoring and one workbook;
  with ``--ledger sheet`` (default), ``csv`` or ``none``.

Run: ``python benchmarks/workbook.py [province|national] [--ledger sheet|csv|none]`` or
``python benchmarks/bench.py workbook`` (both sizes).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N_COMMUNES = 10_600
PROVINCES = ("p00", "p01", "p02")
ROUNDS = 3


def _emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit}), flush=True)


def province_dataset(rules):  # noqa: ANN001, ANN201 - benchmark helper
    """The synthetic national dataset cut to the units of three provinces."""
    from benchmarks.synthetic import make_dataset

    ds = make_dataset(rules=rules)
    keep = ds.agencies.index.str[:3].isin(PROVINCES)
    ids = set(ds.agencies.index[keep])
    return ds.replace(
        name="synthetic-province", agencies=ds.agencies[keep],
        dossiers=ds.dossiers[ds.dossiers.index.isin(ids)],
        tasks=ds.tasks[ds.tasks.index.str[:3].isin(PROVINCES)],
        scores=ds.scores[ds.scores["agency_id"].isin(ids)].reset_index(drop=True),
        surveys=ds.surveys[ds.surveys["agency_id"].isin(ids)].reset_index(drop=True),
        manifest={"name": "synthetic-province"})


def _floor(ledger, path: Path) -> None:  # noqa: ANN001
    """The ledger's cells through xlsxwriter's public API, nothing else."""
    from reports.xlsx import column_values, open_workbook

    cols = ["agency_id", "agency_id", "area", "leaf", "name", "kind", "inputs", "value",
            "rule", "points", "max_points", "status"]
    numeric = [c in ("value", "points", "max_points") for c in cols]
    data = [column_values(ledger[c].tolist() if c in ledger else [None] * len(ledger), n)
            for c, n in zip(cols, numeric, strict=True)]
    wb = open_workbook(path, constant_memory=True, tmpdir=path.parent)
    ws = wb.add_worksheet("ledger")
    strings, numbers = ws.write_string, ws.write_number
    for r, row in enumerate(zip(*data, strict=True), start=1):
        for c, (v, n) in enumerate(zip(row, numeric, strict=True)):
            if v is not None:
                (numbers if n else strings)(r, c, v)
    wb.close()


def province() -> None:
    """Province-size workbook against the two yardsticks, interleaved medians."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.synthetic import make_rules
    from reports.workbook import write_workbook
    from scoring.engine import score

    rules = make_rules()
    result = score(rules, province_dataset(rules))
    ledger = result.ledger
    runs = {"workbook": lambda p: write_workbook(result, p),
            "floor": lambda p: _floor(ledger, p),
            "to_excel": lambda p: ledger.to_excel(p, engine="xlsxwriter")}
    times: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(ROUNDS):
            for name, run in runs.items():
                t, c = time.perf_counter(), time.process_time()
                run(Path(tmp) / f"{name}{i}.xlsx")
                times[name].append(time.perf_counter() - t)
                cpu[name].append(time.process_time() - c)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    _emit("workbook_province_cpu_s", med_cpu["workbook"], "s")
    _emit("workbook_province_vs_floor_cpu", med_cpu["workbook"] / med_cpu["floor"], "x")
    _emit("workbook_province_vs_to_excel_cpu", med_cpu["workbook"] / med_cpu["to_excel"], "x")
    _emit("workbook_province_units", len(result.totals), "units")
    _emit("workbook_province_ledger_rows", len(ledger), "rows")
    _emit("workbook_province_s", med["workbook"], "s")
    _emit("workbook_province_floor_s", med["floor"], "s")
    _emit("workbook_province_to_excel_s", med["to_excel"], "s")
    _emit("workbook_province_vs_floor", med["workbook"] / med["floor"], "x")
    _emit("workbook_province_vs_to_excel", med["workbook"] / med["to_excel"], "x")


def _national_child(n: int, ledger_mode: str) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.synthetic import make_dataset, make_rules
    from reports.workbook import write_workbook
    from scoring.engine import score

    rules = make_rules()
    ds = make_dataset(n_communes=n, rules=rules)
    t0 = time.perf_counter()
    result = score(rules, ds)
    t_score = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t1, c1 = time.perf_counter(), time.process_time()
        path = Path(tmp) / "national.xlsx"
        write_workbook(result, path, ledger=ledger_mode)  # ledger built inside the clock
        t_write, c_write = time.perf_counter() - t1, time.process_time() - c1
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB (Linux)
    tag = "" if ledger_mode == "sheet" else f"_ledger_{ledger_mode}"
    for metric, value, unit in (
            ("workbook_national_s", t_write, "s"),
            ("workbook_national_cpu_s", c_write, "s"),
            ("workbook_national_score_s", t_score, "s"),
            ("workbook_national_peak_rss", peak, "MiB"),
            ("workbook_national_size", size / 2**20, "MiB"),
            ("workbook_national_ledger_rows", len(result.ledger), "rows")):
        _emit(metric + tag, value, unit)


def national(ledger_mode: str, n: int = N_COMMUNES) -> int:
    """One national run in a child process (honest peak memory)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.run([sys.executable, __file__, "--child", str(n), ledger_mode],
                          text=True, capture_output=True, check=False, env=env)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    """``province``, ``national`` or (no argument) both."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        _national_child(int(args[1]), args[2])
        return 0
    ledger_mode = args[args.index("--ledger") + 1] if "--ledger" in args else "sheet"
    what = [a for a in args if a in ("province", "national")] or ["province", "national"]
    code = 0
    if "province" in what:
        province()
    if "national" in what:
        code = national(ledger_mode)
    return code


if __name__ == "__main__":
    sys.exit(main())
