"""What a user reads about a broken dataset: Vietnamese by default, English under ``english``,
each message with its file, row, column, what is wrong and how to fix it (issue #10)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from fixtures_data import tiny_tables, write_dataset

from cchc.cli import main
from scoring.collect import KIND_SURVEY
from scoring.collect import _duplicates as duplicate_forms
from scoring.consistency import cross_check, dataset_notes
from scoring.dataset import check_dataset, load_dataset
from scoring.errors import Problem
from scoring.i18n import language
from scoring.rules.model import RuleSet


def broken(folder: Path) -> Path:
    """The tiny dataset with one mistake of each kind a person makes by hand."""
    t = tiny_tables()
    t["dossiers"][0]["received"] = "abc"                       # row 2: not a number
    t["dossiers"][1]["resolved_late"] = "-5"                   # row 3: negative
    t["dossiers"][3]["agency_id"] = "huyen-dien-khan"          # row 5: typo of an id
    t["dossiers"].append(dict(t["dossiers"][4]))               # row 8: duplicate of row 6
    t["tasks"][0]["status"] = "done_lat"                       # row 2: typo of a status
    t["agencies"][1]["ranked"] = "maybe"                       # row 3
    t["review"].append(dict(task_id="T9", field="status", value="done_on_time",
                            justification="CV 1"))           # row 3: unknown task
    t["scores"] = [dict(agency_id="so-du-lich", leaf="1.1", points="2")]
    return write_dataset(folder, t)


def by_place(problems: list[Problem]) -> dict[tuple[str, int | None, str | None], Problem]:
    return {(str(p.file), p.line, p.field): p for p in problems}


EXPECTED = {  # (file, row, column): (Vietnamese text, English text) both found in str(problem)
    ("dossiers.csv", 2, "received"): (
        "'abc' không phải là số nguyên. Cách sửa: ghi số đếm bằng chữ số",
        "'abc' is not a whole number. Fix: write the count as digits"),
    ("dossiers.csv", 3, "resolved_late"): (
        "số đếm -5 là số âm. Cách sửa: số đếm phải từ 0 trở lên",
        "count -5 is negative. Fix: counts are zero or more"),
    ("dossiers.csv", 5, "agency_id"): (
        "không có mã đơn vị 'huyen-dien-khan'. Cách sửa: có phải là 'huyen-dien-khanh'? "
        "Nếu không, dùng một agency_id có trong agencies.csv",
        "unknown agency id 'huyen-dien-khan'. Fix: did you mean 'huyen-dien-khanh'? If not, "
        "use an agency_id from agencies.csv"),
    ("dossiers.csv", 8, "agency_id"): (
        "agency_id 'xa-dien-dien' bị trùng (đã có ở dòng 6). Cách sửa: mỗi agency_id chỉ "
        "xuất hiện một lần",
        "duplicate agency_id 'xa-dien-dien' (first on row 6). Fix: each agency_id appears "
        "once"),
    ("tasks.csv", 2, "status"): (
        "'done_lat' không phải là trạng thái nhiệm vụ. Cách sửa: có phải là 'done_late'? Nếu "
        "không, dùng một trong các trạng thái done_on_time (hoàn thành đúng hạn), done_late "
        "(hoàn thành trễ hạn)",
        "'done_lat' is not a task status. Fix: did you mean 'done_late'? If not, use one of "
        "done_on_time (completed on time), done_late (completed late)"),
    ("agencies.csv", 3, "ranked"): (
        "'maybe' không phải là true (có) hoặc false (không). Cách sửa: ghi true hoặc false",
        "'maybe' is not true or false. Fix: write true or false"),
    ("review.csv", 3, "task_id"): (
        "không có mã nhiệm vụ 'T9'. Cách sửa: có phải là 'T5'?",
        "unknown task id 'T9'. Fix: did you mean 'T5'?"),
    ("scores.csv", 1, "points"): (
        "cột lạ 'points': giá trị của cột này sẽ không được đọc. Cách sửa: có phải là "
        "'self_points' hoặc 'appraised_points'? Nếu không, chỉ dùng các cột agency_id, leaf",
        "unknown column 'points': its values would not be read. Fix: did you mean "
        "'self_points' or 'appraised_points'? If not, use only the columns agency_id, leaf"),
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_mistake_is_named_with_file_row_column_in_the_language(tmp_path, lang):
    folder = broken(tmp_path / "ds")
    with language(lang):
        found = by_place(check_dataset(folder))
        for place, texts in EXPECTED.items():
            assert place in found, (place, sorted(found, key=str))
            assert texts[lang == "en"] in str(found[place]), str(found[place])


def test_check_prints_the_vietnamese_messages_with_the_folder(tmp_path, capsys):
    folder = broken(tmp_path / "ds")
    assert main(["check", "--data", str(folder)]) == 1
    out = capsys.readouterr().out
    assert (f"{folder}/dossiers.csv:3: resolved_late: số đếm -5 là số âm. Cách sửa: số đếm "
            "phải từ 0 trở lên") in out


def test_counts_that_do_not_add_up_are_warnings_with_vietnamese_numbers(tmp_path):
    t = tiny_tables()
    t["dossiers"][1]["resolved"] = "12545"
    with language("vi"):
        found = by_place(check_dataset(write_dataset(tmp_path / "ds", t)))
    p = found[("dossiers.csv", 3, "resolved")]
    assert p.severity == "warning"
    assert str(p).startswith("dossiers.csv:3: resolved: resolved = 12.545 nhưng "
                             "resolved_on_time + resolved_late = 12.544. Cách sửa: đối chiếu")


def test_check_notes_name_task_statuses_by_their_vietnamese_labels(tmp_path):
    ds = load_dataset(write_dataset(tmp_path / "ds"))
    with language("vi"):
        notes = dataset_notes(ds)
    assert notes[0] == ("1 trạng thái nhiệm vụ được điều chỉnh theo review.csv: T4 (chưa hoàn "
                        "thành → đang thực hiện)")
    assert notes[1].startswith("findings.csv ghi nhận 1 phát hiện về chất lượng số liệu")
    with language("en"):
        assert dataset_notes(ds)[0] == ("1 task status overridden by review.csv: T4 (not "
                                        "completed → in progress)")


def test_a_leaf_outside_the_tree_names_the_group_and_kind_in_words(tmp_path):
    t = tiny_tables()
    t["scores"] = [dict(agency_id="so-du-lich", leaf="1.2", self_points="1")]
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    leaf = {"name": "x", "max": 2}
    rules = RuleSet.model_validate({
        "id": "fit", "version": "1", "title": "t",
        "source": {"kind": "simulation", "assumptions": "tests"},
        "groups": [{"id": g, "name": n, "tree": "t"} for g, n in (
            ("department", "Sở, ban, ngành"), ("district", "UBND cấp huyện"),
            ("commune", "UBND cấp xã"))],
        "trees": {"t": {"name": "t", "areas": [
            {"code": "1", "name": "a", "criteria": [{"code": "1.0", "name": "c", "leaves": [
                {"code": "1.1", **leaf, "rule": {"kind": "manual"}},
                {"code": "1.2", **leaf, "rule": {"kind": "formula", "expr": "1"}}]}]}]}}})
    with language("vi"):
        (p,) = cross_check(rules, ds)
    assert (p.file, p.line, p.field) == ("scores.csv", 2, "leaf")
    assert p.message == ("tiêu chí 1.2 do bộ tiêu chí tự tính cho nhóm Sở, ban, ngành (cách "
                         "chấm: công thức), không đọc từ scores.csv: điểm ghi ở đây sẽ bị bỏ qua")


def _seed_with_a_bad_cell(seed: Path, folder: Path, cell: str | None) -> tuple[Path, int]:
    """The seed report with one cell of the sixth dossier row replaced (None: removed)."""
    lines = seed.read_text(encoding="utf-8").split("\n")
    start = next(n for n, line in enumerate(lines) if line.startswith("Phụ lục 2"))
    row = [n for n in range(start, len(lines)) if lines[n].count("\t") >= 13][5]
    cells = lines[row].split("\t")
    if cell is None:
        del cells[4]
    else:
        cells[3] = cell
    lines[row] = "\t".join(cells)
    path = folder / "bao-cao.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, row + 1


@pytest.mark.parametrize(("cell", "vi", "en"), [
    ("12a", ": resolved: '12a' không phải là số theo cách ghi của báo cáo ('.' phân cách hàng "
            "nghìn, ',' cho phần thập phân, '-' cho số không, để trống khi không có số liệu). "
            "Cách sửa: ghi số đếm như 1.234, tỷ lệ như 2,33%, '-' cho số không",
     ": resolved: '12a' is not a number in the published format ('.' for thousands, ',' for "
     "decimals, '-' for zero, blank for missing). Fix: write counts like 1.234"),
    (None, ": dòng có 13 ô, cần 14 ô. Cách sửa: khôi phục cột bị thiếu",
     ": the row has 13 cells, expected 14. Fix: restore the missing column"),
])
def test_a_broken_report_is_one_message_with_its_line_in_the_language(
        seed_report, tmp_path, capsys, cell, vi, en):
    report, line = _seed_with_a_bad_cell(seed_report, tmp_path, cell)
    for args, text in ((["import-report"], vi), (["--lang", "en", "import-report"], en)):
        assert main([*args, str(report), "--out", str(tmp_path / "ds")]) == 1
        err = capsys.readouterr().err
        assert f"{report}:{line}{text}" in err, err
    assert not (tmp_path / "ds").exists()


def test_the_import_summary_reads_vietnamese(seed_report, tmp_path, capsys):
    assert main(["import-report", str(seed_report), "--out", str(tmp_path / "ds")]) == 0
    out = capsys.readouterr().out
    assert "Phát hiện về chất lượng dữ liệu (findings.csv)" in out
    assert ("- Cảnh báo · Hồ sơ thủ tục hành chính · C.VI Thuộc thành phố Cam Ranh · Hồ sơ đã "
            "giải quyết · Dòng trong nguồn 284: số tổng hợp ≠ tổng của 15 dòng thành phần; "
            "chênh lệch -7.979 (nguồn ghi: 8.184; lẽ ra là: 16.163)") in " ".join(out.split())
    assert "Đề xuất chưa chắc chắn, chưa rà soát: I.1, I.7" in out
    assert "đã ghi " in out and "21 phát hiện" in out


def test_a_scoring_command_names_the_bad_rows_inside_the_folder_in_order(tmp_path, capsys):
    folder = broken(tmp_path / "ds")
    assert main(["score", "--data", str(folder)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("cchc: ") and "lỗi" in lines[0]
    places = [line.split(": ", 1)[0] for line in lines[1:]]
    assert places[:3] == [f"{folder}/agencies.csv:3", f"{folder}/dossiers.csv:2",
                          f"{folder}/dossiers.csv:3"]
    assert any(line.startswith(f"{folder}/dossiers.csv:3: resolved_late: số đếm -5 là số âm. "
                               "Cách sửa:") for line in lines)


def test_two_survey_workbooks_of_a_group_name_the_group_in_words():
    forms = [SimpleNamespace(kind=KIND_SURVEY, agency_id="", group="district", file=name)
             for name in ("a.xlsx", "b.xlsx")]
    first = duplicate_forms(forms)[0]
    assert str(first) == ("a.xlsx: nhóm UBND cấp huyện có 2 bảng tổng hợp điều tra: a.xlsx, "
                          "b.xlsx. Cách sửa: giữ lại một bản (bản cuối cùng) và chuyển các bản "
                          "khác ra khỏi thư mục")
