"""Batched evaluation of a whole tree: every leaf of a built-in kind at once.

:mod:`scoring.engine.leaves` evaluates one leaf over all agencies; this module gives the
same numbers for all leaves of a tree together, so the fixed cost per leaf (pandas
look-ups, array allocations, one small numpy call per step) is paid once per kind rather
than once per leaf:

* indicators become one float matrix (columns × agencies), read by row;
* the score and survey tables are indexed once per dataset (:func:`dataset_index`: each
  row's agency position and leaf code, numeric columns as arrays), reused by every
  ``score`` call on the same :class:`~scoring.dataset.Dataset` object, and scattered into
  leaves × agencies matrices; what a tree's manual and survey leaves make of them (they
  read no indicator) is kept per dataset and tree plan
  (:meth:`DatasetIndex.tree_tables`), so scoring the same rule set on the same dataset
  again only copies it;
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

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
    LeafTables,
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
from scoring.rules.model import Band, Leaf, RuleSet

if TYPE_CHECKING:
    from collections.abc import Callable

    from scoring.dataset import Dataset


# --------------------------------------------------------------------------- text codes
def factorize_text(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``values`` as text (``str(v)``), ``-1`` for None/NaN.

    ``pd.factorize`` of the values converted to text: codes in first-seen order, and
    ``texts[c]`` the text of code ``c``. Equal texts share a code whatever the Python
    type or object that holds them.

    Parameters
    ----------
    values : array-like
        Any 1-D values.

    Returns
    -------
    (codes, texts)
        ``codes`` int64 per value; ``texts`` an object array of str.

    Examples
    --------
    >>> a, b = "x", "".join(["x"])        # equal values, distinct objects
    >>> codes, texts = factorize_text(np.array([a, b, 1.5, float("nan")], dtype=object))
    >>> codes.tolist(), texts.tolist()
    ([0, 0, 1, -1], ['x', '1.5'])
    """
    values = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) != "string":   # not all text yet
        series = pd.Series(values, dtype=object)
        text = series.astype(str).to_numpy(dtype=object)
        text[series.isna().to_numpy()] = None
        values = text
    codes, texts = pd.factorize(values)
    return codes.astype(np.int64, copy=False), np.asarray(texts, dtype=object)


def agency_positions(values: np.ndarray, agency_ids: pd.Index) -> np.ndarray:
    """Position in ``agency_ids`` of each value as text (−1 = none).

    >>> agency_positions(np.array(["b", "x", "a", "b"], dtype=object),
    ...                  pd.Index(["a", "b"])).tolist()
    [1, -1, 0, 1]
    """
    values = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":     # all text
        return agency_ids.get_indexer(values).astype(np.int64, copy=False)
    codes, texts = factorize_text(values)
    return np.append(agency_ids.get_indexer(texts), -1)[codes]


def _text(values: np.ndarray) -> np.ndarray:
    """``values`` as an object array of str (as ``astype(str)``; no copy when they are
    text already)."""
    values = np.asarray(values)
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return values.astype(str).astype(object)


# --------------------------------------------------------------------------- tables
@dataclass(eq=False)
class IndexedTable:
    """A score or survey table indexed against a dataset's agencies (built once per
    dataset, see :func:`dataset_index`; read-only afterwards, but for the columns it
    converts on first use).

    Attributes
    ----------
    df : DataFrame
    agency : ndarray of int
        Per row, the position of its agency among the dataset's agencies (−1 = none).
    leaf_code : ndarray of int
        Per row, a code into ``leaves`` (−1 = no leaf).
    leaves : dict of str → int
    """

    df: pd.DataFrame
    agency: np.ndarray
    leaf_code: np.ndarray
    leaves: dict[str, int]
    _numbers: dict[str, np.ndarray] = field(default_factory=dict)
    _options: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of(cls, df: pd.DataFrame, agency_ids: pd.Index) -> IndexedTable:
        if len(df) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return cls(df=df, agency=empty, leaf_code=empty, leaves={})
        leaf_code, leaves = factorize_text(df["leaf"].to_numpy())
        return cls(df=df, agency=agency_positions(df["agency_id"].to_numpy(), agency_ids),
                   leaf_code=leaf_code, leaves={t: i for i, t in enumerate(leaves)})

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


MAX_TREE_CACHES = 4
"""How many trees' table caches (:meth:`DatasetIndex.tree_tables`) one dataset keeps
(on the synthetic national data, some 33 MiB each)."""


