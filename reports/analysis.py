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

from reports.xlsx import put, write_frame, write_xlsx

COMPARE_HEADINGS = {
    "agency_id": "Mã đơn vị", "agency": "Đơn vị", "group": "Nhóm",
    "points_a": "Điểm A", "points_b": "Điểm B", "points_diff": "Chênh lệch điểm (B − A)",
    "index_a": "Chỉ số A (%)", "index_b": "Chỉ số B (%)", "index_diff": "Chênh lệch chỉ số",
    "rank_a": "Hạng A", "rank_b": "Hạng B", "rank_shift": "Dịch chuyển hạng (B − A)",
    "class_a": "Xếp loại A", "class_b": "Xếp loại B", "class_changed": "Đổi xếp loại",
    "leaves": "Tiêu chí gây chênh lệch", "leaf": "Tiêu chí", "name": "Tên tiêu chí",
    "diff": "Chênh lệch", "agencies": "Số đơn vị", "spearman": "Spearman ρ",
    "spearman_p": "Spearman p", "kendall": "Kendall τ", "kendall_p": "Kendall p",
    "mean_abs_rank_shift": "Dịch chuyển hạng trung bình (|Δ|)",
    "max_abs_rank_shift": "Dịch chuyển hạng lớn nhất", "class_changes": "Số đơn vị đổi xếp loại",
}
SIMULATE_HEADINGS = {
    "agency_id": "Mã đơn vị", "agency": "Đơn vị", "group": "Nhóm",
    "nominal_rank": "Hạng danh nghĩa", "mean_rank": "Hạng trung bình",
    "median_rank": "Hạng trung vị", "p05_rank": "Hạng phân vị 5%",
    "p95_rank": "Hạng phân vị 95%", "p_top_k": "Xác suất vào top k",
    "nominal_class": "Xếp loại danh nghĩa", "agencies": "Số đơn vị",
    "mean_abs_rank_shift": "Dịch chuyển hạng trung bình (|Δ|)",
    "share_rank_changed": "Tỷ lệ lần chạy đổi hạng", "source": "Nguồn bất định",
    "variance_share": "Tỷ trọng phương sai (bậc 1)", "why": "Lý do",
}


def _yes(v: Any) -> str:
    return "có" if (not pd.isna(v) and bool(v)) else ""


