"""Batched evaluation of a whole tree: every leaf of a built-in kind at once.

:mod:`scoring.engine.leaves` evaluates one leaf over all agencies; this module gives the
same numbers for all leaves of a tree together, so the fixed cost per leaf (pandas
look-ups, array allocations, one small numpy call per step) is paid once per kind rather
than once per leaf:

* indicators become one float matrix (columns × agencies), read by row;
* the score and survey tables are indexed once per call (:class:`TableIndex`: each row's
  agency position and leaf code) and scattered into leaves × agencies matrices;
* bands leaves (and tasks leaves in ``bands`` mode) are looked up in one broadcast
  comparison against padded band bounds; manual, survey and tasks arithmetic runs on
  the leaves × agencies matrices;
* formulas are evaluated once per distinct formula (and ``max_points`` if it reads it);
* ``applies_if`` and the not-applicable policy are applied to all leaves at once.

A kind whose evaluator was replaced with :func:`~scoring.engine.leaves.register_leaf_kind`
(or any new kind) is evaluated leaf by leaf with its registered evaluator.

Examples
--------
>>> codes, texts = factorize_text(np.array(["1.1", "2.1", "1.1", None], dtype=object))
>>> codes.tolist(), texts.tolist()
([0, 1, 0, -1], ['1.1', '2.1'])
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.leaves import (
    CAPPED,
    LEAF_EVALUATORS,
    MANUAL,
    MISSING,
    NA_LABELS,
    NOT_APPLICABLE,
    SCORED,
    TASK_COLUMNS,
    TASK_LABELS,
    LeafContext,
    _band_labels,
    _floats,
    compile_for,
    evaluate_bands,
    evaluate_expression,
    evaluate_formula,
    evaluate_manual,
    evaluate_survey,
    evaluate_tasks,
    fmt,
)
from scoring.errors import DataError, Problem, RuleError
from scoring.rules.model import Band, Leaf

# --------------------------------------------------------------------------- text codes


def _pointers(arr: np.ndarray) -> np.ndarray:
    """The object pointers of a contiguous object array, as integers (no copy).

    Equal pointers are the same Python object, hence equal values; the converse need
    not hold, so callers merge pointer groups by value afterwards.
    """
    buf = (ctypes.c_ssize_t * len(arr)).from_address(arr.ctypes.data)
    return np.ctypeslib.as_array(buf)


def factorize_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``values`` as text (``str(v)``), ``-1`` for None/NaN.

    Gives what ``pd.factorize`` gives on the values as text (codes in first-seen order
    of their groups), but groups the rows by object identity first (integer hashing),
    then compares only the distinct objects by value: tables read from CSV repeat the
    same string object for equal cells, so this is several times faster than hashing
    every string.

    Parameters
    ----------
    values : ndarray
        Any 1-D array (object arrays take the fast path).

    Returns
    -------
    (codes, texts)
        ``codes`` int64 per value; ``texts[c]`` (object array of str) the text of code
        ``c``.

    Examples
    --------
    >>> a, b = "x", "".join(["x"])        # equal values, distinct objects
    >>> codes, texts = factorize_text(np.array([a, b, 1.5, float("nan")], dtype=object))
    >>> codes.tolist(), texts.tolist()
    ([0, 0, 1, -1], ['x', '1.5'])
    """
    values = np.asarray(values)
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
    if values.dtype == object:
        arr = np.ascontiguousarray(values)
        group, uniques = pd.factorize(_pointers(arr))
        # any row of a group will do: all hold the same object
        some = np.empty(len(uniques), dtype=np.intp)
        some[group] = np.arange(n)
        objects = arr[some]
    else:
        group, objects = pd.factorize(values)
        objects = np.asarray(objects, dtype=object)
    canon = np.empty(len(objects) + 1, dtype=np.int64)
    canon[-1] = -1                                     # pd.factorize's code for NaN
    if pd.api.types.infer_dtype(objects, skipna=True) == "string":
        canon[:-1], texts = pd.factorize(objects)      # None / NaN → −1
        return canon[group], np.asarray(texts, dtype=object)
    seen: dict[str, int] = {}
    for i, obj in enumerate(objects):
        if obj is None or (isinstance(obj, float) and obj != obj):
            canon[i] = -1
        else:
            canon[i] = seen.setdefault(str(obj), len(seen))
    return canon[group], np.asarray(list(seen), dtype=object)


