"""``cchc explain AGENCY``: every leaf of one agency, and why it earned its points.

``--format csv`` gives the agency's ledger rows (columns ``area, criterion, leaf, name,
kind, inputs, value, rule, points, max_points, leaf_max, status, self_points,
appraised_points``); their ``points`` add up to the agency's points in ``cchc score``.
``self_points`` / ``appraised_points`` are the points counted from the unit's own and
the council's score (scores.csv) on manual leaves, blank where none was given.
``--format table`` groups them by area with area subtotals and Vietnamese headings.
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from cchc.cli.options import data_option, format_option, rules_option
from cchc.cli.score import render_table, vi
from scoring.i18n import _

CSV_COLUMNS: tuple[str, ...] = ("area", "criterion", "leaf", "name", "kind", "inputs", "value",
                                "rule", "points", "max_points", "leaf_max", "status",
                                "self_points", "appraised_points")
STATUS_VI: dict[str, str] = {"scored": "tính từ dữ liệu", "not_applicable": "không áp dụng",
                             "manual": "điểm thẩm định/tự chấm", "capped": "giới hạn ở tối đa",
                             "missing": "chưa có điểm"}


def _num(x: float) -> str:
    if pd.isna(x):
        return "—"
    return f"{x:.4g}".replace(".", ",")


def _both_headings(both: bool) -> list[str]:
    """Headings of the self-assessed and appraised columns (when the unit has any)."""
    return [_("Self"), _("Appraised")] if both else []


@click.command("explain")
@click.argument("agency")
@rules_option
@data_option
@format_option("table", "csv")
@click.option("--all", "show_all", is_flag=True,
              help="Table: also list leaves with no points yet (status missing).")
def explain(agency: str, rules_path: Path, data_path: Path, fmt: str, show_all: bool) -> None:
    """Every leaf for one AGENCY (id or name, accents optional): inputs, value, the
    rule or band that fired, points, maximum and status.

    The table leaves out leaves that have no appraised points or survey answers yet
    (they are listed in one line; --all shows them); csv always has every leaf."""
    from cchc.cli.score import compute, echo_stamp
    from scoring.agencies import resolve_agency
    from scoring.appraisal import agency_manual_points
    from scoring.engine import explain as explain_rows

    result = compute(rules_path, data_path)
    agency_id = resolve_agency(result.dataset, agency)
    rows = explain_rows(result, agency_id)
    manual = agency_manual_points(result, agency_id).set_index("leaf")
    for col in ("self_points", "appraised_points"):
        rows[col] = rows["leaf"].map(manual[col]).astype(float)
    if fmt == "csv":
        click.echo(rows[list(CSV_COLUMNS)].to_csv(index=False), nl=False)
        return
    total = result.totals.loc[agency_id]
    group = result.rules.group(str(total["group"]))
    rank = "—" if pd.isna(total["rank"]) else str(int(total["rank"]))
    n_group = int((result.totals["group"] == group.id).sum())
    echo_stamp(result.dataset)
    click.echo(f"{total['agency']} ({agency_id}) — {group.name}")
    click.echo(f"Điểm: {vi(total['points'])} / {vi(total['max_points'])}; "
               f"Chỉ số CCHC: {vi(total['index'])} %; Hạng: {rank}/{n_group}; "
               f"Xếp loại: {total['class'] if total['class'] is not None else '—'}")
    if total["bonus"] or total["deduction"]:
        click.echo(f"Điểm thưởng: {vi(total['bonus'])}; điểm trừ: {vi(total['deduction'])}")
    tree = result.rules.tree_of(group.id)
    area_names = {a.code: a.name for a in tree.areas}
    both = len(manual) > 0  # self-assessed and appraised points side by side
    table = [["Mã", "Tiêu chí", "Dữ liệu", "Giá trị", "Quy tắc áp dụng",
              *_both_headings(both), "Điểm", "Tối đa", "Trạng thái"]]
    missing = rows[rows["status"] == "missing"]
    for area, part in rows.groupby("area", sort=False):
        label = area_names.get(area, "Điểm thưởng, điểm trừ") if area else \
            "Điểm thưởng, điểm trừ"
        table.append([str(area or "±"), label.upper(), "", "", "", *([""] * 2 * both),
                      vi(part["points"].sum()), vi(part["max_points"].sum()), ""])
        for r in part.itertuples(index=False):
            if r.status == "missing" and not show_all:
                continue
            inputs = "" if r.status == "missing" else r.inputs
            pair = ["", ""]
            if both and r.leaf in manual.index:
                inputs = ""  # the two columns say it
                pair = [_num(r.self_points), _num(r.appraised_points)]
            table.append([r.leaf, r.name, inputs, _num(r.value), r.rule, *pair[:2 * both],
                          vi(r.points), vi(r.max_points), STATUS_VI.get(r.status, r.status)])
    points = float(rows["points"].sum())
    floor = 0.0 if pd.isna(total["points"]) else float(total["points"]) - points
    if abs(floor) > 1e-9:  # the total is floored at zero: a row for it, so the table adds up
        table.append(["", _("FLOOR AT ZERO (a total cannot be negative)"), "", "", "",
                      *([""] * 2 * both), vi(floor), "", ""])
    table.append(["", "TỔNG", "", "", "", *([""] * 2 * both), vi(points + floor),
                  vi(rows["max_points"].sum()), ""])
    click.echo("")
    for line in render_table(table, "lllrl" + "rr" * both + "rrl"):
        click.echo(line)
    if len(missing) and not show_all:
        dropped = int((missing["max_points"].eq(0) & missing["area"].ne("")).sum())
        click.echo("")
        click.echo(f"Chưa có điểm ({len(missing)} tiêu chí; {dropped} tiêu chí loại khỏi điểm "
                   f"tối đa): " + ", ".join(missing["leaf"]) + ". Dùng --all để xem.")
