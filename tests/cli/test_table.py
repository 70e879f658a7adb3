"""The table renderer: piped tables are one line per row, in rich's own text where they fit;
a terminal gets rich's layout to its width."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cchc.cli import table as T

ROWS = [["1", "Sở Tư pháp", "90,92", "Xuất sắc"],
        ["12", "Ủy ban nhân dân huyện Khánh Sơn", "7,50", ""],
        ["—", "Văn phòng Đăng ký đất đai", "100,00", "Tốt"]]
HEADINGS = ["Xếp hạng", "Cơ quan, đơn vị", "Chỉ số CCHC (%)", "Xếp loại"]
NUMERIC = [True, False, True, False]
TITLE = "Sở, ban, ngành (3 đơn vị)"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def printed(monkeypatch: pytest.MonkeyPatch, columns: int | None,
            out: io.StringIO | None = None, rows: list[list[str]] = ROWS) -> str:
    out = out or io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))
    T.print_table(HEADINGS, rows, numeric=NUMERIC, title=TITLE)
    return out.getvalue()


def rich_piped(columns: int) -> str:
    """What rich itself prints for the table with no box, ``columns`` wide (the oracle)."""
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="",
                  padding=(0, 1))
    for heading, right in zip(HEADINGS, NUMERIC, strict=True):
        table.add_column(Text(heading), justify="right" if right else "left")
    for row in ROWS:
        table.add_row(*(Text(c) for c in row))
    console = Console(file=io.StringIO(), width=columns, force_terminal=False, no_color=True)
    with console.capture() as captured:
        console.print(table)
    return "".join(line.rstrip() + "\n" for line in [TITLE, *captured.get().splitlines(), ""])


@pytest.mark.parametrize("columns", [120, 80, 68])
def test_piped_text_is_what_rich_prints_where_the_table_fits(
        monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    assert printed(monkeypatch, columns) == rich_piped(columns)


def test_a_piped_table_is_never_wrapped_unless_columns_asks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    lines = printed(monkeypatch, None).splitlines()
    assert rich_piped(40).count("\n") > len(ROWS) + 3      # rich at 40 columns would wrap it
    assert lines == [TITLE, *T.plain_lines(HEADINGS, ROWS, NUMERIC), ""]
    assert len(lines) == len(ROWS) + 3
    for line, row in zip(lines[2:], ROWS, strict=False):
        assert [c for c in row if c] == [w for w in re.split(r"\s{2,}", line.strip()) if w]


@pytest.mark.parametrize("columns", [64, 40])
def test_piped_output_fits_the_width_columns_asks_for(monkeypatch: pytest.MonkeyPatch,
                                                      columns: int) -> None:
    text = printed(monkeypatch, columns)
    assert max(cell_len(line) for line in text.splitlines()) <= columns
    assert len(text.splitlines()) > len(ROWS) + 2       # wrapped to fit (title, heading, rows)
    assert not re.search("[\u2500-\u257f]", text)                 # still no box characters
    words = " ".join(text.split())
    assert all(w in words for row in ROWS for c in row for w in c.split())


def test_a_cell_with_a_line_break_stays_on_its_row(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["1", "Sở A\nphòng B", "1,00", "Tốt\t"]]
    lines = printed(monkeypatch, 80, rows=rows).splitlines()
    assert len(lines) == 4 and "Sở A phòng B" in lines[2]


def test_a_terminal_gets_rich_layout_to_its_width(monkeypatch: pytest.MonkeyPatch) -> None:
    text = re.sub(r"\x1b\[[0-9;]*m", "", printed(monkeypatch, 40, Terminal()))
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 40
    assert len(lines) > len(ROWS) + 3                                # wrapped to fit
    assert "─" in text                                               # its light rule
    wide = re.sub(r"\x1b\[[0-9;]*m", "", printed(monkeypatch, 120, Terminal()))
    assert "Ủy ban nhân dân huyện Khánh Sơn" in wide


def test_piped_tables_do_not_import_rich_layout() -> None:
    code = ("import sys; from cchc.cli.table import print_table; "
            "print_table(['Tên'], [['x' * 300]]); "
            "print(sorted(m for m in sys.modules if m.startswith('rich.')), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.splitlines() == ["Tên", "x" * 300, ""]
    assert "rich.console" not in run.stderr and "rich.table" not in run.stderr
