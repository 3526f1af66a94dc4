"""Figures for the descent lesson: functions that take runs and return a figure
(a go.Figure, or for the animated ones a style.Spec of plain dicts)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from gdviz import descent
from gdviz.descent import DescentRun
from gdviz.figures.style import (
    AXIS,
    BLACK,
    BLUE,
    FONT,
    GREY,
    ORANGE,
    PALETTE,
    PLAIN,
    SKY,
    STATIC,
    SYMBOLS,
    VERMILLION,
    Spec,
    finish,
    playback_meta,
    rounded,
    sample,
    scrubber,
    spec_figure,
)
from gdviz.objectives import Objective

MAX_FRAMES = 150
PLAY_MS = 450     # a frame's time at 1×
TRAIL = 6


def view(obj: Objective, x0: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (x, y) ranges that show the objective, the start and the minima, whatever the run."""
    lo, hi = obj.view
    lo, hi = min(lo, x0 - 1.0), max(hi, x0 + 1.0)
    grid = np.linspace(lo, hi, 400)
    y = obj.f(grid)
    pad = 0.08 * (y.max() - y.min())
    return (lo, hi), (float(y.min() - pad), float(y.max() + pad))


def frame_steps(n: int, most: int = MAX_FRAMES) -> np.ndarray:
    """Which steps 0..n get a frame: all of them, or an even sample that keeps the last."""
    return sample(n + 1, most)


def _moving(run: DescentRun, obj: Objective, k: int, xr: tuple[float, float]) -> list[dict]:
    """The traces that move at step k: trail, tangent, the step along it, the ball."""
    x, fx, dfx = run.x, run.fx, run.dfx
    trail = slice(max(0, k - TRAIL), k + 1)
    half = 0.12 * (xr[1] - xr[0])
    tx = np.array([x[k] - half, x[k] + half])
    if k < run.steps:
        nxt = x[k + 1]
        along = fx[k] + dfx[k] * (nxt - x[k])       # where the tangent line says we land
        jump_x, jump_y = [x[k], nxt, nxt], [fx[k], along, fx[k + 1]]
    else:
        jump_x, jump_y = [], []
    return [
        dict(x=rounded(x[trail]), y=rounded(fx[trail])),
        dict(x=rounded(tx), y=rounded(fx[k] + dfx[k] * (tx - x[k]))),
        dict(x=rounded(jump_x), y=rounded(jump_y)),
        dict(x=rounded(x[k]), y=rounded(fx[k])),
    ]


def leaves_view(run: DescentRun, xr: tuple[float, float]) -> bool:
    """Whether the ball leaves the curve's view at some step (a diverging run does)."""
    return bool(np.any((run.x < xr[0]) | (run.x > xr[1])))


def _error_point(run: DescentRun, k: int) -> dict:
    """The moving point on the log-distance panel: |x_k − x*| at step k."""
    return dict(x=[k], y=rounded(max(float(run.error[k]), FLOOR), 6))


ERROR_PANEL = dict(    # beside the curve, for a run that leaves its view
    main=[0.0, 0.6], side=[0.7, 1.0],
    point=dict(name="|x − x*| now", mode="markers", xaxis="x2", yaxis="y2",
               marker=dict(size=16, color=BLUE, line=dict(color=BLACK, width=2))),
)


def _caption(run: DescentRun, k: int, ledger: Sequence[str], label: str = "") -> str:
    if k == 0:
        step = f"step 0: start at x₀ = {run.x[0]:.4g}, slope f′(x₀) = {run.dfx[0]:.4g}"
    else:
        step = f"step {k}: {ledger[k - 1]}"
    return f"<span style='font-size:15px;color:{GREY}'>{label}</span><br>{step}" if label else step


