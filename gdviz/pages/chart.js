// gdviz's chart: one plotly.js chart per Streamlit component, redrawn in place (chart.py says
// why it is not st.plotly_chart). Streamlit imports this module once per page and calls its
// default export on mount and whenever the component's data (the figure) changes, always
// with the same parent element.
//
// Only plotly.js's documented API: newPlot/react, animate, addFrames, deleteFrames, relayout
// and the plotly_* events. What the chart needs to know of its own past (the figure shown,
// the frames it holds, the frame on screen) it keeps in a record of its own, in CHARTS.
//
// Playback (play, pause, steps, speed, keys, the status line) is playback.js's, which
// chart.py puts before this file: see the Playback section below.
//
// For tests and benchmarks the chart writes its state on its own element as data-*
// attributes: data-draws ("react:1,moved:2"), data-frame (the frame shown, "" for the
// figure as drawn), data-revision (the figure's datarevision) and data-settled ("true" once
// no draw is running or waiting and no animation plays).

// Stop a playing animation; show a frame at once (with a redraw, for any kind of trace).
const STOP = {mode: "immediate", frame: {duration: 0, redraw: false}, transition: {duration: 0}};
const FIRST = {mode: "immediate", frame: {duration: 0, redraw: true}, transition: {duration: 0}};
// Layout that plotly.js redraws on its own, without the traces: swapped, never compared.
const SWAPPED = ["title", "images", "sliders"];
// A scatter trace's per-point arrays: what a move may change (gdviz/figures/style.py,
// movable_breaches, holds the figures to the same list).
const POINTS = ["x", "y", "text", "customdata"];

let library = null;            // plotly.js, loading or loaded: once per page
const CHARTS = new WeakMap();  // a chart's <div> -> its record (see chartFor)

const text = JSON.stringify;
const only = (d, keys) => Object.fromEntries(keys.map((k) => [k, d[k] ?? null]));
// Whether a trace's x holds no point at all (a typed array's spec counts as points).
const none = (x) => x == null || x.length === 0 || (Array.isArray(x) && x.every((v) => v == null));

// plotly.js from the plotly package's copy that Streamlit serves (chart.py). The script tag
// sets window.Plotly: that is how plotly.js hands itself to a page.
const plotly = (src) => library ??= new Promise((ok, fail) => {
  if (window.Plotly) return ok(window.Plotly);
  const s = document.createElement("script");
  s.src = src;
  s.onload = () => ok(window.Plotly);
  s.onerror = () => { library = null; s.remove(); fail(new Error(src)); };
  document.head.appendChild(s);
});

// The figure apart from its traces' points and SWAPPED, read before plotly.js draws it
// (Plotly.react writes into the layout and traces it is given).
const outline = (fig) => {
  // meta carries the playback words (playback.js), which plotly.js never draws: not compared
  const {datarevision, meta, ...layout} = fig.layout;
  const swapped = Object.fromEntries(SWAPPED.map((key) => [key, text(layout[key] ?? null)]));
  SWAPPED.forEach((key) => delete layout[key]);
  return {
    layout: text(layout),
    swapped,
    traces: fig.data.map((d) => text(d)),
    styles: fig.data.map((d) => text(Object.fromEntries(
      Object.entries(d).filter(([k]) => !POINTS.includes(k))))),
    frames: (fig.frames ?? []).map((f) => String(f.name)),
    framed: new Set((fig.frames ?? []).flatMap((f) => f.traces ?? [])),
  };
};

// The traces to move to take the chart from `before` to `now` (the outline of `fig`): those
// whose points changed, and, when the chart shows a later frame (`later`), those its frames
// move. Null when the figure must be redrawn: Python did not vouch that it can move
// (style.movable_breaches), something besides points differs, or a drawn trace would lose
// all its points (a transition leaves such a trace's old line drawn: the neuron's boundary,
// which epoch 0 does not have, after ▶ Play).
const moves = (gd, fig, before, now, later) => {
  if (!before || !before.movable || !fig.movable || before.layout !== now.layout ||
      before.traces.length !== now.traces.length) return null;
  const moved = new Set(later ? before.framed : []);
  now.traces.forEach((t, j) => { if (t !== before.traces[j]) moved.add(j); });
  for (const j of moved) {
    if (now.styles[j] !== before.styles[j]) return null;
    if (none(fig.data[j].x) && !none(gd.data[j].x)) return null;   // gd.data: what is shown
  }
  return [...moved];
};

