"""A Plotly chart that stays on the page and is redrawn in place.

st.plotly_chart gives its chart an identity that hashes the figure, so every control change
unmounts the chart and mounts a new one: for a frame or more there is no chart at all (the
page below it jumps up and back), then Plotly.newPlot draws it from nothing and a second
full draw follows once the new chart knows its width. Here each chart is a keyed Streamlit
component (st.components.v2) whose identity is its key alone: the same <div> stays on the
page and takes each new figure in place: it moves only what moved when it can, else it
calls Plotly.react. A lesson's main chart sends its frames apart, after the figure, so the
message the chart waits for is small. `python bench/browser.py` times both
(GDVIZ_PLOTLY_CHART=1 switches to st.plotly_chart for the comparison).

plotly.js is the copy that ships inside the installed plotly package, loaded once per page
through Streamlit's static file serving (`[server] enableStaticServing` serves the `static/`
folder beside app.py at app/static; publish_plotly puts the file there). Where that cannot
work (static serving off, a read-only checkout) charts fall back to st.plotly_chart.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from gdviz.figures.style import Spec

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[2] / "static"   # beside app.py: served at app/static
BUNDLE = f"plotly-{plotly.__version__}.min.js"             # versioned: a cached copy never lies
SOURCE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CONFIG = {"displaylogo": False, "responsive": True}

# A lesson's main chart is written first and given this head start before the rest of the
# page follows. The browser takes a page's messages one after another and draws a chart only
# after it has handled every message queued before the draw; sent straight after the chart,
# the rest of the page (presets, theory, ledger) held the new chart back by ~25 ms on `/`.
# Sent 40 ms later, it arrives after the chart is drawn. Measured with bench/browser.py:
# see README, "Performance".
HEAD_START_S = 0.04
_LAST_DRAWN = "_gdviz_chart_last"   # session state: key -> hash of the figure last sent
# A lesson chart's frames travel under the chart's key + this, to a hidden element whose
# script hands them to the chart: the chart's message is the figure alone (~43 KB of the
# neuron's 210 KB), and parsing and adding 60 frames (2–6 ms in the page) happen after the
# new figure is drawn. (It did not shorten the ~25 ms the neuron's message takes from the
# server to the page, against the floor's ~3: that wait is the same at 43 KB.)
FRAMES_SUFFIX = "-frames"
SEND_S = 0.005      # the chart's message is on its way within this

# The component's JavaScript. Streamlit calls the default export on mount and whenever the
# data (the figure) changes, always with the same parent element. The first call loads
# plotly.js (once per page) and makes the chart's <div>; every call draws the newest figure
# into that <div>. Draws never overlap: a figure that arrives during a draw waits, and only
# the newest waiting one is drawn. A playing animation is stopped first, or it would go on
# playing the old run's frames over the new figure. The same component, mounted under the
# chart's key + FRAMES_SUFFIX, carries a lesson's frames: they wait until the chart shows
# the figure they belong to, then join it.
#
# Most control changes only move points: a new learning rate on `/` moves the step arrow
# and the frames, while the curve, axes and layout stay as they were. Plotly.react would
# still recompute and redraw the whole figure (~25 ms in the page). When the new figure is
# all scatter traces and differs from the one on screen only in their points, its frames
# and the layout in SWAPPED, those alone change (`moveOnly`), as a frame of the animation
# would move them (~10 ms on `/`, ~15 on `/neuron`). Anything else goes through
# Plotly.react: a transition without a redraw would wipe a heatmap, for one, which is why
# the neuron's maps are pictures (gdviz/figures/raster.py).
JS = """
const STOP = {mode: "immediate", frame: {duration: 0, redraw: false}, transition: {duration: 0}};
const FIRST = {mode: "immediate", frame: {duration: 0, redraw: true}, transition: {duration: 0}};
const text = JSON.stringify;

// Layout that plotly.js redraws on its own, without the traces: swapped, never compared.
const SWAPPED = ["title", "images", "sliders"];
// A scatter trace's per-point arrays: what a frame of an animation may move.
const POINTS = ["x", "y", "text", "customdata"];
const only = (d, keys) => Object.fromEntries(keys.map((k) => [k, d[k] ?? null]));
// Whether a trace's x holds no point at all (a typed array's spec counts as points).
const none = (x) => x == null || x.length === 0 || (Array.isArray(x) && x.every((v) => v == null));

