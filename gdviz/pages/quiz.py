"""Predict, then reveal (`quiz=1`) on a lesson page: the prediction form, the reveal with
its reason, the score, and "New round".

Until the student commits, the page shows no verdict, no theory and no run (the lessons
draw a still figure instead, and skip their sections); the form is an st.form, so picking
an answer does not rerun the page. Committing grades the predictions against the run on
screen (gdviz/quiz.py) and keeps them in the session's list of answers, a plain list of
`quiz.Answer` records that a class board can collect. This module owns the quiz's session
state: the answers, each lesson's round and the prediction made in it.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import streamlit as st

from gdviz import descent, quiz
from gdviz.data import Dataset
from gdviz.links import LinkOptions
from gdviz.neuron import TrainingRun
from gdviz.objectives import Objective
from gdviz.quiz import Answer
from gdviz.settings import Field, by_key

ANSWERS = "gdviz.quiz.answers"      # session state: every graded prediction, in order


def _key(lesson: str, what: str) -> str:
    return f"gdviz.{lesson}.quiz_{what}"


def answers() -> list[Answer]:
    """Every prediction graded in this session, both lessons, oldest first."""
    return list(st.session_state.get(ANSWERS, []))


def round_number(lesson: str) -> int:
    """The round `lesson`'s quiz is in (1 until the first "New round")."""
    return st.session_state.get(_key(lesson, "round"), 1)


def revealed(lesson: str, s: dict) -> bool:
    """Whether the student committed a prediction in this round for the settings `s` on
    screen: only then may the page show the run and what it did."""
    made = st.session_state.get(_key(lesson, "made"))
    return made is not None and made[0] == round_number(lesson) and made[1] == s


def with_lr_locked(options: LinkOptions, fields: Sequence[Field]) -> LinkOptions:
    """A quiz's options: η is the round's, so the lr control is locked with the rest."""
    if not options.quiz or "lr" in options.lock:
        return options
    lock = tuple(f.key for f in fields if f.key in options.lock or f.key == "lr")
    return dataclasses.replace(options, lock=lock)


def lr_range(lesson: str, options: LinkOptions) -> tuple[float, float]:
    """The range a new round draws η from: the link's quiz_lr, else the lesson's own."""
    return options.quiz_lr or quiz.DEFAULT_RANGES[lesson]


# --- Committing and new rounds (button callbacks: they run before the page's script) -------
def _keep(lesson: str, rnd: int, s: dict, made: list[Answer]) -> None:
    st.session_state[ANSWERS] = [*answers(), *made]
    st.session_state[_key(lesson, "made")] = (rnd, dict(s), tuple(made))


def _commit_descent(rnd: int, s: dict, truth: str | None, x1: float | None) -> None:
    picked = st.session_state.get(_key("descent", f"regime_{rnd}"))
    guess = st.session_state.get(_key("descent", f"x1_{rnd}"))
    if picked is None:
        st.session_state[_key("descent", "missing")] = True
        return
    made = []
    if truth is not None:
        made.append(Answer("descent", rnd, s["lr"], "regime", quiz.DESCENT_CHOICES[picked],
                           quiz.DESCENT_CHOICES[truth], picked == truth))
    if guess is not None and x1 is not None:
        made.append(Answer("descent", rnd, s["lr"], "x after step 1", f"{guess:.6g}",
                           f"{x1:.6g}", quiz.x1_right(float(guess), x1)))
    _keep("descent", rnd, s, made)


def _commit_neuron(rnd: int, s: dict, truth: str, accuracy: float) -> None:
    picked = st.session_state.get(_key("neuron", f"cost_{rnd}"))
    guess = st.session_state.get(_key("neuron", f"accuracy_{rnd}"))
    if picked is None:
        st.session_state[_key("neuron", "missing")] = True
        return
    made = [Answer("neuron", rnd, s["lr"], "cost", quiz.NEURON_CHOICES[picked],
                   quiz.NEURON_CHOICES[truth], picked == truth)]
    if guess is not None:
        made.append(Answer("neuron", rnd, s["lr"], "test accuracy", f"{guess:g} %",
                           f"{100 * accuracy:.1f} %", quiz.accuracy_right(float(guess),
                                                                          accuracy)))
    _keep("neuron", rnd, s, made)


def _new_round(lesson: str, lo: float, hi: float, step: float) -> None:
    st.session_state["lr"] = quiz.draw_lr(lo, hi, step, np.random.default_rng())
    st.session_state[_key(lesson, "round")] = round_number(lesson) + 1


