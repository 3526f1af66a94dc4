"""Gradient descent on a 1-D objective, computed once and whole, and the rules of its regimes.

For a quadratic with curvature f″ the error obeys e_{k+1} = r·e_k with r = 1 − lr·f″, so the
learning rate alone decides the regime:

    0 < lr < 1/f″         creeping       (0 < r < 1)
    lr = 1/f″             one step       (r = 0)
    1/f″ < lr < 2/f″      oscillating    (−1 < r < 0)
    lr = 2/f″             bouncing       (r = −1: x0 ↔ 2x* − x0 forever)
    lr > 2/f″             diverging      (r < −1)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdviz.objectives import Objective

MAX_STEPS = 10_000
X_LIMIT = 1e6          # far beyond any view; stopping here keeps every number finite
RUNAWAY = 100.0        # a run this many times farther from a minimum than at the start has diverged
X0_LIMIT = 1e3
LR_LIMIT = 1e3
HUMP_STEP = 0.25       # Newton's smallest step off a hump, where f″ ≤ 0
TOL = 1e-2             # "converged": within TOL of the minimum (two decimals, as the seed)
STATUSES = ("converged", "cycling", "diverged", "step limit")


@dataclass(frozen=True)
class DescentRun:
    """The whole of one run of an iterative method on a 1-D objective.

    Attributes:
        method: "descent", "momentum", "newton" or "grid".
        lr: the learning rate (NaN-free; 0 for methods without one).
        x, fx, dfx: x_k, f(x_k) and f′(x_k) for k = 0..n (all finite).
        x_star: the minimum the run is judged against (the valley it ends nearest).
        status: one of STATUSES.
        reason: the status in words, with the step it happened at.
        converged_at: first k with |x_k − x*| ≤ tol, or None.
        diverged_at: the step at which the run was stopped for running away, or None.
    """

    method: str
    lr: float
    x: np.ndarray
    fx: np.ndarray
    dfx: np.ndarray
    x_star: float
    status: str
    reason: str
    converged_at: int | None = None
    diverged_at: int | None = None

    @property
    def steps(self) -> int:
        """Number of updates taken (len(x) − 1)."""
        return len(self.x) - 1

    @property
    def error(self) -> np.ndarray:
        """|x_k − x*| for every k."""
        return np.abs(self.x - self.x_star)


def validate(x0: float, lr: float, steps: int) -> None:
    """Refuse inputs no run can use, with a message a student can act on.

    Raises:
        ValueError: if x0 is not finite or too far out, lr ≤ 0 or absurd, steps out of range.
    """
    if not isinstance(x0, (int, float)) or not math.isfinite(x0):
        raise ValueError("x0 must be a finite number")
    if abs(x0) > X0_LIMIT:
        raise ValueError(f"x0 must be between -{X0_LIMIT:g} and {X0_LIMIT:g}")
    if not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError("the learning rate must be a positive number")
    if lr > LR_LIMIT:
        raise ValueError(f"the learning rate must be at most {LR_LIMIT:g}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise ValueError("steps must be a whole number")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 1 and {MAX_STEPS}")


def descend(obj: Objective, x0: float, lr: float, steps: int, tol: float = TOL) -> DescentRun:
    """Run plain gradient descent x_{k+1} = x_k − lr·f′(x_k) for `steps` updates.

    The run stops early only when it runs away (|x| > X_LIMIT), before anything overflows.

    Returns:
        The whole run as a DescentRun.
    """
    validate(x0, lr, steps)
    return iterate(obj, x0, steps, lambda x, state: (x - lr * obj.df(x), state),
                   method="descent", lr=lr, tol=tol)


def momentum(obj: Objective, x0: float, lr: float, steps: int, beta: float = 0.9,
             tol: float = TOL) -> DescentRun:
    """Heavy-ball descent: v ← β·v − lr·f′(x), x ← x + v."""
    validate(x0, lr, steps)

    def update(x, v):
        v = beta * v - lr * obj.df(x)
        return x + v, v

    return iterate(obj, x0, steps, update, method="momentum", lr=lr, tol=tol, state=0.0)


def newton(obj: Objective, x0: float, steps: int, tol: float = TOL) -> DescentRun:
    """Newton–Raphson on f′ = 0: x ← x − f′(x)/f″(x). Lands in one step on a quadratic.

    Where f″ ≤ 0 (on a hump) that step would climb to the maximum, so there the step is
    taken downhill instead, −f′/|f″|, and at least HUMP_STEP long so a ball resting near the
    top of the hump still rolls off.
    """
    validate(x0, 1.0, steps)

    def update(x, state):
        g, h = obj.df(x), obj.d2f(x)
        if h > 1e-12:
            return x - g / h, state
        step = -g / max(abs(h), 1e-12)
        if abs(step) < HUMP_STEP:
            step = -HUMP_STEP if g > 0 else HUMP_STEP
        return x + step, state

    return iterate(obj, x0, steps, update, method="newton", lr=0.0, tol=tol)


def grid_search(obj: Objective, lo: float, hi: float, points: int) -> DescentRun:
    """Evaluate f on `points` evenly spaced x and keep the best so far at each evaluation.

    Returns:
        A DescentRun whose x_k is the best point after k + 1 evaluations.
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError("the grid needs finite bounds lo < hi")
    if not 2 <= points <= MAX_STEPS:
        raise ValueError(f"the grid needs between 2 and {MAX_STEPS} points")
    xs = np.linspace(lo, hi, points)
    fx = obj.f(xs)
    is_best = fx == np.minimum.accumulate(fx)
    x = xs[np.maximum.accumulate(np.where(is_best, np.arange(points), 0))]
    x_star = obj.minima[int(np.argmin([obj.f(m) for m in obj.minima]))]
    return _record(obj, "grid", 0.0, x, x_star, TOL, stopped=None,
                   note=f"{points} evaluations, spacing {(hi - lo) / (points - 1):.3g}")