# --------------------------------------------------------------------------- tables
@dataclass(eq=False)
class TableIndex:
    """One score/survey table, indexed once per scoring call.

    Attributes
    ----------
    df : DataFrame
    pos : ndarray of int
        Per row, the position of its agency in the context (−1 = not in scope).
    leaf_code : ndarray of int
        Per row, a code into ``leaves`` (−1 = no leaf).
    leaves : dict of str → int
    """

    df: pd.DataFrame
    pos: np.ndarray
    leaf_code: np.ndarray
    leaves: dict[str, int]
    _numbers: dict[str, np.ndarray] = field(default_factory=dict)
    _options: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, df: pd.DataFrame, agency_ids: pd.Index) -> TableIndex:
        if len(df) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(df=df, pos=empty, leaf_code=empty, leaves={})
        leaf_code, leaves = factorize_text(df["leaf"].to_numpy())
        agency_code, agencies = factorize_text(df["agency_id"].to_numpy())
        where = np.append(agency_ids.get_indexer(agencies), -1)
        return cls(df=df, pos=where[agency_code], leaf_code=leaf_code,
                   leaves={t: i for i, t in enumerate(leaves)})

    def number(self, col: str) -> np.ndarray:
        """Column ``col`` as floats (NaN when the table lacks it)."""
        if col not in self._numbers:
            self._numbers[col] = _floats(self.df[col]) if col in self.df.columns \
                else np.full(len(self.df), np.nan)
        return self._numbers[col]

    def options(self) -> tuple[np.ndarray, np.ndarray]:
        """(option code per row, option texts)."""
        if self._options is None:
            self._options = factorize_text(self.df["option"].to_numpy()) \
                if "option" in self.df.columns \
                else (np.full(len(self.df), -1), np.zeros(0, dtype=object))
        return self._options

    def rows_of(self, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, slot of each row) of the rows of leaves ``codes`` (slot = the
        leaf's position in ``codes``), in table order."""
        slot_of = np.full(len(self.leaves) + 1, -1, dtype=np.int64)
        for slot, code in enumerate(codes):
            c = self.leaves.get(code)
            if c is not None:
                slot_of[c] = slot
        slots = slot_of[self.leaf_code]
        rows = np.flatnonzero(slots >= 0)
        return rows, slots[rows]


def table_index(ctx: LeafContext, table: str) -> TableIndex:
    """The context's :class:`TableIndex` of ``table`` (built on first use)."""
    cache = ctx._indexes
    if table not in cache:
        cache[table] = TableIndex.of(ctx.tables.table(table), ctx.agency_ids)
    return cache[table]


@dataclass(eq=False)
class Gathered:
    """Rows of some leaves of one table, placed in a (leaves × agencies) grid.

    Attributes
    ----------
    index : TableIndex
    slot : dict of str → int
        Leaf code → its row in the grid.
    rows : ndarray of int
        Table rows of those leaves whose agency is in scope, in table order.
    flat : ndarray of int
        Their cells in the grid (``slot × n + agency position``).
    dup_agency : ndarray of int
        Per slot, the position of an agency with two rows for the leaf (−1 = none).
    """

    index: TableIndex
    n: int
    slot: dict[str, int]
    rows: np.ndarray
    flat: np.ndarray
    dup_agency: np.ndarray
    _mats: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, ti: TableIndex, codes: list[str], n: int) -> Gathered:
        slot = {code: i for i, code in enumerate(dict.fromkeys(codes))}
        rows, slots = ti.rows_of(list(slot))
        pos = ti.pos[rows]
        keep = pos >= 0
        flat = slots[keep] * n + pos[keep]
        if len(flat):
            counts = np.bincount(flat, minlength=len(slot) * n).reshape(len(slot), n)
            dup = counts > 1
            dup_agency = np.where(dup.any(axis=1), dup.argmax(axis=1), -1)
        else:
            dup_agency = np.full(len(slot), -1)
        return cls(index=ti, n=n, slot=slot, rows=rows[keep], flat=flat,
                   dup_agency=dup_agency)

    def matrix(self, col: str) -> np.ndarray:
        """Column ``col`` on the grid (NaN where an agency has no row)."""
        if col not in self._mats:
            m = np.full((len(self.slot), self.n), np.nan)
            m.reshape(-1)[self.flat] = self.index.number(col)[self.rows]
            self._mats[col] = m
        return self._mats[col]


