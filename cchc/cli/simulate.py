"""``cchc simulate``: Monte Carlo rank intervals over declared uncertainties.

The uncertainties come from ``--uncertainty FILE`` or, by default, ``uncertainty.yaml`` in
the rule-set folder (format: docs/mo-phong.md, "Tệp khai báo sai số"). The same seed gives the
same output.
"""

from __future__ import annotations

from pathlib import Path

import click

from cchc.cli.options import data_option, force_option, format_option, load_inputs, rules_option
from cchc.cli.table import progress_bar
from scoring.errors import Problem, UsageError
from scoring.i18n import _
from scoring.text import vi_number
from scoring.vocabulary import column_label, source_label

CSV_COLUMNS = ["agency_id", "agency", "group", "nominal_rank", "mean_rank", "median_rank",
               "p05_rank", "p95_rank", "p_top_k", "nominal_class", "p_nominal_class"]
TABLE_COLUMNS = ["agency", "group", "nominal_rank", "median_rank", "p05_rank", "p95_rank",
                 "mean_rank", "p_top_k", "nominal_class", "p_nominal_class"]

MAX_RUNS = 100_000
MAX_BYTES = 2 * 1024**3
BYTES_PER_RANK = 24
"""Memory per run and ranked unit, measured from the rank table, its percentiles (float
copies) and the class table; an estimate, on the safe side."""


def check_memory(runs: int, units: int) -> None:
    """Refuse a simulation whose tables would not fit in :data:`MAX_BYTES` of memory."""
    need = runs * max(units, 1) * BYTES_PER_RANK
    if need > MAX_BYTES:
        most = max(MAX_BYTES // (max(units, 1) * BYTES_PER_RANK), 1)
        raise UsageError(Problem(
            _("{runs} runs over {units} ranked units need about {gib} GiB of memory (the "
              "limit is {limit} GiB)").format(runs=vi_number(runs), units=vi_number(units),
                                             gib=vi_number(need / 1024**3, 1),
                                             limit=vi_number(MAX_BYTES / 1024**3)),
            field="--runs", fix=_("use at most {most} runs; {low} to {high} runs give stable "
                                  "intervals").format(most=vi_number(most),
                                                      low=vi_number(1000),
                                                      high=vi_number(10_000))))


@click.command("simulate")
@rules_option
@data_option
@click.option("--uncertainty", "uncertainty_path", type=click.Path(path_type=Path),
              default=None,
              show_default="uncertainty.yaml in the rule-set folder (or its base's)",
              help="YAML file of declared uncertainties.")
@click.option("--runs", type=click.IntRange(min=1, max=MAX_RUNS), default=1000,
              show_default=True, help="Number of Monte Carlo runs.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Random seed (same seed, same output).")
@click.option("--top-k", "top_k", type=click.IntRange(min=1), default=3, show_default=True,
              help="p_top_k is the probability of a rank ≤ k.")
@click.option("--sensitivity/--no-sensitivity", default=True, show_default=True,
              help="Rank the uncertainty sources by their effect (one extra pass each).")
@format_option("table", "csv")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              help="Also write a workbook (.xlsx) with a rank-interval chart.")
@force_option
def simulate(rules_path: Path, data_path: Path, uncertainty_path: Path | None, runs: int,
             seed: int, top_k: int, sensitivity: bool, fmt: str, output: Path | None,
             force: bool) -> None:
    """Rank intervals per agency: nominal, median, 5th and 95th percentile rank.

    Also the probability of each class and of the top k, the mean rank shift per group,
    and which declared uncertainty moves ranks most.
    """
    from cchc.cli.table import print_frame, print_text
    from scoring.engine import score
    from scoring.files import check_output
    from scoring.simulate.cli_support import echo_csv
    from scoring.simulate.montecarlo import simulate as run_simulation
    from scoring.simulate.uncertainty import (
        check_against,
        find_uncertainty,
        load_uncertainty,
    )

    rules, ds = load_inputs(rules_path, data_path)
    check_memory(runs, len(ds.ranked_agencies()))
    upath = uncertainty_path or find_uncertainty(rules_path, rules.extends)
    inputs = [p for p in (rules_path, data_path, upath) if p is not None]
    if output is not None:
        check_output(output, inputs=inputs, force=force)  # before the (slower) runs
    unc = load_uncertainty(upath)
    check_against(unc, rules, file=upath)
    result = score(rules, ds)

    with progress_bar(_("simulating")) as progress:
        sim = run_simulation(result, unc, runs=runs, seed=seed, top_k=top_k,
                             sensitivity=sensitivity, progress=progress)

    if output is not None:
        from reports.analysis import write_simulation_workbook  # only with -o: xlsxwriter

        write_simulation_workbook(sim, output, inputs=inputs, force=force)
    columns = CSV_COLUMNS + [c for c in sim.agencies.columns if c.startswith("p_class_")]
    if fmt == "csv":
        echo_csv(sim.agencies, columns)
        for note in sim.notes:
            click.echo(_("cchc: note: {note}").format(note=note), err=True)
    else:
        headings = {c: column_label(c, k=top_k) for c in (
            *TABLE_COLUMNS, "agencies", "mean_abs_rank_shift", "share_rank_changed", "source",
            "variance_share")}
        print_frame(_("Rank intervals: {runs} runs, seed {seed}, uncertainties from {path}")
                    .format(runs=runs, seed=seed, path=upath),
                    sim.agencies, headings, TABLE_COLUMNS, group_names=sim.group_names,
                    decimals={"mean_rank": 1})
        print_frame(column_label("group"), sim.groups, headings,
                    ["group", "agencies", "mean_abs_rank_shift", "share_rank_changed"],
                    group_names=sim.group_names)
        if len(sim.sensitivity):
            print_frame(_("Sensitivity: which uncertainty moves ranks most"),
                        sim.sensitivity, headings,
                        ["group", "source", "mean_abs_rank_shift", "variance_share"],
                        decimals={"variance_share": 3}, group_names=sim.group_names,
                        text={"source": source_label})
        for note in sim.notes:
            print_text(_("Note: {note}").format(note=note))
    if output is not None:
        click.echo(_("Written: {path}").format(path=output), err=True)
