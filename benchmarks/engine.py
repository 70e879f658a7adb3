"""Engine benchmark: national-scale score + rank, speed-up over a per-row loop, memory.

Metrics (one JSON object per line):

* ``score_rank_national_s`` — median of 5 runs of ``score(rules, ds)`` (indicators,
  every leaf, components, adjustments, totals, ranks, classes) on the synthetic national
  dataset (10,600 communes + 705 districts + 1,260 departments, 96 leaves), data loaded.
  Cold: each run scores a fresh ``ds.replace()`` copy, so the engine's per-dataset index
  of the score and survey tables is built inside the timed call.
* ``score_rank_national_warm_s`` — the same, the same dataset object scored again (its
  index built by an earlier call), as when simulate, compare or what-if score many rule
  variants on one dataset.
* ``speedup_vs_per_row`` — on a slice of ``SLICE`` agencies, the time of a plain per-row
  loop (per agency: per leaf band lookups with ``Band.contains``, formulas with
  ``Expression.evaluate_row`` (simpleeval), task/manual/survey arithmetic in Python, then
  a Python sort for ranks) divided by the vectorised engine's time on the same slice and
  the same indicators, in the same process (best of 3 each), **data loaded on both
  sides** as for ``score_rank_national_s``: the loop's look-ups (compiled expressions,
  score and survey dictionaries) and the engine's dataset index are built before the
  clock starts. The two are checked to give the same points and ranks first.
  ``per_row_slice_s`` and ``vectorised_slice_s`` are the two times.
* ``speedup_vs_per_row_cold`` — the same with the loading inside the timed call on both
  sides: the loop builds its dictionaries from the tables, and the engine scores a fresh
  ``ds.replace()`` copy (its per-dataset index built in the call); with
  ``per_row_slice_cold_s`` and ``vectorised_slice_cold_s``.
* ``vectorised_slice_with_frames_s`` — the engine on the slice (cold, as above) with
  ``result.totals`` and ``result.areas`` built too (built on first access; best of 3).
* ``slice_profile_<part>_ms`` — where the engine's slice time goes: mean ms per ``score``
  call in its phases over 50 cold calls (``total``; ``leaves`` includes ``tables`` and
  ``expressions``; ``dataset_index`` is the agencies part of the per-dataset index, the
  tables part being in ``tables``; then ``indicator_matrix``, ``adjustments``,
  ``area_sums``, ``ranks``, ``classes``), timed by wrapping the engine's functions for
  this measurement only.
* ``speedup_vs_per_row_national`` — the same comparison on all 12,565 agencies (the
  per-row loop once, the engine cold, best of 3), for scale.
* ``score_traced_peak_mib`` — peak memory allocated during one cold national ``score``
  call (tracemalloc; numpy and pandas buffers included), on top of the loaded data.
* ``peak_memory_mib`` — peak resident memory of the whole benchmark process (getrusage),
  the synthetic data and the per-row baseline's dictionaries included.

Goals: under 0.5 s, speed-up at least 100, peak under 1 GiB.
"""

from __future__ import annotations

import json
import math
import resource
import statistics
import time
import tracemalloc
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.synthetic import make_dataset, make_rules
from scoring.dataset import Dataset
from scoring.engine import score
from scoring.engine.leaves import TASK_COLUMNS
from scoring.indicators import derive_indicators
from scoring.rules.model import Leaf, RuleSet

SLICE = 500
SEED = 2022


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit}), flush=True)


