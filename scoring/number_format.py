"""Numbers for people: one function, in the language in force (Babel's number formats).

Vietnamese writes ``1.234,5`` (dot for thousands, comma for decimals), English ``1,234.5``.
Everything a person reads goes through :func:`format_number`; machine outputs (CSV, JSON)
keep plain numbers and never call it.

Examples
--------
>>> from scoring.i18n import language
>>> with language("vi"):
...     format_number(1234.5, 2), format_number(0.5), format_number(12.5, 2, signed=True)
('1.234,50', '0,5', '+12,50')
>>> with language("en"):
...     format_number(1234.5, 2)
'1,234.50'
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from scoring.i18n import get_language

MISSING = "—"
_MAX_DECIMALS = 6


@cache
def _locale(lang: str) -> Any:
    """Babel's locale data, imported on first use (Babel costs start-up time)."""
    from babel import Locale
    return Locale.parse(lang)


def format_number(x: Any, decimals: int | None = None, *, signed: bool = False,
                  lang: str | None = None) -> str:
    """``x`` written for a reader: grouped thousands, the language's decimal mark.

    Parameters
    ----------
    x : float or int or None
        The number; ``None``/NaN gives ``"—"``, infinities ``"+∞"``/``"−∞"``.
    decimals : int, optional
        Fixed number of decimals, rounded half away from zero as people do by hand;
        ``None`` drops trailing zeros (up to 6 decimals).
    signed : bool
        Write ``+`` before positive numbers (changes: ``+12,50``); zero has no sign.
    lang : {"vi", "en"}, optional
        The language; by default the one in force.

    Examples
    --------
    >>> format_number(99.995, 2, lang="vi"), format_number(-0.001, 2, lang="vi")
    ('100,00', '0,00')
    >>> format_number(None), format_number(float("inf"))
    ('—', '+∞')
    """
    if x is None:
        return MISSING
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(value):
        return MISSING
    if math.isinf(value):
        return "+∞" if value > 0 else "−∞"
    places = _MAX_DECIMALS if decimals is None else decimals
    # 12 significant digits first: 90.92499999999999 (float noise for 90.925) → 90,93
    exact = Decimal(f"{value:.12g}").quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if exact == 0:
        exact = abs(exact)
        signed = False
    return _written(exact, decimals is None, signed, lang or get_language())


@cache
def _symbols(lang: str) -> tuple[str, str, str, str]:
    """The language's decimal mark, thousands separator, plus and minus signs (CLDR)."""
    from babel.numbers import (
        get_decimal_symbol,
        get_group_symbol,
        get_minus_sign_symbol,
        get_plus_sign_symbol,
    )
    loc = _locale(lang)
    return (get_decimal_symbol(loc), get_group_symbol(loc), get_plus_sign_symbol(loc),
            get_minus_sign_symbol(loc))


def _written(exact: Decimal, trim: bool, signed: bool, lang: str) -> str:
    """``exact`` (already rounded) with the language's symbols: what Babel's pattern
    ``#,##0.00`` (``#,##0.######`` when ``trim``) gives, without its per-call cost —
    pages write thousands of numbers; the tests hold it to Babel's own formatting."""
    point, group, plus, minus = _symbols(lang)
    text = f"{abs(exact):,f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text.translate({ord(","): group, ord("."): point}) if (group, point) != (",", ".") \
        else text
    if exact < 0:
        return minus + text
    return plus + text if signed else text

