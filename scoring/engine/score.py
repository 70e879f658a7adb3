"""``score(rules, ds)``: dataset → indicators → ledger → totals → ranks → classes.

Each leaf is evaluated once, vectorised, over every ranked agency of the groups that use
its tree (:mod:`scoring.engine.leaves`). The ledger arrays are the single source: area
and total points are sums of them. Then, per agency, components missing entirely are
rescaled away (or counted as zero), bonus and deductions (each capped) are added, the
total is floored at zero, ``index = points ÷ max × 100`` (kept in [0, 100]), and agencies
are ranked within their group at the rule set's canonical precision and classified.
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
    LeafTables,
    check_unique,
    compile_for,
    evaluate_expression,
    evaluate_in,
    fmt,
)
from scoring.engine.ranking import canonical, classify, rank_values
from scoring.engine.result import TOTALS_COLUMNS, LedgerBlock, ScoreResult
from scoring.errors import Problem, RuleError
from scoring.rules.model import Adjustment, RuleSet, Tree


def _adjustment(adj: Adjustment, ctx: LeafContext) -> tuple[np.ndarray, ...]:
    """(value, points ≥ 0 capped, status, rule code, inputs, labels) of one adjustment."""
    n = ctx.n
    cap = float(adj.cap)
    if adj.rule.kind == "formula":
        expr = compile_for(adj.rule.expr, ctx, f"adjustment {adj.code}")
        value = evaluate_expression(expr, ctx, cap)
        na = ~np.isfinite(value)
        inputs = {m: ctx.column(m, _AdjLeaf(adj)) for m in sorted(expr.names)
                  if m != "max_points"}
        labels = (adj.rule.expr, f"{adj.rule.expr} (giới hạn ở {fmt(cap)})", "không áp dụng → 0")
        missing_status = NOT_APPLICABLE
    else:
        arrays, idx, pos = ctx.lookup(adj.rule.table, adj.code)
        self_pts = np.full(n, np.nan)
        appraised = np.full(n, np.nan)
        if len(idx):
            check_unique(ctx, pos, adj.rule.table, adj.code)
            keep = pos >= 0
            self_pts[pos[keep]] = arrays.numbers["self_points"][idx[keep]]
            appraised[pos[keep]] = arrays.numbers["appraised_points"][idx[keep]]
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
    status = np.select([na, capped], [missing_status, CAPPED], plain).astype(np.int8)
    code = np.select([na, capped], [2, 1], 0)
    if adj.rule.kind == "manual":
        code = np.where((code == 0) & np.isnan(appraised), 3, code)
    return value, points, status, code, inputs, labels


class _AdjLeaf:
    """Minimal leaf-like view of an adjustment (for error messages)."""

    def __init__(self, adj: Adjustment):
        self.code = adj.code


def _tree_block(rules: RuleSet, tree_id: str, tree: Tree, agencies: pd.DataFrame,
                indicators: pd.DataFrame, tables: LeafTables) -> LedgerBlock:
    ids = pd.Index(agencies.index.astype(str))
    ind = indicators.reindex(ids)
    ctx = LeafContext(agency_ids=ids, indicators=ind, tables=tables,
                      where=f"tree {tree_id}: ")
    comp_of = {a: c.id for c in rules.components for a in c.areas}
    meta: list[dict] = []
    rows: dict[str, list[np.ndarray]] = {k: [] for k in ("value", "points", "max_points",
                                                         "status", "rule")}
    labels: list[str] = []
    inputs: list[dict[str, np.ndarray]] = []

    def add(value, points, max_points, status, rule, rule_labels, leaf_inputs, **m) -> None:
        rows["value"].append(value)
        rows["points"].append(points)
        rows["max_points"].append(max_points)
        rows["status"].append(status)
        rows["rule"].append(np.asarray(rule) + len(labels))
        labels.extend(rule_labels)
        inputs.append(dict(leaf_inputs))
        meta.append(m)

    for area, crit, leaf in tree.leaves():
        out = evaluate_in(leaf, ctx, rules.not_applicable)
        add(out.value, out.points, out.max_points, out.status, out.rule, out.rule_labels,
            out.inputs, area=area.code, criterion=crit.code, leaf=leaf.code, name=leaf.name,
            kind=leaf.rule.kind, component=comp_of.get(area.code, ""), leaf_max=leaf.max)
    n_leaves = len(meta)
    points = np.vstack(rows["points"]) if n_leaves else np.zeros((0, len(ids)))
    max_points = np.vstack(rows["max_points"]) if n_leaves else np.zeros((0, len(ids)))
    status = np.vstack(rows["status"]) if n_leaves else np.zeros((0, len(ids)), np.int8)

    # components: all leaves missing / not applicable → rescale (drop) or zero
    areas_of_leaf = np.array([m["area"] for m in meta], dtype=object)
    for comp in rules.components:
        sel = np.isin(areas_of_leaf, list(comp.areas))
        if not sel.any():
            continue
        absent = np.all((status[sel] == NOT_APPLICABLE) | (status[sel] == MISSING), axis=0)
        if not absent.any():
            continue
        block_p = points[sel]
        block_m = max_points[sel]
        block_p[:, absent] = 0.0
        if comp.when_missing == "rescale":
            block_m[:, absent] = 0.0
        else:
            leaf_max = np.array([m["leaf_max"] for m in meta])[sel]
            block_m[:, absent] = leaf_max[:, None]
        points[sel] = block_p
        max_points[sel] = block_m
    rows["points"] = list(points)
    rows["max_points"] = list(max_points)

    for adj in rules.adjustments:
        value, pts, st, code, adj_inputs, adj_labels = _adjustment(adj, ctx)
        sign = 1.0 if adj.kind == "bonus" else -1.0
        add(value, sign * pts + 0.0, np.zeros(len(ids)), st, code, adj_labels, adj_inputs,
            area="", criterion="", leaf=adj.code, name=adj.name, kind=adj.kind,
            component="", leaf_max=adj.cap)

    def stack(key: str, dtype=float) -> np.ndarray:
        if not rows[key]:
            return np.zeros((0, len(ids)), dtype=dtype)
        return np.vstack(rows[key]).astype(dtype, copy=False)

    return LedgerBlock(
        tree=tree_id, agency_ids=ids.to_numpy(dtype=object),
        groups=agencies["group"].astype(str).to_numpy(dtype=object),
        leaf_meta=pd.DataFrame(meta, columns=["area", "criterion", "leaf", "name", "kind",
                                              "component", "leaf_max"]),
        value=stack("value"), points=stack("points"), max_points=stack("max_points"),
        status=stack("status", np.int8), rule=stack("rule", np.int64),
        rule_labels=tuple(labels), inputs=tuple(inputs))


def _area_table(block: LedgerBlock, tree: Tree) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Area sums of the ledger arrays (leaves of an area are contiguous in tree order)."""
    n = block.n_agencies
    sizes = [sum(len(c.leaves) for c in a.criteria) for a in tree.areas]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    n_leaves = int(sum(sizes))
    if n_leaves == 0 or n == 0:
        p = np.zeros((len(sizes), n))
        m = np.zeros((len(sizes), n))
    else:
        p = np.add.reduceat(block.points[:n_leaves], starts, axis=0)
        m = np.add.reduceat(block.max_points[:n_leaves], starts, axis=0)
    with np.errstate(all="ignore"):
        idx = np.where(m > 0, np.clip(p / np.where(m > 0, m, 1) * 100, 0, 100), np.nan)
    codes = [a.code for a in tree.areas]
    frame = pd.DataFrame({
        "agency_id": np.tile(block.agency_ids, len(codes)),
        "group": np.tile(block.groups, len(codes)),
        "area": np.repeat(np.asarray(codes, dtype=object), n),
        "name": np.repeat(np.asarray([a.name for a in tree.areas], dtype=object), n),
        "points": p.ravel(), "max_points": m.ravel(), "index": idx.ravel()})
    return frame, dict(zip(codes, idx, strict=True))


