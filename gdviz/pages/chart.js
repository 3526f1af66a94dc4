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
  chart.width = Math.round(gd.getBoundingClientRect().width);
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
      // the controls drawn (or shown, or hidden) change the room the presenter view leaves
      // the chart: refit within this loop, so the chart is not at rest in between
      if (!chart.next && misfit(chart)) refit(chart);
    }
  } catch (err) {
    chart.gd.textContent = "The chart could not be drawn (" + err.message + "). Reload the page.";
    chart.gd.className = "gdviz-chart gdviz-chart-failed";
  } finally {
    chart.drawing = false;
    note(chart);
  }
};

// --- Fitting the figure to the screen ------------------------------------------------------
// Python cannot know the screen, so the chart fits its figure here, before drawing it, by
// rewriting documented layout keys (domains, margins, the controls' and titles' places):
//   - narrower than NARROW (a phone), the panels stack one per row, each PANEL_PX tall and
//     as wide as the screen, with the scrubber above them and the legend below; the playback
//     controls (playback.js) move above the chart, so that ▶ Play and the steps are on the
//     first screen, not under a stack of four panels;
//   - with fit "viewport" (the presenter view), the figure takes the height left in the
//     window below its top, less the playback controls under it, so that the chart and
//     ▶ Play are seen without scrolling.
// Both figures are rewritten the same way every time, so a figure still moves (not
// redrawn) when only its points changed. data-fit on the chart says which fit it drew.
const NARROW = 600;              // px of chart width
const PANEL_PX = 260;            // a stacked panel's plot height
const GAP_PX = 160;              // between stacked rows: x-axis title, a colour bar, a title
const ROW_GAP_PX = 108;          // between the rows of a grid fitted to the window
const TITLE_PX = 56, SCRUB_PX = 62, PANEL_TITLE_PX = 30, X_TITLE_PX = 72;
// The playback controls under a chart in the presenter view: their buttons' rows as drawn,
// and two lines of the status line, whose words change with the frame (a longer sentence
// must not refit the chart mid-play). Before the controls are first drawn, BAR_PX: one row
// of buttons as the presenter view draws them (6 + 44 + 8 px) and the status line.
const STATUS_PX = 58, BAR_PX = 116;
const ROW_MIN_PX = 110;          // a row of panels in the presenter view, if it can be
const LEGEND_ROW_PX = 26, LEGEND_ITEM_PX = 170;
const MIN_HEIGHT = 420;

// The figure's panels (an x axis with its y axis of the same suffix), as rows from the top.
const rowsOf = (layout) => {
  const panels = Object.keys(layout).filter((k) => /^xaxis\d*$/.test(k)).map((k) => {
    const s = k.slice(5);
    return {s, x: layout[k].domain ?? [0, 1], y: layout[`yaxis${s}`]?.domain ?? [0, 1]};
  });
  const rows = new Map();
  for (const p of panels) rows.set(text(p.y), [...(rows.get(text(p.y)) ?? []), p]);
  return [...rows.values()].sort((a, b) => b[0].y[1] - a[0].y[1])
    .map((row) => row.sort((a, b) => a.x[0] - b.x[0]));
};