# --- What the page shows ------------------------------------------------------------------
def _rules(lo: float, hi: float) -> None:
    st.caption(f"**Quiz.** Predict, then commit: only then does the run play and the page "
               f"say what it did, and why. η is set by the round and locked, since changing "
               f"it would be a different question: round 1 uses the link's η, and \"New "
               f"round\" draws a random η from {lo:g} to {hi:g}. Change another setting and "
               "the question is asked again for the new run; every prediction committed "
               "counts.")


def _missing(lesson: str) -> None:
    if st.session_state.pop(_key(lesson, "missing"), False):
        st.warning("Pick an answer before you commit.", icon="✋")


def _footer(lesson: str, lo: float, hi: float, step: float) -> None:
    right, graded, rounds = quiz.score(answers(), lesson)
    if graded:
        st.markdown(f"**Your score:** {right} of {graded} predictions right, over {rounds} "
                    f"round{'s' * (rounds != 1)}.")
    st.button(f"New round (a random η from {lo:g} to {hi:g})", key=_key(lesson, "new"),
              on_click=_new_round, args=(lesson, lo, hi, step))


def _graded(made: Sequence[Answer]) -> None:
    """Each prediction beside the truth, right or wrong."""
    for a in made:
        mark = "✅ right" if a.right else "❌ wrong"
        st.markdown(f"- **{a.question}**: you said _{a.prediction}_; the run: "
                    f"_{a.truth}_. {mark}.")


def _made(lesson: str) -> tuple[Answer, ...]:
    return st.session_state[_key(lesson, "made")][2]


def descent_panel(s: dict, obj: Objective, run: descent.DescentRun, lr_step: float,
                  field: Field, options: LinkOptions) -> bool:
    """The quiz on `/`: the form until the student commits, then the reveal.

    Returns:
        Whether the run is revealed (the page then shows its verdict, theory and sections).
    """
    lo, hi = lr_range("descent", options)
    rnd = round_number("descent")
    truth = quiz.descent_truth(obj, run, lr_step)
    x1 = quiz.first_step(run)
    shown = revealed("descent", s)
    with st.container(border=True):
        st.subheader(f"Round {rnd}: predict, then commit")
        if not shown:
            with st.form(_key("descent", f"form_{rnd}"), border=False):
                st.markdown(f"The ball starts at x₀ = {s['x0']:g} with η = {s['lr']:.6g}.")
                st.radio("What will the ball do?", list(quiz.DESCENT_CHOICES),
                         format_func=quiz.DESCENT_CHOICES.get, index=None,
                         key=_key("descent", f"regime_{rnd}"))
                st.number_input("Where will the ball be after the first step? (optional; "
                                "right within 0.1 or 5 % of the true x₁, whichever is "
                                "larger)", value=None, format="%.4f",
                                key=_key("descent", f"x1_{rnd}"))
                st.form_submit_button("Commit my prediction", type="primary",
                                      on_click=_commit_descent, args=(rnd, s, truth, x1))
            _missing("descent")
        else:
            _graded(_made("descent"))
            st.markdown(descent_reason(obj, run, lr_step, truth))
            if x1 is not None:
                st.markdown(first_step_reason(run, x1))
        _footer("descent", lo, hi, field.step)
    _rules(lo, hi)
    return shown


def descent_reason(obj: Objective, run: descent.DescentRun, lr_step: float,
                   truth: str | None) -> str:
    """Why the run did what it did: r and 2/f″, exact on a parabola, local elsewhere."""
    if truth is None:
        return ("**Why:** the ball starts exactly on the minimum, where f′ = 0: no step moves "
                "it, so no regime applies and the regime was not graded.")
    th = descent.theory(obj, run, lr_step)
    h, r, lr = th.curvature, th.r, run.lr
    one, two = 1 / h, 2 / h
    if th.exact:
        why = {
            "creeping": f"η = {lr:.6g} is below 1/f″ = {one:.4g}, so 0 < r < 1: every step "
                        "stays on the same side of x*, closer",
            "one step": f"η = {lr:.6g} is 1/f″ = {one:.4g} to the precision η is set to, so "
                        "r ≈ 0: the first step lands on x*",
            "oscillating": f"η = {lr:.6g} is between 1/f″ = {one:.4g} and 2/f″ = {two:.4g}, "
                           "so −1 < r < 0: every step crosses x*, closer",
            "bouncing": f"η = {lr:.6g} is 2/f″ = {two:.4g} to the precision η is set to, so "
                        "r ≈ −1: every step crosses x* to about the same distance",
            "diverging": f"η = {lr:.6g} is above 2/f″ = {two:.4g}, so r < −1: every step "
                         "crosses x* farther out",
        }[truth]
        return (f"**Why:** on a parabola f″ = {h:.4g} everywhere, so each step multiplies "
                f"x − x* by r = 1 − η·f″ = 1 − {lr:.6g} × {h:.4g} = **{r:.4g}**, and "
                f"**2/f″ = {two:.4g}**, exactly. {why}.")
    v = descent.verdict(obj, run, lr_step)
    return (f"**Why:** here r = 1 − η·f″ is a local rule: near x* = {run.x_star:.4g}, where "
            f"f″ = {h:.4g}, r = **{r:.4g}** and **2/f″ = {two:.4g}**, but f″ changes away "
            f"from x*. So the answer is read from what this run did: **{v.word}**, the ball "
            f"{v.behaviour} (counted as \"{quiz.DESCENT_CHOICES[truth]}\").")


