"""Predict, then reveal (`quiz=1`): the quiz's questions, their true answers read off a run,
the grading of a student's predictions, and a new round's η.

A student predicts what a run will do before it plays; each graded prediction becomes one
`Answer`, a plain frozen record a class board can collect. The true answer always comes from
the run the page shows (on a parabola from r = 1 − η·f″, which is exact there; elsewhere
from what the run did), so the reveal agrees with the verdict beside it. Nothing here
imports Streamlit; the page is gdviz/pages/quiz.py.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from gdviz import descent
from gdviz.descent import DescentRun
from gdviz.neuron import TrainingRun
from gdviz.objectives import Objective
from gdviz.settings import Field

QUIZ, QUIZ_LR = "quiz", "quiz_lr"
RANGE_SEP = ".."
# η a new round draws from when the link gives no quiz_lr: on the seed's parabola (f″ = 2)
# 0.05..1.2 holds creeping, oscillating and diverging rates; the neuron's stability limit
# moves with its settings, so its range spans the decades where its cost changes behaviour
DEFAULT_RANGES = {"descent": (0.05, 1.2), "neuron": (0.01, 100.0)}
LOG_SPAN = 100.0         # a range wider than this factor (two decades) is drawn uniformly in log η

# descent.REGIMES, in the words a student picks from
DESCENT_CHOICES = {
    "creeping": "creeps in from one side",
    "one step": "lands on the minimum in one step",
    "oscillating": "oscillates inwards",
    "bouncing": "bounces between two points forever",
    "diverging": "diverges",
}
# what the training cost does, read off the run (neuron_truth)
NEURON_CHOICES = {
    "smooth": "falls smoothly (never goes up)",
    "oscillates": "oscillates (goes up in some epochs)",
    "blows up": "blows up (a weight runs away)",
}
X1_ABS, X1_REL = 0.1, 0.05    # a guess of x₁ is right within 0.1 or 5 % of x₁, the larger
ACCURACY_POINTS = 5.0         # a guess of the accuracy is right within 5 percentage points


@dataclass(frozen=True)
class Answer:
    """One graded prediction, as a class board would collect it.

    Attributes:
        lesson: "descent" or "neuron".
        round: the round it was made in (1, 2, … within the session).
        lr: the η of the run predicted.
        question: what was asked ("regime", "x after step 1", "cost", "test accuracy").
        prediction, truth: the student's answer and the run's, in words.
        right: whether they agree (within the stated tolerance for a number).
    """

    lesson: str
    round: int
    lr: float
    question: str
    prediction: str
    truth: str
    right: bool


def parse_range(text: str, field: Field) -> tuple[float, float]:
    """Read `quiz_lr=LO..HI`: two finite numbers, LO < HI, both within the lr field's range.

    Raises:
        ValueError: a sentence saying what a range must be. It does not repeat the refused
            text, which may hold anything (`nan..inf`, Markdown, HTML).
    """
    lo_text, sep, hi_text = text.strip().partition(RANGE_SEP)
    want = (f"{QUIZ_LR} must be two learning rates LO{RANGE_SEP}HI with "
            f"{field.lo:g} ≤ LO < HI ≤ {field.hi:g}")
    if not sep:
        raise ValueError(want)
    try:
        lo, hi = field.parse(lo_text), field.parse(hi_text)
    except ValueError:
        raise ValueError(want) from None
    if not lo < hi:
        raise ValueError(want)
    return float(lo), float(hi)


def range_text(lo: float, hi: float) -> str:
    """A range as quiz_lr writes it."""
    return f"{lo:g}{RANGE_SEP}{hi:g}"


def draw_lr(lo: float, hi: float, step: float, rng: np.random.Generator) -> float:
    """A new round's η: a random point of the lr widget's grid (multiples of `step`) in
    [lo, hi], uniform, or uniform in log η when hi/lo > LOG_SPAN (so a range of several
    decades does not put nearly every draw in its top decade)."""
    k_lo, k_hi = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    if k_hi <= k_lo:
        return float(lo)
    if hi / lo > LOG_SPAN:
        k = round(math.exp(rng.uniform(math.log(k_lo), math.log(k_hi))))
    else:
        k = int(rng.integers(k_lo, k_hi + 1))
    places = max(0, -math.floor(math.log10(step)))
    return round(min(max(k, k_lo), k_hi) * step, places)


def descent_truth(obj: Objective, run: DescentRun, lr_step: float) -> str | None:
    """The run's regime, one of descent.REGIMES, or None when no regime applies (the ball
    starts exactly on its minimum).

    On a quadratic, r = 1 − η·f″ decides it exactly (descent.regime, as the verdict does).
    Elsewhere r holds only near a minimum, so the regime is read off what the run did: ran
    away, cycled between two points, settled in one step, crossed its minimum, or none.
    """
    if run.status != "diverged" and run.error[0] == 0:
        return None
    if obj.curvature is not None:
        return descent.regime(run.lr, obj.curvature, lr_step)
    if run.status == "diverged":
        return "diverging"
    if run.status == "cycling":
        return "bouncing"
    if run.converged_at == 1:
        return "one step"
    return "oscillating" if descent.crossed(run) else "creeping"


def first_step(run: DescentRun) -> float | None:
    """x₁, where the ball is after the first step (None if the run stopped before it)."""
    return float(run.x[1]) if run.steps >= 1 else None


def x1_tolerance(x1: float) -> float:
    """How far a guess of x₁ may be from it and still count: 0.1 or 5 % of |x₁|."""
    return max(X1_ABS, X1_REL * abs(x1))


def x1_right(guess: float, x1: float) -> bool:
    """Whether a guess of x₁ is within x1_tolerance of it."""
    return math.isfinite(guess) and abs(guess - x1) <= x1_tolerance(x1)


def neuron_truth(run: TrainingRun) -> str:
    """What the training cost did, one of NEURON_CHOICES: blew up (a weight ran away and
    training stopped), went up in some epoch (by more than rounding, neuron.cost_rises), or
    never went up."""
    if run.status == "diverged":
        return "blows up"
    return "oscillates" if len(run.rises) else "smooth"


def accuracy_right(guess_percent: float, accuracy: float) -> bool:
    """Whether a guess in percent is within ACCURACY_POINTS of an accuracy in [0, 1]."""
    return (math.isfinite(guess_percent)
            and abs(guess_percent - 100 * accuracy) <= ACCURACY_POINTS + 1e-9)


def score(answers: Iterable[Answer], lesson: str) -> tuple[int, int, int]:
    """(predictions right, predictions graded, rounds) of `lesson`'s answers."""
    mine = [a for a in answers if a.lesson == lesson]
    return sum(a.right for a in mine), len(mine), len({a.round for a in mine})
