"""No English word a person must read in what the converted commands print.

A word counts as English when it occurs in the English messages of the catalogs (what the
code writes) and not in their Vietnamese translations — so the check follows the vocabulary
and the catalogs as they grow. Codes (3.2.1, agency ids, indicator names given by the user)
are not words of the catalogs and pass.
"""

from __future__ import annotations

import pytest

from cchc.cli import main
from tests.english_words import english_in, english_words

COMMANDS = [
    ["score"],
    ["explain", "so du lich", "--all"],
    ["whatif", "so du lich", "--set", "online_rate=80", "--task", "I.1=done_on_time"],
    ["whatif", "so du lich", "--goal", "rank:16", "--vary", "on_time_rate"],
    ["whatif", "so du lich", "--goal", "rank:1", "--vary", "on_time_rate"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_no_english_word_in_vietnamese_output(args, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main(args) == 0
    out = capsys.readouterr().out
    found = english_in(out)
    assert not found, f"English words in `cchc {' '.join(args)}`: {sorted(found)}\n{out}"
    assert max(len(line) for line in out.splitlines()) <= 100


def test_the_check_sees_english():
    assert {"reaches", "change", "unknown"} <= english_words()


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
