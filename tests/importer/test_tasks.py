"""Phụ lục 1 (scoring/importer/tasks.py): rows, deadlines, assignments, documents, status."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from scoring.errors import DataError
from scoring.i18n import language
from scoring.importer.agencies import Agency, AgencyRegistry
from scoring.importer.core import _split, build_dataset
from scoring.importer.source import read_report
from scoring.importer.tasks import (
    extract_documents,
    parse_assignment,
    parse_deadline,
    parse_task_rows,
    propose_status,
)
from scoring.task_status import TASK_STATUSES as STATUSES

REPORT_DATE = date(2023, 2, 24)


@pytest.fixture(scope="module")
def seed_tasks(seed_report: Path, tmp_path_factory: pytest.TempPathFactory):
    built = build_dataset(seed_report, tmp_path_factory.mktemp("t") / "ds")
    rows = list(csv.DictReader(io.StringIO(built.files["tasks.csv"].decode())))
    return {r["task_id"]: r for r in rows}, built


# --------------------------------------------------------------------------- deadlines

@pytest.mark.parametrize(("text", "kind", "end"), [
    ("Quý I/2022", "quarter", date(2022, 3, 31)),
    ("Quý II/2022", "quarter", date(2022, 6, 30)),
    ("Quý III/2022", "quarter", date(2022, 9, 30)),
    ("Quý IV/2022", "quarter", date(2022, 12, 31)),
    ("Tháng 12/2021", "month", date(2021, 12, 31)),
    ("Tháng 01/2022", "month", date(2022, 1, 31)),
    ("Tháng 3/2022", "month", date(2022, 3, 31)),
    ("Tháng 6/2022", "month", date(2022, 6, 30)),
    ("Trong năm 2022", "year", date(2022, 12, 31)),
    ("Năm 2022", "year", date(2022, 12, 31)),
    ("Trong năm 2022 (theo hướng dẫn, tiến độ của Bộ Nội vụ)", "year", date(2022, 12, 31)),
    ("Từ tháng 11/2022", "from_month", None),
    ("Từ Quý I/2022", "from_month", None),
    ("Từ năm 2022", "from_month", None),
    ("Năm 2022 - 2023 (sau khi có hướng dẫn của Bộ Khoa học và Công nghệ)", "multi_year",
     date(2023, 12, 31)),
    ("Từ năm 2022-2025", "multi_year", date(2025, 12, 31)),
    ("Theo tiến độ của Trung ương", "central_schedule", None),
    ("Theo tiến độ triển khai của Trung ương", "central_schedule", None),
    ("Theo tiến độ triển khai của cấp có thẩm quyền", "central_schedule", None),
    ("Theo tiến độ của Bộ Nội vụ", "central_schedule", None),
    ("Theo chỉ đạo của UBND tỉnh", "central_schedule", None),
    ("Theo Đề án/Hướng dẫn của Bộ Nội vụ", "central_schedule", None),
    ("Thực hiện theo tiến độ được phê duyệt", "central_schedule", None),
    ("Thường xuyên", "ongoing", None),
    ("Theo quy định", "ongoing", None),
    ("Trước ngày 15/3/2022", "date", date(2022, 3, 15)),
    ("", "none", None),
])
def test_deadline_forms(text: str, kind: str, end: date | None) -> None:
    d = parse_deadline(text, 2022)
    assert (d.kind, d.end) == (kind, end)
    assert d.note == ""


def test_from_month_keeps_its_start() -> None:
    assert parse_deadline("Từ tháng 11/2022").start == date(2022, 11, 1)
    assert parse_deadline("Từ Quý I/2022").start == date(2022, 1, 1)


def test_deadline_before_the_plan_is_read_in_the_plan_year() -> None:
    d = parse_deadline("Tháng 3/2021", 2022)
    assert (d.kind, d.end) == ("month", date(2022, 3, 31))
    assert "Tháng 3/2021" in d.note
    # December of the year before is a legitimate deadline (the plan itself)
    assert parse_deadline("Tháng 12/2021", 2022).note == ""


def test_unrecognised_deadline_is_none_with_note() -> None:
    d = parse_deadline("Sớm nhất có thể")
    assert d.kind == "none" and d.note


def test_every_seed_deadline_is_recognised(seed_tasks) -> None:
    tasks, _ = seed_tasks
    kinds = {t["deadline_kind"] for t in tasks.values()}
    assert "none" not in kinds
    assert kinds == {"quarter", "month", "year", "from_month", "multi_year",
                     "central_schedule", "ongoing"}


# ------------------------------------------------------------------------------ rows

def test_sixty_tasks_in_seven_areas(seed_tasks) -> None:
    tasks, _ = seed_tasks
    per_area: dict[str, int] = {}
    for t in tasks.values():
        per_area[t["area"]] = per_area.get(t["area"], 0) + 1
    # counted by hand in the seed
    assert per_area == {"I": 9, "II": 6, "III": 10, "IV": 4, "V": 5, "VI": 14, "VII": 12}
    assert list(tasks)[:3] == ["I.1", "I.2", "I.3"] and list(tasks)[-1] == "VII.12"
    assert tasks["VII.1"]["area_name"] == "Công tác chỉ đạo, điều hành"
    assert tasks["VI.1"]["area_name"] == \
        "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số"


def test_continuation_rows_are_merged(seed_tasks) -> None:
    tasks, _ = seed_tasks
    # I.8's result continues on the next page mid-sentence (line 22)
    assert tasks["I.8"]["result"].endswith(
        "Chương trình mục tiêu quốc gia xây dựng nông thôn mới tỉnh giai đoạn 2021-2025.")
    # II.2: the continuation splits a document number "222/BC-" | "UBND"
    assert "Báo cáo số 222/BC-UBND ngày 08/9/2022" in tasks["II.2"]["result"]
    assert "Thông tư số 02/2017/TT-VPCP" in tasks["II.2"]["assignment"]
    # III.1: the deadline cell itself is split over two pages
    assert tasks["III.1"]["deadline"] == "Theo tiến độ triển khai của Trung ương"
    # II.5: an assignment cut inside an agency name ("Sở" | "Thông tin và Truyền thông")
    assert "Sở Thông tin và Truyền thông, Sở Nội vụ" in tasks["II.5"]["assignment"]
    # VI.12: the title continues mid-word across the break ("cảnh" | "báo")
    assert "cảnh báo về giá cả thị trường" in tasks["VI.12"]["title"]


def test_markup_is_removed_and_list_items_kept_as_lines(seed_tasks) -> None:
    tasks, _ = seed_tasks
    for t in tasks.values():
        for column in ("title", "product", "deadline", "assignment", "result"):
            assert "<" not in t[column] and "&amp;" not in t[column], (t["task_id"], column)
    assert tasks["II.3"]["assignment"].split("\n") == [
        "- Văn phòng UBND tỉnh chủ trì tham mưu UBND tỉnh chỉ đạo các sở, ban, ngành thực hiện",
        "- Các sở, ban, ngành, địa phương chủ động tham mưu, đề xuất"]


def _synthetic(tmp_path: Path, body: str) -> Path:
    header = "Stt\tNhiệm vụ\tSản phẩm\tTiến độ\tPhân công và cách thức thực hiện\tTiến độ, kết quả"
    p = tmp_path / "r.txt"
    p.write_text("Phụ lục 1\n**TÌNH HÌNH, KẾT QUẢ THỰC HIỆN NHIỆM VỤ KẾ HOẠCH CCHC TỈNH KHÁNH "
                 f"HÒA NĂM 2022**\n{header}\n{body}\n", encoding="utf-8")
    return p


def test_continuation_cell_by_cell(tmp_path: Path) -> None:
    header = "Stt\tNhiệm vụ\tSản phẩm\tTiến độ\tPhân công và cách thức thực hiện\tTiến độ, kết quả"
    body = ("<b>I</b>\t<b>Cải cách thể chế</b>\t\t\t\t\n"
            "1\tBan hành kế\tQuyết định\tQuý I/\tSở Nội vụ chủ\tĐã ban hành Quyết định số 1/QĐ-\n"
            f"\n{header}\n"
            "\thoạch\t\t2022\ttrì\tUBND ngày 01/3/2022.\n"
            "2\tViệc khác\t\tThường xuyên\tSở Nội vụ chủ trì\tĐang làm")
    report = read_report(_synthetic(tmp_path, body))
    table, raws = parse_task_rows(report, list(report.lines))
    assert [r.number for r in raws] == [1, 2]
    assert raws[0].cells[1:] == ["Ban hành kế hoạch", "Quyết định", "Quý I/2022",
                                 "Sở Nội vụ chủ trì",
                                 "Đã ban hành Quyết định số 1/QĐ-UBND ngày 01/3/2022."]
    assert table.areas == {"I": "Cải cách thể chế"}


def test_split_area_numeral_is_read_and_reported(seed_tasks) -> None:
    tasks, built = seed_tasks
    assert sum(t["area"] == "VII" for t in tasks.values()) == 12
    f = [f for f in built.summary.findings if f.column == "area"]
    assert [(f.published, f.expected, f.line) for f in f] == [("VI I", "VII", 131)]


def test_continuation_before_any_task_is_an_error(tmp_path: Path) -> None:
    report = read_report(_synthetic(tmp_path, "\tx\t\t\t\t"))
    with pytest.raises(DataError, match="continuation"):
        parse_task_rows(report, list(report.lines))


# ------------------------------------------------------------------------ assignment

@pytest.fixture()
def reg() -> AgencyRegistry:
    r = AgencyRegistry()
    for agency_id, name in (("so-noi-vu", "Sở Nội vụ"), ("so-tai-chinh", "Sở Tài chính"),
                            ("so-thong-tin-va-truyen-thong", "Sở Thông tin và Truyền thông"),
                            ("van-phong-ubnd-tinh", "Văn phòng UBND tỉnh")):
        r.add(Agency(agency_id, name, "department"))
    return r


def test_several_leads(reg: AgencyRegistry) -> None:
    a = parse_assignment("Sở Nội vụ và Sở Thông tin và Truyền thông chủ trì phối hợp với các "
                         "cơ quan", reg)
    assert a.leads == ("so-noi-vu", "so-thong-tin-va-truyen-thong")
    assert not a.collective


def test_collective_lead_keeps_its_text(reg: AgencyRegistry) -> None:
    a = parse_assignment("Các Ban quản lý dự án chủ trì xây dựng Phương án sắp xếp; gửi Sở "
                         "Nội vụ thẩm định trình UBND tỉnh", reg)
    assert a.leads == () and a.collective
    assert a.collective_text == "Các Ban quản lý dự án"
    assert a.coordinating == ("so-noi-vu",)


def test_without_chu_tri_the_first_clause_leads(reg: AgencyRegistry) -> None:
    a = parse_assignment("- Các sở, ban, ngành, địa phương thực hiện rà soát, đề xuất - Văn "
                         "phòng UBND tỉnh tổng hợp", reg)
    assert a.collective and a.leads == ()
    assert a.coordinating == ("van-phong-ubnd-tinh",)


def test_unaccented_assignment(reg: AgencyRegistry) -> None:
    a = parse_assignment("So Noi vu chu tri, phoi hop So Tai chinh", reg)
    assert a.coordinating == ("so-tai-chinh",)


def test_seed_leads(seed_tasks) -> None:
    tasks, _ = seed_tasks
    assert tasks["I.8"]["proposed_lead_agency_ids"] == "so-nong-nghiep-va-phat-trien-nong-thon"
    assert tasks["VII.12"]["proposed_lead_agency_ids"] == \
        "so-noi-vu;so-thong-tin-va-truyen-thong"
    assert tasks["II.1"]["proposed_lead_agency_ids"] == "van-phong-ubnd-tinh"
    assert tasks["I.3"]["coordinating_agency_ids"] == "so-tai-chinh"
    assert tasks["III.7"]["collective"] == "true"


# ------------------------------------------------------------------------- documents

def test_documents_with_dates_before_and_after() -> None:
    text = ("- Ngày 06/6/2022, Sở KH&ĐT ban hành Công văn số 1868/SKHĐT-XTĐT trình UBND tỉnh.\n"
            "- theo Nghị định số 31/2021/NĐ-CP ngày 26/3/2021 của Chính phủ; Kế hoạch số "
            "90-KH-TU ngày 08/7/2022; văn bản số 12143/UBND ngày 07/12/2022")
    docs, invalid = extract_documents(text)
    assert [str(d) for d in docs] == [
        "Công văn 1868/SKHĐT-XTĐT (2022-06-06)", "Nghị định 31/2021/NĐ-CP (2021-03-26)",
        "Kế hoạch 90-KH-TU (2022-07-08)", "Văn bản 12143/UBND (2022-12-07)"]
    assert [d.local for d in docs] == [True, False, True, True]
    assert invalid == []


def test_invalid_date_is_reported(seed_tasks) -> None:
    tasks, built = seed_tasks
    assert "Công văn 11643/UBND" in tasks["III.3"]["documents"]
    f = [f for f in built.summary.findings if f.column == "documents"]
    # written on a continuation row (line 49), not on the task's first row (46)
    assert [(f.agency, f.published, f.line) for f in f] == [("III.3", "325/11/2022", 49)]


def test_unfinished_result_is_reported(seed_tasks) -> None:
    """VII.12's result stops at "… đã chủ trì:" (its list was extracted onto the page
    continuation that follows VII.11, line 152): the only result in the seed that ends
    with a colon, reported on the line where it stops."""
    tasks, built = seed_tasks
    ended = sorted(t for t, r in tasks.items() if r["result"].rstrip().endswith(":"))
    f = [f for f in built.summary.findings if f.column == "result"]
    assert ended == ["VII.12"]
    assert [(f.agency, f.line) for f in f] == [("VII.12", 156)]
    assert f[0].published.endswith("đã chủ trì:")


def test_document_column_format(seed_tasks) -> None:
    tasks, _ = seed_tasks
    assert tasks["I.2"]["documents"] == "Quyết định 2286/QĐ-UBND (2022-08-17)"


# ---------------------------------------------------------------------------- status

def _p(result: str, deadline: str, product: str = ""):
    docs, _ = extract_documents(result)
    return propose_status(result, product, parse_deadline(deadline, 2022), docs, REPORT_DATE)


def test_on_time_late_and_mixed() -> None:
    p = _p("ban hành Quyết định số 1/QĐ-UBND ngày 10/3/2022", "Quý I/2022")
    assert (p.status, p.certain) == ("done_on_time", True)
    # stored in Vietnamese (tasks.csv is data), whatever the language in force
    assert p.reason == ("Quyết định 1/QĐ-UBND (2022-03-10) (mốc muộn nhất trong 1 mốc có ngày) "
                        "không muộn hơn thời hạn 'Quý I/2022' (31/03/2022).")
    p = _p("ban hành Quyết định số 1/QĐ-UBND ngày 10/4/2022", "Quý I/2022")
    assert (p.status, p.certain) == ("done_late", True)
    p = _p("Tờ trình số 7/TTr-SNV ngày 30/3/2022; Quyết định số 8/QĐ-UBND ngày 09/5/2022",
           "Quý I/2022", "Quyết định của UBND tỉnh")
    assert (p.status, p.certain) == ("done_late", False)
    assert "Quyết định 8/QĐ-UBND" in p.reason


def test_phrases_decide_when_prose_says_so() -> None:
    assert _p("Trong năm 2022 không phát sinh hồ sơ", "Trong năm 2022").status == "not_arising"
    p = _p("Văn phòng chưa sửa đổi và ban hành tài liệu", "Năm 2022")
    assert (p.status, p.certain) == ("not_done", False)
    p = _p("Đang chuẩn bị thủ tục đầu tư", "Năm 2022 - 2023")
    assert p.status == "in_progress"
    p = _p("UBND tỉnh cho phép tạm dừng triển khai nhiệm vụ", "Quý III/2022")
    assert (p.status, p.certain) == ("not_arising", False)
    p = _p("hoàn thành việc tự đánh giá gửi Bộ Nội vụ đúng quy định", "Theo tiến độ của Bộ Nội vụ")
    assert (p.status, p.certain) == ("done_on_time", True)


def test_central_central_documents_do_not_count_as_output() -> None:
    p = _p("Theo Quyết định số 1015/QĐ-TTg ngày 30/08/2022 của Thủ tướng", "Quý I/2022")
    assert p.status == "not_done"


def test_seed_proposals_checked_by_hand(seed_tasks) -> None:
    """Read from the seed by hand: product document date vs deadline."""
    tasks, _ = seed_tasks
    expected = {
        "I.2": "done_late",      # QĐ 2286 of 17/8/2022, deadline Quý I/2022
        "I.6": "done_late",      # QĐ 2340 of 23/8/2022, deadline Quý II/2022
        "VI.4": "done_on_time",  # QĐ 752 of 22/3/2022, deadline Tháng 3/2022
        "VII.1": "done_on_time",  # QĐ 4782 of 23/12/2021, deadline Tháng 12/2021
        "VII.4": "done_on_time",  # conference held 10/3/2022, deadline Quý I/2022
        "V.3": "not_arising",    # "không phát sinh hồ sơ"
        "VI.13": "not_done",     # "chưa sửa đổi và ban hành", deadline Năm 2022
        "VI.14": "in_progress",  # waiting for the ministry, deadline 2022–2023
    }
    assert {k: tasks[k]["proposed_status"] for k in expected} == expected
    assert all(t["proposed_status"] in STATUSES for t in tasks.values())
    assert all(t["proposed_reason"] for t in tasks.values())


def test_tasks_from_the_2021_deadline_fault(seed_tasks) -> None:
    tasks, built = seed_tasks
    t = tasks["VII.6"]
    assert (t["deadline"], t["deadline_date"]) == ("Tháng 3/2021", "2022-03-31")
    assert t["proposed_status"] == "done_late" and t["proposal_certain"] == "false"
    f = [f for f in built.summary.findings if f.agency == "VII.6"]
    assert [(f.column, f.published, f.expected) for f in f] == [
        ("deadline", "Tháng 3/2021", "2022-03-31")]


def test_report_date_typo_is_reported(seed_tasks) -> None:
    _, built = seed_tasks
    f = [f for f in built.summary.findings if f.column == "report_date"]
    assert [(f.published, f.expected, f.line) for f in f] == [("24/02/2022", "24/02/2023", 6)]


def test_split_locates_both_appendices(seed_report: Path) -> None:
    p1, p2 = _split(read_report(seed_report))
    assert p1[0].number == 3 and p2[0].number == 158


def test_stored_reasons_and_notes_are_vietnamese_in_every_language() -> None:
    """tasks.csv and findings.csv are data: a fresh import is the same bytes under --lang en."""
    with language("en"):
        p = _p("ban hành Quyết định số 1/QĐ-UBND ngày 10/4/2022", "Quý I/2022")
        note = parse_deadline("Tháng 13/2022", 2022).note
    assert p.reason.startswith("Quyết định 1/QĐ-UBND (2022-04-10) (mốc sớm nhất trong 1 mốc có "
                               "ngày) muộn hơn thời hạn 'Quý I/2022' (31/03/2022)")
    assert note == "'Tháng 13/2022': không có tháng 13"
