"""Message catalogs: extract, update, compile and check (a developer's tool, not shipped).

One catalog per source module that has messages: ``scoring/locale/vi/LC_MESSAGES/<module>.po``
(``<module>`` dotted, e.g. ``scoring.rules.loader``), compiled to ``.mo`` beside it. Keeping one
catalog per module means the person who changes a module's messages changes its catalog and no
one else's. ``scoring.i18n`` merges all of them at run time.

Usage (from the repository root)::

    python tools/catalogs.py update    # add new messages (empty translation), drop gone ones,
                                       # then compile every .po to .mo
    python tools/catalogs.py check     # list untranslated messages and stale .mo; exit 1 if any

Messages are what the code passes to ``_()`` / ``ngettext()`` / ``N_()`` (English), plus
the help texts of the ``cchc`` commands and their options (docstrings, ``help=``,
``show_default=``), collected from the commands themselves into the catalog
``cchc.cli.help``; the Vietnamese goes in ``msgstr``. Edit the ``.po`` by hand, then run
``update`` to compile.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scoring", "reports", "cchc")
LOCALE = ROOT / "scoring" / "locale"
LANG = "vi"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
TEMPLATES = ROOT / "cchc" / "web" / "templates"
"""Jinja templates of the web application: one catalog each, ``cchc.web.templates.<name>``."""


def modules() -> dict[str, Path]:
    """Dotted module name → source file, for every Python file of the packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found[".".join(parts)] = path
    for path in sorted(TEMPLATES.glob("*.html")):
        found[f"cchc.web.templates.{path.stem}"] = path
    found[HELP_CATALOG] = ROOT / "cchc" / "cli" / "help"
    return found


HELP_CATALOG = "cchc.cli.help"


def command_help() -> list[tuple[str, int]]:
    """(help text, 0) for every command of ``cchc`` and its options."""
    sys.path.insert(0, str(ROOT))
    from cchc.cli import COMMANDS, cli, help_texts
    out = []
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        if command is not None:
            out += [(text, 0) for text in help_texts(command)]
    return out


def extract(path: Path) -> list[tuple[str | tuple[str, str], int]]:
    """(message, line) for every translatable message of one source file."""
    if path.name == "help" and path.parent.name == "cli":
        return command_help()
    out = []
    method = "jinja2.ext:babel_extract" if path.suffix == ".html" else "python"
    for lineno, message, _comments, _context in extract_from_file(
            method, path, keywords=KEYWORDS):
        out.append((message, lineno))
    return out


def po_path(module: str) -> Path:
    return LOCALE / LANG / "LC_MESSAGES" / f"{module}.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=LANG)


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def updated_catalog(module: str, path: Path) -> Catalog | None:
    """The module's catalog with its current messages (translations kept), or None."""
    messages = extract(path)
    if not messages:
        return None
    po = po_path(module)
    old = read(po) if po.exists() else None
    # fixed dates and header: a catalog changes only when its messages do (no merge noise)
    cat = Catalog(locale=LANG, domain=module, project="cchc", version="1", charset="utf-8",
                  header_comment=f"# Vietnamese messages of {module}.", fuzzy=False,
                  creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                  last_translator="cchc", language_team="cchc")
    rel = str(path.relative_to(ROOT))
    for message, lineno in messages:
        key = message[0] if isinstance(message, tuple) else message
        previous = old.get(key) if old is not None else None
        string = previous.string if previous is not None else ("", "") if isinstance(
            message, tuple) else ""
        existing = cat.get(key)
        if existing is not None:
            existing.locations.append((rel, lineno))
            continue
        cat.add(message, string, locations=[(rel, lineno)])
    return cat


def update() -> None:
    known = modules()
    (LOCALE / LANG / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    for module, path in known.items():
        cat = updated_catalog(module, path)
        po = po_path(module)
        if cat is None:
            for stale in (po, po.with_suffix(".mo")):
                stale.unlink(missing_ok=True)
            continue
        with po.open("wb") as fh:
            write_po(fh, cat, width=100, omit_header=False, sort_output=True,
                     include_lineno=False)
        po.with_suffix(".mo").write_bytes(mo_bytes(read(po)))
    for po in (LOCALE / LANG / "LC_MESSAGES").glob("*.po"):
        if po.stem not in known:
            po.unlink()
            po.with_suffix(".mo").unlink(missing_ok=True)


def problems() -> list[str]:
    """Every message without a translation, every catalog missing or stale."""
    out = []
    for module, path in modules().items():
        messages = extract(path)
        if not messages:
            continue
        po = po_path(module)
        if not po.exists():
            out.append(f"{path.relative_to(ROOT)}: no catalog {po.relative_to(ROOT)} "
                       f"(run python tools/catalogs.py update)")
            continue
        cat = read(po)
        for message, lineno in messages:
            key = message[0] if isinstance(message, tuple) else message
            entry = cat.get(key)
            strings = entry.string if entry is not None else ""
            strings = strings if isinstance(strings, tuple) else (strings,)
            if entry is None or not all(strings):
                out.append(f"{path.relative_to(ROOT)}:{lineno}: no Vietnamese for {key!r}")
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(cat):
            out.append(f"{mo.relative_to(ROOT)} is not compiled from its .po "
                       f"(run python tools/catalogs.py update)")
    return out + conflicts()


def conflicts() -> list[str]:
    """Messages translated differently in two catalogs.

    All catalogs are merged into one at run time, so a message has one translation
    whichever module asks; two different ones would make the wording depend on load
    order. Give the two meanings different English messages instead.
    """
    seen: dict[str, dict[str, object]] = {}
    for po in sorted((LOCALE / LANG / "LC_MESSAGES").glob("*.po")):
        for entry in read(po):
            if entry.id and entry.string:
                key = entry.id[0] if isinstance(entry.id, tuple) else entry.id
                seen.setdefault(key, {})[po.name] = entry.string
    return [f"{key!r} is translated differently: "
            + "; ".join(f"{name}: {text!r}" for name, text in found.items())
            for key, found in seen.items() if len(set(map(str, found.values()))) > 1]


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        found = problems()
        print("\n".join(found) if found else "catalogs complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
