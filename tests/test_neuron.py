"""The neuron against independent references: math.exp, finite differences, Newton's method."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz import neuron as nn
from gdviz.data import make_pets
from gdviz.settings import NEURON_FIELDS, by_key

FIELDS = by_key(NEURON_FIELDS)


@pytest.fixture(scope="module")
def pets():
    """The default classroom data: 200 animals, a little overlap."""
    return make_pets(200, 1.0, 0.5, 0.25, seed=0)


@pytest.fixture
def strict():
    """Every floating-point problem is an error (underflow to 0 is the right answer, so not)."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


def reference_cost(p, x, y, loss):
    """The costs written the textbook way with math.exp/math.log (fine for moderate z)."""
    total = 0.0
    for xi, yi in zip(x, y, strict=True):
        yhat = 1.0 / (1.0 + math.exp(-(p[0] * xi[0] + p[1] * xi[1] + p[2])))
        if loss == "mse":
            total += (yhat - yi) ** 2 / 2
        else:
            total -= yi * math.log(yhat) + (1 - yi) * math.log(1 - yhat)
    return total / len(y)


def small_problem(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(30, 2)) * [2.0, 0.5]
    y = (rng.random(30) < 0.5).astype(float)
    p = rng.normal(size=3)
    return p, x, y


# --- σ and the costs ---------------------------------------------------------------------
def test_sigmoid_matches_math_exp_where_that_is_safe(strict):
    z = np.linspace(-30, 30, 121)
    expected = [1.0 / (1.0 + math.exp(-v)) for v in z]
    assert np.allclose(nn.sigmoid(z), expected, rtol=1e-14, atol=0)


def test_sigmoid_at_extremes_is_exact_and_silent(strict):
    z = np.array([-1e308, -1000.0, -745.0, 0.0, 745.0, 1000.0, 1e308])
    s = nn.sigmoid(z)
    assert s[0] == 0.0 and s[1] == 0.0 and s[3] == 0.5 and s[-1] == 1.0 and s[-2] == 1.0
    assert np.all((s >= 0) & (s <= 1))
    assert np.all(nn.sigmoid_prime(z) >= 0)


def test_sigmoid_prime_against_central_differences(strict):
    z = np.linspace(-8, 8, 33)
    h = 1e-6
    numeric = (nn.sigmoid(z + h) - nn.sigmoid(z - h)) / (2 * h)
    assert np.allclose(nn.sigmoid_prime(z), numeric, atol=1e-9)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_costs_match_the_textbook_formula(loss):
    p, x, y = small_problem(0)
    assert nn.cost(p, x, y, loss) == pytest.approx(reference_cost(p, x, y, loss), rel=1e-12)


def test_costs_at_extreme_inputs_stay_finite_and_right(strict):
    z = np.array([1000.0, -1000.0])
    y = np.array([0.0, 1.0])            # both confidently wrong
    assert nn.cross_entropy(z, y) == pytest.approx(1000.0)      # −log σ(−1000) = 1000
    assert nn.mse(z, y) == pytest.approx(0.5)
    right = np.array([1.0, 0.0])
    assert nn.cross_entropy(z, right) == 0.0
    assert nn.mse(z, right) == 0.0
    for f in (nn.mse_dz, nn.cross_entropy_dz, nn.mse_d2z, nn.cross_entropy_d2z):
        assert np.all(np.isfinite(f(z, y)))


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_fused_cost_and_gradient_equal_the_separate_ones(loss):
    z = np.linspace(-40, 40, 101)
    y = (np.arange(101) % 3 == 0).astype(float)
    c, dz = nn.LOSS[loss].cost_and_dz(z, y)
    assert c == pytest.approx(float(nn.LOSS[loss].cost(z, y)), rel=1e-12)
    assert np.allclose(dz, nn.LOSS[loss].dz(z, y), rtol=1e-12, atol=0)


def test_seed_cost_is_half_the_mean_squared_error():
    z, y = np.array([0.0, 0.0]), np.array([1.0, 0.0])   # ŷ = 0.5 for both
    assert nn.mse(z, y) == pytest.approx(0.125)         # 1/(2·2)·(0.25 + 0.25)


