"""The table renderer: piped tables that fit are written directly, in rich's own text."""

from __future__ import annotations

import io
import sys

import pytest

from cchc.cli import table as T

ROWS = [["1", "Sở Tư pháp", "90,92", "Xuất sắc"],
        ["12", "Ủy ban nhân dân huyện Khánh Sơn", "7,50", ""],
        ["—", "Văn phòng Đăng ký đất đai", "100,00", "Tốt"]]
HEADINGS = ["Xếp hạng", "Cơ quan, đơn vị", "Chỉ số CCHC (%)", "Xếp loại"]
NUMERIC = [True, False, True, False]


def printed(monkeypatch: pytest.MonkeyPatch, columns: int, rich_only: bool) -> str:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setenv("COLUMNS", str(columns))
    if rich_only:
        monkeypatch.setattr(T, "plain_lines", lambda *a: None)
    T.print_table(HEADINGS, ROWS, numeric=NUMERIC, title="Sở, ban, ngành (3 đơn vị)")
    T.print_text("Ghi chú: " + "chỉ số " * 12)
    return out.getvalue()


@pytest.mark.parametrize("columns", [120, 70, 64, 40])
def test_plain_text_is_what_rich_prints(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    assert printed(monkeypatch, columns, False) == printed(monkeypatch, columns, True)


def test_a_table_that_fits_is_not_laid_out_by_rich() -> None:
    assert T.plain_lines(HEADINGS, ROWS, NUMERIC, 80) is not None
    assert T.plain_lines(HEADINGS, ROWS, NUMERIC, 60) is None      # would wrap
    assert T.plain_lines(HEADINGS, [["1", "a\tb", "1", ""]], NUMERIC, 80) is None
