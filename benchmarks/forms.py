"""Score forms at national size: writing them, and collecting them back.

Scores the synthetic national dataset of ``benchmarks/synthetic.py`` (about 12,565 ranked
units; 96 leaves of every kind, manual and survey leaves included), then, for a sample of
units spread evenly over the groups, writes each unit's score form, fills it as a unit
would (openpyxl; not timed) and collects the folder back (read + check + merge into
``scores.csv``; timed). Prints JSON lines::

    {"metric": "form_write_ms", ...}            per form, wall (median of the batches)
    {"metric": "form_collect_ms", ...}          per form, wall, one process per CPU
    {"metric": "form_collect_one_process_ms", ...}  per form, wall, one process
    {"metric": "form_collect_cpu_ms", ...}      per form, CPU time of the one-process run
    {"metric": "openpyxl_read_ms", ...}         yardstick: openpyxl opening the same files
                                                read-only and reading every cell, per form
    {"metric": "collect_one_process_vs_openpyxl_read", ...}  the ratio (what the checks
                                                and the merge cost on top of reading)
    {"metric": "collect_national_projected_min", ...}  form_collect_ms × units / 60,000
    {"metric": "write_national_projected_min", ...}

The projection multiplies the measured time per form by the number of ranked units: each
form is read independently, so the time grows linearly (the merge of the score table is a
few seconds at national size and is included per form in the sample). ``--full`` writes and
collects every unit instead of a sample (slow: tens of minutes).

Run: ``python benchmarks/forms.py [--sample N] [--full]`` or ``python benchmarks/bench.py forms``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import make_dataset, make_rules  # noqa: E402
from reports.forms import FormContext, plan_rows, unit_values, write_score_form  # noqa: E402
from reports.workbook import creation_time  # noqa: E402
from scoring.collect import collect_folder, plan_writes  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.forms import (  # noqa: E402
    INPUT_ROLES,
    META_SHEET,
    SELF_COL,
    decode_records,
    form_filename,
)


def _emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit}), flush=True)


def _sample(result, n: int | None) -> list[tuple[object, int]]:
    """(block, column) pairs: every unit, or ``n`` spread evenly over all blocks."""
    pairs = [(b, j) for b in result.blocks for j in range(b.n_agencies)]
    if n is None or n >= len(pairs):
        return pairs
    step = len(pairs) / n
    return [pairs[int(i * step)] for i in range(n)]


def _fill(path: Path, k: int) -> None:
    wb = openpyxl.load_workbook(path)
    recs = decode_records(r[0] for r in wb[META_SHEET].iter_rows(max_col=1, values_only=True))
    meta = {r[1]: r[2] for r in recs if r[0] == "meta"}
    ws = wb[meta["sheet"]]
    for i, rec in enumerate(r for r in recs if r[0] == "row" and r[3] in INPUT_ROLES):
        ws.cell(int(rec[1]), SELF_COL).value = ((k + i) % (int(rec[4]) + 1))
    wb.save(path)


def _read_all(paths: list[Path]) -> None:
    for p in paths:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="score forms at national size")
    ap.add_argument("--sample", type=int, default=300, help="units in the sample")
    ap.add_argument("--batches", type=int, default=3, help="interleaved timing batches")
    ap.add_argument("--full", action="store_true", help="every unit, no sample")
    args = ap.parse_args(argv)
    rules = make_rules()
    ds = make_dataset(rules=rules)
    result = score(rules, ds)
    units = result.totals.shape[0]
    _emit("units_national", units, "units")
    pairs = _sample(result, None if args.full else args.sample)
    names = {str(k): str(v) for k, v in ds.agencies["name"].items()}
    ctx = FormContext(rules, ds.name, "", "2022", "", creation_time())
    plans = {t: plan_rows(rules, rules.trees[t]) for t in rules.trees}
    group_names = {g.id: g.name for g in rules.groups}
    batches = [pairs[i::args.batches] for i in range(args.batches)]
    write_ms, collect_ms, collect_cpu_ms, read_ms, one_ms = [], [], [], [], []
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        for b, batch in enumerate(batches):
            folder = Path(tmp) / f"b{b}"
            folder.mkdir()
            t0 = time.perf_counter()
            paths = []
            for block, j in batch:
                rows = plans[block.tree]
                v = unit_values(result, rows, block, j, names, {})
                path = folder / form_filename(v.agency_id)
                write_score_form(path, ctx, rows, v, group_names[v.group])
                paths.append(path)
            write_ms.append((time.perf_counter() - t0) * 1000 / len(batch))
            for k, p in enumerate(paths):
                _fill(p, k)
            # interleaved: the yardstick and the collect read the same files in turn
            t0 = time.perf_counter()
            _read_all(paths)
            read_ms.append((time.perf_counter() - t0) * 1000 / len(batch))
            data = Path(tmp) / f"data{b}"
            data.mkdir()
            t0, c0 = time.perf_counter(), time.process_time()
            got = collect_folder(folder, rules, ds, workers=1)
            plan = plan_writes(data, rules, ds, got)
            collect_cpu_ms.append((time.process_time() - c0) * 1000 / len(batch))
            one_ms.append((time.perf_counter() - t0) * 1000 / len(batch))
            t0 = time.perf_counter()
            got = collect_folder(folder, rules, ds, workers=workers)
            plan = plan_writes(data, rules, ds, got)
            collect_ms.append((time.perf_counter() - t0) * 1000 / len(batch))
            assert not got.problems and plan.writes, "the sample must collect cleanly"
    w, c = statistics.median(write_ms), statistics.median(collect_ms)
    cpu, r = statistics.median(collect_cpu_ms), statistics.median(read_ms)
    _emit("forms_measured", len(pairs), "forms")
    _emit("form_write_ms", w, "ms")
    one = statistics.median(one_ms)
    _emit("collect_workers", workers, "processes")
    _emit("form_collect_ms", c, "ms")
    _emit("form_collect_one_process_ms", one, "ms")
    _emit("form_collect_cpu_ms", cpu, "ms")
    _emit("openpyxl_read_ms", r, "ms")
    _emit("collect_one_process_vs_openpyxl_read", one / r, "x")
    _emit("collect_national_projected_min", c * units / 60_000, "min")
    _emit("collect_national_projected_cpu_min", cpu * units / 60_000, "min")
    _emit("write_national_projected_min", w * units / 60_000, "min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