# --- Gradients and Hessian against finite differences -------------------------------------
@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_against_central_differences_of_the_textbook_cost(loss, seed):
    p, x, y = small_problem(seed)
    h = 1e-6
    numeric = [(reference_cost(p + e, x, y, loss) - reference_cost(p - e, x, y, loss)) / (2 * h)
               for e in np.eye(3) * h]
    assert np.allclose(nn.gradient(p, x, y, loss), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hessian_against_central_differences_of_the_gradient(loss, seed):
    p, x, y = small_problem(seed)
    h = 1e-6
    numeric = np.column_stack([(nn.gradient(p + e, x, y, loss) - nn.gradient(p - e, x, y, loss))
                               / (2 * h) for e in np.eye(3) * h])
    hess = nn.hessian(p, x, y, loss)
    assert np.allclose(hess, numeric, rtol=1e-5, atol=1e-8)
    assert np.allclose(hess, hess.T)


def test_numerical_gradient_check_agrees_and_catches_a_wrong_gradient():
    p, x, y = small_problem(4)
    numeric = nn.numerical_gradient(p, x, y, "mse")
    assert nn.relative_error(nn.gradient(p, x, y, "mse"), numeric) < 1e-7
    seed_gradient = nn.gradient(p, x, y, "mse") * [1, 1, 0]     # the seed never gives ∂C/∂b
    assert nn.relative_error(seed_gradient, numeric) > 1e-3


# --- Training -------------------------------------------------------------------------------
def test_separable_data_is_learned(strict):
    data = make_pets(400, 0.0, 0.5, 0.25, seed=5)
    run = nn.train(nn.NeuronSettings(lr=5.0, epochs=300, loss="ce"), data)
    assert run.train_acc[-1] == 1.0 and run.test_acc[-1] == 1.0
    assert run.train_cost[-1] < 0.05 * run.train_cost[0]


@pytest.mark.parametrize("standardize", [True, False])
def test_record_is_consistent_with_the_cost_function(pets, standardize):
    s = nn.NeuronSettings(lr=0.1 if standardize else 0.05, epochs=20, standardize=standardize)
    run = nn.train(s, pets)
    xs, xt = run.inputs(pets.x_train), run.inputs(pets.x_test)
    for k in (0, 7, run.final):
        assert run.train_cost[k] == pytest.approx(nn.cost(run.params(k), xs, pets.y_train, "mse"))
        assert run.test_cost[k] == pytest.approx(nn.cost(run.params(k), xt, pets.y_test, "mse"))
    # one full-batch update, written out
    p1 = run.params(0) - s.lr * nn.gradient(run.params(0), xs, pets.y_train, "mse")
    assert np.allclose(run.params(1), p1)
    assert len(run.b) == 21 and run.epochs[-1] == 20
    # the training accuracy per epoch, counted by hand from P(dog) on the raw inputs
    for k in (0, 7, run.final):
        said_dog = run.p_dog(pets.x_train, k) >= 0.5
        assert run.train_acc[k] == pytest.approx(np.mean(said_dog == (pets.y_train == 1)))


def test_accuracy_and_confusion_agree(pets):
    run = nn.train(nn.NeuronSettings(), pets)
    m = nn.confusion(pets.y_test, run.p_dog(pets.x_test, run.final))
    assert m.sum() == len(pets.y_test)
    assert (m[0, 0] + m[1, 1]) / m.sum() == pytest.approx(run.test_acc[-1])
    assert m[1].sum() == pets.y_test.sum()


def test_raw_weights_draw_the_same_boundary(pets):
    run = nn.train(nn.NeuronSettings(), pets)
    raw = run.raw_weights(run.final)
    z_raw = pets.x_test @ raw[:2] + raw[2]
    assert np.allclose(nn.sigmoid(z_raw), run.p_dog(pets.x_test, run.final))


def test_p_dog_over_many_epochs_is_each_epoch_in_a_column(pets):
    """The animation's P(dog) maps come from one product over all its epochs at once."""
    run = nn.train(nn.NeuronSettings(epochs=30), pets)
    ks = np.array([0, 7, 30])
    many = run.p_dog(pets.x_test, ks)
    assert many.shape == (len(pets.y_test), 3)
    for j, k in enumerate(ks):
        by_hand = 1 / (1 + np.exp(-(run.inputs(pets.x_test) @ run.w[k] + run.b[k])))
        assert np.allclose(many[:, j], by_hand) and np.allclose(many[:, j], run.p_dog(
            pets.x_test, int(k)))


def test_wrong_start_is_the_same_confident_mistake_with_or_without_scaling(pets):
    runs = [nn.train(nn.NeuronSettings(init="wrong", epochs=1, standardize=s), pets)
            for s in (True, False)]
    assert np.allclose(runs[0].raw_weights(0), runs[1].raw_weights(0))
    assert runs[0].train_acc[0] < 0.3
    # confidently wrong: the quadratic cost's σ′ factor is tiny, so its first step is too
    mse = nn.train(nn.NeuronSettings(init="wrong", epochs=50, loss="mse"), pets)
    ce = nn.train(nn.NeuronSettings(init="wrong", epochs=50, loss="ce"), pets)
    assert ce.train_acc[-1] > 0.9 > mse.train_acc[-1]


def test_random_start_is_seeded(pets):
    a = nn.train(nn.NeuronSettings(init="random", seed=3, epochs=1), pets)
    b = nn.train(nn.NeuronSettings(init="random", seed=3, epochs=1), pets)
    c = nn.train(nn.NeuronSettings(init="random", seed=4, epochs=1), pets)
    assert np.array_equal(a.w, b.w) and not np.array_equal(a.w, c.w)


def test_mini_batch_is_seeded_and_a_full_size_batch_is_full_batch(pets):
    a = nn.train(nn.NeuronSettings(batch=16, epochs=10), pets)
    b = nn.train(nn.NeuronSettings(batch=16, epochs=10), pets)
    assert np.array_equal(a.w, b.w)
    full = nn.train(nn.NeuronSettings(epochs=10), pets)
    whole = nn.train(nn.NeuronSettings(batch=len(pets.y_train), epochs=10), pets)
    assert np.allclose(full.w, whole.w)
    sgd = nn.train(nn.NeuronSettings(batch=1, lr=0.05, epochs=30), pets)
    assert sgd.train_acc[-1] > 0.85


def test_huge_learning_rate_is_stopped_with_a_reason_and_never_overflows(pets, strict):
    run = nn.train(nn.NeuronSettings(lr=1e5, loss="ce", standardize=False, epochs=500), pets)
    assert run.status == "diverged" and "epoch" in run.reason
    assert len(run.b) < 501
    for a in (run.w, run.b, run.train_cost, run.test_cost, run.train_acc):
        assert np.all(np.isfinite(a))


def test_a_rate_above_the_limit_at_the_end_is_called_oscillating(pets):
    run = nn.train(nn.NeuronSettings(lr=80.0, loss="ce"), pets)
    assert run.status == "oscillating"
    assert nn.train(nn.NeuronSettings(lr=5.0, loss="ce", epochs=400), pets).status == "settled"


def test_too_many_mini_batch_updates_are_refused_with_advice(pets):
    big = make_pets(10000, 1.0, 0.5, 0.1, seed=0)
    with pytest.raises(ValueError, match="batch size"):
        nn.train(nn.NeuronSettings(batch=1, epochs=100), big)


def test_cost_surface_passes_through_the_trained_cost(pets):
    run = nn.train(nn.NeuronSettings(), pets)
    w1, w2, b = run.params(run.final)
    grid = nn.cost_surface(np.array([w1 - 1, w1]), np.array([w2, w2 + 1]), b,
                           run.inputs(pets.x_train), pets.y_train, "mse")
    assert grid.shape == (2, 2)
    assert grid[0, 1] == pytest.approx(run.train_cost[-1])


# --- Curvature and the stability limit, checked by running descent -------------------------
def descent_distance(p_star, p_start, lr, x, y, steps=300):
    p = p_start.copy()
    for _ in range(steps):
        p = p - lr * nn.gradient(p, x, y, "ce")
    return np.linalg.norm(p - p_star)


def test_stability_limit_two_over_lambda_max_holds_empirically(pets):
    # cross-entropy is convex; Newton's method finds its minimum independently of descent
    run = nn.train(nn.NeuronSettings(loss="ce", epochs=50), pets)
    x, y = run.inputs(pets.x_train), pets.y_train
    p = run.params(run.final)
    for _ in range(30):
        p = p - np.linalg.solve(nn.hessian(p, x, y, "ce"), nn.gradient(p, x, y, "ce"))
    assert np.linalg.norm(nn.gradient(p, x, y, "ce")) < 1e-10
    h = nn.hessian(p, x, y, "ce")
    limit = nn.stability_limit(h)
    top = np.linalg.eigh(h)[1][:, -1]
    nudge = 1e-3
    start = p + nudge * top
    assert descent_distance(p, start, 0.9 * limit, x, y) < 0.1 * nudge     # settles
    assert descent_distance(p, start, 1.2 * limit, x, y) > nudge          # does not settle


def test_stability_limit_of_flat_cost_is_infinite():
    assert nn.stability_limit(np.zeros((3, 3))) == math.inf


# --- Properties over the whole settings table -------------------------------------------------
def _in_range(key, cap=None):
    f = FIELDS[key]
    hi = f.hi if cap is None else min(f.hi, cap)
    if f.kind is int:
        return st.integers(int(f.lo), int(hi))
    return st.floats(f.lo, hi, allow_nan=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lr=_in_range("lr"), epochs=_in_range("epochs", 60), n=_in_range("n", 300),
       noise=_in_range("noise"), balance=_in_range("balance"), split=_in_range("split"),
       seed=_in_range("seed"), loss=st.sampled_from(FIELDS["loss"].choices),
       batch=st.sampled_from([0, 1, 7, 64]), init=st.sampled_from(FIELDS["init"].choices),
       standardize=st.booleans())
def test_no_nan_or_inf_from_any_settings_in_range(lr, epochs, n, noise, balance, split, seed,
                                                   loss, batch, init, standardize):
    data = make_pets(n, noise, balance, split, seed)
    s = nn.NeuronSettings(lr, epochs, loss, batch, init, standardize, seed)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        run = nn.train(s, data)
    for name in ("w", "b", "train_cost", "test_cost", "train_acc", "test_acc",
                 "hessian_start", "hessian_end", "x_mean", "x_scale"):
        assert np.all(np.isfinite(getattr(run, name))), name
    assert run.status in nn.STATUSES
    assert np.all((run.train_acc >= 0) & (run.train_acc <= 1))
    assert run.lr_limit_end > 0


def test_gradient_check_agrees_and_the_seed_gradient_does_not():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings.from_values({"lr": 2.0, "epochs": 50}), data)
    rows = nn.gradient_check(run, data, 1e-5)
    assert [r["k"] for r in rows] == [0, 25, 50, None]      # None: the perturbed point
    for r in rows:
        assert r["agree"] and r["telling"] and r["error"] < 1e-6
        assert r["seed_error"] > 0.1        # no factor x, no ∂C/∂b: far off