// Give the chart `frames` in their order. addFrames replaces frames by name and appends new
// names; the old run's extra ones go one index at a time (plotly's deleteFrames sorts a list
// of indices as strings, so "10" would come before "9"). Where that would leave the frames
// out of order (▶ Play plays them in the order held), all go and the new ones come in.
const swapFrames = async (Plotly, gd, chart, frames, names) => {
  const added = [...chart.frames, ...names.filter((n) => !chart.frames.includes(n))];
  const wanted = new Set(names);
  const inOrder = text(added.filter((n) => wanted.has(n))) === text(names);
  const old = inOrder ? added : chart.frames;
  if (inOrder && frames.length) await Plotly.addFrames(gd, frames);
  for (let k = old.length - 1; k >= 0; k--) {
    if (!inOrder || !wanted.has(old[k])) await Plotly.deleteFrames(gd, [k]);
  }
  if (!inOrder && frames.length) await Plotly.addFrames(gd, frames);
  chart.frames = names;
};

// Move the traces, give the chart the new figure's frames, and swap the layout that changed.
const moveOnly = async (Plotly, gd, chart, fig, moved, before, now) => {
  await swapFrames(Plotly, gd, chart, fig.frames ?? [], now.frames);
  const swap = SWAPPED.filter((key) => now.swapped[key] !== before.swapped[key]);
  if (swap.length) {
    await Plotly.relayout(gd, Object.fromEntries(swap.map((k) => [k, fig.layout[k] ?? null])));
  }
  // The points move last, within this task like everything above, so the browser paints the
  // new figure whole, once.
  if (moved.length) {
    // plotly.js clears the traces of a subplot the transition has none of: a subplot where
    // nothing moved sends its first trace along, unchanged. The others keep their drawing.
    const traces = [...moved];
    const axes = (j) => (fig.data[j].xaxis ?? "x") + (fig.data[j].yaxis ?? "y");
    const seen = new Set(moved.map(axes));
    fig.data.forEach((_, j) => { if (!seen.has(axes(j))) { seen.add(axes(j)); traces.push(j); } });
    const data = traces.map((j) => (moved.includes(j) ? only(fig.data[j], POINTS) : {}));
    await Plotly.animate(gd, {data, traces}, STOP);
  }
};

// Redraw whole. After a move plotly.js still holds the datarevision of the figure moved
// from, and Plotly.react skips the data whose revision it holds: a revision never sent
// before makes it compare them.
const redraw = async (Plotly, gd, chart, fig, now) => {
  const revision = fig.layout.datarevision;
  const layout = chart.stale && revision != null ?
    {...fig.layout, datarevision: `${revision}~${chart.count}`} : fig.layout;
  await Plotly.react(gd, {data: fig.data, layout, frames: fig.frames ?? [], config: fig.config});
  chart.frames = now.frames;
};

// Draw one figure. A playing animation stops first, or it would go on playing the old run's
// frames over the new figure. A new figure starts at its first frame, which gdviz's figures
// draw as the figure itself (style.movable_breaches): a chart left on a later frame is shown
// that first frame, which also puts back what the later frame had changed (the title, the
// scrubber's grip) and makes ▶ Play begin the new run at its start.
const draw = async (Plotly, chart, fig) => {
  const gd = chart.gd;
  if (chart.playing) await Plotly.animate(gd, [null], STOP);
  chart.playing = false;
  const before = chart.shown, now = outline(fig);
  now.movable = fig.movable;
  const sliders = text(fig.layout.sliders ?? []);   // as sent: Plotly.react writes into it
  const later = chart.frame != null && chart.frame !== chart.frames[0];
  const moved = moves(gd, fig, before, now, later);
  chart.shown = null;    // a draw that fails half way leaves no figure to move from
  if (moved) await moveOnly(Plotly, gd, chart, fig, moved, before, now);
  else await redraw(Plotly, gd, chart, fig, now);
  if (later && now.frames.length) {
    await Plotly.animate(gd, [now.frames[0]], moved ? STOP : FIRST);
    // plotly's scrubber follows the animation through an observer of its own, which now and
    // then leaves the grip where the old run was (the browser tests caught it about one run
    // in four on a loaded machine): the scrubber is drawn again as the figure has it
    if (sliders !== "[]") await Plotly.relayout(gd, {sliders: JSON.parse(sliders)});
  }
  chart.frame = null;
  chart.shown = now;
  chart.stale = Boolean(moved);
  chart.count += 1;
  chart.draws[moved ? "moved" : "react"] += 1;
  gd.dataset.revision = String(fig.layout.datarevision ?? "");
  gd.dataset.draws = `react:${chart.draws.react},moved:${chart.draws.moved}`;
};

