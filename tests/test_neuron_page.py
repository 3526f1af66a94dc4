"""The neuron and math pages through AppTest, and the neuron figure's contract and budget."""
from __future__ import annotations

import base64
import json
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from gdviz import neuron as nn
from gdviz.data import make_pets
from gdviz.figures import neuron as figs
from gdviz.figures.style import unpack
from tests.conftest import ROOT, assert_clean, boxes, chart_specs, finite_json, texts
from tests.conftest import open_app as open_page

NEURON, MATH = "neuron", "math"          # pages for open_page
APP = str(ROOT / "app.py")
BUDGET = 400_000      # bytes of figure JSON at defaults; the page budget is 0.5 MB in all


def chart_spec(at: AppTest, key: str = "neuron_chart") -> tuple[str, dict]:
    spec = chart_specs(at)[key]
    return spec, json.loads(spec)


# --- The page --------------------------------------------------------------------------------
def test_defaults_show_one_animated_run_within_budget():
    at = open_page(NEURON)
    assert_clean(at)
    assert "Still learning" in boxes(at)
    assert "Stability limit 2/λmax" in texts(at)
    spec, fig = chart_spec(at)
    assert len(spec) < BUDGET
    assert 2 <= len(fig["frames"]) <= figs.MAX_FRAMES
    assert fig["frames"][0]["name"] == "0" and fig["frames"][-1]["name"] == "200"
    finite_json(spec)


@pytest.mark.parametrize("preset,expect,box", [
    ("small", dict(lr=0.1, loss="ce"), "Still learning"),
    ("right", dict(lr=27.0, loss="ce"), "Settled"),   # 1/λmax at the minimum: see below
    ("large", dict(lr=80.0, loss="ce"), "Oscillating"),
    ("unscaled", dict(lr=0.15, standardize=False, epochs=500), "Still learning"),
    ("wrong_mse", dict(init="wrong", loss="mse", epochs=300), ""),
    ("wrong_ce", dict(init="wrong", loss="ce", epochs=300), ""),
])
def test_each_preset_is_one_click_away(preset, expect, box):
    at = open_page(NEURON, lr="3", batch="8")
    at.button(key=f"neuron_preset_{preset}").click().run()
    assert_clean(at)
    for key, value in expect.items():
        got = {"lr": at.number_input, "epochs": at.number_input, "loss": at.selectbox,
               "init": at.selectbox, "standardize": at.toggle}[key](key=key).value
        assert got == pytest.approx(value) if isinstance(value, float) else got == value
    assert at.number_input(key="batch").value == 0      # presets reset the rest of training
    assert box in boxes(at)


def test_a_preset_lands_in_the_link():
    at = open_page(NEURON)
    at.button(key="neuron_preset_large").click().run()
    assert float(at.query_params["lr"]) == 80.0 and at.query_params["loss"] == "ce"


def test_too_large_preset_warns_beside_the_learning_rate():
    at = open_page(NEURON)
    at.button(key="neuron_preset_large").click().run()
    # what the run did (its cost rose), and why (η above the limit at the minimum)
    assert any("cost rose in" in w.value and "× 2/λmax at the minimum" in w.value
               for w in at.sidebar.warning)


def test_wrong_start_plateaus_with_the_quadratic_cost_but_not_with_cross_entropy():
    at = open_page(NEURON)
    at.button(key="neuron_preset_wrong_mse").click().run()
    _, mse = chart_spec(at)
    at.button(key="neuron_preset_wrong_ce").click().run()
    _, ce = chart_spec(at)

    def accuracy_at_frame(fig, i):   # the training-accuracy trace's last point in frame i
        return unpack(fig["frames"][i]["data"][figs.TRAIN_ACC]["y"])[-1]
    assert accuracy_at_frame(ce, 10) > 0.9 > accuracy_at_frame(mse, 10)


