"""The step ledger: each descent update written out as the seed writes it.

The seed prints its iterates truncated to two decimals (4.4576 shows as 4.45), not rounded,
so the ledger truncates too, after a tiny rounding that keeps 6.8 (stored as 6.79999…)
from showing as 6.79.
"""
from __future__ import annotations

import math

from gdviz.descent import DescentRun
from gdviz.objectives import Objective


def truncate(x: float, decimals: int) -> float:
    """x cut (towards zero) to `decimals` places, ignoring floating-point dust below 1e-9."""
    scale = 10.0**decimals
    return math.trunc(round(x * scale, 6)) / scale


def show(x: float, decimals: int) -> str:
    """x truncated and printed with exactly `decimals` places ("-0.00" shows as "0.00")."""
    text = f"{truncate(x, decimals):.{decimals}f}"
    return "0." + "0" * decimals if text.lstrip("-").strip("0.") == "" else text


def slope_text(obj: Objective, x_text: str, x: float, decimals: int | None) -> str:
    """f′ at x as the seed writes it for its parabola, (2 * 5.84 - 4); elsewhere its value,
    truncated like x (or every digit, when decimals is None)."""
    if obj.name == "seed":
        return f"(2 * {x_text} - 4)"
    return f"({full(float(obj.df(x))) if decimals is None else show(float(obj.df(x)), decimals)})"


def full(x: float) -> str:
    """Every digit of x: the shortest text that reads back as the same float."""
    return repr(float(x))


def lines(run: DescentRun, obj: Objective, decimals: int | None = 2) -> list[str]:
    """One line per step k = 1..n: x_new = x_old - lr * (slope at x_old) = x_new.

    decimals=None writes every digit the run keeps, so redoing a line in Python (or on a
    calculator with enough digits) gives its right-hand side exactly.
    """
    text = full if decimals is None else (lambda v: show(v, decimals))
    out = []
    for k in range(1, len(run.x)):
        old, new = text(run.x[k - 1]), text(run.x[k])
        slope = slope_text(obj, old, run.x[k - 1], decimals)
        lr = full(run.lr) if decimals is None else f"{run.lr:g}"
        out.append(f"x_new = {old} - {lr} * {slope} = {new}")
    return out


def numbered(lines: list[str]) -> list[str]:
    """The lines with their step k = 1..n in front, aligned."""
    width = len(str(len(lines)))
    return [f"k = {k:>{width}}:  {line}" for k, line in enumerate(lines, start=1)]
