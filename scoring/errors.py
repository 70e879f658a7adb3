"""Errors that reach the user as one clear message.

Every problem the user can fix is a :class:`Problem`: where it is (file, line or row,
field), what is wrong, and how to fix it. Code raises :class:`CchcError` holding one or
more problems; the command line prints them and exits non-zero, never with a traceback.

Examples
--------
>>> p = Problem("what is wrong", file="agencies.csv", line=4, field="group", fix="use one of …")
>>> print(p)
agencies.csv:4: group: what is wrong. Fix: use one of …
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from scoring.i18n import _

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about an input: location, what is wrong, how to fix it.

    Parameters
    ----------
    message : str
        What is wrong, in one sentence, without the location.
    file : str or Path, optional
        The file concerned (shown as given).
    line : int, optional
        1-based line (text files) or row (tables; the header is row 1).
    field : str, optional
        Column, YAML path or argument name.
    fix : str, optional
        How to fix it.
    severity : {"error", "warning"}
        Warnings are reported but do not fail ``cchc check``.
    """

    message: str
    file: str | Path | None = None
    line: int | None = None
    field: str | None = None
    fix: str | None = None
    severity: Severity = "error"

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = _("line {line}: ").format(line=self.line)
        field = f"{self.field}: " if self.field else ""
        text = f"{where}{field}{self.message.rstrip('.')}."
        if self.fix:
            text += _(" Fix: {fix}").format(fix=self.fix)
        return text

    def replace(self, **changes: object) -> Problem:
        """Return a copy with some attributes changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


class CchcError(Exception):
    """An error the user can fix; carries one or more :class:`Problem`.

    Parameters
    ----------
    problems : Problem or iterable of Problem or str
        A bare string becomes a :class:`Problem` with that message.
    exit_code : int
        Exit status the command line uses (1 for bad input, 2 for bad usage).
    """

    def __init__(self, problems: Problem | str | Iterable[Problem], exit_code: int = 1):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("CchcError needs at least one problem")
        self.exit_code = exit_code
        super().__init__(self.render())

    def render(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems)


class DataError(CchcError):
    """A dataset (CSV/xlsx/report) is malformed."""


class RuleError(CchcError):
    """A rule file is malformed or fails its own tests."""


class UsageError(CchcError):
    """The command line was used wrongly (unknown agency, missing folder, ...)."""

    def __init__(self, problems: Problem | str | Iterable[Problem], exit_code: int = 2):
        super().__init__(problems, exit_code)
