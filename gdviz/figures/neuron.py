"""Figures for the neuron lesson: functions that take a TrainingRun and return a figure (a
style.Spec of plain dicts).

The main figure is one animation in four linked panels (decision boundary, cost surface, cost
curves, accuracy) driven by one slider, so the boundary turns in step with the curves.
Its frames carry only what moves. The two maps (P(dog) over the animals, the cost over the
weights) are pictures drawn on the server, not heatmaps, and everything else is a scatter
trace: a figure like that takes a new learning rate by moving its points, without a redraw
(gdviz/pages/chart.py). P(dog) travels as a small indexed PNG per frame, one byte a cell.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from itertools import combinations

import numpy as np

from gdviz import neuron
from gdviz.data import Dataset
from gdviz.figures import raster
from gdviz.figures.style import (
    AXIS,
    BLACK,
    BLUE,
    DASHES,
    GREY,
    ORANGE,
    PALETTE,
    PLAIN,
    VERMILLION,
    Spec,
    playback_meta,
    prefixes,
    rounded,
    sample,
    scrubber,
    spec_figure,
)
from gdviz.neuron import TrainingRun, cost_surface

# Cats are the light orange, dogs the dark blue, so the two classes also differ in lightness
# and, by marker shape, without colour at all.
CAT, DOG = ORANGE, BLUE
HEAT = [[0.0, "#F5D08A"], [0.5, "#FFFFFF"], [1.0, "#8DB8DC"]]   # pale cat → white → pale dog
# the P(dog) picture's palette: entry k is the colour of k %
HEAT_PALETTE = raster.colours(np.arange(101.0)[None, :], [c for _, c in HEAT])[0]
TRAIN_LINE, TEST_LINE = dict(color=BLACK, width=3), dict(color=VERMILLION, width=3, dash="dash")
FONT = dict(size=17)
MAX_FRAMES = 60
PLAY_MS = 150          # a frame's time at 1×
GRID = 30                # P(dog) cells per side; it is smooth and the browser interpolates
SURFACE_GRID = 41
SURFACE_LEVELS = 14      # contour lines on the cost map
NO_GRID = dict(showgrid=False)
# plotly's "Cividis": dark blue (low cost) to yellow, readable with any colour vision
COST_COLOURS = ("#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8678", "#a59c74",
                "#c3b369", "#e1cc55", "#fee838")
PATH_MARKS = 40         # epochs marked on the descent path
MAX_POINTS = 600         # animals drawn per set; more only adds bytes, not insight
# the moving traces, in the order _moving returns them
BOUNDARY, NOW, TRAIN_COST, TEST_COST, TRAIN_ACC, TEST_ACC = range(6)


def frame_epochs(final: int, most: int = MAX_FRAMES) -> np.ndarray:
    """Epochs that get a frame: all of them, or an even sample that keeps 0 and the last."""
    return sample(final + 1, most)


def view_box(data: Dataset) -> tuple[tuple[float, float], tuple[float, float]]:
    """(kg range, cm range) that shows every animal with a margin."""
    x = data.x_all
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = 0.06 * (hi - lo) + 0.5
    lo, hi = np.maximum(lo - pad, 0.0), hi + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def boundary_segment(raw: np.ndarray, xr: Sequence[float],
                     yr: Sequence[float]) -> tuple[list[float], list[float]]:
    """The line w1·kg + w2·cm + b = 0 clipped to the view: two points, or none if it misses."""
    w1, w2, b = (float(v) for v in raw)
    pts = []
    if abs(w2) > 1e-12:
        pts += [(x, -(w1 * x + b) / w2) for x in xr]
    if abs(w1) > 1e-12:
        pts += [(-(w2 * y + b) / w1, y) for y in yr]
    tol = 1e-9 * (1 + abs(xr[1]) + abs(yr[1]))
    inside = [(x, y) for x, y in pts
              if xr[0] - tol <= x <= xr[1] + tol and yr[0] - tol <= y <= yr[1] + tol]
    if len(inside) < 2:
        return [], []
    # the two crossings farthest apart (a corner is crossed twice); plain floats, not NumPy:
    # this runs once per frame and NumPy's overhead on four points dominated the figure
    (x0, y0), (x1, y1) = max(combinations(inside, 2), key=lambda pq: math.dist(*pq))
    return rounded([x0, x1]), rounded([y0, y1])


def p_dog_percent(run: TrainingRun, ks: np.ndarray, gx: np.ndarray,
                  gy: np.ndarray) -> np.ndarray:
    """P(dog) on the grid after each epoch in ks, as whole percentages (uint8), one
    GRID × GRID map per epoch, all in one matrix product."""
    xx, yy = np.meshgrid(gx, gy)
    p = run.p_dog(np.column_stack([xx.ravel(), yy.ravel()]), np.asarray(ks))
    return np.round(100 * p.T).astype(np.uint8).reshape(len(ks), *xx.shape)


def surface_window(run: TrainingRun,
                   reference: TrainingRun | None = None) -> tuple[np.ndarray, np.ndarray]:
    """w1 and w2 grids that hold the whole descent path, and the reference run's path if
    given, with a margin on every side.

    With neuron.reference_run as the reference, runs that differ only in η share a window
    unless their path leaves it (η well above 1/λmax), so they compare at a glance and a
    new η only moves the path. The ends are snapped outward to a coarse step (a twentieth of
    a power of ten above the width), so the window does not creep when it does change.
    """
    w = run.w if reference is None else np.vstack([run.w, reference.w])
    lo, hi = w.min(axis=0), w.max(axis=0)
    span = np.maximum(hi - lo, 0.2 * np.abs(hi).max() + 0.5)
    lo, hi = lo - 0.25 * span, hi + 0.25 * span
    step = 10.0 ** np.ceil(np.log10(hi - lo)) / 20
    lo, hi = np.floor(lo / step) * step, np.ceil(hi / step) * step
    return np.linspace(lo[0], hi[0], SURFACE_GRID), np.linspace(lo[1], hi[1], SURFACE_GRID)


def _animals(data: Dataset) -> list[dict]:
    """Training animals filled, test animals hollow; cats circles, dogs triangles."""
    out = []
    for x, y, which, fill in ((data.x_train, data.y_train, "train", True),
                              (data.x_test, data.y_test, "test", False)):
        keep = sample(len(y), MAX_POINTS)
        x, y = x[keep], y[keep]
        for label, colour, symbol in ((0, CAT, "circle"), (1, DOG, "triangle-up")):
            sel = y == label
            name = f"{'dog' if label else 'cat'} ({which})"
            out.append(dict(
                type="scatter", x=rounded(x[sel, 0], 2), y=rounded(x[sel, 1], 2), mode="markers",
                name=name,
                marker=dict(symbol=symbol if fill else f"{symbol}-open", size=11 if fill else 12,
                            color=colour, line=dict(color=BLACK if fill else colour,
                                                    width=1 if fill else 2.5)),
                hovertemplate=f"{name}: %{{x:.1f}} kg, %{{y:.1f}} cm<extra></extra>"))
    return out


def _moving(run: TrainingRun, ks: np.ndarray, view) -> list[list[dict]]:
    """For each epoch in ks, the traces that change, as plain trace dicts in the order
    BOUNDARY … TEST_ACC (each curve grows up to the frame's epoch)."""
    xr, yr = view
    n = np.arange(1, len(ks) + 1)
    curves = [prefixes(curve[ks], n) for curve in
              (run.train_cost, run.test_cost, run.train_acc, run.test_acc)]
    w = np.round(run.w[ks], 4).tolist()
    out = []
    for i, k in enumerate(ks.tolist()):
        x, y = boundary_segment(run.raw_weights(k), xr, yr)
        epochs = ks[:i + 1].tolist()
        out.append([dict(type="scatter", x=x, y=y),
                    dict(type="scatter", x=[w[i][0]], y=[w[i][1]]),
                    *(dict(type="scatter", x=epochs, y=c[i]) for c in curves)])
    return out


def p_dog_source(heat: np.ndarray) -> str:
    """P(dog) on the grid (whole percentages, row i at gy[i]) as an indexed PNG whose
    palette colours each percentage."""
    return raster.png(heat[::-1], HEAT_PALETTE)      # row 0 of a picture is its top


def _placed(gx: np.ndarray, gy: np.ndarray, xref: str, yref: str) -> dict:
    """Where a picture of one pixel per grid point goes: pixel centres on the points, row 0
    of the picture at the top (the largest y)."""
    dx, dy = gx[1] - gx[0], gy[1] - gy[0]
    return dict(xref=xref, yref=yref, x=float(gx[0] - dx / 2), y=float(gy[-1] + dy / 2),
                sizex=float(gx[-1] - gx[0] + dx), sizey=float(gy[-1] - gy[0] + dy),
                xanchor="left", yanchor="top", sizing="stretch", layer="below")


def _colour_bar() -> dict:
    """A trace with no points whose only use is the P(dog) colour bar (a picture has none)."""
    return dict(type="scatter", x=[None], y=[None], mode="markers", name="P(dog)",
                showlegend=False, hoverinfo="skip", marker=dict(
                    color=[0], cmin=0, cmax=100, colorscale=HEAT, showscale=True, colorbar=dict(
                        title=dict(text="P(dog) %", side="top", font=dict(size=14)), x=0.468,
                        xanchor="left", len=0.5, y=0.98, yanchor="top", thickness=12,
                        tickvals=[0, 50, 100], tickfont=dict(size=13))))


def _caption(run: TrainingRun, k: int, title: str) -> str:
    return ((f"<span style='font-size:15px;color:{GREY}'>{title}</span><br>" if title else "") +
            f"epoch {k} of {run.final} · training cost {run.train_cost[k]:.4f}<br>"
            f"accuracy {run.train_acc[k]:.0%} train, {run.test_acc[k]:.0%} test")


# The 2 × 2 grid, in paper coordinates: (x domain, y domain) of each panel, as
# make_subplots would lay out column widths 0.55/0.45 and row heights 0.62/0.38. Written out
# because building the figure as plain dicts is 3× faster than through graph objects.
PANELS = {"": ((0.0, 0.4565), (0.4792, 1.0)), "2": ((0.6265, 1.0), (0.4792, 1.0)),
          "3": ((0.0, 0.4565), (0.0, 0.3192)), "4": ((0.6265, 1.0), (0.0, 0.3192))}
PANEL_TITLES = {"": "Decision boundary: P(dog) and ŷ = 0.5",
                "2": "Cost over (w₁, w₂) with b held at {b:.3g}",
                "3": "Cost per epoch", "4": "Accuracy per epoch"}


def _on(panel: str, trace: dict) -> dict:
    return trace | dict(xaxis=f"x{panel}", yaxis=f"y{panel}")


def animated(run: TrainingRun, data: Dataset, title: str = "",
             reference: TrainingRun | None = None) -> Spec:
    """The whole run as one animation: boundary, cost surface, cost curves and accuracy.

    Args:
        run: the training run.
        data: the animals it was trained on (drawn in raw kg and cm).
        title: a one-line description shown above every frame, if any.
        reference: the run the cost landscape is drawn from, so it is the same for every
            η (neuron.reference_run); without one, the run's own path and final b.

    Returns:
        A figure with ≤ MAX_FRAMES frames (the last one is the final epoch), Play/Pause
        buttons and a scrubber. It is assembled from plain dicts without plotly's
        per-property validation (~80 ms a figure); the tests check the spec instead.
    """
    xr, yr = view_box(data)
    gx, gy = np.linspace(*xr, GRID), np.linspace(*yr, GRID)
    ks = frame_epochs(run.final)
    (start,) = _moving(run, ks[:1], (xr, yr))
    # drawing order: later traces sit on top, so the contours go under the moving star;
    # frames address the moving traces by index, and swap the P(dog) picture (images[0])
    b = float((reference or run).b[-1])      # the cost map's slice through b
    traces, cost_picture, window = _surface(run, data, reference, b)
    traces += [_on("", _colour_bar())] + [_on("", t) for t in _animals(data)]
    moving = [len(traces)]
    traces.append(_on("", start[BOUNDARY] | dict(mode="lines", name="boundary ŷ = 0.5",
                                                 line=dict(color=BLACK, width=4))))
    moving.append(len(traces))
    traces.append(_on("2", start[NOW] | dict(
        mode="markers", name="current (w₁, w₂)",
        marker=dict(symbol="star", size=20, color=VERMILLION, line=dict(color=BLACK,
                                                                        width=1.5)))))
    for i, (name, line) in enumerate((("training cost", TRAIN_LINE), ("test cost", TEST_LINE),
                                      ("training accuracy", TRAIN_LINE),
                                      ("test accuracy", TEST_LINE))):
        moving.append(len(traces))
        traces.append(_on("3" if i < 2 else "4", start[TRAIN_COST + i] | dict(
            mode="lines", name=name, line=line, showlegend=i < 2,
            legendgroup=name.split()[0])))
    # a frame's images[0] replaces only the first picture's source: plotly.js updates a
    # layout array like images entry by entry
    heats = p_dog_percent(run, ks, gx, gy)
    frames = [dict(name=str(k), traces=moving, data=moved,
                   layout=dict(title=dict(text=_caption(run, int(k), title)),
                               images=[dict(source=p_dog_source(heat))]))
              for k, moved, heat in zip(ks, _moving(run, ks, (xr, yr)), heats, strict=True)]
    images = [dict(source=frames[0]["layout"]["images"][0]["source"],
                   **_placed(gx, gy, "x", "y")), cost_picture]
    layout = _layout(run, xr, yr, ks, title, window, b) | dict(images=images)
    return spec_figure(traces, layout, frames)


def _surface(run: TrainingRun, data: Dataset, reference: TrainingRun | None,
             b: float) -> tuple[list[dict], dict, tuple]:
    """The cost map over (w1, w2) with b held, its contour lines and the whole descent path,
    in a window that holds the run's path and the reference run's (see surface_window).

    The map is a picture under the weight-space axes (`layout.images`) and the contour
    lines one scatter trace, both made on the server (figures/raster.py) rather than a
    heatmap and a contour trace: a picture can be swapped and lines moved without redrawing
    the figure (gdviz/pages/chart.py). The path is one line with a marker on about
    PATH_MARKS evenly spaced epochs, so the markers' spacing still shows the steps
    shrinking; hovering a marker reads its epoch and cost.

    Returns:
        (the traces, the map as a layout image, the (w1, w2) ranges it covers).
    """
    w1, w2 = surface_window(run, reference)
    x = np.ascontiguousarray(run.inputs(data.x_train), float)
    y = np.ascontiguousarray(data.y_train, float)
    window = (float(w1[0]), float(w1[-1])), (float(w2[0]), float(w2[-1]))
    lines_x, lines_y, source = _landscape(window, b, run.settings.loss, x.tobytes(), y.tobytes())
    path, marks = sample(len(run.b), 400), sample(len(run.b), PATH_MARKS)
    traces = [
        _on("2", dict(type="scatter", x=lines_x, y=lines_y, mode="lines",
                      name="cost levels", showlegend=False, line=dict(color="white", width=0.6),
                      hoverinfo="skip")),
        _on("2", dict(type="scatter", x=rounded(run.w[path, 0]), y=rounded(run.w[path, 1]),
                      mode="lines", name="descent path", legendgroup="path", showlegend=False,
                      line=dict(color="white", width=2), hoverinfo="skip")),
        _on("2", dict(type="scatter", x=rounded(run.w[marks, 0]), y=rounded(run.w[marks, 1]),
                      mode="markers", name="descent path", legendgroup="path",
                      # the legend shows the marker: a white line would vanish on white
                      marker=dict(size=6, color="white", line=dict(color=BLACK, width=1)),
                      text=[f"epoch {k}: C = {run.train_cost[k]:.4g}" for k in marks],
                      hovertemplate="w₁ %{x:.3g}, w₂ %{y:.3g}<br>%{text}<extra></extra>")),
    ]
    picture = dict(source=source, **_placed(w1, w2, "x2", "y2"))
    return traces, picture, tuple(list(r) for r in window)


@functools.lru_cache(maxsize=64)
def _landscape(window: tuple, b: float, loss: str, x: bytes,
               y: bytes) -> tuple[list, list, str]:
    """The cost map over `window` at b, on the training inputs x (as bytes: a cache key) with
    labels y: (contour lines x, contour lines y, the map as a PNG data URI).

    With the landscape drawn from a reference run it is the same for every η, so a new η
    finds it here instead of costing the figure a third of its time.
    """
    w1, w2 = (np.linspace(*r, SURFACE_GRID) for r in window)
    c = cost_surface(w1, w2, b, np.frombuffer(x).reshape(-1, 2), np.frombuffer(y), loss)
    lines_x, lines_y = raster.contours(w1, w2, c, raster.levels(c, SURFACE_LEVELS))
    return _gaps(lines_x), _gaps(lines_y), raster.png(raster.colours(c, COST_COLOURS)[::-1])


def _gaps(v: np.ndarray) -> list:
    """Line points for the wire with each gap as null: a NaN is not JSON, and nothing that
    reaches the browser should be one."""
    return [None if x != x else x for x in np.round(v, 4).tolist()]     # NaN ≠ NaN


def _axis(panel: str, which: str, title: str, **extra) -> dict:
    domain = PANELS[panel][0 if which == "x" else 1]
    other = "y" if which == "x" else "x"
    return dict(title=dict(text=title), domain=list(domain), anchor=f"{other}{panel}",
                **AXIS) | extra


def _alt(run: TrainingRun) -> str:
    """The chart in one sentence, for a reader who cannot see it."""
    return (f"Animation of a neuron learning cats from dogs over {run.final} epochs, in four "
            "panels: the decision boundary over the animals, the path on the cost surface, "
            f"the cost per epoch and the accuracy per epoch. Training cost "
            f"{run.train_cost[0]:.4f} at the start and {run.train_cost[-1]:.4f} at the end, "
            f"test accuracy {run.test_acc[-1]:.0%}, {run.status}.")


def _layout(run: TrainingRun, xr, yr, ks: np.ndarray, title: str, window, b: float) -> dict:
    cmax = float(max(run.train_cost.max(), run.test_cost.max()))
    unit = "standardised" if run.settings.standardize else "raw"
    epochs = [0, max(run.final, 1)]
    return dict(
        title=dict(text=_caption(run, 0, title), font=dict(size=19), x=0.01, y=0.97,
                   yanchor="top"),
        **PLAIN, font=FONT, height=930, margin=dict(l=80, r=30, t=150, b=150),
        legend=dict(orientation="h", y=1.04, yanchor="bottom", x=0, font=dict(size=15)),
        # below the "epoch" axis titles: the scrubber across the width; the playback
        # controls are gdviz's own, under the chart (gdviz/playback.js)
        sliders=[scrubber(ks, y=-0.13)],
        meta=playback_meta(PLAY_MS, neuron.frame_words(run, ks.tolist()),
                           neuron.run_words(run), _alt(run)),
        xaxis=_axis("", "x", "body weight (kg)", range=list(xr)),
        yaxis=_axis("", "y", "ear length (cm)", range=list(yr)),
        # the cost map is the weight panel's background: grid lines would cross it
        xaxis2=_axis("2", "x", f"w₁ (body weight, {unit})", range=window[0], **NO_GRID),
        yaxis2=_axis("2", "y", f"w₂ (ear length, {unit})", range=window[1], **NO_GRID),
        xaxis3=_axis("3", "x", "epoch", range=epochs),
        yaxis3=_axis("3", "y", f"cost ({run.settings.loss})", range=[0, 1.05 * cmax + 1e-9]),
        xaxis4=_axis("4", "x", "epoch", range=epochs),
        yaxis4=_axis("4", "y", "accuracy", range=[0, 1.02], tickformat=".0%"),
        annotations=[dict(text=text.format(b=b), x=sum(PANELS[p][0]) / 2, y=PANELS[p][1][1],
                          xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                          showarrow=False, font=dict(size=17))
                     for p, text in PANEL_TITLES.items()],
    )


# --- The static companions ------------------------------------------------------------------
def animals(data: Dataset, title: str) -> Spec:
    """The animals alone, in kg and cm: what a quiz shows before the student commits (no
    boundary, no cost, nothing of the run)."""
    xr, yr = view_box(data)
    layout = dict(title=dict(text=title, font=dict(size=19), x=0.01, y=0.97, yanchor="top"),
                  xaxis=dict(title=dict(text="body weight (kg)"), range=list(xr), **AXIS),
                  yaxis=dict(title=dict(text="ear length (cm)"), range=list(yr), **AXIS),
                  **PLAIN, font=FONT, height=640, margin=dict(l=80, r=30, t=110, b=70),
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0,
                              font=dict(size=15)))
    return spec_figure(_animals(data), layout)


def rates(runs: Sequence[TrainingRun], labels: Sequence[str]) -> Spec:
    """Training cost per epoch for several learning rates on one chart."""
    traces = []
    for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
        keep = sample(len(run.b), 400)
        traces.append(dict(type="scatter", x=run.epochs[keep].tolist(),
                           y=rounded(run.train_cost[keep], 6), name=label, mode="lines",
                           line=dict(color=PALETTE[i % len(PALETTE)], width=3,
                                     dash=DASHES[i % len(DASHES)])))
    layout = dict(title=dict(text="Training cost for several learning rates"),
                  xaxis=dict(title=dict(text="epoch"), **AXIS),
                  yaxis=dict(title=dict(text="training cost"), **AXIS), **PLAIN, font=FONT,
                  height=460, margin=dict(l=80, r=20, t=60, b=70),
                  legend=dict(font=dict(size=15)))
    return spec_figure(traces, layout)
