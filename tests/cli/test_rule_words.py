"""Rules in words, from one function: the workbook's ledger sheet, the ledger CSV, the explain
table and the explain CSV say the same words for the same ledger row, in the language in
force, and those words are not the engine's code."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from cchc.cli import main
from reports.workbook import LEDGER_COLUMNS, ledger_csv_path
from scoring import vocabulary as V
from scoring.dataset import load_dataset
from scoring.engine import explain, score
from scoring.i18n import language
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules

AGENCY = "so-du-lich"
# a band that fired, a formula, a not-applicable leaf, an appraisal with no points yet
LEAVES = ("3.2.1", "3.2.2", "1.1.2", "1.1.1")


@pytest.fixture
def run(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """``cchc ARGS`` as a user runs it (``--lang`` read by ``main``); its output."""
    monkeypatch.setenv("COLUMNS", "1000")  # a table row per line

    def go(*args: str) -> str:
        capsys.readouterr()
        assert main(list(args)) == 0
        return capsys.readouterr().out
    return go


@pytest.fixture(scope="module")
def engine_rows() -> dict[str, tuple[str, str]]:
    """leaf → (the engine's rule code, :func:`rule_text` of the row) per language."""
    result = score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))
    rows = explain(result, AGENCY).set_index("leaf")
    out = {}
    for lang in ("vi", "en"):
        with language(lang):
            for leaf in LEAVES:
                r = rows.loc[leaf]
                item = V.rule_item(result.rules, r["group"], leaf)
                out[lang, leaf] = (str(r["rule"]), V.rule_text(
                    item, r["status"], r["rule"], r["value"], result.rules.not_applicable))
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_output_says_the_rule_in_the_same_words(
        tmp_path: Path, lang: str, engine_rows: dict, run) -> None:
    prefix = ["--lang", lang]
    for leaf in LEAVES:  # words, not the code
        code, words = engine_rows[lang, leaf]
        assert words and words != code
    explain_csv = {r["leaf"]: r for r in csv.DictReader(io.StringIO(
        run(*prefix, "explain", AGENCY, "--format", "csv")))}
    table = run(*prefix, "explain", AGENCY, "--all")
    book = tmp_path / "x.xlsx"
    run(*prefix, "rank", "-o", str(book), "--ledger", "sheet")
    run(*prefix, "rank", "-o", str(tmp_path / "y.xlsx"), "--ledger", "csv")
    with language(lang):
        rule_heading = V.column_label("rule")
        ledger_sheet = V.sheet_label("ledger")
    ledger_csv = [r for r in csv.DictReader(
        ledger_csv_path(tmp_path / "y.xlsx").open(encoding="utf-8-sig"))]
    ws = openpyxl.load_workbook(book, read_only=True)[ledger_sheet]
    sheet = list(ws.iter_rows(values_only=True))
    at = {k: LEDGER_COLUMNS.index(k) for k in ("agency_id", "leaf", "rule")}
    in_sheet = {r[at["leaf"]]: r[at["rule"]] for r in sheet if r[at["agency_id"]] == AGENCY}
    id_heading = next(iter(ledger_csv[0]))
    in_csv = {r[list(r)[LEDGER_COLUMNS.index("leaf")]]: r[rule_heading] for r in ledger_csv
              if r[id_heading] == AGENCY}
    for leaf in LEAVES:
        code, words = engine_rows[lang, leaf]
        assert explain_csv[leaf]["rule"] == code          # machine readers keep the code
        assert explain_csv[leaf]["rule_text"] == words
        assert in_sheet[leaf] == words
        assert in_csv[leaf] == words
        assert words in table
