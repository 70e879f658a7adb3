"""Import a published CCHC report (the seed format) into a dataset folder.

``import_report(report, out) -> ImportSummary`` parses the two appendices of the
province's report — Phụ lục 1 (the plan's tasks and their results) and Phụ lục 2
(dossier statistics per unit) — into ``agencies.csv``, ``dossiers.csv``, ``tasks.csv``,
``findings.csv`` and ``manifest.json`` (layout in ``docs/ARCHITECTURE.md``). It checks
every published identity, rate and subtotal and reports disagreements as findings; it
never corrects the source.
"""

from scoring.importer.core import BuiltDataset, ImportSummary, build_dataset, import_report
from scoring.importer.findings import Finding

__all__ = ["BuiltDataset", "Finding", "ImportSummary", "build_dataset", "import_report"]
