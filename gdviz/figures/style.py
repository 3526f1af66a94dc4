"""What both lessons' figures share: colours, fonts, axes, the player controls, and a
figure assembled from plain dicts without plotly.py's objects."""
from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

# Okabe–Ito: safe for the common colour-vision deficiencies. Pairs used for classes also
# differ in lightness so they survive a washed-out projector or a greyscale print.
BLUE, ORANGE, GREEN, VERMILLION = "#0072B2", "#E69F00", "#009E73", "#D55E00"
SKY, PURPLE, GREY, BLACK = "#56B4E9", "#CC79A7", "#777777", "#000000"
PALETTE = (SKY, BLUE, GREEN, ORANGE, PURPLE, VERMILLION)
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star")
DASHES = ("dot", "solid", "dash", "dashdot", "longdash", "longdashdot")
FONT = dict(size=18)

# Plain white axes spelled out instead of a template. plotly.py otherwise attaches its default
# template (7 KB on every redraw), and that template turns on `automargin` for every axis,
# which makes plotly.js lay the figure out twice: on the neuron's four panels that doubled the
# drawing time (`python bench/draw.py` measures it). Margins are set explicitly instead.
AXIS = dict(showgrid=True, gridcolor="#E5E5E5", zeroline=False, linecolor="#BBBBBB",
            ticks="outside", tickcolor="#BBBBBB")
PLAIN = dict(paper_bgcolor="white", plot_bgcolor="white", hoverlabel=dict(font=dict(size=16)))
STATIC = dict(**PLAIN, font=FONT, height=560, margin=dict(l=70, r=20, t=60, b=40),
              legend=dict(orientation="h", y=-0.2, yanchor="top", x=0, font=dict(size=15)))


TYPED = {np.dtype(np.uint8): "u1", np.dtype(np.float32): "f4"}   # plotly.js's dtype codes
SHORT = 16   # arrays this short go as lists


def typed_array(a: np.ndarray) -> dict:
    """Plotly.js's typed-array form of a uint8 or float32 array: its raw bytes in base64.

    Figures are built as plain dicts (see spec_figure), so the encoding plotly.py would do
    is done here; a prepared string also spares plotly.py's deep copies of long lists.
    """
    a = np.ascontiguousarray(a)
    return dict(dtype=TYPED[a.dtype], bdata=base64.b64encode(a.tobytes()).decode("ascii"),
                shape=", ".join(str(n) for n in a.shape))


def rounded(a: np.ndarray | float | Sequence[float], places: int = 4) -> list[float] | dict:
    """Numbers for the wire, rounded far below a pixel.

    A long array travels as a float32 typed array (a third of the decimal text, decoded by
    plotly.js without parsing); a short one as a plain list, where the typed array's own
    keys would cost more than they save.
    """
    v = np.round(np.atleast_1d(np.asarray(a, float)), places)
    return typed_array(v.astype(np.float32)) if v.size > SHORT else v.tolist()


def prefixes(a: np.ndarray, lengths: Sequence[int], places: int = 4) -> list[list[float] | dict]:
    """a[:n] for each n in `lengths`, each as `rounded` would send it, rounding a only once:
    the growing curves of an animation's frames."""
    v = np.round(np.asarray(a, float), places)
    v32 = v.astype(np.float32)
    return [typed_array(v32[:n]) if n > SHORT else v[:n].tolist() for n in lengths]


def unpack(v) -> list[float]:
    """A wire array back as numbers: a typed array decoded, a list as it is."""
    if isinstance(v, dict) and "bdata" in v:
        code = {c: d for d, c in TYPED.items()}[v["dtype"]]
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=code).tolist()
    return list(v)


def sample(n: int, most: int) -> np.ndarray:
    """An even, deterministic choice of at most `most` of the indices 0..n−1, keeping both
    ends (so an animation's last frame is always the run's last step)."""
    if n <= most:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, most)).astype(int))


def playback_meta(ms: int, say: Sequence[str], tail: str, alt: str) -> dict:
    """What the playback controls (gdviz/playback.js) read from a figure's layout.meta.

    Args:
        ms: how long a frame shows at 1×.
        say: the status line's words for each frame, in the frames' order.
        tail: words true of the whole run, said after each frame's.
        alt: one sentence describing the chart: its text alternative.
    """
    return dict(playback=dict(ms=int(ms), say=list(say), tail=tail, alt=alt))


