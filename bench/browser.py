"""What a student's browser experiences, measured with Playwright and Debian's Chromium.

Per page: load time, websocket bytes on load and per interaction, control change → redrawn
chart latency (median/p95), and the messages the browser sends while a Plotly animation
plays (must be 0: playback runs in the browser). The same code measures gdviz and the
framework floor, so only the app differs.

    python bench/browser.py --app baseline --path /
    python bench/browser.py --app gdviz --path / --changes 15
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import percentile  # noqa: E402
from deploy import procs  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CHART = ".js-plotly-plot"
QUIET_MS = 300   # no chart changed for this long after the run finished: the view is settled

# Installed once per page: a requestAnimationFrame loop notes when a chart is drawn with new
# data (a new chart, or one redrawn in place), so keystroke → redraw is timed inside the page
# with no Python ↔ browser round trip in the measurement. `first`: the first chart redrawn;
# `last`: the last one (the whole view up to date). A chart that only goes away is not a
# redraw: st.plotly_chart (the floor) replaces its chart on every new figure, and the old one
# is sometimes removed a frame or more before the new one is drawn (docs/performance.md).
_HOOKS = """
(sel) => {
  if (window.__gdv) return;
  const s = window.__gdv = {t0: 0, first: 0, last: 0, frames: 0};
  const snap = () => [...document.querySelectorAll(sel)]
      .filter(g => g._fullLayout).map(g => [g, g._fullData]);
  let prev = new Map(snap());
  const tick = () => {
    const cur = snap();
    const changed = cur.some(([g, data]) => prev.get(g) !== data);
    if (changed && s.t0) { const now = performance.now(); s.first = s.first || now; s.last = now; }
    prev = new Map(cur);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  document.addEventListener('keydown', () => {
    Object.assign(s, {t0: performance.now(), first: 0, last: 0});
  }, true);
}
"""

# Settled: a chart has changed since the keystroke and none for `quiet` ms.
_SETTLED = """
(quiet) => { const s = window.__gdv;
             return s.first > 0 && performance.now() - s.last > quiet; }
"""

_CHARTS_DRAWN = """
(sel) => {
  const charts = document.querySelectorAll(sel);   // st.plotly_chart's and gdviz's own
  return charts.length > 0 && [...charts].every(g => g._fullLayout && g._fullData);
}
"""

_COUNT_FRAMES = """
(sel) => {
  const gd = document.querySelector(sel);
  window.__gdv.frames = 0;
  gd.on('plotly_animatingframe', () => { window.__gdv.frames += 1; });
}
"""


@dataclass
class PageResult:
    """One page of one app, measured in the browser."""

    app: str
    path: str
    load_s: list[float] = field(default_factory=list)
    load_bytes: int = 0
    latencies_ms: list[float] = field(default_factory=list)       # keystroke → first chart
    latencies_all_ms: list[float] = field(default_factory=list)   # keystroke → last chart
    interaction_bytes: list[int] = field(default_factory=list)
    anim_sent: int | None = None          # websocket frames the browser sent during playback
    anim_frames: int | None = None        # animation frames Plotly drew meanwhile
    errors: list[str] = field(default_factory=list)

    @property
    def load_median(self) -> float:
        return percentile(self.load_s, 50)

    @property
    def latency_p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def latency_p95(self) -> float:
        return percentile(self.latencies_ms, 95)

    @property
    def latency_all_p50(self) -> float:
        return percentile(self.latencies_all_ms, 50)

    @property
    def latency_all_p95(self) -> float:
        return percentile(self.latencies_all_ms, 95)

    @property
    def interaction_bytes_median(self) -> float:
        return percentile(self.interaction_bytes, 50)

    def summary(self) -> dict:
        d = asdict(self)
        d.update(load_median=self.load_median, latency_p50=self.latency_p50,
                 latency_p95=self.latency_p95, latency_all_p50=self.latency_all_p50,
                 latency_all_p95=self.latency_all_p95,
                 interaction_bytes_median=self.interaction_bytes_median)
        return d


class WsMeter:
    """Counts websocket payload bytes both ways and notices each finished script run."""

    def __init__(self) -> None:
        self.bytes_in = self.bytes_out = self.frames_out = 0
        self.sent_types: list[str] = []
        self.finished = 0

    def attach(self, page) -> None:
        page.on("websocket", self._on_ws)

    def reset(self) -> None:
        self.bytes_in = self.bytes_out = self.frames_out = 0
        self.sent_types = []

    def _on_ws(self, ws) -> None:
        if "/_stcore/stream" not in ws.url:
            return
        ws.on("framereceived", self._received)
        ws.on("framesent", self._sent)

    def _received(self, payload: str | bytes) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.bytes_in += len(data)
        msg = ForwardMsg()
        try:
            msg.ParseFromString(data)
        except Exception:   # not ours to judge here; bytes were counted
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (0, 1, 3):
            self.finished += 1

    def _sent(self, payload: str | bytes) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.bytes_out += len(data)
        self.frames_out += 1
        msg = BackMsg()
        try:
            msg.ParseFromString(data)
            self.sent_types.append(msg.WhichOneof("type") or "?")
        except Exception:
            self.sent_types.append("?")


def launch(playwright):
    """Debian's Chromium, headless, with nothing phoning home."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                      headless=True)


def wait_until(page, meter: WsMeter, runs: int, timeout: float = 30.0) -> None:
    """Let Playwright dispatch events until `runs` script runs have finished."""
    deadline = time.monotonic() + timeout
    while meter.finished < runs:
        if time.monotonic() > deadline:
            raise TimeoutError(f"script run did not finish within {timeout:.0f} s")
        page.wait_for_timeout(5)


def load_page(page, meter: WsMeter, url: str) -> float:
    """Navigate and wait until the run has finished and every chart is drawn; seconds."""
    meter.finished = 0
    meter.reset()
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    wait_until(page, meter, 1)
    page.wait_for_function(_CHARTS_DRAWN, arg=CHART, polling="raf", timeout=30_000)
    return time.perf_counter() - t0


def exceptions_on_screen(page) -> list[str]:
    """Exception boxes Streamlit drew (a benchmark of a broken page is meaningless)."""
    boxes = page.locator('[data-testid="stException"]')
    return [boxes.nth(i).inner_text()[:200] for i in range(boxes.count())]


def change_control(page, key: str, value: float) -> None:
    """Set the widget keyed `key` as a student would: keyboard on a slider, typing + Enter on
    a number input. Sliders move one step per key press, so `value` is only used for inputs."""
    box = page.locator(f".st-key-{key}")
    slider = box.locator('input[type="range"], [role="slider"]')
    if slider.count():
        slider.first.press("ArrowRight")
        return
    field_ = box.locator("input").first
    field_.fill(f"{value:g}")
    field_.press("Enter")


def measure_changes(page, meter: WsMeter, key: str, values: list[float],
                    result: PageResult) -> None:
    """Change the control once per value; time keystroke → chart redrawn, count bytes."""
    page.evaluate(_HOOKS, CHART)
    for v in values:
        page.wait_for_timeout(150)   # a human pause: the previous run has fully settled
        meter.reset()
        before = meter.finished
        change_control(page, key, v)
        wait_until(page, meter, before + 1)
        page.wait_for_function(_SETTLED, arg=QUIET_MS, polling=50, timeout=20_000)
        t0, first, last = page.evaluate("() => [window.__gdv.t0, window.__gdv.first, "
                                        "window.__gdv.last]")
        result.latencies_ms.append(first - t0)
        result.latencies_all_ms.append(last - t0)
        result.interaction_bytes.append(meter.bytes_in)


def measure_playback(page, meter: WsMeter, seconds: float, result: PageResult) -> None:
    """Press the chart's Play button and count what the browser sends while it plays."""
    button = page.locator(".gdviz-player button[aria-label=Play]")     # gdviz's own controls
    if not button.count():
        button = page.locator(f"{CHART} .updatemenu-button").filter(has_text="Play")
    if not button.count():
        button = page.locator(f"{CHART} .updatemenu-button").filter(has_text="▶")
    if not button.count():
        result.errors.append("no Play button found on the chart")
        return
    page.evaluate(_COUNT_FRAMES, CHART)
    meter.reset()
    button.first.click()
    page.wait_for_timeout(int(seconds * 1000))
    result.anim_sent = meter.frames_out
    result.anim_frames = page.evaluate("() => window.__gdv.frames")


def measure_page(browser, base_url: str, app: str, path: str, key: str, values: list[float],
                 loads: int = 3, play_seconds: float = 3.0) -> PageResult:
    """All browser figures for one page, in a fresh browser context (cold HTTP cache)."""
    result = PageResult(app=app, path=path)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    meter = WsMeter()
    meter.attach(page)
    url = base_url + path
    try:
        load_page(page, meter, url)            # warm-up: static files, server imports
        for _ in range(loads):
            result.load_s.append(load_page(page, meter, url))
            result.load_bytes = meter.bytes_in
        result.errors += exceptions_on_screen(page)
        measure_changes(page, meter, key, values, result)
        result.errors += exceptions_on_screen(page)
        measure_playback(page, meter, play_seconds, result)
    except Exception as exc:   # report what failed; the other pages still get measured
        result.errors.append(f"{type(exc).__name__}: {exc}"[:400])
    finally:
        context.close()
    return result


def lr_values(n: int) -> list[float]:
    """0.11, 0.12, …: the values a slider keyed lr reaches by ArrowRight from 0.10, so the
    floor's slider and gdviz's typed input walk through the same learning rates."""
    return [round(0.10 + 0.01 * (k + 1), 2) for k in range(n)]


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", default="baseline")
    ap.add_argument("--path", default="/")
    ap.add_argument("--key", default="lr")
    ap.add_argument("--changes", type=int, default=10)
    ap.add_argument("--loads", type=int, default=3)
    args = ap.parse_args(argv)
    with procs.serving(procs.resolve_app(args.app)) as server, sync_playwright() as p:
        browser = launch(p)
        try:
            r = measure_page(browser, server.url, args.app, args.path, args.key,
                             lr_values(args.changes), args.loads)
        finally:
            browser.close()
    print(json.dumps(r.summary(), indent=2))
    return 0 if not r.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