def test_a_link_reproduces_the_run():
    at = open_page(NEURON, lr="5", loss="ce", epochs="100", seed="3", n="300",
                   standardize="false")
    assert_clean(at)
    assert at.number_input(key="lr").value == 5.0
    assert at.toggle(key="standardize").value is False
    _, fig = chart_spec(at)
    run = nn.train(nn.NeuronSettings(lr=5.0, epochs=100, loss="ce", standardize=False, seed=3),
                   make_pets(300, 1.0, 0.5, 0.25, 3))
    assert unpack(fig["frames"][-1]["data"][figs.TRAIN_COST]["y"])[-1] == pytest.approx(
        run.train_cost[-1], abs=1e-4)


@pytest.mark.parametrize("params", [
    dict(lr="abc"), dict(lr="1e308"), dict(lr="-5"), dict(lr="nan"), dict(epochs="1e9"),
    dict(n="0"), dict(loss="<script>alert(1)</script>"), dict(standardize="maybe"),
    dict(seed="-1"), dict(batch="inf"), dict(noise="9"), dict(split="1"),
    dict(init=["zeros", "random"]), dict(bogus="1"),
])
def test_hostile_links_fall_back_with_a_visible_note(params):
    at = open_page(NEURON, **params)
    assert_clean(at)
    assert "could not be used" in boxes(at)
    assert "neuron_chart" in chart_specs(at)


def test_a_run_too_long_to_train_is_refused_in_words():
    at = open_page(NEURON, batch="1", n="10000", epochs="2000")
    assert not at.exception
    assert "cannot be trained" in boxes(at) and "batch size" in boxes(at)


def test_every_tab_opens_cleanly():
    for tab, charts in (("Learning rates compared", {"neuron_chart", "neuron_rates"}),
                        ("Confusion matrix", {"neuron_chart"})):
        at = open_page(NEURON, tab=tab)
        assert_clean(at)
        assert set(chart_specs(at)) == charts   # the confusion matrix is a table


def test_export_buttons_are_there():
    at = open_page(NEURON, tab="Export")
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in x for x in labels) and any("HTML" in x for x in labels)


# --- The math page ----------------------------------------------------------------------------
def test_math_page_checks_the_default_run():
    at = open_page(MATH)
    assert_clean(at)
    assert "default run" in texts(at)
    errors = [float(m) for m in re.findall(r"Relative error \*\*([0-9.e+-]+)\*\*", boxes(at))]
    assert len(errors) == 4 and max(errors) < 1e-6
    assert "1 + e^{z}" in " ".join(x.value for x in at.get("latex") if hasattr(x, "value")) or \
        any("e^{z}" in str(x.proto) for x in at.get("markdown"))


def test_math_page_checks_the_run_configured_on_the_neuron_page():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("gdviz/pages/neuron.py").run()
    at.button(key="neuron_preset_large").click().run()
    at.switch_page("gdviz/pages/math.py").run()
    assert_clean(at)
    assert "η = 80" in texts(at) and "cross-entropy" in texts(at)


def test_math_page_reads_a_link_and_notes_bad_values():
    at = open_page(MATH, loss="ce", lr="oops")
    assert_clean(at)
    assert "could not be used" in boxes(at) and "cross-entropy" in texts(at)


# --- The figure -------------------------------------------------------------------------------
def test_frame_epochs_keep_the_first_and_last():
    assert figs.frame_epochs(10).tolist() == list(range(11))
    ks = figs.frame_epochs(1999)
    assert len(ks) <= figs.MAX_FRAMES and ks[0] == 0 and ks[-1] == 1999
    assert np.all(np.diff(ks) > 0)


def test_boundary_segment_is_the_clipped_line():
    # kg + cm − 10 = 0 across the box [0, 10] × [0, 10]: from (0, 10) to (10, 0)
    def segment(p, xr, yr):
        return tuple(unpack(v) for v in figs.boundary_segment(np.array(p), xr, yr))
    xs, ys = segment([1.0, 1.0, -10.0], (0.0, 10.0), (0.0, 10.0))
    assert sorted(zip(xs, ys, strict=True)) == [(0.0, 10.0), (10.0, 0.0)]
    xs, ys = segment([1.0, 0.0, -4.0], (0.0, 10.0), (0.0, 10.0))
    assert xs == [4.0, 4.0] and sorted(ys) == [0.0, 10.0]
    assert segment([1.0, 1.0, -100.0], (0, 10), (0, 10)) == ([], [])
    assert segment([0.0, 0.0, 0.0], (0, 10), (0, 10)) == ([], [])


