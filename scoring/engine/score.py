"""``score(rules, ds)``: dataset → indicators → ledger → totals → ranks → classes.

The leaves of a tree are evaluated together, kind by kind, vectorised over every ranked
agency of the groups that use the tree (:func:`scoring.engine.leaves.evaluate_leaves`).
The ledger arrays are the single source: area and total points are sums of them. Then,
per agency, components missing entirely are rescaled away (or counted as zero), bonus
and deductions (each capped) are added, the total is floored at zero, the index is
:func:`~scoring.engine.ranking.index_of` the points, and agencies are ranked within
their group at the rule set's canonical precision and classified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.dataset import Dataset
from scoring.engine.leaves import (
    CAPPED,
    MANUAL,
    MISSING,
    NOT_APPLICABLE,
    SCORED,
    LeafContext,
    Rows,
    TableRows,
    evaluate_leaves,
    indicator_matrix,
    manual_points,
)
from scoring.engine.ranking import canonical, classify, index_of, rank
from scoring.engine.result import LedgerBlock, ScoreResult, TreeTotals
from scoring.errors import Problem, RuleError
from scoring.i18n import _
from scoring.indicators import derive_indicators
from scoring.rules.model import Adjustment, RuleSet, Tree
from scoring.tables import DatasetIndex
from scoring.vocabulary import (
    RULE_APPRAISED,
    RULE_MISSING,
    RULE_NOT_APPLICABLE,
    RULE_SELF,
    rule_capped,
)


def _adjustment(adj: Adjustment, ctx: LeafContext, out: Rows, row: int) -> None:
    """Fill ledger row ``row`` with adjustment ``adj`` (points ≥ 0 capped, signed)."""
    cap = np.array([[float(adj.cap)]])
    if adj.rule.kind == "formula":
        expr, value = ctx.expression(adj.rule.expr, f"adjustment {adj.code}", float(adj.cap))
        value = value[None, :]
        known = np.isfinite(value)
        v = np.where(known, value, 0.0)
        points, capped = np.clip(v, 0.0, cap), known & (v > cap + 1e-9)
        code = np.where(known, capped.astype(np.int64), 2)
        status = np.where(known, np.where(capped, CAPPED, SCORED), NOT_APPLICABLE)
        out.inputs[row] = {m: ctx.column(m, adj.code) for m in sorted(expr.names)
                           if m != "max_points"}
        out.labels[row] = (adj.rule.expr, rule_capped(adj.rule.expr, adj.cap),
                           RULE_NOT_APPLICABLE["zero"])
    else:
        table = ctx.table(adj.rule.table, adj.code)
        if adj.code in table.table.leaves:
            value, points, code, self_pts, appraised = manual_points(
                table, [adj.code], cap, ctx.agency_ids, adj.rule.table)
        else:
            value = self_pts = appraised = np.full((1, ctx.n), np.nan)
            points, code = np.zeros((1, ctx.n)), np.full((1, ctx.n), 4)
        known = ~np.isnan(value)
        # the codes of manual_points: 0 appraised, 1 self-assessed, +2 capped, 4 no points
        status = np.where(known, np.where(code >= 2, CAPPED, MANUAL), MISSING)
        out.inputs[row] = {"self_points": self_pts[0], "appraised_points": appraised[0]}
        out.labels[row] = (RULE_APPRAISED, RULE_SELF, rule_capped(RULE_APPRAISED, adj.cap),
                           rule_capped(RULE_SELF, adj.cap), RULE_MISSING["zero"])
    sign = 1.0 if adj.kind == "bonus" else -1.0
    out.fill(row, value[0], sign * points[0] + 0.0, 0.0, status[0], code[0])


def _tree_block(rules: RuleSet, tree_id: str, data: DatasetIndex, scope: np.ndarray,
                indicators: pd.DataFrame, matrix: np.ndarray | None
                ) -> tuple[LedgerBlock, LeafContext]:
    tree = rules.trees[tree_id]
    entries = list(tree.leaves())
    leaves = [leaf for _t, _c, leaf in entries]
    ids, groups = data.agency_ids[scope], data.groups[scope]
    local = np.full(len(data.agency_ids) + 1, -1, dtype=np.int64)   # the last: agency −1
    local[scope] = np.arange(len(scope))
    tables = {name: TableRows(table=t, pos=local[t.agency])
              for name, t in (("scores", data.scores), ("surveys", data.surveys))}
    ctx = LeafContext.of(ids, indicators, tables, where=f"tree {tree_id}: ",
                         matrix=None if matrix is None else matrix[:, scope])
    n_leaves = len(leaves)
    out = Rows(n=len(ids), n_rows=n_leaves + len(rules.adjustments))
    evaluate_leaves(leaves, ctx, out, rules.not_applicable)

    # components: all leaves missing / not applicable → rescale (drop) or zero
    status = out.status[:n_leaves]
    absent_state = (status == NOT_APPLICABLE) | (status == MISSING)
    area_of = np.array([area.code for area, _, _ in entries], dtype=object)
    for comp in rules.components:
        sel = np.flatnonzero(np.isin(area_of, list(comp.areas)))
        if not len(sel):
            continue
        absent = np.all(absent_state[sel], axis=0)
        if absent.any():
            full = np.array([leaves[i].max for i in sel], dtype=float)[:, None]
            block_p, block_m = out.points[sel], out.max_points[sel]
            block_p[:, absent] = 0.0
            block_m[:, absent] = 0.0 if comp.when_missing == "rescale" else full
            out.points[sel], out.max_points[sel] = block_p, block_m

    for k, adj in enumerate(rules.adjustments):
        _adjustment(adj, ctx, out, n_leaves + k)

    sizes = [len(lb) for lb in out.labels]
    out.rule += np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)[:, None]
    comp_of = {a: c.id for c in rules.components for a in c.areas}
    meta = tuple([(area.code, crit.code, leaf.code, leaf.name, leaf.rule.kind,
                   comp_of.get(area.code, ""), leaf.max) for area, crit, leaf in entries]
                 + [("", "", adj.code, adj.name, adj.kind, "", adj.cap)
                    for adj in rules.adjustments])
    block = LedgerBlock(
        tree=tree_id, agency_ids=ids.to_numpy(dtype=object), groups=groups, meta=meta,
        value=out.value, points=out.points, max_points=out.max_points, status=out.status,
        rule=out.rule, rule_labels=tuple(label for lb in out.labels for label in lb),
        inputs=tuple(out.inputs))
    return block, ctx


def _area_sums(block: LedgerBlock, tree: Tree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area sums of the ledger arrays (leaves of an area are contiguous in tree order)."""
    n = block.n_agencies
    p = np.zeros((len(tree.areas), n))
    m = np.zeros((len(tree.areas), n))
    start = 0
    for a, area in enumerate(tree.areas):
        size = sum(len(c.leaves) for c in area.criteria)
        if size:
            p[a] = block.points[start:start + size].sum(axis=0)
            m[a] = block.max_points[start:start + size].sum(axis=0)
        start += size
    return p, m, index_of(p, m)


