"""Gradient descent on a 1-D objective, computed once and whole, and the rules of its regimes.

For a quadratic with curvature f″ the error obeys e_{k+1} = r·e_k with r = 1 − lr·f″, so the
learning rate alone decides the regime:

    0 < lr < 1/f″         creeping       (0 < r < 1)
    lr = 1/f″             one step       (r = 0)
    1/f″ < lr < 2/f″      oscillating    (−1 < r < 0)
    lr = 2/f″             bouncing       (r = −1: x0 ↔ 2x* − x0 forever)
    lr > 2/f″             diverging      (r < −1)

Elsewhere the same rule holds only near a minimum, with f″ taken there, so what a page says
about a run (verdict) comes from what the run did: ran away, cycled, stalled on a hump,
changed valley, crossed its minimum or came from one side, and how many steps it took.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
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
        x_star: the minimum the run is judged against: that of the valley it ends in.
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
    r = None if obj.curvature is None else ratio(lr, obj.curvature)
    return iterate(obj, x0, steps, lambda x, state: (x - lr * obj.df(x), state),
                   method="descent", lr=lr, tol=tol, r=r)


def momentum(obj: Objective, x0: float, lr: float, steps: int, beta: float = 0.9,
             tol: float = TOL) -> DescentRun:
    """Heavy-ball descent: v ← β·v − lr·f′(x), x ← x + v."""
    validate(x0, lr, steps)

    def update(x, v):
        v = beta * v - lr * obj.df(x)
        return x + v, v

    return iterate(obj, x0, steps, update, method="momentum", lr=lr, tol=tol, state=0.0)


def newton(obj: Objective, x0: float, steps: int, tol: float = TOL,
           plain: bool = False) -> DescentRun:
    """Newton–Raphson on f′ = 0: x ← x − f′(x)/f″(x). Lands in one step on a quadratic.

    Where f″ ≤ 0 (on a hump) that step heads for the maximum, since f′ = 0 there too. Unless
    `plain`, the step there is taken downhill instead, −f′/|f″|, and at least HUMP_STEP long
    so a ball resting near the top of the hump still rolls off; the reason counts those steps.
    """
    validate(x0, 1.0, steps)

    def plain_update(x, hump_steps):
        h = obj.d2f(x)
        return (x - obj.df(x) / h if h != 0 else math.inf), hump_steps

    def update(x, hump_steps):
        g, h = obj.df(x), obj.d2f(x)
        if h > 1e-12:
            return x - g / h, hump_steps
        step = -g / max(abs(h), 1e-12)
        if abs(step) < HUMP_STEP:
            step = -HUMP_STEP if g > 0 else HUMP_STEP
        return x + step, hump_steps + 1

    run = iterate(obj, x0, steps, plain_update if plain else update, method="newton",
                  lr=0.0, tol=tol, state=0)
    if plain or obj.curvature is not None:
        return run
    used = sum(obj.d2f(x) <= 1e-12 for x in run.x[:-1])
    note = (f"modified Newton: at {used} of its {run.steps} steps f″ ≤ 0, so it stepped "
            "downhill by −f′/|f″| instead of towards the hump" if used else
            "f″ > 0 at every step, so no step needed the downhill modification")
    return dataclasses.replace(run, reason=f"{run.reason} ({note})")


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


def iterate(obj, x0, steps, update, *, method, lr, tol, state=None, r=None) -> DescentRun:
    """Apply `update(x, state) -> (x, state)` up to `steps` times, stopping on a runaway.

    A runaway is an x that is not finite, beyond X_LIMIT, or RUNAWAY times farther from every
    minimum than the start was: the run is cut there, before anything can overflow. The run is
    judged against the valley it ends in (see Objective.valley).
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
    return _record(obj, method, lr, x_arr, obj.valley(x_arr[-1]), tol, stopped, r=r)


def _distance(obj: Objective, x: float) -> float:
    return min(abs(x - m) for m in obj.minima)


HUMP_NEAR = 0.25   # "near the top of the hump": within this share of the way to its valley