def _liang_barsky(p, xr, yr):
    """An independent clip of w1·x + w2·y + b = 0 to the box: (t_lo, t_hi, point at t)."""
    w1, w2, b = p
    n2 = w1 * w1 + w2 * w2
    x0, y0, dx, dy = -b * w1 / n2, -b * w2 / n2, w2, -w1
    lo, hi = -math.inf, math.inf
    for pk, qk in ((-dx, x0 - xr[0]), (dx, xr[1] - x0), (-dy, y0 - yr[0]), (dy, yr[1] - y0)):
        if pk == 0:
            if qk < 0:
                return 1.0, 0.0, None
        elif pk < 0:
            lo = max(lo, qk / pk)
        else:
            hi = min(hi, qk / pk)
    return lo, hi, lambda t: (x0 + t * dx, y0 + t * dy)


@settings(max_examples=300, deadline=None)
@given(p=st.tuples(*[st.floats(-50, 50, allow_nan=False)] * 3),
       box=st.tuples(st.floats(0, 20), st.floats(1, 30), st.floats(0, 20), st.floats(1, 30)))
def test_boundary_segment_agrees_with_an_independent_clip(p, box):
    assume(math.hypot(p[0], p[1]) > 1e-3)
    xr, yr = (box[0], box[0] + box[1]), (box[2], box[2] + box[3])
    side = [(p[0] * x + p[1] * y + p[2]) / math.hypot(p[0], p[1]) for x in xr for y in yr]
    assume(min(map(abs, side)) > 1e-6)        # through a corner or along an edge: either way
    xs, ys = (unpack(v) for v in figs.boundary_segment(np.array(p), xr, yr))
    if all(d > 0 for d in side) or all(d < 0 for d in side):     # every corner on one side
        assert xs == [] and ys == []
        return
    lo, hi, at = _liang_barsky(p, xr, yr)
    want = [at(lo), at(hi)]
    got = list(zip(xs, ys, strict=True))
    # the same two ends in either order (sorting is no help when both have nearly equal x)
    assert any(np.allclose(got, w, atol=2e-3, rtol=1e-4) for w in (want, want[::-1])), (got, want)


def test_every_legend_entry_can_be_seen_on_the_white_legend():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(), data)
    white = {"white", "#FFFFFF", "#ffffff"}
    shown = [t for t in figs.animated(run, data, "t").data
             if t.get("showlegend", True) and t["type"] == "scatter"]
    assert {t["name"] for t in shown} >= {"descent path", "cat (train)", "training cost"}
    for t in shown:
        marker, line = t.get("marker", {}), t.get("line", {})
        if "markers" in t["mode"]:
            assert {marker.get("color"), marker.get("line", {}).get("color")} - white - {None}
        else:
            assert line.get("color") not in white, t["name"]


def _indices(source: str) -> tuple[np.ndarray, np.ndarray]:
    """An indexed PNG data URI read back with Pillow: (palette indices, palette as RGB)."""
    import io

    from PIL import Image
    image = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
    assert image.mode == "P"
    palette = np.array(image.getpalette()[:3 * 256], np.uint8).reshape(-1, 3)
    return np.asarray(image), palette


