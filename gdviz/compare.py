"""Runs side by side: several learning rates, a sweep over them, and other methods."""
from __future__ import annotations

import numpy as np

from gdviz import descent
from gdviz.descent import DescentRun
from gdviz.objectives import Objective

# the ghost runs, as multiples of 1/f″: too small, the seed's, optimal, oscillating, edge, large
MULTIPLES = (0.02, 0.2, 1.0, 1.6, 2.0, 2.2)
BETA = 0.5


def rates(obj: Objective, x0: float, lr: float, steps: int, curvature: float,
          multiples: tuple[float, ...] = MULTIPLES) -> tuple[list[DescentRun], list[str]]:
    """One run per regime plus the user's own learning rate, each labelled with its regime."""
    lrs = sorted({round(m / curvature, 4) for m in multiples} | {lr})
    runs = [descent.descend(obj, x0, r, steps) for r in lrs]
    labels = [f"η = {r:g} ({descent.regime(r, curvature)})" + (" ← yours" if r == lr else "")
              for r in lrs]
    return runs, labels


def sweep(obj: Objective, x0: float, curvature: float, max_steps: int = 200,
          points: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates from 0.02/f″ to 2.4/f″ and the steps each needs (−1: never)."""
    lrs = np.round(np.linspace(0.02, 2.4, points) / curvature, 5)
    return lrs, descent.steps_to_converge(obj, x0, lrs, max_steps)


def methods(obj: Objective, x0: float, lr: float, steps: int,
            grid: tuple[float, float]) -> tuple[list[DescentRun], list[str]]:
    """Plain descent, momentum, Newton–Raphson and grid search from the same start."""
    lo, hi = grid
    runs = [descent.descend(obj, x0, lr, steps),
            descent.momentum(obj, x0, lr, steps, beta=BETA),
            descent.newton(obj, x0, steps),
            descent.grid_search(obj, lo, hi, steps)]
    labels = [f"gradient descent (η = {lr:g})", f"momentum (η = {lr:g}, β = {BETA:g})",
              "Newton–Raphson", f"grid search ({steps} points on [{lo:.3g}, {hi:.3g}])"]
    if len(obj.minima) > 1:   # each run is measured from the valley it ends in: say which
        labels = [f"{label} → x* = {run.x_star:.3g}" for label, run in zip(labels, runs,
                                                                              strict=True)]
    return runs, labels
