"""The ``cchc`` command line.

Each subcommand lives in its own module of this package and is loaded only when used,
so ``cchc --help`` stays fast and one broken command cannot break the others. Errors the
user can fix (:class:`scoring.errors.CchcError`) are printed as one clear message with a
non-zero exit; anything unexpected is reported in one line too (set ``CCHC_DEBUG=1`` for
the traceback).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from scoring import __version__
from scoring.errors import CchcError

# command name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "import-report": ("cchc.cli.import_report", "import_report",
                      "Parse a published report into a dataset folder."),
    "import-dossiers": ("cchc.cli.import_dossiers", "import_dossiers_command",
                        "Dossier statistics of the TTHC system export into a dataset."),
    "check": ("cchc.cli.check", "check", "Validate rules and data."),
    "score": ("cchc.cli.score", "score", "Points, index, rank and class per agency."),
    "explain": ("cchc.cli.explain", "explain", "Every leaf of one agency, and why."),
    "rank": ("cchc.cli.rank", "rank", "Write the annual ranking workbook (the main job)."),
    "compare": ("cchc.cli.compare", "compare", "Rank and points shifts between two rule sets."),
    "simulate": ("cchc.cli.simulate", "simulate", "Monte Carlo rank intervals."),
    "whatif": ("cchc.cli.whatif", "whatif", "What-if and goal-seek for one agency."),
    "forms": ("cchc.cli.forms", "forms", "Write a score form per unit (.xlsx) to fill in."),
    "collect": ("cchc.cli.collect", "collect",
                "Read filled forms back into scores.csv / surveys.csv."),
    "serve": ("cchc.cli.serve", "serve", "The web application for the team."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._available(name)]

    @staticmethod
    def _available(name: str) -> bool:
        module = COMMANDS[name][0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not self._available(name):
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc")
def cli() -> None:
    """Chỉ số CCHC: score, rank and explain public-administration reform.

    Every command runs with no arguments on the bundled 2022 Khánh Hòa rule set and
    dataset; pass --rules and --data to use others.
    """


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cchc`` console script."""
    try:
        cli.main(args=argv, prog_name="cchc", standalone_mode=False)
    except CchcError as err:
        click.echo(f"cchc: error: {err.render()}" if len(err.problems) == 1
                   else f"cchc: {len(err.problems)} errors:\n{err.render()}", err=True)
        return err.exit_code
    except click.exceptions.Abort:
        click.echo("cchc: aborted.", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except BrokenPipeError:
        return 0
    except Exception as err:  # noqa: BLE001 - the user never sees a traceback
        if os.environ.get("CCHC_DEBUG"):
            raise
        click.echo(f"cchc: internal error: {type(err).__name__}: {err}. "
                   "Run again with CCHC_DEBUG=1 for details and report it.", err=True)
        return 3
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