def test_frames_carry_only_what_moves_and_the_first_picture_is_p_dog():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(), data)
    fig = json.loads(figs.animated(run, data, "t").to_json())
    assert all(t["type"] == "scatter" for t in fig["data"])   # what moves without a redraw
    p_dog, _cost = fig["layout"]["images"]
    assert (p_dog["xref"], p_dog["yref"]) == ("x", "y")
    for frame in (fig["frames"][0], fig["frames"][-1]):
        assert len(frame["data"]) == len(frame["traces"]) == 6
        # a frame swaps the first picture's source alone (plotly.js updates layout arrays
        # entry by entry, so the cost map and the placement stay)
        (image,) = frame["layout"]["images"]
        assert set(image) == {"source"}
    assert fig["frames"][0]["layout"]["images"][0]["source"] == p_dog["source"]

    percent, palette = _indices(fig["frames"][-1]["layout"]["images"][0]["source"])
    n = figs.GRID
    assert percent.shape == (n, n)
    # pixel centres on an even grid over the boundary panel's view; row 0 is the top
    (x0, x1), (y0, y1) = figs.view_box(data)
    dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
    assert p_dog["x"] == pytest.approx(x0 - dx / 2) and p_dog["sizex"] == pytest.approx(n * dx)
    assert p_dog["y"] == pytest.approx(y1 + dy / 2) and p_dog["sizey"] == pytest.approx(n * dy)
    gx, gy = np.linspace(x0, x1, n), np.linspace(y1, y0, n)
    w1, w2, b = run.raw_weights(run.final)              # an independent route to P(dog)
    p = 1 / (1 + np.exp(-(w1 * gx[None, :] + w2 * gy[:, None] + b)))
    assert np.abs(percent - 100 * p).max() <= 0.5 + 1e-9      # whole percents
    # the palette runs pale cat (0 %) → white (50 %) → pale dog (100 %)
    hexes = ["#" + "".join(f"{v:02X}" for v in palette[k]) for k in (0, 50, 100)]
    assert hexes == [c.upper() for _, c in figs.HEAT]


def test_every_frame_moves_the_boundary_the_star_and_grows_the_curves_to_its_epoch():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(lr=3.0, epochs=150), data)
    fig = json.loads(figs.animated(run, data, "t").to_json())
    ks = [int(f["name"]) for f in fig["frames"]]
    curves = (run.train_cost, run.test_cost, run.train_acc, run.test_acc)
    for i, (k, frame) in enumerate(zip(ks, fig["frames"], strict=True)):
        moved = frame["data"]
        assert moved[figs.NOW]["x"] == pytest.approx([run.w[k, 0]], abs=1e-4)
        assert moved[figs.NOW]["y"] == pytest.approx([run.w[k, 1]], abs=1e-4)
        w1, w2, b = run.raw_weights(k)
        for x, y in zip(moved[figs.BOUNDARY]["x"], moved[figs.BOUNDARY]["y"], strict=True):
            assert abs(w1 * x + w2 * y + b) <= 1e-3 * (abs(w1) + abs(w2)) * (1 + abs(x) + abs(y))
        for j, curve in enumerate(curves):
            trace = moved[figs.TRAIN_COST + j]
            assert trace["x"] == ks[:i + 1]
            assert unpack(trace["y"]) == pytest.approx(curve[ks[:i + 1]], abs=1e-4)


def test_the_colour_bar_reads_p_dog_from_0_to_100_percent_and_draws_no_point():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    fig = figs.animated(nn.train(nn.NeuronSettings(), data), data, "t").to_dict()
    (bar,) = [t for t in fig["data"] if t.get("marker", {}).get("showscale")]
    assert bar["name"] == "P(dog)" and bar["x"] == bar["y"] == [None]
    assert (bar["marker"]["cmin"], bar["marker"]["cmax"]) == (0, 100)
    assert bar["marker"]["colorscale"] == figs.HEAT


def _mse_by_hand(w1, w2, b, x, y):
    """The seed's quadratic cost at one (w1, w2, b), written out: an independent reference."""
    p = 1 / (1 + np.exp(-(w1 * x[:, 0] + w2 * x[:, 1] + b)))
    return float(np.mean((p - y) ** 2) / 2)


