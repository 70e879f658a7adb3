"""Vietnamese number cells: ``"346.143"``, ``"2,33%"``, ``"-"`` (zero), blank (missing).

The published tables write thousands with ``.`` and decimals with ``,``; a dash means
zero and an empty cell means "not reported". A few numbers are written without any
separator (``"5840"``); they parse, and :attr:`Number.unseparated` flags them so the
importer can record a finding.

Examples
--------
>>> parse_number("346.143").value
346143
>>> parse_number("2,33%").value
2.33
>>> parse_number("-").value
0
>>> parse_number("") is None
True
>>> parse_number("5840").unseparated
True
>>> format_number(1234567)
'1.234.567'
>>> format_number(48.89, decimals=2, percent=True)
'48,89%'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.i18n import _
from scoring.text import vi_number

_INT_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_INT_PLAIN = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^(\d{1,3}(?:\.\d{3})*|\d+),(\d+)$")
_DASHES = {"-", "–", "—"}


@dataclass(frozen=True)
class Number:
    """A parsed cell.

    Parameters
    ----------
    value : int or float
        The number (``int`` for counts, ``float`` for decimals and percentages).
    text : str
        The cell as written (markup removed).
    decimals : int
        Digits after the decimal comma (the published precision).
    percent : bool
        The cell ended with ``%``.
    unseparated : bool
        An integer of four or more digits written without a ``.`` thousands separator.
    """

    value: int | float
    text: str
    decimals: int = 0
    percent: bool = False
    unseparated: bool = False


class NumberFormatError(ValueError):
    """A cell that is not a Vietnamese-formatted number."""


def parse_number(text: str) -> Number | None:
    """Parse one table cell.

    Parameters
    ----------
    text : str
        The cell, markup already removed; surrounding spaces are ignored.

    Returns
    -------
    Number or None
        ``None`` for a blank cell (missing); ``Number(0)`` for a dash.

    Raises
    ------
    NumberFormatError
        When the cell is not a number in the published format.

    Examples
    --------
    >>> parse_number("1.020").value, parse_number("0,44%").decimals
    (1020, 2)
    """
    raw = text.strip()
    if raw == "":
        return None
    if raw in _DASHES:
        return Number(0, raw)
    body, percent = (raw[:-1].rstrip(), True) if raw.endswith("%") else (raw, False)
    if _INT_GROUPED.match(body):
        return Number(int(body.replace(".", "")), raw, 0, percent)
    if _INT_PLAIN.match(body):
        if len(body) > 1 and body.startswith("0"):
            raise NumberFormatError(_("{value} has a leading zero").format(value=repr(raw)))
        return Number(int(body), raw, 0, percent, unseparated=len(body) >= 4)
    m = _DECIMAL.match(body)
    if m:
        whole, frac = m.group(1), m.group(2)
        unseparated = "." not in whole and len(whole) >= 4
        return Number(float(f"{whole.replace('.', '')}.{frac}"), raw, len(frac), percent,
                      unseparated)
    raise NumberFormatError(
        _("{value} is not a number in the published format ('.' for thousands, ',' for "
          "decimals, '-' for zero, blank for missing)").format(value=repr(raw)))


def format_number(value: int | float, decimals: int = 0, percent: bool = False) -> str:
    """Write a number the way the published tables do (inverse of :func:`parse_number`).

    Parameters
    ----------
    value : int or float
        Non-negative number.
    decimals : int
        Digits after the decimal comma.
    percent : bool
        Append ``%``.

    Examples
    --------
    >>> format_number(0.44, 2, percent=True)
    '0,44%'
    >>> format_number(9009)
    '9.009'
    """
    if value < 0:
        raise ValueError("published counts and rates are never negative")
    return vi_number(value, decimals) + ("%" if percent else "")
