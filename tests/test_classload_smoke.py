"""The class board's load test still runs end to end (`python bench/classload.py`), in a
class of 4 on 2 processes behind nginx, so it cannot rot. No time is asserted (the machine
is shared): what is asserted is that every send was answered "Sent" and is on the board,
in the store and in the CSV export, exactly once."""
from __future__ import annotations

import json
import subprocess
import sys

from deploy import procs


def test_a_small_class_sends_every_run_to_the_board():
    done = subprocess.run([sys.executable, "bench/classload.py", "--students", "4", "--runs",
                           "2", "--procs", "2", "--duration", "14"],
                          cwd=procs.REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["errors"] == 0, result["error_samples"]
    assert result["confirmed"] == result["stored_rows"] == result["csv_rows"] == 8
    assert result["board_rows"] == 8 and result["confirmed_missing"] == 0