class DatasetIndex:
    """What :func:`~scoring.engine.score.score` reads from a dataset, prepared once per
    :class:`~scoring.dataset.Dataset` object and reused by every later call on it (rule
    variants in simulate, compare and what-if): the agencies as text, and the score and
    survey tables indexed by agency position and leaf (:class:`IndexedTable`, built on
    first use).

    It holds the dataset's tables, not the dataset, so the cache entry goes with it.

    Examples
    --------
    >>> agencies = pd.DataFrame({"group": ["commune", "commune"], "ranked": [True, True]},
    ...                         index=pd.Index(["a", "b"], name="agency_id"))
    >>> scores = pd.DataFrame({"agency_id": ["b", "zz", "a"], "leaf": ["1.1", "1.1", "2.1"],
    ...                        "self_points": [1.0, 2.0, 3.0]})
    >>> t = DatasetIndex(agencies, LeafTables(scores=scores)).table("scores")
    >>> t.agency.tolist(), t.leaf_code.tolist(), t.leaves
    ([1, -1, 0], [0, 0, 1], {'1.1': 0, '2.1': 1})
    """

    def __init__(self, agencies: pd.DataFrame, tables: LeafTables):
        self.tables = tables
        self.agency_ids = agencies.index if agencies.index.inferred_type == "string" \
            else pd.Index(_text(agencies.index.to_numpy()), dtype=object)
        self.ranked = agencies["ranked"].to_numpy(dtype=bool) \
            if "ranked" in agencies.columns else np.ones(len(agencies), dtype=bool)
        self.groups = _text(agencies["group"].to_numpy())
        self.names = _text(agencies["name"].to_numpy()) if "name" in agencies.columns \
            else None
        self._tables: dict[str, IndexedTable] = {}
        self._trees: weakref.WeakKeyDictionary[TreePlan, tuple[np.ndarray, dict]] = \
            weakref.WeakKeyDictionary()

    def table(self, table: str) -> IndexedTable:
        """Table ``table`` (``scores`` or ``surveys``) indexed (built on first use)."""
        if table not in self._tables:
            self._tables[table] = IndexedTable.of(self.tables.table(table), self.agency_ids)
        return self._tables[table]

    def tree_tables(self, plan: TreePlan, scope: np.ndarray) -> dict:
        """The cache of what tree ``plan`` reads from the tables for the agencies
        ``scope`` (their rows placed at the tree's agency positions, manual and survey
        values gathered into leaves × agencies grids, survey answers summed per option
        rule, the manual and survey leaves' outcomes): empty on the first call for
        ``plan``, then kept while the plan lives, so a later ``score`` with the same
        rule set on this dataset reuses it. A different ``scope`` starts a new cache;
        at most :data:`MAX_TREE_CACHES` plans are kept (all dropped when one more comes).

        >>> agencies = pd.DataFrame({"group": ["commune"]}, index=pd.Index(["a"]))
        >>> index = DatasetIndex(agencies, LeafTables())
        >>> plan = TreePlan.__new__(TreePlan)          # any plan object will do here
        >>> cache = index.tree_tables(plan, np.array([0]))
        >>> cache["x"] = 1
        >>> index.tree_tables(plan, np.array([0])) is cache
        True
        >>> index.tree_tables(plan, np.zeros(0, dtype=np.int64)) is cache
        False
        """
        hit = self._trees.get(plan)
        if hit is not None and np.array_equal(hit[0], scope):
            return hit[1]
        if len(self._trees) >= MAX_TREE_CACHES:     # bound the memory: start afresh
            self._trees.clear()
        cache: dict = {}
        self._trees[plan] = (scope.copy(), cache)
        return cache


_DATASET_INDEXES: weakref.WeakKeyDictionary[Dataset, DatasetIndex] = \
    weakref.WeakKeyDictionary()


def dataset_index(ds: Dataset) -> DatasetIndex:
    """The :class:`DatasetIndex` of ``ds``, built on the first call for this object.

    A :class:`~scoring.dataset.Dataset` is immutable (a changed table is a new object,
    from ``ds.replace(...)``), so the index stays valid for the object's life; the entry
    is dropped with the object. Datasets compare by identity, so two copies with equal
    tables are indexed separately.
    """
    index = _DATASET_INDEXES.get(ds)
    if index is None:
        index = DatasetIndex(ds.agencies, LeafTables(scores=ds.scores, surveys=ds.surveys))
        _DATASET_INDEXES[ds] = index
    return index


@dataclass(eq=False)
class TableIndex:
    """An :class:`IndexedTable` seen from one scoring context: each row's agency as a
    position among the context's agencies.

    Attributes
    ----------
    table : IndexedTable
    pos : ndarray of int
        Per row, the position of its agency in the context (−1 = not in scope).
    """

    table: IndexedTable
    pos: np.ndarray

    @classmethod
    def of(cls, table: IndexedTable, scope: np.ndarray, n_agencies: int) -> TableIndex:
        """``scope``: the context's agencies as positions among the ``n_agencies`` the
        table was indexed against."""
        local = np.full(n_agencies + 1, -1, dtype=np.int64)   # the last: agency −1
        local[scope] = np.arange(len(scope))
        return cls(table=table, pos=local[table.agency])

    @property
    def leaves(self) -> dict[str, int]:
        return self.table.leaves

    def number(self, col: str) -> np.ndarray:
        """Column ``col`` as floats (NaN when the table lacks it)."""
        return self.table.number(col)

    def options(self) -> tuple[np.ndarray, np.ndarray]:
        """(option code per row, option texts)."""
        return self.table.options()

    def rows_of(self, codes: list[str]) -> tuple[np.ndarray | slice, np.ndarray]:
        """(row positions, slot of each row) of the rows of leaves ``codes`` (slot = the
        leaf's position in ``codes``), in table order; the positions are ``ALL`` (a
        slice) when every row is one of those leaves."""
        slot_of = np.full(len(self.leaves) + 1, -1, dtype=np.int64)
        for slot, code in enumerate(codes):
            c = self.leaves.get(code)
            if c is not None:
                slot_of[c] = slot
        slots = slot_of[self.table.leaf_code]
        if len(slots) and slots.min() >= 0:
            return ALL, slots
        rows = np.flatnonzero(slots >= 0)
        return rows, slots[rows]