def _tie_key(name: str, *, totals: dict[str, np.ndarray], areas: dict[str, np.ndarray],
             ctx: LeafContext) -> np.ndarray:
    sign = -1.0 if name.startswith("-") else 1.0
    key = name.lstrip("-+")
    if key in totals:
        arr = totals[key]
    elif key in areas:
        arr = areas[key]
    elif key in ctx.indicators.columns:
        arr = ctx.column(key, key)
    else:
        raise RuleError(Problem(
            _("tie-break key {key} is neither a total column, an area code nor an "
              "indicator").format(key=repr(name)),
            field="ranking.tie_break",
            fix=_("use points, index, bonus, deduction, an area code (its index), or an "
                  "indicator name; prefix '-' when lower is better")))
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
    The agencies and the score and survey tables are indexed once per
    :class:`~scoring.dataset.Dataset` object (``ds.index``), so scoring several rule
    variants on one dataset pays for that once.

    Examples
    --------
    >>> from scoring.rules.loader import load_rules                  # doctest: +SKIP
    >>> from scoring.dataset import load_dataset                     # doctest: +SKIP
    >>> r = score(load_rules("rules/khanh-hoa-2022"),
    ...           load_dataset("datasets/khanh-hoa-2022"))           # doctest: +SKIP
    >>> r.totals[["agency", "index", "rank", "class"]].head()        # doctest: +SKIP
    """
    if indicators is None:
        indicators = derive_indicators(ds)
    if indicators.index.inferred_type != "string":
        indicators = indicators.copy(deep=False)
        indicators.index = indicators.index.astype(str)
    data = ds.index
    matrix = indicator_matrix(indicators, data.agency_ids)    # aligned once, sliced per tree
    blocks: list[LedgerBlock] = []
    sums: list[TreeTotals] = []
    group_order = {g.id: i for i, g in enumerate(rules.groups)}
    bonus_rows = [k for k, adj in enumerate(rules.adjustments) if adj.kind == "bonus"]
    deduction_rows = [k for k, adj in enumerate(rules.adjustments) if adj.kind != "bonus"]
    for tree_id in dict.fromkeys(g.tree for g in rules.groups):
        tree = rules.trees[tree_id]
        gids = [g.id for g in rules.groups if g.tree == tree_id]
        scope = np.flatnonzero(data.ranked & np.isin(data.groups, gids))
        block, ctx = _tree_block(rules, tree_id, data, scope, indicators, matrix)
        blocks.append(block)
        area_p, area_m, area_idx = _area_sums(block, tree)
        area_codes = tuple(a.code for a in tree.areas)
        area_index = dict(zip(area_codes, area_idx, strict=True))

        n_leaves = len(block.meta) - len(rules.adjustments)
        raw = block.points.sum(axis=0)
        max_pts = block.max_points.sum(axis=0)
        bonus = block.points[[n_leaves + k for k in bonus_rows]].sum(axis=0)
        deduction = 0.0 - block.points[[n_leaves + k for k in deduction_rows]].sum(axis=0)
        pts = np.maximum(raw, 0.0)
        index = index_of(pts, max_pts)
        gcode = np.zeros(block.n_agencies, dtype=np.intp)
        for k, gid in enumerate(gids):
            gcode[block.groups == gid] = k
        canon = canonical(index, rules.ranking.precision)
        cols = {"points": pts, "index": index, "bonus": bonus, "deduction": deduction,
                "max_points": max_pts}
        keys = [canon] + [_tie_key(k, totals=cols, areas=area_index, ctx=ctx)
                          for k in rules.ranking.tie_break]
        ranks = rank(keys, rules.ranking.method, gcode)
        klass = np.empty(block.n_agencies, dtype=object)
        for k, gid in enumerate(gids):
            group = rules.group(gid)
            sel = gcode == k
            klass[sel] = classify(canon[sel], [(c.label, c.min) for c in group.classes],
                                  group.unclassified)
        sums.append(TreeTotals(
            names=data.names[scope] if data.names is not None else block.agency_ids,
            points=pts, max_points=max_pts, index=index, rank=ranks, klass=klass,
            bonus=bonus, deduction=deduction,
            group_order=np.array([group_order[g] for g in gids], dtype=np.int64)[gcode],
            area_codes=area_codes, area_names=tuple(a.name for a in tree.areas),
            area_points=area_p, area_max=area_m, area_index=area_idx))

    return ScoreResult(rules=rules, dataset=ds, indicators=indicators, blocks=tuple(blocks),
                       sums=tuple(sums))
