"""The descent figures: valid plotly specs, frames that carry only what moves, no NaN."""
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from gdviz import compare, descent, ledger, objectives
from gdviz.figures import descent as figs
from gdviz.figures.style import unpack
from tests.conftest import finite_json


def animated(obj, x0=8.0, lr=0.1, steps=33):
    run = descent.descend(obj, x0, lr, steps)
    return run, figs.animated(run, obj, ledger.lines(run, obj, 2))


def wire(fig) -> dict:
    """The figure as the browser receives it."""
    return json.loads(fig.to_json())


def test_spec_passes_plotly_validation(parabola):
    _, fig = animated(parabola)
    go.Figure(json.loads(fig.to_json()))     # built unvalidated for speed; must still be valid


@pytest.mark.parametrize("lr,steps", [(0.1, 33), (0.01, 500), (2.5, 500), (1.0, 7)])
def test_frames_carry_only_the_moving_traces(parabola, lr, steps):
    run, fig = animated(parabola, lr=lr, steps=steps)
    frames = wire(fig)["frames"]
    assert 1 <= len(frames) <= figs.MAX_FRAMES
    assert frames[-1]["name"] == str(run.steps)                  # the last frame: the last step
    moving = [1, 2, 3, 4, 5] if figs.leaves_view(run, figs.view(parabola, 8.0)[0]) else [
        1, 2, 3, 4]
    for fr in frames:
        assert fr["traces"] == moving and len(fr["data"]) == len(moving)
        assert all(len(unpack(t["x"])) <= figs.TRAIL + 1 for t in fr["data"])  # constant


@pytest.mark.parametrize("lr", [0.1, 1.0, 1.1, 2.5])
def test_no_nan_or_inf_reaches_the_browser(parabola, lr):
    _, fig = animated(parabola, lr=lr, steps=500)
    text = fig.to_json()
    finite_json(text)


def test_ball_position_per_frame_is_the_iterate(parabola):
    run, fig = animated(parabola)
    for fr in wire(fig)["frames"]:
        k = int(fr["name"])
        assert unpack(fr["data"][3]["x"])[0] == pytest.approx(run.x[k], abs=1e-4)
        assert f"step {k}:" in fr["layout"]["title"]["text"]


def test_step_lands_where_the_tangent_says(parabola):
    run, fig = animated(parabola)
    jump = wire(fig)["frames"][3]["data"][2]   # x_3 along the tangent to x_4, onto the curve
    jx, jy = unpack(jump["x"]), unpack(jump["y"])
    x3, x4 = run.x[3], run.x[4]
    assert jx[1] == pytest.approx(x4, abs=1e-4)
    assert jy[1] == pytest.approx(parabola.f(x3) + parabola.df(x3) * (x4 - x3), abs=1e-3)
    assert jy[2] == pytest.approx(parabola.f(x4), abs=1e-3)


def test_view_stays_on_the_curve_when_a_run_diverges(parabola):
    _, fig = animated(parabola, lr=2.5, steps=100)
    assert wire(fig)["layout"]["xaxis"]["range"] == [-6.0, 10.0]


@pytest.mark.parametrize("name", ["seed", "quadratic", "two-valleys"])
def test_comparison_figures_build_for_every_objective(name):
    obj = objectives.by_name(name)
    h = float(obj.d2f(obj.minima[-1]))
    runs, labels = compare.rates(obj, 8.0, 0.1, 40, h)
    for fig in (figs.ghosts(runs, labels, obj), figs.errors(runs, labels)):
        text = fig.to_json()
        finite_json(text)
    lrs, steps = compare.sweep(obj, 8.0, h)
    assert np.all(np.isfinite(lrs))
    figs.sweep(lrs, steps, compare.wall(lrs, steps)[0], 0.1, 200, 2 / h, "local 2/f″")
    figs.methods(*compare.methods(obj, 8.0, 0.1, 40, (-4.0, 9.0)))


def _canonical(d: dict) -> str:
    from plotly.utils import PlotlyJSONEncoder
    return json.dumps(d, sort_keys=True, cls=PlotlyJSONEncoder)