def test_the_cost_map_picture_is_the_cost_over_the_weight_window():
    import io

    from PIL import Image

    from gdviz.figures import raster
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(), data)
    fig = json.loads(figs.animated(run, data, "t").to_json())
    _p_dog, picture = fig["layout"]["images"]
    (x0, x1), (y0, y1) = fig["layout"]["xaxis2"]["range"], fig["layout"]["yaxis2"]["range"]
    png = base64.b64decode(picture["source"].split(",", 1)[1])
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    n = figs.SURFACE_GRID
    assert rgb.shape == (n, n, 3)
    dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)     # pixel centres on the grid points
    assert picture["x"] == pytest.approx(x0 - dx / 2) and picture["sizex"] == pytest.approx(n * dx)
    assert picture["y"] == pytest.approx(y1 + dy / 2) and picture["sizey"] == pytest.approx(n * dy)
    x, y, b = run.inputs(data.x_train), data.y_train, float(run.b[-1])
    cost = np.array([[_mse_by_hand(w1, w2, b, x, y) for w1 in np.linspace(x0, x1, n)]
                     for w2 in np.linspace(y1, y0, n)])        # top row first, as drawn
    expected = raster.colours(cost, figs.COST_COLOURS).astype(int)
    assert np.abs(rgb.astype(int) - expected).max() <= 1


def test_the_contour_lines_lie_on_evenly_spaced_costs():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(), data)
    fig = json.loads(figs.animated(run, data, "t").to_json())
    (trace,) = [t for t in fig["data"] if t["name"] == "cost levels"]
    xs, ys = (np.array([np.nan if v is None else v for v in trace[k]]) for k in "xy")
    x, y, b = run.inputs(data.x_train), data.y_train, float(run.b[-1])
    on = ~np.isnan(xs)
    assert np.isnan(xs).sum() >= figs.SURFACE_LEVELS // 2   # several separate lines
    costs = np.array([_mse_by_hand(w1, w2, b, x, y) for w1, w2 in zip(xs[on], ys[on], strict=True)])
    (x0, x1), (y0, y1) = fig["layout"]["xaxis2"]["range"], fig["layout"]["yaxis2"]["range"]
    g1, g2 = np.linspace(x0, x1, 200), np.linspace(y0, y1, 200)
    fine = np.array([[_mse_by_hand(w1, w2, b, x, y) for w1 in g1[::10]] for w2 in g2[::10]])
    step = (fine.max() - fine.min()) / (figs.SURFACE_LEVELS + 1)
    # each point's cost is within a small fraction of a level spacing of some level
    off = (costs - fine.min()) / step
    assert np.abs(off - np.round(off)).max() < 0.1
    assert len(set(np.round(off).astype(int))) >= figs.SURFACE_LEVELS - 2


def windows_holding_their_paths(data, rates, reference=None, **settings) -> set[tuple]:
    """The weight windows of runs at these learning rates, each checked to hold its path."""
    windows = set()
    for lr in rates:
        run = nn.train(nn.NeuronSettings(lr=lr, **settings), data)
        w1, w2 = figs.surface_window(run, reference)
        assert w1[0] < run.w[:, 0].min() and run.w[:, 0].max() < w1[-1]
        assert w2[0] < run.w[:, 1].min() and run.w[:, 1].max() < w2[-1]
        windows.add((w1[0], w1[-1], w2[0], w2[-1]))
    return windows


def test_nearby_learning_rates_share_the_weight_window_which_holds_the_path():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    assert len(windows_holding_their_paths(data, (2.0, 2.1, 2.2))) == 1


def test_a_diverged_run_draws_finite_numbers():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(lr=1e5, loss="ce", standardize=False), data)
    assert run.status == "diverged"
    text = figs.animated(run, data, "t").to_json()
    finite_json(text)


@pytest.mark.parametrize("changes", [{}, {"loss": "ce", "lr": 80.0}, {"standardize": False},
                                     {"init": "wrong", "epochs": 1}])
def test_every_figure_spec_passes_plotly_validation(changes):
    import json

    import plotly.graph_objects as go

    from gdviz import data as pets_data
    from gdviz import neuron as core
    from gdviz.settings import NEURON_FIELDS
    s = {f.key: f.default for f in NEURON_FIELDS} | changes
    d = pets_data.make_pets(s["n"], s["noise"], s["balance"], s["split"], s["seed"])
    run = core.train(core.NeuronSettings.from_values(s), d)
    for fig in (figs.animated(run, d, "t"), figs.rates([run], ["η"])):
        go.Figure(json.loads(fig.to_json()))   # built unvalidated for speed; must be valid
        # no default template, so no automargin: it doubles plotly.js's layout work per draw
        assert json.loads(fig.to_json())["layout"].get("template", {}) == {}
        assert "automargin" not in fig.to_json()


