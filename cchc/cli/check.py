"""``cchc check``: validate the rule set and the dataset, and say how they fit together.

Every problem is printed on one line, ``severity: file:row: field: what. Fix: how``; a
summary line follows. Any error makes the command exit 1; warnings (facts about the source,
decisions still to review) do not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cchc.cli.options import data_option, rules_option
from scoring.consistency import adjustment_notes, cross_check, dataset_notes
from scoring.dataset import sort_problems, validate_dataset
from scoring.errors import CchcError, Problem

__all__ = ["check", "cross_check"]


def _rules_problems(rules_path: Path) -> tuple[list[Problem], list[str]]:
    """Problems of the rule set, or a note when the rule loader is not available."""
    try:
        from scoring.rules.loader import check_rules
    except ImportError as err:
        if err.name and not err.name.startswith("scoring.rules.loader"):
            raise
        return [], ["rules not checked: this installation has no rule loader "
                    "(scoring.rules.loader)"]
    return list(check_rules(rules_path)), []


def _load_rules(rules_path: Path) -> Any:
    try:
        from scoring.rules.loader import load_rules
    except ImportError:
        return None
    try:
        return load_rules(rules_path)
    except CchcError:
        return None


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


@click.command()
@rules_option
@data_option
def check(rules_path: Path, data_path: Path) -> None:
    """Validate rules and data; exit 1 on any error (warnings do not fail).

    Each message names the file, the row (spreadsheet numbering: the header is row 1) or
    line, the field, what is wrong and how to fix it.
    """
    prefix = f"{data_path}/"
    ds, data_problems = validate_dataset(data_path)
    data_problems = sort_problems(data_problems)
    problems = [p.replace(file=f"{prefix}{p.file}")
                if p.file is not None and not Path(p.file).is_absolute()
                and p.file != str(data_path) else p for p in data_problems]
    rule_problems, notes = _rules_problems(rules_path)
    problems += rule_problems
    rules = None
    if not any(p.severity == "error" for p in rule_problems) and not notes:
        rules = _load_rules(rules_path)
    if rules is not None:
        click.echo(f"rules: {rules_path} ({rules.id} {rules.version}; "
                   f"groups {', '.join(g.id for g in rules.groups)})")
    if ds is not None:
        click.echo(f"data: {data_path} ({ds.name}: {len(ds.agencies)} agencies, "
                   f"{len(ds.dossiers)} dossier rows, {len(ds.tasks)} tasks; "
                   f"sha256 {ds.content_hash[:12]})")
        notes = dataset_notes(ds) + notes
        if rules is not None:
            problems += cross_check(rules, ds, prefix)
            notes += adjustment_notes(rules, ds)
    problems.sort(key=lambda p: p.severity != "error")
    for p in problems:
        click.echo(f"{p.severity}: {p}")
    for note in notes:
        click.echo(f"note: {note}")
    errors = sum(p.severity == "error" for p in problems)
    click.echo(f"{_plural(errors, 'error')}, {_plural(len(problems) - errors, 'warning')}")
    if errors:
        raise CchcError(Problem(f"check failed with {_plural(errors, 'error')}",
                                fix="correct the errors listed above and run cchc check again"))
