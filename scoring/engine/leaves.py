"""Leaf kinds: one vectorised evaluator per kind, registered by name.

Each evaluator turns one :class:`~scoring.rules.model.Leaf` into a :class:`LeafOutcome`
for *all* agencies in scope at once (numpy arrays aligned with ``ctx.agency_ids``), never
looping over agencies. :func:`evaluate_leaf` adds what every kind shares: ``applies_if``
and the not-applicable policy (``drop`` removes the leaf from the agency's max, ``award``
gives full points).

Statuses (codes in :data:`STATUSES`): ``scored`` (a data rule fired), ``not_applicable``
(applies_if false, indicator NaN, no task arose), ``manual`` (appraised or self-assessed
points taken from the score table), ``capped`` (points above the max cut to the max),
``missing`` (no manual/survey entry; the rule's ``missing`` policy decides the max).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from scoring.rules.model import Band, BandsRule, Leaf
>>> leaf = Leaf(code="3.1.1", name="Đúng hạn", max=2, rule=BandsRule(
...     indicator="on_time_rate", domain=(0, 100),
...     bands=[Band(min=98, points=2), Band(min=90, max=98, points=1),
...            Band(min=0, max=90, points=0)]))
>>> ind = pd.DataFrame({"on_time_rate": [99.0, 91.0, np.nan]}, index=["a", "b", "c"])
>>> out = evaluate_leaf(leaf, ind)
>>> out.points.tolist(), out.max_points.tolist(), out.status_names()
([2.0, 1.0, 0.0], [2.0, 2.0, 0.0], ['scored', 'scored', 'not_applicable'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import DataError, Problem, RuleError
from scoring.rules.model import Band, FormulaRule, Leaf, TasksRule

STATUSES: tuple[str, ...] = ("scored", "not_applicable", "manual", "capped", "missing")
SCORED, NOT_APPLICABLE, MANUAL, CAPPED, MISSING = range(5)
TASK_COLUMNS: dict[str, str] = {
    "done_on_time": "tasks_done_on_time", "done_late": "tasks_done_late",
    "not_done": "tasks_not_done", "in_progress": "tasks_in_progress",
    "not_arising": "tasks_not_arising"}
TASK_LABELS: dict[str, str] = {
    "done_on_time": "đúng hạn", "done_late": "trễ hạn", "not_done": "chưa làm",
    "in_progress": "đang làm", "not_arising": "không phát sinh"}
NA_LABELS: dict[str, str] = {"drop": "không áp dụng → loại khỏi điểm tối đa",
                             "award": "không áp dụng → đạt điểm tối đa"}


def fmt(x: float | None) -> str:
    """Short number for labels: ``2.0`` → ``'2'``, ``None``/inf → ``'±∞'``.

    >>> fmt(2.0), fmt(97.5), fmt(None), fmt(float("inf"))
    ('2', '97.5', '∞', '+∞')
    """
    if x is None:
        return "∞"
    if np.isinf(x):
        return "+∞" if x > 0 else "−∞"
    return f"{x:.6g}"


def band_label(band: Band) -> str:
    """``[95, +∞) → 2`` (the band that fired, as the ledger shows it)."""
    lo = "−∞" if band.min is None else fmt(band.min)
    hi = "+∞" if band.max is None else fmt(band.max)
    text = f"[{lo}, {hi}) → {fmt(band.points)}"
    return f"{text} ({band.label})" if band.label else text


_LABELS: dict[int, tuple[tuple[Band, ...], tuple[str, ...]]] = {}


def _band_labels(bands: tuple[Band, ...]) -> tuple[str, ...]:
    """Labels of ``bands`` plus the no-band label (cached per bands tuple)."""
    hit = _LABELS.get(id(bands))
    if hit is not None and hit[0] is bands:
        return hit[1]
    labels = tuple(band_label(b) for b in bands) + ("không khoảng nào chứa giá trị → 0",)
    if len(_LABELS) > 4096:
        _LABELS.clear()
    _LABELS[id(bands)] = (bands, labels)      # holds ``bands``, so the id stays theirs
    return labels


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class LeafTables:
    """The dataset tables manual and survey leaves read (``Dataset.scores``/``surveys``).

    Parameters
    ----------
    scores : DataFrame
        ``agency_id, leaf, self_points, appraised_points`` (one row per agency and leaf).
    surveys : DataFrame
        ``agency_id, leaf, option, count`` or ``agency_id, leaf, share``.
    """

    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    surveys: pd.DataFrame = field(default_factory=pd.DataFrame)
    _arrays: dict[str, TableArrays] = field(default_factory=dict, repr=False, compare=False)

    def table(self, table: str) -> pd.DataFrame:
        """The table called ``table`` (``scores`` or ``surveys``)."""
        if table not in ("scores", "surveys"):
            raise RuleError(Problem(f"unknown table {table!r}", field="rule.table",
                                    fix="use 'scores' (manual) or 'surveys' (survey)"))
        df = getattr(self, table)
        if df is None or "leaf" not in df.columns or "agency_id" not in df.columns:
            return pd.DataFrame(columns=["agency_id", "leaf"])
        return df

    def arrays(self, table: str) -> TableArrays:
        """The table as numpy arrays, grouped by leaf (computed once per table)."""
        if table not in self._arrays:
            self._arrays[table] = TableArrays.of(self.table(table))
        return self._arrays[table]

    def rows(self, table: str, leaf: str) -> pd.DataFrame:
        """Rows of ``table`` for ``leaf`` (empty frame when none)."""
        return self.table(table).iloc[self.arrays(table).rows(leaf)]


def _floats(col: pd.Series) -> np.ndarray:
    if pd.api.types.is_float_dtype(col.dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


@dataclass(frozen=True, eq=False)
class TableArrays:
    """A score or survey table as arrays: agency ids, rows per leaf, numeric columns and
    answer options (as codes into ``options``)."""

    agency_id: np.ndarray
    by_leaf: dict[str, np.ndarray]
    numbers: dict[str, np.ndarray]
    option_codes: np.ndarray
    options: tuple[str, ...]

    @classmethod
    def of(cls, df: pd.DataFrame) -> TableArrays:
        n = len(df)
        by_leaf: dict[str, np.ndarray] = {}
        if n:
            codes, uniques = pd.factorize(df["leaf"].to_numpy(dtype=object))
            order = np.argsort(codes, kind="stable")
            bounds = np.cumsum(np.bincount(codes[codes >= 0], minlength=len(uniques)))
            for leaf, part in zip(uniques, np.split(order[-bounds[-1]:] if len(bounds)
                                                    else order[:0], bounds[:-1]),
                                  strict=True):
                by_leaf[str(leaf)] = part
        numbers = {col: _floats(df[col]) if col in df.columns else np.full(n, np.nan)
                   for col in ("self_points", "appraised_points", "count", "share")}
        if "option" in df.columns and n:
            codes, uniques = pd.factorize(df["option"].to_numpy(dtype=object))
            uniques = [str(u) for u in uniques]
        else:
            codes, uniques = np.full(n, -1), []
        return cls(agency_id=df["agency_id"].astype(str).to_numpy(dtype=object),
                   by_leaf=dict(by_leaf), numbers=numbers,
                   option_codes=np.asarray(codes), options=tuple(map(str, uniques)))

    def rows(self, leaf: str) -> np.ndarray:
        """Row positions of ``leaf``."""
        return self.by_leaf.get(leaf, np.zeros(0, dtype=np.int64))


# --------------------------------------------------------------------------- outcome
@dataclass(frozen=True, eq=False)
class LeafOutcome:
    """One leaf over all agencies in scope (arrays aligned with the context's agencies).

    Attributes
    ----------
    value : ndarray of float
        The number the rule looked at (NaN if none).
    points, max_points : ndarray of float
        Points awarded and the max counted for the agency (0 when dropped).
    status : ndarray of int8
        Codes into :data:`STATUSES`.
    rule : ndarray of int
        Codes into ``rule_labels`` (the band/row that fired).
    rule_labels : tuple of str
    inputs : dict of str → ndarray
        The inputs the rule read, by name (rendered as ``name=value`` in the ledger).
    """

    value: np.ndarray
    points: np.ndarray
    max_points: np.ndarray
    status: np.ndarray
    rule: np.ndarray
    rule_labels: tuple[str, ...]
    inputs: Mapping[str, np.ndarray]

    def status_names(self) -> list[str]:
        """Statuses as names (for tests and debugging)."""
        return [STATUSES[s] for s in self.status]

    def rule_names(self) -> list[str]:
        """The rule label that fired for each agency."""
        return [self.rule_labels[r] for r in self.rule]

    def replace(self, **changes: Any) -> LeafOutcome:
        """Copy with some arrays replaced."""
        from dataclasses import replace
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class LeafContext:
    """What an evaluator may read: indicators aligned with ``agency_ids``, and tables."""

    agency_ids: pd.Index
    indicators: pd.DataFrame
    tables: LeafTables
    where: str = ""
    _positions: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _indexes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def preload(self, matrix: np.ndarray) -> None:
        """Take every indicator column at once from ``matrix`` (columns × agencies,
        float, in ``indicators.columns`` order), instead of one pandas read per column."""
        names = list(self.indicators.columns)
        for name, row in zip(names, matrix, strict=True):
            self._columns.setdefault(name, row)
        self._indexes["matrix"] = (matrix, {name: i for i, name in enumerate(names)})

    def lookup(self, table: str, leaf: str) -> tuple[TableArrays, np.ndarray, np.ndarray]:
        """(table arrays, row positions of ``leaf``, their agency positions; −1 = out of
        scope). Agency ids of the whole table are matched once per context."""
        arrays = self.tables.arrays(table)
        idx = arrays.rows(leaf)
        if table not in self._positions:
            self._positions[table] = (self.agency_ids.get_indexer(arrays.agency_id)
                                      if len(arrays.agency_id) else np.zeros(0, np.int64))
        return arrays, idx, self._positions[table][idx]

    @property
    def n(self) -> int:
        return len(self.agency_ids)

    def column(self, name: str, leaf: Leaf) -> np.ndarray:
        """Indicator ``name`` as a float array; a clear error when the data lacks it."""
        if name not in self.indicators.columns:
            raise RuleError(Problem(
                f"leaf {leaf.code} reads indicator {name!r}, which the indicators do not "
                f"provide", field=f"{self.where}leaf {leaf.code}",
                fix="use one of: " + ", ".join(map(str, self.indicators.columns))))
        if name not in self._columns:
            self._columns[name] = self.indicators[name].to_numpy(dtype=float, na_value=np.nan)
        return self._columns[name]


Evaluator = Callable[[Leaf, LeafContext], LeafOutcome]
LEAF_EVALUATORS: dict[str, Evaluator] = {}


def register_leaf_kind(kind: str) -> Callable[[Evaluator], Evaluator]:
    """Register a vectorised evaluator for leaf rules of ``kind``.

    >>> @register_leaf_kind("_demo")
    ... def _demo(leaf, ctx): ...
    >>> "_demo" in LEAF_EVALUATORS
    True
    >>> del LEAF_EVALUATORS["_demo"]
    """
    def deco(fn: Evaluator) -> Evaluator:
        LEAF_EVALUATORS[kind] = fn
        return fn
    return deco


# --------------------------------------------------------------------------- bands
def lookup_bands(values: np.ndarray, bands: tuple[Band, ...], hit: str = "unique"
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised band lookup: ``(points, band_index)``; index −1 where no band holds.

    ``unique`` bands (no overlaps, checked by the model) use one ``searchsorted``;
    ``first`` takes the first band in file order that holds the value (one mask per band).

    >>> from scoring.rules.model import Band
    >>> b = (Band(min=95, points=2), Band(min=80, max=95, points=1))
    >>> lookup_bands(np.array([99.0, 95.0, 94.9, 10.0]), b)
    (array([2., 2., 1., 0.]), array([ 0,  0,  1, -1]))
    """
    values = np.asarray(values, dtype=float)
    n = len(bands)
    pts = np.array([b.points for b in bands] + [0.0])
    if hit == "unique":
        lo = np.array([-np.inf if b.min is None else b.min for b in bands])
        hi = np.array([np.inf if b.max is None else b.max for b in bands])
        order = np.argsort(lo, kind="stable")
        pos = np.searchsorted(lo[order], values, side="right") - 1
        cand = order[np.clip(pos, 0, n - 1)]
        ok = (pos >= 0) & (values < hi[cand]) & (values >= lo[cand])
        idx = np.where(ok, cand, -1)
    else:
        idx = np.full(values.shape, -1, dtype=np.int64)
        for i, b in enumerate(bands):
            lo = -np.inf if b.min is None else b.min
            hi = np.inf if b.max is None else b.max
            idx[(idx < 0) & (values >= lo) & (values < hi)] = i
    return pts[idx], idx


def _band_outcome(value: np.ndarray, rule_bands: tuple[Band, ...], hit: str,
                  inputs: dict[str, np.ndarray], leaf: Leaf) -> LeafOutcome:
    na = np.isnan(value)
    points, idx = lookup_bands(np.where(na, 0.0, value), rule_bands, hit)
    labels = _band_labels(rule_bands)
    idx = np.where(idx < 0, len(rule_bands), idx)
    status = np.where(na, NOT_APPLICABLE, SCORED).astype(np.int8)
    return LeafOutcome(value=value, points=np.where(na, 0.0, points),
                       max_points=np.full(value.shape, float(leaf.max)), status=status,
                       rule=idx, rule_labels=labels, inputs=inputs)


@register_leaf_kind("bands")
def evaluate_bands(leaf: Leaf, ctx: LeafContext) -> LeafOutcome:
    """Indicator → the band ``min <= v < max`` that holds it; NaN → not applicable."""
    rule = leaf.rule
    value = ctx.column(rule.indicator, leaf)
    return _band_outcome(value, rule.bands, rule.hit, {rule.indicator: value}, leaf)


# --------------------------------------------------------------------------- formula
def _names(ctx: LeafContext) -> list[str]:
    return [*map(str, ctx.indicators.columns), "max_points"]


def compile_for(text: str, ctx: LeafContext, where: str) -> Any:
    """Compile ``text`` with :func:`scoring.expressions.compile_expression`."""
    from scoring.expressions import compile_expression
    return compile_expression(text, _names(ctx), where=where)


class _Named:
    """Stands in for a leaf in error messages about a formula's names."""

    def __init__(self, code: str):
        self.code = code


def evaluate_expression(expr: Any, ctx: LeafContext, max_points: float,
                        where: str = "formula") -> np.ndarray:
    """Evaluate a compiled expression over all agencies (float array, NaN allowed)."""
    cols: dict[str, np.ndarray] = {}
    for name in expr.names:
        if name == "max_points":
            cols[name] = float(max_points)
        else:
            cols[name] = ctx.column(name, _Named(where))
    with np.errstate(all="ignore"):
        out = np.asarray(expr.evaluate(cols), dtype=float)
    return np.broadcast_to(out, (ctx.n,)).astype(float, copy=True)


@register_leaf_kind("formula")
def evaluate_formula(leaf: Leaf, ctx: LeafContext) -> LeafOutcome:
    """Expression over the agency's indicators; result clipped to ``[0, max]``.

    NaN (e.g. a rate with zero denominator) → not applicable; above the max → ``capped``.
    """
    rule: FormulaRule = leaf.rule  # type: ignore[assignment]
    expr = compile_for(rule.expr, ctx, f"leaf {leaf.code}")
    value = evaluate_expression(expr, ctx, leaf.max)
    na = ~np.isfinite(value)
    v = np.where(na, 0.0, value)
    points = np.clip(v, 0.0, float(leaf.max))
    capped = ~na & (v > leaf.max + 1e-9)
    status = np.select([na, capped], [NOT_APPLICABLE, CAPPED], SCORED).astype(np.int8)
    rule_code = np.where(capped, 1, 0)
    inputs = {n: (np.full(ctx.n, float(leaf.max)) if n == "max_points"
                  else ctx.column(n, leaf)) for n in sorted(expr.names)}
    return LeafOutcome(value=value, points=points,
                       max_points=np.full(ctx.n, float(leaf.max)), status=status,
                       rule=rule_code,
                       rule_labels=(rule.expr, f"{rule.expr} (giới hạn ở {fmt(leaf.max)})"),
                       inputs=inputs)


# --------------------------------------------------------------------------- tasks
@register_leaf_kind("tasks")
def evaluate_tasks(leaf: Leaf, ctx: LeafContext) -> LeafOutcome:
    """Lead tasks by status → weighted completion rate (percent of tasks that arose).

    ``mode: rate`` gives ``max × rate / 100``; ``mode: bands`` looks the rate up in the
    bands. No task arose (or none led) → not applicable.
    """
    rule: TasksRule = leaf.rule  # type: ignore[assignment]
    counts = {s: np.nan_to_num(ctx.column(col, leaf), nan=0.0)
              for s, col in TASK_COLUMNS.items()}
    arising = sum(counts[s] for s in ("done_on_time", "done_late", "not_done", "in_progress"))
    weighted = sum(rule.weights.get(s, 0.0) * counts[s]
                   for s in ("done_on_time", "done_late", "not_done", "in_progress"))
    na = arising <= 0
    with np.errstate(all="ignore"):
        rate = np.where(na, np.nan, weighted / np.where(na, 1.0, arising) * 100.0)
    inputs = {TASK_COLUMNS[s]: counts[s] for s in TASK_COLUMNS}
    if rule.mode == "bands":
        return _band_outcome(rate, rule.bands or (), rule.hit, inputs, leaf)
    weights = " + ".join(f"{fmt(w)}×{TASK_LABELS[s]}" for s, w in rule.weights.items() if w)
    label = f"{fmt(leaf.max)} × ({weights}) / nhiệm vụ phát sinh"
    points = np.where(na, 0.0, np.clip(np.nan_to_num(rate) / 100.0 * leaf.max, 0, leaf.max))
    return LeafOutcome(value=rate, points=points, max_points=np.full(ctx.n, float(leaf.max)),
                       status=np.where(na, NOT_APPLICABLE, SCORED).astype(np.int8),
                       rule=np.zeros(ctx.n, dtype=np.int64), rule_labels=(label,),
                       inputs=inputs)


# --------------------------------------------------------------------------- manual
def check_unique(ctx: LeafContext, pos: np.ndarray, table: str, code: str) -> None:
    """A clear error when an agency has two rows for one leaf."""
    inside = pos[pos >= 0]
    if len(inside) and np.bincount(inside).max() > 1:
        dup = ctx.agency_ids[int(np.argmax(np.bincount(inside)))]
        raise DataError(Problem(f"agency {dup} has two rows for leaf {code}",
                                file=f"{table}.csv", field="agency_id",
                                fix="keep one row per agency and leaf"))


def _missing_fill(rule_missing: str, leaf: Leaf, have: np.ndarray, points: np.ndarray,
                  status: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    max_points = np.full(have.shape, float(leaf.max))
    if rule_missing == "exclude":
        max_points[~have] = 0.0
    points = np.where(have, points, 0.0)
    status = np.where(have, status, MISSING).astype(np.int8)
    return points, max_points, status


@register_leaf_kind("manual")
def evaluate_manual(leaf: Leaf, ctx: LeafContext) -> LeafOutcome:
    """Appraised points (else self-assessed) from the score table, capped at the max.

    No entry → the rule's ``missing`` policy: ``exclude`` drops the leaf from the max,
    ``zero`` counts it as 0 of the max; the status is ``missing`` either way.
    """
    rule = leaf.rule
    arrays, idx, pos = ctx.lookup(rule.table, leaf.code)
    n = ctx.n
    self_pts = np.full(n, np.nan)
    appraised = np.full(n, np.nan)
    if len(idx):
        check_unique(ctx, pos, rule.table, leaf.code)
        keep = pos >= 0
        self_pts[pos[keep]] = arrays.numbers["self_points"][idx[keep]]
        appraised[pos[keep]] = arrays.numbers["appraised_points"][idx[keep]]
    use_appraised = ~np.isnan(appraised)
    value = np.where(use_appraised, appraised, self_pts)
    have = ~np.isnan(value)
    v = np.where(have, value, 0.0)
    capped = have & (v > leaf.max + 1e-9)
    points = np.clip(v, 0.0, float(leaf.max))
    status = np.where(capped, CAPPED, MANUAL)
    points, max_points, status = _missing_fill(rule.missing, leaf, have, points, status)
    missing_label = ("chưa có điểm → loại khỏi điểm tối đa" if rule.missing == "exclude"
                     else "chưa có điểm → 0 điểm")
    code = np.select([~have, use_appraised & capped, use_appraised, capped], [4, 2, 0, 3], 1)
    labels = ("điểm thẩm định", "điểm tự chấm", f"điểm thẩm định (giới hạn ở {fmt(leaf.max)})",
              f"điểm tự chấm (giới hạn ở {fmt(leaf.max)})", missing_label)
    return LeafOutcome(value=value, points=points, max_points=max_points, status=status,
                       rule=code, rule_labels=labels,
                       inputs={"self_points": self_pts, "appraised_points": appraised})


# --------------------------------------------------------------------------- survey
@register_leaf_kind("survey")
def evaluate_survey(leaf: Leaf, ctx: LeafContext) -> LeafOutcome:
    """Survey answers → share of the max.

    With ``options`` the share is ``Σ count × option% / Σ count``; without, the table's
    ``share`` column (percent). No answers → the rule's ``missing`` policy.
    """
    rule = leaf.rule
    arrays, idx, pos = ctx.lookup(rule.table, leaf.code)
    n = ctx.n
    keep = pos >= 0
    answers = np.zeros(n)
    if rule.options is not None:
        if len(idx):
            lut = np.array([rule.options.get(o, np.nan) for o in arrays.options] + [np.nan])
            codes = arrays.option_codes[idx]
            pct = lut[codes]                       # code −1 (no option) → the last: NaN
            unknown = sorted({arrays.options[c] if c >= 0 else ""
                              for c in codes[np.isnan(pct)]})
            if unknown:
                raise DataError(Problem(
                    f"leaf {leaf.code} has answers with option(s) {unknown} that the rule "
                    f"does not map", file=f"{rule.table}.csv", field="option",
                    fix="use one of " + ", ".join(rule.options)
                        + " or add the option to the rule's options"))
            count = np.nan_to_num(arrays.numbers["count"][idx])
            answers = np.bincount(pos[keep], weights=count[keep], minlength=n)
            weighted = np.bincount(pos[keep], weights=(count * pct)[keep], minlength=n)
        else:
            weighted = np.zeros(n)
        have = answers > 0
        with np.errstate(all="ignore"):
            share = np.where(have, weighted / np.where(have, answers, 1.0), np.nan)
        label = "Σ số phiếu × " + ", ".join(f"{k}={fmt(v)}%" for k, v in rule.options.items()) \
            + " / tổng số phiếu"
    else:
        share = np.full(n, np.nan)
        if len(idx):
            check_unique(ctx, pos, rule.table, leaf.code)
            share[pos[keep]] = arrays.numbers["share"][idx[keep]]
        have = ~np.isnan(share)
        label = "tỷ lệ hài lòng (%) × điểm tối đa"
    points = np.clip(np.nan_to_num(share) / 100.0 * leaf.max, 0.0, float(leaf.max))
    points, max_points, status = _missing_fill(rule.missing, leaf, have, points,
                                               np.full(n, SCORED))
    missing_label = ("không có phiếu → loại khỏi điểm tối đa" if rule.missing == "exclude"
                     else "không có phiếu → 0 điểm")
    inputs = {"share": share} if rule.options is None else {"answers": answers, "share": share}
    return LeafOutcome(value=share, points=points, max_points=max_points, status=status,
                       rule=np.where(have, 0, 1), rule_labels=(label, missing_label),
                       inputs=inputs)


# --------------------------------------------------------------------------- common
def evaluate_leaf(leaf: Leaf, indicators: pd.DataFrame, ds_tables: LeafTables | None = None,
                  *, not_applicable: str = "drop", where: str = "") -> LeafOutcome:
    """Evaluate ``leaf`` for every row of ``indicators`` (index = agency ids), vectorised.

    Parameters
    ----------
    leaf : Leaf
    indicators : DataFrame
        One row per agency, float columns (NaN = not applicable).
    ds_tables : LeafTables, optional
        Score and survey tables for manual and survey leaves.
    not_applicable : {"drop", "award"}
        The rule set's default policy; the leaf's own ``not_applicable`` wins.

    Returns
    -------
    LeafOutcome
        With ``applies_if`` and the not-applicable policy applied.

    Examples
    --------
    >>> import pandas as pd
    >>> from scoring.rules.model import Leaf, TasksRule
    >>> leaf = Leaf(code="1.2.1", name="Nhiệm vụ", max=4, rule=TasksRule(),
    ...             not_applicable="award")
    >>> ind = pd.DataFrame({"tasks_done_on_time": [3, 0], "tasks_done_late": [1, 0],
    ...     "tasks_not_done": [0, 0], "tasks_in_progress": [0, 0],
    ...     "tasks_not_arising": [0, 2]}, index=["so-a", "so-b"])
    >>> evaluate_leaf(leaf, ind).points.tolist()
    [3.5, 4.0]
    """
    ctx = LeafContext(agency_ids=pd.Index(indicators.index.astype(str)),
                      indicators=indicators, tables=ds_tables or LeafTables(), where=where)
    return evaluate_in(leaf, ctx, not_applicable)


def evaluate_in(leaf: Leaf, ctx: LeafContext, not_applicable: str = "drop") -> LeafOutcome:
    """:func:`evaluate_leaf` with a ready :class:`LeafContext` (used by the engine)."""
    kind = leaf.rule.kind
    if kind not in LEAF_EVALUATORS:
        raise RuleError(Problem(f"leaf {leaf.code} has unknown kind {kind!r}",
                                field=f"leaf {leaf.code}.rule.kind",
                                fix="use one of " + ", ".join(LEAF_EVALUATORS)))
    out = LEAF_EVALUATORS[kind](leaf, ctx)
    status = out.status
    if leaf.applies_if:
        expr = compile_for(leaf.applies_if, ctx, f"leaf {leaf.code}.applies_if")
        cond = evaluate_expression(expr, ctx, leaf.max)
        off = ~(np.nan_to_num(cond, nan=0.0) != 0)
        status = np.where(off, NOT_APPLICABLE, status).astype(np.int8)
    na = status == NOT_APPLICABLE
    if not na.any():
        return out
    policy = leaf.not_applicable or not_applicable
    labels = (*out.rule_labels, NA_LABELS[policy])
    full = float(leaf.max)
    return out.replace(
        points=np.where(na, full if policy == "award" else 0.0, out.points),
        max_points=np.where(na, full if policy == "award" else 0.0, out.max_points),
        status=status, rule=np.where(na, len(labels) - 1, out.rule), rule_labels=labels)
