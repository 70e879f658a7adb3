"""Reading the report and cleaning cells (scoring/importer/source.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import DataError
from scoring.importer.source import clean_cell, join_continuation, read_report


def test_list_items_become_lines() -> None:
    cell = ('<ul style="list-style-type: none"> <li>- Văn phòng UBND tỉnh chủ trì</li> '
            '<li>- Các sở phối hợp</li> </ul>')
    assert clean_cell(cell) == "- Văn phòng UBND tỉnh chủ trì\n- Các sở phối hợp"


def test_paragraphs_bold_italic_and_entities() -> None:
    cell = "<p>Công văn số 471/STTTT-TTCNTT&amp;DVHCCTT</p> <p>(<i>08 lớp</i>)</p>"
    assert clean_cell(cell) == "Công văn số 471/STTTT-TTCNTT&DVHCCTT\n(08 lớp)"
    assert clean_cell("<b>TỔNG</b>") == "TỔNG"


def test_nested_lists_keep_every_item() -> None:
    cell = "<ol> <li>1. A: <ul> <li>- B</li> <li>- C</li> </ul> </li> </ol>"
    assert clean_cell(cell).split("\n") == ["1. A:", "- B", "- C"]


@pytest.mark.parametrize(("before", "after", "joined"), [
    ("chia sẻ dữ liệu quyền sử", "dụng đất", "chia sẻ dữ liệu quyền sử dụng đất"),
    ("Báo cáo số 222/BC-", "UBND ngày 08/9/2022", "Báo cáo số 222/BC-UBND ngày 08/9/2022"),
    ("Theo tiến độ triển khai của", "Trung ương", "Theo tiến độ triển khai của Trung ương"),
    ("Việc A đã xong.", "- Việc B", "Việc A đã xong.\n- Việc B"),
    ("", "x", "x"),
    ("x", "", "x"),
])
def test_continuations(before: str, after: str, joined: str) -> None:
    assert join_continuation(before, after) == joined


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="không có tệp báo cáo. Cách sửa: kiểm tra đường dẫn"):
        read_report(tmp_path / "nope.txt")


def test_non_utf8_names_line(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    p.write_bytes("dòng 1\n".encode() + "Khánh Hòa\n".encode("cp1252"))
    with pytest.raises(DataError) as err:
        read_report(p)
    assert err.value.problems[0].line == 2
    assert "UTF-8" in err.value.render()


def test_bom_and_nfd_are_normalised(tmp_path: Path) -> None:
    import unicodedata
    p = tmp_path / "r.txt"
    p.write_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", "Sở Nội vụ\tx").encode())
    r = read_report(p)
    assert r.lines[0].cells == ["Sở Nội vụ", "x"]
