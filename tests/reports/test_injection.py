"""Formula injection: every workbook the project writes keeps data as text.

A hostile dataset (agency names and an agency id that look like formulas), a rule set
whose class labels look like formulas and an uncertainty file whose ``why:`` texts do,
through ``cchc rank``, ``compare -o`` and ``simulate -o``. In every sheet of every
workbook: the payloads read back as text cells, and no formula (``<f>``) contains a
payload outside a quoted string literal.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cchc.cli import main
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES

PAYLOADS = ['=HYPERLINK("http://evil.example/x","Sở Tư pháp")', "=cmd|' /C calc'!A0",
            "=1+1", "+1+2", "-3+4", "@SUM(1,2)", "\t=2+2", "\r=3+3"]
BAD_ID = "=cmd|' /C calc'!A0"
MARKERS = ("HYPERLINK", "cmd|", "1+1", "1+2", "3+4", "@SUM", "2+2", "3+3")


def _hostile_dataset(folder: Path) -> Path:
    data = folder / "data"
    shutil.copytree(BUNDLED_DATASET, data)
    agencies = (data / "agencies.csv").read_text(encoding="utf-8").splitlines()
    head, rows = agencies[0], agencies[1:]
    out = [head]
    for i, row in enumerate(rows):
        cells = row.split(",")
        if i < len(PAYLOADS):
            quoted = '"' + PAYLOADS[i].replace('"', '""') + '"'
            cells = [cells[0], quoted, *cells[2:]]
        out.append(",".join(cells))
    (data / "agencies.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    # one agency id that looks like a formula, renamed in every table that names it
    old = rows[0].split(",")[0]
    quoted_id = '"' + BAD_ID.replace('"', '""') + '"'
    for name in ("agencies.csv", "dossiers.csv", "tasks.csv", "findings.csv", "review.csv"):
        p = data / name
        if p.exists():
            text = p.read_text(encoding="utf-8")
            text = re.sub(rf"(?<=[,;\n]){re.escape(old)}(?=[,;\n])", quoted_id, text)
            p.write_text(text, encoding="utf-8")
    (data / "manifest.json").unlink(missing_ok=True)  # the hashes no longer hold
    return data


def _hostile_rules(folder: Path) -> Path:
    rules = folder / "rules"
    shutil.copytree(BUNDLED_RULES, rules)
    y = rules / "ruleset.yaml"
    text = y.read_text(encoding="utf-8")
    text = text.replace('label: "Tốt"', 'label: "=cmd|\' /C calc\'!A0"')
    text = text.replace('unclassified: "Yếu"', 'unclassified: "=1+1"')
    y.write_text(text, encoding="utf-8")
    u = rules / "uncertainty.yaml"
    text = u.read_text(encoding="utf-8")
    text = re.sub(r'why: "[^"]*"', "why: \"=HYPERLINK(\\\\\"http://evil.example\\\\\")\"", text,
                  count=2)
    u.write_text(text, encoding="utf-8")
    return rules


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return _hostile_rules(folder), _hostile_dataset(folder), folder


def _strip_literals(formula: str) -> str:
    return re.sub(r'"(?:[^"]|"")*"', '""', formula)


def assert_no_formula_from_data(path: Path) -> int:
    """Check every sheet of ``path``; return how many payload cells were read back."""
    import html

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            xml = z.read(name).decode("utf-8")
            for f in re.findall(r"<f[^>]*>(.*?)</f>", xml, flags=re.S):
                code = _strip_literals(html.unescape(f))
                assert not any(m in code for m in MARKERS), (name, f)
    found = 0
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if cell.data_type == "f":  # a formula the code wrote on purpose
                    code = _strip_literals(str(v))
                    assert not any(m in code for m in MARKERS), (ws.title, cell.coordinate, v)
                elif isinstance(v, str) and any(m in v for m in MARKERS):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, v)
                    found += 1
    return found


@pytest.mark.slow
def test_rank_workbook_keeps_hostile_text_as_text(hostile, capsys):
    rules, data, folder = hostile
    out = folder / "rank.xlsx"
    assert main(["rank", "--rules", str(rules), "--data", str(data), "-o", str(out)]) == 0, \
        capsys.readouterr().err
    assert assert_no_formula_from_data(out) >= len(PAYLOADS)
    wb = openpyxl.load_workbook(out, read_only=True)
    texts = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
             for c in row if isinstance(c, str)}
    assert BAD_ID in texts and PAYLOADS[0] in texts


@pytest.mark.slow
def test_compare_workbook_keeps_hostile_text_as_text(hostile, capsys):
    rules, data, folder = hostile
    out = folder / "compare.xlsx"
    assert main(["compare", "--rules", str(rules), "--against", str(BUNDLED_RULES),
                 "--data", str(data), "-o", str(out), "--format", "csv"]) == 0, \
        capsys.readouterr().err
    assert assert_no_formula_from_data(out) >= len(PAYLOADS)
    wb = openpyxl.load_workbook(out, read_only=True)
    texts = {c for row in wb["So sánh"].iter_rows(values_only=True) for c in row}
    assert BAD_ID in texts and "=cmd|' /C calc'!A0" in texts


@pytest.mark.slow
def test_simulate_workbook_keeps_hostile_text_as_text(hostile, capsys):
    rules, data, folder = hostile
    out = folder / "simulate.xlsx"
    assert main(["simulate", "--rules", str(rules), "--data", str(data), "--runs", "20",
                 "-o", str(out), "--format", "csv"]) == 0, capsys.readouterr().err
    assert assert_no_formula_from_data(out) >= len(PAYLOADS)
    wb = openpyxl.load_workbook(out, read_only=True)
    why = {c for row in wb["Độ nhạy"].iter_rows(values_only=True) for c in row
           if isinstance(c, str) and "HYPERLINK" in c}
    assert why, "the why: texts of the uncertainty file are missing from the workbook"
