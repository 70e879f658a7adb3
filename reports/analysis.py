"""Small workbooks for ``cchc compare -o`` and ``cchc simulate -o``.

Written through :func:`reports.xlsx.write_xlsx` like every workbook of the project: data
is never turned into a formula (agency names, class labels, ``why:`` texts are text
cells), and the file is checked, built beside the target and renamed into place, so a
failure never leaves a half-written workbook. Headings are Vietnamese; the first row is
frozen and filtered.

* compare: sheet *So sánh* (the agency table), *Theo tiêu chí* (per-leaf differences),
  *Theo nhóm* (correlations), and one chart sheet per group (*Biểu đồ 1*, …) with its
  rank-shift bar chart.
* simulate: sheet *Khoảng hạng* (the agency table), *Theo nhóm*, *Độ nhạy*, and one chart
  sheet per group (*Biểu đồ 1*, …): the median rank with 5–95 % bars, agencies in
  nominal order.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name as _col

from reports.xlsx import put, write_frame, write_xlsx
from scoring.i18n import _
from scoring.number_format import format_number
from scoring.simulate.compare import leaf_changes_text
from scoring.vocabulary import (
    class_label,
    column_label,
    group_label,
    sheet_label,
    source_label,
)

# a column of the comparison → the vocabulary's column it is (same heading everywhere)
_COMPARE_KEYS = {"points_diff": "points_change", "index_diff": "index_change",
                 "rank_shift": "rank_change"}
_COMPARE_COLUMNS = (
    "agency_id", "agency", "group", "points_a", "points_b", "points_diff", "index_a",
    "index_b", "index_diff", "rank_a", "rank_b", "rank_shift", "class_a", "class_b",
    "class_changed", "leaves", "leaf", "name", "diff", "agencies", "spearman", "spearman_p",
    "kendall", "kendall_p", "mean_abs_rank_shift", "max_abs_rank_shift", "class_changes")
_SIMULATE_COLUMNS = (
    "agency_id", "agency", "group", "nominal_rank", "mean_rank", "median_rank", "p05_rank",
    "p95_rank", "p_top_k", "nominal_class", "p_nominal_class", "agencies",
    "mean_abs_rank_shift", "share_rank_changed", "source", "variance_share", "why",
    "median_minus_p05", "p95_minus_median")


def compare_headings() -> dict[str, str]:
    """Headings of the comparison's columns (workbook and command line), from the
    vocabulary, in the language in force."""
    return {c: column_label(_COMPARE_KEYS.get(c, c)) for c in _COMPARE_COLUMNS}


def simulate_headings(top_k: int = 3, classes: dict[str, str] | None = None
                      ) -> dict[str, str]:
    """Headings of the simulation's columns; ``classes`` maps a class-probability column
    to the class label it is about."""
    out = {c: column_label(c, k=top_k) for c in _SIMULATE_COLUMNS}
    for col, label in (classes or {}).items():
        out[col] = column_label("p_class", label=class_label(label))
    return out


def _yes(v: Any) -> str:
    return _("yes") if (not pd.isna(v) and bool(v)) else ""


def _group_names(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """``df`` with its ``group`` column in words (the vocabulary's group label)."""
    if "group" not in df.columns:
        return df
    return df.assign(group=df["group"].map(lambda g: group_label(str(g), names.get(g))))


def _table(wb: Any, name: str, df: pd.DataFrame, headings: dict[str, str],
           widths: dict[str, int] | None = None, names: dict[str, str] | None = None
           ) -> Any:
    df = _group_names(df, names or {})
    ws = wb.add_worksheet(name)
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                          "border": 1})
    num = wb.add_format({"num_format": "0.00"})
    cols = list(df.columns)
    for j, c in enumerate(cols):
        put(ws, 0, j, str(headings.get(c, c)), head)
        width = (widths or {}).get(c, 14)
        ws.set_column(j, j, width, num if df[c].dtype.kind == "f" else None)
    booleans = {c: _yes for c in cols if df[c].dtype.kind == "b"}
    write_frame(ws, 1, df, render=booleans)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(df), 1), max(len(cols) - 1, 0))
    ws.set_row(0, 45)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    return ws


def _group_rows(df: pd.DataFrame, groups: Iterable[str]) -> list[tuple[str, int, int]]:
    out = []
    col = df["group"].to_numpy()
    for g in groups:
        pos = np.flatnonzero(col == g)
        if len(pos):
            out.append((g, int(pos[0]) + 1, int(pos[-1]) + 1))
    return out