def play_buttons(ms: int, y: float) -> dict:
    """▶ Play and ❚❚ Pause as plotly's own buttons: only where gdviz's chart cannot run
    (chart.py's st.plotly_chart fallback); gdviz's chart has playback.js's controls."""
    play = dict(frame=dict(duration=ms, redraw=True), transition=dict(duration=0),
                fromcurrent=True, mode="immediate")
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0),
                 mode="immediate")
    return dict(type="buttons", direction="left", x=0, y=y, xanchor="left", yanchor="top",
                pad=dict(r=10, t=0), showactive=False, font=dict(size=16),
                buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                         dict(label="❚❚ Pause", method="animate", args=[[None], pause])])


def scrubber(names: Sequence[int], y: float, labels: int = 10) -> dict:
    """A slider across the plot's width with a tick per frame and a label on about `labels`
    of them (on a row of its own: fixed-size buttons beside it would cover it on a narrow
    screen).

    Each label is text plotly.js measures on every draw, so most stay empty (a label on each
    of the neuron's 60 steps cost ~25 ms a draw, `bench/draw.py`). The figure's title names
    the current frame instead of a read-out beside the slider.
    """
    go_to = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    every = max(1, int(np.ceil(len(names) / labels)))
    steps = [dict(label=str(k) if i % every == 0 or i == len(names) - 1 else "",
                  method="animate", args=[[str(k)], go_to]) for i, k in enumerate(names)]
    # no glide (plotly's default slides the grip for 150 ms): a glide still running when the
    # chart is redrawn puts the grip back where the old run was, after the redraw
    return dict(active=0, x=0, len=1, y=y, yanchor="top", pad=dict(t=10),
                currentvalue=dict(visible=False), transition=dict(duration=0), steps=steps)


class Spec:
    """A figure as the plain dicts plotly.js reads, without plotly.py's objects.

    Building the neuron's 60 frames as go.Figure and go.Frame objects cost ~30 ms per
    control change even unvalidated, only for the chart to turn them back into dicts. A
    Spec is those dicts; a go.Figure is made from them only when one is asked for (the HTML
    export, or st.plotly_chart where gdviz's own chart cannot run). Nothing mutates a Spec
    once built, so cached ones are shared, not copied. The figure tests validate every spec
    in full against plotly's schema.
    """

    __slots__ = ("data", "layout", "frames", "_figure", "_json")

    def __init__(self, data: list[dict], layout: dict, frames: Sequence[dict] = ()) -> None:
        self.data, self.layout, self.frames = data, layout, list(frames)
        self._figure: go.Figure | None = None
        self._json: str | None = None

    def to_dict(self) -> dict:
        return dict(data=self.data, layout=self.layout, frames=self.frames)

    def to_json(self) -> str:
        """The spec as JSON, made once: a cached Spec is sent again on every rerun."""
        if self._json is None:
            self._json = pio.json.to_json_plotly(self.to_dict())
        return self._json

    def to_plotly(self) -> go.Figure:
        """The same figure as a go.Figure (made once, unvalidated: see the class docs)."""
        if self._figure is None:
            fig = go.Figure(dict(data=self.data, layout=self.layout), _validate=False)
            # go.Figure re-validates frames even with _validate=False; attach them as they are
            fig._frame_objs = tuple(go.Frame(f, _validate=False) for f in self.frames)
            self._figure = fig
        return self._figure

    def to_html(self, **options) -> str:
        return self.to_plotly().to_html(**options)


# What gdviz's chart (gdviz/pages/chart.js) may change without a redraw: a scatter trace's
# per-point arrays, and the layout that plotly.js redraws on its own, apart from the traces.
POINTS = ("x", "y", "text", "customdata")
FRAME_LAYOUT = ("title", "images")


