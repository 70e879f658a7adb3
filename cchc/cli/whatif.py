"""``cchc whatif``: what-if and goal-seek for one agency.

``--set NAME=VALUE`` changes an indicator (a dossier count re-derives the rates),
``--task TASK_ID=STATUS`` a task's status; ``--goal rank:N|class:LABEL --vary NAME`` finds
the smallest change of one indicator that reaches the goal, or says it cannot.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import click
import pandas as pd

from cchc.cli.options import data_option, format_option, load_inputs, rules_option
from cchc.cli.table import print_frame, print_table, print_text
from scoring.errors import Problem, UsageError
from scoring.i18n import _
from scoring.number_format import format_number
from scoring.vocabulary import (
    class_label,
    column_label,
    group_label,
    indicator_label,
    indicator_unit,
    task_status_label,
)

ROWS = ("points", "max_points", "index", "rank", "class")


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "class":
        return class_label(value)
    if key == "rank":
        return str(int(value))
    return format_number(value, 2)


def _difference(key: str, a: Any, b: Any) -> str:
    if key == "class":
        return "" if a == b else f"{class_label(a)} → {class_label(b)}"
    if a is None or b is None:
        return ""
    return format_number(b - a, 0 if key == "rank" else 2, signed=True)


def _standings(nominal: dict, new: dict | None) -> list[list[str]]:
    rows = []
    for key in ROWS:
        a = nominal[key]
        row = [column_label(key), _cell(key, a)]
        if new is not None:
            row += [_cell(key, new[key]), _difference(key, a, new[key])]
        rows.append(row)
    return rows


def changes_words(sets: dict[str, float], tasks: dict[str, str]) -> str:
    """The changes a person asked for, in words: "Tỷ lệ hồ sơ trực tuyến = 80 %"."""
    parts = []
    for name, value in sets.items():
        unit = " %" if indicator_unit(name) == "%" else ""
        parts.append(f"{indicator_label(name)} = {format_number(value)}{unit}")
    parts += [_("task {task}: {status}").format(task=k, status=task_status_label(v))
              for k, v in tasks.items()]
    return "; ".join(parts)


@click.command("whatif")
@click.argument("agency")
@rules_option
@data_option
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Set an indicator of the agency (repeatable), e.g. online_rate=80.")
@click.option("--task", "tasks", multiple=True, metavar="TASK_ID=STATUS",
              help="Set a task's status (repeatable): done_on_time, done_late, not_done, "
                   "in_progress, not_arising.")
@click.option("--goal", "goal", default=None, metavar="rank:N|class:LABEL",
              help="Target to reach by changing --vary.")
@click.option("--vary", "vary", default=None, metavar="NAME",
              help="The indicator goal-seek may change.")
@format_option("table", "csv")
def whatif(agency: str, rules_path: Path, data_path: Path, sets: tuple[str, ...],
           tasks: tuple[str, ...], goal: str | None, vary: str | None, fmt: str) -> None:
    """New points, rank and class of AGENCY (id or name) under changed inputs.

    With --goal and --vary: the smallest change of one indicator that brings AGENCY to
    the target rank (rank ≤ N) or class (that class or better), verified by scoring it,
    or the answer that no value in the indicator's domain does.
    """
    from scoring.agencies import resolve_agency
    from scoring.engine import score
    from scoring.simulate.cli_support import parse_assignments
    from scoring.simulate.whatif import Goal, goal_seek
    from scoring.simulate.whatif import whatif as run_whatif

    if (goal is None) != (vary is None):
        raise UsageError(Problem(_("--goal and --vary go together"), field="--goal/--vary",
                                 fix=_("give both, e.g. --goal rank:3 --vary online_rate")))
    if goal is None and not sets and not tasks:
        raise UsageError(Problem(_("nothing to change"), field="--set",
                                 fix=_("give --set NAME=VALUE, --task TASK_ID=STATUS, or "
                                       "--goal … --vary NAME")))
    set_values = parse_assignments(sets, "--set", numeric=True)
    task_status = parse_assignments(tasks, "--task", numeric=False)
    target = Goal.parse(goal) if goal is not None else None
    rules, ds = load_inputs(rules_path, data_path)
    agency_id = resolve_agency(ds, agency)
    nominal = score(rules, ds)

    message = ""
    reached = None
    if target is not None:
        assert vary is not None
        answer = goal_seek(rules, ds, agency_id, target, vary, set_values=set_values,
                           tasks=task_status, nominal=nominal)
        message = answer.message
        target = answer.goal
        reached = answer.reached
        result = answer.whatif
    else:
        result = run_whatif(rules, ds, agency_id, set_values=set_values, tasks=task_status,
                            nominal=nominal)
    row = nominal.totals.loc[agency_id]
    nominal_standing = {k: row[k] for k in ROWS}
    nominal_standing["rank"] = None if pd.isna(row["rank"]) else int(row["rank"])
    changes = "; ".join(result.changes) if result is not None else ""

    if fmt == "csv":
        records = [{"agency_id": agency_id, "scenario": "nominal", "changes": "",
                    **nominal_standing}]
        if result is not None:
            records.append({"agency_id": agency_id, "scenario": "whatif",
                            "changes": changes, **result.new})
        frame = pd.DataFrame(records)
        if target is not None:
            frame["goal"] = str(target)
            frame["reached"] = reached
        buf = io.StringIO()
        frame.to_csv(buf, index=False, float_format="%.10g", lineterminator="\n")
        click.echo(buf.getvalue(), nl=False)
        return
    group = nominal.rules.group(str(row["group"]))
    title = _("{agency} ({id}), group {group}").format(
        agency=row["agency"], id=agency_id, group=group_label(group.id, group.name))
    if message:
        print_text(message + "\n")
    applied = dict(set_values)
    if target is not None and result is not None and vary is not None:
        applied[vary] = float(answer.value) if answer.value is not None else applied.get(vary)
    headings = ["", _("Nominal")]
    if result is not None:
        headings += [_("Assumed: {changes}").format(changes=changes_words(applied, task_status)),
                     _("Difference")]
    print_table(headings, _standings(nominal_standing, None if result is None else result.new),
                numeric=[False] + [True] * (len(headings) - 1), title=title)
    if result is not None and len(result.leaves):
        print_frame(_("Sub-criteria whose points change"), result.leaves,
                    {"leaf": column_label("code"), "name": column_label("name"),
                     "points_nominal": _("Nominal points"), "points_new": _("Assumed points"),
                     "diff": _("Difference")},
                    ["leaf", "name", "points_nominal", "points_new", "diff"], signed=["diff"])
