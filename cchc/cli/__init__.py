"""The ``cchc`` command line.

The language is chosen once, at start: ``cchc --lang en COMMAND ...`` (a global option, given
before the command), else the ``CCHC_LANG`` environment variable, else Vietnamese. Help
texts, messages and tables then follow it.

Each subcommand lives in its own module of this package and is loaded only when used,
so ``cchc --help`` stays fast and one broken command cannot break the others. Errors the
user can fix (:class:`scoring.errors.CchcError`) are printed as one clear message with a
non-zero exit; anything unexpected is reported in one line too (set ``CCHC_DEBUG=1`` for
the traceback).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys

import click

from cchc.cli import framework_messages
from scoring import __version__
from scoring.errors import CchcError
from scoring.i18n import LANGUAGES, N_, _, get_language, language, ngettext

# command name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "import-report": ("cchc.cli.import_report", "import_report",
                      N_("Parse a published report into a dataset folder.")),
    "import-dossiers": ("cchc.cli.import_dossiers", "import_dossiers_command",
                        N_("Dossier statistics of the TTHC system export into a dataset.")),
    "check": ("cchc.cli.check", "check", N_("Validate rules and data.")),
    "score": ("cchc.cli.score", "score", N_("Points, index, rank and class per agency.")),
    "explain": ("cchc.cli.explain", "explain", N_("Every leaf of one agency, and why.")),
    "rank": ("cchc.cli.rank", "rank", N_("Write the annual ranking workbook (the main job).")),
    "compare": ("cchc.cli.compare", "compare",
                N_("Rank and points shifts between two rule sets.")),
    "simulate": ("cchc.cli.simulate", "simulate", N_("Monte Carlo rank intervals.")),
    "whatif": ("cchc.cli.whatif", "whatif", N_("What-if and goal-seek for one agency.")),
    "forms": ("cchc.cli.forms", "forms", N_("Write a score form per unit (.xlsx) to fill in.")),
    "collect": ("cchc.cli.collect", "collect",
                N_("Read filled forms back into scores.csv / surveys.csv.")),
    "serve": ("cchc.cli.serve", "serve", N_("The web application for the team.")),
}
CLI_HELP = N_("""Chỉ số CCHC: score, rank and explain public-administration reform.

check, score, rank, compare and simulate run with no arguments on the bundled 2022 Khánh Hòa
rule set and dataset (explain and whatif need an agency); pass --rules and --data to use
others. --lang en: English.""")


def help_texts(command: click.Command) -> list[str]:
    """The English help texts of ``command`` a user reads (its help, its options' help and
    default descriptions), as the catalog keys them."""
    original = command.__dict__.get("english_help")
    if original is not None:
        pairs = original["params"]
        texts = [original["help"]] if original["help"] else []
    else:
        pairs = [(getattr(p, "help", None), getattr(p, "show_default", None))
                 for p in command.params]
        texts = [inspect.cleandoc(command.help)] if command.help else []
    return texts + [t for pair in pairs for t in pair if isinstance(t, str) and t]


def translate_help(command: click.Command) -> click.Command:
    """Show ``command``'s help texts in the language in force (originals kept, so the
    language can change in one process)."""
    original = command.__dict__.setdefault("english_help", {
        "help": inspect.cleandoc(command.help) if command.help else None,
        "params": [(getattr(p, "help", None), getattr(p, "show_default", None))
                   for p in command.params]})
    if original["help"]:
        command.help = _(original["help"])
    for param, (text, shown) in zip(command.params, original["params"], strict=True):
        if isinstance(text, str) and text:
            param.help = _(text)
        if isinstance(shown, str) and shown:
            param.show_default = _(shown)
    return command


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
        module, attr, _help = COMMANDS[name]
        return translate_help(getattr(importlib.import_module(module), attr))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _(COMMANDS[name][2])) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cchc")
@click.option("--lang", type=click.Choice(LANGUAGES), envvar="CCHC_LANG", default=None,
              is_eager=True, expose_value=False,
              help=N_("Language of messages and tables: vi (default) or en; "
                      "also CCHC_LANG."))
def cli() -> None:
    """The ``cchc`` group (its help text is :data:`CLI_HELP`, in the language in force)."""


def language_from(argv: list[str]) -> str | None:
    """``--lang X`` / ``--lang=X`` given before the command, else None.

    Examples
    --------
    >>> language_from(["--lang", "en", "score"]), language_from(["score", "--lang=en"])
    ('en', None)
    """
    for i, arg in enumerate(argv):
        if not arg.startswith("-"):
            return None
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cchc`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    # --lang, else CCHC_LANG, else the language already in force (Vietnamese at start)
    chosen = language_from(args) or os.environ.get("CCHC_LANG") or get_language()
    with language(chosen):      # also over a caller's ``with language(...)`` block
        return _run(args)


def _run(args: list[str]) -> int:
    """Run the command line in the language in force; errors become one message."""
    framework_messages.install()
    cli.help = _(CLI_HELP)
    translate_help(cli)
    try:
        cli.main(args=args, prog_name="cchc", standalone_mode=False)
    except CchcError as err:
        n = len(err.problems)
        click.echo(_("cchc: error: {message}").format(message=err.render()) if n == 1
                   else ngettext("cchc: {n} error:\n{message}", "cchc: {n} errors:\n{message}",
                                 n).format(n=n, message=err.render()), err=True)
        return err.exit_code
    except click.exceptions.Abort:
        click.echo(_("cchc: aborted."), err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except BrokenPipeError:
        return 0
    except Exception as err:  # noqa: BLE001 - the user never sees a traceback
        if os.environ.get("CCHC_DEBUG"):
            raise
        click.echo(_("cchc: internal error: {kind}: {error}. Run again with CCHC_DEBUG=1 for "
                     "details and report it.").format(kind=type(err).__name__, error=err),
                   err=True)
        return 3
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
