"""Issue 12's claims sweep for lesson 2: every verdict /neuron and /math print, read from the
page through AppTest, against this module's own training loop, Hessians, Newton's method and
extended-precision gradients (none of gdviz.neuron's verdict code).

A grid of losses × rates × epochs × batch sizes; for each, the page's status box, accuracy
line, stability note and warnings must be true of the run recomputed here. Where the page
says it cannot judge (a gradient at the noise floor), the test checks that it really cannot.
"""
from __future__ import annotations

import math
import re
from functools import cache

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gdviz.data import make_pets
from tests.conftest import ROOT

NEURON = str(ROOT / "gdviz" / "pages" / "neuron.py")
MATH = str(ROOT / "gdviz" / "pages" / "math.py")
RISE = 1e-10        # what the page calls a rise: more than this share of the cost
LIMIT = 1e6         # a weight past this: the page says the run diverged
NUM = r"([0-9.]+(?:e[+-]?[0-9]+)?)"


# --- This module's own neuron ---------------------------------------------------------------
def sig(z):
    return 1 / (1 + np.exp(-np.clip(z, -700, 700)))


def dz_of(loss, z, y):
    """∂(mean cost)/∂z_i, written out here."""
    s = sig(z)
    return ((s - y) * s * (1 - s) if loss == "mse" else s - y) / len(y)


def cost_of(loss, p, xt, y):
    z = xt @ p
    if loss == "mse":
        return float(np.mean((sig(z) - y) ** 2) / 2)
    return float(np.mean(np.logaddexp(0, z) - y * z))


def hessian_of(loss, p, xt, y):
    s = sig(xt @ p)
    d = s * (1 - s)
    w = d * d + (s - y) * d * (1 - 2 * s) if loss == "mse" else d
    return (xt * w[:, None]).T @ xt / len(y)


def limit_of(h):
    top = np.linalg.eigvalsh(h)[-1]
    return 2 / top if top > 1e-12 else np.inf


@cache
def animals():
    d = make_pets(200, 1.0, 0.5, 0.25, 0)
    m, sd = d.x_train.mean(axis=0), d.x_train.std(axis=0)
    def tilde(x):
        return np.hstack([(x - m) / sd, np.ones((len(x), 1))])
    return tilde(d.x_train), d.y_train, tilde(d.x_test), d.y_test


@cache
def own_run(loss: str, lr: float, epochs: int, batch: int, nudge: float = 0.0):
    """(weights per epoch, training cost per epoch, epoch a weight passed LIMIT or None),
    from p₀ = 0 (or `nudge` in every weight: a rounding-sized change, to see whether the run
    depends on rounding)."""
    xt, y, _, _ = animals()
    p, ps, stopped = np.full(3, nudge), [np.zeros(3)], None
    rng = np.random.default_rng([0, 2])         # the page documents: seed, then 2
    rows = [(*map(float, r), float(t)) for r, t in zip(xt, y, strict=True)]
    for k in range(1, epochs + 1):
        if batch == 0:
            p = p - lr * xt.T @ dz_of(loss, xt @ p, y)
        elif batch == 1:              # plain floats: NumPy's per-call cost on three numbers
            p = np.array(_one_by_one(loss, lr, p.tolist(), rows, rng.permutation(len(y))))
        else:
            order = rng.permutation(len(y))
            for i in np.array_split(order, range(batch, len(y), batch)):
                p = p - lr * xt[i].T @ dz_of(loss, xt[i] @ p, y[i])
        if not np.all(np.abs(p) <= LIMIT):
            stopped = k
            break
        ps.append(p)
    ps = np.array(ps)
    return ps, np.array([cost_of(loss, q, xt, y) for q in ps]), stopped


def chaotic(loss: str, lr: float, epochs: int, batch: int) -> bool:
    """Whether a change of 1e-13 at the start changes where the run ends: then its last
    digits, and any count of rises, are rounding's, and no second computation can
    reproduce them (stochastic descent far above its steepest animal's limit)."""
    a, _, _ = own_run(loss, lr, epochs, batch)
    b, _, _ = own_run(loss, lr, epochs, batch, 1e-13)
    return len(a) != len(b) or np.abs(a[-1] - b[-1]).max() > 1e-6


def _one_by_one(loss, lr, p, rows, order):
    w1, w2, b = p
    for i in order.tolist():
        x1, x2, one, t = rows[i]
        s = 1 / (1 + math.exp(-min(max(x1 * w1 + x2 * w2 + one * b, -700.0), 700.0)))
        d = (s - t) * s * (1 - s) if loss == "mse" else s - t
        w1, w2, b = w1 - lr * d * x1, w2 - lr * d * x2, b - lr * d * one
    return w1, w2, b