// The layout (and traces, for colour bars) with the rows given new heights in px (`heights`,
// one a row) and `gap` px between them, `top` px above and `bottom` px below; `stack` puts
// each panel on a row of its own, full width.
const regrid = (figure, rows, heights, gap, top, bottom, stack) => {
  const layout = {...figure.layout};
  const area = heights.reduce((a, b) => a + b, 0) + gap * (heights.length - 1);
  const moved = [];                // [old panel, new x domain, new y domain]
  let down = 0;
  rows.forEach((row, i) => {
    const y = [1 - (down + heights[i]) / area, 1 - down / area];
    row.forEach((p) => moved.push([p, stack ? [0, 1] : p.x, y]));
    down += heights[i] + gap;
  });
  for (const [p, x, y] of moved) {
    layout[`xaxis${p.s}`] = {...layout[`xaxis${p.s}`], domain: x};
    layout[`yaxis${p.s}`] = {...layout[`yaxis${p.s}`], domain: y};
  }
  // a panel's title is a paper annotation centred on its top edge: it goes with its panel
  const near = (a, b) => Math.abs(a - b) < 1e-3;
  layout.annotations = (layout.annotations ?? []).map((a) => {
    const hit = a.xref === "paper" && a.yref === "paper" && moved.find(([p]) =>
      near(a.y, p.y[1]) && near(a.x, (p.x[0] + p.x[1]) / 2));
    return hit ? {...a, x: (hit[1][0] + hit[1][1]) / 2, y: hit[2][1]} : a;
  });
  const data = figure.data.map((d) => {
    const bar = d.marker?.colorbar;
    const hit = bar && moved.find(([p]) => (d.xaxis ?? "x") === `x${p.s}`);
    if (!hit) return d;
    const [, x, y] = hit;
    // on a phone a colour bar beside its panel would take a third of the panel's width:
    // it lies under the panel's x-axis title instead
    const place = stack ?
      {orientation: "h", x: 0.5, xanchor: "center", len: 0.7, thickness: 10,
       y: y[0] - X_TITLE_PX / area, yanchor: "top"} :
      {x: x[1] + 0.012, y: y[1], len: (y[1] - y[0]) * 0.8};
    return {...d, marker: {...d.marker, colorbar: {...bar, ...place}}};
  });
  layout.height = Math.round(top + area + bottom);
  layout.margin = {...(layout.margin ?? {}), t: top, b: bottom};
  return {layout, data, area};
};

// The scrubber at `px` below the plot area's bottom (negative: above its top). Plotly's own
// ▶ Play (updatemenus) is only in the st.plotly_chart fallback, which is never fitted.
const placeScrubber = (layout, area, px) => {
  if (!layout.sliders?.length) return;
  const y = px >= 0 ? -px / area : 1 - px / area;
  layout.sliders = [{...layout.sliders[0], y, yanchor: "top"}, ...layout.sliders.slice(1)];
};

// A y-axis title longer than its panel is tall runs into the panel above or below: such a
// title loses its parenthesis ("w₂ (ear length, standardised)" becomes "w₂"). `heights`:
// each row's plot height in px.
const shortTitles = (layout, rows, heights) => {
  const size = layout.font?.size ?? 12;
  rows.forEach((row, i) => row.forEach((p) => {
    const axis = layout[`yaxis${p.s}`];
    const words = axis?.title?.text;
    if (typeof words !== "string" || words.length * size * 0.55 <= heights[i]) return;
    const short = words.replace(/\s*\(.*\)\s*$/, "");
    if (short && short !== words) {
      layout[`yaxis${p.s}`] = {...axis, title: {...axis.title, text: short}};
    }
  }));
};

const legendItems = (figure) => figure.data.filter((d) => d.showlegend !== false &&
  !(d.legendgroup && figure.data.find((e) => e.legendgroup === d.legendgroup) !== d)).length;

// A phone: one panel a row, the scrubber on top (reached without scrolling past four
// panels; the playback controls are above the chart, see placeBar), the legend at the
// bottom, where it meets no title.
const stacked = (figure, width) => {
  const rows = rowsOf(figure.layout).flat().map((p) => [p]);
  const scrub = figure.layout.sliders?.length ? SCRUB_PX : 0;
  const titles = (figure.layout.annotations ?? []).length ? PANEL_TITLE_PX : 0;
  const top = TITLE_PX + scrub + titles + 16;     // 16: the scrubber's labels
  const perRow = Math.max(1, Math.floor(width / LEGEND_ITEM_PX));
  const legend = Math.ceil(legendItems(figure) / perRow) * LEGEND_ROW_PX + 12;
  const bottom = X_TITLE_PX + 16 + legend;
  const {layout, data, area} = regrid(figure, rows, rows.map(() => PANEL_PX), GAP_PX, top,
                                      bottom, true);
  placeScrubber(layout, area, -(top - TITLE_PX));
  layout.legend = {...(layout.legend ?? {}), orientation: "h", x: 0, xanchor: "left",
                   y: -(X_TITLE_PX + 16) / area, yanchor: "top"};
  // the title's place is a fraction of the figure's height: on a tall stack, kept in px
  layout.title = {...(layout.title ?? {}), font: {...(layout.title?.font ?? {}), size: 14},
                  y: 1 - 20 / layout.height, yanchor: "top"};
  const margin = layout.margin;
  // the left margin stays: the y-axis titles sit in it, clear of their tick labels
  layout.margin = {...margin, r: Math.min(margin.r ?? 20, 16)};
  return {...figure, layout, data};
};