def iterate(obj, x0, steps, update, *, method, lr, tol, state=None) -> DescentRun:
    """Apply `update(x, state) -> (x, state)` up to `steps` times, stopping on a runaway.

    A runaway is an x that is not finite, beyond X_LIMIT, or RUNAWAY times farther from every
    minimum than the start was: the run is cut there, before anything can overflow.
    """
    xs = [float(x0)]
    stopped = None
    x = float(x0)
    limit = RUNAWAY * (_distance(obj, x) + 1.0)
    for k in range(1, steps + 1):
        x, state = update(x, state)
        x = float(x)
        if not math.isfinite(x) or abs(x) > X_LIMIT or _distance(obj, x) > limit:
            stopped = k
            break
        xs.append(x)
    x_arr = np.array(xs)
    return _record(obj, method, lr, x_arr, obj.nearest_minimum(x_arr[-1]), tol, stopped)


def _distance(obj: Objective, x: float) -> float:
    return min(abs(x - m) for m in obj.minima)


def _record(obj, method, lr, x, x_star, tol, stopped, note="") -> DescentRun:
    err = np.abs(x - x_star)
    inside = np.flatnonzero(err <= tol)
    converged_at = _first_settled(inside, len(x))
    if stopped is not None:
        status = "diverged"
        reason = (f"diverged: at step {stopped} x ran away (over {RUNAWAY:g}× farther from the "
                  f"minimum than at the start), so the run was stopped after step {stopped - 1}, "
                  f"at x = {x[-1]:.4g}")
        converged_at = None
    elif converged_at is not None:
        status = "converged"
        reason = f"converged: within {tol:g} of x* = {x_star:.4g} from step {converged_at}"
    elif _is_cycling(x, tol):
        status = "cycling"
        reason = (f"cycling: x keeps jumping between {x[-2]:.4g} and {x[-1]:.4g}, "
                  "neither closer nor farther from the minimum")
    else:
        status = "step limit"
        reason = (f"step limit: after {len(x) - 1} steps x = {x[-1]:.4g} is still "
                  f"{err[-1]:.3g} from x* = {x_star:.4g}")
        if len(x) > 3 and err[-1] > err[0] and np.all(np.diff(err[-3:]) > 0):
            reason += ", and getting farther: more steps would diverge"
    if note:
        reason = f"{reason} ({note})"
    return DescentRun(method, float(lr), x, np.asarray(obj.f(x), float),
                      np.asarray(obj.df(x), float), float(x_star), status, reason,
                      converged_at, stopped)


