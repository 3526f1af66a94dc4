"""One-dimensional objectives for the descent lesson, each with its derivatives beside it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Fn = Callable[[np.ndarray | float], np.ndarray | float]


@dataclass(frozen=True)
class Objective:
    """A smooth function of one variable with what the lesson needs to know about it.

    Attributes:
        name: short key used in URLs and on the CLI.
        latex: the formula, for display.
        f, df, d2f: the function and its first and second derivatives.
        minima: the local minimisers, sorted.
        view: (lo, hi) x-range that shows the interesting part.
        curvature: f″ when it is constant (a quadratic), else None.
        maxima: the local maximisers (the humps between valleys), sorted.
    """

    name: str
    latex: str
    f: Fn
    df: Fn
    d2f: Fn
    minima: tuple[float, ...]
    view: tuple[float, float]
    curvature: float | None = None
    maxima: tuple[float, ...] = ()

    def valley(self, x: float) -> float:
        """The minimum of the valley x lies in: the one the slope leads to from x.

        Valleys are separated by the humps (maxima), so this is the minimum between the humps
        on either side of x, not always the nearest one: next to a hump the ball rolls off
        towards the valley on its own side, however far that minimum is.
        """
        return self.minima[sum(x > m for m in self.maxima)]

    def nearest_maximum(self, x: float) -> float | None:
        """The hump closest to x, or None on a function without one."""
        return min(self.maxima, key=lambda m: abs(m - x)) if self.maxima else None


def quadratic(a: float = 1.0, b: float = -4.0, c: float = 6.0) -> Objective:
    """f(x) = ax² + bx + c with a > 0: one minimum at −b/(2a), constant curvature 2a.

    The defaults are the seed's parabola x² − 4x + 6 (minimum at x = 2).
    """
    if not a > 0:
        raise ValueError("a must be positive so that the parabola has a minimum")
    x_star = -b / (2 * a)
    half = max(6.0, 12.0 / np.sqrt(a))
    return Objective(
        name="quadratic",
        latex=f"{_num(a)}x^2 {_signed(b)}x {_signed(c)}",
        f=lambda x: a * x * x + b * x + c,
        df=lambda x: 2 * a * x + b,
        d2f=lambda x: 2 * a + 0 * x,
        minima=(x_star,),
        view=(x_star - half, x_star + half),
        curvature=2 * a,
    )


def seed() -> Objective:
    """The seed's parabola y = x² − 4x + 6."""
    obj = quadratic(1.0, -4.0, 6.0)
    return Objective("seed", "x^2 - 4x + 6", obj.f, obj.df, obj.d2f, obj.minima, (-6.0, 10.0), 2.0)


def two_valleys() -> Objective:
    """A tilted double well centred on the seed's minimum: f(x) = (u² − 9)²/40 + u/4, u = x − 2.

    The valley left of the hump (x ≈ −1) is deeper than the one right of it (x ≈ 5), so the
    start decides which minimum descent finds and the global one is not always reached.
    """
    def f(x):
        u = x - 2.0
        return (u * u - 9.0) ** 2 / 40.0 + u / 4.0

    def df(x):
        u = x - 2.0
        return u * (u * u - 9.0) / 10.0 + 0.25

    def d2f(x):
        u = x - 2.0
        return (3.0 * u * u - 9.0) / 10.0

    # f'(u) = (u³ − 9u + 2.5)/10: its real roots with f'' > 0 are the minima.
    roots = np.roots([1.0, 0.0, -9.0, 2.5]).real + 2.0
    minima = tuple(sorted(float(r) for r in roots if d2f(r) > 0))
    maxima = tuple(sorted(float(r) for r in roots if d2f(r) < 0))
    return Objective("two-valleys", r"\tfrac{(u^2-9)^2}{40} + \tfrac{u}{4},\ u = x-2",
                     f, df, d2f, minima, (-4.0, 8.0), maxima=maxima)


def by_name(name: str, a: float = 1.0, b: float = -4.0, c: float = 6.0) -> Objective:
    """The objective called `name` ("seed", "quadratic" or "two-valleys")."""
    if name == "seed":
        return seed()
    if name == "quadratic":
        return quadratic(a, b, c)
    if name == "two-valleys":
        return two_valleys()
    raise ValueError(f"unknown objective {name!r}; choose seed, quadratic or two-valleys")


def _num(v: float) -> str:
    return "" if v == 1 else f"{v:g}"


def _signed(v: float) -> str:
    return f"- {abs(v):g}" if v < 0 else f"+ {v:g}"
