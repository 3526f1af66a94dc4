// Playback controls for a gdviz animation: play, pause, step back and forward, back to start,
// a speed, keys, and a status line that reads the frame on screen aloud. Written once, used
// in two places: the chart component (gdviz/pages/chart.py puts this file before chart.js) and
// the exported offline HTML file (gdviz/export.py runs it after plotly.js has drawn).
//
// Why buttons of our own and not plotly's updatemenus: a plotly button replays one fixed
// Plotly.animate call, so it can neither step ±1 from the frame on screen nor play at a speed
// chosen afterwards. These buttons know both (the frame from plotly_animatingframe), and this
// same file runs in the export, so the controls are the same in both places. Everything here
// runs in the browser: playback never sends a message to the server.
//
// Only plotly.js's documented API: Plotly.animate (and the promise it returns) and the
// plotly_animatingframe event. A player's state lives in its closure.
//
// What a player is told about a figure (gdviz/figures/style.py, playback_meta, puts it in the
// figure's layout.meta, computed from the run on the server): the frames' names, ms (a frame's
// duration at 1×), say (the words for each frame), tail (the words true of the whole run) and
// alt (a sentence describing the chart, its text alternative).

const SPEEDS = [0.25, 0.5, 1, 2, 4];
const STEP_MS = 150;   // a step glides this long: long enough to see, short enough to repeat
const PLAYER_CSS = `
.gdviz-player { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center;
  margin: .3rem 0 .2rem; font: 16px/1.3 sans-serif; color: #000; }
.gdviz-player button { font: inherit; min-height: 44px; min-width: 44px; padding: .3rem .7rem;
  border: 2px solid #0072B2; border-radius: .4rem; background: #fff; color: #000;
  cursor: pointer; }
.gdviz-player button[aria-pressed="true"] { background: #0072B2; color: #fff; }
.gdviz-player button:focus-visible { outline: 3px solid #D55E00; outline-offset: 2px; }
.gdviz-player .gdviz-speed { display: flex; gap: .25rem; align-items: center; }
.gdviz-status { flex-basis: 100%; margin: .2rem 0 0; font-size: 17px; }
`;

// Whether a key press belongs to something the student types in or works with the keyboard
// (a number field, a select, a slider, a radio group): those keys are never ours.
const OWN_KEYS = ["slider", "spinbutton", "radio", "radiogroup", "tab", "listbox", "option",
                  "combobox", "menuitem", "textbox", "searchbox", "grid"];
const busyWith = (event) => {
  const t = (event.composedPath ? event.composedPath()[0] : event.target) ?? event.target;
  if (!t || t.nodeType !== 1) return false;
  if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return true;
  return OWN_KEYS.includes(t.getAttribute("role"));
};

// What a key press asks for: "toggle", "back", "forward", "start", a preset number (1–6),
// or null when the key is not ours. Space on a button presses that button, as it should.
const keyAction = (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
      busyWith(event)) return null;
  const t = event.composedPath ? event.composedPath()[0] : event.target;
  if (event.key === " " || event.code === "Space") {
    return t && /^(BUTTON|A|SUMMARY)$/.test(t.tagName) ? null : "toggle";
  }
  if (event.key === "ArrowLeft") return "back";
  if (event.key === "ArrowRight") return "forward";
  if (event.key === "Home") return "start";
  if (/^[1-6]$/.test(event.key) && !event.shiftKey) return Number(event.key);
  return null;
};

// The player's style, once per document.
const playerStyle = () => {
  if (document.getElementById("gdviz-player-style")) return;
  const style = document.createElement("style");
  style.id = "gdviz-player-style";
  style.textContent = PLAYER_CSS;
  document.head.appendChild(style);
};

const button = (label, name, keys, hint) => {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.setAttribute("aria-label", name);
  if (keys) b.setAttribute("aria-keyshortcuts", keys);
  b.title = hint ? `${name} (${hint})` : name;
  return b;
};

