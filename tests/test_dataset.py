"""Loading and validating dataset folders (scoring/dataset.py)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures_data import tiny_tables, write_dataset, write_table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.dataset import (
    TASK_STATUSES,
    Dataset,
    check_dataset,
    content_hash,
    load_dataset,
    read_table,
    reviewed_tasks,
    validate_dataset,
)
from scoring.errors import DataError, Problem
from scoring.paths import BUNDLED_DATASET

pytestmark = pytest.mark.usefixtures("english")


def errors_of(folder: Path) -> list[Problem]:
    return [p for p in check_dataset(folder) if p.severity == "error"]


def warnings_of(folder: Path) -> list[Problem]:
    return [p for p in check_dataset(folder) if p.severity == "warning"]


def only_error(folder: Path) -> Problem:
    errs = errors_of(folder)
    assert len(errs) == 1, [str(p) for p in errs]
    return errs[0]


# --------------------------------------------------------------------------- valid input
def test_tiny_dataset_loads_without_problems(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    assert check_dataset(folder) == []
    ds = load_dataset(folder)
    assert isinstance(ds, Dataset)
    assert ds.name == "tiny-2022"
    assert ds.path == folder.resolve()
    assert list(ds.agencies.index) == ["so-du-lich", "so-tu-phap", "vpdkdd", "huyen-dien-khanh",
                                       "xa-dien-dien", "xa-dien-lac"]
    assert ds.agencies.index.name == "agency_id"
    assert not ds.agencies.loc["vpdkdd", "ranked"]
    assert ds.agencies.loc["so-du-lich", "ranked"]
    assert ds.agencies["ranked"].dtype == bool
    assert ds.agencies.loc["so-du-lich", "aliases"] == ("SDL",)
    assert ds.agencies.loc["so-tu-phap", "aliases"] == ()
    assert ds.agencies.loc["so-du-lich", "parent_id"] is None
    assert ds.agencies.loc["xa-dien-lac", "parent_id"] == "huyen-dien-khanh"
    assert list(ds.ranked_agencies("department").index) == ["so-du-lich", "so-tu-phap"]


def test_dossier_counts_are_floats_and_blank_is_nan(tmp_path: Path) -> None:
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    d = ds.dossiers
    assert d.index.name == "agency_id"
    assert d["received"].dtype == float
    assert d.loc["so-tu-phap", "received"] == 13209.0
    assert d.loc["so-du-lich", "late_rate_published"] == pytest.approx(8.92)
    assert np.isnan(d.loc["vpdkdd", "online_rate_published"])


def test_tasks_have_tuple_leads_and_review_is_applied(tmp_path: Path) -> None:
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    t = ds.tasks
    assert t.index.name == "task_id"
    assert t.loc["T2", "lead_agency_ids"] == ("so-du-lich", "so-tu-phap")
    assert t.loc["T1", "lead_agency_ids"] == ("so-tu-phap",)
    assert t.loc["T4", "status"] == "in_progress"
    reviewed = reviewed_tasks(ds)
    assert list(reviewed.index) == ["T4"]
    assert reviewed.loc["T4", "proposed_status"] == "not_done"
    assert reviewed.loc["T4", "overridden"]


def test_review_overrides_the_status_in_tasks_csv(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"][3]["status"] = "not_done"          # stale: the review says in_progress
    t["tasks"][3]["status_source"] = "proposal"
    folder = write_dataset(tmp_path / "ds", t)
    ds = load_dataset(folder)
    assert ds.tasks.loc["T4", "status"] == "in_progress"
    assert ds.tasks.loc["T4", "status_source"] == "review_override"
    [w] = warnings_of(folder)
    assert (w.file, w.line, w.field) == ("review.csv", 2, "value")
    assert "not_done" in w.message and "in_progress" in w.message


def test_review_that_confirms_the_proposal(tmp_path: Path) -> None:
    t = tiny_tables()
    t["review"].append(dict(task_id="T1", field="status", value="done_on_time",
                            justification="QĐ 1/QĐ-UBND ngày 10/3/2022"))
    folder = write_dataset(tmp_path / "ds", t)
    ds = load_dataset(folder)
    assert ds.tasks.loc["T1", "status_source"] == "review_confirmed"
    reviewed = reviewed_tasks(ds)
    assert list(reviewed.index) == ["T1", "T4"]
    assert list(reviewed["overridden"]) == [False, True]
    assert check_dataset(folder) == []


def test_task_without_lead_warns_unless_collective(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"][0]["lead_agency_ids"] = ""
    t["tasks"][1]["lead_agency_ids"] = ""
    t["tasks"][1]["collective"] = "true"
    folder = write_dataset(tmp_path / "ds", t)
    assert [(w.line, w.field) for w in warnings_of(folder)] == [(2, "lead_agency_ids")]
    assert load_dataset(folder).tasks.loc["T1", "lead_agency_ids"] == ()


def test_review_leads_by_name_and_collective(tmp_path: Path) -> None:
    t = tiny_tables()
    t["review"].append(dict(task_id="T5", field="lead_agency_ids",
                            value="SỞ TƯ PHÁP;sdl;Các sở, ban, ngành",
                            justification="'Sở Tư pháp, Sở Du lịch chủ trì; các sở phối hợp'"))
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert ds.tasks.loc["T5", "lead_agency_ids"] == ("so-tu-phap", "so-du-lich")
    assert ds.tasks.loc["T5", "collective"]
    assert not ds.tasks.loc["T1", "collective"]
    t["review"][-1]["value"] = "Sở Du lich;Sở Y tế"
    p = only_error(write_dataset(tmp_path / "ds2", t))
    assert (p.file, p.line, p.field) == ("review.csv", 3, "value")
    assert "unknown agency 'Sở Y tế'" in p.message


def test_review_can_change_the_lead(tmp_path: Path) -> None:
    t = tiny_tables()
    t["review"].append(dict(task_id="T5", field="lead_agency_ids", value="so-tu-phap",
                            justification="Quyết định giao Sở Tư pháp chủ trì"))
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert ds.tasks.loc["T5", "lead_agency_ids"] == ("so-tu-phap",)


def test_text_is_nfc_normalised(tmp_path: Path) -> None:
    t = tiny_tables()
    t["agencies"][0]["name"] = unicodedata.normalize("NFD", "Sở Du lịch")
    assert t["agencies"][0]["name"] != "Sở Du lịch"
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert ds.agencies.loc["so-du-lich", "name"] == "Sở Du lịch"


def test_bom_is_accepted_and_gives_the_same_tables(tmp_path: Path) -> None:
    plain = load_dataset(write_dataset(tmp_path / "plain"))
    bom_folder = write_dataset(tmp_path / "bom", bom=True)
    assert (bom_folder / "agencies.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with_bom = load_dataset(bom_folder)
    pd.testing.assert_frame_equal(plain.agencies, with_bom.agencies)
    pd.testing.assert_frame_equal(plain.dossiers, with_bom.dossiers)
    pd.testing.assert_frame_equal(plain.tasks, with_bom.tasks)


def test_xlsx_input_is_equivalent_to_csv(tmp_path: Path) -> None:
    csv_ds = load_dataset(write_dataset(tmp_path / "csv"))
    xlsx_folder = write_dataset(tmp_path / "xlsx", fmt="xlsx")
    assert (xlsx_folder / "dossiers.xlsx").exists()
    assert not (xlsx_folder / "dossiers.csv").exists()
    assert check_dataset(xlsx_folder) == []
    xlsx_ds = load_dataset(xlsx_folder)
    pd.testing.assert_frame_equal(csv_ds.agencies, xlsx_ds.agencies)
    pd.testing.assert_frame_equal(csv_ds.dossiers, xlsx_ds.dossiers)
    pd.testing.assert_frame_equal(csv_ds.tasks, xlsx_ds.tasks)
    pd.testing.assert_frame_equal(csv_ds.findings, xlsx_ds.findings)


def test_mixed_csv_and_xlsx_folder(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    t = tiny_tables()
    (folder / "dossiers.csv").unlink()
    write_table(folder / "dossiers.xlsx", t["dossiers"])
    assert load_dataset(folder).dossiers.loc["so-tu-phap", "pending"] == 597.0


def test_semicolon_separated_csv_is_accepted(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    (folder / "agencies.csv").write_text(
        "agency_id;name;group;parent_id;aliases;ranked\n"
        "so-du-lich;Sở Du lịch;department;;SDL;true\n"
        "so-tu-phap;Sở Tư pháp;department;;;true\n"
        "vpdkdd;VPĐKĐĐ;department;;;false\n"
        "huyen-dien-khanh;Huyện Diên Khánh;district;;;true\n"
        "xa-dien-dien;Xã Diên Điền;commune;huyen-dien-khanh;;true\n"
        "xa-dien-lac;Xã Diên Lạc;commune;huyen-dien-khanh;;true\n", encoding="utf-8")
    ds = load_dataset(folder)
    assert ds.agencies.loc["xa-dien-lac", "parent_id"] == "huyen-dien-khanh"


def test_optional_columns_get_defaults(tmp_path: Path) -> None:
    t = tiny_tables()
    t["agencies"] = [{k: r[k] for k in ("agency_id", "name", "group", "parent_id")}
                     for r in t["agencies"]]
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert ds.agencies["ranked"].all()
    assert ds.agencies.loc["so-du-lich", "aliases"] == ()
    assert ds.agencies.loc["xa-dien-lac", "kind"] == "commune"


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    lines = (folder / "dossiers.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(2, "")                       # a blank spreadsheet row 3
    lines[3] = lines[3].replace("so-tu-phap,13209", "so-tu-phap,-1")
    (folder / "dossiers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = only_error(folder)
    assert (p.file, p.line, p.field) == ("dossiers.csv", 4, "received")


def test_read_table_keeps_text_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffid,tên\na, Sở Y tế \n\nb,\n".encode())
    df = read_table(path)
    assert list(df.columns) == ["id", "tên"]
    assert list(df.index) == [2, 4]
    assert df.loc[2, "tên"] == "Sở Y tế"
    assert df.loc[4, "tên"] == ""


# --------------------------------------------------------------------------- errors
def test_negative_count(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][1]["pending_late"] = "-7"
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("dossiers.csv", 3, "pending_late")
    assert "negative" in p.message and "-7" in p.message
    assert p.fix


@pytest.mark.parametrize("value, words", [("12.5", "whole number"), ("abc", "whole number"),
                                          ("1,23", "whole number"), ("inf", "whole number"),
                                          ("nan", "whole number")])
def test_count_that_is_not_an_integer(tmp_path: Path, value: str, words: str) -> None:
    t = tiny_tables()
    t["dossiers"][0]["online"] = value
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("dossiers.csv", 2, "online")
    assert words in p.message and value in p.message


def test_blank_count_is_missing_not_an_error(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][0]["online"] = ""
    t["dossiers"][0]["online_rate_published"] = ""
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert np.isnan(ds.dossiers.loc["so-du-lich", "online"])


@pytest.mark.parametrize("value, expected", [("95,5%", 95.5), ("95.5", 95.5), ("100%", 100.0)])
def test_rates_accept_percent_sign_and_decimal_comma(tmp_path: Path, value: str,
                                                     expected: float) -> None:
    t = tiny_tables()
    t["dossiers"][4]["late_rate_published"] = value     # the counts say 0 %: a warning only
    folder = write_dataset(tmp_path / "ds", t)
    assert load_dataset(folder).dossiers.loc["xa-dien-dien", "late_rate_published"] == expected


@pytest.mark.parametrize("value", ["mười", "inf"])
def test_bad_rate(tmp_path: Path, value: str) -> None:
    t = tiny_tables()
    t["dossiers"][2]["late_rate_published"] = value
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("dossiers.csv", 4, "late_rate_published")
    assert "percentage" in p.message


def test_errors_in_several_columns_keep_their_row_and_column(tmp_path: Path) -> None:
    """All count (and all rate) columns are parsed in one pass: each error still names its
    own row and column."""
    t = tiny_tables()
    planted = {(0, "received"): "abc", (3, "received"): "-1", (1, "pending_late"): "2,5",
               (5, "online_eligible"): "x", (2, "late_rate_published"): "mười",
               (4, "online_rate_published"): "-3"}
    for (i, col), value in planted.items():
        t["dossiers"][i][col] = value
    found = [(p.line, p.field) for p in errors_of(write_dataset(tmp_path / "ds", t))]
    assert sorted(found) == sorted((i + 2, col) for i, col in planted)


def test_values_parsed_in_one_pass_land_in_their_cells(tmp_path: Path) -> None:
    before = load_dataset(write_dataset(tmp_path / "a", tiny_tables())).dossiers
    t = tiny_tables()
    written = {(1, "received"): ("13.209", 13209.0), (1, "online_eligible"): ("12,596", 12596.0),
               (3, "pending"): ("", np.nan), (1, "online_rate_published"): ("38,85%", 38.85)}
    for (i, col), (text, _value) in written.items():
        t["dossiers"][i][col] = text
    after = load_dataset(write_dataset(tmp_path / "b", t)).dossiers
    expected = before.copy()
    for (i, col), (_text, value) in written.items():
        expected.iloc[i, expected.columns.get_loc(col)] = value
    pd.testing.assert_frame_equal(after, expected)


def test_unknown_agency_id_in_dossiers_with_suggestion(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][4]["agency_id"] = "xa-dien-dienn"
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("dossiers.csv", 6, "agency_id")
    assert "unknown agency id 'xa-dien-dienn'" in p.message
    assert "'xa-dien-dien'" in p.fix


def test_unknown_lead_and_coordinating_ids_in_tasks(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"][1]["lead_agency_ids"] = "so-du-lich;so-noi-vu"
    t["tasks"][2]["coordinating_agency_ids"] = "so-tu-phap;ubnd-tinh"
    errs = errors_of(write_dataset(tmp_path / "ds", t))
    where = {(p.file, p.line, p.field) for p in errs}
    assert where == {("tasks.csv", 3, "lead_agency_ids"),
                     ("tasks.csv", 4, "coordinating_agency_ids")}
    assert any("'so-noi-vu'" in p.message for p in errs)
    assert any("'ubnd-tinh'" in p.message for p in errs)


def test_unknown_parent_and_self_parent(tmp_path: Path) -> None:
    t = tiny_tables()
    t["agencies"][4]["parent_id"] = "huyen-dien-khan"
    t["agencies"][5]["parent_id"] = "xa-dien-lac"
    errs = errors_of(write_dataset(tmp_path / "ds", t))
    assert [(p.line, p.field) for p in errs] == [(6, "parent_id"), (7, "parent_id")]
    assert "'huyen-dien-khanh'" in errs[0].fix
    assert "own parent" in errs[1].message


def test_duplicate_agency_id(tmp_path: Path) -> None:
    t = tiny_tables()
    t["agencies"].append(dict(t["agencies"][1], name="Sở Tư pháp (bản sao)"))
    t["dossiers"].append(dict(t["dossiers"][5]))
    errs = errors_of(write_dataset(tmp_path / "ds", t))
    agencies = [p for p in errs if p.file == "agencies.csv"]
    assert [(p.line, p.field) for p in agencies] == [(8, "agency_id")]
    assert "duplicate agency_id 'so-tu-phap' (first on row 3)" in agencies[0].message
    dossiers = [p for p in errs if p.file == "dossiers.csv"]
    assert [(p.line, p.field) for p in dossiers] == [(8, "agency_id")]
    assert "first on row 7" in dossiers[0].message
    assert len(errs) == 2


def test_duplicate_task_id(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"][4]["task_id"] = "T1"
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("tasks.csv", 6, "task_id")


def test_missing_required_column_suggests_the_misspelt_one(tmp_path: Path) -> None:
    t = tiny_tables()
    for row in t["dossiers"]:
        row["recieved"] = row.pop("received")
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("dossiers.csv", 1, "received")
    assert "required column 'received' is missing" in p.message
    assert "rename 'recieved'" in p.fix


def test_missing_required_file(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"] = None
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert p.file == "tasks.csv" and "missing" in p.message
    assert "lead_agency_ids" in p.fix


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    text = (folder / "agencies.csv").read_text(encoding="utf-8")
    # row 3 as a Windows-1258 export writes it: ơ = 0xF5, ư = 0xFD, á = 0xE1
    data = text.encode("utf-8").replace("Sở Tư pháp".encode(), b"S\xf5 T\xfd ph\xe1p")
    (folder / "agencies.csv").write_bytes(data)
    p = only_error(folder)
    assert p.file == "agencies.csv" and p.line == 3
    assert "not UTF-8" in p.message
    assert "UTF-8" in p.fix


def test_utf16_file(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    text = (folder / "tasks.csv").read_text(encoding="utf-8")
    (folder / "tasks.csv").write_bytes(text.encode("utf-16"))
    p = only_error(folder)
    assert p.file == "tasks.csv" and "UTF-16" in p.message


@pytest.mark.parametrize("value", ["maybe", ""])
def test_bad_boolean(tmp_path: Path, value: str) -> None:
    t = tiny_tables()
    t["agencies"][2]["ranked"] = value
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("agencies.csv", 4, "ranked")
    assert "true or false" in p.fix


@pytest.mark.parametrize("value, expected", [("TRUE", True), ("Có", True), ("không", False),
                                             ("0", False), ("yes", True)])
def test_boolean_spellings(tmp_path: Path, value: str, expected: bool) -> None:
    t = tiny_tables()
    t["agencies"][2]["ranked"] = value
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert bool(ds.agencies.loc["vpdkdd", "ranked"]) is expected


def test_bad_status_suggests_the_closest(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"][0]["status"] = "done_ontime"
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("tasks.csv", 2, "status")
    assert "'done_on_time'" in p.fix and "not_arising" in p.fix


def test_blank_name_and_group(tmp_path: Path) -> None:
    t = tiny_tables()
    t["agencies"][1]["name"] = ""
    t["agencies"][1]["group"] = " "
    errs = errors_of(write_dataset(tmp_path / "ds", t))
    assert [(p.line, p.field) for p in errs] == [(3, "name"), (3, "group")]


def test_row_with_too_many_values(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    with (folder / "agencies.csv").open("a", encoding="utf-8") as fh:
        fh.write("so-y-te,Sở Y tế,department,,,true,department,20,extra\n")
    p = only_error(folder)
    assert (p.file, p.line) == ("agencies.csv", 8)
    assert "9 values" in p.message and "8 columns" in p.message


def test_both_csv_and_xlsx_is_an_error(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    write_table(folder / "agencies.xlsx", tiny_tables()["agencies"])
    assert any("both agencies.csv and agencies.xlsx" in p.message for p in errors_of(folder))


def test_corrupt_xlsx(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    (folder / "agencies.csv").unlink()
    (folder / "agencies.xlsx").write_bytes(b"not a zip file")
    p = only_error(folder)
    assert p.file == "agencies.xlsx" and ".xlsx" in p.message


def test_all_errors_are_collected_and_raised_together(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][0]["received"] = "-1"
    t["dossiers"][1]["agency_id"] = "nobody"
    t["tasks"][2]["status"] = "finished"
    t["agencies"][2]["ranked"] = "perhaps"
    with pytest.raises(DataError) as info:
        load_dataset(write_dataset(tmp_path / "ds", t))
    where = [(p.file, p.line, p.field) for p in info.value.problems]
    assert sorted(where) == sorted([("dossiers.csv", 2, "received"),
                                    ("dossiers.csv", 3, "agency_id"),
                                    ("tasks.csv", 4, "status"),
                                    ("agencies.csv", 4, "ranked")])
    assert all(p.severity == "error" for p in info.value.problems)
    assert "dossiers.csv:2: received:" in info.value.render()


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="dataset folder not found"):
        load_dataset(tmp_path / "nowhere")


def test_review_errors(tmp_path: Path) -> None:
    t = tiny_tables()
    t["review"] += [dict(task_id="T9", field="status", value="done_on_time", justification="x"),
                    dict(task_id="T1", field="status", value="complete", justification="x"),
                    dict(task_id="T2", field="deadline", value="Quý I", justification="x")]
    errs = errors_of(write_dataset(tmp_path / "ds", t))
    assert [(p.file, p.line, p.field) for p in errs] == [
        ("review.csv", 3, "task_id"), ("review.csv", 4, "value"), ("review.csv", 5, "field")]


# --------------------------------------------------------------------------- warnings
def test_counts_that_do_not_add_up_are_warnings(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][0]["resolved"] = "574"        # 521 + 52 = 573
    t["findings"] = []
    folder = write_dataset(tmp_path / "ds", t)
    load_dataset(folder)                          # does not raise
    ws = warnings_of(folder)
    first = ws[0]
    assert (first.file, first.line, first.field) == ("dossiers.csv", 2, "resolved")
    assert "574" in first.message and "573" in first.message
    # resolved also enters the late rate (52 / 584 = 8.90 %, published 8.92)
    assert {(w.field) for w in ws} == {"resolved", "late_rate_published"}


def test_warnings_already_in_findings_are_not_repeated(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][0]["online_rate_published"] = "49.9"   # the counts give 49.74
    folder = write_dataset(tmp_path / "ds", t)
    assert [w.field for w in warnings_of(folder)] == ["online_rate_published"]
    t["findings"].append(dict(severity="warning", table="dossiers", agency="so-du-lich",
                              column="online_rate_published", published="49,9%",
                              expected="49,74%", message="online rate disagrees", line="12"))
    folder = write_dataset(tmp_path / "ds2", t)
    assert warnings_of(folder) == []


def test_uncertain_unreviewed_proposal_is_a_warning(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"][4]["proposal_certain"] = "false"
    t["tasks"][4]["proposed_reason"] = "no document cited"
    folder = write_dataset(tmp_path / "ds", t)
    load_dataset(folder)
    [w] = warnings_of(folder)
    assert (w.file, w.line, w.field) == ("tasks.csv", 6, "status")
    assert "'T5'" in w.message and "no document cited" in w.message
    assert "review.csv" in w.fix


def test_rate_above_100_is_a_warning(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][4]["online_rate_published"] = "150"
    t["findings"] = []
    ws = warnings_of(write_dataset(tmp_path / "ds", t))
    assert any(w.line == 6 and "above 100" in w.message for w in ws)


def test_missing_manifest_and_changed_file_are_warnings(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds", manifest=False)
    assert [w.file for w in warnings_of(folder)] == ["manifest.json"]
    assert load_dataset(folder).name == "ds"
    folder = write_dataset(tmp_path / "ds2")
    with (folder / "findings.csv").open("a", encoding="utf-8") as fh:
        fh.write("info,report,,,,,note,1\n")
    [w] = warnings_of(folder)
    assert w.file == "manifest.json" and "'findings.csv' changed" in w.message


def test_bad_manifest_json(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    (folder / "manifest.json").write_text('{"name": "x",\n "year": }', encoding="utf-8")
    p = only_error(folder)
    assert (p.file, p.line) == ("manifest.json", 2)


# --------------------------------------------------------------------------- optional tables
def test_scores_and_surveys(tmp_path: Path) -> None:
    t = tiny_tables()
    t["scores"] = [dict(agency_id="so-du-lich", leaf="1.1", self_points="2", appraised_points="1,5",
                        note="")]
    t["surveys"] = [dict(agency_id="so-du-lich", leaf="8.1", option="A", count="10", share=""),
                    dict(agency_id="so-tu-phap", leaf="8.2", option="", count="", share="87.5")]
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert ds.scores.loc[0, "appraised_points"] == 1.5
    assert ds.surveys.loc[0, "count"] == 10.0
    assert ds.surveys.loc[1, "share"] == 87.5


def test_scores_and_surveys_errors(tmp_path: Path) -> None:
    t = tiny_tables()
    t["scores"] = [dict(agency_id="so-du-lic", leaf="1.1", self_points="x", appraised_points="",
                        note=""),
                   dict(agency_id="so-du-lich", leaf="1.1", self_points="1", appraised_points="",
                        note=""),
                   dict(agency_id="so-du-lich", leaf="1.1", self_points="1", appraised_points="",
                        note="")]
    t["surveys"] = [dict(agency_id="so-du-lich", leaf="8.1", option="A", count="-2", share=""),
                    dict(agency_id="so-du-lich", leaf="8.1", option="", count="", share="")]
    errs = errors_of(write_dataset(tmp_path / "ds", t))
    assert sorted((p.file, p.line, p.field) for p in errs) == sorted([
        ("scores.csv", 2, "agency_id"), ("scores.csv", 2, "self_points"),
        ("scores.csv", 4, "leaf"), ("surveys.csv", 2, "count"), ("surveys.csv", 3, "share")])


# --------------------------------------------------------------------------- hash
def test_content_hash_is_sha256_over_data_files_in_name_order(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    ds = load_dataset(folder)
    h = hashlib.sha256()
    for name in ["agencies.csv", "dossiers.csv", "findings.csv", "review.csv", "tasks.csv"]:
        h.update(name.encode() + b"\x00" + (folder / name).read_bytes() + b"\x00")
    assert ds.content_hash == h.hexdigest()
    assert content_hash([folder / "tasks.csv", folder / "agencies.csv"]) == content_hash(
        [folder / "agencies.csv", folder / "tasks.csv"])


def test_content_hash_changes_with_data_not_with_manifest(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    before = load_dataset(folder).content_hash
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["province"] = "Khánh Hoà"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert load_dataset(folder).content_hash == before
    t = tiny_tables()
    t["dossiers"][0]["received"] = "587"
    assert load_dataset(write_dataset(tmp_path / "ds2", t)).content_hash != before


def test_validate_dataset_returns_none_on_errors(tmp_path: Path) -> None:
    t = tiny_tables()
    t["dossiers"][0]["received"] = "-1"
    ds, problems = validate_dataset(write_dataset(tmp_path / "ds", t))
    assert ds is None and len(problems) == 1


# --------------------------------------------------------------------------- bundled
def test_bundled_dataset_loads_without_errors() -> None:
    assert [str(p) for p in check_dataset(BUNDLED_DATASET) if p.severity == "error"] == []
    ds = load_dataset(BUNDLED_DATASET)
    # the seed report: 60 plan tasks (Phụ lục 1); 18 numbered departments in group A and
    # 8 districts in group B of Phụ lục 2; "Sở Du lịch 586 ... 52 8,92% 283 569 49,74%"
    assert len(ds.tasks) == 60
    ranked = ds.agencies[ds.agencies["ranked"]]
    assert (ranked["group"] == "department").sum() == 18
    assert (ranked["group"] == "district").sum() == 8
    sdl = ds.dossiers.loc["so-du-lich"]
    assert (sdl["received"], sdl["late"], sdl["online"], sdl["online_eligible"]) == (
        586, 52, 283, 569)
    assert sdl["late_rate_published"] == pytest.approx(8.92)
    assert set(ds.tasks["status"]) <= set(TASK_STATUSES)


def test_ranked_agency_without_dossier_row_is_a_warning(tmp_path: Path) -> None:
    t = tiny_tables()
    del t["dossiers"][3]                     # huyen-dien-khanh (agencies row 5)
    del t["dossiers"][2]                     # vpdkdd: not ranked, no warning
    folder = write_dataset(tmp_path / "ds", t)
    [w] = warnings_of(folder)
    assert (w.file, w.line, w.field) == ("agencies.csv", 5, "agency_id")
    assert "'huyen-dien-khanh'" in w.message


def test_duplicate_header_column(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    text = (folder / "tasks.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    (folder / "tasks.csv").write_text(header.replace("product", "title") + "\n" + rest,
                                      encoding="utf-8")
    p = only_error(folder)
    assert (p.file, p.line, p.field) == ("tasks.csv", 1, "title")
    assert "twice" in p.message


def test_empty_file(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    (folder / "dossiers.csv").write_bytes(b"")
    p = only_error(folder)
    assert (p.file, p.line) == ("dossiers.csv", 1) and "empty" in p.message


def test_path_is_a_file_not_a_folder(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    p = only_error(folder / "agencies.csv")
    assert "not a folder" in p.message


CELL = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=12),
    st.from_regex(r"-?\d{1,6}([.,]\d{0,3})?%?", fullmatch=True),
    st.sampled_from(["", "nan", "inf", "-inf", "1e5", "-0", "true", "FALSE", "so-tu-phap"]))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(["agencies", "dossiers", "tasks", "review"]),
       row=st.integers(0, 4), column=st.integers(0, 19), value=CELL)
def test_any_cell_value_gives_problems_never_a_crash(tmp_path: Path, table: str, row: int,
                                                     column: int, value: str) -> None:
    t = tiny_tables()
    rows = t[table]
    target = rows[row % len(rows)]
    key = list(target)[column % len(target)]
    target[key] = value
    folder = write_dataset(tmp_path / f"fuzz-{table}-{row}-{column}", t)
    problems = check_dataset(folder)
    assert all(isinstance(p, Problem) and p.file for p in problems)
    try:
        ds = load_dataset(folder)
    except DataError as err:
        assert any(p.severity == "error" for p in problems)
        assert all(p.line is None or p.line >= 1 for p in err.problems)
    else:
        assert not any(p.severity == "error" for p in problems)
        assert len(ds.agencies) >= 5


def test_xlsx_dates_and_typed_numbers(tmp_path: Path) -> None:
    import datetime

    import openpyxl

    folder = write_dataset(tmp_path / "ds")
    (folder / "tasks.csv").unlink()
    t = tiny_tables()["tasks"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(t[0]))
    for row in t:
        cells = list(row.values())
        cells[list(row).index("deadline_date")] = datetime.datetime(2022, 6, 30)
        cells[list(row).index("number")] = float(row["number"])   # 1.0 as Excel stores it
        ws.append(cells)
    wb.save(folder / "tasks.xlsx")
    ds = load_dataset(folder)
    assert ds.tasks.loc["T1", "deadline_date"] == "2022-06-30"
    assert ds.tasks.loc["T2", "number"] == "2"


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.lists(st.integers(0, 10**7), min_size=10, max_size=10),
                       min_size=6, max_size=6),
       rates=st.lists(st.one_of(st.none(), st.decimals(0, 100, places=2).map(str)),
                      min_size=12, max_size=12),
       n=st.integers(0, 10**6))
def test_xlsx_equals_csv_for_any_counts(tmp_path: Path, counts: list[list[int]],
                                        rates: list[str | None], n: int) -> None:
    t = tiny_tables()
    for row, values, pair in zip(t["dossiers"], counts, zip(rates[::2], rates[1::2],
                                                             strict=True), strict=True):
        row.update(zip(("received", "resolved", "resolved_on_time", "resolved_late", "pending",
                        "pending_on_time", "pending_late", "late", "online", "online_eligible"),
                       map(str, values), strict=True))
        row["late_rate_published"], row["online_rate_published"] = (v or "" for v in pair)
    a = validate_dataset(write_dataset(tmp_path / f"c{n}", t))
    b = validate_dataset(write_dataset(tmp_path / f"x{n}", t, fmt="xlsx"))
    assert a[0] is not None and b[0] is not None    # inconsistent counts only warn
    pd.testing.assert_frame_equal(a[0].dossiers, b[0].dossiers)
    assert [(p.line, p.field, p.message) for p in a[1]] == [
        (p.line, p.field, p.message) for p in b[1]]


# --------------------------------------------------------------------------- counts (#8)
@pytest.mark.parametrize("written", ["13209", "13.209", "13,209", "13 209"])
def test_a_count_with_thousands_separators_is_never_read_as_a_decimal(tmp_path: Path,
                                                                      written: str) -> None:
    t = tiny_tables()
    assert t["dossiers"][1]["agency_id"] == "so-tu-phap"
    t["dossiers"][1]["received"] = written
    folder = write_dataset(tmp_path / "ds", t)
    assert errors_of(folder) == []
    assert load_dataset(folder).dossiers.loc["so-tu-phap", "received"] == 13209.0


@pytest.mark.parametrize("written", ["13,2", "1.23", "13.2090", "1.2.3"])
def test_a_count_with_a_fraction_is_refused(tmp_path: Path, written: str) -> None:
    t = tiny_tables()
    t["dossiers"][1]["received"] = written
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field) == ("dossiers.csv", 3, "received")
    assert "is not a whole number" in p.message and "2.000" in p.fix


# --------------------------------------------------------------------------- hostile files
def test_an_xlsx_formula_with_no_stored_result_is_refused_with_its_cell(tmp_path: Path) -> None:
    import openpyxl

    folder = write_dataset(tmp_path / "ds", fmt="xlsx")
    wb = openpyxl.load_workbook(folder / "dossiers.xlsx")
    ws = wb.active
    column = [c.value for c in ws[1]].index("online") + 1
    ws.cell(row=3, column=column).value = "=B3-C3"   # openpyxl stores no result
    wb.save(folder / "dossiers.xlsx")
    p = only_error(folder)
    letter = openpyxl.utils.get_column_letter(column)
    assert (p.file, p.line) == ("dossiers.xlsx", 3)
    assert f"cell {letter}3 holds a formula with no stored result" in p.message
    assert "save it" in p.fix


def test_a_manifest_nested_100000_deep_is_one_message(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "ds")
    (folder / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    p = only_error(folder)
    assert p.file == "manifest.json" and "nested too deeply" in p.message


def test_review_gets_one_verdict_from_the_loader_and_the_importer(tmp_path: Path) -> None:
    from scoring.importer.agencies import Agency, AgencyRegistry
    from scoring.importer.review import validate_review

    t = tiny_tables()
    t["review"][0]["justification"] = ""
    p = only_error(write_dataset(tmp_path / "ds", t))
    assert (p.file, p.line, p.field, p.message) == ("review.csv", 2, "justification",
                                                    "blank justification")
    registry = AgencyRegistry()
    registry.add(Agency("so-du-lich", "Sở Du lịch", "department"))
    with pytest.raises(DataError) as err:
        validate_review([{**t["review"][0], "_line": "2"}], ["T1", "T4"], registry,
                        "review.csv")
    assert err.value.problems == (p,)