# --- Issue 12/13: the check's allowance is the finite difference's real error ---------------
def _third_derivative_by_differences(p, x, y, loss, j, h=1e-3):
    e = np.eye(3)[j] * h
    g = [nn.gradient(p + k * e, x, y, loss)[j] for k in (-1, 0, 1)]
    return (g[2] - 2 * g[1] + g[0]) / h ** 2


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_third_derivatives_against_differences_of_the_gradient(loss):
    p, x, y = small_problem(5)
    xt = nn.with_bias(x)
    d3 = xt.T ** 3 @ nn.LOSS[loss].d3z(xt @ p, y)
    for j in range(3):
        assert d3[j] == pytest.approx(_third_derivative_by_differences(p, x, y, loss, j),
                                      rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("loss,lr,epochs,standardize", [
    ("ce", 20.0, 200, True), ("ce", 20.0, 2000, True), ("mse", 2.0, 2000, True),
    ("ce", 0.001, 100, False), ("mse", 0.1, 2000, False), ("ce", 80.0, 500, True)])
def test_the_gradient_check_never_cries_wolf_and_says_where_it_cannot_judge(
        loss, lr, epochs, standardize):
    data = make_pets(300, 1.0, 0.5, 0.25, 2)
    run = nn.train(nn.NeuronSettings(lr=lr, epochs=epochs, loss=loss,
                                     standardize=standardize), data)
    rows = nn.gradient_check(run, data, 1e-5)
    assert all(r["agree"] for r in rows)
    assert rows[-1]["telling"]                      # the perturbed point always can judge
    for r in rows:
        # "telling" means a gradient wrong by 0.1 % would be caught
        wrong = r["analytic"] * 1.001
        caught = np.any(np.abs(wrong - r["numeric"]) > r["allowance"])
        assert caught or not r["telling"]


def test_cross_entropy_at_its_minimum_is_below_the_noise_floor_in_the_issue_setting():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(lr=20.0, epochs=2000, loss="ce"), data)
    last = nn.gradient_check(run, data, 1e-5)[-2]
    assert last["agree"] and not last["telling"]