ALL = slice(None)


def _kept(rows: np.ndarray | slice, keep: np.ndarray) -> np.ndarray | slice:
    """The positions ``rows`` where ``keep`` (``rows`` itself when all are kept)."""
    if keep.all():
        return rows
    return np.flatnonzero(keep) if isinstance(rows, slice) else rows[keep]


def use_dataset_index(ctx: LeafContext, index: DatasetIndex, scope: np.ndarray,
                      tables: dict | None = None) -> None:
    """Let :func:`table_index` read ``ctx``'s tables from ``index`` (the context's
    agencies being ``index.agency_ids[scope]``); ``tables``: where to keep what is read
    from them (:meth:`DatasetIndex.tree_tables`, to share it with later contexts of the
    same tree and agencies; a new dict by default)."""
    ctx._indexes["dataset"] = (index, scope)
    ctx._indexes["tables"] = {} if tables is None else tables


def _tables(ctx: LeafContext) -> dict:
    """Where ``ctx`` keeps what it read from its score and survey tables (these depend
    on the tables and the context's agencies only, never on the indicators)."""
    return ctx._indexes.setdefault("tables", {})


def table_index(ctx: LeafContext, table: str) -> TableIndex:
    """The context's :class:`TableIndex` of ``table`` (built on first use, from the
    dataset's index when the context has one)."""
    cache = _tables(ctx)
    if table not in cache:
        source = ctx._indexes.get("dataset")
        if source is None:
            indexed = IndexedTable.of(ctx.tables.table(table), ctx.agency_ids)
            cache[table] = TableIndex.of(indexed, np.arange(ctx.n), ctx.n)
        else:
            index, scope = source
            cache[table] = TableIndex.of(index.table(table), scope, len(index.agency_ids))
    return cache[table]


