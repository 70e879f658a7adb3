"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES

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
