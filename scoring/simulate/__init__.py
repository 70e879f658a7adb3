"""Simulation: compare rule sets or datasets, Monte Carlo rank intervals, what-if and goal-seek.

Public API: :func:`compare` (:class:`Comparison`), :func:`simulate`
(:class:`SimulationResult`), :class:`Uncertainty` / :func:`load_uncertainty`,
:func:`whatif` (:class:`WhatIfResult`) and :func:`goal_seek` (:class:`GoalResult`).
Everything reads a :class:`scoring.engine.ScoreResult`; nothing here changes the engine.
"""

from scoring.simulate.montecarlo import SimulationResult, simulate
from scoring.simulate.uncertainty import (
    Uncertainty,
    check_against,
    default_uncertainty_path,
    load_uncertainty,
)

__all__ = ["SimulationResult", "Uncertainty", "check_against", "default_uncertainty_path",
           "load_uncertainty", "simulate"]
