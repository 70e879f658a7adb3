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


@cache
def _pattern(decimals: int | None, signed: bool) -> Any:
    """The parsed Babel number pattern (``#,##0.00``, signed ``+#,##0.00;-#,##0.00``)."""
    from babel.numbers import parse_pattern
    frac = "." + ("#" * _MAX_DECIMALS if decimals is None else "0" * decimals) \
        if decimals != 0 else ""
    body = "#,##0" + frac
    return parse_pattern(f"+{body};-{body}" if signed else body)


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
    return _pattern(decimals, signed).apply(exact, _locale(lang or get_language()),
                                            decimal_quantization=False)
