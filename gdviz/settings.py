"""One table of named, typed settings per lesson: defaults, ranges and URL names in one place.

The widgets, the URL and the CLI all read these tables, so a value that one of them accepts
is accepted by the others, and a refused value is explained in the same words everywhere.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    """One setting: its URL/widget key, label, default and allowed values.

    `choices` makes a field categorical; otherwise `lo`/`hi` bound a number. `kind` is the
    Python type of the value (float, int, str or bool).
    """

    key: str
    label: str
    default: Any
    kind: type
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    help: str = ""
    step: float | None = None
    widget: str = "auto"     # how the page shows it: "slider", "number", "select", "toggle"

    def parse(self, raw: Any) -> Any:
        """Turn a raw value (a URL string, a CLI string or a widget value) into a valid value.

        Raises:
            ValueError: with a sentence a student can act on.
        """
        if self.kind is bool:
            return _parse_bool(self, raw)
        if self.choices is not None:
            text = str(raw).strip()
            if text not in self.choices:
                raise ValueError(f"{self.key} must be one of {', '.join(self.choices)}")
            return text
        value = _parse_number(self, raw)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise ValueError(f"{self.key} must be between {_fmt(self.lo)} and {_fmt(self.hi)}")
        return value

    def allowed(self) -> str:
        """The allowed values, in words."""
        if self.kind is bool:
            return "true or false"
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        return f"a number from {_fmt(self.lo)} to {_fmt(self.hi)}"


def _fmt(v: float | None) -> str:
    return "any" if v is None else f"{v:g}"


def _parse_number(field: Field, raw: Any) -> float | int:
    if isinstance(raw, bool):
        raise ValueError(f"{field.key} must be a number")
    try:
        value = float(str(raw).strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{field.key} must be a number, not {str(raw)[:20]!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{field.key} must be a finite number")
    if field.kind is int:
        if value != int(value):
            raise ValueError(f"{field.key} must be a whole number")
        return int(value)
    return value


def _parse_bool(field: Field, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"{field.key} must be true or false")


def parse_settings(
    fields: Sequence[Field], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Read every field from `raw`, falling back to its default where the raw value is refused.

    A URL may repeat a key (`?lr=0.1&lr=0.2`); a list value is refused as ambiguous.

    Returns:
        (values by key, one note per refused value saying what was refused and what is used).
    """
    values, notes = {}, []
    for field in fields:
        if field.key not in raw:
            values[field.key] = field.default
            continue
        try:
            values[field.key] = field.parse(_single(field, raw[field.key]))
        except ValueError as err:
            values[field.key] = field.default
            notes.append(f"{err}; using the default {field.key} = {field.default}.")
    return values, notes


def _single(field: Field, raw: Any) -> Any:
    if isinstance(raw, (list, tuple)):
        if len(raw) != 1:
            raise ValueError(f"{field.key} appears {len(raw)} times in the link")
        return raw[0]
    return raw


def by_key(fields: Sequence[Field]) -> dict[str, Field]:
    """The fields of a table indexed by their key."""
    return {f.key: f for f in fields}


# --- Lesson 1: descent on a parabola -------------------------------------------------------
OBJECTIVES = ("seed", "quadratic", "two-valleys")

DESCENT_FIELDS: tuple[Field, ...] = (
    Field("f", "Objective", "seed", str, choices=OBJECTIVES,
          help="seed: x² − 4x + 6; quadratic: ax² + bx + c; two-valleys: a tilted double well"),
    Field("x0", "Start x₀", 8.0, float, -10.0, 10.0, help="Where the ball starts",
          step=0.5, widget="number"),
    Field("lr", "Learning rate η", 0.1, float, 0.001, 2.5,
          help="How far each step goes along −f′(x)", step=0.001, widget="number"),
    Field("steps", "Steps", 33, int, 1, 500, help="How many updates to run", widget="number"),
    Field("a", "a (f″ = 2a)", 1.0, float, 0.5, 5.0, help="Quadratic only", step=0.1,
          widget="number"),
    Field("b", "b", -4.0, float, -10.0, 10.0, help="Quadratic only", step=0.5, widget="number"),
    Field("c", "c", 6.0, float, -10.0, 10.0, help="Quadratic only", step=0.5, widget="number"),
)

# --- Lesson 2: a neuron learns cats vs dogs -----------------------------------------------
NEURON_FIELDS: tuple[Field, ...] = (
    Field("lr", "Learning rate η", 2.0, float, 0.001, 100.0,
          help="How far each update goes along −∇C; compare it with 2/λmax below",
          step=0.001, widget="number"),
    Field("epochs", "Epochs", 200, int, 1, 2000, help="Passes over the training set",
          widget="number"),
    Field("n", "Animals", 200, int, 10, 10000, help="Cats and dogs drawn, before the split",
          step=10, widget="number"),
    Field("noise", "Overlap / noise", 1.0, float, 0.0, 3.0, step=0.1, widget="slider",
          help="Scales each class's spread; 0 separates cats and dogs cleanly"),
    Field("balance", "Share of dogs", 0.5, float, 0.05, 0.95, step=0.05, widget="slider"),
    Field("split", "Test share", 0.25, float, 0.05, 0.9, step=0.05, widget="slider",
          help="Animals held out to test the neuron on data it never trained on"),
    Field("seed", "Random seed", 0, int, 0, 2**31 - 1, widget="number",
          help="Same seed, same animals and same random start on every machine"),
    Field("loss", "Cost", "mse", str, choices=("mse", "ce"),
          help="mse: the seed's 1/(2N)·Σ(ŷ − y)²; ce: cross-entropy"),
    Field("batch", "Batch size (0 = full batch)", 0, int, 0, 10000, widget="number",
          help="0: every animal in every update, as in the seed; 1: stochastic"),
    Field("init", "Initial weights", "zeros", str, choices=("zeros", "random", "wrong"),
          help="wrong: a confidently wrong start, most animals on the wrong side"),
    Field("standardize", "Standardise inputs", True, bool,
          help="Rescale kg and cm to mean 0, spread 1 before training"),
)