def _record(obj, method, lr, x, x_star, tol, stopped, note="", r=None) -> DescentRun:
    err = np.abs(x - x_star)
    inside = np.flatnonzero(err <= tol)
    converged_at = _first_settled(inside, len(x))
    if stopped is not None:
        status = "diverged"
        reason = (f"diverged: at step {stopped} x ran away (over {RUNAWAY:g}× farther from "
                  f"every minimum than at the start), so the run was stopped after step "
                  f"{stopped - 1}, at x = {x[-1]:.4g}")
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
        reason = (f"step limit: not within {tol:g} of x* = {x_star:.4g} in {len(x) - 1} "
                  f"steps; x = {x[-1]:.4g} is still {err[-1]:.3g} away")
        hump = on_hump(obj, float(x[-1]), x_star)
        if hump is not None and len(x) > 1 and abs(x[-1] - x[-2]) <= tol * 1e-3:
            reason += (f", settled on the top of the hump at x ≈ {hump:.4g}: a maximum, "
                       "where f′ = 0 too")
        elif hump is not None:
            reason += (f", resting near the top of the hump at x ≈ {hump:.4g}, where f′ ≈ 0: "
                       "it rolls off slowly")
        elif len(x) > 3 and err[-1] > err[0] and np.all(np.diff(err[-3:]) > 0):
            reason += ", and getting farther"
            if r is not None and abs(r) > 1:
                reason += f": |r| = {abs(r):.4g} > 1, so more steps would diverge"
    if note:
        reason = f"{reason} ({note})"
    return DescentRun(method, float(lr), x, np.asarray(obj.f(x), float),
                      np.asarray(obj.df(x), float), float(x_star), status, reason,
                      converged_at, stopped)


def on_hump(obj: Objective, x: float, x_star: float) -> float | None:
    """The maximum x rests near (within HUMP_NEAR of the way to its valley), or None."""
    hump = obj.nearest_maximum(x)
    if hump is None or abs(x - hump) >= HUMP_NEAR * abs(x_star - hump):
        return None
    return hump


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