def movable_breaches(data: Sequence[dict], layout: dict,
                     frames: Sequence[dict] = ()) -> list[str]:
    """How a figure breaks the rules gdviz's chart relies on to move it without a redraw
    (empty when it keeps them all).

    The chart takes a new figure by moving points (Plotly.animate with redraw off) and by
    swapping the title, pictures and scrubber, and it rewinds a chart left on a later frame
    by showing the first frame. That is only right when:
      - every trace is a scatter trace: a transition without a redraw clears the layers of
        every other trace type (a heatmap vanishes), which is why the neuron's maps are
        pictures (gdviz/figures/raster.py) and its colour bar hangs on an empty scatter;
      - frames are named, once each, and move existing traces by index, changing only their
        points and the layout in FRAME_LAYOUT;
      - the first frame is the figure as built: the points and layout it sets are the
        figure's own, so showing it puts the figure back;
      - layout.meta, which the chart neither compares nor moves (it holds the playback
        controls' words, gdviz/playback.js), has one word line per frame and is not shown
        by plotly.js: no trace's text refers to %{meta}.

    The chart also fits each figure to the screen before drawing it (chart.js, `fitted`:
    panels stacked on a phone, the window's height in the presenter view) by rewriting
    layout keys and colour-bar places, never points or frames, and alike on every figure it
    receives: two figures that differ only in points still do after the fit, and a figure
    that only a new fit changed is redrawn.

    Args:
        data, layout, frames: the figure's plain dicts (see spec_figure).
    """
    out = [f"trace {j} is {d.get('type')!r}, not 'scatter'" for j, d in enumerate(data)
           if d.get("type") != "scatter"]
    names = [f.get("name") for f in frames]
    if any(n is None for n in names) or len(set(map(str, names))) != len(names):
        out.append("frames must have names, each once")
    for f in frames:
        traces, moved = f.get("traces", []), f.get("data", [])
        if len(traces) != len(moved) or any(not 0 <= j < len(data) for j in traces):
            out.append(f"frame {f.get('name')}: traces does not index the frame's data")
            continue
        for j, d in zip(traces, moved, strict=True):
            extra = set(d) - {"type", *POINTS}
            if d.get("type", "scatter") != "scatter" or extra:
                out.append(f"frame {f.get('name')} changes trace {j} beyond its points "
                           f"({sorted(extra) or d.get('type')})")
        extra = set(f.get("layout", {})) - set(FRAME_LAYOUT)
        if extra:
            out.append(f"frame {f.get('name')} changes the layout's {sorted(extra)}")
    if any("%{meta" in str(d.get(k, "")) for d in data
           for k in ("texttemplate", "hovertemplate", "text")):
        out.append("a trace shows layout.meta, which the chart does not move")
    said = layout.get("meta", {}).get("playback", {}).get("say")
    if said is not None and len(said) != len(frames):
        out.append(f"layout.meta has words for {len(said)} frames, not {len(frames)}")
    if frames and not out:
        first = frames[0]
        for j, d in zip(first.get("traces", []), first.get("data", []), strict=True):
            if any(d.get(k) != data[j].get(k) for k in POINTS if k in d):
                out.append(f"the first frame moves trace {j} away from the figure's points")
        shown = first.get("layout", {})
        if "title" in shown and shown["title"].get("text") != layout.get("title", {}).get("text"):
            out.append("the first frame's title is not the figure's")
        for i, image in enumerate(shown.get("images", [])):
            own = layout.get("images", [])
            if i >= len(own) or any(own[i].get(k) != v for k, v in image.items()):
                out.append(f"the first frame's picture {i} is not the figure's")
    return out


def with_play_buttons(spec: Spec) -> go.Figure:
    """The spec as a go.Figure with plotly's own ▶ Play and ❚❚ Pause in a row added under its
    scrubber: for st.plotly_chart (gdviz/pages/chart.py's fallback), where gdviz/playback.js
    does not run. A figure without playback words is returned as it is."""
    meta = spec.layout.get("meta", {}).get("playback")
    if not meta:
        return spec.to_plotly()
    margin, row = spec.layout["margin"], 60
    plot = spec.layout["height"] - margin["t"] - margin["b"]     # the plot's own height, kept
    layout = dict(spec.layout, height=spec.layout["height"] + row,
                  margin=dict(margin, b=margin["b"] + row),
                  updatemenus=[play_buttons(meta["ms"], y=-(margin["b"] + 5) / plot)])
    return Spec(spec.data, layout, spec.frames).to_plotly()


def spec_figure(data: list[dict], layout: dict, frames: Sequence[dict] = ()) -> Spec:
    """A figure from plain dicts, skipping plotly.py entirely (see Spec).

    The chart moves a Spec's points without a redraw, so the figure is checked here against
    the rules that rely on (movable_breaches); a breach is a bug in the figure's code.

    `datarevision` is a digest of the data. Plotly.react trusts it: with a revision it
    skips comparing the data arrays when only the layout changed, and redraws the data
    when the digest differs.
    """
    breaches = movable_breaches(data, layout, frames)
    if breaches:
        raise ValueError("gdviz's chart cannot move this figure: " + "; ".join(breaches))
    layout = dict(layout, template={},     # {}: no template at all (see AXIS)
                  datarevision=zlib.crc32(json.dumps(data, default=str).encode()))
    return Spec(data, layout, frames)


def finish(fig: go.Figure, title: str, **layout) -> go.Figure:
    """Give a static figure the shared look: white plot, grey grid, large type."""
    fig.update_layout(title=title, template=None, **{**STATIC, **layout})   # None: no template
    fig.update_xaxes(**AXIS)
    fig.update_yaxes(**AXIS)
    return fig