// A player for the plotly chart `gd`, its controls in `bar` (an element of their own beside
// the chart). Call show(info) with each new figure; press(action) does what a key asks.
const makePlayer = (Plotly, gd, bar) => {
  playerStyle();
  const state = {names: [], ms: 500, say: [], tail: "", at: 0, speed: 1, playing: false,
                 turn: 0};
  bar.className = "gdviz-player";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "Playback of the animation");
  const buttons = {
    start: button("|◀ Start", "Back to start", "Home", "Home"),
    back: button("◀ Step", "Step back", "ArrowLeft", "←"),
    play: button("▶ Play", "Play", "Space", "Space"),
    pause: button("❚❚ Pause", "Pause", "Space", "Space"),
    forward: button("Step ▶", "Step forward", "ArrowRight", "→"),
  };
  const speeds = document.createElement("span");
  speeds.className = "gdviz-speed";
  speeds.setAttribute("role", "group");
  speeds.setAttribute("aria-label", "Speed");
  speeds.append("Speed");
  const speedButtons = SPEEDS.map((s) => {
    const b = button(`${s}×`, `Speed ${s}×`, "", "");
    b.setAttribute("aria-pressed", String(s === state.speed));
    b.addEventListener("click", () => setSpeed(s));
    speeds.appendChild(b);
    return b;
  });
  const status = document.createElement("p");
  status.className = "gdviz-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  bar.replaceChildren(...Object.values(buttons), speeds, status);

  // The words for the frame on screen. While playing, the line is marked busy, so that a
  // screen reader waits for the pause instead of reading every frame.
  const narrate = () => {
    const words = state.say[state.at];
    status.textContent = words == null ? "" : (state.tail ? `${words}, ${state.tail}` : words);
    status.setAttribute("aria-busy", String(state.playing));
    bar.dataset.frame = state.names[state.at] ?? "";
    bar.dataset.speed = String(state.speed);
  };

  // `playing` is what the student asked for, not what plotly.js's events say: a step's short
  // glide is an animation too, and Space right after a step must play, not pause. Every
  // command takes a new turn; a play's end or interruption counts only if it is still its turn.
  const turn = () => { state.turn += 1; state.playing = false; return state.turn; };
  const go = (k, ms) => {
    turn();
    if (!state.names.length) return Promise.resolve();
    state.at = Math.max(0, Math.min(state.names.length - 1, k));
    narrate();
    return Plotly.animate(gd, [state.names[state.at]], {
      mode: "immediate", frame: {duration: ms, redraw: true},
      transition: {duration: ms, easing: "cubic-in-out"},
    }).catch(() => {});      // interrupted by the next command: nothing to do
  };
  const play = () => {
    const mine = turn();
    if (!state.names.length) return Promise.resolve();
    // from the frame after the one on screen; from the start again once at the end
    const from = state.at >= state.names.length - 1 ? 0 : state.at + 1;
    const ms = Math.round(state.ms / state.speed);
    state.playing = true;
    narrate();
    const done = () => { if (mine === state.turn) { state.playing = false; narrate(); } };
    return Plotly.animate(gd, state.names.slice(from), {
      mode: "immediate", frame: {duration: ms, redraw: true}, transition: {duration: 0},
    }).then(done, done);
  };
  const pause = () => {
    turn();
    narrate();
    return Plotly.animate(gd, [null], {
      mode: "immediate", frame: {duration: 0, redraw: false}, transition: {duration: 0},
    });
  };
  // A new speed takes effect at once: a playing animation goes on from where it is.
  const setSpeed = (s) => {
    state.speed = s;
    speedButtons.forEach((b, i) => b.setAttribute("aria-pressed", String(SPEEDS[i] === s)));
    narrate();
    if (state.playing) play();
  };
  const press = (action) => {
    if (action === "toggle") return state.playing ? pause() : play();
    if (action === "play") return play();
    if (action === "pause") return pause();
    if (action === "start") return go(0, STEP_MS);
    if (action === "back") return go(state.at - 1, STEP_MS);
    if (action === "forward") return go(state.at + 1, STEP_MS);
    return Promise.resolve();
  };
  Object.entries(buttons).forEach(([action, b]) => b.addEventListener("click", () => press(action)));

  // The frame on screen, whoever moved it (a play, a step, the scrubber, the chart's redraw).
  gd.on("plotly_animatingframe", (e) => {
    const k = state.names.indexOf(String(e.name));
    if (k >= 0) state.at = k;
    narrate();
  });

  return {
    press,
    // A new figure: its frames and words; the chart shows its first frame.
    show: (info) => {
      state.names = (info.names ?? []).map(String);
      state.ms = info.ms ?? 500;
      state.say = info.say ?? [];
      state.tail = info.tail ?? "";
      state.at = 0;
      turn();
      bar.hidden = state.names.length < 2;
      narrate();
    },
    get frames() { return state.names.length; },
  };
};

// The playback facts of a figure (see the notes at the top), read from its layout.meta.
const playbackInfo = (fig) => {
  const meta = fig.layout?.meta?.playback ?? {};
  return {names: (fig.frames ?? []).map((f) => String(f.name)), ms: meta.ms, say: meta.say,
          tail: meta.tail, alt: meta.alt};
};

// Label a chart with its text alternative. role="figure", not "img": the chart holds the
// scrubber and the mode bar, which "img" would hide from assistive technology.
const describeChart = (gd, fig) => {
  const alt = fig.layout?.meta?.playback?.alt ??
    String(fig.layout?.title?.text ?? "a chart").replace(/<[^>]*>/g, " ").replace(/\s+/g, " ");
  gd.setAttribute("role", "figure");
  gd.setAttribute("aria-label", alt.trim());
};