// The presenter view: the rows keep their shares of a plot area that fills the window
// below the chart's top, less `below` px (the playback controls under the chart), with the
// scrubber right under the lowest row.
const toWindow = (figure, gd, below) => {
  const box = gd.getBoundingClientRect();
  const top = box.top + (scrollerOf(gd)?.scrollTop ?? 0);   // in the page, however scrolled
  const height = Math.max(MIN_HEIGHT, Math.floor(
    document.documentElement.clientHeight - top - below - 8));
  const rows = rowsOf(figure.layout);
  const t = figure.layout.margin?.t ?? 100;
  const gap = rows.length > 1 ? ROW_GAP_PX : 0;
  const room = height - t - X_TITLE_PX - gap * (rows.length - 1);
  // In a short window the scrubber gives its row to the panels (the neuron's four at
  // 1280×720): the playback controls step, and their status line says the frame.
  const scrub = figure.layout.sliders?.length && room - SCRUB_PX >= rows.length * ROW_MIN_PX;
  const free = Math.max(rows.length * 80, room - (scrub ? SCRUB_PX : 0));
  const shares = rows.map((row) => row[0].y[1] - row[0].y[0]);
  const sum = shares.reduce((a, b) => a + b, 0);
  const heights = shares.map((s) => free * s / sum);
  const bottom = X_TITLE_PX + (scrub ? SCRUB_PX : 0);
  const {layout, data, area} = regrid(figure, rows, heights, gap, t, bottom, false);
  if (scrub) placeScrubber(layout, area, X_TITLE_PX);
  else if (layout.sliders?.length) {
    layout.sliders = layout.sliders.map((slider) => ({...slider, visible: false}));
  }
  shortTitles(layout, rows, heights);
  const titles = (layout.annotations ?? []).length ? PANEL_TITLE_PX : 6;
  layout.legend = {...(layout.legend ?? {}), y: 1 + titles / area, yanchor: "bottom"};
  return {...figure, layout, data};
};

// The height the playback controls take under the chart: their buttons' rows as drawn and
// the status line, or BAR_PX for a figure with frames whose controls are not drawn yet.
const barHeight = (chart, figure) => {
  const {gd, bar} = chart;
  const status = bar.querySelector(".gdviz-status");
  if (!bar.hidden && status && bar.nextElementSibling !== gd) {     // drawn, under the chart
    const buttons = status.getBoundingClientRect().top - gd.getBoundingClientRect().bottom;
    return Math.ceil(buttons + STATUS_PX);
  }
  return (figure.frames ?? []).length > 1 ? BAR_PX : 0;
};

// The figure as it fits this chart now, and a short name of that fit (data-fit).
const fitted = (chart, figure, fit) => {
  const width = chart.gd.getBoundingClientRect().width;
  if (width > 0 && width < NARROW && (rowsOf(figure.layout).flat().length > 1 ||
                                      (figure.frames ?? []).length > 1)) {
    return {figure: stacked(figure, width), shape: `narrow:${Math.round(width)}`};
  }
  if (fit === "viewport") {
    const shaped = toWindow(figure, chart.gd, barHeight(chart, figure));
    return {figure: shaped, shape: `viewport:${shaped.layout.height}`};
  }
  return {figure, shape: "as-sent"};
};