def _table(wb: Any, name: str, df: pd.DataFrame, headings: dict[str, str],
           widths: dict[str, int] | None = None) -> Any:
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
    agencies = cmp.agencies.reset_index()
    agencies = agencies.sort_values(["group", "rank_a", "rank_b"], kind="stable",
                                    key=lambda s: s.map({g: i for i, g in enumerate(
                                        dict.fromkeys(agencies["group"]))})
                                    if s.name == "group" else s).reset_index(drop=True)

    def build(wb: Any) -> None:
        _table(wb, "So sánh", agencies, COMPARE_HEADINGS,
               {"agency": 34, "leaves": 40, "agency_id": 18})
        _table(wb, "Theo tiêu chí", cmp.leaves, COMPARE_HEADINGS, {"name": 40})
        _table(wb, "Theo nhóm", cmp.groups.reset_index(), COMPARE_HEADINGS)
        info = wb.add_worksheet("Ghi chú")
        put(info, 0, 0, f"A = {cmp.label_a}")
        put(info, 1, 0, f"B = {cmp.label_b}")
        put(info, 2, 0, "Dịch chuyển hạng = hạng B − hạng A (dương: tụt hạng dưới B).")
        for k, (g, first, last) in enumerate(_group_rows(agencies, cmp.groups.index), 1):
            label = cmp.group_names.get(g, g)
            chart = wb.add_chart({"type": "bar"})
            chart.add_series({
                "name": f"Dịch chuyển hạng — {label}",
                "categories": ["So sánh", first, 1, last, 1],
                "values": ["So sánh", first, agencies.columns.get_loc("rank_shift"), last,
                           agencies.columns.get_loc("rank_shift")],
                "invert_if_negative": False})
            chart.set_title({"name": f"Dịch chuyển hạng (B − A): {label}"})
            chart.set_x_axis({"name": "hạng B − hạng A"})
            chart.set_y_axis({"reverse": True, "crossing": "max", "label_position": "low"})
            chart.set_legend({"none": True})
            _chart_sheet(wb, f"Biểu đồ {k}", chart, label)

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
    headings = dict(SIMULATE_HEADINGS)
    headings["p_top_k"] = f"Xác suất vào top {sim.top_k}"
    for col, label in sim.class_columns.items():
        headings[col] = f"Xác suất xếp loại {label}"
    agencies["minus"] = agencies["median_rank"] - agencies["p05_rank"]
    agencies["plus"] = agencies["p95_rank"] - agencies["median_rank"]
    headings["minus"] = "Trung vị − P5"
    headings["plus"] = "P95 − trung vị"

    def build(wb: Any) -> None:
        _table(wb, "Khoảng hạng", agencies, headings, {"agency": 34, "agency_id": 18})
        _table(wb, "Theo nhóm", sim.groups.reset_index(), headings)
        _table(wb, "Độ nhạy", sim.sensitivity, headings, {"source": 30, "why": 50})
        info = wb.add_worksheet("Ghi chú")
        lines = [f"Số lần chạy: {sim.runs}", f"Hạt giống (seed): {sim.seed}",
                 "Nguồn bất định: " + ("; ".join(sim.sources) or "không có"), *sim.notes]
        for i, line in enumerate(lines):
            put(info, i, 0, str(line))
        c_med = agencies.columns.get_loc("median_rank")
        c_minus = agencies.columns.get_loc("minus")
        c_plus = agencies.columns.get_loc("plus")
        for k, (g, first, last) in enumerate(_group_rows(agencies, sim.groups.index), 1):
            label = sim.group_names.get(g, g)
            chart = wb.add_chart({"type": "line"})
            sheet = "'Khoảng hạng'"
            chart.add_series({
                "name": "Hạng trung vị",
                "categories": ["Khoảng hạng", first, 1, last, 1],
                "values": ["Khoảng hạng", first, c_med, last, c_med],
                "line": {"none": True},
                "marker": {"type": "diamond", "size": 6},
                "y_error_bars": {
                    "type": "custom",
                    "plus_values": f"={sheet}!${_col(c_plus)}${first + 1}:"
                                   f"${_col(c_plus)}${last + 1}",
                    "minus_values": f"={sheet}!${_col(c_minus)}${first + 1}:"
                                    f"${_col(c_minus)}${last + 1}",
                    "end_style": 1}})
            chart.set_title({"name": f"Khoảng hạng 5–95 % (trung vị): {label}"})
            # ranks grow downwards; the category axis crosses at the largest rank, i.e.
            # at the bottom of the reversed axis
            chart.set_y_axis({"name": "hạng", "reverse": True, "min": 1,
                              "max": int(agencies["p95_rank"].iloc[first - 1:last].max()),
                              "crossing": "max", "major_gridlines": {"visible": True}})
            chart.set_x_axis({"name": "đơn vị (theo hạng danh nghĩa)",
                              "num_font": {"rotation": -60}})
            chart.set_legend({"none": True})
            _chart_sheet(wb, f"Biểu đồ {k}", chart, label)

    write_xlsx(path, build, inputs=inputs, force=force)
    return Path(path)


def _chart_sheet(wb: Any, name: str, chart: Any, label: str) -> None:
    """``chart`` on a chart sheet of its own: one A4 landscape page when printed."""
    cs = wb.add_chartsheet(name)
    cs.set_chart(chart)
    cs.set_landscape()
    cs.set_paper(9)  # A4
    cs.set_header("&R&9" + label.replace("&", "&&"))


def _col(j: int) -> str:
    """Excel column letters of 0-based column ``j``."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out