def write_compare_workbook(cmp: Any, path: str | Path, *, inputs: Iterable[Path] = (),
                           force: bool = False) -> Path:
    """Write a :class:`~scoring.simulate.compare.Comparison` as a workbook.

    Parameters
    ----------
    cmp : Comparison
    path : str or Path
        Target ``.xlsx`` (written atomically; see :func:`reports.xlsx.write_xlsx`).
    inputs : iterable of Path
        Rule and dataset paths the workbook may not overwrite or be written into.
    force : bool
        Replace an existing file.

    Returns
    -------
    Path
    """
    words = leaf_changes_text(cmp.leaves, lambda d: format_number(d, None, signed=True))
    agencies = cmp.agencies.assign(leaves=[words.get(str(a), "") for a in cmp.agencies.index])
    agencies = agencies.reset_index()
    agencies = agencies.sort_values(["group", "rank_a", "rank_b"], kind="stable",
                                    key=lambda s: s.map({g: i for i, g in enumerate(
                                        dict.fromkeys(agencies["group"]))})
                                    if s.name == "group" else s).reset_index(drop=True)

    headings = compare_headings()
    names = cmp.group_names
    main_sheet = sheet_label("comparison")

    def build(wb: Any) -> None:
        _table(wb, main_sheet, agencies, headings,
               {"agency": 34, "leaves": 40, "agency_id": 18}, names)
        _table(wb, sheet_label("by_leaf"), cmp.leaves, headings, {"name": 40}, names)
        _table(wb, sheet_label("groups"), cmp.groups.reset_index(), headings, None, names)
        info = wb.add_worksheet(sheet_label("notes"))
        put(info, 0, 0, f"A = {cmp.label_a}")
        put(info, 1, 0, f"B = {cmp.label_b}")
        put(info, 2, 0, _("Rank change = rank under B − rank under A (positive: lower under "
                          "B)."))
        for k, (g, first, last) in enumerate(_group_rows(agencies, cmp.groups.index), 1):
            label = group_label(str(g), names.get(g))
            chart = wb.add_chart({"type": "bar"})
            chart.add_series({
                "name": _("Rank change — {group}").format(group=label),
                "categories": [main_sheet, first, 1, last, 1],
                "values": [main_sheet, first, agencies.columns.get_loc("rank_shift"), last,
                           agencies.columns.get_loc("rank_shift")],
                "invert_if_negative": False})
            chart.set_title({"name": _("Rank change (B − A): {group}").format(group=label)})
            chart.set_x_axis({"name": _("rank under B − rank under A")})
            chart.set_y_axis({"reverse": True, "crossing": "max", "label_position": "low"})
            chart.set_legend({"none": True})
            _chart_sheet(wb, sheet_label("chart", n=k), chart, label)

    write_xlsx(path, build, inputs=inputs, force=force)
    return Path(path)


def write_simulation_workbook(sim: Any, path: str | Path, *, inputs: Iterable[Path] = (),
                              force: bool = False) -> Path:
    """Write a :class:`~scoring.simulate.montecarlo.SimulationResult` as a workbook.

    The chart per group shows each agency's median rank with bars from the 5th to the
    95th percentile (custom error bars), agencies in nominal order.

    Parameters
    ----------
    sim : SimulationResult
    path : str or Path
    inputs, force
        As for :func:`write_compare_workbook`.

    Returns
    -------
    Path
    """
    agencies = sim.agencies.reset_index()
    headings = simulate_headings(sim.top_k, sim.class_columns)
    agencies["median_minus_p05"] = agencies["median_rank"] - agencies["p05_rank"]
    agencies["p95_minus_median"] = agencies["p95_rank"] - agencies["median_rank"]
    names = sim.group_names
    sensitivity = sim.sensitivity.assign(source=sim.sensitivity["source"].map(source_label)) \
        if "source" in sim.sensitivity.columns else sim.sensitivity
    main_sheet = sheet_label("simulation")

    def build(wb: Any) -> None:
        _table(wb, main_sheet, agencies, headings, {"agency": 34, "agency_id": 18}, names)
        _table(wb, sheet_label("groups"), sim.groups.reset_index(), headings, None, names)
        _table(wb, sheet_label("sensitivity"), sensitivity, headings, {"source": 30, "why": 50},
               names)
        info = wb.add_worksheet(sheet_label("notes"))
        sources = "; ".join(source_label(s) for s in sim.sources) or _("none")
        lines = [_("Runs: {n}").format(n=sim.runs),
                 _("Random seed: {seed}").format(seed=sim.seed),
                 _("Sources of uncertainty: {sources}").format(sources=sources), *sim.notes]
        for i, line in enumerate(lines):
            put(info, i, 0, str(line))
        c_med = agencies.columns.get_loc("median_rank")
        c_minus = agencies.columns.get_loc("median_minus_p05")
        c_plus = agencies.columns.get_loc("p95_minus_median")
        for k, (g, first, last) in enumerate(_group_rows(agencies, sim.groups.index), 1):
            label = group_label(str(g), names.get(g))
            chart = wb.add_chart({"type": "line"})
            sheet = "'" + main_sheet.replace("'", "''") + "'"
            chart.add_series({
                "name": column_label("median_rank"),
                "categories": [main_sheet, first, 1, last, 1],
                "values": [main_sheet, first, c_med, last, c_med],
                "line": {"none": True},
                "marker": {"type": "diamond", "size": 6},
                "y_error_bars": {
                    "type": "custom",
                    "plus_values": f"={sheet}!${_col(c_plus)}${first + 1}:"
                                   f"${_col(c_plus)}${last + 1}",
                    "minus_values": f"={sheet}!${_col(c_minus)}${first + 1}:"
                                    f"${_col(c_minus)}${last + 1}",
                    "end_style": 1}})
            chart.set_title({"name": _("Rank interval 5–95 % (median): {group}").format(
                group=label)})
            # ranks grow downwards; the category axis crosses at the largest rank, i.e.
            # at the bottom of the reversed axis
            chart.set_y_axis({"name": _("rank"), "reverse": True, "min": 1,
                              "max": int(agencies["p95_rank"].iloc[first - 1:last].max()),
                              "crossing": "max", "major_gridlines": {"visible": True}})
            chart.set_x_axis({"name": _("units (in nominal rank order)"),
                              "num_font": {"rotation": -60}})
            chart.set_legend({"none": True})
            _chart_sheet(wb, sheet_label("chart", n=k), chart, label)

    write_xlsx(path, build, inputs=inputs, force=force)
    return Path(path)


def _chart_sheet(wb: Any, name: str, chart: Any, label: str) -> None:
    """``chart`` on a chart sheet of its own: one A4 landscape page when printed."""
    cs = wb.add_chartsheet(name)
    cs.set_chart(chart)
    cs.set_landscape()
    cs.set_paper(9)  # A4
    cs.set_header("&R&9" + label.replace("&", "&&"))