@dataclass(eq=False)
class Gathered:
    """Rows of some leaves of one table, placed in a (leaves × agencies) grid.

    Attributes
    ----------
    index : TableIndex
    slot : dict of str → int
        Leaf code → its row in the grid.
    rows : ndarray of int or slice
        Table rows of those leaves whose agency is in scope, in table order (``ALL``
        when that is every row).
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
        kept = _kept(rows, keep)
        flat = slots * n + pos if kept is rows else slots[keep] * n + pos[keep]
        if len(flat):
            counts = np.bincount(flat, minlength=len(slot) * n).reshape(len(slot), n)
            dup = counts > 1
            dup_agency = np.where(dup.any(axis=1), dup.argmax(axis=1), -1)
        else:
            dup_agency = np.full(len(slot), -1)
        return cls(index=ti, n=n, slot=slot, rows=kept, flat=flat, dup_agency=dup_agency)

    def matrix(self, col: str) -> np.ndarray:
        """Column ``col`` on the grid (NaN where an agency has no row)."""
        if col not in self._mats:
            m = np.full((len(self.slot), self.n), np.nan)
            m.reshape(-1)[self.flat] = self.index.number(col)[self.rows]
            m.flags.writeable = False             # shared by later calls: read only
            self._mats[col] = m
        return self._mats[col]


def prefetch(ctx: LeafContext, table: str, codes: list[str]) -> None:
    """Gather the rows of leaves ``codes`` of ``table`` in one pass, for later
    :func:`scatter` calls asking for any of them (kept when already gathered)."""
    cache = _tables(ctx)
    g = cache.get(("gathered", table))
    if g is None or any(code not in g.slot for code in codes):
        cache[("gathered", table)] = Gathered.of(table_index(ctx, table), codes, ctx.n)


def scatter(ctx: LeafContext, table: str, codes: list[str], cols: tuple[str, ...]
            ) -> list[np.ndarray]:
    """Columns ``cols`` of ``table`` as (len(codes) × agencies) matrices, NaN where an
    agency has no row; a clear error when an agency has two rows for one leaf."""
    g = _tables(ctx).get(("gathered", table))
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
# --------------------------------------------------------------------------- bands
def _band_arrays(bands_list: list[tuple[Band, ...]]) -> tuple[np.ndarray, ...]:
    """Padded band bounds of several rows: (lo, hi, points + a no-band 0, band counts,
    order of the mins, sorted mins, row offsets into lo and into points)."""
    width = max(len(b) for b in bands_list)
    lo = np.full((len(bands_list), width), np.inf)
    hi = np.full((len(bands_list), width), -np.inf)       # padding holds no value
    pts = np.zeros((len(bands_list), width + 1))
    count = np.array([len(b) for b in bands_list], dtype=np.intp)
    for i, bands in enumerate(bands_list):
        for j, b in enumerate(bands):
            lo[i, j] = -np.inf if b.min is None else b.min
            hi[i, j] = np.inf if b.max is None else b.max
            pts[i, j] = b.points
    order = np.argsort(lo, axis=1, kind="stable")
    row = np.arange(len(bands_list), dtype=np.intp)[:, None]
    return (lo, hi, pts, count[:, None], order.reshape(-1),
            np.take_along_axis(lo, order, axis=1), row * width, row * (width + 1))


def _band_index(v: np.ndarray, unique: bool, arrays: tuple[np.ndarray, ...]
                ) -> tuple[np.ndarray, np.ndarray]:
    """(points, band index; the band count where no band holds) of ``v`` (rows × n, no
    NaN), each row against its own bands. ``unique`` (non-overlapping) bands: the band
    with the highest ``min <= v``, if ``v`` is below its max; otherwise the first band in
    file order that holds ``v`` (as :func:`~scoring.engine.leaves.lookup_bands`)."""
    lo, hi, pts, count, order, lo_sorted, off, off_pts = arrays
    width = lo.shape[1]
    if unique:
        below = (v >= lo_sorted[:, 0, None]).astype(np.int8 if width < 127 else np.intp)
        for j in range(1, width):                          # bands with min <= v
            below += v >= lo_sorted[:, j, None]
        cand = order[np.maximum(below - 1, 0) + off]
        ok = (below > 0) & (v < hi.reshape(-1)[cand + off])
        idx = np.where(ok, cand, count)
    else:
        idx = np.broadcast_to(count, v.shape).copy()
        for j in range(width - 1, -1, -1):
            np.copyto(idx, j, where=(v >= lo[:, j, None]) & (v < hi[:, j, None]))
    return pts.reshape(-1)[idx + off_pts], idx


class _BandSet:
    """The band look-up of several rows, each with its own bands and hit policy."""

    def __init__(self, bands_list: list[tuple[Band, ...]], hits: list[str]):
        self.labels = [_band_labels(b) for b in bands_list]
        self.parts = []
        for unique in (True, False):
            sel = [i for i, h in enumerate(hits) if (h == "unique") == unique]
            if sel:
                self.parts.append((np.asarray(sel), unique,
                                   _band_arrays([bands_list[i] for i in sel])))

    def lookup(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if len(self.parts) == 1:
            return _band_index(v, self.parts[0][1], self.parts[0][2])
        points = np.empty(v.shape)
        idx = np.empty(v.shape, dtype=np.intp)
        for sel, unique, arrays in self.parts:
            points[sel], idx[sel] = _band_index(v[sel], unique, arrays)
        return points, idx


# --------------------------------------------------------------------------- plan
_ARISING = ("done_on_time", "done_late", "not_done", "in_progress")


def _rows(idx: list[int]) -> np.ndarray:
    return np.asarray(idx, dtype=np.intp)


def _maxes(leaves: list[Leaf]) -> np.ndarray:
    return np.array([float(leaf.max) for leaf in leaves])[:, None]


def _missing_label(missing: str, survey: bool) -> str:
    if survey:
        return "không có phiếu → loại khỏi điểm tối đa" if missing == "exclude" \
            else "không có phiếu → 0 điểm"
    return "chưa có điểm → loại khỏi điểm tối đa" if missing == "exclude" \
        else "chưa có điểm → 0 điểm"


class TreePlan:
    """What a tree's rules fix before any data is seen, worked out once per rule set:
    leaves grouped by kind (row positions, maxima, band tables, task weights, labels),
    the not-applicable policy per leaf, component rows and the ledger's metadata.

    Leaves of a kind whose evaluator was replaced (or of a new kind) are listed in
    ``custom`` and evaluated one by one with the registered evaluator.
    """

    def __init__(self, rules: RuleSet, tree_id: str):
        tree = rules.trees[tree_id]
        entries = list(tree.leaves())
        leaves = [leaf for _, _, leaf in entries]
        not_applicable = rules.not_applicable
        self.leaves = leaves
        self.n = len(leaves)
        self.n_rows = self.n + len(rules.adjustments)
        comp_of = {a: c.id for c in rules.components for a in c.areas}
        self.meta = tuple(
            [(area.code, crit.code, leaf.code, leaf.name, leaf.rule.kind,
              comp_of.get(area.code, ""), leaf.max) for area, crit, leaf in entries]
            + [("", "", adj.code, adj.name, adj.kind, "", adj.cap)
               for adj in rules.adjustments])
        area_of = np.array([m[0] for m in self.meta[:self.n]], dtype=object)
        self.components = []
        for comp in rules.components:
            sel = np.flatnonzero(np.isin(area_of, list(comp.areas)))
            if len(sel):
                self.components.append((sel, comp.when_missing == "rescale",
                                        np.array([leaves[i].max for i in sel],
                                                 dtype=float)[:, None]))
        self.gather_extra = [(adj.rule.table, adj.code) for adj in rules.adjustments
                             if adj.rule.kind == "manual"]
        self.bonus_rows = _rows([self.n + k for k, adj in enumerate(rules.adjustments)
                                 if adj.kind == "bonus"])
        self.deduction_rows = _rows([self.n + k for k, adj in enumerate(rules.adjustments)
                                     if adj.kind == "deduction"])
        sizes = [sum(len(c.leaves) for c in a.criteria) for a in tree.areas]
        self.area_sizes = sizes
        self.area_starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp) \
            if sizes else np.zeros(0, dtype=np.intp)
        self.area_codes = tuple(a.code for a in tree.areas)
        self.area_names = tuple(a.name for a in tree.areas)
        by_kind: dict[str, list[int]] = {}
        for i, leaf in enumerate(leaves):
            kind = leaf.rule.kind
            if kind not in LEAF_EVALUATORS:
                raise RuleError(Problem(f"leaf {leaf.code} has unknown kind {kind!r}",
                                        field=f"leaf {leaf.code}.rule.kind",
                                        fix="use one of " + ", ".join(LEAF_EVALUATORS)))
            by_kind.setdefault(kind, []).append(i)
        builtin = {k: LEAF_EVALUATORS.get(k) is BUILTIN[k] for k in BUILTIN}
        self.custom = [i for k, idx in by_kind.items() if not builtin.get(k) for i in idx]
        self.labels: list[tuple[str, ...]] = [()] * self.n
        # filled on the first run when every kind is built in (labels are then fixed)
        self.na_code: np.ndarray | None = None
        self.final_labels: list[tuple[str, ...]] = []
        self.offsets: np.ndarray | None = None
        self.rule_labels: tuple[str, ...] = ()

        def kind(name: str) -> list[int]:
            return by_kind.get(name, []) if builtin[name] else []

        # bands
        b = kind("bands")
        self.bands = _rows(b)
        self.band_indicators = [leaves[i].rule.indicator for i in b]
        self.band_mx = _maxes([leaves[i] for i in b])
        self.band_set = _BandSet([leaves[i].rule.bands for i in b],
                                 [leaves[i].rule.hit for i in b]) if b else None
        for i, lb in zip(b, self.band_set.labels if b else [], strict=True):
            self.labels[i] = lb
        # tasks
        t = kind("tasks")
        self.tasks = _rows(t)
        self.task_weights = np.array([[leaves[i].rule.weights.get(s, 0.0) for s in _ARISING]
                                      for i in t]).reshape(len(t), 4)
        tb = [k for k, i in enumerate(t) if leaves[i].rule.mode == "bands"]
        tr = [k for k, i in enumerate(t) if leaves[i].rule.mode != "bands"]
        self.task_band_k, self.task_rate_k = _rows(tb), _rows(tr)
        self.task_band_set = _BandSet([leaves[t[k]].rule.bands or () for k in tb],
                                      [leaves[t[k]].rule.hit for k in tb]) if tb else None
        self.task_rate_mx = _maxes([leaves[t[k]] for k in tr])
        self.task_mx = _maxes([leaves[i] for i in t])
        for k, lb in zip(tb, self.task_band_set.labels if tb else [], strict=True):
            self.labels[t[k]] = lb
        for k in tr:
            leaf = leaves[t[k]]
            parts = " + ".join(f"{fmt(w)}×{TASK_LABELS[s]}"
                               for s, w in leaf.rule.weights.items() if w)
            self.labels[t[k]] = (f"{fmt(leaf.max)} × ({parts}) / nhiệm vụ phát sinh",)
        # formulas
        f = kind("formula")
        self.formulas = _rows(f)
        self.formula_leaves = [leaves[i] for i in f]
        self.formula_mx = _maxes(self.formula_leaves)
        for i in f:
            expr = leaves[i].rule.expr
            self.labels[i] = (expr, f"{expr} (giới hạn ở {fmt(leaves[i].max)})")
        # manual and survey, grouped by table (and options / share for surveys)
        self.manual: list[tuple[str, np.ndarray, list[Leaf], np.ndarray, np.ndarray]] = []
        self.survey: list[tuple[str, bool, np.ndarray, list[Leaf], np.ndarray,
                                np.ndarray]] = []
        groups: dict[tuple[str, str, bool], list[int]] = {}
        for i in kind("manual"):
            groups.setdefault(("manual", leaves[i].rule.table, False), []).append(i)
        for i in kind("survey"):
            rule = leaves[i].rule
            groups.setdefault(("survey", rule.table, rule.options is not None), []).append(i)
        self.gather: dict[str, list[str]] = {}
        for (k, table, options), idx in groups.items():
            part = [leaves[i] for i in idx]
            exclude = np.array([lf.rule.missing == "exclude" for lf in part])[:, None]
            if k == "manual":
                self.manual.append((table, _rows(idx), part, _maxes(part), exclude))
            else:
                self.survey.append((table, options, _rows(idx), part, _maxes(part), exclude))
            if not options:
                self.gather.setdefault(table, []).extend(lf.code for lf in part)
            for i, lf in zip(idx, part, strict=True):
                missing = _missing_label(lf.rule.missing, k == "survey")
                if k == "manual":
                    self.labels[i] = (
                        "điểm thẩm định", "điểm tự chấm",
                        f"điểm thẩm định (giới hạn ở {fmt(lf.max)})",
                        f"điểm tự chấm (giới hạn ở {fmt(lf.max)})", missing)
                elif options:
                    self.labels[i] = ("Σ số phiếu × " + ", ".join(
                        f"{o}={fmt(v)}%" for o, v in lf.rule.options.items())
                        + " / tổng số phiếu", missing)
                else:
                    self.labels[i] = ("tỷ lệ hài lòng (%) × điểm tối đa", missing)
        for table, code in self.gather_extra:
            self.gather.setdefault(table, []).append(code)
        # applies_if and the not-applicable policy
        self.conditions = [(i, leaves[i]) for i in range(self.n) if leaves[i].applies_if]
        self.cond_rows = _rows([i for i, _ in self.conditions])
        policy = [leaf.not_applicable or not_applicable for leaf in leaves]
        self.na_labels = [NA_LABELS[p] for p in policy]
        self.na_full = np.array([float(leaf.max) if p == "award" else 0.0
                                 for leaf, p in zip(leaves, policy, strict=True)])[:, None]


@dataclass(eq=False)
class Block:
    """Preallocated (rows × agencies) ledger arrays; ``rule`` codes index the row's own
    ``labels[row]`` until the engine adds the offsets."""

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


# --------------------------------------------------------------------------- run
def _indicator_rows(ctx: LeafContext, names: list[str], leaves: list[Leaf]) -> np.ndarray:
    """Rows ``names`` of the indicator matrix (columns × agencies)."""
    matrix, row_of = ctx._indexes.get("matrix", (None, {}))
    rows = [row_of.get(name, -1) for name in names]
    if matrix is not None and min(rows, default=0) >= 0:
        return matrix[rows]
    for name, leaf in zip(names, leaves, strict=True):
        ctx.column(name, leaf)                 # a clear error when the data lacks one
    return np.stack([ctx._columns[name] for name in names]) if names \
        else np.zeros((0, ctx.n))


def _fill(out: Block, r: np.ndarray, value: np.ndarray, points: np.ndarray,
          max_points: np.ndarray, status: np.ndarray, rule: np.ndarray) -> None:
    out.value[r] = value
    out.points[r] = points
    out.max_points[r] = max_points
    out.status[r] = status
    out.rule[r] = rule


def _run_bands(plan: TreePlan, ctx: LeafContext, out: Block) -> None:
    leaves = [plan.leaves[i] for i in plan.bands]
    values = _indicator_rows(ctx, plan.band_indicators, leaves)
    na = np.isnan(values)
    points, idx = plan.band_set.lookup(np.where(na, 0.0, values))
    _fill(out, plan.bands, values, np.where(na, 0.0, points), plan.band_mx,
          np.where(na, NOT_APPLICABLE, SCORED), idx)
    for k, i in enumerate(plan.bands):
        out.inputs[i] = {plan.band_indicators[k]: values[k]}


def _run_tasks(plan: TreePlan, ctx: LeafContext, out: Block) -> None:
    first = plan.leaves[plan.tasks[0]]
    counts = np.nan_to_num(_indicator_rows(ctx, list(TASK_COLUMNS.values()),
                                           [first] * len(TASK_COLUMNS)), nan=0.0)
    inputs = dict(zip(TASK_COLUMNS.values(), counts, strict=True))
    arising = counts[0] + counts[1] + counts[2] + counts[3]
    na = arising <= 0
    w = plan.task_weights
    weighted = w[:, 0:1] * counts[0]
    for j in range(1, 4):
        weighted = weighted + w[:, j:j + 1] * counts[j]
    with np.errstate(all="ignore"):
        rate = np.where(na, np.nan, weighted / np.where(na, 1.0, arising) * 100.0)
    status = np.where(na, NOT_APPLICABLE, SCORED)
    if len(plan.task_band_k):
        k = plan.task_band_k
        band_na = np.isnan(rate[k])
        points, idx = plan.task_band_set.lookup(np.where(band_na, 0.0, rate[k]))
        _fill(out, plan.tasks[k], rate[k], np.where(band_na, 0.0, points), plan.task_mx[k],
              np.where(band_na, NOT_APPLICABLE, SCORED), idx)
    if len(plan.task_rate_k):
        k = plan.task_rate_k
        mx = plan.task_rate_mx
        _fill(out, plan.tasks[k], rate[k],
              np.where(na, 0.0, np.clip(np.nan_to_num(rate[k]) / 100.0 * mx, 0, mx)), mx,
              status, 0)
    for i in plan.tasks:
        out.inputs[i] = inputs


def _run_formulas(plan: TreePlan, ctx: LeafContext, out: Block) -> None:
    values = np.empty((len(plan.formulas), ctx.n))
    fulls: dict[float, np.ndarray] = {}
    for k, (i, leaf) in enumerate(zip(plan.formulas, plan.formula_leaves, strict=True)):
        expr, values[k] = expression_values(ctx, leaf.rule.expr, f"leaf {leaf.code}",
                                            leaf.max)
        inputs = {}
        for name in sorted(expr.names):
            if name == "max_points":
                mx = float(leaf.max)
                if mx not in fulls:
                    fulls[mx] = np.full(ctx.n, mx)
                inputs[name] = fulls[mx]
            else:
                inputs[name] = ctx.column(name, leaf)
        out.inputs[i] = inputs
    mx = plan.formula_mx
    na = ~np.isfinite(values)
    v = np.where(na, 0.0, values)
    capped = ~na & (v > mx + 1e-9)
    _fill(out, plan.formulas, values, np.clip(v, 0.0, mx), mx,
          np.where(na, NOT_APPLICABLE, np.where(capped, CAPPED, SCORED)), capped)


def _missing_fill(have: np.ndarray, mx: np.ndarray, exclude: np.ndarray
                  ) -> np.ndarray:
    return np.where(exclude & ~have, 0.0, mx)


def _table_outcome(ctx: LeafContext, kind: str, table: str, part: list[Leaf],
                   compute: Callable[..., tuple[np.ndarray, ...]], *args: Any
                   ) -> tuple[np.ndarray, ...]:
    """``compute(ctx, table, part, *args)``: arrays of the ``kind`` leaves ``part`` of
    ``table`` that depend on the tables, the context's agencies and those leaves' rules
    only. They are computed once per context's tables (shared by later ``score`` calls
    on the same dataset and tree, see :func:`use_dataset_index`; within them, leaf codes
    name one plan's leaves) and kept read-only: the caller copies what it hands out."""
    key = (kind, table, tuple(leaf.code for leaf in part))
    cache = _tables(ctx)
    if key not in cache:
        arrays = compute(ctx, table, part, *args)
        for a in arrays:
            a.flags.writeable = False
        cache[key] = arrays
    return cache[key]


