"""Monte Carlo rank intervals over declared uncertainties.

The engine runs once. Its ledger becomes per-leaf arrays (:class:`~.base.Base`); each
run changes only the leaves a declared source touches, for all runs at once:

* ``leaf_max`` — a factor ``new max / declared max`` per run scales the leaf's points and
  maximum (``runs × agencies``);
* ``band_shift`` — a shift per run; the leaf's stored values are looked up again in the
  shifted bands (only bounds between bands move; the domain edges stay);
* ``leave_one_out`` — in a share ``probability`` of runs one leaf, drawn uniformly, loses
  its points and maximum;
* ``perturb`` — independent normal noise per agency, leaf and run on manual/survey points,
  clipped to ``[0, max]``.

Totals, index, ranks (per group, the rule set's method at its canonical precision) and
classes are then computed for every run in vectorised numpy calls. Runs are processed in
fixed chunks of :data:`CHUNK` so memory stays bounded; each source draws from its own
random stream (``SeedSequence(seed, spawn_key=(source, leaf))``), so the same seed gives
the same output and adding a source does not change the draws of the others.

Sensitivity: for each source the first ``min(runs, SENSITIVITY_RUNS)`` runs are repeated
with only that source varying (same draws). ``variance_share`` is
Σ_agencies Var(rank | only this source) / Σ_agencies Var(rank | all sources) per group
(over those runs) — a first-order variance-based estimate
that equals the first-order Sobol index when the sources act additively (interactions
make the shares add up to less or more than 1). ``mean_abs_rank_shift`` is the mean
|rank − nominal rank| with only that source varying.

Examples
--------
>>> # sim = simulate(score(rules, ds), load_uncertainty("rules/x/uncertainty.yaml"),
>>> #                runs=1000, seed=1)
>>> # sim.agencies[["nominal_rank", "p05_rank", "median_rank", "p95_rank"]]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.leaves import BandTable
from scoring.errors import Problem, UsageError
from scoring.simulate.base import Base, LeafArrays
from scoring.simulate.uncertainty import (
    BandShift,
    LeafMax,
    LeaveOneOut,
    Perturb,
    Source,
    Uncertainty,
)
from scoring.text import slug

CHUNK = 100
SENSITIVITY_RUNS = 400
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimulationResult:
    """Rank intervals and sensitivities.

    Attributes
    ----------
    agencies : DataFrame
        Indexed by ``agency_id``: ``agency, group, nominal_rank, mean_rank, median_rank,
        p05_rank, p95_rank, p_top_k, nominal_class`` and one ``p_class_<label>`` column per
        class label (probability of that class), ``p_nominal_class`` (probability of
        keeping the nominal class).
    groups : DataFrame
        Per group: ``agencies, mean_abs_rank_shift, share_rank_changed``.
    sensitivity : DataFrame
        Per source and group: ``mean_abs_rank_shift, variance_share`` (empty when not
        computed), sorted by influence.
    runs, seed, top_k : int
    class_columns : dict
        ``column -> class label``.
    notes : tuple of str
        Anything the user should know (e.g. sources that touch no agency).
    """

    agencies: pd.DataFrame
    groups: pd.DataFrame
    sensitivity: pd.DataFrame
    runs: int
    seed: int
    top_k: int
    sources: tuple[str, ...]
    class_columns: dict[str, str]
    notes: tuple[str, ...] = ()
    group_names: dict[str, str] = field(default_factory=dict)

    def replace(self, **changes: Any) -> SimulationResult:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)


# --------------------------------------------------------------------------- band lookup
def band_points(rule: Any, value: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Points of ``value`` in the bands of ``rule`` moved by ``shift`` (per run).

    Bounds between bands move by the shift; the outermost bounds and the rule's domain
    edges stay, so every value keeps a band. With ``hit: first`` the first matching band
    wins; a value in no band earns 0.

    Parameters
    ----------
    rule : BandsRule or TasksRule (mode bands)
    value : ndarray, shape (n,)
    shift : ndarray, shape (runs,)

    Returns
    -------
    ndarray, shape (runs, n)

    Examples
    --------
    >>> from scoring.rules.model import Band, BandsRule
    >>> r = BandsRule(indicator="x", bands=[Band(min=50, points=2), Band(max=50, points=0)])
    >>> band_points(r, np.array([49.0, 51.0]), np.array([0.0, 2.0, -2.0]))
    array([[0., 2.],
           [0., 0.],
           [2., 2.]])
    """
    bands = rule.bands
    domain = getattr(rule, "domain", None)
    if rule.kind == "tasks":
        domain = (0.0, 100.0)
    finite = [x for b in bands for x in (b.min, b.max) if x is not None]
    fixed = set()
    if finite and all(b.min is not None for b in bands):
        fixed.add(min(finite))
    if finite and all(b.max is not None for b in bands):
        fixed.add(max(finite))
    if domain is not None:
        fixed.update(domain)
    lo = np.array([-math.inf if b.min is None else b.min for b in bands])
    hi = np.array([math.inf if b.max is None else b.max for b in bands])
    s = shift[:, None]
    lo = np.where(np.isin(lo, list(fixed)) | np.isinf(lo), lo, lo + s)
    hi = np.where(np.isin(hi, list(fixed)) | np.isinf(hi), hi, hi + s)
    runs = len(shift)
    table = BandTable(np.broadcast_to(lo, (runs, len(bands))),
                      np.broadcast_to(hi, (runs, len(bands))),
                      np.broadcast_to([b.points for b in bands], (runs, len(bands))),
                      np.full(runs, len(bands)), np.zeros(runs, dtype=bool))
    return table.lookup(np.broadcast_to(value, (runs, len(value))))[0]


