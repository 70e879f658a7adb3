"""The pages, read as HTML: every ranked unit listed, ledgers add up, errors are pages."""

from __future__ import annotations

import re
import warnings
from html import unescape

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cchc.cli import main
from cchc.web.app import create_app
from cchc.web.config import WebConfig
from scoring.consistency import cross_check
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules
from tests.fixtures_data import tiny_tables, write_dataset


@pytest.fixture(scope="module")
def result():
    return score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))


def rows_of(html: str, group: str) -> list[str]:
    table = re.search(rf'<table class="ranking" data-group="{group}">(.*?)</table>', html, re.S)
    assert table, f"no table for group {group}"
    return re.findall(r'<tr data-agency-id="([^"]+)"', table.group(1))


def test_ranking_lists_every_ranked_unit_of_each_group(client, result) -> None:
    html = client.get("/").text
    for g in result.rules.groups:
        ranked = result.totals[(result.totals["group"] == g.id) & result.totals["rank"].notna()]
        shown = rows_of(html, g.id)
        assert set(ranked.index) <= set(shown)
        assert shown[:len(ranked)] == list(ranked.index)  # in rank order


def test_ranking_page_is_vietnamese_with_vietnamese_numbers(client, result) -> None:
    html = client.get("/").text
    assert "Xếp hạng" in html and "Xếp loại" in html and "Chỉ số (%)" in html
    best = result.totals.iloc[0]
    assert f"{best['index']:.2f}".replace(".", ",") in html
    assert "<svg" in html and "bình quân" in html  # the chart with its mean line


def test_english_on_request(client) -> None:
    html = client.get("/?lang=en").text
    assert "Ranking" in html and "Index (%)" in html
    assert "Xếp loại</th>" not in html
    # the next request without it is Vietnamese again (no state shared between requests)
    assert "Xếp loại" in client.get("/").text


def test_search_without_accents_and_filters(client) -> None:
    html = client.get("/?q=SO%20DU%20LICH").text
    assert rows_of(html, "department") == ["so-du-lich"]
    part = client.get("/?q=du lich", headers={"hx-request": "true", "hx-target": "groups"})
    assert "<header" not in part.text and 'data-agency-id="so-du-lich"' in part.text
    html = client.get("/?klass=Yếu").text
    assert all(c == "Yếu" for c in re.findall(r'<span class="class"[^>]*>([^<]+)<', html))


def test_filter_by_district(client, result) -> None:
    ds = result.dataset
    communes = ds.agencies[(ds.agencies["group"] == "commune") & ds.agencies["ranked"]]
    district = communes["parent_id"].dropna().iloc[0]
    html = client.get(f"/?district={district}").text
    shown = rows_of(html, "commune")
    assert shown and set(shown) == set(communes.index[communes["parent_id"] == district]) & \
        set(result.totals.index)


def test_sort_by_name(client) -> None:
    html = client.get("/?sort=name").text
    names = re.findall(r'<tr data-agency-id="[^"]+">\s*<td class="num">\d+</td>\s*<td><a[^>]*>'
                       r'([^<]+)</a>', html.split('data-group="district"')[0])
    from scoring.text import fold
    assert [fold(unescape(n)) for n in names] == sorted(fold(unescape(n)) for n in names)


def test_unit_page_points_add_up(client, result) -> None:
    for aid in ("so-du-lich", result.totals.index[-1]):
        html = client.get(f"/unit/{aid}").text
        leaves = [float(x) for x in re.findall(r'class="num leaf-points" data-value="([^"]+)"',
                                               html)]
        total = float(re.search(r'id="unit-points" data-value="([^"]+)"', html).group(1))
        assert sum(leaves) == pytest.approx(total)
        assert total == pytest.approx(result.totals.loc[aid, "points"])


def test_unit_by_unknown_id_is_a_page_with_the_cli_message(client) -> None:
    r = client.get("/unit/khong-co")
    assert r.status_code in (400, 404)
    assert "Traceback" not in r.text and "error-box" in r.text


def test_rules_simulate_data_pages_render(client) -> None:
    for url in ("/rules", "/rules?leaf=1.1.2", "/simulate", "/data"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert 'name="csrf_token"' in r.text
    assert client.get("/rules?leaf=9.9").status_code == 404


def test_static_assets_are_served_locally(client) -> None:
    html = client.get("/").text
    assert "http://" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", html.split(
        "<main>")[0])
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert "Zero-Clause BSD" in client.get("/static/htmx.LICENSE.txt").text


def test_twenty_concurrent_requests_all_answer(client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    urls = ["/", "/?lang=en", "/?q=xa", "/?sort=index&desc=true"] * 5
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(client.get, urls))
    assert [a.status_code for a in answers] == [200] * 20
    for url, a in zip(urls, answers, strict=True):
        english = "lang=en" in url
        assert ("Index (%)" in a.text) == english, url


def test_unit_page_shows_last_years_rank(tmp_path, result) -> None:
    prev = tmp_path / "2021.csv"
    prev.write_text("agency_id,rank,index\nso-du-lich,12,70.5\n", encoding="utf-8")
    config = WebConfig.make(tmp_path / "ws", password="", previous=prev)
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        html = c.get("/unit/so-du-lich").text
        assert 'data-previous-rank="12"' in html and "70,50" in html
        now = int(result.totals.loc["so-du-lich", "rank"])
        assert f"▼ {now - 12}" in html if now > 12 else "▲" in html
        assert "2021.csv" in c.get("/unit/so-tai-chinh").text  # not in it: said so
    bad = tmp_path / "bad.csv"
    bad.write_text("agency_id,rank,index\nkhong-co,1,2\n", encoding="utf-8")
    with TestClient(create_app(config.replace(previous=bad)),
                    raise_server_exceptions=False) as c:
        r = c.get("/unit/so-du-lich")
        assert r.status_code == 200 and "khong-co" in r.text and "error-box" in r.text


def test_what_cchc_check_calls_an_error_is_an_error_page(tmp_path, capsys) -> None:
    """The web passes the gate of every scoring command: a dataset whose districts are
    spelled 'distric' is refused with the same message as `cchc check`, on every page
    and API call that scores, never shown as a result."""
    config = WebConfig.make(tmp_path / "ws", password="")
    t = tiny_tables()
    for row in t["agencies"]:
        if row["group"] == "district":
            row["group"] = "distric"
    folder = write_dataset(config.workspace / "datasets" / "sai-nhom", t)
    assert main(["check", "--data", str(folder)]) == 1
    said = capsys.readouterr().out
    (p,) = [p for p in cross_check(load_rules(BUNDLED_RULES), load_dataset(folder))
            if p.severity == "error"]
    assert p.message in said and p.fix in said
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        for url in ("/?data=sai-nhom", "/unit/so-du-lich?data=sai-nhom",
                    "/api/score?data=sai-nhom", "/api/workbook?data=sai-nhom"):
            r = c.get(url)
            assert r.status_code == 400, url
            text = unescape(r.text)
            assert p.message in text and p.fix in text, url
            assert 'data-agency-id="so-du-lich"' not in text
        assert c.get("/").status_code == 200       # the other datasets still serve
