"""The class board's figures, built from the submissions a class received: the descent
runs against the theory, the neuron's runs, and the quiz answers (gdviz/pages/classboard.py
shows them)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gdviz import descent, objectives
from gdviz.classroom import Submission
from gdviz.figures import style

MAX_PANELS = 3          # one row of panels stays readable on a 1280-px projector
HEIGHT = 400            # with the header and the counts, a 720-px screen holds the row
# the descent's outcomes (descent.STATUSES) and the neuron's (neuron.STATUSES)
OUTCOME_STYLE = {
    "converged": (style.BLUE, "circle"), "cycling": (style.ORANGE, "diamond"),
    "step limit": (style.GREY, "square"), "diverged": (style.VERMILLION, "x"),
    "settled": (style.BLUE, "circle"), "oscillating": (style.ORANGE, "diamond"),
    "jittering": (style.PURPLE, "triangle-up"), "still learning": (style.GREY, "square"),
}
BANDS = (("creeps", style.GREEN), ("oscillates", style.SKY), ("diverges", style.VERMILLION))
# the legend under the axis title: above the plot it would cover the panels' titles
LAYOUT = dict(**style.PLAIN, font=style.FONT, height=HEIGHT, margin=dict(l=70, r=20, t=50, b=70),
              legend=dict(orientation="h", y=-0.28, yanchor="top", x=0, font=dict(size=15)))


@dataclass(frozen=True)
class Panel:
    """The descent runs of one objective and start."""

    objective: str
    shape: tuple[float, float, float]     # a, b, c (a quadratic's; the defaults otherwise)
    x0: float
    runs: tuple[Submission, ...]

    @property
    def title(self) -> str:
        names = {"seed": "the seed's x² − 4x + 6", "two-valleys": "two valleys"}
        name = names.get(self.objective, self.objective)
        if name == "quadratic":
            a, b, c = self.shape
            name = f"{a:g}x² {b:+g}x {c:+g}".replace("+", "+ ").replace("-", "− ")
        return f"{name}, x₀ = {self.x0:g}: {len(self.runs)} runs"

    def curve(self) -> objectives.Objective | None:
        try:
            return objectives.by_name(self.objective, *self.shape)
        except ValueError:      # a name this gdviz does not know: no theory to draw
            return None


def panels(subs: Sequence[Submission]) -> tuple[list[Panel], int]:
    """The descent runs grouped by objective and start, the most used first; returns the
    MAX_PANELS drawn and how many runs are in panels left out."""
    groups: dict[tuple, list[Submission]] = {}
    for s in subs:
        if s.lesson == "descent" and s.x0 is not None:
            shape = tuple(float(s.settings.get(k, d)) for k, d in zip("abc", (1.0, -4.0, 6.0),
                                                                       strict=True))
            groups.setdefault((s.objective, shape, s.x0), []).append(s)
    ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))
    drawn = [Panel(o, shape, x0, tuple(runs)) for (o, shape, x0), runs in ranked[:MAX_PANELS]]
    return drawn, sum(len(runs) for _, runs in ranked[MAX_PANELS:])


def ceiling(runs: Sequence[Submission]) -> float:
    """Where runs that never converged are drawn: above every converged run."""
    steps = [s.steps for s in runs if s.status == "converged" and s.steps is not None]
    return float(max([20, *steps]) * 1.2)


def descent_board(subs: Sequence[Submission]) -> go.Figure:
    """η against steps to converge, one panel per objective and start, coloured by outcome;
    over it the theory: the regime bands between 1/f″ and 2/f″ and the closed form's step
    count (exact on a quadratic, local at the start's valley elsewhere)."""
    drawn, _ = panels(subs)
    fig = make_subplots(rows=1, cols=max(1, len(drawn)), subplot_titles=[p.title for p in drawn],
                        horizontal_spacing=0.08)
    shown: set[str] = set()
    for i, p in enumerate(drawn, start=1):
        top = ceiling(p.runs)
        right = max(s.lr for s in p.runs) * 1.1
        obj = p.curve()
        if obj is not None:
            right = max(right, _theory(fig, i, obj, p.x0, top))
        for status in OUTCOME_STYLE:
            runs = [s for s in p.runs if s.status == status]
            if runs:
                colour, symbol = OUTCOME_STYLE[status]
                fig.add_trace(go.Scatter(
                    x=[s.lr for s in runs],
                    y=[s.steps if status == "converged" else top for s in runs],
                    mode="markers", name=status, legendgroup=status,
                    showlegend=status not in shown,
                    marker=dict(color=colour, symbol=symbol, size=14, opacity=0.8,
                                line=dict(width=1, color="white")),
                    hovertemplate="η = %{x:.4g}<br>%{text}<extra></extra>",
                    text=[_hover(s) for s in runs]), row=1, col=i)
                shown.add(status)
        fig.add_hline(y=top, line=dict(color=style.GREY, width=1, dash="dot"), row=1, col=i,
                      exclude_empty_subplots=False)
        ticks = step_ticks(top)     # the dotted line is labelled on the axis: "never"
        fig.update_xaxes(range=[0, right], title_text="learning rate η", row=1, col=i, **style.AXIS)
        fig.update_yaxes(range=[0, top * 1.08], row=1, col=i, tickmode="array",
                         tickvals=[*ticks, top], ticktext=[*map(str, ticks), "never"], **style.AXIS)
    fig.update_yaxes(title_text="steps to converge", row=1, col=1)
    fig.update_layout(**LAYOUT)
    fig.update_annotations(font_size=16)
    return fig


def step_ticks(top: float) -> list[int]:
    """Round step counts below `top`, about four of them."""
    gap = next(g for g in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000,
                           10**4, 10**5, 10**6, 10**7) if top / g <= 5)
    return list(range(0, int(top * 0.9) + 1, gap))


