"""Build hook: ship the bundled rule sets and datasets inside the wheel.

The repository keeps them at the top (``rules/``, ``datasets/``), where the tests and the
documentation name them. A wheel has no repository, so ``build_py`` copies both folders
into the package as ``scoring/bundled/rules`` and ``scoring/bundled/datasets``;
``scoring.paths`` uses the repository's folders when they exist (a checkout, an editable
install) and the packaged copy otherwise (``pip install .``, a wheel).
Everything else about the build is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("rules", "datasets")


class BuildPyWithBundledData(build_py):
    """``build_py`` that also copies ``rules/`` and ``datasets/`` into the package."""

    def run(self) -> None:
        super().run()
        for name in BUNDLED:
            source = ROOT / name
            target = Path(self.build_lib) / "scoring" / "bundled" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target,
                            ignore=shutil.ignore_patterns("__pycache__", ".*", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithBundledData})
