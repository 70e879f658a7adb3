"""Every link of the documentation leads somewhere, and every document the code cites exists.

A relative link ``[text](other.md#heading)`` must name a file of the repository and, when it
has an anchor into a Markdown file, a heading of that file (anchors as GitHub makes them:
lower case, punctuation dropped, spaces to hyphens, Vietnamese letters kept). Rule files,
dataset notes and program code that cite ``docs/<name>.md`` must cite a file that exists, so
renaming a chapter cannot leave a reader with a dead reference.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
               *(ROOT / "datasets").glob("*/README.md"), ROOT / "benchmarks" / "README.md"])
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CITED = re.compile(r"\bdocs/[A-Za-z0-9_.-]+\.md\b")
CITING = ("rules", "datasets", "scoring", "reports", "cchc", "tools", "benchmarks")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading.

    >>> github_anchor("Phương án (biến thể)")
    'phương-án-biến-thể'
    >>> github_anchor("`cchc check`: đọc kết quả")
    'cchc-check-đọc-kết-quả'
    """
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)    # a link keeps its text
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file (repeats get -1, -2, … as on GitHub)."""
    seen: dict[str, int] = {}
    out = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text("utf-8"))):
        slug = github_anchor(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def links(path: Path) -> list[str]:
    """The relative link targets of a Markdown file (code blocks left out)."""
    text = FENCE.sub("", path.read_text("utf-8"))
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def test_the_anchor_rule_matches_github():
    assert github_anchor("Lỗi khi nạp tệp") == "lỗi-khi-nạp-tệp"
    assert github_anchor("Thành phần, điểm thưởng, điểm trừ, xếp hạng") == (
        "thành-phần-điểm-thưởng-điểm-trừ-xếp-hạng")


@pytest.mark.parametrize("doc", [d for d in DOCS if d.exists()],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_leads_somewhere(doc: Path) -> None:
    dead = []
    for target in links(doc):
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists():
            dead.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            dead.append(f"{target}: {dest.name} has no heading with that anchor")
    assert not dead, f"{doc.relative_to(ROOT)}: dead links:\n" + "\n".join(dead)


def test_documents_cited_by_rules_data_and_code_exist() -> None:
    missing = []
    for folder in CITING:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".yaml", ".md", ".html", ".txt"} or not path.is_file():
                continue
            for cited in set(CITED.findall(path.read_text("utf-8", errors="replace"))):
                if not (ROOT / cited).exists():
                    missing.append(f"{path.relative_to(ROOT)} cites {cited}")
    assert not missing, "\n".join(sorted(missing))


@pytest.mark.parametrize("doc", [d for d in DOCS if d.exists()],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_documents_are_nfc(doc: Path) -> None:
    """Vietnamese text composed one way (NFC), so search and accent-free matching find it."""
    text = doc.read_text("utf-8")
    bad = [n for n, line in enumerate(text.splitlines(), 1)
           if unicodedata.normalize("NFC", line) != line]
    assert not bad, f"{doc.relative_to(ROOT)}: lines not in NFC: {bad[:10]}"
