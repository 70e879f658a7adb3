"""``cchc check``: validate the rule set and the dataset, and say how they fit together.

Every problem is printed on one line, ``severity: file:row: field: what. Fix: how`` (in the
language in force: ``lỗi: ... Cách sửa: ...`` in Vietnamese); a
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
from scoring.i18n import _, ngettext
from scoring.number_format import format_number
from scoring.vocabulary import group_label

__all__ = ["check", "cross_check"]


def _rules_problems(rules_path: Path) -> tuple[list[Problem], list[str]]:
    """Problems of the rule set, or a note when the rule loader is not available."""
    try:
        from scoring.rules.loader import check_rules
    except ImportError as err:
        if err.name and not err.name.startswith("scoring.rules.loader"):
            raise
        return [], [_("rules not checked: this installation has no rule loader "
                      "(scoring.rules.loader)")]
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


def _count(template: str, n: int, **values: Any) -> str:
    """``template`` (from ``ngettext``) with ``n`` in the language's style (``1.234``)."""
    return template.format(n=format_number(n), **values)


def _errors(n: int) -> str:
    return _count(ngettext("{n} error", "{n} errors", n), n)


def _warnings(n: int) -> str:
    return _count(ngettext("{n} warning", "{n} warnings", n), n)


def _rules_line(rules_path: Path, rules: Any) -> str:
    groups = "; ".join(group_label(g.id, g.name) for g in rules.groups)
    return _("rules: {path} ({id} {version}; groups: {groups})").format(
        path=rules_path, id=rules.id, version=rules.version, groups=groups)


def _data_line(data_path: Path, ds: Any) -> str:
    agencies, dossiers, tasks = len(ds.agencies), len(ds.dossiers), len(ds.tasks)
    counts = ", ".join((
        _count(ngettext("{n} agency", "{n} agencies", agencies), agencies),
        _count(ngettext("{n} dossier row", "{n} dossier rows", dossiers), dossiers),
        _count(ngettext("{n} task", "{n} tasks", tasks), tasks)))
    return _("data: {path} ({name}: {counts}; sha256 {hash})").format(
        path=data_path, name=ds.name, counts=counts, hash=ds.content_hash[:12])


def _severity_prefix(severity: str) -> str:
    return _("error: ") if severity == "error" else _("warning: ")


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
        click.echo(_rules_line(rules_path, rules))
    if ds is not None:
        click.echo(_data_line(data_path, ds))
        notes = dataset_notes(ds) + notes
        if rules is not None:
            problems += cross_check(rules, ds, prefix)
            notes += adjustment_notes(rules, ds)
    problems.sort(key=lambda p: p.severity != "error")
    for p in problems:
        click.echo(f"{_severity_prefix(p.severity)}{p}")
    for note in notes:
        click.echo(_("note: {note}").format(note=note))
    errors = sum(p.severity == "error" for p in problems)
    click.echo(_("{errors}, {warnings}").format(errors=_errors(errors),
                                                warnings=_warnings(len(problems) - errors)))
    if errors:
        raise CchcError(Problem(_("check failed with {errors}").format(errors=_errors(errors)),
                                fix=_("correct the errors listed above and run cchc check "
                                      "again")))