def _first_settled(inside: np.ndarray, n: int) -> int | None:
    """First k from which every later x_k stays within tolerance (None if it never settles)."""
    if len(inside) == 0 or inside[-1] != n - 1:
        return None
    gaps = np.flatnonzero(np.diff(inside) != 1)
    return int(inside[gaps[-1] + 1] if len(gaps) else inside[0])


def _is_cycling(x: np.ndarray, tol: float) -> bool:
    """The last few iterates repeat with period 2 but are not one point."""
    if len(x) < 5:
        return False
    tail = x[-5:]
    return bool(np.all(np.abs(tail[2:] - tail[:-2]) <= tol * 1e-3 + 1e-9 * np.abs(tail[2:]))
                and abs(tail[-1] - tail[-2]) > tol)


# --- Regimes: the theory shown beside the run ----------------------------------------------
REGIMES = ("creeping", "one step", "oscillating", "bouncing", "diverging")


def ratio(lr: float, curvature: float) -> float:
    """r = 1 − lr·f″: the factor the error is multiplied by at every step of a quadratic."""
    return 1.0 - lr * curvature


def regime(lr: float, curvature: float, rel: float = 1e-9) -> str:
    """Which of REGIMES a learning rate puts descent in on curvature f″ > 0.

    lr is compared with 1/f″ and 2/f″ to a relative tolerance, so that 0.5 on f″ = 2 counts
    as "one step" despite floating point.
    """
    one, edge = 1.0 / curvature, 2.0 / curvature
    if math.isclose(lr, one, rel_tol=rel):
        return "one step"
    if math.isclose(lr, edge, rel_tol=rel):
        return "bouncing"
    if lr < one:
        return "creeping"
    return "oscillating" if lr < edge else "diverging"


def predicted_steps(x0: float, x_star: float, lr: float, curvature: float,
                    tol: float = TOL) -> int | None:
    """Steps until |x_k − x*| ≤ tol from the closed form |e_k| = |r|^k·|e_0|.

    Returns:
        The smallest such k, or None when the run never gets there (|r| ≥ 1).
    """
    e0 = abs(x0 - x_star)
    if e0 <= tol:
        return 0
    r = abs(ratio(lr, curvature))
    if r < 1e-12:
        return 1
    if r >= 1.0:
        return None
    k = math.ceil(math.log(tol / e0) / math.log(r))
    # guard the ceiling against rounding either way
    while k > 0 and e0 * r ** (k - 1) <= tol:
        k -= 1
    while e0 * r**k > tol:
        k += 1
    return k


def steps_to_converge(obj: Objective, x0: float, lrs: np.ndarray, max_steps: int = 300,
                      tol: float = TOL) -> np.ndarray:
    """For each learning rate, the steps descent takes to settle within tol (−1 if never).

    This is the sweep behind the U-shaped curve with its divergence wall.
    """
    out = np.full(len(lrs), -1, dtype=int)
    for i, lr in enumerate(lrs):
        run = descend(obj, x0, float(lr), max_steps, tol)
        if run.converged_at is not None:
            out[i] = run.converged_at
    return out


@dataclass(frozen=True)
class Theory:
    """What the quadratic theory predicts for a run, beside what the run did.

    Attributes:
        curvature: f″ (at the minimum the run is judged against, for a non-quadratic).
        r: 1 − lr·f″, the factor on the error per step.
        regime: one of REGIMES.
        predicted: steps to reach TOL from the closed form (quadratics only; None if never).
        exact: True when the objective is a quadratic, so the prediction is exact.
    """

    curvature: float
    r: float
    regime: str
    predicted: int | None
    exact: bool


def theory(obj: Objective, run: DescentRun) -> Theory:
    """The regime of `run` from the curvature at its minimum, with the predicted step count."""
    exact = obj.curvature is not None
    h = obj.curvature if exact else float(obj.d2f(run.x_star))
    predicted = predicted_steps(float(run.x[0]), run.x_star, run.lr, h) if exact else None
    return Theory(h, ratio(run.lr, h), regime(run.lr, h), predicted, exact)
