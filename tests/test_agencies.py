"""Finding an agency by id, name or alias (scoring/agencies.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_data import tiny_tables, write_dataset

from scoring.agencies import resolve_agency
from scoring.dataset import Dataset, load_dataset
from scoring.errors import UsageError

pytestmark = pytest.mark.usefixtures("english")  # asserts the messages as written


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    t = tiny_tables()
    # two communes with the same name in different districts (it happens)
    t["agencies"].append(dict(t["agencies"][3], agency_id="huyen-cam-lam",
                              name="Huyện Cam Lâm"))
    t["agencies"].append(dict(t["agencies"][4], agency_id="xa-suoi-tan-dk",
                              name="Xã Suối Tân", parent_id="huyen-dien-khanh"))
    t["agencies"].append(dict(t["agencies"][4], agency_id="xa-suoi-tan-cl",
                              name="Xã Suối Tân", parent_id="huyen-cam-lam"))
    return load_dataset(write_dataset(tmp_path_factory.mktemp("d") / "ds", t))


@pytest.mark.parametrize("query, expected", [
    ("so-du-lich", "so-du-lich"),            # id
    ("SO-DU-LICH", "so-du-lich"),            # id, other case
    ("Sở Du lịch", "so-du-lich"),            # name
    ("sở du lịch", "so-du-lich"),
    ("SO DU LICH", "so-du-lich"),            # no accents
    ("  so   du  lich ", "so-du-lich"),      # extra spaces
    ("SDL", "so-du-lich"),                   # alias
    ("vpđkđđ", "vpdkdd"),                    # alias, đ folded
    ("Văn phòng", "vpdkdd"),                 # unique prefix
    ("tư pháp", "so-tu-phap"),               # unique substring
    ("dien dien", "xa-dien-dien"),           # "Xã Diên Điền"
])
def test_resolves(ds: Dataset, query: str, expected: str) -> None:
    assert resolve_agency(ds, query) == expected


def test_exact_match_wins_over_longer_names(tmp_path: Path) -> None:
    t = tiny_tables()
    t["agencies"].append(dict(t["agencies"][4], agency_id="xa-dien-dien-2",
                              name="Xã Diên Điền Hai"))
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    assert resolve_agency(ds, "xa dien dien") == "xa-dien-dien"
    assert resolve_agency(ds, "xa dien dien h") == "xa-dien-dien-2"


def test_ambiguous_name_lists_candidates_with_their_district(ds: Dataset) -> None:
    with pytest.raises(UsageError) as info:
        resolve_agency(ds, "Xã Suối Tân")
    [p] = info.value.problems
    assert "matches 2 agencies" in p.message
    assert "xa-suoi-tan-dk, Huyện Diên Khánh" in p.message
    assert "xa-suoi-tan-cl, Huyện Cam Lâm" in p.message
    assert "id" in p.fix
    assert info.value.exit_code == 2


def test_ambiguous_prefix(ds: Dataset) -> None:
    with pytest.raises(UsageError, match="matches 2 agencies"):
        resolve_agency(ds, "sở")   # Sở Du lịch, Sở Tư pháp


def test_unknown_name_suggests_the_closest(ds: Dataset) -> None:
    with pytest.raises(UsageError) as info:
        resolve_agency(ds, "So Du Lic h")
    [p] = info.value.problems
    assert "unknown agency 'So Du Lic h'" in p.message
    assert "Sở Du lịch (so-du-lich)" in p.fix


def test_unknown_without_anything_close(ds: Dataset) -> None:
    with pytest.raises(UsageError) as info:
        resolve_agency(ds, "zzzz qqqq")
    assert "agencies.csv" in info.value.problems[0].fix


def test_blank_query(ds: Dataset) -> None:
    with pytest.raises(UsageError, match="blank"):
        resolve_agency(ds, "  ")
