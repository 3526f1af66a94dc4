"""Time the training core: 10,000 animals × 1,000 full-batch epochs (budget: ≤ 0.3 s).

Run: python bench/core_neuron.py   (prints the best of a few runs; the machine is shared)
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere, no install

from gdviz.data import make_pets
from gdviz.neuron import NeuronSettings, train


def main(repeats: int = 5) -> None:
    data = make_pets(n=12_500, noise=1.0, balance=0.5, split=0.2, seed=0)  # 10,000 to train
    assert len(data.y_train) == 10_000
    for loss in ("mse", "ce"):
        settings = NeuronSettings(lr=0.5, epochs=1000, loss=loss)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run = train(settings, data)
            times.append(time.perf_counter() - t0)
        print(f"{loss}: 10,000 samples x 1,000 full-batch epochs: best {min(times):.3f} s, "
              f"median {sorted(times)[len(times) // 2]:.3f} s ({run.status})")


if __name__ == "__main__":
    main()
