"""``cchc compare``: rank and points shifts between two rule sets (or two datasets).

Differences are B − A: ``--rules`` is A, ``--against`` is B (default: A again, for two
datasets given with ``--data`` and ``--against-data``).
"""

from __future__ import annotations

from pathlib import Path

import click

from cchc.cli.options import (
    data_option,
    fit,
    force_option,
    format_option,
    load_data_at,
    load_inputs,
    load_rules_at,
    rules_option,
)
from scoring.errors import Problem, UsageError
from scoring.i18n import _
from scoring.number_format import format_number

CSV_COLUMNS = ["agency_id", "agency", "group", "points_a", "points_b", "points_diff", "index_a",
               "index_b", "index_diff", "rank_a", "rank_b", "rank_shift", "class_a", "class_b",
               "class_changed", "leaves"]
TABLE_COLUMNS = ["agency", "group", "points_a", "points_b", "points_diff", "index_a",
                 "index_b", "rank_a", "rank_b", "rank_shift", "class_a", "class_b", "leaves"]
SIGNED = ["points_diff", "index_diff", "rank_shift"]
GROUP_COLUMNS = ["group", "agencies", "spearman", "kendall", "mean_abs_rank_shift",
                 "max_abs_rank_shift", "class_changes"]


@click.command("compare")
@rules_option
@click.option("--against", "against_path", type=click.Path(path_type=Path), default=None,
              help="Rule set B (folder or YAML file). Default: the --rules set, to compare "
                   "two datasets.")
@data_option
@click.option("--against-data", "against_data_path", type=click.Path(path_type=Path),
              default=None, help="Dataset B. Default: the --data folder.")
@format_option("table", "csv")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              help="Also write a workbook (.xlsx) with the table and a rank-shift chart.")
@click.option("--changed-only", "changed_only", is_flag=True,
              help="Table: only the agencies whose points, rank or class change.")
@click.option("--previous", "previous_path", type=click.Path(path_type=Path), default=None,
              help="Compare with last year's ranks instead (A): last year's workbook "
                   "(cchc rank) or a CSV agency_id,rank,index.")
@force_option
def compare(rules_path: Path, against_path: Path | None, data_path: Path,
            against_data_path: Path | None, fmt: str, output: Path | None,
            changed_only: bool, previous_path: Path | None, force: bool) -> None:
    """Points, index, rank and class under A (--rules) and B (--against), and why.

    Every difference is B − A; a positive rank shift means the agency sits lower under
    B. For each agency the leaves whose points differ are listed (they add up to the
    points difference); per group the Spearman and Kendall rank correlations.
    """
    from cchc.cli.table import print_frame, print_text
    from reports.analysis import compare_headings, write_compare_workbook
    from scoring.engine import score
    from scoring.files import check_output
    from scoring.simulate.cli_support import echo_csv
    from scoring.simulate.compare import compare as run_compare
    from scoring.simulate.compare import leaf_changes_text

    if previous_path is not None:
        _against_previous(rules_path, data_path, previous_path, fmt,
                          output is not None or against_path is not None
                          or against_data_path is not None)
        return
    if against_path is None and against_data_path is None:
        raise UsageError(Problem(_("nothing to compare against"), field="--against",
                                 fix=_("give --against RULES (another rule set) or "
                                       "--against-data DATA (another dataset)")))
    inputs = [p for p in (rules_path, against_path, data_path, against_data_path)
              if p is not None]
    if output is not None:
        check_output(output, inputs=inputs, force=force)  # before the (slower) scoring
    rules_a, ds_a = load_inputs(rules_path, data_path)
    rules_b = rules_a if against_path is None else load_rules_at(against_path, "--against")
    ds_b = ds_a if against_data_path is None else load_data_at(against_data_path,
                                                               "--against-data")
    fit(rules_b, ds_b, against_data_path or data_path)
    result_a = score(rules_a, ds_a)
    result_b = score(rules_b, ds_b)
    label_a = str(rules_path) if against_path is not None else str(data_path)
    label_b = str(against_path) if against_path is not None else str(against_data_path)
    cmp = run_compare(result_a, result_b, label_a=label_a, label_b=label_b)
    if output is not None:
        write_compare_workbook(cmp, output, inputs=inputs, force=force)
    if fmt == "csv":
        echo_csv(cmp.agencies, CSV_COLUMNS)
    else:
        headings = compare_headings()
        words = leaf_changes_text(cmp.leaves, lambda d: format_number(d, None, signed=True))
        shown = cmp.agencies.assign(leaves=[words.get(str(a), "") for a in cmp.agencies.index])
        if changed_only:
            shown = shown[(shown["points_diff"].abs() > 1e-9) | (shown["rank_shift"] != 0)
                          | shown["class_changed"].astype(bool)]
        print_frame(_("Comparison: A = {a}, B = {b} (difference = B − A)").format(
                        a=label_a, b=label_b),
                    shown, headings, TABLE_COLUMNS, group_names=cmp.group_names,
                    signed=SIGNED, decimals={"rank_shift": 0})
        print_frame(_("Rank correlation per group"), cmp.groups, headings, GROUP_COLUMNS,
                    decimals={"spearman": 4, "kendall": 4}, group_names=cmp.group_names)
        changed = cmp.class_changes
        if len(changed):
            print_frame(_("Agencies whose class changes"), changed, headings,
                        ["agency", "group", "class_a", "class_b"],
                        group_names=cmp.group_names)
        else:
            print_text(_("No agency changes class."))
    if output is not None:
        click.echo(_("Written: {path}").format(path=output), err=True)


def _against_previous(rules_path: Path, data_path: Path, previous_path: Path, fmt: str,
                      other_options: bool) -> None:
    """``compare --previous``: last year's ranks (A) against this year's (B)."""
    from cchc.cli.table import print_frame
    from reports.analysis import compare_headings
    from scoring.engine import score
    from scoring.previous import COMPARE_COLUMNS, compare_previous, read_previous
    from scoring.simulate.cli_support import echo_csv

    if other_options:
        raise UsageError(Problem(_("--previous compares this year with last year's ranks; "
                                   "it cannot be combined with --against, --against-data "
                                   "or -o"), field="--previous",
                                 fix=_("leave those out, or use cchc rank --previous for a "
                                       "workbook with last year's ranks")))
    result = score(*load_inputs(rules_path, data_path))
    table = compare_previous(result.totals, read_previous(previous_path, result.dataset))
    if fmt == "csv":
        echo_csv(table.set_index("agency_id"), COMPARE_COLUMNS)
        return
    names = {g.id: g.name for g in result.rules.groups}
    print_frame(_("Compared with last year: A = {previous}, B = this year (difference = "
                  "B − A)").format(previous=previous_path),
                table.set_index("agency_id"), compare_headings(),
                [c for c in COMPARE_COLUMNS if c != "group"], group_names=names,
                decimals={"rank_a": 0, "rank_b": 0, "rank_shift": 0}, signed=["rank_shift"])
