"""Which words of an output are English: a helper of the tests on output language.

A word counts as English when it occurs in the English messages of the catalogs (what the
code writes) and not in their Vietnamese translations — so the check follows the vocabulary
and the catalogs as they grow. Codes (3.2.1, agency ids, indicator names given by the user)
are not words of the catalogs and pass; nor are the words of the bundled agencies' names.
"""

from __future__ import annotations

import re
from functools import cache

from babel.messages.pofile import read_po

from scoring.i18n import LOCALE_DIR
from scoring.paths import BUNDLED_DATASET

WORD = re.compile(r"[^\W\d_]{3,}")


def _text(message: str) -> str:
    """A message without its placeholders (``{group}`` is not a word a person reads)."""
    return re.sub(r"\{[^}]*\}", " ", message or "")


def words(text: str) -> set[str]:
    """The lower-cased words (three letters or more) of ``text``."""
    return {w.lower() for w in WORD.findall(text)}


@cache
def english_words() -> frozenset[str]:
    """Words of the catalogs' English messages that no Vietnamese translation uses."""
    english: set[str] = set()
    vietnamese: set[str] = set()
    for po in (LOCALE_DIR / "vi" / "LC_MESSAGES").glob("*.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strs = message.string if isinstance(message.string, tuple) else (message.string,)
            english |= set().union(*(words(_text(i)) for i in ids))
            vietnamese |= set().union(*(words(_text(s)) for s in strs))
    # names of places and agencies are Vietnamese whatever they look like ("Vạn Long")
    names = (BUNDLED_DATASET / "agencies.csv").read_text(encoding="utf-8")
    return frozenset(english - vietnamese - words(names))


CODE = re.compile(r"\S*/\S*|\S*\[\S*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|'[^'\n]*'")
"""File paths, YAML paths (``trees.department.areas[0]``) and quoted values: codes."""


def english_in(text: str, codes: bool = False) -> set[str]:
    """The English words of ``text`` (empty when a Vietnamese reader needs nothing else);
    with ``codes``, file paths, YAML paths and quoted values are left out first."""
    if codes:
        text = CODE.sub(" ", text)
    return words(text) & english_words()
