"""No English word a person must read in what the converted commands print.

A word counts as English when it occurs in the English messages of the catalogs (what the
code writes) and not in their Vietnamese translations — so the check follows the vocabulary
and the catalogs as they grow. Codes (3.2.1, agency ids, indicator names given by the user)
are not words of the catalogs and pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from cchc.cli import main
from scoring.dataset import load_dataset
from scoring.paths import BUNDLED_DATASET, REPO_ROOT
from tests.english_words import english_in, english_words

COMMANDS = [
    ["score"],
    ["explain", "so du lich", "--all"],
    ["whatif", "so du lich", "--set", "online_rate=80", "--task", "I.1=done_on_time"],
    ["whatif", "so du lich", "--goal", "rank:16", "--vary", "on_time_rate"],
    ["whatif", "so du lich", "--goal", "rank:1", "--vary", "on_time_rate"],
    ["compare", "--rules", "rules/khanh-hoa-2022", "--against",
     "rules/khanh-hoa-2022-online3"],  # run from the repository: paths are not words
    ["simulate", "--rules", "rules/khanh-hoa-2022", "--runs", "40", "--seed", "1"],
]
CODE = re.compile(r"[a-z0-9_.\-/+]+|[0-9a-f]{12,}")
"""A whole cell that is a code: agency id, leaf code, indicator name, file path, hash."""
BOX = re.compile("[\u2500-\u257f]")
"""Box-drawing characters (rich's table borders)."""


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_no_english_word_in_vietnamese_output(args, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.chdir(REPO_ROOT)
    assert main(args) == 0
    out = capsys.readouterr().out
    found = english_in(out)
    assert not found, f"English words in `cchc {' '.join(args)}`: {sorted(found)}\n{out}"
    # COLUMNS asks for a width: piped output fits it too (without COLUMNS it is not wrapped)
    assert max(len(line) for line in out.splitlines()) <= 100
    # piped (capsys is no terminal): plain text, no box drawing
    assert not BOX.search(out), f"box characters in `cchc {' '.join(args)}`:\n{out}"


def test_no_english_word_in_cchc_check(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Bộ tiêu chí: ") and out.strip().endswith("0 lỗi, 0 cảnh báo")
    found = english_in(out, codes=True)
    assert not found, f"English words in `cchc check`: {sorted(found)}\n{out}"


def _texts(path: Path, data: set[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(sheet, text) of every string cell a person reads: not formulas, not codes, not the
    texts of ``data`` (the dataset's own words, e.g. its findings)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if (isinstance(value, str) and not value.startswith("=")
                        and not CODE.fullmatch(value) and value not in data):
                    yield ws.title, value


def _english_cells(path: Path, data: set[str] = frozenset()) -> list[tuple[str, str, list]]:
    return [(sheet, text, sorted(found)) for sheet, text in _texts(path, data)
            if (found := english_in(text, codes=True))]


@pytest.mark.slow
def test_no_english_word_in_the_ranking_workbook(tmp_path, capsys):
    target = tmp_path / "xep-hang.xlsx"
    assert main(["rank", "-o", str(target)]) == 0
    capsys.readouterr()
    # the findings are the dataset's own text (written by the importer), not messages
    findings = set(load_dataset(BUNDLED_DATASET).findings["message"].astype(str))
    cells = list(_texts(target, findings))
    assert len(cells) > 1000 and any("Theo ngưỡng" in t for _s, t in cells)
    english = _english_cells(target, findings)
    assert not english, english[:20]


@pytest.mark.slow
def test_no_english_word_in_the_simulation_workbook(tmp_path, capsys):
    target = tmp_path / "khoang-hang.xlsx"
    assert main(["simulate", "--runs", "40", "-o", str(target)]) == 0
    capsys.readouterr()
    texts = [t for _s, t in _texts(target)]
    assert "Sở, ban, ngành" in texts and "Xác suất giữ xếp loại" in texts
    assert not {"department", "p_nominal_class", "leave_one_out"} & set(texts)
    english = _english_cells(target)
    assert not english, english[:20]


def test_the_workbook_check_sees_english(tmp_path):
    target = tmp_path / "x.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Sở Du lịch", "so-du-lich", "=SUM(A1:A2)", "the value is not accepted"])
    wb.save(target)
    assert _english_cells(target) == [("Sheet", "the value is not accepted", ["accepted"])]


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


@pytest.mark.parametrize(("lang", "words"), [
    ([], ["--goal: Sở Du lịch không thể đạt hạng 1 trở lên chỉ bằng thay đổi", "Cách sửa:"]),
    (["--lang", "en"], ["--goal: Sở Du lịch cannot reach rank 1 or better by changing",
                        "Fix:"]),
])
def test_unreachable_goal_in_the_language_chosen(lang, words, capsys, monkeypatch):
    """The field, what is wrong and how to fix it."""
    monkeypatch.setenv("COLUMNS", "1000")
    assert main([*lang, "whatif", "so du lich", "--goal", "rank:1", "--vary",
                 "on_time_rate"]) == 0
    out = capsys.readouterr().out
    assert all(w in out for w in words), out
