"""``cchc whatif``: what-if and goal-seek for one agency.

``--set NAME=VALUE`` changes an indicator (a dossier count re-derives the rates),
``--task TASK_ID=STATUS`` a task's status; ``--goal rank:N|class:LABEL --vary NAME`` finds
the smallest change of one indicator that reaches the goal, or says it cannot.
"""

from __future__ import annotations

import io
from pathlib import Path

import click
import pandas as pd

from cchc.cli.options import data_option, format_option, load_inputs, rules_option
from scoring.errors import Problem, UsageError

ROWS = [("points", "Điểm"), ("max_points", "Điểm tối đa"), ("index", "Chỉ số (%)"),
        ("rank", "Hạng"), ("class", "Xếp loại")]


def _standings(nominal: dict, new: dict | None, label: str) -> pd.DataFrame:
    rows = []
    for key, heading in ROWS:
        a = nominal[key]
        b = None if new is None else new[key]
        diff = ""
        if new is not None and key != "class" and a is not None and b is not None:
            diff = f"{b - a:+.4g}" if b != a else "0"
        elif new is not None and key == "class":
            diff = "" if a == b else f"{a} → {b}"
        rows.append({"item": heading, "nominal": a, "new": b, "diff": diff})
    return pd.DataFrame(rows).rename(columns={"new": label})


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
    from scoring.simulate.cli_support import parse_assignments, print_table
    from scoring.simulate.whatif import Goal, goal_seek
    from scoring.simulate.whatif import whatif as run_whatif

    if (goal is None) != (vary is None):
        raise UsageError(Problem("--goal and --vary go together", field="--goal/--vary",
                                 fix="give both, e.g. --goal rank:3 --vary online_rate"))
    if goal is None and not sets and not tasks:
        raise UsageError(Problem("nothing to change", field="--set",
                                 fix="give --set NAME=VALUE, --task TASK_ID=STATUS, or "
                                     "--goal … --vary NAME"))
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
    nominal_standing = {k: row[k] for k, _ in ROWS}
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
    title = f"{row['agency']} ({agency_id}), nhóm {row['group']}"
    if message:
        click.echo(message)
    label = "Giả định"
    table = _standings(nominal_standing, None if result is None else result.new, label)
    headings = {"item": "", "nominal": "Danh nghĩa", label: f"{label}: {changes}",
                "diff": "Chênh lệch"}
    cols = ["item", "nominal"] + ([label, "diff"] if result is not None else [])
    print_table(title, table, headings, cols)
    if result is not None and len(result.leaves):
        print_table("Tiêu chí thay đổi điểm", result.leaves,
                    {"leaf": "Tiêu chí", "name": "Tên", "points_nominal": "Điểm danh nghĩa",
                     "points_new": "Điểm giả định", "diff": "Chênh lệch"},
                    ["leaf", "name", "points_nominal", "points_new", "diff"],
                    digits={"points_nominal": 4, "points_new": 4, "diff": 4})
