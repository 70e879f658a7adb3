"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from scoring.consistency import require_fit
from scoring.dataset import in_folder, load_dataset
from scoring.errors import DataError, Problem, UsageError
from scoring.i18n import _
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules

rules_option = click.option(
    "--rules", "rules_path", type=click.Path(path_type=Path), default=BUNDLED_RULES,
    show_default="bundled rules/khanh-hoa-2022",
    help="Rule-set folder or YAML file.",
)
data_option = click.option(
    "--data", "data_path", type=click.Path(path_type=Path), default=BUNDLED_DATASET,
    show_default="bundled datasets/khanh-hoa-2022",
    help="Dataset folder.",
)


force_option = click.option(
    "--force", is_flag=True, default=False,
    help="Replace the output file if it exists (otherwise an existing file is kept and the "
         "command stops).",
)


def format_option(*choices: str, default: str = "table"):  # noqa: ANN201 - click decorator
    """``--format`` with the given choices."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                        show_default=True, help="Output format.")


def load_rules_at(path: Path, option: str = "--rules") -> Any:
    """Load a rule set, or a clear error when the path does not exist."""
    if not Path(path).exists():
        raise UsageError(Problem(_("rule set {path} not found").format(path=path),
                                 field=option,
                                 fix=_("give a rule-set folder or YAML file")))
    return load_rules(path)


def load_data_at(path: Path, option: str = "--data") -> Any:
    """Load a dataset folder, or a clear error when it does not exist."""
    if not Path(path).is_dir():
        raise UsageError(Problem(_("dataset folder {path} not found").format(path=path),
                                 field=option,
                                 fix=_("give a dataset folder (see `cchc import-report`)")))
    try:
        return load_dataset(path)
    except DataError as err:
        raise DataError(in_folder(list(err.problems), path)) from None


def load_inputs(rules_path: Path, data_path: Path, *, rules_flag: str = "--rules",
                data_flag: str = "--data") -> tuple[Any, Any]:
    """Load a rule set and a dataset, and stop on whatever ``cchc check`` calls an error.

    The one gate of every command that scores: a group of the data the rule set does not
    know, scores.csv points on a leaf that is not manual, a survey option the rule does not
    map, ... raise :class:`scoring.errors.DataError` (exit 1) before anything is scored or
    written. Warnings (points capped, units appraised on different bases) go to stderr.

    Returns
    -------
    (RuleSet, Dataset)
    """
    rules = load_rules_at(rules_path, rules_flag)
    ds = load_data_at(data_path, data_flag)
    return fit(rules, ds, data_path), ds


def fit(rules: Any, ds: Any, data_path: Path) -> Any:
    """``rules`` if they fit the dataset ``ds`` (see :func:`load_inputs`), else DataError."""
    for warning in require_fit(rules, ds, f"{data_path}/"):
        click.echo(_("cchc: warning: {problem}").format(problem=warning), err=True)
    return rules