def prefetch(ctx: LeafContext, table: str, codes: list[str]) -> None:
    """Gather the rows of leaves ``codes`` of ``table`` in one pass, for later
    :func:`scatter` calls asking for any of them."""
    ctx._indexes[("gathered", table)] = Gathered.of(table_index(ctx, table), codes, ctx.n)


def scatter(ctx: LeafContext, table: str, codes: list[str], cols: tuple[str, ...]
            ) -> list[np.ndarray]:
    """Columns ``cols`` of ``table`` as (len(codes) × agencies) matrices, NaN where an
    agency has no row; a clear error when an agency has two rows for one leaf."""
    g = ctx._indexes.get(("gathered", table))
    if g is None or any(code not in g.slot for code in codes):
        g = Gathered.of(table_index(ctx, table), codes, ctx.n)
    slots = [g.slot[code] for code in codes]
    dup = g.dup_agency[slots]
    if (dup >= 0).any():
        k = int(np.argmax(dup >= 0))
        raise DataError(Problem(
            f"agency {ctx.agency_ids[int(dup[k])]} has two rows for leaf {codes[k]}",
            file=f"{table}.csv", field="agency_id", fix="keep one row per agency and leaf"))
    return [g.matrix(col)[slots] for col in cols]


def expression_values(ctx: LeafContext, text: str, where: str, max_points: float
                      ) -> tuple[Any, np.ndarray]:
    """(compiled expression, its values) for ``text``, evaluated once per context and
    ``max_points`` (when the formula reads it). The values are shared: do not modify."""
    cache = ctx._indexes
    expr = cache.get(("expr", text))
    if expr is None:
        expr = cache[("expr", text)] = compile_for(text, ctx, where)
    key = ("values", text, float(max_points) if "max_points" in expr.names else None)
    if key not in cache:
        cache[key] = evaluate_expression(expr, ctx, max_points)
    return expr, cache[key]


# --------------------------------------------------------------------------- block
@dataclass(eq=False)
class Block:
    """Preallocated leaves × agencies arrays, filled kind by kind.

    ``rule`` holds codes into each row's own ``labels[row]`` until :meth:`finish`.
    """

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
        self.value = np.full(shape, np.nan)
        self.points = np.zeros(shape)
        self.max_points = np.zeros(shape)
        self.status = np.zeros(shape, dtype=np.int8)
        self.rule = np.zeros(shape, dtype=np.int64)
        self.labels = [()] * self.n_rows
        self.inputs = [{}] * self.n_rows


# --------------------------------------------------------------------------- bands
_TABLES: dict[tuple[int, ...], tuple[list[tuple[Band, ...]], tuple[np.ndarray, ...]]] = {}


def _band_table(bands_list: list[tuple[Band, ...]]) -> tuple[np.ndarray, ...]:
    """Padded (lo, hi, points) of several band lists, and their band counts (cached by
    the identity of the band tuples, which rule sets never change)."""
    key = tuple(map(id, bands_list))
    hit = _TABLES.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], bands_list, strict=True)):
        return hit[1]
    if len(_TABLES) > 256:
        _TABLES.clear()
    table = _band_arrays(bands_list)
    _TABLES[key] = (list(bands_list), table)          # holds the tuples: ids stay theirs
    return table


def _band_arrays(bands_list: list[tuple[Band, ...]]) -> tuple[np.ndarray, ...]:
    width = max(len(b) for b in bands_list)
    lo = np.full((len(bands_list), width), np.inf)
    hi = np.full((len(bands_list), width), -np.inf)       # padding holds no value
    pts = np.zeros((len(bands_list), width + 1))          # + the no-band column (0)
    count = np.array([len(b) for b in bands_list], dtype=np.int64)
    for i, bands in enumerate(bands_list):
        for j, b in enumerate(bands):
            lo[i, j] = -np.inf if b.min is None else b.min
            hi[i, j] = np.inf if b.max is None else b.max
            pts[i, j] = b.points
    order = np.argsort(lo, axis=1, kind="stable")
    return lo, hi, pts, count, order, np.take_along_axis(lo, order, axis=1)


