"""Numbers for people: one function, in the language in force.

Vietnamese writes ``1.234,5`` (dot for thousands, comma for decimals), English ``1,234.5``.
Everything a person reads goes through :func:`format_number`; machine outputs (CSV, JSON)
keep plain numbers and never call it. Both languages group digits by three (the CLDR
patterns ``#,##0.##``), so the separators are all that differ; Babel's formatter gives
the same text (``tests/test_number_format.py`` checks it) but costs every command 0.06 s
of start-up to load.

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
from typing import Any

from scoring.i18n import get_language

MISSING = "—"
_MAX_DECIMALS = 6
SEPARATORS = {"vi": str.maketrans(",.", ".,"), "en": str.maketrans("", "")}
"""From Python's ``1,234.5`` to the language's grouping and decimal marks."""


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
    sign = "-" if exact < 0 else "+" if signed and exact > 0 else ""
    text = f"{abs(exact):,.{places}f}"
    if decimals is None:
        text = text.rstrip("0").rstrip(".")
    return sign + text.translate(SEPARATORS[lang or get_language()])