# --- Issue 10/11: what the run did, and the limits that apply -------------------------------
def _own_newton(x, y):
    """Cross-entropy's minimum by plain Newton with its own gradient and Hessian."""
    p = np.zeros(3)
    xt = np.hstack([x, np.ones((len(x), 1))])
    for _ in range(50):
        s = 1 / (1 + np.exp(-(xt @ p)))
        g = xt.T @ (s - y) / len(y)
        h = (xt * (s * (1 - s))[:, None]).T @ xt / len(y)
        p = p - np.linalg.solve(h, g)
    return p, h


def test_the_limit_at_the_minimum_is_two_over_the_top_curvature_there(pets):
    run = nn.train(nn.NeuronSettings(loss="ce", epochs=20), pets)
    _, h = _own_newton(run.inputs(pets.x_train), pets.y_train)
    assert run.lr_limit_minimum == pytest.approx(2 / np.linalg.eigvalsh(h)[-1], rel=1e-8)
    # and it is where lesson 1's rule holds: 0.95 × settles, 1.1 × does not (2000 epochs)
    for m, settles in ((0.95, True), (1.1, False)):
        long = nn.train(nn.NeuronSettings(loss="ce", epochs=2000,
                                          lr=m * run.lr_limit_minimum), pets)
        assert (len(long.rises) == 0) == settles
    assert nn.train(nn.NeuronSettings(loss="mse"), pets).lr_limit_minimum is None


