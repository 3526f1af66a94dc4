"""The CLI contract: the seed's 33 lines at two decimals, clear errors, no tracebacks."""
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gdviz import descent, ledger, objectives
from tests.test_descent import SEED_TABLE

SEED_FILE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_10c35ab024e6dae2.txt"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gdviz", *args], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])


def last_number(line: str) -> float:
    return float(re.findall(r"-?\d+(?:\.\d+)?", line)[-1])


def test_contract_prints_the_seed_table():
    out = cli("descent", "--x0", "8", "--lr", "0.1", "--steps", "33", "--decimals", "2")
    assert out.returncode == 0 and out.stderr == ""
    lines = out.stdout.splitlines()
    assert len(lines) == 33
    assert [last_number(line) for line in lines] == SEED_TABLE
    assert lines[0] == "x_new = 8.00 - 0.1 * (2 * 8.00 - 4) = 6.80"
    assert lines[4] == "x_new = 4.45 - 0.1 * (2 * 4.45 - 4) = 3.96"


@pytest.mark.skipif(not SEED_FILE.exists(), reason="shared/ is not beside this checkout")
def test_seed_table_is_the_one_in_the_seed_file():
    text = SEED_FILE.read_text()
    printed = [float(v) for v in re.findall(r"x\^\{new\} = .*?= (-?\d+\.?\d*) \$", text)]
    assert printed == SEED_TABLE


def test_ledger_truncates_and_does_not_round(parabola):
    assert ledger.show(4.4576, 2) == "4.45"
    assert ledger.show(6.8, 2) == "6.80"            # stored as 6.7999…: dust is not a digit
    assert ledger.show(-1.239, 2) == "-1.23"        # towards zero
    assert ledger.show(-0.004, 2) == "0.00"
    run = descent.descend(parabola, 8.0, 0.1, 33)
    assert [last_number(line) for line in ledger.lines(run, parabola, 2)] == SEED_TABLE


def test_other_functions_show_the_slope_value():
    out = cli("descent", "--function", "two-valleys", "--steps", "3")
    assert out.returncode == 0
    obj = objectives.two_valleys()
    run = descent.descend(obj, 8.0, 0.1, 3)
    assert [last_number(line) for line in out.stdout.splitlines()] == [
        float(ledger.show(v, 2)) for v in run.x[1:]]


def test_diverging_run_ends_with_a_diverged_line():
    out = cli("descent", "--lr", "1.5", "--steps", "200")
    assert out.returncode == 0
    assert "diverged" in out.stdout.splitlines()[-1]


@pytest.mark.parametrize("args", [
    ["descent", "--lr", "-1"], ["descent", "--lr", "0"], ["descent", "--x0", "nan"],
    ["descent", "--x0", "abc"], ["descent", "--steps", "0"], ["descent", "--steps", "1.5"],
    ["descent", "--function", "__import__('os')"], ["descent", "--decimals", "99"],
    ["descent", "--a", "-1", "--function", "quadratic"], ["nonsense"],
])
def test_invalid_input_is_one_line_and_nonzero(args):
    out = cli(*args)
    assert out.returncode != 0
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_help_says_values_are_truncated():
    out = cli("descent", "--help")
    assert out.returncode == 0 and "TRUNCATED" in out.stdout


def test_other_functions_truncate_the_slope_like_x():
    """The seed view truncates every number it prints, the slope included (issue 12)."""
    obj = objectives.two_valleys()
    run = descent.descend(obj, 8.0, 0.1, 6)
    for k, line in enumerate(ledger.lines(run, obj, 2)):
        slope = float(re.search(r"\* \((-?\d+\.\d+)\)", line)[1])
        exact = (run.x[k] - 2) * ((run.x[k] - 2) ** 2 - 9) / 10 + 0.25
        assert slope == math.trunc(round(exact * 100, 6)) / 100


def test_full_precision_lines_can_be_redone_exactly():
    obj = objectives.quadratic(1.7, -2.0, 0.5)
    run = descent.descend(obj, 8.0, 0.13, 25)
    for line in ledger.lines(run, obj, None):
        x, lr, slope, new = map(float, re.fullmatch(
            r"x_new = (\S+) - (\S+) \* \((\S+)\) = (\S+)", line).groups())
        assert slope == 2 * 1.7 * x - 2.0 and x - lr * slope == new