// The playback controls go above a phone's stacked chart (their tap targets on the first
// screen) and under the chart elsewhere.
const placeBar = (chart, narrow) => {
  const {gd, bar} = chart;       // siblings, the chart first (chartFor)
  const above = bar.nextElementSibling === gd;
  if (narrow && !above) bar.parentElement.insertBefore(bar, gd);
  else if (!narrow && above) bar.parentElement.append(bar);
};

// Fit the sent figure and make it the next to draw (pump draws it).
const refit = (chart) => {
  const {figure, config, movable, fit} = chart.sent;
  const {figure: shaped, shape} = fitted(chart, figure, fit);
  chart.shape = shape;
  chart.gd.dataset.fit = shape.split(":")[0];
  chart.gd.style.height = (shaped.layout.height || 450) + "px";
  // the mode bar would sit over a phone's title, where a tap meant for the chart opens it
  const narrow = shape.startsWith("narrow");
  placeBar(chart, narrow);
  chart.next = {...shaped, config: narrow ? {...config, displayModeBar: false} : config,
                movable};
};

// Whether the chart's fit has changed since it was last fitted.
const misfit = (chart) => Boolean(chart.sent) &&
  fitted(chart, chart.sent.figure, chart.sent.fit).shape !== chart.shape;

const fitAndDraw = (chart) => {
  refit(chart);
  pump(chart);
};

// A turned phone, a resized window, or the page above the chart growing or shrinking (its
// top moves): the chart fits again when its fit would change.
const refitOnResize = (chart) => {
  let pending = false;
  const check = () => {
    if (pending || !chart.sent) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (!chart.gd.isConnected) return;
      if (misfit(chart)) fitAndDraw(chart);
      else followWidth(chart);
    });
  };
  // Streamlit's page scrolls inside an element of its own, which fills the window: its size
  // follows the window's, and its content's height follows the page above the chart; the
  // chart's own box follows its column (the sidebar opened or closed)
  const observer = new ResizeObserver(check);
  observer.observe(chart.gd);
  const scroller = scrollerOf(chart.gd);
  observer.observe(scroller ?? document.documentElement);
  if (scroller?.firstElementChild) observer.observe(scroller.firstElementChild);
};

// The chart's column narrowed or widened with the window unchanged (the sidebar opened or
// closed): plotly.js follows only the window's size, so the chart would overflow its column
// or leave part of it empty. It is told its column's width.
const followWidth = async (chart) => {
  const width = Math.round(chart.gd.getBoundingClientRect().width);
  if (chart.drawing || !chart.shown || !width || width === chart.width) return;
  chart.drawing = true;
  note(chart);
  try {
    const Plotly = await plotly(chart.src);
    await Plotly.relayout(chart.gd, {width});
    chart.width = width;
  } finally {
    chart.drawing = false;
    note(chart);
  }
  if (chart.next) pump(chart);          // a figure that came in the meantime
};

// The element the page scrolls in (Streamlit's main area), if any: the chart's nearest
// ancestor whose content can scroll.
const scrollerOf = (el) => {
  for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
    if (/(auto|scroll)/.test(getComputedStyle(e).overflowY)) return e;
  }
  return null;
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
                    draws: {react: 0, moved: 0}, payload: "", sent: null, shape: "",
                    bar, player: null, presets: []});
    refitOnResize(CHARTS.get(gd));
  }
  return CHARTS.get(gd);
};

export default function ({ data, parentElement }) {
  const chart = chartFor(parentElement);
  const raw = typeof data === "string" ? data : new TextDecoder().decode(data);
  if (raw === chart.payload) return;     // the same figure again: nothing to draw
  chart.payload = raw;
  const { figure, config, src, movable, fit, presets } = JSON.parse(raw);
  chart.src = src;
  chart.presets = presets ?? [];
  heedKeys();
  chart.sent = {figure, config, movable: Boolean(movable), fit: fit ?? null};
  fitAndDraw(chart);
}