def _band_index(v: np.ndarray, bands_list: list[tuple[Band, ...]], unique: bool
                ) -> tuple[np.ndarray, np.ndarray]:
    """(points, band index; the band count where no band holds) of ``v`` (rows × n, no
    NaN), each row against its own bands. ``unique`` (non-overlapping) bands: the band
    with the highest ``min <= v``, if ``v`` is below its max; otherwise the first band in
    file order that holds ``v``."""
    lo, hi, pts, count, order, lo_sorted = _band_table(bands_list)
    width = lo.shape[1]
    row = np.arange(len(bands_list))[:, None]
    if unique:
        below = np.zeros(v.shape, dtype=np.intp)         # bands with min <= v
        for j in range(width):
            below += v >= lo_sorted[:, j, None]
        cand = order.reshape(-1)[np.maximum(below - 1, 0) + row * width]
        ok = (below > 0) & (v < hi.reshape(-1)[cand + row * width])
        idx = np.where(ok, cand, count[:, None])
    else:
        idx = np.broadcast_to(count[:, None], v.shape).copy()
        for j in range(width - 1, -1, -1):
            np.copyto(idx, j, where=(v >= lo[:, j, None]) & (v < hi[:, j, None]))
    return pts.reshape(-1)[idx + row * (width + 1)], idx


def _bands_into(out: Block, rows: list[int], leaves: list[Leaf], values: np.ndarray,
                bands_list: list[tuple[Band, ...]], hits: list[str]) -> None:
    """Band look-up of ``values`` (len(rows) × n) for each row's bands."""
    na = np.isnan(values)
    v = np.where(na, 0.0, values)
    points = np.empty(v.shape)
    idx = np.empty(v.shape, dtype=np.intp)
    for unique in (True, False):
        part = [i for i, h in enumerate(hits) if (h == "unique") == unique]
        if part:
            p, k = _band_index(v[part], [bands_list[i] for i in part], unique)
            points[part] = p
            idx[part] = k
    r = np.asarray(rows)
    out.value[r] = values
    out.points[r] = np.where(na, 0.0, points)
    out.max_points[r] = np.array([lf.max for lf in leaves], dtype=float)[:, None]
    out.status[r] = np.where(na, NOT_APPLICABLE, SCORED)
    out.rule[r] = idx
    for row, bands in zip(rows, bands_list, strict=True):
        out.labels[row] = _band_labels(bands)


def _batch_bands(out: Block, rows: list[int], leaves: list[Leaf], ctx: LeafContext) -> None:
    values = np.empty((len(rows), ctx.n))
    for i, leaf in enumerate(leaves):
        col = ctx.column(leaf.rule.indicator, leaf)
        values[i] = col
        out.inputs[rows[i]] = {leaf.rule.indicator: col}
    _bands_into(out, rows, leaves, values, [leaf.rule.bands for leaf in leaves],
                [leaf.rule.hit for leaf in leaves])


# --------------------------------------------------------------------------- tasks
_ARISING = ("done_on_time", "done_late", "not_done", "in_progress")