def _theory(fig: go.Figure, col: int, obj: objectives.Objective, x0: float, top: float) -> float:
    """Draw the bands and the closed form on panel `col`; returns the η axis's right end."""
    x_star = obj.valley(x0)
    h = obj.curvature if obj.curvature is not None else float(obj.d2f(x_star))
    local = "" if obj.curvature is not None else " (local)"
    edges = (0.0, 1 / h, 2 / h, 2.6 / h)
    for (word, colour), lo, hi in zip(BANDS, edges[:-1], edges[1:], strict=True):
        fig.add_vrect(x0=lo, x1=hi, fillcolor=colour, opacity=0.1, line_width=0,
                      row=1, col=col, exclude_empty_subplots=False, annotation_text=word,
                      annotation_position="top", annotation_font_size=14)
    fig.add_vline(x=2 / h, line=dict(color=style.VERMILLION, width=2, dash="dash"), row=1, col=col,
                  exclude_empty_subplots=False,
                  annotation_text=f"2/f″ = {2 / h:.3g}{local}", annotation_position="bottom right",
                  annotation_font_size=14)
    lrs = np.linspace(edges[2] / 400, edges[2], 400, endpoint=False)
    steps = [descent.predicted_steps(x0, x_star, float(lr), h) for lr in lrs]
    y = [k if k is not None and k <= top else None for k in steps]
    fig.add_trace(go.Scatter(x=lrs.tolist(), y=y, mode="lines", name=f"theory{local}",
                             legendgroup="theory", showlegend=col == 1,
                             line=dict(color=style.GREY, width=2), hoverinfo="skip"),
                  row=1, col=col)
    return edges[3]


def _hover(s: Submission) -> str:
    said = f"{s.status}, {s.regime}" if s.regime else s.status
    return f"{said}: {s.steps} steps" if s.steps is not None else said


def neuron_board(subs: Sequence[Submission]) -> go.Figure:
    """The neuron's runs: η (log scale) against the final training cost, by outcome."""
    runs = [s for s in subs if s.lesson == "neuron" and s.final_cost is not None]
    fig = go.Figure()
    for status, (colour, symbol) in OUTCOME_STYLE.items():
        mine = [s for s in runs if s.status == status]
        if mine:
            fig.add_trace(go.Scatter(
                x=[s.lr for s in mine], y=[s.final_cost for s in mine], mode="markers",
                name=status, marker=dict(color=colour, symbol=symbol, size=14, opacity=0.8),
                hovertemplate="η = %{x:.4g}<br>cost %{y:.4g}<extra></extra>"))
    fig.update_xaxes(type="log", title_text="learning rate η (log scale)", **style.AXIS)
    fig.update_yaxes(title_text="final training cost", rangemode="tozero", **style.AXIS)
    fig.update_layout(**LAYOUT, title=dict(text=f"The neuron: {len(runs)} runs", x=0))
    return fig


def quiz_counts(subs: Sequence[Submission]) -> tuple[Counter, Counter]:
    """How many predicted each answer, and how many of those were right."""
    said = [s for s in subs if s.quiz_prediction is not None]
    return (Counter(s.quiz_prediction for s in said),
            Counter(s.quiz_prediction for s in said if s.quiz_right))


def quiz_board(subs: Sequence[Submission]) -> go.Figure:
    """The quiz answers' histogram, each bar split into right and wrong."""
    total, right = quiz_counts(subs)
    answers = sorted(total, key=lambda a: -total[a])
    fig = go.Figure([
        go.Bar(y=answers, x=[right[a] for a in answers], name="right", orientation="h",
               marker_color=style.BLUE),
        go.Bar(y=answers, x=[total[a] - right[a] for a in answers], name="wrong",
               orientation="h", marker_color=style.ORANGE)])
    n, ok = sum(total.values()), sum(right.values())
    fig.update_xaxes(title_text="students", **style.AXIS)
    fig.update_yaxes(autorange="reversed", automargin=True, **style.AXIS)
    fig.update_layout(**LAYOUT, barmode="stack",
                      title=dict(text=f"Quiz: {ok} of {n} predictions right", x=0))
    fig.update_layout(legend_traceorder="normal")     # stacked bars list it backwards
    return fig