# --------------------------------------------------------------------------- per-row
def _nan(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _row_leaf(leaf: Leaf, values: dict[str, float], compiled: dict[str, Any],
              manual: dict, survey: dict, aid: str, policy: str) -> tuple[float, float, str]:
    """(points, max counted, status) of one leaf for one agency, in plain Python."""
    rule = leaf.rule
    na = False
    status = "scored"
    if rule.kind == "bands":
        v = values[rule.indicator]
        if _nan(v):
            na = True
            pts = 0.0
        else:
            pts = 0.0
            for b in rule.bands:
                if b.contains(v):
                    pts = b.points
                    break
    elif rule.kind == "formula":
        v = compiled[rule.expr].evaluate_row({**values, "max_points": leaf.max})
        if _nan(v) or math.isinf(v):
            na = True
            pts = 0.0
        else:
            pts = min(max(v, 0.0), leaf.max)
    elif rule.kind == "tasks":
        c = {s: (0.0 if _nan(values[col]) else values[col]) for s, col in TASK_COLUMNS.items()}
        arising = c["done_on_time"] + c["done_late"] + c["not_done"] + c["in_progress"]
        if arising <= 0:
            na = True
            pts = 0.0
        else:
            rate = sum(rule.weights.get(s, 0.0) * c[s] for s in
                       ("done_on_time", "done_late", "not_done", "in_progress")) / arising * 100
            if rule.mode == "rate":
                pts = min(max(rate / 100 * leaf.max, 0.0), leaf.max)
            else:
                pts = next((b.points for b in rule.bands if b.contains(rate)), 0.0)
    elif rule.kind == "manual":
        self_pts, appraised = manual.get((aid, leaf.code), (math.nan, math.nan))
        v = self_pts if _nan(appraised) else appraised
        if _nan(v):
            return 0.0, (0.0 if rule.missing == "exclude" else leaf.max), "missing"
        pts = min(max(v, 0.0), leaf.max)
        status = "manual"
    else:  # survey
        answers = survey.get((aid, leaf.code), [])
        if rule.options is not None:
            total = sum(cnt for _, cnt, _ in answers)
            share = (sum(cnt * rule.options[opt] for opt, cnt, _ in answers) / total
                     if total > 0 else math.nan)
        else:
            share = answers[0][2] if answers else math.nan
        if _nan(share):
            return 0.0, (0.0 if rule.missing == "exclude" else leaf.max), "missing"
        pts = min(max(share / 100 * leaf.max, 0.0), leaf.max)
    if not na and leaf.applies_if:
        cond = compiled[leaf.applies_if].evaluate_row({**values, "max_points": leaf.max})
        na = _nan(cond) or cond == 0
    if na:
        pol = leaf.not_applicable or policy
        return (leaf.max, leaf.max, "not_applicable") if pol == "award" else \
            (0.0, 0.0, "not_applicable")
    return pts, leaf.max, status


def score_per_row(rules: RuleSet, ds: Dataset, indicators: pd.DataFrame,
                  prepared: tuple | None = None) -> pd.DataFrame:
    """The baseline: the same rules, one agency and one leaf at a time.

    ``prepared`` (from :func:`prepare_per_row`) skips building the look-ups (compiled
    expressions, score and survey dictionaries), for the "data loaded" comparison.
    """
    compiled, manual, survey = prepared or prepare_per_row(rules, ds, indicators)
    comp_of = {a: c for c in rules.components for a in c.areas}
    return _per_row(rules, ds, indicators, compiled, manual, survey, comp_of)


def prepare_per_row(rules: RuleSet, ds: Dataset, indicators: pd.DataFrame) -> tuple:
    """The per-row baseline's look-ups: compiled expressions and two dictionaries."""
    from scoring.expressions import compile_expression

    names = [*indicators.columns, "max_points"]
    compiled: dict[str, Any] = {}
    for tree in rules.trees.values():
        for _, _, leaf in tree.leaves():
            for text in (getattr(leaf.rule, "expr", None), leaf.applies_if):
                if text and text not in compiled:
                    compiled[text] = compile_expression(text, names)
    for adj in rules.adjustments:
        if adj.rule.kind == "formula":
            compiled[adj.rule.expr] = compile_expression(adj.rule.expr, names)
    manual = {(a, lf): (sp, ap) for a, lf, sp, ap in
              ds.scores[["agency_id", "leaf", "self_points", "appraised_points"]]
              .itertuples(index=False)}
    survey: dict[tuple[str, str], list] = defaultdict(list)
    for a, lf, opt, cnt, share in ds.surveys[["agency_id", "leaf", "option", "count",
                                              "share"]].itertuples(index=False):
        survey[(a, lf)].append((opt, 0.0 if _nan(cnt) else cnt, share))
    return compiled, manual, survey


def _per_row(rules: RuleSet, ds: Dataset, indicators: pd.DataFrame, compiled: dict,
             manual: dict, survey: dict, comp_of: dict) -> pd.DataFrame:
    rows = []
    for aid, group in ds.agencies.loc[ds.agencies["ranked"], "group"].items():
        tree = rules.tree_of(group)
        values = indicators.loc[aid].to_dict()
        per_area: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        by_comp: dict[str, list[tuple[str, float, float, str, float]]] = defaultdict(list)
        for area, _, leaf in tree.leaves():
            pts, mx, status = _row_leaf(leaf, values, compiled, manual, survey, aid,
                                        rules.not_applicable)
            by_comp[comp_of[area.code].id if area.code in comp_of else ""].append(
                (area.code, pts, mx, status, leaf.max))
        for cid, items in by_comp.items():
            comp = next((c for c in rules.components if c.id == cid), None)
            absent = comp is not None and all(s in ("not_applicable", "missing")
                                              for _, _, _, s, _ in items)
            for code, pts, mx, _, leaf_max in items:
                if absent:
                    pts, mx = 0.0, (0.0 if comp.when_missing == "rescale" else leaf_max)
                per_area[code][0] += pts
                per_area[code][1] += mx
        points = sum(p for p, _ in per_area.values())
        max_points = sum(m for _, m in per_area.values())
        bonus = deduction = 0.0
        for adj in rules.adjustments:
            if adj.rule.kind == "formula":
                v = compiled[adj.rule.expr].evaluate_row({**values, "max_points": adj.cap})
            else:
                sp, ap = manual.get((aid, adj.code), (math.nan, math.nan))
                v = sp if _nan(ap) else ap
            v = 0.0 if _nan(v) else min(max(v, 0.0), adj.cap)
            if adj.kind == "bonus":
                bonus += v
            else:
                deduction += v
        total = max(points + bonus - deduction, 0.0)
        index = min(max(total / max_points * 100, 0.0), 100.0) if max_points > 0 else math.nan
        area_index = {c: (p / m * 100 if m > 0 else math.nan) for c, (p, m) in per_area.items()}
        rows.append({"agency_id": aid, "group": group, "points": total,
                     "max_points": max_points, "index": index, "_areas": area_index,
                     "_values": values})
    # ranks: Python sort per group, competition on the canonical index then tie-breaks
    out = pd.DataFrame(rows).set_index("agency_id")
    ranks = {}
    for _, part in out.groupby("group"):
        def key(aid: str, part: pd.DataFrame = part) -> tuple:
            r = part.loc[aid]
            keys = [round(r["index"], rules.ranking.precision)]
            for k in rules.ranking.tie_break:
                name = k.lstrip("-+")
                v = r["_areas"].get(name, r["_values"].get(name, math.nan))
                keys.append(-v if k.startswith("-") else v)
            return tuple(-math.inf if _nan(x) else x for x in keys)
        ordered = sorted(part.index, key=key, reverse=True)
        prev, prev_rank = None, 0
        for i, aid in enumerate(ordered, start=1):
            k = key(aid)
            if k != prev:
                prev_rank, prev = i, k
            ranks[aid] = prev_rank
    out["rank"] = pd.Series(ranks)
    return out.drop(columns=["_areas", "_values"])


# --------------------------------------------------------------------------- slices
def slice_dataset(ds: Dataset, ids: list[str]) -> Dataset:
    keep = set(ids)
    return ds.replace(agencies=ds.agencies.loc[ids], dossiers=ds.dossiers.loc[ids],
                      scores=ds.scores[ds.scores["agency_id"].isin(keep)],
                      surveys=ds.surveys[ds.surveys["agency_id"].isin(keep)])


def fresh(ds: Dataset) -> Dataset:
    """A copy of ``ds`` the engine has not indexed yet (for cold timings; the copy shares
    the tables, so making it costs microseconds)."""
    return ds.replace()


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def profile_slice(rules: RuleSet, ds: Dataset, indicators: pd.DataFrame, runs: int = 50
                  ) -> dict[str, float]:
    """Where the vectorised slice time goes: mean ms per ``score`` call spent in the
    engine's phases (timers wrapped around its functions for the measurement only).

    ``leaves`` (``run_tree``: every leaf of the tree) includes ``tables`` (indexing and
    gathering the score/survey tables, survey options) and ``expressions`` (formulas and
    ``applies_if``).
    """
    import sys

    import scoring.engine.batch as batch
    eng = sys.modules["scoring.engine.score"]
    spent: dict[str, float] = defaultdict(float)
    parts = {"leaves": (eng, "run_tree"), "tables": (batch, "prefetch"),
             "survey_options": (batch, "_survey_options"),
             "dataset_index": (eng, "dataset_index"),
             "expressions": (batch, "expression_values"),
             "indicator_matrix": (eng, "_indicator_matrix"),
             "adjustments": (eng, "_adjustment"), "area_sums": (eng, "_area_sums"),
             "ranks": (eng, "rank_within"), "classes": (eng, "classify")}
    saved = {name: getattr(mod, attr) for name, (mod, attr) in parts.items()}

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                spent[name] += time.perf_counter() - t
        return wrapper

    for name, (mod, attr) in parts.items():
        setattr(mod, attr, timed(name, saved[name]))
    try:
        score(rules, fresh(ds), indicators=indicators)
        spent.clear()
        t0 = time.perf_counter()
        for _ in range(runs):
            score(rules, fresh(ds), indicators=indicators)
        total = time.perf_counter() - t0
    finally:
        for name, (mod, attr) in parts.items():
            setattr(mod, attr, saved[name])
    out = {"total": total}
    out.update(spent)
    out["tables"] = out.get("tables", 0.0) + out.pop("survey_options", 0.0)
    return {k: round(v / runs * 1000, 3) for k, v in out.items()}


def main() -> int:
    rules = make_rules()
    ds = make_dataset(seed=SEED, rules=rules)
    n_leaves = sum(1 for _ in rules.trees["national"].leaves())
    score(rules, ds.replace())                           # warm-up (imports, rule plans)
    runs = []
    for _ in range(5):
        cold = fresh(ds)
        t = time.perf_counter()
        result = score(rules, cold)
        runs.append(time.perf_counter() - t)
    emit("score_rank_national_s", round(statistics.median(runs), 4), "s")
    score(rules, ds)                                     # builds ds's index
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        score(rules, ds)
        warm.append(time.perf_counter() - t)
    emit("score_rank_national_warm_s", round(statistics.median(warm), 4), "s")
    cold = fresh(ds)
    tracemalloc.start()
    score(rules, cold)
    emit("score_traced_peak_mib", round(tracemalloc.get_traced_memory()[1] / 2**20, 1), "MiB")
    tracemalloc.stop()

    rng = np.random.default_rng(SEED)
    ids = list(rng.choice(ds.agencies.index.to_numpy(), size=SLICE, replace=False))
    small = slice_dataset(ds, ids)
    ind = derive_indicators(ds).loc[ids]
    vec = score(rules, small, indicators=ind).totals
    base = score_per_row(rules, small, ind)
    diff = np.abs(vec.loc[ids, "points"].to_numpy() - base.loc[ids, "points"].to_numpy())
    if diff.max() > 1e-9 or not (vec.loc[ids, "rank"].to_numpy(dtype=float)
                                 == base.loc[ids, "rank"].to_numpy(dtype=float)).all():
        raise SystemExit("per-row baseline and engine disagree; the speed-up is meaningless")
    t_row = best_of(lambda: score_per_row(rules, small, ind))
    t_vec = best_of(lambda: score(rules, fresh(small), indicators=ind))
    emit("speedup_vs_per_row_cold", round(t_row / t_vec, 1), "x")
    emit("per_row_slice_cold_s", round(t_row, 4), "s")
    emit("vectorised_slice_cold_s", round(t_vec, 4), "s")
    # "data loaded" on both sides: the per-row loop's look-ups and the engine's dataset
    # index are built before the clock starts; only scoring with the rules is timed
    prepared = prepare_per_row(rules, small, ind)
    score(rules, small, indicators=ind)                  # builds small's dataset index
    t_row_loaded = best_of(lambda: score_per_row(rules, small, ind, prepared))
    t_vec_loaded = best_of(lambda: score(rules, small, indicators=ind))
    emit("speedup_vs_per_row", round(t_row_loaded / t_vec_loaded, 1), "x")
    emit("per_row_slice_s", round(t_row_loaded, 4), "s")
    emit("vectorised_slice_s", round(t_vec_loaded, 4), "s")

    def with_frames() -> None:
        r = score(rules, fresh(small), indicators=ind)
        r.totals, r.areas                      # noqa: B018 - built on first access
    emit("vectorised_slice_with_frames_s", round(best_of(with_frames), 4), "s")
    for part, ms in profile_slice(rules, small, ind).items():
        emit(f"slice_profile_{part}_ms", ms, "ms")
    full_ind = derive_indicators(ds)
    t_row_all = best_of(lambda: score_per_row(rules, ds, full_ind), repeat=1)
    t_vec_all = best_of(lambda: score(rules, fresh(ds), indicators=full_ind), repeat=3)
    emit("speedup_vs_per_row_national", round(t_row_all / t_vec_all, 1), "x")
    emit("per_row_national_s", round(t_row_all, 3), "s")
    emit("agencies_national", int(len(result.totals)), "agencies")
    emit("leaves", n_leaves, "leaves")
    emit("peak_memory_mib",
         round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1), "MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