def _batch_tasks(out: Block, rows: list[int], leaves: list[Leaf], ctx: LeafContext) -> None:
    counts = {s: np.nan_to_num(ctx.column(col, leaves[0]), nan=0.0)
              for s, col in TASK_COLUMNS.items()}
    inputs = {TASK_COLUMNS[s]: counts[s] for s in TASK_COLUMNS}
    arising = counts["done_on_time"] + counts["done_late"] + counts["not_done"] \
        + counts["in_progress"]
    na = arising <= 0
    weights = np.array([[leaf.rule.weights.get(s, 0.0) for s in _ARISING]
                        for leaf in leaves])
    weighted = weights[:, 0:1] * counts[_ARISING[0]]
    for j, s in enumerate(_ARISING[1:], start=1):
        weighted = weighted + weights[:, j:j + 1] * counts[s]
    with np.errstate(all="ignore"):
        rate = np.where(na, np.nan, weighted / np.where(na, 1.0, arising) * 100.0)
    band_i = [i for i, leaf in enumerate(leaves) if leaf.rule.mode == "bands"]
    rate_i = [i for i, leaf in enumerate(leaves) if leaf.rule.mode != "bands"]
    for i in range(len(leaves)):
        out.inputs[rows[i]] = inputs
    if band_i:
        _bands_into(out, [rows[i] for i in band_i], [leaves[i] for i in band_i],
                    rate[band_i], [leaves[i].rule.bands or () for i in band_i],
                    [leaves[i].rule.hit for i in band_i])
    if rate_i:
        r = np.asarray([rows[i] for i in rate_i])
        mx = np.array([leaves[i].max for i in rate_i], dtype=float)[:, None]
        out.value[r] = rate[rate_i]
        out.points[r] = np.where(na, 0.0, np.clip(np.nan_to_num(rate[rate_i]) / 100.0 * mx,
                                                  0, mx))
        out.max_points[r] = mx
        out.status[r] = np.where(na, NOT_APPLICABLE, SCORED)
        out.rule[r] = 0
        for i in rate_i:
            leaf = leaves[i]
            parts = " + ".join(f"{fmt(w)}×{TASK_LABELS[s]}"
                               for s, w in leaf.rule.weights.items() if w)
            out.labels[rows[i]] = (f"{fmt(leaf.max)} × ({parts}) / nhiệm vụ phát sinh",)


# --------------------------------------------------------------------------- formula
def _batch_formula(out: Block, rows: list[int], leaves: list[Leaf], ctx: LeafContext) -> None:
    values = np.empty((len(rows), ctx.n))
    for i, leaf in enumerate(leaves):
        expr, values[i] = expression_values(ctx, leaf.rule.expr, f"leaf {leaf.code}",
                                            leaf.max)
        out.inputs[rows[i]] = {
            n: (np.full(ctx.n, float(leaf.max)) if n == "max_points" else ctx.column(n, leaf))
            for n in sorted(expr.names)}
        out.labels[rows[i]] = (leaf.rule.expr, f"{leaf.rule.expr} (giới hạn ở {fmt(leaf.max)})")
    r = np.asarray(rows)
    mx = np.array([leaf.max for leaf in leaves], dtype=float)[:, None]
    na = ~np.isfinite(values)
    v = np.where(na, 0.0, values)
    capped = ~na & (v > mx + 1e-9)
    out.value[r] = values
    out.points[r] = np.clip(v, 0.0, mx)
    out.max_points[r] = mx
    out.status[r] = np.where(na, NOT_APPLICABLE, np.where(capped, CAPPED, SCORED))
    out.rule[r] = capped


# --------------------------------------------------------------------------- manual
@lru_cache(maxsize=4096)
def _manual_labels(leaf_max: float, missing: str) -> tuple[str, ...]:
    missing_label = ("chưa có điểm → loại khỏi điểm tối đa" if missing == "exclude"
                     else "chưa có điểm → 0 điểm")
    return ("điểm thẩm định", "điểm tự chấm", f"điểm thẩm định (giới hạn ở {fmt(leaf_max)})",
            f"điểm tự chấm (giới hạn ở {fmt(leaf_max)})", missing_label)


def _missing_fill(out: Block, r: np.ndarray, leaves: list[Leaf], have: np.ndarray,
                  points: np.ndarray, status: np.ndarray, mx: np.ndarray) -> None:
    exclude = np.array([leaf.rule.missing == "exclude" for leaf in leaves])[:, None]
    out.max_points[r] = np.where(exclude & ~have, 0.0, mx)
    out.points[r] = np.where(have, points, 0.0)
    out.status[r] = np.where(have, status, MISSING)