def test_confusion_table_shows_the_test_counts():
    at = open_page(NEURON, tab="Confusion matrix")
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = nn.train(nn.NeuronSettings(lr=2.0), data)
    m = nn.confusion(data.y_test, run.p_dog(data.x_test, run.final))
    table = next(md.value for md in at.markdown if "said **cat**" in md.value)
    for i, truth in enumerate(("cat", "dog")):
        for j, said in enumerate(("cat", "dog")):
            assert re.search(rf"\*\*{int(m[i, j])}\*\* {truth}s? called {said}", table)
    assert int(m.sum()) == len(data.y_test)


def test_the_reference_run_ignores_the_learning_rate_and_the_batch_size():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    a = nn.reference_run(nn.NeuronSettings(lr=0.1), data)
    b = nn.reference_run(nn.NeuronSettings(lr=40.0, batch=16), data)
    assert a.w.shape == (201, 2) and np.array_equal(a.w, b.w) and np.array_equal(a.b, b.b)
    # it is a full-batch run at half the stability limit at the start, 2/λmax
    limit = nn.train(nn.NeuronSettings(), data).lr_limit_start
    assert a.settings.lr == limit / 2 and a.settings.batch == 0
    assert np.array_equal(a.w, nn.train(nn.NeuronSettings(lr=limit / 2), data).w)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_with_the_reference_run_every_learning_rate_up_to_one_over_lambda_max_shares_a_window(
        loss):
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    reference = nn.reference_run(nn.NeuronSettings(loss=loss), data)
    steady = reference.settings.lr
    rates = (0.01, 0.11, 0.5, 1.0, steady / 2, steady)
    assert len(windows_holding_their_paths(data, rates, reference, loss=loss)) == 1


def test_the_cost_landscape_is_the_same_for_every_learning_rate_and_only_the_path_moves():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    reference = nn.reference_run(nn.NeuronSettings(), data)
    slow, fast = (figs.animated(nn.train(nn.NeuronSettings(lr=lr), data), data,
                                reference=reference).to_dict() for lr in (0.3, 3.0))
    assert slow["layout"]["images"][1] == fast["layout"]["images"][1]      # the cost map
    levels = [[t for t in f["data"] if t["name"] == "cost levels"] for f in (slow, fast)]
    assert levels[0] == levels[1]
    path = [[t for t in f["data"] if t["name"] == "descent path"][0] for f in (slow, fast)]
    assert path[0]["x"] != path[1]["x"]
    # the map is the cost at the reference's final b, which the weight panel's title names
    b = float(reference.b[-1])
    assert f"with b held at {b:.3g}" in json.dumps(slow["layout"]["annotations"],
                                                    ensure_ascii=False)


def test_the_page_draws_two_learning_rates_in_one_weight_window():
    _, slow = chart_spec(open_page(NEURON, lr="0.2"))
    _, fast = chart_spec(open_page(NEURON, lr="4"))
    for axis in ("xaxis2", "yaxis2"):
        assert slow["layout"][axis]["range"] == fast["layout"][axis]["range"]
    # the runs themselves differ: the slow path ends nearer the start
    assert slow["data"] != fast["data"]


# --- Issue 12, items 9–14: what the pages say, checked against independent numbers ---------
def _sidebar(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "warning", "info", "error")
                     for e in getattr(at.sidebar, kind))


def _standardised(x):
    return np.hstack([(x - x.mean(axis=0)) / x.std(axis=0), np.ones((len(x), 1))])


def _ce_curvature_at_minimum(x, y) -> float:
    """λmax of cross-entropy's Hessian at its minimum, by plain Newton (own code)."""
    xt, p = _standardised(x), np.zeros(3)
    for _ in range(50):
        s = 1 / (1 + np.exp(-(xt @ p)))
        h = (xt * (s * (1 - s))[:, None]).T @ xt / len(y)
        p = p - np.linalg.solve(h, xt.T @ (s - y) / len(y))
    return float(np.linalg.eigvalsh(h)[-1])