def animated(run: DescentRun, obj: Objective, ledger: Sequence[str],
             label: str = "", lr_step: float = 0.0) -> Spec:
    """The ball descending the curve, one frame per step, played in the browser.

    Frames carry only the four moving traces and the ledger line of their step. The spec is
    plain dicts, assembled without plotly's validation (see style.spec_figure). Its
    layout.meta holds what the playback controls say at each frame and the chart's text
    alternative (style.playback_meta), in words computed from the run.

    Args:
        label: a line naming the run (η, regime, status) for a figure that stands alone, as
            in the exported HTML; the page says it beside the chart instead.
        lr_step: the precision η is held to (the page's widget step), so the words name the
            same regime as the page.
    """
    xr, yr = view(obj, float(run.x[0]))
    grid = np.linspace(xr[0], xr[1], 240)
    steps = frame_steps(run.steps)
    styles = [
        dict(name="trail", mode="markers+lines", line=dict(color=SKY, width=2, dash="dot"),
             marker=dict(size=9, color=SKY)),
        dict(name="tangent", mode="lines", line=dict(color=ORANGE, width=2)),
        dict(name="step −η·f′(x)", mode="lines+markers",
             line=dict(color=VERMILLION, width=4, dash="dash"),
             marker=dict(size=[0, 0, 14], symbol="circle-open", color=VERMILLION,
                         line=dict(width=3))),
        dict(name="ball", mode="markers", marker=dict(size=22, color=BLUE,
                                                      line=dict(color=BLACK, width=2))),
    ]
    curve = _curve(obj, grid)
    moving = [dict(type="scatter", **style, **data)
              for style, data in zip(styles, _moving(run, obj, 0, xr), strict=True)]
    panel = leaves_view(run, xr)
    side = []
    if panel:   # the ball leaves the view: its distance to x* stays in sight, on a log axis
        moving.append(dict(type="scatter", **ERROR_PANEL["point"], **_error_point(run, 0)))
        r = 1 - run.lr * obj.curvature if obj.curvature is not None else None
        side.append(dict(type="scatter", x=list(range(run.steps + 1)),
                         y=rounded(np.maximum(run.error, FLOOR), 6), xaxis="x2", yaxis="y2",
                         name="|x_k − x*|" + (f": ×{abs(r):.4g} per step" if r is not None else ""),
                         mode="lines+markers",
                         line=dict(color=SKY, width=2), marker=dict(size=6, color=SKY),
                         hoverinfo="skip"))
    traces = list(range(1, len(moving) + 1))

    def frame_data(k: int) -> list[dict]:
        data = [dict(type="scatter", **m) for m in _moving(run, obj, k, xr)]
        if panel:
            data.append(dict(type="scatter", **_error_point(run, k)))
        return data

    frames = [dict(name=str(k), traces=traces, data=frame_data(int(k)),
                   layout=dict(title=dict(text=_caption(run, int(k), ledger, label))))
              for k in steps]
    layout = dict(
        title=dict(text=_caption(run, 0, ledger, label), font=dict(size=19), x=0.01, y=0.97,
                   yanchor="top"),
        xaxis=dict(title=dict(text="x"), range=list(xr), **AXIS),
        yaxis=dict(title=dict(text="f(x)"), range=list(yr), **AXIS),
        font=FONT, height=620, margin=dict(l=70, r=20, t=130, b=150), **PLAIN,
        legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0, font=dict(size=15)),
        # below the x-axis title: the scrubber across the plot's width; the playback
        # controls are gdviz's own, under the chart (gdviz/playback.js)
        sliders=[scrubber(steps, y=-0.2)],
        meta=playback_meta(PLAY_MS, descent.frame_words(run, steps.tolist()),
                           descent.run_words(obj, run, lr_step), _alt(run, obj, lr_step)),
    )
    if panel:
        layout["xaxis"]["domain"] = ERROR_PANEL["main"]
        layout["xaxis2"] = dict(title=dict(text="step k"), domain=ERROR_PANEL["side"],
                                anchor="y2", range=[-0.5, run.steps + 0.5], **AXIS)
        layout["yaxis2"] = dict(title=dict(text="|x_k − x*| (log scale)"),
                                type="log", anchor="x2", exponentformat="power", **AXIS)
    return spec_figure([curve, *moving, *side], layout, frames)


def _alt(run: DescentRun, obj: Objective, lr_step: float) -> str:
    """The chart in one sentence, for a reader who cannot see it."""
    word = descent.verdict(obj, run, lr_step).word.lower()
    return (f"Animation of gradient descent on f(x) = {_plain(obj)} from x₀ = {run.x[0]:.4g} "
            f"with η = {run.lr:.4g}: a ball steps along the curve for {run.steps} steps "
            f"({word}) and ends at x = {run.x[-1]:.4g}, {run.status}.")


def _curve(obj: Objective, grid: np.ndarray) -> dict:
    return dict(type="scatter", x=rounded(grid), y=rounded(obj.f(grid)), name="f(x)",
                mode="lines", line=dict(color=GREY, width=3), hoverinfo="skip")


def still(obj: Objective, x0: float, title: str) -> Spec:
    """The curve and the ball at x₀ only, in the animation's view and size: what a quiz
    shows before the student commits (no step, no path, nothing that gives the run away)."""
    xr, yr = view(obj, x0)
    ball = dict(type="scatter", name="ball", mode="markers", x=[x0], y=rounded(obj.f(x0)),
                marker=dict(size=22, color=BLUE, line=dict(color=BLACK, width=2)))
    layout = dict(
        title=dict(text=title, font=dict(size=19), x=0.01, y=0.97, yanchor="top"),
        xaxis=dict(title=dict(text="x"), range=list(xr), **AXIS),
        yaxis=dict(title=dict(text="f(x)"), range=list(yr), **AXIS),
        font=FONT, height=620, margin=dict(l=70, r=20, t=130, b=150), **PLAIN,
        legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0, font=dict(size=15)),
    )
    return spec_figure([_curve(obj, np.linspace(xr[0], xr[1], 240)), ball], layout)


