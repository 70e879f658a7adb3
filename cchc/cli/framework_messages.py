"""Click's own messages that a user of ``cchc`` reads (usage, help headings, parse errors).

Click looks its messages up with :func:`gettext.gettext`; :func:`install` routes those
look-ups to the cchc catalogs, where the messages listed below (copied verbatim from Click)
have their Vietnamese translation.
"""

from __future__ import annotations

import gettext
import importlib

from scoring.i18n import N_, _, ngettext

MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
    N_("Show the version and exit."), N_("Error: {message}"), N_("Aborted!"),
    N_("Invalid value for {param_hint}: {message}"), N_("Invalid value: {message}"),
    N_("Missing argument"), N_("Missing option"), N_("Missing parameter"),
    N_("Missing command."), N_("No such command {name!r}."), N_("No such option {name!r}."),
    N_("Try '{command} {option}' for help."), N_("default: {default}"),
    N_("Option {name!r} requires an argument."),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is a file."), N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."), N_("%(prog)s, version %(version)s"),
    N_("path"), N_("file"), N_("directory"), N_("integer"), N_("float"),
)
PLURALS = (
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
)
_CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting",
                  "click.parser", "click.types", "click.termui", "click.utils")


def _plural_messages() -> None:  # pragma: no cover - only read by the catalog extractor
    ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", 1)
    ngettext("Got unexpected extra argument ({args})",
             "Got unexpected extra arguments ({args})", 1)
    ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", 1)


def install() -> None:
    """Make Click's modules translate through the cchc catalogs (idempotent)."""
    for name in _CLICK_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = ngettext
