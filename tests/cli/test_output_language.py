"""No English word a person must read in what the converted commands print.

A word counts as English when it occurs in the English messages of the catalogs (what the
code writes) and not in their Vietnamese translations — so the check follows the vocabulary
and the catalogs as they grow. Codes (3.2.1, agency ids, indicator names given by the user)
are not words of the catalogs and pass.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from cchc.cli import main
from scoring.i18n import LOCALE_DIR

WORD = re.compile(r"[^\W\d_]{3,}")
COMMANDS = [
    ["score"],
    ["explain", "so du lich", "--all"],
    ["whatif", "so du lich", "--set", "online_rate=80", "--task", "I.1=done_on_time"],
    ["whatif", "so du lich", "--goal", "rank:16", "--vary", "on_time_rate"],
    ["whatif", "so du lich", "--goal", "rank:1", "--vary", "on_time_rate"],
]


def _text(message: str) -> str:
    """A message without its placeholders (``{group}`` is not a word a person reads)."""
    return re.sub(r"\{[^}]*\}", " ", message or "")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


@pytest.fixture(scope="module")
def english_words() -> set[str]:
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
            english |= set().union(*(_words(_text(i)) for i in ids))
            vietnamese |= set().union(*(_words(_text(s)) for s in strs))
    return english - vietnamese


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_no_english_word_in_vietnamese_output(args, english_words, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main(args) == 0
    out = capsys.readouterr().out
    found = _words(out) & english_words
    assert not found, f"English words in `cchc {' '.join(args)}`: {sorted(found)}\n{out}"
    assert max(len(line) for line in out.splitlines()) <= 100


def test_the_check_sees_english(english_words):
    assert {"reaches", "change", "unknown"} <= english_words


@pytest.mark.parametrize(("lang", "words"), [
    ([], ["cchc: lỗi: AGENCY: không tìm thấy đơn vị 'so du lich x'", "Cách sửa:"]),
    (["--lang", "en"], ["cchc: error: AGENCY: unknown agency 'so du lich x'", "Fix:"]),
])
def test_unknown_agency_in_the_language_chosen(lang, words, capsys):
    assert main([*lang, "explain", "so du lich x"]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err


def test_unreachable_goal_in_vietnamese(capsys):
    assert main(["whatif", "so du lich", "--goal", "rank:1", "--vary", "on_time_rate"]) == 0
    assert "không thể đạt hạng 1 trở lên chỉ bằng thay đổi" in capsys.readouterr().out
