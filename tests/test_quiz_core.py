"""The quiz's core (gdviz/quiz.py): quiz_lr read and refused, a new round's η, the true
answers read off runs, and the grading, each against an independent reference."""
from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz import descent, neuron, objectives, quiz
from gdviz.data import make_pets
from gdviz.links import LinkOptions, link_query, read_options
from gdviz.settings import DESCENT_FIELDS, NEURON_FIELDS, by_key

LR = by_key(DESCENT_FIELDS)["lr"]          # 0.001 .. 2.5, step 0.001
NEURON_LR = by_key(NEURON_FIELDS)["lr"]    # 0.001 .. 100


@pytest.mark.parametrize("text, expected", [("0.05..1.2", (0.05, 1.2)),
                                             (" 0.3 .. 0.4 ", (0.3, 0.4)),
                                             ("0.001..2.5", (0.001, 2.5))])
def test_a_range_within_the_lr_field_is_read(text, expected):
    assert quiz.parse_range(text, LR) == expected


@pytest.mark.parametrize("text", ["", "abc", "0.5", "1..0.5", "0.5..0.5", "0..1", "0.1..3",
                                  "nan..1", "0.1..inf", "1e309..2", "-1..1", "0.1..0.2..0.3",
                                  "0.1,0.2", "<b>1</b>..2", "0x1..2"])
def test_a_bad_range_is_refused_with_a_sentence(text):
    with pytest.raises(ValueError, match="quiz_lr must be two learning rates"):
        quiz.parse_range(text, LR)


def test_the_range_text_reads_back():
    assert quiz.parse_range(quiz.range_text(0.05, 1.2), LR) == (0.05, 1.2)


@pytest.mark.parametrize("lo, hi", [(0.05, 1.2), (0.3, 0.4), (0.333, 0.334), (0.01, 100.0)])
def test_a_new_rounds_lr_is_on_the_widgets_grid_and_inside_the_range(lo, hi):
    rng = np.random.default_rng(1)
    draws = np.array([quiz.draw_lr(lo, hi, 0.001, rng) for _ in range(2000)])
    assert draws.min() >= lo and draws.max() <= hi
    assert np.allclose(np.round(draws / 0.001), draws / 0.001, atol=1e-6)
    assert len(set(draws.tolist())) > 1
    # both ends are reached: the draw covers the range, not a corner of it
    assert draws.min() < lo + 0.1 * (hi - lo) or hi / lo > quiz.LOG_SPAN
    assert draws.max() > hi - 0.1 * (hi - lo)


def test_a_narrow_range_is_drawn_uniformly_a_wide_one_uniformly_in_log():
    rng = np.random.default_rng(2)
    narrow = np.array([quiz.draw_lr(0.05, 1.2, 0.001, rng) for _ in range(4000)])
    # uniform: P(η < 0.5) = 0.45 / 1.15 (the seed's creeping rates)
    assert abs(np.mean(narrow < 0.5) - 0.45 / 1.15) < 0.03
    wide = np.array([quiz.draw_lr(0.01, 100.0, 0.001, rng) for _ in range(4000)])
    # uniform in log η: each of the four decades holds a quarter
    for lo in (0.01, 0.1, 1.0, 10.0):
        assert abs(np.mean((wide >= lo) & (wide < 10 * lo)) - 0.25) < 0.03


def test_the_same_rng_draws_the_same_rounds():
    a = [quiz.draw_lr(0.05, 1.2, 0.001, np.random.default_rng(7)) for _ in range(3)]
    b = [quiz.draw_lr(0.05, 1.2, 0.001, np.random.default_rng(7)) for _ in range(3)]
    assert a == b


def by_hand(x0: float, lr: float) -> str:
    """The regime on x² − 4x + 6 from the first step's factor e₁/e₀, computed by hand."""
    x1 = x0 - lr * (2 * x0 - 4)
    r = (x1 - 2) / (x0 - 2)
    if math.isclose(r, 0, abs_tol=1e-9):
        return "one step"
    if math.isclose(r, -1, abs_tol=1e-9):
        return "bouncing"
    return "creeping" if r > 0 else "oscillating" if r > -1 else "diverging"


@pytest.mark.parametrize("lr", [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1, 1.2])
def test_the_parabolas_regime_agrees_with_the_first_step_by_hand(parabola, lr):
    run = descent.descend(parabola, 8.0, lr, 33)
    assert quiz.descent_truth(parabola, run, LR.step) == by_hand(8.0, lr)
    assert quiz.first_step(run) == pytest.approx(8.0 - lr * (2 * 8.0 - 4))


def test_a_ball_on_the_minimum_has_no_regime(parabola):
    run = descent.descend(parabola, 2.0, 0.3, 10)
    assert quiz.descent_truth(parabola, run, LR.step) is None