def _tie_key(name: str, *, totals: dict[str, np.ndarray], areas: dict[str, np.ndarray],
             indicators: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    sign = -1.0 if name.startswith("-") else 1.0
    key = name.lstrip("-+")
    if key in totals:
        arr = totals[key]
    elif key in areas:
        arr = areas[key]
    elif key in indicators.columns:
        arr = indicators[key].reindex(ids).to_numpy(dtype=float, na_value=np.nan)
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
    indicators = indicators.copy(deep=False)
    indicators.index = indicators.index.astype(str)
    tables = LeafTables(scores=ds.scores, surveys=ds.surveys)
    agencies = ds.agencies
    ranked = agencies["ranked"].astype(bool).to_numpy() if "ranked" in agencies.columns \
        else np.ones(len(agencies), dtype=bool)
    group_col = agencies["group"].astype(str)

    blocks: list[LedgerBlock] = []
    area_frames: list[pd.DataFrame] = []
    total_frames: list[pd.DataFrame] = []
    group_order = {g.id: i for i, g in enumerate(rules.groups)}
    for tree_id in dict.fromkeys(g.tree for g in rules.groups):
        tree = rules.trees[tree_id]
        gids = [g.id for g in rules.groups if g.tree == tree_id]
        scope = agencies[ranked & group_col.isin(gids).to_numpy()]
        block = _tree_block(rules, tree_id, tree, scope, indicators, tables)
        blocks.append(block)
        areas, area_index = _area_table(block, tree)
        area_frames.append(areas)

        is_adj = (block.leaf_meta["area"] == "").to_numpy()
        kinds = block.leaf_meta["kind"].to_numpy(dtype=object)
        raw = block.points.sum(axis=0)
        max_pts = block.max_points.sum(axis=0)
        bonus = block.points[is_adj & (kinds == "bonus")].sum(axis=0)
        deduction = 0.0 - block.points[is_adj & (kinds == "deduction")].sum(axis=0)
        pts = np.maximum(raw, 0.0)
        with np.errstate(all="ignore"):
            index = np.where(max_pts > 0,
                             np.clip(pts / np.where(max_pts > 0, max_pts, 1) * 100, 0, 100),
                             np.nan)
        ids = pd.Index(block.agency_ids)
        rank = np.full(len(ids), np.nan)
        klass = np.empty(len(ids), dtype=object)
        for gid in gids:
            group = rules.group(gid)
            sel = block.groups == gid
            canon = canonical(index[sel], rules.ranking.precision)
            cols = {"points": pts[sel], "index": index[sel], "bonus": bonus[sel],
                    "deduction": deduction[sel], "max_points": max_pts[sel]}
            keys = [canon] + [
                _tie_key(k, totals=cols, areas={a: v[sel] for a, v in area_index.items()},
                         indicators=indicators, ids=ids[sel])
                for k in rules.ranking.tie_break]
            if sel.any():
                rank[sel] = rank_values(keys, rules.ranking.method)
            klass[sel] = classify(canon, [(c.label, c.min) for c in group.classes],
                                  group.unclassified)
        names = scope["name"].astype(str).to_numpy(dtype=object) if "name" in scope.columns \
            else block.agency_ids
        total_frames.append(pd.DataFrame({
            "agency": names, "group": block.groups, "points": pts, "max_points": max_pts,
            "index": index, "rank": rank, "class": klass, "bonus": bonus,
            "deduction": deduction, "_g": [group_order[g] for g in block.groups],
            "_o": np.arange(len(ids))}, index=pd.Index(block.agency_ids, name="agency_id")))

    totals = pd.concat(total_frames) if total_frames else pd.DataFrame(
        columns=[*TOTALS_COLUMNS, "_g", "_o"])
    totals = totals.sort_values(["_g", "rank", "_o"], na_position="last", kind="stable")
    totals = totals.drop(columns=["_g", "_o"])
    totals["rank"] = totals["rank"].astype("Int64")
    totals.index.name = "agency_id"
    areas = pd.concat(area_frames, ignore_index=True) if area_frames else pd.DataFrame()
    return ScoreResult(rules=rules, dataset=ds, indicators=indicators, blocks=tuple(blocks),
                       areas=areas, totals=totals)
