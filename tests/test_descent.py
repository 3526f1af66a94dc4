"""The descent core against independent references: the closed form, the seed, the theory."""
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz import compare, descent, objectives

# The seed's 33 printed iterates (shared/seed/000_10c35ab024e6dae2.txt), the acceptance data.
SEED_TABLE = [6.8, 5.84, 5.07, 4.45, 3.96, 3.57, 3.25, 3.00, 2.80, 2.64, 2.51, 2.41, 2.32, 2.26,
              2.21, 2.16, 2.13, 2.10, 2.08, 2.06, 2.05, 2.04, 2.03, 2.02, 2.02, 2.01, 2.01, 2.01,
              2.00, 2.00, 2.00, 2.00, 2.00]


def test_seed_run_matches_closed_form(parabola):
    run = descent.descend(parabola, 8.0, 0.1, 33)
    k = np.arange(34)
    np.testing.assert_allclose(run.x, 2 + 6 * 0.8**k, rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.fx, run.x**2 - 4 * run.x + 6, atol=1e-12)
    np.testing.assert_allclose(run.dfx, 2 * run.x - 4, atol=1e-12)


def test_seed_values_are_the_iterates_truncated(parabola):
    run = descent.descend(parabola, 8.0, 0.1, 33)
    exact = 2 + 6 * 0.8 ** np.arange(1, 34)
    assert [math.floor(v * 100) / 100 for v in exact] == pytest.approx(SEED_TABLE, abs=1e-12)
    assert run.x[4] == pytest.approx(4.4576)       # the seed prints 4.45: truncated, not rounded


@pytest.mark.parametrize("a,b,c", [(1, -4, 6), (0.5, 3, -2), (3, 0, 1), (2.5, -7, 4)])
@pytest.mark.parametrize("mult", [0.1, 0.7, 1.3, 1.9])
def test_quadratic_iterates_follow_r_to_the_k(a, b, c, mult):
    obj = objectives.quadratic(a, b, c)
    lr = mult / (2 * a)
    run = descent.descend(obj, 5.0, lr, 40)
    x_star, r = -b / (2 * a), 1 - lr * 2 * a
    expected = x_star + r ** np.arange(41) * (5.0 - x_star)
    np.testing.assert_allclose(run.x, expected, atol=1e-9)


@pytest.mark.parametrize("lr,regime,status", [
    (0.01, "creeping", "step limit"), (0.1, "creeping", "converged"),
    (0.5, "one step", "converged"), (0.8, "oscillating", "converged"),
    (1.0, "bouncing", "cycling"), (1.1, "diverging", "diverged"),
])
def test_regimes_on_the_seed(parabola, lr, regime, status):
    run = descent.descend(parabola, 8.0, lr, 33)
    assert descent.regime(lr, 2.0) == regime
    assert run.status == status


def test_edge_bounces_between_8_and_minus_4(parabola):
    run = descent.descend(parabola, 8.0, 1.0, 10)
    assert run.x.tolist() == [8.0, -4.0] * 5 + [8.0]
    assert "between" in run.reason


def test_optimal_rate_lands_in_one_step(parabola):
    run = descent.descend(parabola, 8.0, 0.5, 5)
    assert run.x[1] == 2.0 and run.converged_at == 1