def _plain(obj: Objective) -> str:
    return {"seed": "x² − 4x + 6", "two-valleys": "(u² − 9)²/40 + u/4, u = x − 2"}.get(
        obj.name, obj.latex.replace("x^2", "x²"))


def ghosts(runs: Sequence[DescentRun], labels: Sequence[str], obj: Objective) -> go.Figure:
    """Several learning rates on the same curve: each run's path, drawn faintly."""
    xr, yr = view(obj, float(runs[0].x[0]))
    grid = np.linspace(xr[0], xr[1], 240)
    fig = go.Figure(go.Scatter(x=grid, y=obj.f(grid), mode="lines", name="f(x)",
                               line=dict(color=GREY, width=3), hoverinfo="skip"))
    for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
        k = min(run.steps, 40)
        fig.add_scatter(x=run.x[: k + 1], y=run.fx[: k + 1], name=label,
                        mode="lines+markers", opacity=0.8,
                        line=dict(color=PALETTE[i % len(PALETTE)], width=2),
                        marker=dict(size=8, symbol=SYMBOLS[i % len(SYMBOLS)]))
    return finish(fig, "Same start, different learning rates", **HALF,
                  xaxis=dict(title="x", range=list(xr)), yaxis=dict(title="f(x)", range=list(yr)))


FLOOR = 1e-12   # an error of exactly 0 is drawn here: a log axis has no 0 (the pages say so)
# Half-width charts side by side: their legends take several rows, so the legend starts lower
# (a fraction of a shorter plot) to stay clear of the x-axis title.
HALF = dict(height=640, legend=dict(STATIC["legend"], y=-0.3))
LOG_MARGIN = dict(STATIC["margin"], l=95)   # room for 10⁻¹² and the axis title beside it


def errors(runs: Sequence[DescentRun], labels: Sequence[str], half: bool = True) -> go.Figure:
    """|x_k − x*| against k on a log scale: straight lines whose slope is log|r|."""
    fig = go.Figure()
    for i, (run, label) in enumerate(zip(runs, labels, strict=True)):
        fig.add_scatter(x=list(range(run.steps + 1)), y=np.maximum(run.error, FLOOR),
                        name=label, mode="lines+markers",
                        line=dict(color=PALETTE[i % len(PALETTE)], width=2),
                        marker=dict(size=6, symbol=SYMBOLS[i % len(SYMBOLS)]))
    return finish(fig, "Distance to x* (log scale)", **(HALF if half else {}),
                  margin=LOG_MARGIN, xaxis=dict(title="step k"),
                  yaxis=dict(title="|x_k − x*|", type="log", exponentformat="power"))


def sweep(lrs: np.ndarray, steps: np.ndarray, edge: float | None, current: float,
          max_steps: int, local: float | None = None, local_label: str = "2/f″") -> go.Figure:
    """Steps to converge against learning rate: a U with a wall where the runs stop converging.

    Args:
        edge: the first rate past the U whose run does not converge (read from the runs).
        local: 2/f″, drawn as a labelled reference line (exact on a quadratic, local
            elsewhere).
    """
    ok = steps >= 0
    fig = go.Figure(go.Scatter(x=lrs[ok], y=steps[ok].tolist(), mode="lines+markers",
                               name="steps to converge", line=dict(color=BLUE, width=3),
                               marker=dict(size=6)))
    if (~ok).any():
        fig.add_scatter(x=lrs[~ok], y=[max_steps] * int((~ok).sum()), mode="markers",
                        name=f"never (not within {max_steps} steps)",
                        marker=dict(color=VERMILLION, symbol="x", size=9))
    if edge is not None:
        fig.add_vrect(x0=edge, x1=float(lrs.max()), fillcolor=VERMILLION, opacity=0.12,
                      line_width=0, annotation_text=f"stops converging (η ≥ {edge:.3g})",
                      annotation_position="top right")
        fig.add_vline(x=edge, line=dict(color=VERMILLION, dash="dash"))
    if local is not None:
        fig.add_vline(x=local, line=dict(color=GREY, dash="dot", width=2),
                      annotation_text=f"{local_label} = {local:.3g}",
                      annotation_position="bottom left")
    fig.add_vline(x=current, line=dict(color=BLACK, width=2),
                  annotation_text="your η", annotation_position="bottom right")
    return finish(fig, "How many steps each learning rate needs",
                  xaxis=dict(title="learning rate η"), yaxis=dict(title="steps to converge"))


def methods(runs: Sequence[DescentRun], labels: Sequence[str]) -> go.Figure:
    """Descent against momentum, Newton–Raphson and grid search: error per iteration."""
    fig = errors(runs, labels, half=False)
    fig.update_layout(title="Methods compared: distance to the minimum per iteration",
                      legend_y=-0.24,
                      xaxis_title="iteration (grid search: evaluations)")
    return fig
