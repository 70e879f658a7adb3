"""The one-way dependency graph: no module imports a module of a higher layer.

Layers, lowest first (docs/ARCHITECTURE.md, "Dependency graph")::

    scoring.{errors,text,i18n,paths,rounding,yamlfile,files,task_status,...}  <
    scoring.importer  <  scoring.{dataset,tables,agencies,importer.dossier_import}  <
    scoring.indicators  <  scoring.{rules.model,expressions}  <  scoring.engine  <
    scoring.rules.loader  <  scoring.{simulate,appraisal,previous,collect,consistency}
    <  reports  <  cchc

Two modules sit above the rest of their folder, for what they read: the rule loader runs
a rule file's own tests with the engine, and ``import-dossiers`` updates a dataset folder
(it reads the dataset's agencies).

Every ``import`` counts, also one inside a function. A module may import its own layer
and any lower one. A module this table does not name (a new one) is not checked until
it is added here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS: tuple[tuple[str, ...], ...] = (
    ("scoring", "scoring.errors", "scoring.text", "scoring.i18n", "scoring.paths",
     "scoring.rounding", "scoring.yamlfile", "scoring.files", "scoring.forms", "scoring.review",
     "scoring.task_status"),
    ("scoring.importer",),
    ("scoring.dataset", "scoring.tables", "scoring.agencies", "scoring.importer.dossier_import"),
    ("scoring.indicators",),
    ("scoring.rules", "scoring.expressions"),
    ("scoring.engine",),
    ("scoring.rules.loader",),
    ("scoring.simulate", "scoring.appraisal", "scoring.previous", "scoring.collect",
     "scoring.consistency"),
    ("reports",),
    ("cchc",),
)
EXCEPTIONS: dict[tuple[str, str], str] = {
    # (importing module, imported module): why it is allowed for now (none today)
}


def layer_of(module: str) -> int | None:
    """The layer of ``module`` (its longest listed prefix), None when not listed."""
    best, level = "", None
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best, level = name, i
    return level


def imports(path: Path, module: str) -> list[tuple[str, int]]:
    """(imported module, line) of every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            out.append((base, node.lineno))
    return out


def modules() -> list[tuple[str, Path]]:
    out = []
    for top in ("scoring", "reports", "cchc"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out.append((name, path))
    return out


def test_the_layer_table_classifies_modules() -> None:
    assert layer_of("scoring.engine.score") == 5
    assert layer_of("scoring.errors") == 0
    assert layer_of("scoring.rules.model") == 4
    assert layer_of("scoring.rules.loader") == 6
    assert layer_of("scoring.importer.dossier_import") == 2
    assert layer_of("numpy") is None


@pytest.mark.parametrize(("module", "path"), modules(), ids=lambda v: str(v))
def test_no_upward_import(module: str, path: Path) -> None:
    mine = layer_of(module)
    if mine is None:
        pytest.skip(f"{module} is not in the layer table")
    upward = [f"{path.relative_to(ROOT)}:{line} imports {name} (layer {layer_of(name)} > "
              f"{mine})" for name, line in imports(path, module)
              if (layer_of(name) or 0) > mine and (module, name) not in EXCEPTIONS]
    assert not upward, "\n".join(upward)
