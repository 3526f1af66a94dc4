"""Throughput of the numerical cores, without Streamlit.

    descent: the seed's run (x0 = 8, lr = 0.1, 33 steps), best of 200
    training: 10,000 animals × 1,000 full-batch epochs, each cost (budget ≤ 0.3 s), best of
              a few; the note says how the run ended

A core that does not exist yet gets a row that says so instead of failing the benchmark.

    python bench/core.py
"""
from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@dataclass
class CoreResult:
    """One core measurement: `seconds` per call (best of `repeats`), or why it is missing."""

    name: str
    seconds: float = float("nan")
    repeats: int = 0
    note: str = ""


def best_of(fn: Callable[[], object], repeats: int) -> float:
    """The fastest of `repeats` calls: on a shared machine the minimum is the least noisy."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def descent_seed(repeats: int = 200) -> CoreResult:
    """The seed's 33-step run."""
    name = "descent: seed run (33 steps)"
    try:
        from gdviz.descent import descend
        from gdviz.objectives import seed
    except ImportError as exc:
        return CoreResult(name, note=f"not yet available ({exc})")
    obj = seed()
    return CoreResult(name, best_of(lambda: descend(obj, 8.0, 0.1, 33), repeats), repeats)


def training(samples: int = 10_000, epochs: int = 1_000, repeats: int = 3) -> list[CoreResult]:
    """Full-batch training on `samples` animals for `epochs`, both costs."""
    try:
        from gdviz.data import make_pets
        from gdviz.neuron import NeuronSettings, train
    except ImportError as exc:
        return [CoreResult("training", note=f"not yet available ({exc})")]
    # a 20 % test split around `samples` training animals
    data = make_pets(n=round(samples / 0.8), noise=1.0, balance=0.5, split=0.2, seed=0)
    out = []
    for loss in ("mse", "ce"):
        name = f"training: {len(data.y_train):,} × {epochs:,} epochs ({loss})"
        try:
            s = NeuronSettings(lr=0.5, epochs=epochs, loss=loss)
            seconds = best_of(lambda s=s: train(s, data), repeats)
            out.append(CoreResult(name, seconds, repeats, note=train(s, data).status))
        except (TypeError, ValueError) as exc:   # the core's API moved: say so, keep going
            out.append(CoreResult(name, note=f"could not run: {exc}"))
    return out


def measure(smoke: bool = False) -> list[CoreResult]:
    """All core rows; `smoke` shrinks the work so CI only checks that it runs."""
    if smoke:
        return [descent_seed(5)] + training(samples=1_000, epochs=50, repeats=1)
    return [descent_seed()] + training()


if __name__ == "__main__":
    print(json.dumps([asdict(r) for r in measure("--smoke" in sys.argv)], indent=2))
