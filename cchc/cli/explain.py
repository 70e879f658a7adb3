"""``cchc explain AGENCY``: every leaf of one agency, and why it earned its points.

``--format csv`` gives the agency's ledger rows (columns ``area, criterion, leaf, name,
kind, inputs, value, rule, rule_text, points, max_points, leaf_max, status, self_points,
appraised_points``: ``rule`` is the engine's code, ``rule_text`` the same in words); their
``points`` add up to the agency's points in ``cchc score``. ``--format table`` groups them by
area with area subtotals and Vietnamese headings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from cchc.cli.options import data_option, format_option, rules_option
from cchc.cli.table import print_table, print_text
from scoring.i18n import _, ngettext
from scoring.number_format import format_number
from scoring.vocabulary import (
    class_label,
    column_label,
    group_label,
    indicator_unit,
    inputs_words,
    rule_texts,
    status_label,
)

CSV_COLUMNS: tuple[str, ...] = ("area", "criterion", "leaf", "name", "kind", "inputs", "value",
                                "rule", "rule_text", "points", "max_points", "leaf_max", "status",
                                "self_points", "appraised_points")
TABLE_COLUMNS: tuple[str, ...] = ("code", "criterion", "data", "reading", "applied", "earned",
                                  "max", "status")
NUMERIC = (False, False, False, True, False, True, True, False)
RATIOS = (None, 4, 3, None, 3, None, None, 2)


def _value(x: float, unit: str) -> str:
    if pd.isna(x):
        return "—"
    return format_number(x, 2) + (" %" if unit == "%" else "")


def _both_headings(both: bool) -> list[str]:
    """Headings of the self-assessed and appraised columns (when the unit has any)."""
    return [_("Self"), _("Appraised")] if both else []


def _leaf_of(rules: Any, tree: str, code: str) -> Any:
    try:
        return rules.leaf(code, tree)
    except KeyError:
        return None


def _unit_of(leaf: Any) -> str:
    rule = getattr(leaf, "rule", None)
    if rule is None:
        return ""
    if rule.kind == "bands":
        return indicator_unit(rule.indicator)
    return "%" if rule.kind == "tasks" and rule.mode == "bands" else ""


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
    rows["rule_text"] = rule_texts(result.rules, rows)
    if fmt == "csv":
        click.echo(rows[list(CSV_COLUMNS)].to_csv(index=False), nl=False)
        return
    total = result.totals.loc[agency_id]
    group = result.rules.group(str(total["group"]))
    rank = "—" if pd.isna(total["rank"]) else str(int(total["rank"]))
    n_group = int((result.totals["group"] == group.id).sum())
    echo_stamp(result.dataset)
    click.echo(f"{total['agency']} ({agency_id}) — {group_label(group.id, group.name)}")
    click.echo(_("Points: {points} / {max}; CCHC index: {index} %; rank: {rank}/{of}; "
                 "class: {klass}").format(
        points=format_number(total["points"], 2), max=format_number(total["max_points"], 2),
        index=format_number(total["index"], 2), rank=rank, of=n_group,
        klass=class_label(total["class"])))
    if total["bonus"] or total["deduction"]:
        click.echo(_("Bonus points: {bonus}; deducted points: {deduction}").format(
            bonus=format_number(total["bonus"], 2),
            deduction=format_number(total["deduction"], 2)))
    tree = result.rules.tree_of(group.id)
    area_names = {a.code: a.name for a in tree.areas}
    both = len(manual) > 0  # self-assessed and appraised points side by side
    blank = [""] * 2 * both
    table: list[list[str]] = []
    stressed: list[int] = []
    missing = rows[rows["status"] == "missing"]
    adjustments = _("Bonus and deducted points")
    for area, part in rows.groupby("area", sort=False):
        label = area_names.get(area, adjustments) if area else adjustments
        stressed.append(len(table))
        table.append([str(area or "±"), label.upper(), "", "", "", *blank,
                      format_number(part["points"].sum(), 2),
                      format_number(part["max_points"].sum(), 2), ""])
        for r in part.itertuples(index=False):
            if r.status == "missing" and not show_all:
                continue
            leaf = _leaf_of(result.rules, group.tree, r.leaf) if area else None
            shown = getattr(getattr(leaf, "rule", None), "indicator", None)
            inputs = "" if r.status == "missing" else inputs_words(r.inputs, label_only=shown)
            pair = ["", ""]
            if both and r.leaf in manual.index:
                inputs = ""  # the two columns say it
                pair = [format_number(r.self_points), format_number(r.appraised_points)]
            table.append([r.leaf, r.name, inputs, _value(r.value, _unit_of(leaf)),
                          r.rule_text, *pair[:2 * both],
                          format_number(r.points, 2),
                          format_number(r.max_points, 2), status_label(r.status)])
    points = float(rows["points"].sum())
    floor = 0.0 if pd.isna(total["points"]) else float(total["points"]) - points
    if abs(floor) > 1e-9:  # the total is floored at zero: a row for it, so the table adds up
        table.append(["", _("FLOOR AT ZERO (a total cannot be negative)"), "", "", "",
                      *blank, format_number(floor, 2), "", ""])
    stressed.append(len(table))
    table.append(["", _("TOTAL"), "", "", "", *blank, format_number(points + floor, 2),
                  format_number(rows["max_points"].sum(), 2), ""])
    click.echo("")
    headings = [column_label(c) for c in TABLE_COLUMNS]
    print_table(headings[:5] + _both_headings(both) + headings[5:], table,
                numeric=NUMERIC[:5] + (True, True) * both + NUMERIC[5:],
                bold_rows=stressed, ratios=RATIOS[:5] + (None, None) * both + RATIOS[5:])
    if len(missing) and not show_all:
        dropped = int((missing["max_points"].eq(0) & missing["area"].ne("")).sum())
        print_text(ngettext(
            "No points yet ({n} sub-criterion; {dropped} left out of the maximum): {codes}. "
            "Use --all to list them.",
            "No points yet ({n} sub-criteria; {dropped} left out of the maximum): {codes}. "
            "Use --all to list them.", len(missing)).format(
                n=len(missing), dropped=dropped, codes=", ".join(missing["leaf"])))