def regime(lr: float, curvature: float, lr_step: float = 0.0) -> str:
    """Which of REGIMES a learning rate puts descent in on curvature f″ > 0.

    lr is compared with 1/f″ and 2/f″ to the precision it is held to (half of `lr_step`, the
    learning-rate widget's step): η = 0.333 on f″ = 3 is as close to 1/f″ as the widget can
    get, so it counts as "one step" (r = 0.001), and 0.667 as "bouncing" (r = −1.001).
    """
    slack = max(lr_step / 2, 1e-9 * lr) + 1e-12
    one, edge = 1.0 / curvature, 2.0 / curvature
    if abs(lr - one) <= slack:
        return "one step"
    if abs(lr - edge) <= slack:
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
        r: 1 − lr·f″, the factor on the signed offset x − x* per step (near x* only, for a
            non-quadratic).
        regime: one of REGIMES (from r; local for a non-quadratic).
        predicted: steps to reach TOL from the closed form (quadratics only; None if never).
        exact: True when the objective is a quadratic, so the prediction is exact.
    """

    curvature: float
    r: float
    regime: str
    predicted: int | None
    exact: bool


def theory(obj: Objective, run: DescentRun, lr_step: float = 0.0) -> Theory:
    """The regime of `run` from the curvature at its minimum, with the predicted step count."""
    exact = obj.curvature is not None
    h = obj.curvature if exact else float(obj.d2f(run.x_star))
    predicted = predicted_steps(float(run.x[0]), run.x_star, run.lr, h) if exact else None
    return Theory(h, ratio(run.lr, h), regime(run.lr, h, lr_step), predicted, exact)


# --- Verdicts: what a run did, in words ranked by speed and safety ------------------------
FAST = 10    # converged within this many steps: fast, whichever side it came from
SLOW = 40    # converged only after more steps than this, or not at all: slow


@dataclass(frozen=True)
class Verdict:
    """The headline a page shows for a descent run, from what the run did.

    Attributes:
        word: the headline ("Creeping", "Fast, oscillating in", "Diverging", …).
        level: "success", "info", "warning" or "error": by speed and safety, not direction.
        behaviour: what the ball does, in words.
        outcome: what this run did: when it got within TOL of x*, or why it did not.
    """

    word: str
    level: str
    behaviour: str
    outcome: str


PACE_WORDS = {  # direction → (fast, steady, slow) headlines
    "one side": ("Fast, from one side", "Creeping", "Creeping slowly"),
    "across": ("Fast, oscillating in", "Oscillating", "Oscillating slowly"),
    "hump": ("Over the hump, fast", "Over the hump", "Over the hump, slowly"),
}
PACE_LEVELS = ("success", "info", "warning")


def verdict(obj: Objective, run: DescentRun, lr_step: float = 0.0) -> Verdict:
    """Name what a descent run did, with r = 1 − η·f″ where it is exact (a quadratic).

    On a quadratic, r decides everything, so the regime comes from r (to the precision η is
    held to). Elsewhere r only holds near a minimum, so the words come from the run itself:
    whether it ran away, cycled, stalled on a hump, changed valley or crossed its minimum.
    """
    outcome = _outcome(run)
    pace = _pace(run)
    if run.status != "diverged" and run.error[0] == 0:     # no rule about r applies: f′ = 0
        return Verdict("At the minimum", "success", "starts exactly on the minimum, where "
                       "f′ = 0: no step moves it", outcome)
    if obj.curvature is not None:
        return _quadratic_verdict(run, obj.curvature, lr_step, pace, outcome)
    if run.status == "diverged":
        return Verdict("Diverging", "error", "runs away from every minimum", outcome)
    if run.status == "cycling":
        return Verdict("Cycling", "warning", f"keeps jumping between {run.x[-2]:.4g} and "
                       f"{run.x[-1]:.4g}, neither closer nor farther", outcome)
    hump = on_hump(obj, float(run.x[-1]), run.x_star) if run.converged_at is None else None
    if hump is not None:
        return Verdict("On the hump", "warning",
                       f"rests near the top of the hump at x ≈ {hump:.4g}, where f′ ≈ 0: it "
                       "rolls off slowly, towards the valley of x* = "
                       f"{run.x_star:.4g}", outcome)
    if obj.valley(float(run.x[0])) != run.x_star:
        direction, words = "hump", (f"jumps the hump from the valley of x* = "
                                    f"{obj.valley(float(run.x[0])):.4g} into the other one")
    elif crossed(run):
        direction, words = "across", "jumps across the minimum, closer every time"
    else:
        direction, words = "one side", "moves towards the minimum from one side"
    return Verdict(PACE_WORDS[direction][pace], PACE_LEVELS[pace], words, outcome)


def _quadratic_verdict(run: DescentRun, h: float, lr_step: float, pace: int,
                       outcome: str) -> Verdict:
    r = ratio(run.lr, h)
    name = regime(run.lr, h, lr_step)
    if name == "one step":
        words = ("lands on the minimum in a single step" if r == 0 else
                 f"lands next to the minimum in one step, leaving |r| = {abs(r):.2g} of its "
                 "distance (η is 1/f″ to the precision it is set to)")
        return Verdict("One step", PACE_LEVELS[pace], words, outcome)
    if name == "bouncing":
        words = ("bounces between two points forever (r = −1)" if r == -1 else
                 f"bounces across the minimum: r = {r:.4g} ≈ −1 (η is 2/f″ to the precision "
                 f"it is set to), so each bounce {'grows' if r < -1 else 'shrinks'} by only "
                 f"{abs(abs(r) - 1):.2%}")
        return Verdict("Bouncing", "warning", words, outcome)
    if name == "diverging":
        return Verdict("Diverging", "error", f"overshoots farther every step (|r| = "
                       f"{abs(r):.3g} > 1) and diverges", outcome)
    direction = "one side" if name == "creeping" else "across"
    words = ("moves towards the minimum from one side" if name == "creeping" else
             "jumps across the minimum, closer every time")
    return Verdict(PACE_WORDS[direction][pace], PACE_LEVELS[pace], words, outcome)


def _pace(run: DescentRun) -> int:
    """0 fast, 1 steady, 2 slow (or never), from the step the run settled at."""
    if run.converged_at is None:
        return 2
    return 0 if run.converged_at <= FAST else 1 if run.converged_at <= SLOW else 2


def _outcome(run: DescentRun) -> str:
    if run.status == "diverged":
        return (f"**diverged**: at step {run.diverged_at} x ran away, so the run was stopped "
                f"there")
    if run.converged_at is not None:
        return (f"__within {TOL:g} of x* = {run.x_star:.4g} from step {run.converged_at}__ "
                f"(of {run.steps})")
    where = (f"__not within {TOL:g} of x* = {run.x_star:.4g} in {run.steps} steps__: x = "
             f"{run.x[-1]:.4g} is still {run.error[-1]:.3g} away")
    if run.status == "cycling":
        where += f", jumping between {run.x[-2]:.4g} and {run.x[-1]:.4g}"
    return where


def crossed(run: DescentRun, tol: float = TOL) -> bool:
    """Whether the run ever jumped from one side of x* to the other (farther than tol out)."""
    side = np.sign(run.x - run.x_star)[run.error > tol]
    return bool(np.any(side[1:] != side[:-1]))


# --- The words an animation says at each frame (gdviz/playback.js's status line) ---------------
def frame_words(run: DescentRun, ks: Sequence[int]) -> list[str]:
    """What frame k shows, for each k in ks: "step 12 of 33, x = 2.412"."""
    return [f"step {k} of {run.steps}, x = {run.x[k]:.4g}" for k in ks]


def run_words(obj: Objective, run: DescentRun, lr_step: float = 0.0) -> str:
    """What holds at every frame of a descent run: its verdict, and η as a share of the limit
    2/f″ (exact on a parabola, local elsewhere: f″ at the minimum the run is judged against).

    Args:
        lr_step: the precision η is held to, as for verdict (so the words agree with the page).
    """
    th = theory(obj, run, lr_step)
    limit = 2 / th.curvature
    where = "the limit" if th.exact else "the local limit"
    return (f"{verdict(obj, run, lr_step).word.lower()}, η is {run.lr / limit:.2g} of "
            f"{where} 2/f″ = {limit:.3g}")