# --------------------------------------------------------------------------- plan
@dataclass(frozen=True)
class _Plan:
    """Declared sources resolved against the base: which leaves each touches."""

    sources: tuple[Source, ...]
    targets: tuple[tuple[tuple[str, str], ...], ...]   # per source: leaf keys touched
    bands: dict[tuple[str, str], Any]                    # leaf key -> bands rule


def _keys(base: Base, codes: tuple[str, ...] | str, group: str | None,
          kinds: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
    out = []
    for key, leaf in base.leaves.items():
        g, code = key
        if group is not None and g != group:
            continue
        if codes != "all" and code not in codes:
            continue
        if kinds is not None and leaf.kind not in kinds:
            continue
        out.append(key)
    return tuple(out)


def _plan(base: Base, unc: Uncertainty) -> tuple[_Plan, list[str]]:
    rules = base.result.rules
    sources = tuple(unc.sources())
    targets = []
    bands: dict[tuple[str, str], Any] = {}
    notes: list[str] = []
    problems: list[Problem] = []
    for src in sources:
        if isinstance(src, LeafMax | BandShift):
            keys = _keys(base, (src.leaf,), src.group)
        elif isinstance(src, LeaveOneOut):
            keys = _keys(base, src.leaves, src.group)
        else:
            keys = _keys(base, src.leaves, src.group, src.kinds)
        if isinstance(src, BandShift):
            for key in keys:
                rule = rules.leaf(key[1], rules.group(key[0]).tree).rule
                if rule.kind == "bands" or (rule.kind == "tasks" and rule.mode == "bands"):
                    bands[key] = rule
                else:
                    problems.append(Problem(
                        f"leaf {key[1]} (group {key[0]}) is a {rule.kind} leaf without bands; "
                        "band_shift needs a bands leaf", field="band_shift",
                        fix="remove the entry or name a leaf scored by bands"))
        if not keys:
            notes.append(f"{src.name} touches no ranked agency's leaf")
        targets.append(keys)
    if problems:
        raise UsageError(problems)
    return _Plan(sources, tuple(targets), bands), notes


# --------------------------------------------------------------------------- draws
class _Draws:
    """Per-run parameters of every source, from independent streams."""

    def __init__(self, plan: _Plan, runs: int, seed: int):
        self.seed = seed
        self.scalar: list[np.ndarray | None] = []
        self.choice: list[tuple[tuple[str, ...], np.ndarray] | None] = []
        for i, src in enumerate(plan.sources):
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
            if isinstance(src, LeafMax):
                lo, hi = src.range
                self.scalar.append(rng.uniform(lo, hi, runs))
            elif isinstance(src, BandShift):
                self.scalar.append(rng.uniform(-src.by, src.by, runs))
            else:
                self.scalar.append(None)
            if isinstance(src, LeaveOneOut):
                codes = tuple(sorted({k[1] for k in plan.targets[i]}))
                pick = rng.integers(0, max(len(codes), 1), runs)
                left_out = rng.random(runs) < src.probability
                self.choice.append((codes, np.where(left_out, pick, -1)))
            else:
                self.choice.append(None)

    def noise_rng(self, source: int, leaf_no: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(self.seed,
                                                            spawn_key=(source, 1 + leaf_no)))


# --------------------------------------------------------------------------- core
def _apply(base: Base, plan: _Plan, draws: _Draws, active: tuple[int, ...],
           lo: int, hi: int, rngs: dict[tuple[int, int], np.random.Generator],
           ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Points, maxima and tie-break area sums for runs ``lo:hi`` (``active`` sources vary).

    Each touched leaf is changed in the order band shift → noise → max → left out; only
    its column range of the ``runs × agencies`` arrays is updated, and a leaf that is
    only left out touches only the runs that leave it out.
    """
    n = hi - lo
    shape = (n, len(base.points))
    points = np.broadcast_to(base.points, shape).copy()
    maxp = np.broadcast_to(base.max_points, shape).copy()
    area_p = {a: np.broadcast_to(v, shape).copy() for a, v in base.area_points.items()}
    area_m = {a: np.broadcast_to(v, shape).copy() for a, v in base.area_max.items()}
    touched: dict[tuple[str, str], list[int]] = {}
    for i in active:
        for key in plan.targets[i]:
            touched.setdefault(key, []).append(i)

    def add(leaf: LeafArrays, rows: Any, dp: np.ndarray | None, dm: np.ndarray | None) -> None:
        targets = [(points, maxp)]
        if leaf.area in area_p:
            targets.append((area_p[leaf.area], area_m[leaf.area]))
        for tp, tm in targets:
            if dp is not None:
                tp[rows, leaf.cols] += dp
            if dm is not None:
                tm[rows, leaf.cols] += dm

    for key, srcs in touched.items():
        leaf: LeafArrays = base.leaves[key]
        k = len(leaf.points)
        p: np.ndarray | None = None          # None: nominal points (all runs)
        m: np.ndarray | None = None          # None: nominal maxima
        left_out = None
        for i in sorted(srcs, key=lambda i: _STAGE[type(plan.sources[i])]):
            src = plan.sources[i]
            if isinstance(src, BandShift):
                ok = (leaf.status == "scored") & np.isfinite(leaf.value)
                shifted = band_points(plan.bands[key], np.nan_to_num(leaf.value),
                                      draws.scalar[i][lo:hi])
                p = np.where(ok, np.minimum(shifted, leaf.max_points), leaf.points)
            elif isinstance(src, Perturb):
                ok = np.flatnonzero((leaf.max_points > 0)
                                    & np.isin(leaf.status, ("scored", "manual", "capped")))
                if not len(ok):
                    continue
                leaf_no = plan.targets[i].index(key)
                rng = rngs.setdefault((i, leaf_no), draws.noise_rng(i, leaf_no))
                noise = rng.standard_normal((n, len(ok)), dtype=np.float32)
                noise *= np.float32(src.sd * leaf.leaf_max)
                p = np.broadcast_to(leaf.points, (n, k)).copy() if p is None else p
                if len(ok) == k:
                    p += noise
                    np.clip(p, 0.0, leaf.max_points, out=p)
                else:
                    p[:, ok] = np.clip(p[:, ok] + noise, 0.0, leaf.max_points[ok])
            elif isinstance(src, LeafMax):
                f = (draws.scalar[i][lo:hi] / leaf.leaf_max)[:, None]
                p = (leaf.points if p is None else p) * f
                m = leaf.max_points * f
            else:
                codes, pick = draws.choice[i]
                left_out = np.flatnonzero(pick[lo:hi] == codes.index(key[1]))
        if p is not None or m is not None:
            add(leaf, slice(None), None if p is None else p - leaf.points,
                None if m is None else m - leaf.max_points)
        if left_out is not None and len(left_out):
            cur_p = leaf.points if p is None else p[left_out]
            cur_m = leaf.max_points if m is None else m[left_out]
            add(leaf, left_out, -np.broadcast_to(cur_p, (len(left_out), k)),
                -np.broadcast_to(cur_m, (len(left_out), k)))
    return points, maxp, area_p, area_m


_STAGE = {BandShift: 0, Perturb: 1, LeafMax: 2, LeaveOneOut: 3}


def _ranks(base: Base, plan: _Plan, draws: _Draws, active: tuple[int, ...], runs: int,
           tick: Callable[[], None], *, want_classes: bool = False,
           ) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    ranks = np.empty((runs, len(base.agency_ids)), dtype=np.int32)
    classes: dict[str, list[np.ndarray]] = {g: [] for g in base.group_ids}
    rngs: dict[tuple[int, int], np.random.Generator] = {}
    for lo in range(0, runs, CHUNK):
        hi = min(runs, lo + CHUNK)
        pts, mx, area_p, area_m = _apply(base, plan, draws, active, lo, hi, rngs)
        ranks[lo:hi], canon = base.rank(pts, mx, area_p, area_m)
        if want_classes:
            for g, c in base.classes(canon).items():
                classes[g].append(c)
        tick()
    if not want_classes:
        return ranks, None
    return ranks, {g: np.concatenate(c) for g, c in classes.items()}


def _pct(ranks: np.ndarray, q: float) -> np.ndarray:
    return np.percentile(ranks, q, axis=0, method="inverted_cdf").astype(int)


def simulate(result: Any, uncertainty: Uncertainty, *, runs: int = 1000, seed: int = 0,
             top_k: int = 3, sensitivity: bool = True,
             progress: Progress | None = None) -> SimulationResult:
    """Rank intervals per agency over the declared uncertainties.

    Parameters
    ----------
    result : scoring.engine.ScoreResult
        The nominal result (``score(rules, ds)``).
    uncertainty : Uncertainty
        What varies (an empty one gives every agency its nominal rank as the interval).
    runs : int
        Number of Monte Carlo runs (≥ 1).
    seed : int
        Seed of the random streams; the same seed gives identical output.
    top_k : int
        ``p_top_k`` is the probability of a rank ≤ ``top_k``.
    sensitivity : bool
        Also run each source alone to rank their influence.
    progress : callable, optional
        ``progress(done, total)`` after each chunk of runs.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> # simulate(score(rules, ds), Uncertainty(), runs=10, seed=1).agencies.p95_rank
    """
    if runs < 1:
        raise UsageError(Problem("runs must be at least 1", field="--runs",
                                 fix="pass e.g. --runs 1000"))
    if top_k < 1:
        raise UsageError(Problem("top k must be at least 1", field="--top-k",
                                 fix="pass e.g. --top-k 3"))
    base = Base.from_result(result)
    mismatch = base.check_reproduces()
    plan, notes = _plan(base, uncertainty)
    if base.dropped:
        notes.append(f"{len(base.dropped)} agencies have no index (nothing applies to them) "
                     "and no rank, so they are left out: " + ", ".join(base.dropped[:5])
                     + (" …" if len(base.dropped) > 5 else ""))
    if mismatch:
        notes.append("the simulation's reconstruction of the nominal ranks differs from the "
                     "engine for " + "; ".join(mismatch))
    draws = _Draws(plan, runs, seed)
    n_src = len(plan.sources)
    chunks = math.ceil(runs / CHUNK)
    sens_runs = min(runs, SENSITIVITY_RUNS)
    total = chunks + (math.ceil(sens_runs / CHUNK) * n_src if sensitivity and n_src > 1 else 0)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    ranks, classes = _ranks(base, plan, draws, tuple(range(n_src)), runs, tick,
                            want_classes=True)
    assert classes is not None
    agencies = _agency_table(base, ranks, classes, top_k)
    class_columns: dict[str, str] = {}
    for g in base.group_ids:
        for label in (*base.class_labels[g], base.unclassified[g]):
            class_columns.setdefault(_class_col(label), label)
    groups = _group_table(base, ranks)
    sens = pd.DataFrame(columns=["source", "group", "mean_abs_rank_shift", "variance_share",
                                 "why"])
    if sensitivity and n_src:
        rows = []
        first = ranks[:sens_runs]
        total_var = {g: first[:, base.groups == g].var(axis=0).sum() for g in base.group_ids}
        for i, src in enumerate(plan.sources):
            if n_src == 1:
                alone = first
            elif not plan.targets[i]:
                alone = np.broadcast_to(base.nominal_rank, first.shape)
                for _ in range(math.ceil(sens_runs / CHUNK)):
                    tick()
            else:
                alone = _ranks(base, plan, draws, (i,), sens_runs, tick)[0]
            for g in base.group_ids:
                cols = base.groups == g
                shift = np.abs(alone[:, cols] - base.nominal_rank[cols]).mean()
                var = alone[:, cols].var(axis=0).sum()
                rows.append({"source": src.name, "group": g,
                             "mean_abs_rank_shift": float(shift),
                             "variance_share": float(var / total_var[g]) if total_var[g] > 0
                             else 0.0, "why": src.why or ""})
        sens = pd.DataFrame(rows).sort_values(
            ["group", "mean_abs_rank_shift", "source"], ascending=[True, False, True],
            key=lambda s: s.map({g: i for i, g in enumerate(base.group_ids)})
            if s.name == "group" else s, kind="stable").reset_index(drop=True)
    return SimulationResult(agencies=agencies, groups=groups, sensitivity=sens, runs=runs,
                            seed=seed, top_k=top_k, sources=tuple(s.name for s in plan.sources),
                            class_columns=class_columns, notes=tuple(notes),
                            group_names={g.id: g.name for g in result.rules.groups})


def _class_col(label: str) -> str:
    return "p_class_" + (slug(label, "_") or "none")


def _agency_table(base: Base, ranks: np.ndarray, classes: dict[str, np.ndarray],
                  top_k: int) -> pd.DataFrame:
    df = pd.DataFrame({
        "agency": base.names, "group": base.groups, "nominal_rank": base.nominal_rank,
        "mean_rank": ranks.mean(axis=0), "median_rank": _pct(ranks, 50),
        "p05_rank": _pct(ranks, 5), "p95_rank": _pct(ranks, 95),
        "p_top_k": (ranks <= top_k).mean(axis=0), "nominal_class": base.nominal_class,
    }, index=pd.Index(base.agency_ids, name="agency_id"))
    for g in base.group_ids:
        cols = np.flatnonzero(base.groups == g)
        labels = (*base.class_labels[g], base.unclassified[g])
        for pos, label in enumerate(labels):
            col = _class_col(label)
            if col not in df:
                df[col] = 0.0
            df.iloc[cols, df.columns.get_loc(col)] = (classes[g] == pos).mean(axis=0)
    if base.output_order is not None:
        df = df.iloc[base.output_order]
    nominal_cols = df["nominal_class"].map(_class_col)
    df["p_nominal_class"] = [df.at[a, c] if c in df.columns else 0.0
                             for a, c in zip(df.index, nominal_cols, strict=True)]
    return df


def _group_table(base: Base, ranks: np.ndarray) -> pd.DataFrame:
    rows = []
    for g in base.group_ids:
        cols = base.groups == g
        diff = ranks[:, cols] - base.nominal_rank[cols]
        rows.append({"group": g, "agencies": int(cols.sum()),
                     "mean_abs_rank_shift": float(np.abs(diff).mean()),
                     "share_rank_changed": float((diff != 0).mean())})
    return pd.DataFrame(rows).set_index("group")