@pytest.mark.parametrize("x0, lr", [(8.0, 0.05), (8.0, 0.3), (-3.0, 0.5), (5.5, 1.5),
                                    (8.0, 2.4), (-8.0, 0.02), (1.9, 0.8)])
def test_on_two_valleys_the_regime_is_what_the_run_did(x0, lr):
    obj = objectives.by_name("two-valleys", 1.0, -4.0, 6.0)
    run = descent.descend(obj, x0, lr, 200)
    truth = quiz.descent_truth(obj, run, LR.step)
    sides = np.sign(run.x - run.x_star)[run.error > descent.TOL]
    crossed = bool(np.any(sides[1:] != sides[:-1]))
    if run.status == "diverged":
        assert truth == "diverging"
    elif truth == "creeping":
        assert not crossed
    elif truth == "oscillating":
        assert crossed
    else:
        assert truth in ("bouncing", "one step")


@pytest.mark.parametrize("x1, guess, right", [(-2.8, -2.8, True), (-2.8, -2.67, True),
                                              (-2.8, -2.65, False), (0.5, 0.59, True),
                                              (0.5, 0.62, False), (100.0, 104.9, True),
                                              (100.0, 105.1, False), (1.0, math.nan, False)])
def test_a_first_step_guess_counts_within_a_tenth_or_five_percent(x1, guess, right):
    assert quiz.x1_right(guess, x1) is right


@pytest.mark.parametrize("guess, accuracy, right", [(77, 0.72, True), (67, 0.72, True),
                                                    (77.5, 0.72, False), (66, 0.72, False),
                                                    (92, 0.92, True), (math.inf, 0.5, False)])
def test_an_accuracy_guess_counts_within_five_points(guess, accuracy, right):
    assert quiz.accuracy_right(guess, accuracy) is right


@pytest.fixture(scope="module")
def pets():
    return make_pets(200, 1.0, 0.5, 0.25, 0)


def test_the_neurons_cost_answer_is_what_its_cost_curve_did(pets):
    smooth = neuron.train(neuron.NeuronSettings(lr=0.1, loss="ce"), pets)
    assert np.all(np.diff(smooth.train_cost) <= 0)
    assert quiz.neuron_truth(smooth) == "smooth"
    wobbly = neuron.train(neuron.NeuronSettings(lr=1.0, loss="ce", standardize=False), pets)
    assert np.sum(np.diff(wobbly.train_cost) > 1e-6) > 10
    assert quiz.neuron_truth(wobbly) == "oscillates"
    wild = neuron.train(neuron.NeuronSettings(lr=1e5, loss="ce", standardize=False), pets)
    assert np.max(np.abs(wild.w[-1])) > 1e5 / 10 and len(wild.b) < 201
    assert quiz.neuron_truth(wild) == "blows up"


def answer(lesson: str, rnd: int, right: bool) -> quiz.Answer:
    return quiz.Answer(lesson, rnd, 0.1, "regime", "a", "a" if right else "b", right)


def test_the_score_counts_one_lessons_predictions_and_rounds():
    answers = [answer("descent", 1, True), answer("descent", 1, False),
               answer("descent", 2, True), answer("neuron", 1, True)]
    assert quiz.score(answers, "descent") == (2, 3, 2)
    assert quiz.score(answers, "neuron") == (1, 1, 1)
    assert quiz.score([], "descent") == (0, 0, 0)


def test_a_links_quiz_is_read_and_written_back():
    options, notes = read_options(DESCENT_FIELDS, {"quiz": ["1"], "quiz_lr": ["0.3..0.9"]})
    assert options == LinkOptions(quiz=True, quiz_lr=(0.3, 0.9)) and notes == []
    query = link_query({"lr": 0.5}, options)
    assert query == "lr=0.5&quiz=1&quiz_lr=0.3..0.9"
    assert read_options(DESCENT_FIELDS, {"quiz": ["1"], "quiz_lr": ["0.3..0.9"]})[0] == options


@pytest.mark.parametrize("raw, said", [
    ({"quiz": ["yes"]}, "quiz can only be 1 or 0"),
    ({"quiz": ["1", "1"]}, "quiz appears 2 times"),
    ({"quiz": ["1"], "quiz_lr": ["0.5..200"]}, "quiz_lr must be two learning rates"),
    ({"quiz": ["1"], "quiz_lr": ["a", "b"]}, "quiz_lr appears 2 times"),
])
def test_a_bad_quiz_in_a_link_falls_back_with_a_note(raw, said):
    options, notes = read_options(NEURON_FIELDS, raw)
    assert len(notes) == 1 and said in notes[0]
    assert options.quiz_lr is None
    assert options.quiz is (raw["quiz"] == ["1"] and "quiz appears" not in said)
