"""The publication outputs: turn the engine's ``ScoreResult`` into workbooks and documents.

Reads results only; computes nothing of its own. The engine never imports this package.
Each output is its own module (:mod:`reports.workbook` the ranking workbook,
:mod:`reports.forms` the score forms, :mod:`reports.analysis` the compare and simulation
workbooks, :mod:`reports.docx` the decision appendix); importing one does not load the
others.

Examples
--------
>>> from reports.workbook import write_workbook, default_filename  # doctest: +SKIP
>>> write_workbook(score(rules, ds), Path(default_filename(result)))  # doctest: +SKIP
"""
