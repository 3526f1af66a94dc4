"""`python -m gdviz neuron`: the log's shape, its numbers, and one-line refusals."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from gdviz import neuron
from gdviz.cli import main
from gdviz.data import make_pets


def run_cli(capsys, *argv):
    status = main(["neuron", *argv])
    out = capsys.readouterr()
    return status, out.out.splitlines(), out.err


def test_header_then_one_row_per_epoch_from_zero(capsys):
    status, lines, err = run_cli(capsys, "--epochs", "5")
    assert status == 0
    assert lines[0].split() == ["epoch", "train_cost", "test_cost", "train_accuracy"]
    rows = np.array([[float(v) for v in line.split()] for line in lines[1:]])
    assert rows[:, 0].tolist() == [0, 1, 2, 3, 4, 5]
    assert rows[0, 1] == pytest.approx(0.125)     # zero weights: ŷ = ½ for all, C = 1/8
    assert np.all((rows[:, 3] >= 0) & (rows[:, 3] <= 1))
    assert err.strip()                           # how the run ended


def test_rows_are_the_training_run_of_the_same_settings(capsys):
    argv = ["--loss", "ce", "--init", "random", "--lr", "0.3", "--epochs", "40", "--seed", "9",
            "--batch", "8", "--n", "120", "--noise", "1.5", "--no-standardize", "--every", "10"]
    status, lines, _ = run_cli(capsys, *argv)
    assert status == 0
    s = neuron.NeuronSettings(lr=0.3, epochs=40, loss="ce", batch=8, init="random",
                              standardize=False, seed=9)
    run = neuron.train(s, make_pets(120, 1.5, 0.5, 0.25, 9))
    rows = [line.split() for line in lines[1:]]
    assert [int(r[0]) for r in rows] == [0, 10, 20, 30, 40]
    for r in rows:
        k = int(r[0])
        assert float(r[1]) == pytest.approx(run.train_cost[k], abs=1e-6)
        assert float(r[2]) == pytest.approx(run.test_cost[k], abs=1e-6)
        assert float(r[3]) == pytest.approx(run.train_acc[k], abs=1e-4)


def test_final_epoch_is_always_logged(capsys):
    _, lines, _ = run_cli(capsys, "--epochs", "7", "--every", "3")
    assert [line.split()[0] for line in lines[1:]] == ["0", "3", "6", "7"]


@pytest.mark.parametrize("argv", [["--lr", "-1"], ["--lr", "nan"], ["--epochs", "0"],
                                  ["--epochs", "2.5"], ["--batch", "half"], ["--n", "1"],
                                  ["--noise", "inf"], ["--every", "0"], ["--loss", "hinge"],
                                  ["--init", "ones"], ["--nonsense"]])
def test_invalid_input_exits_non_zero_with_one_line(argv):
    done = subprocess.run([sys.executable, "-m", "gdviz", "neuron", *argv],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
