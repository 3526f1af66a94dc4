"""The cats-and-dogs generator: reproducible, honest counts and the statistics it promises."""
from __future__ import annotations

import numpy as np
import pytest

from gdviz.data import MEAN, SPREAD, counts, make_pets


def test_same_seed_gives_identical_data_and_another_seed_does_not():
    a = make_pets(300, 1.0, 0.5, 0.25, seed=7)
    b = make_pets(300, 1.0, 0.5, 0.25, seed=7)
    c = make_pets(300, 1.0, 0.5, 0.25, seed=8)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x_train, c.x_train)


def test_known_first_animal_pins_the_stream_across_machines():
    # np.random.default_rng(PCG64) is specified bit-for-bit; a change here breaks shared links
    d = make_pets(200, 1.0, 0.5, 0.25, seed=0)
    assert d.x_train.shape == (150, 2) and d.x_test.shape == (50, 2)
    assert np.allclose(d.x_train[0], [4.013292, 5.034532], atol=1e-6)
    assert d.y_train[:6].tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("n,balance,split", [(1000, 0.5, 0.25), (1000, 0.2, 0.5), (57, 0.9, 0.1)])
def test_counts_of_dogs_and_test_animals(n, balance, split):
    d = make_pets(n, 1.0, balance, split, seed=1)
    dogs = d.y_train.sum() + d.y_test.sum()
    assert dogs == round(n * balance)
    assert len(d.y_test) == round(n * split)
    assert len(d.y_train) + len(d.y_test) == n
    assert set(np.unique(np.concatenate([d.y_train, d.y_test]))) <= {0.0, 1.0}


def test_tiny_data_still_has_both_classes_and_both_sets():
    dogs, test = counts(4, 0.05, 0.05)
    assert dogs == 1 and test == 1
    dogs, test = counts(4, 0.95, 0.95)
    assert dogs == 3 and test == 3


def test_class_statistics_match_the_stated_means_and_spreads():
    d = make_pets(20000, 1.0, 0.5, 0.5, seed=3)
    x, y = d.x_all, np.concatenate([d.y_train, d.y_test])
    cats, dogs = x[y == 0], x[y == 1]
    # cats sit far from the floor, so they are plain normals: mean within ~4 standard errors
    assert np.allclose(cats.mean(axis=0), MEAN[0], atol=4 * SPREAD[0] / np.sqrt(len(cats)))
    assert np.allclose(cats.std(axis=0), SPREAD[0], rtol=0.05)
    assert np.all(dogs.mean(axis=0) > cats.mean(axis=0) + 2)
    # very different scales: weight spreads several times more than ear length
    assert x[:, 0].std() > 2.5 * x[:, 1].std()
    assert x.min(axis=0).tolist() >= [0.5, 1.0]


def test_noise_zero_separates_the_classes_and_more_noise_overlaps_them():
    clean = make_pets(2000, 0.0, 0.5, 0.25, seed=2)
    cats = clean.x_train[clean.y_train == 0]
    dogs = clean.x_train[clean.y_train == 1]
    assert cats[:, 0].max() < dogs[:, 0].min()
    noisy = make_pets(2000, 2.0, 0.5, 0.25, seed=2)
    cats = noisy.x_train[noisy.y_train == 0]
    dogs = noisy.x_train[noisy.y_train == 1]
    assert cats[:, 0].max() > dogs[:, 0].min()


@pytest.mark.parametrize("kwargs", [dict(n=3), dict(balance=0.0), dict(balance=1.0),
                                    dict(split=0.0), dict(split=1.0), dict(noise=-1.0),
                                    dict(noise=float("nan"))])
def test_refuses_unusable_settings(kwargs):
    args = dict(n=100, noise=1.0, balance=0.5, split=0.25, seed=0) | kwargs
    with pytest.raises(ValueError):
        make_pets(**args)