// Whether the chart is at rest: nothing drawing, waiting or playing.
const note = (chart) => {
  chart.gd.dataset.frame = chart.frame ?? "";
  chart.gd.dataset.settled = String(!chart.drawing && !chart.next && !chart.playing);
};

// Follow the animation (▶ Play, the scrubber, the chart's own moves) through its events.
const listen = (chart) => {
  const gd = chart.gd;
  gd.on("plotly_animatingframe", (e) => {
    chart.frame = e.name ?? null;
    chart.playing = true;
    note(chart);
  });
  const rest = () => { chart.playing = false; note(chart); };
  gd.on("plotly_animated", rest);
  gd.on("plotly_animationinterrupted", rest);
};

// --- Playback (playback.js): kept apart from drawing --------------------------------------

// The chart's player, made with its first figure (plotly.js's events exist from then on).
const playerFor = (Plotly, chart) => chart.player ??= makePlayer(Plotly, chart.gd, chart.bar);

// The keys, heard on the whole page (the chart is in the page's own document, not an iframe):
// Space, ← →, Home drive the page's first animated chart; 1–6 press that chart's presets, the
// page's own buttons (Streamlit names a keyed widget's element st-key-<key>).
let keysHeard = false;
const heedKeys = () => {
  if (keysHeard) return;
  keysHeard = true;
  document.addEventListener("keydown", (event) => {
    const action = keyAction(event);
    if (action == null) return;
    const chart = [...document.querySelectorAll(".gdviz-chart")]
      .map((gd) => CHARTS.get(gd)).find((c) => c && c.player && c.player.frames > 1);
    if (!chart) return;
    if (typeof action === "number") {
      const key = chart.presets[action - 1];
      const preset = key && document.querySelector(`.st-key-${CSS.escape(key)} button`);
      if (!preset || preset.disabled) return;
      event.preventDefault();
      preset.click();
      return;
    }
    event.preventDefault();     // Space would scroll the page, Home jump to its top
    chart.player.press(action);
  });
};

// Draw the newest figure until none is waiting: one loop per chart, so draws never overlap,
// and of figures that come during a draw only the newest is drawn.
const pump = async (chart) => {
  if (chart.drawing) return;
  chart.drawing = true;
  note(chart);
  try {
    const Plotly = await plotly(chart.src);
    while (chart.next) {
      const fig = chart.next;
      chart.next = null;
      const first = chart.count === 0;
      await draw(Plotly, chart, fig);
      if (first) listen(chart);
      playerFor(Plotly, chart).show(playbackInfo(fig));
      describeChart(chart.gd, fig);
    }
  } catch (err) {
    chart.gd.textContent = "The chart could not be drawn (" + err.message + "). Reload the page.";
    chart.gd.className = "gdviz-chart gdviz-chart-failed";
  } finally {
    chart.drawing = false;
    note(chart);
  }
};

// A chart's record, made with its <div> on the chart's first figure.
const chartFor = (parentElement) => {
  let gd = parentElement.querySelector(":scope > .gdviz-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "gdviz-chart";
    parentElement.appendChild(gd);
  }
  if (!CHARTS.has(gd)) {
    const bar = document.createElement("div");    // the playback controls, under the chart
    bar.hidden = true;
    parentElement.appendChild(bar);
    CHARTS.set(gd, {gd, src: "", next: null, drawing: false, shown: null, frames: [],
                    frame: null, playing: false, stale: false, count: 0,
                    draws: {react: 0, moved: 0}, payload: "", bar, player: null, presets: []});
  }
  return CHARTS.get(gd);
};

export default function ({ data, parentElement }) {
  const chart = chartFor(parentElement);
  const raw = typeof data === "string" ? data : new TextDecoder().decode(data);
  if (raw === chart.payload) return;     // the same figure again: nothing to draw
  chart.payload = raw;
  const { figure, config, src, movable, presets } = JSON.parse(raw);
  chart.src = src;
  chart.presets = presets ?? [];
  heedKeys();
  chart.gd.style.height = (figure.layout.height || 450) + "px";
  chart.next = {...figure, config, movable: Boolean(movable)};
  pump(chart);
}
