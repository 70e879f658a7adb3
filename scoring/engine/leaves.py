"""Leaf kinds: one vectorised implementation per kind, over all agencies at once.

:func:`evaluate_leaves` fills the ledger rows of a list of leaves (a whole tree) kind by
kind: every leaf of a kind in one array operation over a (leaves × agencies) grid, never
looping over agencies. It then applies what every kind shares: ``applies_if`` and the
not-applicable policy (``drop`` removes the leaf from the agency's max, ``award`` gives
full points). :func:`evaluate_leaf` is the same for one leaf (tests and the rule files'
own examples).

Statuses (codes in :data:`STATUSES`): ``scored`` (a data rule fired), ``not_applicable``
(applies_if false, indicator NaN, no task arose), ``manual`` (appraised or self-assessed
points taken from the score table), ``capped`` (points above the max cut to the max),
``missing`` (no manual/survey entry; the rule's ``missing`` policy decides the max).
Manual and survey leaves for which the table has no row at all cost a constant row fill.

Examples
--------
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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.dataset import TASK_STATUSES
from scoring.errors import DataError, Problem, RuleError
from scoring.expressions import Expression, compile_expression
from scoring.i18n import _
from scoring.rules.model import Band, Leaf
from scoring.tables import IndexedTable
from scoring.vocabulary import (
    RULE_APPRAISED,
    RULE_MISSING,
    RULE_NO_BAND,
    RULE_NOT_APPLICABLE,
    RULE_SELF,
    rule_capped,
)

STATUSES: tuple[str, ...] = ("scored", "not_applicable", "manual", "capped", "missing")
SCORED, NOT_APPLICABLE, MANUAL, CAPPED, MISSING = range(5)
ARISING: tuple[str, ...] = TASK_STATUSES[:4]
"""Task statuses that count as arising (``not_arising`` is the fifth)."""
TASK_COLUMNS: tuple[str, ...] = tuple(f"tasks_{s}" for s in TASK_STATUSES)
"""The indicator column of each task status (:data:`~scoring.dataset.TASK_STATUSES`)."""
TOLERANCE = 1e-9
"""Points above the max by more than this are ``capped``."""


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


# --------------------------------------------------------------------------- bands
class BandTable:
    """The band look-up of several rows, each with its own bands and hit policy.

    ``unique`` bands (no overlaps, checked by the model): the band with the highest
    ``min <= v``, if ``v`` is below its max; ``first``: the first band in file order that
    holds ``v``. The band index is the band count where no band holds ``v`` (0 points).

    Parameters
    ----------
    lo, hi : ndarray (rows × width)
        Band bounds (−inf/+inf for an open end; padding: ``lo`` +inf, ``hi`` −inf).
    points : ndarray (rows × width)
    count : ndarray of int (rows)
        Bands per row.
    unique : ndarray of bool (rows)
        The row's hit policy is ``unique``.
    """

    def __init__(self, lo: np.ndarray, hi: np.ndarray, points: np.ndarray, count: np.ndarray,
                 unique: np.ndarray, labels: list[tuple[str, ...]] | None = None):
        self.lo, self.hi = lo, hi
        self.points = np.concatenate([points, np.zeros((len(points), 1))], axis=1)
        self.count = np.asarray(count, dtype=np.intp)[:, None]
        self.unique = np.asarray(unique, dtype=bool)
        self.labels = labels or []

    @classmethod
    def of(cls, bands: Sequence[tuple[Band, ...]], hits: Sequence[str]) -> BandTable:
        """The table of rule bands (one row per leaf) with the ledger's labels."""
        width = max((len(b) for b in bands), default=0)
        lo = np.full((len(bands), width), np.inf)
        hi = np.full((len(bands), width), -np.inf)
        points = np.zeros((len(bands), width))
        for i, row in enumerate(bands):
            for j, b in enumerate(row):
                lo[i, j] = -np.inf if b.min is None else b.min
                hi[i, j] = np.inf if b.max is None else b.max
                points[i, j] = b.points
        return cls(lo, hi, points, [len(b) for b in bands], [h == "unique" for h in hits],
                   [(*map(band_label, row), RULE_NO_BAND) for row in bands])

    def lookup(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(points, band index) of ``v`` (rows × n, no NaN), row ``i`` against bands ``i``.

        >>> from scoring.rules.model import Band
        >>> t = BandTable.of([(Band(min=95, points=2), Band(min=80, max=95, points=1))],
        ...                  ["unique"])
        >>> t.lookup(np.array([[99.0, 95.0, 94.9, 10.0]]))
        (array([[2., 2., 1., 0.]]), array([[0, 0, 1, 2]]))
        """
        idx = np.broadcast_to(self.count, v.shape).copy()
        width = self.lo.shape[1]
        if self.unique.any():                  # the last band with min <= v, if v < max
            u = self.unique
            order = np.argsort(self.lo[u], axis=1, kind="stable")
            lo = np.take_along_axis(self.lo[u], order, axis=1)
            hi = np.take_along_axis(self.hi[u], order, axis=1)
            vu = v[u]
            below = np.zeros(vu.shape, dtype=np.intp)
            for j in range(width):
                below += vu >= lo[:, j, None]
            j = np.maximum(below - 1, 0)
            ok = (below > 0) & (vu < np.take_along_axis(hi, j, axis=1))
            idx[u] = np.where(ok, np.take_along_axis(order, j, axis=1), self.count[u])
        if not self.unique.all():              # the first band in file order holding v
            f = ~self.unique
            vf, sub = v[f], idx[f]
            for j in range(width - 1, -1, -1):
                np.copyto(sub, j, where=(vf >= self.lo[f, j, None]) & (vf < self.hi[f, j, None]))
            idx[f] = sub
        return np.take_along_axis(self.points, idx, axis=1), idx


def lookup_bands(values: np.ndarray, bands: tuple[Band, ...], hit: str = "unique"
                 ) -> tuple[np.ndarray, np.ndarray]:
    """One row of :class:`BandTable`: ``(points, band index)``; index −1 where no band holds.

    >>> from scoring.rules.model import Band
    >>> b = (Band(min=95, points=2), Band(min=80, max=95, points=1))
    >>> lookup_bands(np.array([99.0, 95.0, 94.9, 10.0]), b)
    (array([2., 2., 1., 0.]), array([ 0,  0,  1, -1]))
    """
    points, idx = BandTable.of([bands], [hit]).lookup(np.asarray(values, dtype=float)[None, :])
    return points[0], np.where(idx[0] == len(bands), -1, idx[0])


# --------------------------------------------------------------------------- context
@dataclass(frozen=True)
class LeafTables:
    """The dataset tables manual and survey leaves read (``Dataset.scores``/``surveys``)."""

    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    surveys: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True, eq=False)
class TableRows:
    """An :class:`~scoring.tables.IndexedTable` seen from a context: ``pos`` is each row's
    agency among the context's agencies (−1 = not in scope)."""

    table: IndexedTable
    pos: np.ndarray

    def grid(self, codes: Sequence[str], cols: Sequence[str], ids: pd.Index, name: str
             ) -> list[np.ndarray]:
        """Columns ``cols`` of the rows of leaves ``codes`` as (len(codes) × agencies)
        grids, NaN where an agency has no row; a clear error when an agency has two rows
        for one leaf."""
        n, k = len(ids), len(codes)
        slot_of = np.full(len(self.table.leaves) + 1, -1, dtype=np.int64)
        for slot, code in enumerate(codes):
            slot_of[self.table.leaves[code]] = slot
        slots = slot_of[self.table.leaf_code]
        rows = np.flatnonzero((slots >= 0) & (self.pos >= 0))
        flat = slots[rows] * n + self.pos[rows]
        counts = np.bincount(flat, minlength=k * n)
        if len(flat) and counts.max() > 1:
            cell = int(np.argmax(counts > 1))
            raise DataError(Problem(
                _("agency {agency} has two rows for leaf {leaf}").format(
                    agency=ids[cell % n], leaf=codes[cell // n]),
                file=f"{name}.csv", field="agency_id",
                fix=_("keep one row per agency and leaf")))
        out = []
        for col in cols:
            m = np.full(k * n, np.nan)
            m[flat] = self.table.number(col)[rows]
            out.append(m.reshape(k, n))
        return out


def indicator_matrix(indicators: pd.DataFrame, agency_ids: pd.Index) -> np.ndarray | None:
    """The indicators as one float matrix (columns × ``agency_ids``; NaN for an agency
    the indicators lack), or None when a column is not numeric (read column by column)."""
    try:
        values = indicators.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        return None
    if not indicators.index.equals(agency_ids):
        pos = indicators.index.get_indexer(agency_ids)
        values = np.vstack([values, np.full((1, values.shape[1]), np.nan)])[pos]
    return np.ascontiguousarray(values.T)


@dataclass(eq=False)
class LeafContext:
    """What the kinds read: indicators aligned with ``agency_ids``, and the tables.

    Parameters
    ----------
    agency_ids : Index
        The agencies in scope (text).
    indicators : DataFrame
        Indexed by agency id (any order, a superset is fine); NaN for a missing agency.
    tables : dict of str → TableRows
        ``scores`` and ``surveys`` placed among ``agency_ids``.
    where : str
        Prefix of error fields (``tree t: ``).
    """

    agency_ids: pd.Index
    indicators: pd.DataFrame
    tables: dict[str, TableRows]
    where: str = ""
    columns: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    expressions: dict[tuple[str, float | None], tuple[Expression, np.ndarray]] = field(
        default_factory=dict, repr=False)

    @classmethod
    def of(cls, agency_ids: pd.Index, indicators: pd.DataFrame, tables: dict[str, TableRows],
           where: str = "", matrix: np.ndarray | None = None) -> LeafContext:
        """A context reading the numeric indicators from ``matrix`` (columns × agencies,
        aligned with ``agency_ids``; :func:`indicator_matrix` when not given)."""
        ctx = cls(agency_ids=agency_ids, indicators=indicators, tables=tables, where=where)
        if matrix is None:
            matrix = indicator_matrix(indicators, agency_ids)
        if matrix is not None:
            ctx.columns.update(zip(map(str, indicators.columns), matrix, strict=True))
        return ctx

    @property
    def n(self) -> int:
        return len(self.agency_ids)

    def column(self, name: str, code: str) -> np.ndarray:
        """Indicator ``name`` as a float array; a clear error when the data lacks it."""
        if name not in self.columns:
            if name not in self.indicators.columns:
                raise RuleError(Problem(
                    _("leaf {leaf} reads indicator {name}, which the indicators do not "
                      "provide").format(leaf=code, name=repr(name)),
                    field=f"{self.where}leaf {code}",
                    fix=_("use one of the indicators: {names}").format(
                        names=", ".join(map(str, self.indicators.columns)))))
            col = self.indicators[name].reindex(self.agency_ids)
            self.columns[name] = pd.to_numeric(col, errors="coerce").to_numpy(
                dtype=float, na_value=np.nan)
        return self.columns[name]

    def expression(self, text: str, where: str, max_points: float
                   ) -> tuple[Expression, np.ndarray]:
        """(compiled ``text``, its values over the agencies), once per context and
        ``max_points`` (when the formula reads it). The values are shared: read only."""
        expr = compile_expression(text, [*map(str, self.indicators.columns), "max_points"],
                                  where=where)
        key = (text, float(max_points) if "max_points" in expr.names else None)
        if key not in self.expressions:
            cols = {name: float(max_points) if name == "max_points"
                    else self.column(name, where) for name in expr.names}
            with np.errstate(all="ignore"):
                out = np.asarray(expr.evaluate(cols), dtype=float)
            values = np.broadcast_to(out, (self.n,)).astype(float, copy=True)
            values.flags.writeable = False
            self.expressions[key] = (expr, values)
        return self.expressions[key]

    def table(self, name: str, code: str) -> TableRows:
        """Table ``name`` (``scores`` or ``surveys``)."""
        if name not in self.tables:
            raise RuleError(Problem(_("leaf {leaf} reads unknown table {name}").format(
                leaf=code, name=repr(name)), field=f"{self.where}leaf {code}.rule.table",
                fix=_("use 'scores' (manual) or 'surveys' (survey)")))
        return self.tables[name]


# --------------------------------------------------------------------------- rows
@dataclass(eq=False)
class Rows:
    """Preallocated (rows × agencies) ledger arrays; ``rule`` codes index the row's own
    ``labels[row]``."""

    n: int
    n_rows: int
    value: np.ndarray = field(init=False)
    points: np.ndarray = field(init=False)
    max_points: np.ndarray = field(init=False)
    status: np.ndarray = field(init=False)
    rule: np.ndarray = field(init=False)
    labels: list[tuple[str, ...]] = field(init=False)
    inputs: list[dict[str, np.ndarray]] = field(init=False)

    def __post_init__(self) -> None:
        shape = (self.n_rows, self.n)
        self.value = np.empty(shape)
        self.points = np.empty(shape)
        self.max_points = np.empty(shape)
        self.status = np.empty(shape, dtype=np.int8)
        self.rule = np.empty(shape, dtype=np.int64)
        self.labels = [()] * self.n_rows
        self.inputs = [{}] * self.n_rows

    def fill(self, r: Any, value: Any, points: Any, max_points: Any, status: Any,
             rule: Any) -> None:
        """Set rows ``r`` (arrays broadcast)."""
        self.value[r] = value
        self.points[r] = points
        self.max_points[r] = max_points
        self.status[r] = status
        self.rule[r] = rule


def _maxes(leaves: Sequence[Leaf]) -> np.ndarray:
    return np.array([float(leaf.max) for leaf in leaves])[:, None]


def _capped(value: np.ndarray, mx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(known, points clipped to [0, max], capped) of ``value``."""
    known = np.isfinite(value)
    v = np.where(known, value, 0.0)
    return known, np.clip(v, 0.0, mx), known & (v > mx + TOLERANCE)


def _bands(ctx: LeafContext, leaves: list[Leaf], r: np.ndarray, out: Rows) -> None:
    values = np.array([ctx.column(leaf.rule.indicator, leaf.code) for leaf in leaves])
    table = BandTable.of([leaf.rule.bands for leaf in leaves],
                         [leaf.rule.hit for leaf in leaves])
    na = np.isnan(values)
    points, idx = table.lookup(np.where(na, 0.0, values))
    out.fill(r, values, np.where(na, 0.0, points), _maxes(leaves),
             np.where(na, NOT_APPLICABLE, SCORED), idx)
    for i, leaf, v, labels in zip(r, leaves, values, table.labels, strict=True):
        out.inputs[i] = {leaf.rule.indicator: v}
        out.labels[i] = labels


def _tasks(ctx: LeafContext, leaves: list[Leaf], r: np.ndarray, out: Rows) -> None:
    counts = np.nan_to_num([ctx.column(c, leaves[0].code) for c in TASK_COLUMNS], nan=0.0)
    inputs = dict(zip(TASK_COLUMNS, counts, strict=True))
    arising = counts[0] + counts[1] + counts[2] + counts[3]
    na = arising <= 0
    weights = np.array([[leaf.rule.weights.get(s, 0.0) for s in ARISING] for leaf in leaves])
    weighted = weights[:, :1] * counts[0]
    for j in range(1, 4):
        weighted = weighted + weights[:, j:j + 1] * counts[j]
    with np.errstate(all="ignore"):
        rate = np.where(na, np.nan, weighted / np.where(na, 1.0, arising) * 100.0)
    mx = _maxes(leaves)
    out.fill(r, rate, np.where(na, 0.0, np.clip(np.nan_to_num(rate) / 100.0 * mx, 0, mx)),
             mx, np.where(na, NOT_APPLICABLE, SCORED), 0)
    banded = [k for k, leaf in enumerate(leaves) if leaf.rule.mode == "bands"]
    if banded:
        table = BandTable.of([leaves[k].rule.bands for k in banded],
                             [leaves[k].rule.hit for k in banded])
        points, idx = table.lookup(np.nan_to_num(rate[banded], nan=0.0))
        out.points[r[banded]] = np.where(na, 0.0, points)
        out.rule[r[banded]] = idx
        for k, labels in zip(banded, table.labels, strict=True):
            out.labels[r[k]] = labels
    for i, leaf in zip(r, leaves, strict=True):
        out.inputs[i] = inputs
        if leaf.rule.mode != "bands":
            parts = " + ".join(f"{fmt(w)}×{s}" for s, w in leaf.rule.weights.items() if w)
            out.labels[i] = (f"{fmt(leaf.max)} × ({parts}) / tasks_arising",)


def _formulas(ctx: LeafContext, leaves: list[Leaf], r: np.ndarray, out: Rows) -> None:
    values = np.empty((len(leaves), ctx.n))
    for k, (i, leaf) in enumerate(zip(r, leaves, strict=True)):
        expr, values[k] = ctx.expression(leaf.rule.expr, f"leaf {leaf.code}", leaf.max)
        out.inputs[i] = {name: np.full(ctx.n, float(leaf.max)) if name == "max_points"
                         else ctx.column(name, leaf.code) for name in sorted(expr.names)}
        out.labels[i] = (leaf.rule.expr, rule_capped(leaf.rule.expr, leaf.max))
    mx = _maxes(leaves)
    known, points, capped = _capped(values, mx)
    out.fill(r, values, points, mx,
             np.where(known, np.where(capped, CAPPED, SCORED), NOT_APPLICABLE), capped)


def manual_points(table: TableRows, codes: list[str], mx: np.ndarray, ids: pd.Index,
                  name: str) -> tuple[np.ndarray, ...]:
    """(value, points clipped to [0, max], rule code, self points, appraised points) of
    manual entries ``codes``: appraised points win over self-assessed; rule code 0
    appraised, 1 self-assessed, +2 when capped, 4 no entry. Used by manual leaves and
    manual adjustments."""
    self_pts, appraised = table.grid(codes, ("self_points", "appraised_points"), ids, name)
    use_appraised = ~np.isnan(appraised)
    value = np.where(use_appraised, appraised, self_pts)
    have, points, capped = _capped(value, mx)
    return value, points, np.where(have, (~use_appraised) + 2 * capped, 4), self_pts, appraised


def _missing_label(leaf: Leaf) -> str:
    return RULE_MISSING[leaf.rule.missing]


def _split_by_data(ctx: LeafContext, leaves: list[Leaf], r: np.ndarray, out: Rows,
                   missing_code: int) -> tuple[TableRows, list[Leaf], np.ndarray]:
    """Fill the rows of leaves with no row at all in their table as missing (a constant
    fill; rule code ``missing_code``), and return the table, the leaves that have data
    and their rows."""
    table = ctx.table(leaves[0].rule.table, leaves[0].code)
    have = np.array([leaf.code in table.table.leaves for leaf in leaves], dtype=bool)
    if not have.all():
        empty = [leaf for leaf, h in zip(leaves, have, strict=True) if not h]
        exclude = np.array([leaf.rule.missing == "exclude" for leaf in empty])[:, None]
        out.fill(r[~have], np.nan, 0.0, np.where(exclude, 0.0, _maxes(empty)), MISSING,
                 missing_code)
    return table, [leaf for leaf, h in zip(leaves, have, strict=True) if h], r[have]


def _manual(ctx: LeafContext, leaves: list[Leaf], r: np.ndarray, out: Rows) -> None:
    nan = np.full(ctx.n, np.nan)
    for i, leaf in zip(r, leaves, strict=True):
        out.labels[i] = (RULE_APPRAISED, RULE_SELF, rule_capped(RULE_APPRAISED, leaf.max),
                         rule_capped(RULE_SELF, leaf.max), _missing_label(leaf))
        out.inputs[i] = {"self_points": nan, "appraised_points": nan}
    name = leaves[0].rule.table
    table, leaves, r = _split_by_data(ctx, leaves, r, out, missing_code=4)
    if not leaves:
        return
    mx = _maxes(leaves)
    exclude = np.array([leaf.rule.missing == "exclude" for leaf in leaves])[:, None]
    value, points, code, self_pts, appraised = manual_points(
        table, [leaf.code for leaf in leaves], mx, ctx.agency_ids, name)
    have = ~np.isnan(value)
    out.fill(r, value, points, np.where(exclude & ~have, 0.0, mx),
             np.where(have, np.where(code >= 2, CAPPED, MANUAL), MISSING), code)
    for k, i in enumerate(r):
        out.inputs[i] = {"self_points": self_pts[k], "appraised_points": appraised[k]}


def _survey_shares(table: TableRows, leaves: list[Leaf], ids: pd.Index, name: str
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(answers, share) grids of survey leaves with options: Σ count and
    Σ count × option% / Σ count (NaN where no answers)."""
    n, k = len(ids), len(leaves)
    t = table.table
    slot_of = np.full(len(t.leaves) + 1, -1, dtype=np.int64)
    for slot, leaf in enumerate(leaves):
        slot_of[t.leaves[leaf.code]] = slot
    slots = slot_of[t.leaf_code]
    rows = np.flatnonzero(slots >= 0)
    slots = slots[rows]
    opt_codes, opt_texts = t.options()
    lut = np.array([[leaf.rule.options.get(o, np.nan) for o in opt_texts] + [np.nan]
                    for leaf in leaves])
    pct = lut[slots, opt_codes[rows]]             # option code −1 → the last: NaN
    if np.isnan(pct).any():
        first = int(slots[np.argmax(np.isnan(pct))])
        mine = np.isnan(pct) & (slots == first)
        unknown = sorted({opt_texts[c] if c >= 0 else "" for c in opt_codes[rows][mine]})
        leaf = leaves[first]
        raise DataError(Problem(
            _("leaf {leaf} has answers with options the rule does not map: {options}").format(
                leaf=leaf.code, options=", ".join(map(repr, unknown))),
            file=f"{name}.csv", field="option",
            fix=_("use one of {options} or add the option to the rule's options").format(
                options=", ".join(leaf.rule.options))))
    count = np.nan_to_num(t.number("count")[rows])
    pos = table.pos[rows]
    keep = pos >= 0
    flat = slots[keep] * n + pos[keep]
    answers = np.bincount(flat, weights=count[keep], minlength=k * n).reshape(k, n)
    weighted = np.bincount(flat, weights=(count * pct)[keep], minlength=k * n).reshape(k, n)
    with np.errstate(all="ignore"):
        return answers, np.where(answers > 0, weighted / np.where(answers > 0, answers, 1),
                                 np.nan)


def _surveys(ctx: LeafContext, leaves: list[Leaf], r: np.ndarray, out: Rows) -> None:
    nan = np.full(ctx.n, np.nan)
    for i, leaf in zip(r, leaves, strict=True):
        options = leaf.rule.options
        label = ("Σ count × (" + ", ".join(f"{o}={fmt(v)}%" for o, v in options.items())
                 + ") / Σ count") if options is not None else "share / 100 × max_points"
        out.labels[i] = (label, _missing_label(leaf))
        out.inputs[i] = {"share": nan} if options is None else {"answers": np.zeros(ctx.n),
                                                                 "share": nan}
    name = leaves[0].rule.table
    table, leaves, r = _split_by_data(ctx, leaves, r, out, missing_code=1)
    for options in (True, False):
        part = [k for k, leaf in enumerate(leaves) if (leaf.rule.options is not None) == options]
        if not part:
            continue
        sub = [leaves[k] for k in part]
        rows = r[part]
        if options:
            answers, share = _survey_shares(table, sub, ctx.agency_ids, name)
        else:
            (share,) = table.grid([leaf.code for leaf in sub], ("share",), ctx.agency_ids,
                                  name)
            answers = None
        mx = _maxes(sub)
        exclude = np.array([leaf.rule.missing == "exclude" for leaf in sub])[:, None]
        have = ~np.isnan(share)
        out.fill(rows, share, np.where(have, np.clip(np.nan_to_num(share) / 100 * mx, 0, mx), 0),
                 np.where(exclude & ~have, 0.0, mx), np.where(have, SCORED, MISSING), ~have)
        for k, i in enumerate(rows):
            out.inputs[i] = {"share": share[k]} if answers is None \
                else {"answers": answers[k], "share": share[k]}


def _tables_first(ctx: LeafContext, leaves: list[Leaf], r: np.ndarray, out: Rows,
                  kind: Any) -> None:
    """Run ``kind`` once per table the leaves read."""
    for name in dict.fromkeys(leaf.rule.table for leaf in leaves):
        sel = [k for k, leaf in enumerate(leaves) if leaf.rule.table == name]
        kind(ctx, [leaves[k] for k in sel], r[sel], out)


KINDS = {"bands": _bands, "tasks": _tasks, "formula": _formulas,
         "manual": lambda ctx, lv, r, out: _tables_first(ctx, lv, r, out, _manual),
         "survey": lambda ctx, lv, r, out: _tables_first(ctx, lv, r, out, _surveys)}


def evaluate_leaves(leaves: Sequence[Leaf], ctx: LeafContext, out: Rows,
                    not_applicable: str = "drop") -> None:
    """Fill rows ``0 … len(leaves)-1`` of ``out``, kind by kind, then ``applies_if`` and
    the not-applicable policy. Every leaf's labels end with its not-applicable label
    (used or not); ``out.rule`` codes index each row's labels."""
    by_kind: dict[str, list[int]] = {}
    for i, leaf in enumerate(leaves):
        by_kind.setdefault(leaf.rule.kind, []).append(i)
    for kind, idx in by_kind.items():
        KINDS[kind](ctx, [leaves[i] for i in idx], np.asarray(idx, dtype=np.intp), out)
    n = len(leaves)
    status = out.status[:n]
    for i, leaf in enumerate(leaves):
        if leaf.applies_if:
            _, cond = ctx.expression(leaf.applies_if, f"leaf {leaf.code}.applies_if", leaf.max)
            status[i] = np.where((cond != 0) & ~np.isnan(cond), status[i], NOT_APPLICABLE)
    policy = [leaf.not_applicable or not_applicable for leaf in leaves]
    na_code = np.array([len(out.labels[i]) for i in range(n)], dtype=np.int64)[:, None]
    out.labels[:n] = [(*out.labels[i], RULE_NOT_APPLICABLE[p]) for i, p in enumerate(policy)]
    na = status == NOT_APPLICABLE
    if na.any():
        full = np.array([float(leaf.max) if p == "award" else 0.0
                         for leaf, p in zip(leaves, policy, strict=True)])[:, None]
        np.copyto(out.points[:n], full, where=na)
        np.copyto(out.max_points[:n], full, where=na)
        np.copyto(out.rule[:n], na_code, where=na)


# --------------------------------------------------------------------------- one leaf
@dataclass(frozen=True, eq=False)
class LeafOutcome:
    """One leaf over all agencies in scope (arrays aligned with the agencies).

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


def table_rows(frames: LeafTables, agency_ids: pd.Index) -> dict[str, TableRows]:
    """The context tables of ``frames`` against ``agency_ids`` (all in scope)."""
    return {name: TableRows(table=t, pos=t.agency)
            for name in ("scores", "surveys")
            for t in [IndexedTable.of(getattr(frames, name), agency_ids)]}


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
    >>> from scoring.rules.model import Leaf, TasksRule
    >>> leaf = Leaf(code="1.2.1", name="Nhiệm vụ", max=4, rule=TasksRule(),
    ...             not_applicable="award")
    >>> ind = pd.DataFrame({"tasks_done_on_time": [3, 0], "tasks_done_late": [1, 0],
    ...     "tasks_not_done": [0, 0], "tasks_in_progress": [0, 0],
    ...     "tasks_not_arising": [0, 2]}, index=["so-a", "so-b"])
    >>> evaluate_leaf(leaf, ind).points.tolist()
    [3.5, 4.0]
    """
    ids = pd.Index(indicators.index.astype(str))
    ctx = LeafContext.of(ids, indicators.set_axis(ids),
                         table_rows(ds_tables or LeafTables(), ids), where)
    out = Rows(n=len(ids), n_rows=1)
    evaluate_leaves([leaf], ctx, out, not_applicable)
    return LeafOutcome(value=out.value[0], points=out.points[0], max_points=out.max_points[0],
                       status=out.status[0], rule=out.rule[0], rule_labels=out.labels[0],
                       inputs=out.inputs[0])