def _manual_outcome(ctx: LeafContext, table: str, part: list[Leaf], mx: np.ndarray,
                    exclude: np.ndarray) -> tuple[np.ndarray, ...]:
    """(value, points, max_points, status, rule) of the manual leaves ``part`` of
    ``table``."""
    self_pts, appraised = scatter(ctx, table, [leaf.code for leaf in part],
                                  ("self_points", "appraised_points"))
    use_appraised = ~np.isnan(appraised)
    value = np.where(use_appraised, appraised, self_pts)
    have = ~np.isnan(value)
    v = np.where(have, value, 0.0)
    capped = have & (v > mx + 1e-9)
    # rule: 0 appraised, 1 self-assessed, +2 when capped; 4 missing
    return (value, np.where(have, np.clip(v, 0.0, mx), 0.0),
            _missing_fill(have, mx, exclude),
            np.where(have, np.where(capped, CAPPED, MANUAL), MISSING),
            np.where(have, (~use_appraised) + 2 * capped, 4).astype(np.int8))


def _run_manual(plan: TreePlan, ctx: LeafContext, out: Block) -> None:
    for table, r, part, mx, exclude in plan.manual:
        _fill(out, r, *_table_outcome(ctx, "manual", table, part, _manual_outcome, mx,
                                      exclude))
        self_pts, appraised = scatter(ctx, table, [leaf.code for leaf in part],
                                      ("self_points", "appraised_points"))
        for k, i in enumerate(r):
            out.inputs[i] = {"self_points": self_pts[k], "appraised_points": appraised[k]}


