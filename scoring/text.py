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
import re
import unicodedata
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with non-breaking spaces made plain."""
    return unicodedata.normalize("NFC", text).replace("\u00a0", " ")


def fold(text: str) -> str:
    """Fold for matching: no diacritics, đ→d, lower case, single spaces, stripped."""
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
