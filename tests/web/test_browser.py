"""The pages in a real browser: Debian's chromium driven by Playwright, against a server
the tests start and stop (uvicorn in a thread, on a free loopback port).

Skipped when chromium or Playwright is missing, except under ``CI=true`` where they must
run. With ``CCHC_SCREENSHOTS=1`` the screenshots go to ``docs/img/web-*.png`` (the ones
in the documentation); otherwise to a temporary folder.
"""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cchc.cli import main
from cchc.web.app import create_app
from cchc.web.config import WebConfig
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES, REPO_ROOT
from scoring.rules.loader import load_rules

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
BANDS_99 = """extends: {base}
id: dung-han-99
source: {{kind: simulation, assumptions: test}}
overrides:
  "3.2.1":
    rule:
      bands:
        - {{min: 99, points: 4}}
        - {{min: 95, max: 99, points: 3}}
        - {{min: 90, max: 95, points: 2}}
        - {{min: 80, max: 90, points: 1}}
        - {{min: 0, max: 80, points: 0}}
"""


def _require_browser() -> object:
    ci = os.environ.get("CI", "").lower() == "true"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if ci:
            raise
        pytest.skip("Playwright is not installed (pip install playwright)")
    if not CHROMIUM.exists():
        if ci:
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    import uvicorn

    _require_browser()
    workspace = tmp_path_factory.mktemp("browser-ws")
    app = create_app(WebConfig.make(workspace, password=""))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", workspace
    srv.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser(server) -> Iterator[object]:
    sync_playwright = _require_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("CCHC_SCREENSHOTS"):
        return REPO_ROOT / "docs" / "img"
    return tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="module")
def result():
    return score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))


def test_ranking_lists_every_ranked_unit(server, page, result, shots) -> None:
    url, _ = server
    page.goto(url + "/")
    for g in result.rules.groups:
        ranked = result.totals[(result.totals["group"] == g.id) & result.totals["rank"].notna()]
        ids = page.eval_on_selector_all(
            f'table[data-group="{g.id}"] tbody tr[data-agency-id]',
            "rows => rows.map(r => r.dataset.agencyId)")
        assert ids[:len(ranked)] == list(ranked.index)
    page.screenshot(path=str(shots / "web-ranking.png"))
    # search without accents narrows the tables in place (htmx)
    page.fill("#q", "ninh hoa")
    page.wait_for_function("document.querySelectorAll('table[data-group=district] tbody "
                           "tr[data-agency-id]').length === 1")
    assert "Ninh Hòa" in page.inner_text('table[data-group="district"]')


def test_unit_page_points_add_up(server, page, result, shots) -> None:
    url, _ = server
    page.goto(url + "/unit/so-du-lich")
    values = page.eval_on_selector_all("td.leaf-points", "c => c.map(x => +x.dataset.value)")
    total = float(page.get_attribute("#unit-points", "data-value"))
    assert sum(values) == pytest.approx(total)
    assert total == pytest.approx(result.totals.loc["so-du-lich", "points"])
    page.screenshot(path=str(shots / "web-unit.png"), full_page=True)