def first_step_reason(run: descent.DescentRun, x1: float) -> str:
    """x₁ = x₀ − η·f′(x₀), with the tolerance a guess was given."""
    x0, df0 = float(run.x[0]), float(run.dfx[0])
    return (f"**First step:** x₁ = x₀ − η·f′(x₀) = {x0:.4g} − {run.lr:.6g} × {df0:.4g} = "
            f"**{x1:.4g}** (a guess counts within {quiz.x1_tolerance(x1):.3g}).")


def neuron_panel(s: dict, data: Dataset, run: TrainingRun, fields: Sequence[Field],
                 options: LinkOptions) -> bool:
    """The quiz on `/neuron`: the form until the student commits, then the reveal.

    Returns:
        Whether the run is revealed (the page then shows its status, 2/λmax and sections).
    """
    lo, hi = lr_range("neuron", options)
    rnd = round_number("neuron")
    truth, accuracy = quiz.neuron_truth(run), float(run.test_acc[-1])
    shown = revealed("neuron", s)
    with st.container(border=True):
        st.subheader(f"Round {rnd}: predict, then commit")
        if not shown:
            with st.form(_key("neuron", f"form_{rnd}"), border=False):
                st.markdown(f"The neuron trains for {s['epochs']} epochs with η = "
                            f"{s['lr']:.6g}.")
                st.radio("What will the training cost do?", list(quiz.NEURON_CHOICES),
                         format_func=quiz.NEURON_CHOICES.get, index=None,
                         key=_key("neuron", f"cost_{rnd}"))
                st.number_input("Accuracy on the test animals after the last epoch, in % "
                                "(optional; right within 5 points)", min_value=0.0,
                                max_value=100.0, step=1.0, value=None, format="%.0f",
                                key=_key("neuron", f"accuracy_{rnd}"))
                st.form_submit_button("Commit my prediction", type="primary",
                                      on_click=_commit_neuron, args=(rnd, s, truth, accuracy))
            _missing("neuron")
        else:
            _graded(_made("neuron"))
            st.markdown(neuron_reason(run, data))
        _footer("neuron", lo, hi, by_key(fields)["lr"].step)
    _rules(lo, hi)
    return shown


def neuron_reason(run: TrainingRun, data: Dataset) -> str:
    """Why: what the cost curve did, 2/λmax (local) beside η, and the test accuracy."""
    lr, rises = run.settings.lr, len(run.rises)
    if run.status == "diverged":
        cost = f"the training cost blew up: {run.reason}"
    elif rises:
        noise = ("" if run.full_batch else ": each update follows one batch's cost, so the "
                 "cost goes up and down whatever η is")
        cost = f"the training cost went up in {rises} of its {run.final} epochs{noise}"
    else:
        cost = f"the training cost never went up in {run.final} epochs"
    start, end = run.lr_limit_start, run.lr_limit_end
    if math.isfinite(start) and math.isfinite(end):
        best = run.lr_limit_minimum
        at_best = "" if best is None else f", {best:.3g} at the cost's minimum"
        limit = (f"**2/λmax = {start:.3g}** at the start, {end:.3g} where training ends"
                 f"{at_best} (local limits: from the curvature where the weights are): "
                 f"η = {lr:.6g} is {lr / start:.2g} × the first")
    else:
        limit = "2/λmax is unbounded where the cost is flat, so it sets no limit there"
    if not run.full_batch:
        limit += " (they hold for the full batch; a single batch's limit differs)"
    n = len(data.y_test)
    acc = (f"Test accuracy after epoch {run.final}: **{run.test_acc[-1]:.1%}** "
           f"({round(run.test_acc[-1] * n)} of {n} test animals).")
    return (f"**Why:** {cost}; the cost curve is in the chart below. {limit}. A rate above "
            f"2/λmax overshoots the valley's floor where that curvature holds. {acc}")