// The figure apart from its traces' points and SWAPPED, read before plotly.js draws it
// (Plotly.react writes into the layout and traces it is given).
const outline = (fig) => {
  const {datarevision, ...layout} = fig.layout;
  const swapped = Object.fromEntries(SWAPPED.map((key) => [key, text(layout[key] ?? null)]));
  SWAPPED.forEach((key) => delete layout[key]);
  return {
    layout: text(layout),
    swapped,
    traces: fig.data.map((d) => text(d)),
    styles: fig.data.map((d) => d.type === "scatter" ?
      text(Object.fromEntries(Object.entries(d).filter(([k]) => !POINTS.includes(k)))) : null),
  };
};

// Whether the chart shows another frame than its first (which gdviz's figures start on).
const away = (gd) => {
  const current = gd._fullLayout?._currentFrame;
  return current != null && current !== gd._transitionData?._frames[0]?.name;
};

// The traces to move to take the chart from `before` to `now` (the outline of `fig`): those
// whose points changed, and, when the chart shows a later frame (`later`), those its frames
// move. Null when anything else differs, or when a drawn trace would lose all its points: a
// transition leaves such a trace's old line drawn (the neuron's boundary, which epoch 0
// does not have, after ▶ Play).
const moves = (gd, fig, before, now, later) => {
  // a transition clears the layers of every kind of trace it does not animate (a heatmap's
  // included): only a figure of scatter traces alone can move without a redraw
  if (!before || !gd._fullLayout || before.layout !== now.layout ||
      before.traces.length !== now.traces.length || now.styles.includes(null)) return null;
  const moved = new Set(later ? gd._transitionData._frames.flatMap((f) => f.traces ?? []) : []);
  now.traces.forEach((t, j) => { if (t !== before.traces[j]) moved.add(j); });
  for (const j of moved) {
    if (now.styles[j] !== before.styles[j]) return null;
    if (none(fig.data[j].x) && !none(gd.data[j].x)) return null;
  }
  return [...moved];
};

// Move the traces, give the chart the new figure's frames, and swap the layout that
// changed or that the shown frame had changed (the title naming the step, the scrubber).
const moveOnly = async (Plotly, gd, fig, moved, before, now, later) => {
  const frames = gd._transitionData._frames;
  const swap = new Set(SWAPPED.filter((key) => now.swapped[key] !== before.swapped[key]));
  if (later) {
    frames.forEach((f) => Object.keys(f.layout ?? {}).forEach((key) => swap.add(key)));
    swap.add("sliders");
  }
  gd.layout.datarevision = fig.layout.datarevision;   // what Plotly.react compares next time
  // addFrames replaces frames by name; the old run's extra ones go one at a time (plotly's
  // deleteFrames sorts a list of indices as strings, so "10" would come before "9")
  await Plotly.addFrames(gd, fig.frames ?? []);
  const names = new Set((fig.frames ?? []).map((f) => f.name));
  for (let k = frames.length - 1; k >= 0; k--) {
    if (!names.has(frames[k].name)) await Plotly.deleteFrames(gd, [k]);
  }
  if (swap.size) {
    await Plotly.relayout(gd, Object.fromEntries([...swap].map((k) => [k, fig.layout[k] ?? null])));
  }
  // The points move last. Everything above is done within this task, and so is the
  // transition itself, so the browser paints the new figure whole, once; the promise of
  // Plotly.animate only settles an animation frame later.
  if (moved.length) {
    // plotly.js clears the traces of a subplot the transition has none of: a subplot where
    // nothing moved sends its first trace along, unchanged. The others keep their drawing.
    const traces = [...moved];
    const axes = (j) => gd._fullData[j].xaxis + gd._fullData[j].yaxis;
    const seen = new Set(moved.map(axes));
    fig.data.forEach((_, j) => { if (!seen.has(axes(j))) { seen.add(axes(j)); traces.push(j); } });
    const data = traces.map((j) => (moved.includes(j) ? only(fig.data[j], POINTS) : {}));
    await Plotly.animate(gd, {data, traces}, STOP);
  }
};

