"""Engine against two honest yardsticks, on the national synthetic dataset.

* **pandas script** — what an analyst would write for the bundled rule set: indicators
  with column arithmetic, task counts with ``explode`` + ``groupby``, bands with
  ``pd.cut``, the formula written out as pandas arithmetic, manual and survey leaves
  (no data before appraisal) as missing, ranks with ``groupby().rank``, classes with
  ``pd.cut``.
* **numpy floor** — the same on the same arrays with numpy only (``searchsorted`` for
  bands, ``bincount`` for task counts, one ``lexsort`` for the ranks): what the work
  costs without any framework.

Both are checked to give the engine's points, index, rank and class for every agency
before anything is timed. Timings are medians of interleaved cold runs (each engine run
scores a fresh ``ds.replace()`` copy, so its per-dataset index is built inside the clock;
indicators are derived inside every clock). The 96-leaf synthetic rule set
(:func:`benchmarks.synthetic.make_rules`) is timed for the engine alone.

Metrics (JSON lines): ``engine_bundled_s``, ``pandas_script_s``, ``numpy_floor_s``,
``engine_over_pandas``, ``engine_over_numpy``, ``engine_96_leaves_s``.

Run: ``python benchmarks/bench.py engine``
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.synthetic import make_dataset, make_rules
from scoring.dataset import Dataset
from scoring.engine import score
from scoring.paths import BUNDLED_RULES
from scoring.rounding import round_half_away
from scoring.rules.loader import load_rules
from scoring.rules.model import Leaf, RuleSet

FORMULA = "clip(max_points * (1 - late_rate / 5), 0, max_points)"
RUNS = 7


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 4), "unit": unit}))


def before_appraisal(ds: Dataset) -> Dataset:
    """``ds`` without manual scores and survey answers (the bundled set's 31 manual and
    survey leaves then carry no data)."""
    return ds.replace(scores=ds.scores.iloc[:0], surveys=ds.surveys.iloc[:0])


def _leaves(rules: RuleSet, tree: str) -> list[Leaf]:
    return [leaf for _, _, leaf in rules.trees[tree].leaves()]


# --------------------------------------------------------------------------- pandas
def pandas_script(rules: RuleSet, ds: Dataset) -> pd.DataFrame:
    """Points, index, rank and class per agency, the way a pandas user would write it."""
    d = ds.dossiers.reindex(ds.agencies.index)
    ind = pd.DataFrame(index=ds.agencies.index)
    ind["on_time_rate"] = (d["resolved_on_time"] / d["resolved"].where(d["resolved"] != 0)
                           * 100)
    den = d["resolved"] + d["pending"]
    ind["late_rate"] = d["late"] / den.where(den != 0) * 100
    ind["online_rate"] = d["online"] / d["online_eligible"].where(d["online_eligible"] != 0) \
        * 100
    leads = ds.tasks[["lead_agency_ids", "status"]].reset_index().explode("lead_agency_ids")
    leads = leads.drop_duplicates(["task_id", "lead_agency_ids"])
    counts = leads.groupby(["lead_agency_ids", "status"]).size().unstack(fill_value=0)
    counts = counts.reindex(index=ind.index, fill_value=0)
    out = []
    for group in rules.groups:
        agencies = ds.agencies[(ds.agencies["group"] == group.id) & ds.agencies["ranked"]]
        x = ind.loc[agencies.index]
        points = pd.Series(0.0, index=x.index)
        max_points = pd.Series(0.0, index=x.index)
        for leaf in _leaves(rules, group.tree):
            rule = leaf.rule
            if rule.kind in ("manual", "survey"):       # no data yet: missing
                if rule.missing == "zero":
                    max_points += leaf.max
                continue
            if rule.kind == "bands":
                v = x[rule.indicator]
                edges = sorted({b.min for b in rule.bands if b.min is not None}
                               | {b.max for b in rule.bands if b.max is not None})
                bins = [-np.inf, *edges, np.inf]
                labels = [next((b.points for b in rule.bands if b.contains(lo)), 0.0)
                          for lo in bins[:-1]]
                p = pd.cut(v, bins, right=False, labels=labels, ordered=False).astype(float)
            elif rule.kind == "formula":
                assert rule.expr == FORMULA, rule.expr
                v = leaf.max * (1 - x["late_rate"] / 5)
                p = v.clip(0, leaf.max)
            else:                                       # tasks, rate mode
                c = counts.loc[x.index]
                arising = c[list(rule.weights)].sum(axis=1)
                v = arising.where(arising > 0)
                p = (sum(w * c[s] for s, w in rule.weights.items()) / v * leaf.max
                     ).clip(0, leaf.max)
            points += p.fillna(0.0)
            max_points += v.notna() * leaf.max
        index = (points / max_points.where(max_points > 0) * 100).clip(0, 100)
        canon = pd.Series(round_half_away(index.to_numpy(), rules.ranking.precision),
                          index=index.index)
        rank = canon.rank(method="min", ascending=False)
        mins = sorted(c.min for c in group.classes)
        labels = [group.unclassified] + [c.label for c in sorted(group.classes,
                                                                 key=lambda c: c.min)]
        klass = pd.cut(canon, [-np.inf, *mins, np.inf], right=False, labels=labels)
        out.append(pd.DataFrame({"points": points, "index": index, "rank": rank,
                                 "class": klass.astype(object)}))
    return pd.concat(out)


# --------------------------------------------------------------------------- numpy
def numpy_floor(rules: RuleSet, ds: Dataset) -> pd.DataFrame:
    """The same numbers with numpy only, on the same arrays."""
    ids = ds.agencies.index
    n = len(ids)
    d = ds.dossiers.reindex(ids)
    col = {c: d[c].to_numpy(dtype=float) for c in ("resolved_on_time", "resolved", "late",
                                                    "pending", "online", "online_eligible")}

    def rate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.where(b > 0, a / np.where(b > 0, b, 1) * 100, np.nan)

    ind = {"on_time_rate": rate(col["resolved_on_time"], col["resolved"]),
           "late_rate": rate(col["late"], col["resolved"] + col["pending"]),
           "online_rate": rate(col["online"], col["online_eligible"])}
    leads = ds.tasks["lead_agency_ids"].to_numpy()
    statuses = ("done_on_time", "done_late", "not_done", "in_progress", "not_arising")
    st = pd.Index(statuses).get_indexer(ds.tasks["status"].to_numpy())
    flat = [a for t in leads for a in dict.fromkeys(t)]
    rows = ids.get_indexer(flat)
    cols = np.repeat(st, [len(dict.fromkeys(t)) for t in leads])
    counts = np.bincount(cols * n + rows, minlength=5 * n).reshape(5, n).astype(float)
    groups = ds.agencies["group"].to_numpy()
    ranked = ds.agencies["ranked"].to_numpy(dtype=bool)
    points = np.zeros(n)
    max_points = np.zeros(n)
    gcode = np.full(n, -1)
    for g, group in enumerate(rules.groups):
        sel = ranked & (groups == group.id)
        gcode[sel] = g
        for leaf in _leaves(rules, group.tree):
            rule = leaf.rule
            if rule.kind == "bands":
                v = ind[rule.indicator][sel]
                lo = np.array([-np.inf if b.min is None else b.min for b in rule.bands])
                order = np.argsort(lo)
                pts = np.array([b.points for b in rule.bands])[order]
                k = np.searchsorted(lo[order], v, side="right") - 1
                p = np.where(k >= 0, pts[np.maximum(k, 0)], 0.0)
                known = ~np.isnan(v)
            elif rule.kind == "formula":
                v = leaf.max * (1 - ind["late_rate"][sel] / 5)
                p = np.clip(v, 0, leaf.max)
                known = ~np.isnan(v)
            elif rule.kind == "tasks":
                c = counts[:, sel]
                w = np.array([rule.weights.get(s, 0.0) for s in statuses[:4]])
                arising = c[:4].sum(axis=0)
                known = arising > 0
                p = np.clip(w @ c[:4] / np.where(known, arising, 1) * leaf.max, 0, leaf.max)
            else:                                       # manual / survey: no data yet
                if rule.missing == "zero":
                    max_points[sel] += leaf.max
                continue
            points[sel] += np.where(known, p, 0.0)
            max_points[sel] += known * leaf.max
    with np.errstate(all="ignore"):
        index = np.where(max_points > 0, np.clip(points / max_points * 100, 0, 100), np.nan)
    canon = round_half_away(index, rules.ranking.precision)
    key = np.where(np.isnan(canon), -np.inf, canon)
    order = np.lexsort((-key, gcode))
    g_sorted, k_sorted = gcode[order], key[order]
    at = np.arange(n)
    start = np.r_[True, g_sorted[1:] != g_sorted[:-1]]
    new = start | np.r_[True, k_sorted[1:] != k_sorted[:-1]]
    rank_sorted = np.maximum.accumulate(np.where(new, at, 0)) \
        - np.maximum.accumulate(np.where(start, at, 0)) + 1
    rank = np.empty(n)
    rank[order] = rank_sorted
    rank[np.isnan(canon)] = np.nan
    klass = np.empty(n, dtype=object)
    for g, group in enumerate(rules.groups):
        sel = gcode == g
        mins = np.array(sorted(c.min for c in group.classes))
        labels = np.array([group.unclassified] + [c.label for c in sorted(
            group.classes, key=lambda c: c.min)], dtype=object)
        klass[sel] = labels[np.searchsorted(mins, canon[sel], side="right")]
    klass[np.isnan(canon)] = None
    keep = gcode >= 0
    return pd.DataFrame({"points": points[keep], "index": index[keep], "rank": rank[keep],
                         "class": klass[keep]}, index=ids[keep])


# --------------------------------------------------------------------------- checks
def check_same(engine: pd.DataFrame, other: pd.DataFrame, name: str) -> None:
    """Raise unless ``other`` gives the engine's points, index, rank and class."""
    other = other.loc[engine.index]
    for c in ("points", "index"):
        np.testing.assert_allclose(other[c].to_numpy(float), engine[c].to_numpy(float),
                                   rtol=0, atol=1e-9, err_msg=f"{name}: {c}")
    np.testing.assert_array_equal(other["rank"].to_numpy(float),
                                  engine["rank"].to_numpy(float), err_msg=f"{name}: rank")
    def labels(col: pd.Series) -> np.ndarray:
        return col.astype(object).where(col.notna(), "").astype(str).to_numpy()
    bad = labels(other["class"]) != labels(engine["class"])
    assert not bad.any(), f"{name}: class of {list(engine.index[bad][:5])}"


def medians(fns: dict[str, Any], runs: int = RUNS) -> dict[str, float]:
    """Median seconds of each function over ``runs`` interleaved rounds."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    rules = load_rules(BUNDLED_RULES)
    synthetic = make_dataset()
    ds = before_appraisal(synthetic)
    engine = score(rules, ds).totals
    check_same(engine, pandas_script(rules, ds), "pandas script")
    check_same(engine, numpy_floor(rules, ds), "numpy floor")
    t = medians({"engine": lambda: score(rules, ds.replace()),
                 "pandas": lambda: pandas_script(rules, ds),
                 "numpy": lambda: numpy_floor(rules, ds)})
    emit("engine_bundled_s", t["engine"], "s")
    emit("pandas_script_s", t["pandas"], "s")
    emit("numpy_floor_s", t["numpy"], "s")
    emit("engine_over_pandas", t["engine"] / t["pandas"], "ratio")
    emit("engine_over_numpy", t["engine"] / t["numpy"], "ratio")
    rules96 = make_rules()
    t96 = medians({"engine": lambda: score(rules96, synthetic.replace())}, runs=5)
    emit("engine_96_leaves_s", t96["engine"], "s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