def _batch_manual(out: Block, rows: list[int], leaves: list[Leaf], ctx: LeafContext) -> None:
    by_table: dict[str, list[int]] = {}
    for i, leaf in enumerate(leaves):
        by_table.setdefault(leaf.rule.table, []).append(i)
    for table, which in by_table.items():
        part = [leaves[i] for i in which]
        self_pts, appraised = scatter(ctx, table, [leaf.code for leaf in part],
                                      ("self_points", "appraised_points"))
        r = np.asarray([rows[i] for i in which])
        mx = np.array([leaf.max for leaf in part], dtype=float)[:, None]
        use_appraised = ~np.isnan(appraised)
        value = np.where(use_appraised, appraised, self_pts)
        have = ~np.isnan(value)
        v = np.where(have, value, 0.0)
        capped = have & (v > mx + 1e-9)
        out.value[r] = value
        _missing_fill(out, r, part, have, np.clip(v, 0.0, mx),
                      np.where(capped, CAPPED, MANUAL), mx)
        # 0 appraised, 1 self-assessed, +2 when capped; 4 missing
        out.rule[r] = np.where(have, (~use_appraised) + 2 * capped, 4)
        for k, (i, leaf) in enumerate(zip(which, part, strict=True)):
            out.labels[rows[i]] = _manual_labels(float(leaf.max), leaf.rule.missing)
            out.inputs[rows[i]] = {"self_points": self_pts[k], "appraised_points": appraised[k]}