def test_separable_animals_have_no_cross_entropy_minimum():
    data = make_pets(200, 0.0, 0.5, 0.25, 0)
    assert nn.train(nn.NeuronSettings(loss="ce", epochs=50), data).lr_limit_minimum is None


def test_the_steepest_animal_limit_is_two_over_its_own_curvature(pets):
    run = nn.train(nn.NeuronSettings(loss="ce", batch=1, epochs=3, lr=0.1), pets)
    x = run.inputs(pets.x_train)
    xt = np.hstack([x, np.ones((len(x), 1))])
    lam = [np.linalg.eigvalsh(0.25 * np.outer(v, v))[-1] for v in xt]   # σ′(0) = 1/4
    assert run.animal_limit_start == pytest.approx(2 / max(lam), rel=1e-10)
    assert run.animal_limit_start < run.lr_limit_start / 4


def test_mini_batch_noise_is_called_jittering_not_oscillating(pets):
    run = nn.train(nn.NeuronSettings(batch=1, lr=1.0), pets)
    assert run.status == "jittering" and "mini-batch noise" in run.reason
    assert len(run.rises) > 0


def test_a_run_whose_cost_never_rose_is_not_oscillating(pets):
    for lr in (25.0, 50.0, 100.0):
        run = nn.train(nn.NeuronSettings(lr=lr), pets)       # the seed's cost, far above 2/λmax
        assert len(run.rises) == 0 and run.status != "oscillating"


def test_wilson_interval_ends_are_1_96_standard_errors_away():
    for right, n in ((46, 50), (1, 1), (0, 10), (450, 500)):
        lo, hi = nn.wilson(right, n)
        assert 0 <= lo <= right / n <= hi <= 1
        # Wilson's ends are the accuracies p at which what we saw is 1.96 standard errors
        # away: (p̂ − p)² = 1.96²·p(1 − p)/n
        for q in (lo, hi):
            assert (right / n - q) ** 2 == pytest.approx(1.96 ** 2 * q * (1 - q) / n, abs=1e-12)
    lo, hi = nn.wilson(46, 50)
    assert 0.05 < (hi - lo) / 2 < 0.1       # 50 animals: roughly ±5–8 points