const load = (src) => window.__gdvizPlotly ??= new Promise((ok, fail) => {
  if (window.Plotly) return ok(window.Plotly);
  const s = document.createElement("script");
  s.src = src;
  s.onload = () => ok(window.Plotly);
  s.onerror = () => { window.__gdvizPlotly = null; s.remove(); fail(new Error(src)); };
  document.head.appendChild(s);
});

const parse = (data) => {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    data = new TextDecoder().decode(data);
  }
  return typeof data === "string" ? JSON.parse(data) : data;
};

// A lesson chart's frames come apart from its figure, in a message of their own (chart.py,
// FRAMES_SUFFIX): kept here by chart key until the chart shows the figure they belong to.
const FRAMES = window.__gdvizFrames ??= {};
const CHARTS = window.__gdvizCharts ??= {};

// Give the chart the frames of the figure it shows. A chart redrawn from a later frame
// shows the first one again, so the scrubber's grip (which follows the animation) goes back.
const attach = async (Plotly, gd) => {
  const f = FRAMES[gd.__key];
  delete FRAMES[gd.__key];
  await Plotly.addFrames(gd, f.frames);
  if (gd.__rewind && f.frames.length) await Plotly.animate(gd, [f.frames[0].name], FIRST);
  gd.__rewind = false;
  const pressed = gd.__pressed;   // ▶ Play pressed before the frames came: play them now
  gd.__pressed = null;
  if (pressed) Plotly.animate(gd, ...pressed).catch(() => {});   // rejects when paused
};
// Note a player button pressed while the chart has no frames yet (see attach).
const listen = (gd) => {
  if (gd.__listening) return;
  gd.__listening = true;
  gd.on("plotly_buttonclicked", ({button}) => {
    if (button?.method === "animate" && !gd._transitionData?._frames?.length) {
      gd.__pressed = button.args;
    }
  });
};
const framesReady = (gd) => gd.__shown && FRAMES[gd.__key] &&
  FRAMES[gd.__key].revision === gd.__revision;

// Draw the newest figure, then the frames, until nothing is waiting; one loop per chart.
const pump = (gd) => {
  if (gd.__drawing) return;
  gd.__drawing = true;
  const draw = async () => {
    const Plotly = await load(gd.__src);
    while (gd.__next || framesReady(gd)) {
      if (!gd.__next) {
        await attach(Plotly, gd);
        continue;
      }
      const fig = gd.__next;
      gd.__next = null;
      const t = gd._transitionData;
      if (t && (t._frameQueue?.length || t._animationRaf)) await Plotly.animate(gd, [null], STOP);
      const before = gd.__shown, now = outline(fig), later = away(gd);
      const moved = moves(gd, fig, before, now, later);
      gd.__shown = null;    // a draw that fails half way leaves no figure to move from
      // The new figure starts at its first frame. Forget the frame the old one was left on:
      // ▶ Play goes on from it, and the scrubber's handle is bound to it.
      if (gd._fullLayout) delete gd._fullLayout._currentFrame;
      if (moved) {
        await moveOnly(Plotly, gd, fig, moved, before, now, later);
      } else {
        await Plotly.react(gd, {...fig, frames: fig.frames ?? []});   // [] drops the old ones
        // Plotly.react leaves the scrubber's grip where the old run was left (it follows the
        // animation, not the layout): showing the first frame puts it back, with a redraw
        gd.__rewind = later && !fig.frames;
        if (later && fig.frames?.length) await Plotly.animate(gd, [fig.frames[0].name], FIRST);
      }
      gd.__shown = now;
      gd.__revision = fig.layout.datarevision;
      listen(gd);
      gd.__draws ??= {react: 0, moved: 0};   // counted for the tests
      gd.__draws[moved ? "moved" : "react"] += 1;
    }
  };
  draw().catch((err) => {
    gd.textContent = "The chart could not be drawn (" + err.message + "). Reload the page.";
    gd.className = "gdviz-chart gdviz-chart-failed";
  }).finally(() => { gd.__drawing = false; });
};

