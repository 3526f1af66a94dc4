"""Exports: the CSV reproduces the run exactly; the HTML plays offline in a real browser."""
import csv
import io
import re

import numpy as np
import pytest

from gdviz import descent, export, ledger
from gdviz.figures import descent as figs
from tests.conftest import ARTIFACTS


def seed_run(parabola, lr=0.1, steps=33):
    run = descent.descend(parabola, 8.0, lr, steps)
    return run, ledger.lines(run, parabola, 2)


def test_csv_round_trips_the_run_exactly(parabola):
    run, _ = seed_run(parabola)
    text = export.csv_text({"k": np.arange(run.steps + 1), "x": run.x, "f(x)": run.fx},
                           ["gdviz descent: lr=0.1", "converged, with a comma"])
    lines = text.splitlines()
    assert lines[:2] == ["# gdviz descent: lr=0.1", "# converged, with a comma"]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[2:]))))
    assert len(rows) == 34
    assert [float(r["x"]) for r in rows] == run.x.tolist()          # full precision
    assert [int(r["k"]) for r in rows] == list(range(34))


def test_csv_refuses_ragged_columns():
    with pytest.raises(ValueError, match="same length"):
        export.csv_text({"a": [1, 2], "b": [1]})


def test_html_is_self_contained(parabola):
    run, lines = seed_run(parabola)
    html = export.standalone_html(figs.animated(run, parabola, lines, "seed"), "a <title>")
    assert "<title>a &lt;title&gt;</title>" in html
    assert not re.search(r"<script[^>]+src=", html), "no external scripts: it must play offline"
    assert len(html) > 1_000_000        # plotly.js itself is inlined
    assert html.count('"name":"') >= 34  # one frame per step


@pytest.mark.browser
def test_exported_html_plays_offline(parabola, page, tmp_path):
    run, lines = seed_run(parabola, lr=0.8, steps=20)
    path = tmp_path / "descent.html"
    path.write_text(export.standalone_html(figs.animated(run, parabola, lines, "x"), "gdviz"))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector(".js-plotly-plot")
    ball = "() => document.querySelector('.js-plotly-plot').data[4].x[0]"
    assert page.evaluate(ball) == 8.0
    page.get_by_role("button", name="Play", exact=True).click()     # gdviz/playback.js's
    page.wait_for_function(f"() => Math.abs(({ball})() - 2) < 0.5", timeout=20_000)
    assert all(u.startswith("file:") or u.startswith("data:") for u in requests), requests
    page.screenshot(path=str(ARTIFACTS / "export-offline.png"))
