"""``score(rules, ds)``: dataset → indicators → ledger → totals → ranks → classes.

Each leaf is evaluated once, vectorised, over every ranked agency of the groups that use
its tree; the leaves of a tree are evaluated together, kind by kind, from a plan compiled
once per rule set (:mod:`scoring.engine.batch`; the same numbers as the per-leaf
evaluators of :mod:`scoring.engine.leaves`). The ledger arrays are the single source: area
and total points are sums of them. Then, per agency, components missing entirely are
rescaled away (or counted as zero), bonus and deductions (each capped) are added, the
total is floored at zero, ``index = points ÷ max × 100`` (kept in [0, 100]), and agencies
are ranked within their group at the rule set's canonical precision and classified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.dataset import Dataset
from scoring.engine.batch import (
    Block,
    DatasetIndex,
    TreePlan,
    dataset_index,
    expression_values,
    plan_of,
    run_tree,
    scatter,
    use_dataset_index,
)
from scoring.engine.leaves import (
    CAPPED,
    MANUAL,
    MISSING,
    NOT_APPLICABLE,
    SCORED,
    LeafContext,
    _Named,
    fmt,
)
from scoring.engine.ranking import canonical, classify, rank_within
from scoring.engine.result import LedgerBlock, ScoreResult, TreeTotals
from scoring.errors import Problem, RuleError
from scoring.rules.model import Adjustment, RuleSet


def _adjustment(adj: Adjustment, ctx: LeafContext) -> tuple[np.ndarray, ...]:
    """(value, points ≥ 0 capped, status, rule code, inputs, labels) of one adjustment."""
    cap = float(adj.cap)
    if adj.rule.kind == "formula":
        expr, value = expression_values(ctx, adj.rule.expr, f"adjustment {adj.code}", cap)
        na = ~np.isfinite(value)
        inputs = {m: ctx.column(m, _AdjLeaf(adj)) for m in sorted(expr.names)
                  if m != "max_points"}
        labels = (adj.rule.expr, f"{adj.rule.expr} (giới hạn ở {fmt(cap)})", "không áp dụng → 0")
        missing_status = NOT_APPLICABLE
    else:
        self_pts, appraised = (m[0] for m in scatter(
            ctx, adj.rule.table, [adj.code], ("self_points", "appraised_points")))
        value = np.where(np.isnan(appraised), self_pts, appraised)
        na = np.isnan(value)
        inputs = {"self_points": self_pts, "appraised_points": appraised}
        labels = ("điểm thẩm định", f"điểm (giới hạn ở {fmt(cap)})", "không có điểm → 0",
                  "điểm tự chấm")
        missing_status = MISSING
    v = np.where(na, 0.0, value)
    capped = ~na & (v > cap + 1e-9)
    points = np.clip(v, 0.0, cap)
    plain = SCORED if adj.rule.kind == "formula" else MANUAL
    status = np.where(na, missing_status, np.where(capped, CAPPED, plain)).astype(np.int8)
    plain_code = np.where(np.isnan(appraised), 3, 0) if adj.rule.kind == "manual" else 0
    code = np.where(na, 2, np.where(capped, 1, plain_code))
    return value, points, status, code, inputs, labels


class _AdjLeaf:
    """Minimal leaf-like view of an adjustment (for error messages)."""

    def __init__(self, adj: Adjustment):
        self.code = adj.code


def _indicator_matrix(indicators: pd.DataFrame, ids: pd.Index) -> np.ndarray | None:
    """Indicators as one float matrix (columns × agencies ``ids``; NaN for an agency
    without indicators), or None when a column is not numeric (read lazily then)."""
    try:
        values = indicators.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        return None
    if indicators.index.equals(ids):
        return np.ascontiguousarray(values.T)
    pos = indicators.index.get_indexer(ids)
    out = values.T[:, pos]
    out[:, pos < 0] = np.nan
    return out


def _tree_block(rules: RuleSet, tree_id: str, plan: TreePlan, data: DatasetIndex,
                scope: np.ndarray, indicators: pd.DataFrame
                ) -> tuple[LedgerBlock, LeafContext]:
    ids, groups = data.agency_ids[scope], data.groups[scope]
    n = len(ids)
    ctx = LeafContext(agency_ids=ids, indicators=indicators, tables=data.tables,
                      where=f"tree {tree_id}: ")
    use_dataset_index(ctx, data, scope, data.tree_tables(plan, scope))
    matrix = _indicator_matrix(indicators, ids)
    if matrix is not None:
        ctx.preload(matrix)
    out = Block(n=n, n_rows=plan.n_rows)
    run_tree(plan, ctx, out)
    n_leaves = plan.n
    points, max_points, status = out.points, out.max_points, out.status

    # components: all leaves missing / not applicable → rescale (drop) or zero
    if plan.components:
        absent_state = (status[:n_leaves] == NOT_APPLICABLE) | (status[:n_leaves] == MISSING)
        for sel, rescale, leaf_max in plan.components:
            absent = np.all(absent_state[sel], axis=0)
            if not absent.any():
                continue
            block_p = points[sel]
            block_m = max_points[sel]
            block_p[:, absent] = 0.0
            block_m[:, absent] = 0.0 if rescale else leaf_max
            points[sel] = block_p
            max_points[sel] = block_m

    for k, adj in enumerate(rules.adjustments):
        row = n_leaves + k
        value, pts, st, code, adj_inputs, adj_labels = _adjustment(adj, ctx)
        sign = 1.0 if adj.kind == "bonus" else -1.0
        out.value[row] = value
        out.points[row] = sign * pts + 0.0
        out.max_points[row] = 0.0
        out.status[row] = st
        out.rule[row] = code
        out.labels[row] = adj_labels
        out.inputs[row] = dict(adj_inputs)

    if plan.custom or plan.offsets is None:
        sizes = [len(lb) for lb in out.labels]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)[:, None]
        rule_labels = tuple(label for lb in out.labels for label in lb)
        if not plan.custom:                   # fixed by the rules: keep them
            plan.offsets, plan.rule_labels = offsets, rule_labels
    else:
        offsets, rule_labels = plan.offsets, plan.rule_labels
    out.rule += offsets
    block = LedgerBlock(
        tree=tree_id, agency_ids=ids.to_numpy(dtype=object), groups=groups,
        meta=plan.meta, value=out.value, points=points, max_points=max_points,
        status=status, rule=out.rule, rule_labels=rule_labels, inputs=tuple(out.inputs))
    return block, ctx


def _area_sums(block: LedgerBlock, plan: TreePlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area sums of the ledger arrays (leaves of an area are contiguous in tree order)."""
    n = block.n_agencies
    n_areas = len(plan.area_sizes)
    if n and n_areas and min(plan.area_sizes) > 0:
        p = np.add.reduceat(block.points[:plan.n], plan.area_starts, axis=0)
        m = np.add.reduceat(block.max_points[:plan.n], plan.area_starts, axis=0)
    else:
        p = np.zeros((n_areas, n))
        m = np.zeros((n_areas, n))
        for a, (start, size) in enumerate(zip(plan.area_starts, plan.area_sizes,
                                              strict=True)):
            if size and n:
                p[a] = np.add.reduce(block.points[start:start + size], axis=0)
                m[a] = np.add.reduce(block.max_points[start:start + size], axis=0)
    with np.errstate(all="ignore"):
        idx = np.where(m > 0, np.clip(p / np.where(m > 0, m, 1) * 100, 0, 100), np.nan)
    return p, m, idx


