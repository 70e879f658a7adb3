"""Small parts: the shared cache, per-request language, charts, ids."""

from __future__ import annotations

import fnmatch
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cchc.web.cache import BoundedCache
from cchc.web.charts import ranking_chart
from cchc.web.library import valid_id
from scoring.i18n import _, get_language, language


def test_cache_computes_once_under_concurrency() -> None:
    calls = []
    cache: BoundedCache[int] = BoundedCache(4)

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    with ThreadPoolExecutor(max_workers=20) as pool:
        got = list(pool.map(lambda _: cache.get_or_compute("k", slow), range(20)))
    assert got == [42] * 20 and len(calls) == 1


def test_cache_is_bounded_and_forgets_failures() -> None:
    cache: BoundedCache[int] = BoundedCache(2)
    for k in range(5):
        cache.get_or_compute(k, lambda k=k: k)
    assert len(cache) == 2 and 4 in cache and 0 not in cache
    with pytest.raises(ZeroDivisionError):
        cache.get_or_compute("bad", lambda: 1 / 0)
    assert "bad" not in cache
    assert cache.get_or_compute("bad", lambda: 7) == 7


def test_language_is_per_thread() -> None:
    seen = {}
    barrier = threading.Barrier(2)

    def run(lang: str) -> None:
        with language(lang):
            barrier.wait()
            seen[lang] = (get_language(), _("Ranking"))

    threads = [threading.Thread(target=run, args=(x,)) for x in ("vi", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["vi"] == ("vi", "Xếp hạng") and seen["en"] == ("en", "Ranking")


def test_chart_escapes_names_and_draws_the_mean() -> None:
    svg = str(ranking_chart(["<b>A & B</b>", "C"], [90.0, 50.0], ["#000", "#111"], 70.0,
                            title="t", mean_label="bình quân"))
    assert "<b>" not in svg and "&lt;b&gt;A &amp; B" in svg
    assert 'class="mean"' in svg and "70,00" in svg
    assert svg.count("<rect") == 2


def test_ids() -> None:
    assert valid_id("khanh-hoa-2022.v2")
    for bad in ("", ".hidden", "../x", "a/b", "a\\b", "a..b", "x" * 101):
        assert not valid_id(bad)


def test_templates_and_static_files_are_package_data() -> None:
    root = Path(__file__).resolve().parents[2]
    globs = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["setuptools"]["package-data"]["cchc"]
    files = [p.relative_to(root / "cchc").as_posix()
             for sub in ("web/templates", "web/static") for p in (root / "cchc" / sub).iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, g) for g in globs) for f in files), files
