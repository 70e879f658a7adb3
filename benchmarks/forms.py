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
few seconds at national size and is included per form in the sample).

``--full`` does it for real instead of projecting: it writes the form of every ranked unit
(``--workers`` processes), fills every form (openpyxl, not timed), then times ONE collect of
the whole folder as ``cchc collect`` does it (``collect_folder`` with one process per CPU,
then ``plan_writes``, the merge into ``scores.csv``), and prints::

    {"metric": "full_forms", ...}                 forms written and collected
    {"metric": "full_write_min", ...}             wall time to write them all
    {"metric": "full_collect_min", ...}           wall time of the collect (the goal: < 10 min)
    {"metric": "full_collect_cpu_min", ...}       CPU time of the collect, workers included
    {"metric": "full_collect_ms_per_form", ...}   wall per form
    {"metric": "full_peak_rss_mib", ...}          peak memory of this process (scoring included)

It takes long (most of it writing the 12,565 forms). With ``--folder DIR`` the forms
are kept and a stopped run resumes; ``--prepare-only`` writes and fills without the timed
collect, so the collect can be timed alone when the machine is quiet (other work on the
machine makes the wall times an upper bound).

Run: ``python benchmarks/forms.py [--sample N] [--full]`` or ``python benchmarks/bench.py forms``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

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
    """Type self-assessed points into every input cell of the form at ``path``.

    The points are ``(k + i) % (max + 1)`` for the i-th input leaf. The cells are filled in
    the sheet's XML, as a spreadsheet program stores a typed number (``<v>3</v>`` in the
    blank cell the form left for it), and the file is otherwise kept as written: an
    openpyxl load-and-save costs about 10× the write and would rewrite the whole file.
    """
    wb = openpyxl.load_workbook(path, read_only=True)
    recs = decode_records(r[0] for r in wb[META_SHEET].iter_rows(max_col=1, values_only=True))
    first = wb.sheetnames[0]
    wb.close()
    meta = {r[1]: r[2] for r in recs if r[0] == "meta"}
    assert meta["sheet"] == first, "the form is the first sheet"
    inputs = [r for r in recs if r[0] == "row" and r[3] in INPUT_ROLES]
    values = {f"{get_column_letter(SELF_COL)}{int(r[1])}": (k + i) % (int(r[4]) + 1)
              for i, r in enumerate(inputs)}
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info)) for info in z.infolist()]

    def typed(m: re.Match) -> bytes:
        ref = m[1].decode()
        if ref not in values:
            return m[0]
        return b'<c r="%s" s="%s"><v>%d</v></c>' % (m[1], m[2], values.pop(ref))

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            if info.filename == sheet:
                data = re.sub(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"/>', typed, data)
            z.writestr(info, data)
    assert not values, f"input cells not found in {path.name}: {sorted(values)[:3]}"
    tmp.replace(path)


def _read_all(paths: list[Path]) -> None:
    for p in paths:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()


_FULL: dict = {}


def _write_one(item: tuple[int, int, str]) -> str:
    """Worker: write (and fill, untimed by the caller's clock split) one form."""
    b, j, folder = item
    st = _FULL
    block = st["result"].blocks[b]
    rows = st["plans"][block.tree]
    v = unit_values(st["result"], rows, block, j, st["names"], {})
    path = Path(folder) / form_filename(v.agency_id)
    write_score_form(path, st["ctx"], rows, v, st["group_names"][v.group])
    return str(path)


def _fill_one(item: tuple[int, str]) -> None:
    k, path = item
    _fill(Path(path), k)


def _cpu_all() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def full(rules, ds, result, ctx, plans, names, group_names, workers: int,
         limit: int | None = None, folder: Path | None = None,
         prepare_only: bool = False) -> None:
    """Write, fill and collect the form of every ranked unit (see the module docstring).

    With ``folder`` the forms are kept there and the run can be resumed: forms already
    written are not written again, forms already filled (listed in ``.filled``) are not
    filled again, so the timed collect can be run when the machine is quiet
    (``prepare_only`` stops before it).
    """
    _FULL.update(result=result, plans=plans, names=names, ctx=ctx, group_names=group_names)
    items = [(b, j) for b, block in enumerate(result.blocks) for j in range(block.n_agencies)]
    items = items[:limit]
    fork = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory() as tmp:
        forms = Path(folder) if folder else Path(tmp) / "forms"
        forms.mkdir(parents=True, exist_ok=True)
        ids = [str(result.blocks[b].agency_ids[j]) for b, j in items]
        todo = [(b, j, str(forms)) for (b, j), a in zip(items, ids, strict=True)
                if not (forms / form_filename(a)).exists()]
        t0 = time.perf_counter()
        with fork.Pool(workers) as pool:
            pool.map(_write_one, todo, chunksize=64)
        paths = [str(forms / form_filename(a)) for a in ids]
        _emit("full_forms", len(paths), "forms")
        if todo:
            _emit("full_write_min", (time.perf_counter() - t0) / 60, "min")
            _emit("full_write_ms_per_form", (time.perf_counter() - t0) * 1000 / len(todo), "ms")
        log = forms / ".filled"
        done = set(log.read_text().split()) if log.exists() else set()
        with fork.Pool(workers) as pool, log.open("a") as out:
            work = [(k, p) for k, p in enumerate(paths) if Path(p).name not in done]
            for (_k, p), _ in zip(work, pool.imap(_fill_one, work, chunksize=16), strict=True):
                out.write(Path(p).name + "\n")
        if prepare_only:
            return
        data = Path(tmp) / "data"
        data.mkdir()
        t0, c0 = time.perf_counter(), _cpu_all()
        got = collect_folder(forms, rules, ds, workers=workers)
        plan = plan_writes(data, rules, ds, got)
        wall, cpu = time.perf_counter() - t0, _cpu_all() - c0
        assert not got.problems and plan.writes, "every form must collect cleanly"
        _emit("full_collect_min", wall / 60, "min")
        _emit("full_collect_cpu_min", cpu / 60, "min")
        _emit("full_collect_ms_per_form", wall * 1000 / len(paths), "ms")
    _emit("full_peak_rss_mib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "MiB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="score forms at national size")
    ap.add_argument("--sample", type=int, default=300, help="units in the sample")
    ap.add_argument("--batches", type=int, default=3, help="interleaved timing batches")
    ap.add_argument("--full", action="store_true",
                    help="write, fill and collect every unit's form (slow)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="processes writing, filling and collecting in --full")
    ap.add_argument("--folder", type=Path, default=None,
                    help="with --full: keep the forms here and resume a run stopped halfway")
    ap.add_argument("--prepare-only", action="store_true",
                    help="with --full --folder: write and fill, do not collect")
    ap.add_argument("--limit", type=int, default=None,
                    help="with --full: only the first N units (to try the mode quickly)")
    args = ap.parse_args(argv)
    rules = make_rules()
    ds = make_dataset(rules=rules)
    result = score(rules, ds)
    units = result.totals.shape[0]
    _emit("units_national", units, "units")
    names = {str(k): str(v) for k, v in ds.agencies["name"].items()}
    ctx = FormContext(rules, ds.name, "", "2022", "", creation_time())
    plans = {t: plan_rows(rules, rules.trees[t]) for t in rules.trees}
    group_names = {g.id: g.name for g in rules.groups}
    if args.full:
        full(rules, ds, result, ctx, plans, names, group_names, args.workers, args.limit,
             args.folder, args.prepare_only)
        return 0
    pairs = _sample(result, args.sample)
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