@pytest.mark.parametrize("lr", [0.1, 1.1])
def test_spec_figure_hands_out_exactly_what_plotly_would(parabola, lr):
    """A Spec skips plotly.py's objects; its dicts must equal what the same figure made a
    go.Figure (for the export) gives back."""
    _, fig = animated(parabola, lr=lr)
    made = fig.to_plotly()
    assert isinstance(made, go.Figure) and len(made.frames) == len(fig.frames)
    assert _canonical(fig.to_dict()) == _canonical(made.to_dict())


def test_a_spec_is_serialised_once_and_as_plotly_would(parabola):
    """A cached figure is sent on every rerun; its JSON is made once, and is plotly's own."""
    import plotly.io as pio
    _, fig = animated(parabola)
    first = fig.to_json()
    assert fig.to_json() is first
    assert first == pio.json.to_json_plotly(fig.to_dict())


def test_figures_carry_no_template_and_no_automargin(parabola):
    """plotly.py's default template turns on automargin, which makes plotly.js lay a figure
    out twice per draw; every figure of the lesson must be free of both."""
    runs, labels = compare.rates(parabola, 8.0, 0.1, 40, 2.0)
    lrs, steps = compare.sweep(parabola, 8.0, 2.0, 50)
    for fig in (animated(parabola)[1], figs.ghosts(runs, labels, parabola),
                figs.errors(runs, labels), figs.sweep(lrs, steps, 1.0, 0.1, 50)):
        spec = wire(fig)
        assert spec["layout"].get("template", {}) == {}
        assert "automargin" not in fig.to_json()


def test_data_revision_follows_the_data(parabola):
    """Plotly.react trusts datarevision: equal data, equal revision; new data, a new one."""
    rev = [wire(animated(parabola, lr=lr)[1])["layout"]["datarevision"] for lr in (0.1, 0.1, 0.2)]
    assert rev[0] == rev[1] != rev[2]


def test_too_large_stays_watchable_on_a_log_distance_panel(parabola):
    """η = 1.1 on the seed leaves the view after two steps: a log-scale panel of |x_k − x*|
    beside the curve keeps the ball's distance in sight, one moving point per frame."""
    run, fig = animated(parabola, lr=1.1)
    spec = wire(fig)
    assert {t["type"] for t in spec["data"]} == {"scatter"}          # movable without a redraw
    assert spec["layout"]["yaxis2"]["type"] == "log"
    side = [t for t in spec["data"] if t.get("yaxis") == "y2"]
    assert len(side) == 2
    k = np.arange(run.steps + 1)
    error = np.abs(2 + 6 * (-1.2) ** k - 2)                       # the closed form, |r| = 1.2
    np.testing.assert_allclose(unpack(side[1]["y"]), error, rtol=1e-5)
    for fr in spec["frames"]:
        point = fr["data"][4]
        assert unpack(point["x"]) == [int(fr["name"])]
        assert unpack(point["y"])[0] == pytest.approx(error[int(fr["name"])], rel=1e-5)
    # the seed's own run stays in view: no second panel
    assert "yaxis2" not in wire(animated(parabola)[1])["layout"]


def test_sweep_draws_the_wall_from_the_runs_and_2_over_f2_as_a_reference():
    obj = objectives.two_valleys()
    h = float(obj.d2f(obj.minima[-1]))
    lrs, steps = compare.sweep(obj, 8.0, h)
    wall, _ = compare.wall(lrs, steps)
    fig = wire(figs.sweep(lrs, steps, wall, 0.1, 200, 2 / h, "local 2/f″"))
    lines = sorted(s["x0"] for s in fig["layout"]["shapes"] if s["type"] == "line")
    assert wall == pytest.approx(0.742, abs=0.01)
    assert lines == pytest.approx(sorted([0.1, wall, 2 / h]))
    notes = [a["text"] for a in fig["layout"]["annotations"]]
    assert "local 2/f″ = 1.3" in notes
