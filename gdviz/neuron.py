"""One sigmoid neuron, ŷ = σ(w·x + b), trained by gradient descent: computed once and whole.

Parameters are handled as p = (w1, w2, b). Every function sits beside its derivative:
`sigmoid` and `sigmoid_prime`, each cost with its gradient and its curvature with respect to
the pre-activation z = w·x + b. The chain rule then gives the parameter gradient
∂C/∂p = Σ_i (∂C/∂z_i)·(x_i1, x_i2, 1) and the Hessian Σ_i (∂²C/∂z_i²)·x̃_i x̃_iᵀ.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from gdviz.data import Dataset

LOSSES = ("mse", "ce")
INITS = ("zeros", "random", "wrong")
STATUSES = ("settled", "oscillating", "jittering", "still learning", "diverged")
PARAM_LIMIT = 1e6          # far past any useful weight; stopping here keeps every number finite
MAX_EPOCHS = 5000
MAX_UPDATES = 200_000      # mini-batch updates run one at a time in Python; keep a run < ~2 s
WRONG_START = np.array([-3.0, -3.0, 0.0])   # standardised units: most animals confidently wrong
RISE = 1e-10               # a cost rise smaller than this share of the cost is rounding, not a rise
CHECK_MARGIN = 4.0         # the gradient check's allowance: 4 × the central difference's error
TELLING = 1000.0           # a check tells right from wrong where |∇C| is this many allowances


# --- The activation ---------------------------------------------------------------------
def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^(−z)) for any z, without overflow.

    e^(−|z|) ≤ 1 never overflows; for z < 0 the same value is written e^z/(1 + e^z).
    """
    e = np.exp(-np.abs(z))
    s = 1.0 / (1.0 + e)
    return np.where(z >= 0, s, e * s)


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """σ′(z) = σ(z)·(1 − σ(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z) without overflow; −log σ(z) = softplus(−z)."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


# --- The costs, as functions of z and the labels y (means over the last axis) -------------
def mse(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The seed's quadratic cost C = 1/(2N)·Σ(ŷ − y)²."""
    return 0.5 * np.mean((sigmoid(z) - y) ** 2, axis=-1)