export default function ({ data, parentElement }) {
  const payload = parse(data);
  if (payload.framesOf) {
    FRAMES[payload.framesOf] = payload;
    if (CHARTS[payload.framesOf]?.isConnected) pump(CHARTS[payload.framesOf]);
    return;
  }
  let gd = parentElement.querySelector(":scope > .gdviz-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "gdviz-chart";
    parentElement.appendChild(gd);
  }
  const { figure, config, src, key } = payload;
  if (key) CHARTS[key] = gd;
  gd.__key = key;
  gd.__src = src;
  gd.style.height = (figure.layout.height || 450) + "px";
  gd.__next = {...figure, config};
  pump(gd);
}
"""

CSS = """
.gdviz-chart { width: 100%; }
[class*="st-key-"][class*="-frames"] { display: none; }
.gdviz-chart-failed { height: auto !important; padding: 1rem; border: 1px solid #D55E00; }
"""


def publish_plotly() -> bool:
    """Put the plotly package's plotly.js where Streamlit serves static files. True when it
    is there (copied now or before); False when this checkout cannot hold it."""
    target = STATIC / BUNDLE
    try:
        if target.is_file() and target.stat().st_size == SOURCE.stat().st_size:
            return True
        STATIC.mkdir(exist_ok=True)
        fd, part = tempfile.mkstemp(dir=STATIC, suffix=".part")   # several servers may race
        os.close(fd)
        shutil.copyfile(SOURCE, part)
        os.replace(part, target)
        return True
    except OSError as exc:
        log.warning("charts fall back to st.plotly_chart: cannot publish plotly.js (%s)", exc)
        return False


@st.cache_resource(show_spinner=False)
def _component():
    """The registered chart component, or None where plotly.js cannot be served."""
    if not st.get_option("server.enableStaticServing"):
        log.warning("charts fall back to st.plotly_chart: [server] enableStaticServing is off")
        return None
    if not publish_plotly():
        return None
    return st.components.v2.component("gdviz.chart", js=JS, css=CSS, isolate_styles=False)


def bundle_url() -> str:
    """Where the browser finds plotly.js, under the app's base path."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(p for p in (base, "app", "static", BUNDLE) if p)


def spec_json(fig: go.Figure | Spec) -> str:
    """The figure as Plotly.react reads it (data, layout, frames); a Spec's JSON is made once."""
    return fig.to_json() if isinstance(fig, Spec) else pio.to_json(fig, validate=False)


def chart(fig: go.Figure | Spec, key: str, head_start: float = 0.0) -> None:
    """Show `fig` under `key`: the same chart stays on the page and is redrawn in place.

    A figure that replaces another one under `key` gets `head_start` seconds before the
    script goes on (HEAD_START_S for a lesson's main chart, called before the rest of the
    page); a first draw or the same figure again goes on at once. Such a lesson chart's
    frames are built during the head start and follow in a message of their own
    (FRAMES_SUFFIX), so neither building nor parsing them delays the chart. The st.plotly_chart
    fallback remounts its chart on every change anyway and does not wait."""
    mount = None if os.environ.get("GDVIZ_PLOTLY_CHART") else _component()
    if mount is None:
        plotly_fig = fig.to_plotly() if isinstance(fig, Spec) else fig
        st.plotly_chart(plotly_fig, key=key, theme=None, config=CONFIG)
        return
    split = head_start > 0 and isinstance(fig, Spec) and fig.animated
    figure = fig.figure_json() if split else spec_json(fig)
    payload = (f'{{"key": {json.dumps(key)}, "src": {json.dumps(bundle_url())}, '
               f'"config": {json.dumps(CONFIG)}, "figure": {figure}}}')
    mount(key=key, data=payload.encode())
    wait = head_start if head_start > 0 and redrawn(key, figure) else 0.0
    if not split:
        if wait:
            time.sleep(wait)
        return
    # the frames are built in the head start (a Spec builds them on first use), after a
    # pause that lets the chart's message go out without waiting for the GIL
    start = time.perf_counter()
    if wait:
        time.sleep(SEND_S)
    frames = fig.frames_json()
    if wait:
        time.sleep(max(0.0, wait - (time.perf_counter() - start)))
    mount(key=key + FRAMES_SUFFIX, data=(
        f'{{"framesOf": {json.dumps(key)}, "revision": {fig.layout["datarevision"]}, '
        f'"frames": {frames}}}').encode())


def redrawn(key: str, figure: str) -> bool:
    """Whether `figure` replaces another one this session's browser has under `key` (a
    first draw, or the same figure again, is not a redraw)."""
    last = st.session_state.setdefault(_LAST_DRAWN, {})
    before, last[key] = last.get(key), hash(figure)
    return before is not None and before != last[key]