def test_the_right_preset_is_one_over_lambda_max_at_the_minimum_and_says_so():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    lam = _ce_curvature_at_minimum(data.x_train, data.y_train)
    at = open_page(NEURON)
    at.button(key="neuron_preset_right").click().run()
    lr = at.number_input(key="lr").value
    assert lr == pytest.approx(float(f"{1 / lam:.2g}"))
    note = next(c.value for c in at.caption if c.value.startswith("Preset:"))
    xt = _standardised(data.x_train)
    lam0 = np.linalg.eigvalsh(0.25 * xt.T @ xt / len(xt))[-1]          # σ′(0) = 1/4
    assert f"η = {lr:g} is {lr / (2 / lam0):.2g} × 2/λmax at the start" in note
    assert f"{lr / (2 / lam):.2g} × 2/λmax at the cost's minimum ({2 / lam:.3g})" in note
    assert "about 1/λmax at the start" not in note


def test_the_seeds_cost_far_above_its_local_limit_is_not_called_overshooting():
    at = open_page(NEURON, lr="50")                          # the seed's quadratic cost
    side = _sidebar(at)
    assert "local" in side
    assert not any(w in side + boxes(at) for w in ("overshoot", "bounces", "runs away"))
    assert "never rose" in side


@pytest.mark.parametrize("multiple,settles", [(0.95, True), (1.1, False)])
def test_cross_entropy_near_its_minimum_follows_the_local_rule(multiple, settles):
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    limit = 2 / _ce_curvature_at_minimum(data.x_train, data.y_train)
    lr = round(multiple * limit, 3)
    at = open_page(NEURON, loss="ce", lr=str(lr), epochs="2000")
    assert f"{limit:.3g} at the cost's minimum" in _sidebar(at)
    if settles:
        assert "Settled" in boxes(at) and not at.sidebar.warning
    else:
        assert "Oscillating" in boxes(at)
        assert any("overshoot" in w.value for w in at.sidebar.warning)


def test_a_batch_of_one_shows_the_steepest_animals_limit_and_calls_noise_noise():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    xt = _standardised(data.x_train)
    one = 2 / (0.25 * np.sum(xt * xt, axis=1)).max()      # MSE at p = 0: ℓ″ = σ′² = 1/16
    one_mse = one * 4
    at = open_page(NEURON, batch="1", lr="1")
    side = _sidebar(at)
    assert f"{one_mse:.3g} at the start" in side
    assert "does not apply" in side
    assert "Oscillating" not in boxes(at)
    assert not [w for w in at.warning if "oscillat" in w.value.lower()]
    assert "Jittering" in boxes(at) and "mini-batch noise" in boxes(at)


def test_a_test_set_without_dogs_is_named_and_the_accuracy_carries_its_interval():
    at = open_page(NEURON, n="10", balance="0.05", split="0.05", seed="3")
    assert "The test set holds no dog" in boxes(at)
    at = open_page(NEURON)
    m = re.search(r"(\d+)% on 50 test animals \(95 % interval for that many: (\d+)% to (\d+)%\)",
                  boxes(at))
    acc, lo, hi = (int(g) / 100 for g in m.groups())
    # the interval is Wilson's: its ends are 1.96 standard errors from what was seen
    for q in (lo, hi):
        assert abs((acc - q) ** 2 - 1.96 ** 2 * q * (1 - q) / 50) < 0.004


def test_the_wrong_start_says_how_many_animals_start_on_the_wrong_side():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    at = open_page(NEURON, init="wrong")
    xt = _standardised(data.x_train)
    wrong = np.mean((xt @ [-3.0, -3.0, 0.0] >= 0) != (data.y_train > 0.5))
    assert f"{wrong:.0%} of the training animals were on the wrong side" in boxes(at)
    assert wrong < 1        # "every animal" would be false