def test_threshold_edit_shows_the_shifts_of_cchc_compare(server, page, shots, tmp_path,
                                                         capsys) -> None:
    url, workspace = server
    variant = tmp_path / "dung-han-99.yaml"
    variant.write_text(BANDS_99.format(base=BUNDLED_RULES), encoding="utf-8")
    assert main(["compare", "--rules", str(BUNDLED_RULES), "--against", str(variant),
                 "--format", "csv"]) == 0
    cli = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"agency_id": str})
    moved = cli[(cli["rank_shift"].fillna(0) != 0) | cli["class_changed"]
                | (cli["points_diff"].abs() > 1e-9)]
    expected = {r.agency_id: (str(int(r.rank_b)), "" if pd.isna(r.class_b) else r.class_b)
                for r in moved.itertuples()}
    page.goto(url + "/rules")
    page.wait_for_selector("#shift-summary")
    page.fill("input[name=band-0-min]", "99")
    page.fill("input[name=band-1-max]", "99")
    page.wait_for_function("document.querySelector('#shift-summary') && "
                           "document.querySelector('#shift-summary').dataset.moved !== '0'")
    rows = page.eval_on_selector_all(
        "#preview tr[data-agency-id]",
        "rs => rs.map(r => [r.dataset.agencyId, r.dataset.rankB, r.dataset.classB])")
    assert {a: (b, c) for a, b, c in rows} == expected
    page.screenshot(path=str(shots / "web-rules.png"))

    # "Lưu biến thể": a file cchc check accepts
    page.fill("input[name=name]", "dung-han-99")
    page.click("#save")
    page.wait_for_selector("[data-saved]")
    saved = workspace / "rules" / "dung-han-99.yaml"
    assert saved.is_file()
    assert main(["check", "--rules", str(saved)]) == 0
    capsys.readouterr()

    # "Tải bảng tính": the workbook of the variant
    with page.expect_download() as dl:
        page.click("#download")
    assert dl.value.suggested_filename.endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    assert wb.sheetnames


def test_a_wrong_value_shows_the_loaders_message_beside_the_field(server, page) -> None:
    url, _ = server
    page.goto(url + "/rules")
    page.wait_for_selector("#shift-summary")
    page.fill("input[name=band-0-min]", "99")  # leaves [98, 99) uncovered
    page.wait_for_function("document.querySelector('#err-bands').textContent.length > 0")
    assert "98" in page.inner_text("#err-bands")


def test_ranking_workbook_download_opens(server, page) -> None:
    url, _ = server
    page.goto(url + "/")
    with page.expect_download() as dl:
        page.click("text=Tải bảng tính")
    wb = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    assert len(wb.sheetnames) >= 3


def test_simulation_page(server, page, shots) -> None:
    url, _ = server
    page.goto(url + "/simulate")
    page.fill("input[name=runs]", "200")
    page.click("#sim-form button")
    page.wait_for_selector("#sim-result svg")
    page.select_option("select[name=agency]", "so-du-lich")
    page.fill("input[name=goal]", "rank:15")
    page.select_option("select[name=vary]", "online_rate")
    page.click("#whatif-form button")
    page.wait_for_selector("#whatif-result p")
    page.screenshot(path=str(shots / "web-simulate.png"))


def test_bad_upload_shows_an_error_and_the_server_keeps_serving(server, page, shots) -> None:
    url, workspace = server
    page.goto(url + "/data")
    page.set_input_files("input[name=file]", files=[{
        "name": "du-lieu.zip", "mimeType": "application/zip", "buffer": b"not a zip"}])
    page.click("#upload")
    page.wait_for_selector("#upload-errors")
    assert "zip" in page.inner_text("#upload-errors")
    page.screenshot(path=str(shots / "web-data.png"))
    assert not any((workspace / "datasets").iterdir())
    page.goto(url + "/")
    assert page.locator("table[data-group]").count() == 3
    assert re.search(r"Xếp hạng", page.title())


def test_filled_forms_upload_shows_the_collect_report(server, page, forms, shots) -> None:
    url, workspace = server
    page.goto(url + "/data")
    page.check("input[name=kind][value=forms]")
    page.set_input_files("input[name=file]", files=sorted(str(p) for p in forms.glob("*.xlsx")))
    page.click("#upload")
    page.wait_for_selector("#collect-summary")
    report = page.inner_text("#collect-summary")
    assert "scores.csv" in report and "phiếu" in report
    assert page.get_attribute("#upload-ok", "data-dataset") == "khanh-hoa-2022-phieu"
    assert (workspace / "datasets" / "khanh-hoa-2022-phieu" / "scores.csv").is_file()
    page.screenshot(path=str(shots / "web-forms.png"), full_page=True)
