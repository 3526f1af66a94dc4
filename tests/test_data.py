"""The cats-and-dogs generator: reproducible, honest counts and the statistics it promises."""
from __future__ import annotations

import numpy as np
import pytest

from gdviz import data as pets_data
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
    assert np.allclose(d.x_train[0], [5.791312, 6.592988], atol=1e-6)
    assert d.y_train[:6].tolist() == [1.0, 1.0, 0.0, 1.0, 1.0, 0.0]


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
    assert dogs == 3 and test == 2      # the training set keeps one cat and one dog


def test_class_statistics_match_the_stated_means_and_spreads():
    d = make_pets(20000, 1.0, 0.5, 0.5, seed=3)
    x, y = d.x_all, np.concatenate([d.y_train, d.y_test])
    cats, dogs = x[y == 0], x[y == 1]
    # mean within ~4 standard errors, whatever the distribution's shape
    assert np.allclose(cats.mean(axis=0), MEAN[0], atol=4 * SPREAD[0] / np.sqrt(len(cats)))
    assert np.allclose(cats.std(axis=0), SPREAD[0], rtol=0.05)
    assert np.all(dogs.mean(axis=0) > cats.mean(axis=0) + 2)
    # very different scales: weight spreads several times more than ear length
    assert x[:, 0].std() > 2.5 * x[:, 1].std()
    assert np.all(x > 0)


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


# --- Issue 12: no clipping, a stratified split, and a warning when a set lacks a class -------
@pytest.mark.parametrize("noise", [1.0, 2.0, 3.0])
def test_no_animal_sits_on_a_floor_at_any_noise(noise):
    # clipping at a floor piles animals up on it: no value may repeat, and all are positive
    for seed in range(5):
        x = make_pets(2000, noise, 0.5, 0.25, seed).x_all
        assert np.all(x > 0)
        for j in range(2):
            values, repeats = np.unique(x[:, j], return_counts=True)
            assert repeats.max() == 1, (noise, seed, j, values[repeats.argmax()])


@pytest.mark.parametrize("noise", [0.5, 2.0, 3.0])
def test_each_class_keeps_its_mean_and_spread_at_high_noise(noise):
    d = make_pets(20000, noise, 0.5, 0.5, seed=4)
    x, y = d.x_all, np.concatenate([d.y_train, d.y_test])
    for c in (0, 1):
        xc = x[y == c]
        sd = SPREAD[c] * noise
        assert np.allclose(xc.mean(axis=0), MEAN[c], atol=5 * sd / np.sqrt(len(xc)))
        # the sample sd of a skewed distribution wanders more: 10 % is ~6 standard errors
        assert np.allclose(xc.std(axis=0), sd, rtol=0.1)


@pytest.mark.parametrize("n,balance,split", [(200, 0.5, 0.25), (10, 0.05, 0.05), (57, 0.9, 0.1),
                                             (1000, 0.2, 0.5), (10, 0.5, 0.9), (40, 0.05, 0.3)])
def test_the_split_is_stratified(n, balance, split):
    for seed in range(4):
        d = make_pets(n, 1.0, balance, split, seed)
        dogs = int(d.y_train.sum() + d.y_test.sum())
        test = len(d.y_test)
        # each class's share of the test set is its share of the data, to within one animal
        assert abs(d.y_test.sum() - test * dogs / n) < 1 + 1e-9
        # the training set holds both classes whenever there are two of each to go round
        assert set(d.y_train.tolist()) == {0.0, 1.0}
        if test >= 2 and min(dogs, n - dogs) >= 2:
            assert set(d.y_test.tolist()) == {0.0, 1.0}


def test_the_issue_split_trains_on_both_classes_and_says_the_test_set_lacks_dogs():
    d = make_pets(10, 1.0, 0.05, 0.05, seed=3)
    assert set(d.y_train.tolist()) == {0.0, 1.0}       # it trained on 9 cats alone before
    assert pets_data.missing_classes(d) == [("test", "dog")]
    assert pets_data.missing_classes(make_pets(200, 1.0, 0.5, 0.25, 0)) == []