def rises(c) -> int:
    return int(np.sum(np.diff(c) > RISE * np.abs(c).max()))


def own_minimum(xt, y):
    """Cross-entropy's minimum by plain Newton, or None when it runs off to infinity."""
    p = np.zeros(3)
    for _ in range(100):
        g = xt.T @ (sig(xt @ p) - y) / len(y)
        p = p - np.linalg.solve(hessian_of("ce", p, xt, y), g)
        if np.abs(p).max() > 1e4:
            return None
    return p


def wilson(k, n, z=1.96):
    """Solve (k/n − q)² = z²·q(1 − q)/n for q: a quadratic in q."""
    a, b, c = 1 + z * z / n, -(2 * k / n + z * z / n), (k / n) ** 2
    root = np.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


# --- Reading the page ---------------------------------------------------------------------------
def open_page(path: str, **params) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def main_boxes(at: AppTest) -> list[str]:
    return [e.value for kind in ("success", "info", "warning", "error")
            for e in getattr(at.main, kind)]


def side_texts(at: AppTest) -> tuple[str, list[str]]:
    """(the stability note's markdown, the sidebar's boxes)."""
    note = " ".join(e.value for e in at.sidebar.markdown if "Stability limit" in e.value)
    return note, [e.value for kind in ("info", "warning", "error")
                  for e in getattr(at.sidebar, kind)]


def close(text: str, value: float, digits: int = 3) -> bool:
    """A number printed to `digits` significant figures is `value` (within half a unit of
    the last digit, and a little for the two runs' different order of summation)."""
    return f"{value:.{digits}g}" == text or np.isclose(float(text), value,
                                                       rtol=0.6 * 10.0 ** (1 - digits))


GRID = [(loss, lr, epochs, batch) for loss in ("mse", "ce") for lr in (0.5, 5.0, 30.0, 80.0)
        for epochs, batch in ((60, 0), (400, 0), (200, 16), (60, 1))]


