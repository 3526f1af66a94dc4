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
          multiples: tuple[float, ...] = MULTIPLES,
          lr_step: float = 0.0) -> tuple[list[DescentRun], list[str]]:
    """One run per regime plus the user's own learning rate, each labelled with what it did.

    The ghosts' rates are multiples of 1/f″ put on the learning-rate widget's grid (`lr_step`),
    as the presets are, and each label names the run's verdict, so a ghost is labelled as the
    page would label the same rate.
    """
    lrs = sorted({on_grid(m / curvature, lr_step) for m in multiples} | {lr})
    runs = [descent.descend(obj, x0, r, steps) for r in lrs]
    labels = [f"η = {r:g} ({descent.verdict(obj, run, lr_step).word.lower()})"
              + (" ← yours" if r == lr else "") for r, run in zip(lrs, runs, strict=True)]
    return runs, labels


def on_grid(lr: float, lr_step: float) -> float:
    """lr rounded to the nearest multiple of lr_step (unchanged when lr_step is 0)."""
    if lr_step <= 0:
        return lr
    return round(round(lr / lr_step) * lr_step, 12)


def sweep(obj: Objective, x0: float, curvature: float, max_steps: int = 200,
          points: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates from 0.02/f″ to 2.4/f″ and the steps each needs (−1: never)."""
    lrs = np.round(np.linspace(0.02, 2.4, points) / curvature, 5)
    return lrs, descent.steps_to_converge(obj, x0, lrs, max_steps)


def wall(lrs: np.ndarray, steps: np.ndarray) -> tuple[float | None, int]:
    """Where the runs of a sweep stop converging, read from the runs themselves.

    Returns:
        (the first rate past the first converging one whose run does not converge, or None
        if there is none; how many rates beyond it converge anyway).
    """
    ok = steps >= 0
    if not ok.any():
        return None, 0
    after = np.flatnonzero(~ok & (np.arange(len(lrs)) > np.argmax(ok)))
    if len(after) == 0:
        return None, 0
    return float(lrs[after[0]]), int(ok[after[0]:].sum())


def methods(obj: Objective, x0: float, lr: float, steps: int,
            grid: tuple[float, float]) -> tuple[list[DescentRun], list[str]]:
    """Plain descent, momentum, Newton–Raphson and grid search from the same start.

    On a function with a hump, Newton–Raphson is the modified one (downhill where f″ ≤ 0),
    and plain Newton–Raphson is shown beside it: it solves f′ = 0 and can settle on the hump.
    """
    lo, hi = grid
    runs = [descent.descend(obj, x0, lr, steps),
            descent.momentum(obj, x0, lr, steps, beta=BETA),
            descent.newton(obj, x0, steps),
            descent.grid_search(obj, lo, hi, steps)]
    labels = [f"gradient descent (η = {lr:g})", f"momentum (η = {lr:g}, β = {BETA:g})",
              "Newton–Raphson", f"grid search ({steps} points on [{lo:.3g}, {hi:.3g}])"]
    if obj.maxima:
        labels[2] = "Newton–Raphson, modified where f″ ≤ 0"
        runs.insert(3, descent.newton(obj, x0, steps, plain=True))
        labels.insert(3, "plain Newton–Raphson (x − f′/f″ everywhere)")
    if len(obj.minima) > 1:   # each run is measured from the valley it ends in: say which
        labels = [f"{label} → x* = {run.x_star:.3g}" for label, run in zip(labels, runs,
                                                                              strict=True)]
    return runs, labels
