"""Vietnamese text: NFC normalisation, accent-insensitive folding, name matching.

All text read from files goes through :func:`nfc`. Names are compared through
:func:`fold`, which removes diacritics (including đ → d), lower-cases and collapses
white space, so "Sở Du lịch", "SO DU LICH" and "so  du lich" match.

Examples
--------
>>> fold("UBND Xã Diên Điền")
'ubnd xa dien dien'
>>> slug("Sở Tài nguyên &MT")
'so-tai-nguyen-mt'
>>> suggest("so du lic", ["Sở Du lịch", "Sở Tư pháp", "Sở Y tế"])
['Sở Du lịch']
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable

from scoring.i18n import _
from scoring.number_format import format_number

_SPACE = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with non-breaking spaces made plain."""
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Fold for matching: no diacritics, đ→d, lower case, single spaces, stripped.

    Remembered (names and yes/no words are folded again and again while a dataset loads
    and is matched)."""
    text = unicodedata.normalize("NFD", nfc(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").lower()
    return _SPACE.sub(" ", text).strip()


def slug(text: str, sep: str = "-") -> str:
    """ASCII identifier from a Vietnamese name: ``"Sở Du lịch"`` → ``"so-du-lich"``."""
    return _NON_ALNUM.sub(sep, fold(text)).strip(sep)


def suggest(query: str, choices: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Closest ``choices`` to ``query``, compared accent- and case-insensitively."""
    choices = list(choices)
    by_fold: dict[str, str] = {}
    for c in choices:
        by_fold.setdefault(fold(c), c)
    hits = difflib.get_close_matches(fold(query), list(by_fold), n=n, cutoff=cutoff)
    return [by_fold[h] for h in hits]


def did_you_mean(hits: Iterable[str]) -> str:
    """The start of a fix that offers ``hits``: ``"did you mean 'a' or 'b'? If not, "``, or
    ``""`` when there is none (the fix's own advice follows).

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("en"):
    ...     did_you_mean(["so-y-te"]) + "use an agency id", did_you_mean([])
    ("did you mean 'so-y-te'? If not, use an agency id", '')
    """
    hits = list(hits)
    if not hits:
        return ""
    return _("did you mean {ids}? If not, ").format(ids=_(" or ").join(map(repr, hits)))


def suggest_fix(query: str, choices: Iterable[str], otherwise: str | None = None
                ) -> str | None:
    """A whole fix that names the choice closest to ``query`` (``did you mean
    'max_points'?``), else ``otherwise``; :func:`did_you_mean` starts a longer fix instead.

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("en"):
    ...     suggest_fix("max_pointz", ["max_points", "online_rate"])
    "did you mean 'max_points'?"
    """
    hint = suggest(query, choices)
    return _("did you mean {name}?").format(name=repr(hint[0])) if hint else otherwise


def known_words(message: str, table: Iterable[tuple[str, str]], otherwise: str) -> str:
    """A library's English ``message`` in the user's words: the translated text of the first
    ``(key, words)`` of ``table`` whose key occurs in it, else ``otherwise`` (a translated
    template with ``{message}``) quoting it.

    Examples
    --------
    >>> known_words("invalid syntax", [("invalid", "badly written")], "it says: {message}")
    'badly written'
    """
    for key, words in table:
        if key in message:
            return _(words)
    return otherwise.format(message=message)


def vi_number(x: float, decimals: int | None = None) -> str:
    """A number written the Vietnamese way whatever the language in force:
    :func:`scoring.number_format.format_number` with ``lang="vi"``.

    With ``decimals=None`` trailing zeros are dropped (``2`` → ``'2'``, ``0.5`` → ``'0,5'``).

    Examples
    --------
    >>> vi_number(98)
    '98'
    >>> vi_number(95.125, 2)
    '95,13'
    >>> vi_number(float("inf"))
    '+∞'
    """
    return format_number(x, decimals, lang="vi")