def _survey_options(ctx: LeafContext, table: str, leaves: list[Leaf]
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(answers, weighted) matrices of option leaves: Σ count and Σ count × option%."""
    ti = table_index(ctx, table)
    n = ctx.n
    rows, slots = ti.rows_of([leaf.code for leaf in leaves])
    size = len(leaves) * n
    if not len(slots):
        return np.zeros((len(leaves), n)), np.zeros((len(leaves), n))
    opt_codes, opt_texts = ti.options()
    lut = np.array([[leaf.rule.options.get(o, np.nan) for o in opt_texts] + [np.nan]
                    for leaf in leaves])
    pct = lut[slots, opt_codes[rows]]             # option code −1 → the last: NaN
    bad = np.isnan(pct)
    if bad.any():
        first = int(slots[np.argmax(bad)])
        mine = bad & (slots == first)
        unknown = sorted({opt_texts[c] if c >= 0 else "" for c in opt_codes[rows][mine]})
        leaf = leaves[first]
        raise DataError(Problem(
            f"leaf {leaf.code} has answers with option(s) {unknown} that the rule "
            f"does not map", file=f"{table}.csv", field="option",
            fix="use one of " + ", ".join(leaf.rule.options)
                + " or add the option to the rule's options"))
    count = np.nan_to_num(ti.number("count")[rows])
    pos = ti.pos[rows]
    keep = pos >= 0
    weighted = count * pct
    if not keep.all():
        slots, pos, count, weighted = slots[keep], pos[keep], count[keep], weighted[keep]
    flat = slots * n + pos
    answers = np.bincount(flat, weights=count, minlength=size)
    weighted = np.bincount(flat, weights=weighted, minlength=size)
    return answers.reshape(len(leaves), n), weighted.reshape(len(leaves), n)


def _survey_outcome(ctx: LeafContext, table: str, part: list[Leaf], options: bool,
                    mx: np.ndarray, exclude: np.ndarray) -> tuple[np.ndarray, ...]:
    """(share, points, max_points, status, rule, answers) of the survey leaves ``part``
    of ``table`` (``answers``: Σ count for option leaves, else ``share``)."""
    if options:
        answers, weighted = _survey_options(ctx, table, part)
        have = answers > 0
        with np.errstate(all="ignore"):
            share = np.where(have, weighted / np.where(have, answers, 1.0), np.nan)
    else:
        (share,) = scatter(ctx, table, [leaf.code for leaf in part], ("share",))
        answers = share
        have = ~np.isnan(share)
    points = np.clip(np.nan_to_num(share) / 100.0 * mx, 0.0, mx)
    return (share, np.where(have, points, 0.0), _missing_fill(have, mx, exclude),
            np.where(have, SCORED, MISSING), ~have, answers)


def _run_surveys(plan: TreePlan, ctx: LeafContext, out: Block) -> None:
    for table, options, r, part, mx, exclude in plan.survey:
        *filled, answers = _table_outcome(ctx, "survey", table, part, _survey_outcome,
                                          options, mx, exclude)
        _fill(out, r, *filled)
        share = filled[0].copy()
        if options:
            answers = answers.copy()
            for k, i in enumerate(r):
                out.inputs[i] = {"answers": answers[k], "share": share[k]}
        else:
            for k, i in enumerate(r):
                out.inputs[i] = {"share": share[k]}


def _run_custom(plan: TreePlan, ctx: LeafContext, out: Block) -> None:
    for i in plan.custom:
        leaf = plan.leaves[i]
        res = LEAF_EVALUATORS[leaf.rule.kind](leaf, ctx)
        _fill(out, _rows([i]), res.value, res.points, res.max_points, res.status, res.rule)
        plan_labels = tuple(res.rule_labels)
        out.labels[i] = plan_labels
        out.inputs[i] = dict(res.inputs)


def run_tree(plan: TreePlan, ctx: LeafContext, out: Block) -> None:
    """Fill rows ``0 … plan.n-1`` of ``out``: the same numbers, statuses and rule labels
    as :func:`~scoring.engine.leaves.evaluate_in` leaf by leaf. Every leaf's labels end
    with its not-applicable label (used or not); ``out.rule`` codes index each row's
    labels."""
    for table, codes in plan.gather.items():
        prefetch(ctx, table, codes)
    if plan.custom or plan.na_code is None:
        out.labels[:plan.n] = plan.labels
    if len(plan.bands):
        _run_bands(plan, ctx, out)
    if len(plan.tasks):
        _run_tasks(plan, ctx, out)
    if len(plan.formulas):
        _run_formulas(plan, ctx, out)
    if plan.manual:
        _run_manual(plan, ctx, out)
    if plan.survey:
        _run_surveys(plan, ctx, out)
    if plan.custom:
        _run_custom(plan, ctx, out)
    n = plan.n
    status = out.status[:n]
    if plan.conditions:
        off = np.empty((len(plan.conditions), ctx.n), dtype=bool)
        seen: dict[int, np.ndarray] = {}
        for k, (_, leaf) in enumerate(plan.conditions):
            _, cond = expression_values(ctx, leaf.applies_if, f"leaf {leaf.code}.applies_if",
                                        leaf.max)
            if id(cond) not in seen:           # cached values: one array per formula
                seen[id(cond)] = ~(cond != 0) | np.isnan(cond)
            off[k] = seen[id(cond)]
        r = plan.cond_rows
        status[r] = np.where(off, NOT_APPLICABLE, status[r])
    if plan.custom or plan.na_code is None:
        na_code = np.array([len(lb) for lb in out.labels[:n]], dtype=np.int64)[:, None]
        out.labels[:n] = [(*lb, na) for lb, na in zip(out.labels[:n], plan.na_labels,
                                                       strict=True)]
        if not plan.custom:                   # the same every run: keep them
            plan.na_code, plan.final_labels = na_code, out.labels[:n]
    else:
        na_code = plan.na_code
        out.labels[:n] = plan.final_labels
    na = status == NOT_APPLICABLE
    if na.any():
        np.copyto(out.points[:n], plan.na_full, where=na)
        np.copyto(out.max_points[:n], plan.na_full, where=na)
        np.copyto(out.rule[:n], na_code, where=na)


BUILTIN = {"bands": evaluate_bands, "tasks": evaluate_tasks, "formula": evaluate_formula,
           "manual": evaluate_manual, "survey": evaluate_survey}

_PLANS: dict[tuple[int, str, str], tuple[Any, TreePlan]] = {}


def plan_of(rules: RuleSet, tree_id: str) -> TreePlan:
    """The :class:`TreePlan` of tree ``tree_id`` (cached by the identity of the immutable
    rule set and the registered evaluators)."""
    key = (id(rules), tree_id,
           ",".join(f"{k}:{id(v)}" for k, v in sorted(LEAF_EVALUATORS.items())))
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is rules:
        return hit[1]
    if len(_PLANS) > 64:
        _PLANS.clear()
    plan = TreePlan(rules, tree_id)
    _PLANS[key] = (rules, plan)                 # holds the rule set: its id stays its own
    return plan