def test_the_rates_caption_says_what_each_run_did():
    at = open_page(NEURON, tab="Learning rates compared", loss="ce", lr="20")
    caption = next(c.value for c in at.caption if "several multiples" in c.value)
    assert "past 2/λmax the cost stops falling smoothly" not in caption
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    for lr in (2.0, 6.0, 20.0, 60.0, 100.0):
        run = nn.train(nn.NeuronSettings(lr=lr, loss="ce"), data)
        c = run.train_cost
        rises = int(np.sum(np.diff(c) > 1e-10 * np.abs(c).max()))
        said = ("the cost never rose in 200 epochs" if rises == 0
                else f"the cost rose in {rises} of 200 epochs")
        assert f"η = {lr:g}: {said}" in caption


# --- /math, items 13 and 14 --------------------------------------------------------------------
def _latex(at: AppTest) -> str:
    return "\n".join(str(x.proto.body) for x in at.get("markdown")) + "\n" + "\n".join(
        str(getattr(x, "value", x.proto)) for x in at.get("latex"))


def test_math_check_does_not_cry_wolf_at_the_minimum_and_states_its_criterion():
    at = open_page(MATH, loss="ce", lr="20", epochs="2000")
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]
    assert "noise floor" in boxes(at) and "cannot tell" in boxes(at)
    assert "The criterion" in texts(at) and "truncation" in texts(at)
    assert "off by" not in boxes(at)            # the seed's figure is for its own cost only
    assert len(at.success) >= 1                 # the nearby point is judged


def test_math_page_says_the_seeds_slips():
    at = open_page(MATH)
    page = texts(at) + _latex(at)
    assert "climbs" in page and r"-\hat y\,(1 - \hat y)" in page
    assert "drops the b" in page
    assert "drops that 1/N" in page
    assert "is exactly ∂C/∂b" in page
    assert r"\frac{\hat y_i - y_i}{\hat y_i (1 - \hat y_i)}" in page
    assert r"(1 - \eta f'')\,e_k" in page


def test_the_seeds_update_with_its_own_sigma_climbs_the_cost():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 2)), (rng.random(40) < 0.5).astype(float)
    p = rng.normal(size=3) * 0.3

    def seed_sigma(z):
        return 1 / (1 + np.exp(z))

    def cost(q):
        return np.mean((seed_sigma(x @ q[:2] + q[2]) - y) ** 2) / 2
    yhat = seed_sigma(x @ p[:2] + p[2])
    xt = np.hstack([x, np.ones((40, 1))])
    seed_step = xt.T @ ((yhat - y) * yhat * (1 - yhat)) / 40     # with +ŷ(1 − ŷ)
    assert cost(p - 0.1 * seed_step) > cost(p)                    # it climbs
    numeric = np.array([(cost(p + e) - cost(p - e)) / 2e-6 for e in np.eye(3) * 1e-6])
    assert np.allclose(numeric, -seed_step, atol=1e-9)            # dŷ/dz = −ŷ(1 − ŷ)


def test_the_seeds_literal_gradient_is_the_bias_gradient_and_sigma_prime_cancels():
    rng = np.random.default_rng(1)
    x, y, p = rng.normal(size=(30, 2)), (rng.random(30) < 0.5).astype(float), rng.normal(size=3)
    assert nn.seed_gradient(p, x, y)[0] == pytest.approx(nn.gradient(p, x, y, "mse")[2],
                                                         rel=1e-14)
    z = x @ p[:2] + p[2]
    numeric = [(nn.cross_entropy(z + e, y) - nn.cross_entropy(z - e, y)) / 2e-6
               for e in np.eye(30) * 1e-6]
    assert np.allclose(numeric, (1 / (1 + np.exp(-z)) - y) / 30, atol=1e-9)


def test_lesson_ones_rule_on_the_seeds_parabola():
    x, lr = 8.0, 0.1                      # f = x² − 4x + 6: f″ = 2, x* = 2
    for _ in range(10):
        nxt = x - lr * (2 * x - 4)
        assert nxt - 2 == pytest.approx((1 - lr * 2) * (x - 2), rel=1e-12)
        x = nxt
