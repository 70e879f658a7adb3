"""Agency registry and name matching (scoring/importer/agencies.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.importer.agencies import Agency, AgencyRegistry, expand_abbreviations, key
from scoring.importer.core import _split
from scoring.importer.dossiers import build_agencies, parse_dossier_table
from scoring.importer.source import read_report


@pytest.fixture(scope="module")
def registry(seed_report: Path) -> AgencyRegistry:
    report = read_report(seed_report)
    _, p2 = _split(report)
    reg = AgencyRegistry()
    build_agencies(parse_dossier_table(report, p2), reg)
    return reg


# Full names as Phụ lục 1 writes them → the id of the Phụ lục 2 row (abbreviated there).
@pytest.mark.parametrize(("name", "agency_id"), [
    ("Sở Lao động - Thương binh và Xã hội", "so-lao-dong-thuong-binh-va-xa-hoi"),
    ("Sở lao động - Thương binh và Xã hội", "so-lao-dong-thuong-binh-va-xa-hoi"),
    ("Sở Lao động - TB&XH", "so-lao-dong-thuong-binh-va-xa-hoi"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "so-nong-nghiep-va-phat-trien-nong-thon"),
    ("Sở Nông nghiệp và PTNT", "so-nong-nghiep-va-phat-trien-nong-thon"),
    ("Sở Tài nguyên và Môi trường", "so-tai-nguyen-va-moi-truong"),
    ("Sở Tài nguyên &MT và VPĐKĐĐ", "so-tai-nguyen-va-moi-truong"),
    ("Ban Quản lý Khu kinh tế Vân Phong", "ban-quan-ly-khu-kinh-te-van-phong"),
    ("BQL Khu Kinh tế Vân Phong", "ban-quan-ly-khu-kinh-te-van-phong"),
    ("Sở Giao thông vận tải", "so-giao-thong-van-tai"),
    ("Khối Văn phòng ĐKĐĐ", "vpdkdd"),
    ("Khôi Văn phòng ĐKĐĐ", "vpdkdd"),
    ("CNVPĐKĐĐ Ninh Hòa", "vpdkdd-ninh-hoa"),
    ("UBND Xã Diên Điền", "dien-khanh-xa-dien-dien"),
    ("xã Cam An Bắc", "cam-lam-xa-cam-an-bac"),
    ("huyện Cam Lâm", "ubnd-huyen-cam-lam"),
])
def test_names_from_both_appendices_resolve(registry: AgencyRegistry, name: str,
                                            agency_id: str) -> None:
    assert registry.resolve(name) == agency_id


@pytest.mark.parametrize("spelling", ["Sở Nội vụ", "SỞ NỘI VỤ", "so noi vu", "So  Noi Vu",
                                      "so-noi-vu"])
def test_matching_ignores_accents_case_and_spacing(registry: AgencyRegistry,
                                                   spelling: str) -> None:
    assert registry.resolve(spelling) == "so-noi-vu"


def test_unknown_name_resolves_to_nothing(registry: AgencyRegistry) -> None:
    assert registry.resolve("Sở Ngoại giao") is None
    assert registry.resolve("Sở Tài nguyên") is None


def test_mentions_prefer_the_longest_name(registry: AgencyRegistry) -> None:
    text = ("Sở Nội vụ chủ trì phối hợp với Sở Thông tin và Truyền thông, "
            "Sở Tài nguyên và Môi trường")
    assert [m.agency_id for m in registry.mentions(text)] == [
        "so-noi-vu", "so-thong-tin-va-truyen-thong", "so-tai-nguyen-va-moi-truong"]
    # without accents too
    assert [m.agency_id for m in registry.mentions("so noi vu va so tai chinh")] == [
        "so-noi-vu", "so-tai-chinh"]


def test_expand_abbreviations() -> None:
    assert expand_abbreviations("Sở Tài nguyên &MT và VPĐKĐĐ") == \
        "Sở Tài nguyên và Môi trường và Văn phòng Đăng ký đất đai"
    assert expand_abbreviations("CNVPĐKĐĐ Cam Lâm") == \
        "Chi nhánh Văn phòng Đăng ký đất đai Cam Lâm"
    assert key("Sở Lao động – Thương binh") == key("so lao dong thuong binh")


def test_registry_refuses_duplicates() -> None:
    reg = AgencyRegistry()
    reg.add(Agency("so-du-lich", "Sở Du lịch", "department"))
    with pytest.raises(ValueError, match="duplicate"):
        reg.add(Agency("so-du-lich", "Sở Du lịch (2)", "department"))
    reg.add(Agency("so-y-te", "Sở Y tế", "department", aliases=("Sở Sức khỏe",)))
    reg.add(Agency("so-suc-khoe-cong-dong", "SỞ SỨC KHOẺ", "department"))
    # a name shared by two agencies resolves to neither; the ids still do
    assert reg.resolve("Sở Sức khỏe") is None
    assert reg.shared_names() == {"Sở Sức khỏe": ("so-suc-khoe-cong-dong", "so-y-te")}
    assert reg.resolve("so-y-te") == "so-y-te"
    # a name equal to another agency's id does not take the id over
    reg.add(Agency("du-lich-2", "so du lich", "department"))
    assert reg.resolve("Sở Du lịch") == "so-du-lich"


def test_agency_checks_group_and_id() -> None:
    with pytest.raises(ValueError):
        Agency("x", "X", "province")
    with pytest.raises(ValueError):
        Agency("Sở", "X", "department")


def test_shared_commune_alias_is_dropped_and_reported(tmp_path: Path, seed_report: Path) -> None:
    # give two districts a commune of the same name: the bare alias must not resolve
    text = seed_report.read_text(encoding="utf-8")
    text = text.replace("UBND xã Cam Hòa\t", "UBND xã Vạn Long\t")
    p = tmp_path / "r.txt"
    p.write_text(text, encoding="utf-8")
    from scoring.importer import build_dataset
    built = build_dataset(p, tmp_path / "out")
    shared = [f for f in built.summary.findings if f.table == "agencies"
              and f.column == "name" and f.agency.count(";") == 1]
    assert sorted((f.agency, f.published) for f in shared) == [
        ("cam-lam-xa-van-long;van-ninh-xa-van-long", "UBND xã Vạn Long"),
        ("cam-lam-xa-van-long;van-ninh-xa-van-long", "xã Vạn Long")]
    agencies = built.files["agencies.csv"].decode()
    assert "cam-lam-xa-van-long,UBND xã Vạn Long,commune,ubnd-huyen-cam-lam" in agencies
