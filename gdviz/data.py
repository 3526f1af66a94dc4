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
MIN_VALUE = np.array([0.5, 1.0])  # no animal weighs less than 0.5 kg or has ears under 1 cm
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
    is defined.

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
    test = min(max(round(n * split), 1), n - 1)
    return dogs, test


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
    x = np.maximum(MEAN[label] + spread * rng.standard_normal((n, 2)), MIN_VALUE)
    order = rng.permutation(n)
    x, y = x[order], y[order]
    return Dataset(x[test:], y[test:], x[:test], y[:test])