@pytest.mark.parametrize("lr", [0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_predicted_steps_match_the_run(parabola, lr):
    run = descent.descend(parabola, 8.0, lr, 2000)
    assert descent.predicted_steps(8.0, 2.0, lr, 2.0) == run.converged_at
    assert descent.theory(parabola, run).predicted == run.converged_at


def test_seed_prediction_is_29(parabola):
    # 6·0.8^k ≤ 0.01  ⇔  k ≥ log(600)/log(1.25) = 28.67: the seed's table reads 2.00 from line 29
    assert descent.predicted_steps(8.0, 2.0, 0.1, 2.0) == 29
    assert SEED_TABLE[28] == 2.00 and SEED_TABLE[27] == 2.01


def test_divergence_stops_before_overflow_and_says_when(parabola):
    run = descent.descend(parabola, 8.0, 2.5, 10_000)
    assert run.status == "diverged"
    assert run.diverged_at is not None and run.steps == run.diverged_at - 1
    assert np.all(np.isfinite(run.x)) and np.all(np.isfinite(run.fx))
    assert f"step {run.diverged_at}" in run.reason
    # the error grows by |r| = 4 each step: stopped once it passed 100 × (6 + 1)
    assert 6 * 4 ** (run.diverged_at - 1) <= 700 < 6 * 4**run.diverged_at


def test_growing_but_unfinished_run_says_it_would_diverge(parabola):
    run = descent.descend(parabola, 8.0, 1.05, 20)
    assert run.status == "step limit" and "diverge" in run.reason


@pytest.mark.parametrize("x0,lr,steps,message", [
    (float("nan"), 0.1, 10, "x0"), (float("inf"), 0.1, 10, "x0"), (1e9, 0.1, 10, "x0"),
    (8, 0.0, 10, "learning rate"), (8, -0.1, 10, "learning rate"),
    (8, float("nan"), 10, "learning rate"), (8, 1e9, 10, "learning rate"),
    (8, 0.1, 0, "steps"), (8, 0.1, -3, "steps"), (8, 0.1, 10**9, "steps"),
    (8, 0.1, 2.5, "steps"),
])
def test_bad_input_is_refused_with_a_clear_message(parabola, x0, lr, steps, message):
    with pytest.raises(ValueError, match=message):
        descent.descend(parabola, x0, lr, steps)


def test_two_valleys_start_decides_the_valley():
    obj = objectives.two_valleys()
    left, right = obj.minima
    for m in obj.minima:   # they are minima: f' = 0 and f'' > 0
        assert abs(obj.df(m)) < 1e-9 and obj.d2f(m) > 0
    assert obj.f(left) < obj.f(right)             # the left valley is the deeper one
    assert descend_to(obj, 8.0) == pytest.approx(right, abs=0.01)
    assert descend_to(obj, -3.0) == pytest.approx(left, abs=0.01)


def descend_to(obj, x0):
    run = descent.descend(obj, x0, 0.1, 300)
    assert run.status == "converged"
    return run.x[-1]


@pytest.mark.parametrize("name", ["seed", "quadratic", "two-valleys"])
def test_derivatives_match_finite_differences(name):
    obj = objectives.by_name(name, 1.7, -2.0, 0.5)
    x, h = np.linspace(-6, 9, 31), 1e-5
    np.testing.assert_allclose(obj.df(x), (obj.f(x + h) - obj.f(x - h)) / (2 * h), atol=1e-5)
    np.testing.assert_allclose(obj.d2f(x), (obj.df(x + h) - obj.df(x - h)) / (2 * h), atol=1e-5)


def test_newton_lands_in_one_step_on_a_quadratic():
    obj = objectives.quadratic(3.0, 1.0, 0.0)
    run = descent.newton(obj, 7.0, 5)
    assert run.x[1] == pytest.approx(-1 / 6) and run.converged_at == 1


def test_newton_on_a_hump_does_not_climb():
    obj = objectives.two_valleys()
    run = descent.newton(obj, 2.2, 50)           # f'' < 0 here: a pure Newton step would climb
    assert run.status == "converged" and run.x_star in obj.minima


def test_momentum_matches_its_recurrence(parabola):
    run = descent.momentum(parabola, 8.0, 0.1, 20, beta=0.5)
    x, v = 8.0, 0.0
    for k in range(1, 21):
        v = 0.5 * v - 0.1 * (2 * x - 4)
        x = x + v
        assert run.x[k] == pytest.approx(x, abs=1e-12)


def test_grid_search_keeps_the_best_point_so_far(parabola):
    run = descent.grid_search(parabola, -6.0, 10.0, 33)
    xs = np.linspace(-6, 10, 33)
    for k in range(33):
        assert run.x[k] == xs[: k + 1][np.argmin(parabola.f(xs[: k + 1]))]
    assert run.x[-1] == 2.0 and run.status == "converged"


def test_sweep_has_a_wall_at_two_over_curvature(parabola):
    lrs, steps = compare.sweep(parabola, 8.0, 2.0)
    assert np.all(steps[lrs > 1.0 + 1e-9] == -1)            # past 2/f″: never
    assert np.all(steps[(lrs > 0.05) & (lrs < 0.95)] > 0)   # inside: always
    best = lrs[np.argmin(np.where(steps > 0, steps, 10**9))]
    assert best == pytest.approx(0.5, abs=0.02)             # fastest at 1/f″


@settings(max_examples=300, deadline=None)
@given(x0=st.floats(-1000, 1000), lr=st.floats(1e-6, 1000), steps=st.integers(1, 400),
       name=st.sampled_from(["seed", "quadratic", "two-valleys"]),
       a=st.floats(0.5, 5), b=st.floats(-10, 10))
def test_no_nan_or_inf_ever_escapes(x0, lr, steps, name, a, b):
    obj = objectives.by_name(name, a, b, 0.0)
    for run in (descent.descend(obj, x0, lr, steps), descent.momentum(obj, x0, lr, steps),
                descent.newton(obj, x0, steps)):
        assert run.status in descent.STATUSES
        assert np.all(np.isfinite(run.x)) and np.all(np.isfinite(run.fx))
        assert np.all(np.isfinite(run.dfx))
        assert 1 <= len(run.x) <= steps + 1
    said = descent.verdict(obj, descent.descend(obj, x0, lr, steps), 0.001)
    assert said.level in ("success", "info", "warning", "error")
    assert not re.search(r"\b(nan|inf)\b", f"{said.word} {said.behaviour} {said.outcome}")


# --- issue 12: verdicts true of the run -------------------------------------------------
LR_STEP = 0.001          # the lr widget's step (settings.DESCENT_FIELDS)
A_VALUES = [round(0.5 + 0.1 * i, 1) for i in range(46)]     # every a the widget allows


@pytest.mark.parametrize("a", A_VALUES)
def test_ghost_runs_land_in_the_regime_their_multiple_names(a):
    """The ghosts use the presets' multiples of 1/f″, put on the widget's grid."""
    runs, labels = compare.rates(objectives.quadratic(a), 8.0, 0.1, 40, 2 * a,
                                 lr_step=LR_STEP)
    named = {m: next(lab for run, lab in zip(runs, labels, strict=True)
                     if abs(run.lr - m / (2 * a)) <= LR_STEP / 2 + 1e-12)
             for m in (1.0, 1.6, 2.0, 2.2)}
    assert "(one step)" in named[1.0] and "(oscillating" in named[1.6]
    assert "(bouncing)" in named[2.0] and "(diverging)" in named[2.2]
    for run in runs:
        assert round(run.lr, 3) == run.lr        # every ghost's η is one the widget can hold


def test_regime_tolerance_is_the_widget_precision():
    assert descent.regime(0.333, 3.0, LR_STEP) == "one step"     # r = 0.001
    assert descent.regime(0.667, 3.0, LR_STEP) == "bouncing"     # r = −1.001
    assert descent.regime(0.334, 3.0, LR_STEP) == "oscillating"
    assert descent.regime(0.333, 3.0) == "creeping"               # exactly: r > 0


def test_the_run_is_judged_against_the_valley_it_is_heading_for():
    obj = objectives.two_valleys()
    run = descent.descend(obj, 2.28, 0.1, 33)       # just left of the hump: rolls left
    assert run.x[-1] < run.x[0] and run.x_star == obj.minima[0]
    assert "resting near the top of the hump" in run.reason and "diverge" not in run.reason
    assert descent.descend(obj, 2.28, 0.1, 300).converged_at == 136
    v = descent.verdict(obj, run, LR_STEP)
    assert v.word == "On the hump" and v.level == "warning"


def test_more_steps_would_diverge_only_when_true():
    obj = objectives.two_valleys()
    for x0 in np.linspace(-10, 10, 41):
        for lr in (0.05, 0.3, 0.7, 1.0, 1.5):
            run = descent.descend(obj, float(x0), lr, 30)
            assert "would diverge" not in run.reason          # r is only local here
    run = descent.descend(objectives.seed(), 8.0, 1.05, 20)
    longer = descent.descend(objectives.seed(), 8.0, 1.05, 10_000)
    assert "would diverge" in run.reason and longer.status == "diverged"


def test_plain_newton_climbs_to_the_hump_from_1_5():
    obj = objectives.two_valleys()
    x = 1.5                      # my own Newton loop on f′ = 0
    for _ in range(30):
        u = x - 2
        x -= (u * (u * u - 9) / 10 + 0.25) / ((3 * u * u - 9) / 10)
    assert abs((x - 2) * ((x - 2) ** 2 - 9) / 10 + 0.25) < 1e-12 and 3 * (x - 2) ** 2 < 9
    plain = descent.newton(obj, 1.5, 30, plain=True)
    assert plain.x[-1] == pytest.approx(x, abs=1e-9)
    assert "settled on the top of the hump" in plain.reason
    modified = descent.newton(obj, 1.5, 30)
    assert modified.status == "converged" and "modified Newton" in modified.reason


@pytest.mark.parametrize("lr,level", [(0.45, "success"), (0.1, "info"), (0.95, "warning"),
                                      (1.0, "warning"), (1.1, "error")])
def test_verdict_colours_follow_speed_and_safety(parabola, lr, level):
    run = descent.descend(parabola, 8.0, lr, 100)
    assert descent.verdict(parabola, run, LR_STEP).level == level


@pytest.mark.parametrize("lr", [0.1, 1.0, 2.5])
def test_a_run_that_starts_on_the_minimum_is_not_said_to_move(parabola, lr):
    run = descent.descend(parabola, 2.0, lr, 33)
    assert np.all(run.x == 2.0)
    assert descent.verdict(parabola, run, LR_STEP).word == "At the minimum"