def mse_dz(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂C/∂z_i = (ŷ_i − y_i)·σ′(z_i)/N for the quadratic cost."""
    s = sigmoid(z)
    return (s - y) * s * (1.0 - s) / z.shape[-1]


def mse_d2z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂²C/∂z_i² = (σ′² + (ŷ − y)·σ″)/N with σ″ = σ′·(1 − 2σ)."""
    s = sigmoid(z)
    ds = s * (1.0 - s)
    return (ds * ds + (s - y) * ds * (1.0 - 2.0 * s)) / z.shape[-1]


def mse_d3z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂³C/∂z_i³ = (3σ′σ″ + (ŷ − y)·σ‴)/N with σ‴ = σ′·(1 − 6σ′): it sizes the error of a
    central difference."""
    s = sigmoid(z)
    ds = s * (1.0 - s)
    return (3.0 * ds * ds * (1.0 - 2.0 * s) + (s - y) * ds * (1.0 - 6.0 * ds)) / z.shape[-1]


def cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """C = −(1/N)·Σ[y·log ŷ + (1 − y)·log(1 − ŷ)].

    log ŷ = −softplus(−z) and log(1 − ŷ) = −softplus(z) stay finite where ŷ rounds to 0 or 1,
    which is where log(ŷ) itself would give −inf.
    """
    return np.mean(softplus(z) - y * z, axis=-1)


def cross_entropy_dz(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂C/∂z_i = (ŷ_i − y_i)/N: the σ′ factor of the quadratic cost has cancelled."""
    return (sigmoid(z) - y) / z.shape[-1]


def cross_entropy_d2z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂²C/∂z_i² = σ′(z_i)/N (never negative: the cost is convex in p)."""
    return sigmoid_prime(z) / z.shape[-1]


def cross_entropy_d3z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂³C/∂z_i³ = σ″(z_i)/N = σ′·(1 − 2σ)/N."""
    s = sigmoid(z)
    return s * (1.0 - s) * (1.0 - 2.0 * s) / z.shape[-1]


def mse_and_dz(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(C, ∂C/∂z) of the quadratic cost from one σ: the training loop's hot path."""
    s = sigmoid(z)
    r = s - y
    return 0.5 * float(r @ r) / len(z), r * s * (1.0 - s) / len(z)


def cross_entropy_and_dz(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(C, ∂C/∂z) of cross-entropy in one pass."""
    return float(np.mean(softplus(z) - y * z)), (sigmoid(z) - y) / len(z)


@dataclass(frozen=True)
class Loss:
    """A cost with its first three derivatives with respect to z, and C with ∂C/∂z at once."""

    name: str
    cost: Any
    dz: Any
    d2z: Any
    d3z: Any
    cost_and_dz: Any


LOSS = {"mse": Loss("mse", mse, mse_dz, mse_d2z, mse_d3z, mse_and_dz),
        "ce": Loss("ce", cross_entropy, cross_entropy_dz, cross_entropy_d2z, cross_entropy_d3z,
                   cross_entropy_and_dz)}


# --- Cost, gradient and Hessian with respect to p = (w1, w2, b) -----------------------------
def with_bias(x: np.ndarray) -> np.ndarray:
    """x̃ = (x1, x2, 1) for every row, so that z = x̃·p."""
    return np.hstack([x, np.ones((len(x), 1))])


def cost(p: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str) -> float:
    """C(p) on inputs x (N, 2) with labels y."""
    return float(LOSS[loss].cost(x @ p[:2] + p[2], y))


def gradient(p: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """∇C = (∂C/∂w1, ∂C/∂w2, ∂C/∂b) = Σ_i (∂C/∂z_i)·x̃_i."""
    dz = LOSS[loss].dz(x @ p[:2] + p[2], y)
    return with_bias(x).T @ dz


def hessian(p: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """The 3×3 matrix of second derivatives of C with respect to (w1, w2, b)."""
    xt = with_bias(x)
    d2 = LOSS[loss].d2z(x @ p[:2] + p[2], y)
    return xt.T @ (xt * d2[:, None])


def lambda_max(h: np.ndarray) -> float:
    """The largest eigenvalue of a symmetric Hessian: the steepest curvature."""
    return float(np.linalg.eigvalsh(h)[-1])


def stability_limit(h: np.ndarray) -> float:
    """2/λmax: above this learning rate descent near p oscillates or runs away (as lr < 2/f″).

    Returns:
        The limit, or math.inf where the cost is flat or curves down in every direction.
    """
    lam = lambda_max(h)
    return 2.0 / lam if lam > 1e-12 else math.inf


def one_animal_limit(p: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str) -> float:
    """2/λ of the steepest single animal's own cost at p: a mini-batch's own 2/λmax is never
    below it (the batch's Hessian is the mean of its animals', and λmax of a mean is at most
    the largest λmax). For one animal the Hessian is ℓ″(z)·x̃x̃ᵀ, so λ = ℓ″(z)·|x̃|².

    Returns:
        The limit, or math.inf where no animal's cost curves up at p.
    """
    xt = with_bias(x)
    lam = LOSS[loss].d2z(xt @ p, y) * len(y) * np.sum(xt * xt, axis=1)
    top = float(lam.max()) if len(lam) else 0.0
    return 2.0 / top if top > 1e-12 else math.inf


def cross_entropy_minimum(p0: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Where cross-entropy is lowest, by Newton's method with step halving from p0.

    Returns:
        The minimum, or None where there is none at finite weights (animals a line can
        separate: the cost then falls towards 0 as the weights grow) or Newton did not find it.
    """
    p = p0.astype(float)
    c = cost(p, x, y, "ce")
    for _ in range(60):
        g = gradient(p, x, y, "ce")
        try:
            step = np.linalg.solve(hessian(p, x, y, "ce"), g)
        except np.linalg.LinAlgError:
            return None
        # g·H⁻¹g is how much a Newton step would lower the cost: at rounding level, p is the
        # bottom. A separable set's cost only approaches 0 at infinite weights, so a cost
        # this far above 0 with nothing left to gain is a real minimum.
        if float(g @ step) <= 1e-13 * c:
            return p if c > 1e-6 else None
        t = 1.0
        while t > 1e-6:
            q = p - t * step
            if _bounded(q) and (cq := cost(q, x, y, "ce")) <= c:
                break
            t /= 2
        else:
            return None
        p, c = q, cq
    return None


def numerical_gradient(p: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str,
                       h: float = 1e-5) -> np.ndarray:
    """Central differences (C(p + h·e_j) − C(p − h·e_j))/(2h) for j = w1, w2, b."""
    steps = np.eye(3) * h
    return np.array([(cost(p + e, x, y, loss) - cost(p - e, x, y, loss)) / (2 * h)
                     for e in steps])


def seed_gradient(p: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The seed's gradient taken literally: (ŷ − y)·σ′ with no factor x and no ∂C/∂b.

    (Its σ has the wrong sign too; that is left out so only the chain rule is on trial.)
    """
    s = sigmoid(x @ p[:2] + p[2])
    g = np.mean((s - y) * s * (1 - s))
    return np.array([g, g, 0.0])


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """|a − b| / max(|a| + |b|, tiny): 1e-7 or less means the two agree."""
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(scale, 1e-300))


# --- Settings and the record of a run ------------------------------------------------------
@dataclass(frozen=True)
class NeuronSettings:
    """How to train: the neuron's part of the settings table (data settings live in data)."""

    lr: float = 2.0
    epochs: int = 200
    loss: str = "mse"
    batch: int = 0          # 0 = full batch; otherwise the mini-batch size (1 = stochastic)
    init: str = "zeros"
    standardize: bool = True
    seed: int = 0

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> NeuronSettings:
        """Pick this record's keys out of a mapping of all settings (missing keys: defaults)."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})


@dataclass(frozen=True)
class TrainingRun:
    """The whole of one training run; index k is the state after k epochs (k = 0: start).

    Attributes:
        settings: what was run.
        w, b: (K, 2) weights and (K,) biases, in the units the neuron saw (standardised or not).
        train_cost, test_cost, train_acc, test_acc: (K,) per epoch.
        x_mean, x_scale: the neuron sees (x − x_mean)/x_scale (0 and 1 when not standardising).
        status, reason: one of STATUSES, and how the run ended in words.
        hessian_start, hessian_end: the 3×3 Hessian of the training cost at k = 0 and k = K − 1.
        lr_limit_start, lr_limit_end: 2/λmax there (math.inf when flat): local limits, each
            true of the curvature at that point only.
        lr_limit_minimum: 2/λmax at cross-entropy's minimum, the one point where the rule
            of lesson 1 predicts whether descent settles; None for the quadratic cost (its
            minimum may lie at infinite weights) and where cross-entropy has no minimum.
        animal_limit_start, animal_limit_end: one_animal_limit at k = 0 and k = K − 1.
    """

    settings: NeuronSettings
    x_train_count: int
    w: np.ndarray
    b: np.ndarray
    train_cost: np.ndarray
    test_cost: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    x_mean: np.ndarray
    x_scale: np.ndarray
    status: str
    reason: str
    hessian_start: np.ndarray
    hessian_end: np.ndarray
    lr_limit_start: float
    lr_limit_end: float
    lr_limit_minimum: float | None
    animal_limit_start: float
    animal_limit_end: float

    @property
    def full_batch(self) -> bool:
        """One update per epoch from every training animal (the seed's descent)."""
        n = self.x_train_count
        return self.settings.batch == 0 or self.settings.batch >= n

    @property
    def rises(self) -> np.ndarray:
        """Epochs k whose training cost is above epoch k − 1's (by more than rounding)."""
        return cost_rises(self.train_cost)

    @property
    def reversals(self) -> int:
        """Epochs whose step points back against the step before (the zig-zag of an
        overshoot, which can happen while the cost still falls)."""
        p = np.column_stack([self.w, self.b])
        d = np.diff(p, axis=0)
        # steps at rounding level wobble in any direction: only count steps that move
        moving = np.linalg.norm(d, axis=1) > 1e-9 * (1.0 + np.linalg.norm(p[1:], axis=1))
        back = np.sum(d[1:] * d[:-1], axis=1) < 0
        return int(np.sum(back & moving[1:] & moving[:-1]))

    @property
    def epochs(self) -> np.ndarray:
        """0, 1, …, K − 1."""
        return np.arange(len(self.b))

    @property
    def final(self) -> int:
        """The index of the last recorded epoch."""
        return len(self.b) - 1

    def params(self, k: int) -> np.ndarray:
        """p = (w1, w2, b) after k epochs."""
        return np.array([*self.w[k], self.b[k]])

    def inputs(self, x_raw: np.ndarray) -> np.ndarray:
        """Raw measurements (kg, cm) as the neuron sees them."""
        return (x_raw - self.x_mean) / self.x_scale

    def p_dog(self, x_raw: np.ndarray, k: int | np.ndarray) -> np.ndarray:
        """P(dog) = σ(w·x + b) for raw measurements after k epochs: one value per animal, or
        for an array of epochs one column per epoch."""
        return sigmoid(self.inputs(x_raw) @ self.w[k].T + self.b[k])

    def raw_weights(self, k: int) -> np.ndarray:
        """(w1, w2, b) in raw units: the boundary w1·kg + w2·cm + b = 0 drawn on the data."""
        w = self.w[k] / self.x_scale
        return np.array([*w, self.b[k] - w @ self.x_mean])


def validate(s: NeuronSettings, n_train: int) -> None:
    """Refuse settings no run can use, with a message a student can act on.

    Raises:
        ValueError
    """
    if not (isinstance(s.lr, (int, float)) and math.isfinite(s.lr) and s.lr > 0):
        raise ValueError("the learning rate must be a positive number")
    if not 1 <= s.epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be between 1 and {MAX_EPOCHS}")
    if s.loss not in LOSSES:
        raise ValueError(f"the cost must be one of {', '.join(LOSSES)}")
    if s.init not in INITS:
        raise ValueError(f"the initial weights must be one of {', '.join(INITS)}")
    if s.batch < 0:
        raise ValueError("the batch size must be 0 (full batch) or a positive size")
    updates = s.epochs * (math.ceil(n_train / s.batch) if 0 < s.batch < n_train else 1)
    if updates > MAX_UPDATES:
        raise ValueError(f"{s.epochs} epochs in batches of {s.batch} is {updates:,} updates; "
                         f"at most {MAX_UPDATES:,} fit in one run (raise the batch size or "
                         "lower the epochs)")


def scaling(x: np.ndarray, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) of the training inputs, or (0, 1) to leave them raw.

    A feature with no spread keeps scale 1, so nothing is divided by zero.
    """
    if not standardize:
        return np.zeros(x.shape[1]), np.ones(x.shape[1])
    sd = x.std(axis=0)
    return x.mean(axis=0), np.where(sd > 1e-12, sd, 1.0)


def initial_params(s: NeuronSettings, x_train: np.ndarray, mean: np.ndarray,
                   scale: np.ndarray) -> np.ndarray:
    """p₀ for the chosen init, picked in standardised units and then expressed in the units
    the neuron sees, so "random" and "wrong" mean the same boundary with or without scaling.
    """
    if s.init == "zeros":
        return np.zeros(3)
    if s.init == "random":
        p_std = np.random.default_rng([s.seed, 1]).standard_normal(3)
    else:
        p_std = WRONG_START.copy()
    m_std, sd = scaling(x_train, True)
    # z = w_std·(x − m_std)/sd + b_std, rewritten for the neuron's input (x − mean)/scale
    w = p_std[:2] * scale / sd
    b = p_std[2] - p_std[:2] @ ((m_std - mean) / sd)
    return np.array([*w, b])


def train(s: NeuronSettings, data: Dataset) -> TrainingRun:
    """Train one neuron on the training set by gradient descent and record every epoch.

    Full batch (s.batch = 0 or ≥ N) is one update per epoch, as in the seed; otherwise each
    epoch visits the training set once in seeded random order, in batches of s.batch.

    Returns:
        The whole run as a TrainingRun. A run whose parameters pass PARAM_LIMIT is stopped
        there, with status "diverged", so every number in it is finite.
    """
    validate(s, len(data.y_train))
    mean, scale, xs, p0 = _start(s, data)
    xt = (data.x_test - mean) / scale
    step = _full_batch if s.batch == 0 or s.batch >= len(xs) else _mini_batch
    ps, train_cost, train_acc, stopped = step(s, xs, data.y_train, p0)
    test_cost, test_acc = _evaluate(ps, xt, data.y_test, s.loss)
    batch = s.batch if step is _mini_batch else None
    status, reason = _verdict(train_cost, stopped, batch)
    y = data.y_train
    h0, h1 = hessian(ps[0], xs, y, s.loss), hessian(ps[-1], xs, y, s.loss)
    best = cross_entropy_minimum(ps[-1], xs, y) if s.loss == "ce" else None
    at_best = None if best is None else stability_limit(hessian(best, xs, y, "ce"))
    return TrainingRun(s, len(y), ps[:, :2].copy(), ps[:, 2].copy(), train_cost, test_cost,
                       train_acc, test_acc, mean, scale, status, reason, h0, h1,
                       stability_limit(h0), stability_limit(h1), at_best,
                       one_animal_limit(ps[0], xs, y, s.loss),
                       one_animal_limit(ps[-1], xs, y, s.loss))


def reference_run(s: NeuronSettings, data: Dataset) -> TrainingRun | None:
    """The same training at η = 1/λmax, full batch: None where the cost is flat at the start.

    1/λmax at the start (half the stability limit there) descends steadily, and nothing
    about this run depends on s.lr or s.batch: a figure that draws the cost landscape from
    it (its window, its final b) draws the same landscape for every η, and a new η only
    moves the path across it.
    """
    _, _, x, p0 = _start(s, data)
    limit = stability_limit(hessian(p0, x, data.y_train, s.loss))
    return train(replace(s, lr=limit / 2, batch=0), data) if math.isfinite(limit) else None


def _start(s: NeuronSettings, data: Dataset) -> tuple[np.ndarray, ...]:
    """(x_mean, x_scale, the training inputs as the neuron sees them, p₀)."""
    mean, scale = scaling(data.x_train, s.standardize)
    return mean, scale, (data.x_train - mean) / scale, initial_params(s, data.x_train, mean,
                                                                       scale)


def _full_batch(s: NeuronSettings, x: np.ndarray, y: np.ndarray, p0: np.ndarray) -> tuple:
    """p_{k+1} = p_k − lr·∇C(p_k), one update per epoch.

    The forward pass that feeds the gradient also gives epoch k's training cost, so it is
    recorded here rather than recomputed (this halves the work of a run); the accuracies
    come after, for all epochs at once.

    Returns:
        (params per epoch, training cost, training accuracy, epoch stopped at or None).
    """
    loss = LOSS[s.loss]
    ps, c = np.empty((s.epochs + 1, 3)), np.empty(s.epochs + 1)
    xt = with_bias(x).T
    p, stopped = p0, None
    for k in range(s.epochs + 1):
        c[k], dz = loss.cost_and_dz(x @ p[:2] + p[2], y)
        ps[k] = p
        if k == s.epochs:
            break
        p = p - s.lr * (xt @ dz)
        if not _bounded(p):
            ps, c, stopped = ps[:k + 1], c[:k + 1], k + 1
            break
    return ps, c, _evaluate(ps, x, y, None)[1], stopped


def _mini_batch(s: NeuronSettings, x: np.ndarray, y: np.ndarray, p0: np.ndarray) -> tuple:
    """Each epoch: shuffle (seeded), then one update per batch of s.batch animals.

    Returns:
        As _full_batch.
    """
    dz = LOSS[s.loss].dz
    rng = np.random.default_rng([s.seed, 2])
    ps = np.empty((s.epochs + 1, 3))
    ps[0] = p = p0
    xt = with_bias(x)
    for k in range(1, s.epochs + 1):
        order = rng.permutation(len(x))
        for start in range(0, len(x), s.batch):
            i = order[start:start + s.batch]
            p = p - s.lr * (xt[i].T @ dz(xt[i] @ p, y[i]))
        if not _bounded(p):
            return (*_with_curve(ps[:k], x, y, s.loss), k)
        ps[k] = p
    return (*_with_curve(ps, x, y, s.loss), None)


def _with_curve(ps: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str) -> tuple:
    return (ps, *_evaluate(ps, x, y, loss))


def _bounded(p: np.ndarray) -> bool:
    """Every parameter finite and within PARAM_LIMIT (NaN compares False, so it is out).
    Plain floats: on three numbers NumPy's per-call overhead is most of the training loop."""
    return all(abs(v) <= PARAM_LIMIT for v in p.tolist())


def _evaluate(ps: np.ndarray, x: np.ndarray, y: np.ndarray,
              loss: str | None) -> tuple[np.ndarray | None, np.ndarray]:
    """Cost (None without a `loss`) and accuracy, the share of animals on the right side
    of the boundary (z ≥ 0 for a dog), for every epoch's parameters at once: z is a (K, N)
    matrix."""
    cost_k = None if loss is None else np.empty(len(ps))
    acc_k, dog = np.empty(len(ps)), y > 0.5
    # chunks of epochs keep the (K, N) matrix small for long runs on big data
    chunk = max(1, 2_000_000 // max(len(x), 1))
    for lo in range(0, len(ps), chunk):
        p = ps[lo:lo + chunk]
        z = p[:, :2] @ x.T + p[:, 2:3]
        if cost_k is not None:
            cost_k[lo:lo + chunk] = LOSS[loss].cost(z, y)
        acc_k[lo:lo + chunk] = np.mean((z >= 0) == dog, axis=1)
    return cost_k, acc_k


def cost_rises(c: np.ndarray) -> np.ndarray:
    """Epochs k ≥ 1 whose cost is above epoch k − 1's by more than RISE of the cost."""
    tol = RISE * max(float(np.max(np.abs(c))), 1e-300) if len(c) else 0.0
    return np.flatnonzero(np.diff(c) > tol) + 1


def _verdict(c: np.ndarray, stopped: int | None, batch: int | None) -> tuple[str, str]:
    """How the run ended, judged from its training cost curve (batch: None for full batch)."""
    if stopped is not None:
        return "diverged", (f"diverged: a weight passed {PARAM_LIMIT:g} in epoch {stopped}, so "
                            f"training stopped after epoch {stopped - 1}")
    m = max(1, len(c) // 10)
    if batch is not None:
        return _noisy_verdict(c, m, batch)
    tail = c[-min(len(c), 50):]
    rises = len(cost_rises(tail))
    if len(tail) > 5 and rises >= len(tail) // 4:
        return "oscillating", (f"oscillating: the training cost went up in {rises} of the last "
                               f"{len(tail) - 1} epochs")
    change = abs(c[-1] - c[-1 - m]) if len(c) > m else math.inf
    if change <= 1e-4 * max(c[-1], 1e-3):
        return "settled", f"settled: the training cost barely moved in the last {m} epochs"
    return "still learning", (f"still learning: the training cost fell by {change:.3g} in the "
                              f"last {m} epochs")


def _noisy_verdict(c: np.ndarray, m: int, batch: int) -> tuple[str, str]:
    """A mini-batch run: each update follows `batch` animals' cost, so the training cost may
    rise in an epoch without anything going wrong. Judge the trend against that noise."""
    last, before = c[-m:], c[-2 * m:-m] if len(c) > m else c[:1]
    fall = float(before.mean() - last.mean())
    noise = f"each update follows the cost of {batch} animal{'s' * (batch != 1)}, not of all"
    if fall > 2 * float(last.std()) and fall > 1e-4 * max(float(last.mean()), 1e-3):
        return "still learning", (f"still learning: the training cost fell by {fall:.3g} on "
                                  f"average over the last {m} epochs ({noise})")
    rises = len(cost_rises(c[-m - 1:]))
    if rises:
        return "jittering", (f"jittering: the training cost went up in {rises} of the last {m} "
                             f"epochs and stayed between {last.min():.4g} and {last.max():.4g}: "
                             f"mini-batch noise, since {noise}")
    return "settled", f"settled: the training cost barely moved in the last {m} epochs"


# --- What the page and the CLI show --------------------------------------------------------
def confusion(y: np.ndarray, p_dog: np.ndarray) -> np.ndarray:
    """Counts [[cats called cat, cats called dog], [dogs called cat, dogs called dog]]."""
    dog, said_dog = y > 0.5, p_dog >= 0.5
    return np.array([[np.sum(~dog & ~said_dog), np.sum(~dog & said_dog)],
                     [np.sum(dog & ~said_dog), np.sum(dog & said_dog)]])


def wilson(right: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval for an accuracy of right/n (95 % for z = 1.96).

    Unlike p̂ ± z·√(p̂(1 − p̂)/n) it stays inside [0, 1] and does not shrink to nothing at
    100 % on a small test set.
    """
    if n <= 0:
        return 0.0, 1.0
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def cost_surface(w1: np.ndarray, w2: np.ndarray, b: float, x: np.ndarray, y: np.ndarray,
                 loss: str) -> np.ndarray:
    """C(w1, w2, b) over a grid with b fixed; x as the neuron sees it.

    Returns:
        A (len(w2), len(w1)) array: row i is w2[i], as a heatmap expects.
    """
    out = np.empty((len(w2), len(w1)))
    for i, w2_i in enumerate(w2):
        z = np.outer(w1, x[:, 0]) + (w2_i * x[:, 1] + b)
        out[i] = LOSS[loss].cost(z, y)
    return out


HISTORY_COLUMNS = ("epoch", "w1", "w2", "b", "train_cost", "test_cost", "train_accuracy",
                   "test_accuracy")


def history(run: TrainingRun) -> np.ndarray:
    """Every epoch as a row of HISTORY_COLUMNS (weights in the units the neuron saw)."""
    return np.column_stack([run.epochs, run.w, run.b, run.train_cost, run.test_cost,
                            run.train_acc, run.test_acc])


def logged_epochs(final: int, every: int) -> np.ndarray:
    """0, every, 2·every, … and always the final epoch."""
    ks = np.arange(0, final + 1, max(1, every))
    return ks if ks[-1] == final else np.append(ks, final)


def check_allowance(p: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str,
                    h: float) -> np.ndarray:
    """How far a central difference with step h may be from the true gradient, per component:
    CHECK_MARGIN × (rounding + truncation).

    Rounding: C is a mean of terms computed to about ε of their size (and of the size of z,
    whose rounding each term inherits), and the difference of two such C divides by 2h.
    Truncation: (C(p + h) − C(p − h))/2h = C′ + h²·C‴/6 + …, with C‴ from the loss's third
    derivative. Together they are the noise floor below which no finite difference can see.
    """
    xt = with_bias(x)
    z = xt @ p
    size = float(np.mean(np.abs(LOSS[loss].cost(z[:, None], y[:, None])))
                 + 2.0 * np.mean(np.sum(np.abs(xt * p), axis=1)))
    rounding = np.finfo(float).eps * size / h
    truncation = h * h / 6.0 * np.abs(xt.T ** 3 @ LOSS[loss].d3z(z, y))
    return CHECK_MARGIN * (rounding + truncation)


def check_at(p: np.ndarray, x: np.ndarray, y: np.ndarray, loss: str, h: float) -> dict:
    """One gradient check at p: analytic against central differences, with its verdict.

    Returns:
        A dict: p, analytic, numeric, allowance (check_allowance), error (the relative error
        |g_a − g_n|/(|g_a| + |g_n|)), agree (every component within its allowance), telling
        (the gradient is TELLING allowances or more, so a wrong formula would show), and
        seed_error (the seed's literal gradient against the numbers, for the quadratic cost
        where the check is telling; else None).
    """
    analytic, numeric = gradient(p, x, y, loss), numerical_gradient(p, x, y, loss, h)
    allowance = check_allowance(p, x, y, loss, h)
    telling = bool(np.max(np.abs(numeric)) >= TELLING * np.max(allowance))
    seed = (relative_error(seed_gradient(p, x, y), numeric)
            if loss == "mse" and telling else None)
    return dict(p=p, analytic=analytic, numeric=numeric, allowance=allowance,
                error=relative_error(analytic, numeric),
                agree=bool(np.all(np.abs(analytic - numeric) <= allowance)),
                telling=telling, seed_error=seed)


def perturbed(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """p moved by half a unit of z along each parameter (per input's spread), with signs
    + − +: away from the minimum, where the gradient is large enough to judge."""
    spread = np.where(x.std(axis=0) > 1e-12, x.std(axis=0), 1.0)
    return p + 0.5 * np.array([1.0 / spread[0], -1.0 / spread[1], 1.0])


def gradient_check(run: TrainingRun, data: Dataset, h: float) -> list[dict]:
    """Analytic against central-difference gradients at the first, middle and last epoch,
    and at a point near the last one where the gradient is not at the noise floor.

    Returns:
        One check_at dict per point, with k (the epoch, or None for the perturbed point).
    """
    x, y, loss = run.inputs(data.x_train), data.y_train, run.settings.loss
    rows = [check_at(run.params(k), x, y, loss, h) | {"k": k}
            for k in sorted({0, run.final // 2, run.final})]
    return [*rows, check_at(perturbed(run.params(run.final), x), x, y, loss, h) | {"k": None}]


# --- The words an animation says at each frame (gdviz/playback.js's status line) ---------------
def frame_words(run: TrainingRun, ks: Sequence[int]) -> list[str]:
    """What frame k shows, for each epoch k in ks: the epoch, the training cost and the
    accuracies."""
    return [f"epoch {k} of {run.final}, training cost {run.train_cost[k]:.4f}, accuracy "
            f"{run.train_acc[k]:.0%} train, {run.test_acc[k]:.0%} test" for k in ks]


def run_words(run: TrainingRun) -> str:
    """What holds at every frame of a training run: how it ended, and for full-batch descent
    η as a share of 2/λmax where training ends (a local limit, true of the curvature there)."""
    if run.full_batch and math.isfinite(run.lr_limit_end):
        share = run.settings.lr / run.lr_limit_end
        return f"{run.status}, η is {share:.2g} of the local limit 2/λmax where training ends"
    return run.status
