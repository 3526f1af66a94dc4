"""The settings tables: URL values parse, or fall back to the default with a note."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdviz.settings import DESCENT_FIELDS, NEURON_FIELDS, by_key, parse_settings

D = by_key(DESCENT_FIELDS)


def test_defaults_are_the_seed_run():
    values, notes = parse_settings(DESCENT_FIELDS, {})
    assert (values["f"], values["x0"], values["lr"], values["steps"]) == ("seed", 8.0, 0.1, 33)
    assert notes == []


@pytest.mark.parametrize("fields", [DESCENT_FIELDS, NEURON_FIELDS])
def test_every_default_is_valid(fields):
    for f in fields:
        assert f.parse(f.default) == f.default


@pytest.mark.parametrize("raw,key,expected", [
    ({"lr": "0.25"}, "lr", 0.25), ({"lr": ["0.25"]}, "lr", 0.25), ({"steps": "7"}, "steps", 7),
    ({"f": "two-valleys"}, "f", "two-valleys"), ({"x0": "-3.5"}, "x0", -3.5),
])
def test_good_values_are_used(raw, key, expected):
    values, notes = parse_settings(DESCENT_FIELDS, raw)
    assert values[key] == expected and notes == []


@pytest.mark.parametrize("raw", [
    {"lr": "abc"}, {"lr": "nan"}, {"lr": "inf"}, {"lr": "-inf"}, {"lr": "1e309"}, {"lr": "-1"},
    {"lr": "0"}, {"lr": "99"}, {"steps": "2.5"}, {"steps": "0"}, {"steps": "1e9"},
    {"f": "<script>alert(1)</script>"}, {"f": "__import__('os').system('id')"},
    {"x0": "1+1"}, {"lr": ["0.1", "0.2"]}, {"x0": ""}, {"steps": "true"},
])
def test_bad_values_fall_back_with_a_note(raw):
    values, notes = parse_settings(DESCENT_FIELDS, raw)
    key = next(iter(raw))
    assert values[key] == D[key].default
    assert len(notes) == 1 and key in notes[0] and "default" in notes[0]


@given(st.text(max_size=30))
def test_any_text_either_parses_in_range_or_falls_back(text):
    values, notes = parse_settings(DESCENT_FIELDS, {"lr": text})
    lr = values["lr"]
    assert math.isfinite(lr) and D["lr"].lo <= lr <= D["lr"].hi
    assert notes == [] or lr == D["lr"].default