def _tie_key(name: str, *, totals: dict[str, np.ndarray], areas: dict[str, np.ndarray],
             ctx: LeafContext) -> np.ndarray:
    sign = -1.0 if name.startswith("-") else 1.0
    key = name.lstrip("-+")
    if key in totals:
        arr = totals[key]
    elif key in areas:
        arr = areas[key]
    elif key in ctx.indicators.columns:
        arr = ctx.column(key, _Named(key))
    else:
        raise RuleError(Problem(
            f"tie-break key {name!r} is neither a total column, an area code nor an indicator",
            field="ranking.tie_break",
            fix="use points, index, bonus, deduction, an area code (its index), or an "
                "indicator name; prefix '-' when lower is better"))
    return sign * np.asarray(arr, dtype=float)


def score(rules: RuleSet, ds: Dataset, *, indicators: pd.DataFrame | None = None
          ) -> ScoreResult:
    """Score, rank and classify every ranked agency of the rule set's groups.

    Parameters
    ----------
    rules : RuleSet
        A validated rule set (``scoring.rules.loader.load_rules``).
    ds : Dataset
        The data (``scoring.dataset.load_dataset``); ``ds.agencies.group`` names the
        rule set's group ids, and only ``ranked`` agencies are scored.
    indicators : DataFrame, optional
        Indicators indexed by agency_id; derived with
        ``scoring.indicators.derive_indicators(ds)`` when not given.

    Returns
    -------
    ScoreResult

    Notes
    -----
    The score and survey tables of ``ds`` are indexed on the first call for that
    :class:`~scoring.dataset.Dataset` object and reused by later calls with it
    (:func:`~scoring.engine.batch.dataset_index`), so scoring several rule variants on
    one dataset pays for the indexing once. What a tree's manual and survey leaves make
    of those tables is kept too, per rule set (so scoring the same rules on the same
    dataset again, e.g. with other indicators, skips it). A copy (``ds.replace(...)``)
    is indexed anew.

    Examples
    --------
    >>> from scoring.rules.loader import load_rules                  # doctest: +SKIP
    >>> from scoring.dataset import load_dataset                     # doctest: +SKIP
    >>> r = score(load_rules("rules/khanh-hoa-2022"),
    ...           load_dataset("datasets/khanh-hoa-2022"))           # doctest: +SKIP
    >>> r.totals[["agency", "index", "rank", "class"]].head()        # doctest: +SKIP
    """
    if indicators is None:
        from scoring.indicators import derive_indicators
        indicators = derive_indicators(ds)
    if indicators.index.inferred_type != "string":
        indicators = indicators.copy(deep=False)
        indicators.index = indicators.index.astype(str)
    data = dataset_index(ds)                  # built on the first call for ``ds``
    ranked, group_col, names_col = data.ranked, data.groups, data.names

    blocks: list[LedgerBlock] = []
    sums: list[TreeTotals] = []
    group_order = {g.id: i for i, g in enumerate(rules.groups)}
    for tree_id in dict.fromkeys(g.tree for g in rules.groups):
        plan = plan_of(rules, tree_id)
        gids = [g.id for g in rules.groups if g.tree == tree_id]
        in_tree = np.zeros(len(group_col), dtype=bool)
        for gid in gids:
            in_tree |= group_col == gid
        scope = np.flatnonzero(ranked & in_tree)
        block, ctx = _tree_block(rules, tree_id, plan, data, scope, indicators)
        blocks.append(block)
        area_p, area_m, area_idx = _area_sums(block, plan)
        area_index = dict(zip(plan.area_codes, area_idx, strict=True))

        raw = block.points.sum(axis=0)
        max_pts = block.max_points.sum(axis=0)
        bonus = block.points[plan.bonus_rows].sum(axis=0)
        deduction = 0.0 - block.points[plan.deduction_rows].sum(axis=0)
        pts = np.maximum(raw, 0.0)
        with np.errstate(all="ignore"):
            index = np.where(max_pts > 0,
                             np.clip(pts / np.where(max_pts > 0, max_pts, 1) * 100, 0, 100),
                             np.nan)
        n = block.n_agencies
        gcode = np.zeros(n, dtype=np.intp)
        for k, gid in enumerate(gids):
            gcode[block.groups == gid] = k
        canon = canonical(index, rules.ranking.precision)
        cols = {"points": pts, "index": index, "bonus": bonus, "deduction": deduction,
                "max_points": max_pts}
        keys = [canon] + [_tie_key(k, totals=cols, areas=area_index, ctx=ctx)
                          for k in rules.ranking.tie_break]
        rank = rank_within(gcode, keys, rules.ranking.method)
        klass = np.empty(n, dtype=object)
        for k, gid in enumerate(gids):
            group = rules.group(gid)
            sel = gcode == k
            klass[sel] = classify(canon[sel], [(c.label, c.min) for c in group.classes],
                                  group.unclassified)
        sums.append(TreeTotals(
            names=names_col[scope] if names_col is not None else block.agency_ids,
            points=pts, max_points=max_pts, index=index, rank=rank, klass=klass,
            bonus=bonus, deduction=deduction,
            group_order=np.array([group_order[g] for g in gids], dtype=np.int64)[gcode],
            area_codes=plan.area_codes, area_names=plan.area_names,
            area_points=area_p, area_max=area_m, area_index=area_idx))

    return ScoreResult(rules=rules, dataset=ds, indicators=indicators, blocks=tuple(blocks),
                       sums=tuple(sums))