@pytest.mark.parametrize("loss,lr,epochs,batch", GRID)
def test_every_neuron_verdict_is_true_of_the_run(loss, lr, epochs, batch):
    at = open_page(NEURON, loss=loss, lr=lr, epochs=epochs, batch=batch)
    ps, c, stopped = own_run(loss, lr, epochs, batch)
    xt, y, xs, ys = animals()
    (status,) = [b for b in main_boxes(at) if b.startswith("**")]
    word = re.match(r"\*\*(\w[\w ]*)\*\*", status).group(1)
    k = len(c) - 1
    m = max(1, len(c) // 10)
    if batch and chaotic(loss, lr, epochs, batch):
        # only what rounding cannot change: what kind of verdict, and the start
        assert word in ("Jittering", "Still learning", "Diverged")
        note, boxes = side_texts(at)
        assert "does not apply" in note and not re.search(r"oscillat", " ".join(boxes), re.I)
        start = re.search(rf"{NUM} at the start, {NUM} where training ends", note).group(1)
        s0 = sig(xt @ ps[0])
        d0 = s0 * (1 - s0)
        curv = d0 * d0 + (s0 - y) * d0 * (1 - 2 * s0) if loss == "mse" else d0
        assert close(start, 2 / (curv * np.sum(xt * xt, axis=1)).max())
        return

    # the status word, against the cost curve recomputed here
    if stopped is not None:
        assert word == "Diverged" and f"in epoch {stopped}" in status
    elif word == "Oscillating":
        assert batch == 0                                   # noise is never called that
        n, t = map(int, re.search(r"went up in (\d+) of the last (\d+)", status).groups())
        assert n == rises(c[-t - 1:]) and n >= t // 4 and n > 0
    elif word == "Jittering":
        assert batch > 0
        n, lo, hi = re.search(rf"went up in (\d+) of the last {m} epochs and stayed between "
                              rf"{NUM} and {NUM}", status).groups()
        assert int(n) == rises(c[-m - 1:]) > 0
        assert close(lo, c[-m:].min(), 4) and close(hi, c[-m:].max(), 4)
    elif word == "Settled":
        assert abs(c[-1] - c[-1 - m]) <= 1e-4 * max(c[-1], 1e-3) * 1.001
    else:
        assert word == "Still learning"
        fell = re.search(rf"fell by {NUM}", status).group(1)
        own = (c[-1 - m] - c[-1]) if batch == 0 else (c[-2 * m:-m].mean() - c[-m:].mean())
        assert own > 0 and close(fell, own)

    # the accuracy line and the test accuracy's interval
    p = ps[-1]
    train_acc = np.mean((xt @ p >= 0) == (y > 0.5))
    right = int(np.sum((xs @ p >= 0) == (ys > 0.5)))
    a, b, lo, hi = map(int, re.search(
        r"accuracy (\d+)% on \d+ training animals and (\d+)% on 50 test animals \(95 % "
        r"interval for that many: (\d+)% to (\d+)%\)", status).groups())
    w_lo, w_hi = wilson(right, 50)
    assert (a, b, lo, hi) == tuple(round(100 * v) for v in (train_acc, right / 50, w_lo, w_hi))

    # the limits beside η, and every warning there, against this run
    note, boxes = side_texts(at)
    everything = note + " ".join(boxes) + " ".join(main_boxes(at))
    if rises(c) == 0 and stopped is None:
        assert not re.search(r"overshoot|bounces|runs away|oscillat", everything, re.I)
    if batch == 0:
        assert "local" in note
        start, end = re.search(rf"{NUM} at the start, {NUM} where training ends", note).groups()
        assert close(start, limit_of(hessian_of(loss, ps[0], xt, y)))
        assert close(end, limit_of(hessian_of(loss, ps[-1], xt, y)))
        best = own_minimum(xt, y) if loss == "ce" else None
        at_min = re.search(rf"{NUM} at the cost's minimum", note)
        assert (at_min is None) == (best is None)
        if best is not None:
            assert close(at_min.group(1), limit_of(hessian_of("ce", best, xt, y)))
        for box in boxes:
            said = re.search(r"rose in (\d+) of (\d+) epochs", box)
            if said:
                assert int(said.group(1)) == rises(c) > 0 and int(said.group(2)) == k
            if "never rose" in box:
                assert rises(c) == 0
            grows = re.search(rf"grows ×{NUM} per epoch", box)
            if grows:    # |1 − η·λmax| at the minimum, above 1
                lam = np.linalg.eigvalsh(hessian_of("ce", best, xt, y))[-1]
                assert close(grows.group(1), abs(1 - lr * lam)) and lr * lam > 2
    else:
        assert "does not apply" in note
        start, end = re.search(rf"{NUM} at the start, {NUM} where training ends", note).groups()
        for q, said in ((ps[0], start), (ps[-1], end)):
            s = sig(xt @ q)
            d = s * (1 - s)
            curv = d * d + (s - y) * d * (1 - 2 * s) if loss == "mse" else d
            steepest = (curv * np.sum(xt * xt, axis=1)).max()      # one animal: ℓ″·|x̃|²
            assert close(said, 2 / steepest)
        assert not [b for b in boxes if "oscillat" in b.lower()]


# --- /math's verdicts against gradients in extended precision --------------------------------
def exact_gradient(loss, p, xt, y):
    """The gradient in 80-bit long double: far below any double-precision noise floor."""
    p, xt, y = (np.asarray(v, np.longdouble) for v in (p, xt, y))
    z = xt @ p
    s = 1 / (1 + np.exp(-z))
    dz = (s - y) * s * (1 - s) if loss == "mse" else s - y
    return xt.T @ dz / len(y)


def table_rows(markdown: str) -> list[list[float]]:
    rows = re.findall(r"\| \$[^$]+\$ \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", markdown)
    return [[float(v) for v in row] for row in rows]


@pytest.mark.parametrize("loss,lr,epochs", [(loss, lr, epochs) for loss in ("mse", "ce")
                                            for lr, epochs in ((2.0, 60), (20.0, 200),
                                                               (20.0, 2000))])
def test_every_math_verdict_is_true_of_the_gradient(loss, lr, epochs):
    at = open_page(MATH, loss=loss, lr=lr, epochs=epochs)
    shown = list(at.main.children.values())           # in page order
    page = " ".join(str(getattr(e, "value", "")) for e in shown)
    tables = [table_rows(e.value) for e in shown
              if e.type == "markdown" and "central difference |" in e.value]
    boxes = [e.value for e in shown if e.type in ("success", "info", "warning", "error")]
    assert len(tables) == 4 and len(boxes) == 4
    ps, _, _ = own_run(loss, lr, epochs, 0)
    xt, y, _, _ = animals()
    points = [ps[0], ps[(len(ps) - 1) // 2], ps[-1]]
    for table, box, p in zip(tables[:3], boxes[:3], points, strict=True):
        exact = np.array(exact_gradient(loss, p, xt, y), float)
        analytic, numeric, diff, allowed = (np.array(col) for col in zip(*table, strict=True))
        # the analytic column is the gradient (to its 9 printed digits)
        assert np.allclose(analytic, exact, rtol=1e-8, atol=1e-15)
        # the allowance bounds a central difference's real error: this module's own, h = 1e-5
        h = float(re.search(rf"h = {NUM}", page).group(1))
        own = np.array([(cost_of(loss, p + e, xt, y) - cost_of(loss, p - e, xt, y)) / (2 * h)
                        for e in np.eye(3) * h])
        assert np.all(np.abs(own - exact) <= allowed * 1.05)     # allowed is printed to 2 digits
        assert np.all(diff <= allowed * 1.05) or "disagree" in box
        telling = np.abs(exact).max() >= 1000 * allowed.max()
        if "noise floor" in box:
            assert not telling and "cannot tell" in box
        else:
            assert telling or "disagree" in box
        assert ("disagree" in box) == bool(np.any(diff > allowed))
        off = re.search(rf"off by a relative \*\*{NUM}\*\*", box)
        if off:
            assert loss == "mse" and telling
            s = sig(xt @ p)
            g = np.mean((s - y) * s * (1 - s))
            seed = np.array([g, g, 0.0])
            rel = np.linalg.norm(seed - exact) / (np.linalg.norm(seed) + np.linalg.norm(exact))
            assert np.isclose(float(off.group(1)), rel, rtol=1e-2)
    # the nearby point is always one the check can judge, and it agrees
    assert "noise floor" not in boxes[3] and "disagree" not in boxes[3]


@pytest.mark.parametrize("loss,lr,epochs,batch", [("ce", 8.0, 200, 0), ("mse", 5.0, 60, 16)])
def test_the_rates_caption_is_true_of_every_run_it_names(loss, lr, epochs, batch):
    at = open_page(NEURON, tab="Learning rates compared", loss=loss, lr=lr, epochs=epochs,
                   batch=batch)
    caption = next(c.value for c in at.caption if "several multiples" in c.value)
    said = re.findall(rf"η = {NUM}: the cost (never rose in|rose in (\d+) of) (\d+) epochs",
                      caption)
    assert len(said) == 5
    for eta, what, n, k in said:
        _, c, stopped = own_run(loss, float(eta), epochs, batch)
        if batch and chaotic(loss, float(eta), epochs, batch):
            assert what == "never rose in" or int(n) > 0     # only the kind of claim
            continue
        assert stopped is None and int(k) == len(c) - 1
        assert rises(c) == (0 if what == "never rose in" else int(n))


def test_every_preset_note_is_true_of_the_run_it_sets():
    at = open_page(NEURON)
    xt, y, _, _ = animals()
    for name in ("small", "right", "large", "wrong_mse", "wrong_ce"):
        at.button(key=f"neuron_preset_{name}").click().run()
        note = next(c.value for c in at.caption if c.value.startswith("Preset:"))
        lr = at.number_input(key="lr").value
        loss, epochs = at.selectbox(key="loss").value, at.number_input(key="epochs").value
        wrong = at.selectbox(key="init").value == "wrong"
        p0 = np.zeros(3)
        if wrong:   # the documented wrong start, (−3, −3, 0) in standardised units
            p0 = np.array([-3.0, -3.0, 0.0])
            share = np.mean((xt @ p0 >= 0) != (y > 0.5))
            assert f"{share:.0%} of the training animals start on the wrong side" in note
        mult, start = re.search(rf"η = {lr:g} is {NUM} × 2/λmax at the start \({NUM}\)",
                                note).groups()
        own_start = limit_of(hessian_of(loss, p0, xt, y))
        assert close(start, own_start) and close(mult, lr / own_start, 2)
        best = own_minimum(xt, y)
        at_min = re.search(rf"{NUM} × 2/λmax at the cost's minimum \({NUM}\)", note)
        if loss == "ce":
            own_best = limit_of(hessian_of("ce", best, xt, y))
            assert close(at_min.group(2), own_best) and close(at_min.group(1), lr / own_best, 2)
        if name == "right":
            assert lr == float(f"{own_best / 2:.2g}")
        if not wrong:
            _, c, _ = own_run(loss, lr, epochs, 0)
            assert ("never rose" in note) == (rises(c) == 0)
