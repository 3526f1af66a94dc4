"""Synthetic, seeded cats and dogs: two measurements in real units, class 1 = dog.

The two features sit on very different scales on purpose (kilograms spread over tens, ear
length over a few centimetres), so that training on the raw numbers shows the slow zig-zag
that input standardisation removes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEATURES = ("body weight", "ear length")
UNITS = ("kg", "cm")
CLASSES = ("cat", "dog")

# Per class (cat, dog): mean and spread at noise = 1 for each feature.
MEAN = np.array([[4.5, 6.5],      # cats: 4.5 kg, 6.5 cm ears
                 [14.0, 9.0]])    # dogs: 14 kg, 9 cm ears
SPREAD = np.array([[1.5, 1.2],
                   [6.0, 2.0]])
MIN_NOISE = 0.02                  # keeps a whisker of spread at noise 0, so no feature is constant


# The settings that make the animals, in the order make_pets takes them.
DATA_KEYS = ("n", "noise", "balance", "split", "seed")


@dataclass(frozen=True)
class Dataset:
    """Labelled animals split into a training and a test set.

    Attributes:
        x_train, x_test: (N, 2) arrays of [body weight in kg, ear length in cm].
        y_train, y_test: (N,) arrays of 0.0 (cat) or 1.0 (dog).
        features, units: names and units of the two columns.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    features: tuple[str, str] = FEATURES
    units: tuple[str, str] = UNITS

    @property
    def x_all(self) -> np.ndarray:
        """Training and test inputs stacked."""
        return np.vstack([self.x_train, self.x_test])


def counts(n: int, balance: float, split: float) -> tuple[int, int]:
    """How many dogs, and how many test animals, for n animals.

    Both classes and both sets always get at least one animal, so every cost and accuracy
    is defined, and the training set keeps room for one animal of each class.

    Returns:
        (number of dogs, number of test animals).
    """
    if n < 4:
        raise ValueError("the data needs at least 4 animals")
    if not 0.0 < balance < 1.0:
        raise ValueError("the share of dogs must be between 0 and 1")
    if not 0.0 < split < 1.0:
        raise ValueError("the test share must be between 0 and 1")
    dogs = min(max(round(n * balance), 1), n - 1)
    test = min(max(round(n * split), 1), n - 2)
    return dogs, test


def split_counts(dogs: int, cats: int, test: int) -> tuple[int, int]:
    """How many dogs and cats go to the test set: each class in proportion to its size
    (a stratified split), so a small or lopsided sample tests on what it trains on.

    The training set keeps at least one of each class (it cannot learn a class it never
    sees), and the test set gets one of each where there are two of each to go round.
    counts() leaves the training set two animals, so both bounds can always be met.

    Returns:
        (test dogs, test cats), summing to `test`.
    """
    both = test >= 2 and dogs >= 2 and cats >= 2
    lo = max(test - (cats - 1), int(both))
    hi = min(dogs - 1, test - int(both))
    t_dog = min(max(round(test * dogs / (dogs + cats)), lo), hi)
    return t_dog, test - t_dog


def make_pets(n: int, noise: float, balance: float, split: float, seed: int) -> Dataset:
    """Draw n cats and dogs and split them into training and test sets.

    Args:
        n: number of animals (≥ 4).
        noise: multiplies each class's spread; 0 separates the classes cleanly, 1 overlaps
            them a little, 3 a lot.
        balance: share of dogs (0 < balance < 1).
        split: share of animals held out for testing (0 < split < 1).
        seed: the only source of randomness, so a link reproduces the data exactly.

    Returns:
        A frozen Dataset.
    """
    if not np.isfinite(noise) or noise < 0:
        raise ValueError("noise must be a number ≥ 0")
    dogs, test = counts(n, balance, split)
    rng = np.random.default_rng(seed)
    y = np.zeros(n)
    y[:dogs] = 1.0
    label = y.astype(int)
    spread = SPREAD[label] * max(noise, MIN_NOISE)
    x = positive(MEAN[label], spread, rng.standard_normal((n, 2)))
    t_dog, t_cat = split_counts(dogs, n - dogs, test)
    dog_order, cat_order = rng.permutation(dogs), dogs + rng.permutation(n - dogs)
    test_i = np.concatenate([dog_order[:t_dog], cat_order[:t_cat]])
    train_i = np.concatenate([dog_order[t_dog:], cat_order[t_cat:]])
    # shuffle each set so its order says nothing of the class (the split above sorted it)
    test_i, train_i = rng.permutation(test_i), rng.permutation(train_i)
    return Dataset(x[train_i], y[train_i], x[test_i], y[test_i])


def positive(mean: np.ndarray, spread: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Log-normal values with exactly this mean and standard deviation, from standard normals.

    A weight or an ear length is never negative; a normal draw clipped at a floor would pile
    animals up on the floor at high noise. If log x ~ N(μ, s²), x has mean e^(μ + s²/2) and
    variance mean²·(e^(s²) − 1), which gives s² = log(1 + (spread/mean)²), μ = log mean − s²/2.
    """
    s2 = np.log1p((spread / mean) ** 2)
    return np.exp(np.log(mean) - s2 / 2 + np.sqrt(s2) * normal)


def missing_classes(data: Dataset) -> list[tuple[str, str]]:
    """(set, class) for each class a set holds no animal of, e.g. [("test", "dog")]."""
    return [(name, CLASSES[c]) for name, y in (("training", data.y_train), ("test", data.y_test))
            for c in (0, 1) if not np.any(y == c)]