# --------------------------------------------------------------------------- survey
def _survey_options(ctx: LeafContext, table: str, leaves: list[Leaf]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(answers, weighted) matrices of option leaves: Σ count and Σ count × option%."""
    ti = table_index(ctx, table)
    n = ctx.n
    rows, slots = ti.rows_of([leaf.code for leaf in leaves])
    answers = np.zeros((len(leaves), n))
    weighted = np.zeros((len(leaves), n))
    if not len(rows):
        return answers, weighted
    opt_codes, opt_texts = ti.options()
    lut = np.array([[leaf.rule.options.get(o, np.nan) for o in opt_texts] + [np.nan]
                    for leaf in leaves])
    pct = lut[slots, opt_codes[rows]]             # option code −1 → the last: NaN
    bad = np.isnan(pct)
    if bad.any():
        first = int(slots[np.argmax(bad)])
        mine = bad & (slots == first)
        unknown = sorted({opt_texts[c] if c >= 0 else "" for c in opt_codes[rows[mine]]})
        leaf = leaves[first]
        raise DataError(Problem(
            f"leaf {leaf.code} has answers with option(s) {unknown} that the rule "
            f"does not map", file=f"{table}.csv", field="option",
            fix="use one of " + ", ".join(leaf.rule.options)
                + " or add the option to the rule's options"))
    count = np.nan_to_num(ti.number("count")[rows])
    pos = ti.pos[rows]
    keep = pos >= 0
    flat = slots[keep] * n + pos[keep]
    size = len(leaves) * n
    answers = np.bincount(flat, weights=count[keep], minlength=size).reshape(len(leaves), n)
    weighted = np.bincount(flat, weights=(count * pct)[keep], minlength=size
                           ).reshape(len(leaves), n)
    return answers, weighted


def _batch_survey(out: Block, rows: list[int], leaves: list[Leaf], ctx: LeafContext) -> None:
    groups: dict[tuple[str, bool], list[int]] = {}
    for i, leaf in enumerate(leaves):
        groups.setdefault((leaf.rule.table, leaf.rule.options is not None), []).append(i)
    # leaves in tree order, so the first failing leaf is the one reported
    for (table, with_options), which in sorted(groups.items(), key=lambda kv: kv[1][0]):
        part = [leaves[i] for i in which]
        r = np.asarray([rows[i] for i in which])
        mx = np.array([leaf.max for leaf in part], dtype=float)[:, None]
        if with_options:
            answers, weighted = _survey_options(ctx, table, part)
            have = answers > 0
            with np.errstate(all="ignore"):
                share = np.where(have, weighted / np.where(have, answers, 1.0), np.nan)
        else:
            (share,) = scatter(ctx, table, [leaf.code for leaf in part], ("share",))
            have = ~np.isnan(share)
        out.value[r] = share
        _missing_fill(out, r, part, have,
                      np.clip(np.nan_to_num(share) / 100.0 * mx, 0.0, mx), SCORED, mx)
        out.rule[r] = np.where(have, 0, 1)
        for k, (i, leaf) in enumerate(zip(which, part, strict=True)):
            rule = leaf.rule
            if with_options:
                label = "Σ số phiếu × " + ", ".join(
                    f"{o}={fmt(v)}%" for o, v in rule.options.items()) + " / tổng số phiếu"
                out.inputs[rows[i]] = {"answers": answers[k], "share": share[k]}
            else:
                label = "tỷ lệ hài lòng (%) × điểm tối đa"
                out.inputs[rows[i]] = {"share": share[k]}
            missing_label = ("không có phiếu → loại khỏi điểm tối đa"
                             if rule.missing == "exclude" else "không có phiếu → 0 điểm")
            out.labels[rows[i]] = (label, missing_label)


# --------------------------------------------------------------------------- driver
BATCHED: dict[str, tuple[Any, Any]] = {
    "bands": (evaluate_bands, _batch_bands),
    "tasks": (evaluate_tasks, _batch_tasks),
    "formula": (evaluate_formula, _batch_formula),
    "manual": (evaluate_manual, _batch_manual),
    "survey": (evaluate_survey, _batch_survey),
}


def prefetch_tree(ctx: LeafContext, leaves: list[Leaf], extra: list[tuple[str, str]] = ()
                  ) -> None:
    """Gather, one pass per table, the rows of every built-in manual and share-survey
    leaf (and ``extra`` (table, code) pairs, e.g. manual adjustments)."""
    wanted: dict[str, list[str]] = {}
    for leaf in leaves:
        rule = leaf.rule
        if (rule.kind == "manual" and LEAF_EVALUATORS.get("manual") is evaluate_manual) or (
                rule.kind == "survey" and rule.options is None
                and LEAF_EVALUATORS.get("survey") is evaluate_survey):
            wanted.setdefault(rule.table, []).append(leaf.code)
    for table, code in extra:
        wanted.setdefault(table, []).append(code)
    for table, codes in wanted.items():
        prefetch(ctx, table, codes)


def evaluate_tree(leaves: list[Leaf], ctx: LeafContext, not_applicable: str,
                  out: Block) -> None:
    """Fill rows ``0 … len(leaves)-1`` of ``out`` with the leaves' outcomes.

    The same numbers, statuses and rule labels as
    :func:`~scoring.engine.leaves.evaluate_in` leaf by leaf; ``out.rule`` stays coded
    into each row's own labels.
    """
    by_kind: dict[str, list[int]] = {}
    for i, leaf in enumerate(leaves):
        kind = leaf.rule.kind
        if kind not in LEAF_EVALUATORS:
            raise RuleError(Problem(f"leaf {leaf.code} has unknown kind {kind!r}",
                                    field=f"leaf {leaf.code}.rule.kind",
                                    fix="use one of " + ", ".join(LEAF_EVALUATORS)))
        by_kind.setdefault(kind, []).append(i)
    for kind, rows in by_kind.items():
        single, batch = BATCHED.get(kind, (None, None))
        if LEAF_EVALUATORS[kind] is single:
            batch(out, rows, [leaves[i] for i in rows], ctx)
            continue
        for i in rows:                                  # a registered (custom) kind
            res = LEAF_EVALUATORS[kind](leaves[i], ctx)
            out.value[i] = res.value
            out.points[i] = res.points
            out.max_points[i] = res.max_points
            out.status[i] = res.status
            out.rule[i] = res.rule
            out.labels[i] = tuple(res.rule_labels)
            out.inputs[i] = dict(res.inputs)
    n_leaves = len(leaves)
    status = out.status[:n_leaves]
    for i, leaf in enumerate(leaves):
        if leaf.applies_if:
            _, cond = expression_values(ctx, leaf.applies_if, f"leaf {leaf.code}.applies_if",
                                        leaf.max)
            status[i][np.nan_to_num(cond, nan=0.0) == 0] = NOT_APPLICABLE
    na = status == NOT_APPLICABLE
    hit = np.flatnonzero(na.any(axis=1))
    if not len(hit):
        return
    full = np.zeros((len(hit), 1))
    na_code = np.zeros((len(hit), 1), dtype=np.int64)
    for k, i in enumerate(hit):
        leaf = leaves[i]
        policy = leaf.not_applicable or not_applicable
        out.labels[i] = (*out.labels[i], NA_LABELS[policy])
        na_code[k] = len(out.labels[i]) - 1
        full[k] = float(leaf.max) if policy == "award" else 0.0
    m = na[hit]
    out.points[hit] = np.where(m, full, out.points[hit])
    out.max_points[hit] = np.where(m, full, out.max_points[hit])
    out.rule[hit] = np.where(m, na_code, out.rule[hit])
