"""Shared fixtures and helpers: the seed's parabola, pages opened through AppTest, and a real
`streamlit run app.py` (started by deploy/procs.py) for the browser tests."""
from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from deploy import procs
from gdviz import objectives

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "artifacts"
# Browser tests read what gdviz's chart (gdviz/pages/chart.js) writes on its own element:
# data-draws ("react:1,moved:2"), data-frame, data-revision and data-settled.
CHART = ".gdviz-chart"
# gdviz's own playback controls under a chart (gdviz/playback.js): a button by its label
PLAYER = ".gdviz-player"


def player_button(page, label: str):
    """The first chart's playback button labelled `label` ("Play", "Step forward", …)."""
    return page.locator(f"{PLAYER} button[aria-label='{label}']").first


def qr_matrix(png: bytes) -> list[list[int]]:
    """Read the modules back out of a QR code's picture, independently of how it was drawn:
    the quiet zone is found as the white around the dark bounding box, the module size from
    the finder pattern's 7-module width, and each module is read at its centre."""
    import io

    from PIL import Image
    img = Image.open(io.BytesIO(png)).convert("L")
    w, h = img.size
    px = img.load()
    dark = [(x, y) for y in range(h) for x in range(w) if px[x, y] < 128]
    x0, y0 = min(x for x, _ in dark), min(y for _, y in dark)
    x1 = max(x for x, _ in dark)
    run = 0
    while px[x0 + run, y0] < 128:        # the top-left finder's top edge: 7 modules
        run += 1
    module = run / 7
    n = round((x1 - x0 + 1) / module)
    return [[int(px[int(x0 + (c + 0.5) * module), int(y0 + (r + 0.5) * module)] < 128)
             for c in range(n)] for r in range(n)]


def finite_json(text: str) -> object:
    """Parse a figure's JSON as a browser would take it and fail on anything not finite: a
    NaN or Infinity token (Python's json accepts them, JSON does not) or a non-finite number
    inside a typed array (numbers travel as base64, where a search for "NaN" finds only
    chance letters)."""
    import base64

    import numpy as np

    def refuse(token: str):
        raise AssertionError(f"{token} in the figure's JSON")

    def walk(v) -> None:
        if isinstance(v, dict) and "bdata" in v:
            numbers = np.frombuffer(base64.b64decode(v["bdata"]), np.dtype(v["dtype"]))
            assert np.isfinite(numbers).all(), "a typed array holds a non-finite number"
        elif isinstance(v, dict):
            for item in v.values():
                walk(item)
        elif isinstance(v, list):
            for item in v:
                walk(item)

    parsed = json.loads(text, parse_constant=refuse)
    walk(parsed)
    return parsed


def chart_components(at) -> dict[str, object]:
    """gdviz's own charts on an AppTest page (gdviz/pages/chart.py), their protos by
    element id (the id ends with the chart's key)."""
    return {el.proto.id: el.proto for el in at.get("bidi_component")
            if el.proto.component_name == "gdviz.chart"}


def chart_specs(at) -> dict[str, str]:
    """The JSON of every chart an AppTest page shows, by key: gdviz's own charts (a
    component whose data is the figure; its element id ends with the chart's key) and any
    st.plotly_chart."""
    specs = {}
    for element_id, proto in chart_components(at).items():
        specs[element_id.rsplit("-", 1)[-1]] = json.dumps(json.loads(proto.bytes)["figure"])
    for el in at.get("plotly_chart"):
        specs[el.proto.id] = el.proto.spec
    return specs


# --- Pages through AppTest (no browser) ------------------------------------------------------
def open_app(page: str = "", **params) -> AppTest:
    """A fresh session of app.py opened on `page` ("" for `/`, "neuron", "math") with a
    link of `params` (a list value repeats the parameter)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page:
        at.switch_page(f"gdviz/pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


TEXT_KINDS = ("markdown", "caption", "code", "error", "warning", "info", "success", "title",
              "header", "subheader", "latex")


def texts(at: AppTest) -> str:
    """Every piece of text an AppTest page shows, one a line."""
    return "\n".join(str(e.value) for kind in TEXT_KINDS for e in getattr(at, kind))


def boxes(at: AppTest) -> str:
    """The text of the page's coloured boxes (info, success, warning, error)."""
    return " ".join(b.value for b in [*at.info, *at.success, *at.warning, *at.error])


def assert_clean(at: AppTest) -> None:
    """No exception box, no NaN, inf or traceback in the page's text or in its charts."""
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert not re.search(r"\b(nan|inf|NaN|Infinity|Traceback)\b", shown), shown[:500]
    for spec in chart_specs(at).values():
        finite_json(spec)


# --- Browser tests ----------------------------------------------------------------------------
def draws(page, n: int = 0) -> dict[str, int]:
    """How the page's n-th gdviz chart drew its figures so far: {"react": …, "moved": …}."""
    text = page.locator(CHART).nth(n).get_attribute("data-draws") or ""
    return {k: int(v) for k, v in (part.split(":") for part in text.split(",") if part)}


def settled(page, n: int = 0, drawn: int = 1, timeout: float = 30_000) -> None:
    """Wait until the page's n-th gdviz chart has drawn `drawn` figures or more and is at
    rest: no draw running or waiting, no animation playing (chart.js sets data-settled)."""
    from playwright.sync_api import TimeoutError as Timeout
    try:
        _wait_settled(page, n, drawn, timeout)
    except Timeout:
        state = page.evaluate("(n) => ({...document.querySelectorAll('.gdviz-chart')[n]?.dataset})",
                              n)
        raise AssertionError(f"chart {n} not at rest with {drawn} draws: {state}") from None


def _wait_settled(page, n: int, drawn: int, timeout: float) -> None:
    page.wait_for_function(
        """([n, drawn]) => {
          const g = document.querySelectorAll('.gdviz-chart')[n];
          if (!g || g.dataset.settled !== 'true' || !g.dataset.draws) return false;
          const total = g.dataset.draws.split(',').reduce((t, p) => t + +p.split(':')[1], 0);
          return total >= drawn;
        }""", arg=[n, drawn], timeout=timeout)


def all_settled(page, count: int, timeout: float = 60_000) -> None:
    """Wait until the page shows `count` gdviz charts, every one drawn and at rest."""
    page.wait_for_function(
        """(count) => {
          const charts = [...document.querySelectorAll('.gdviz-chart')];
          return charts.length === count &&
                 charts.every((g) => g.dataset.draws && g.dataset.settled === 'true');
        }""", arg=count, timeout=timeout)


def change(page, key: str, value: str, n: int = 0) -> None:
    """Type `value` into the number input keyed `key` and wait until the page's n-th chart
    has drawn the figure that follows and is at rest."""
    before = sum(draws(page, n).values())
    field = page.locator(f".st-key-{key} input").first
    field.fill(value)
    field.press("Enter")
    settled(page, n, before + 1)


def watch_frames(page):
    """Start noting the names of the frames the page's first chart shows (plotly.js's
    plotly_animatingframe event); returns a handle to the growing list."""
    return page.evaluate_handle(
        "() => { const names = []; document.querySelector('.js-plotly-plot')"
        ".on('plotly_animatingframe', (e) => names.push(e.name)); return names; }")


def played_frames(page) -> list[str]:
    """Press ▶ Play and return the names of the first three frames it shows."""
    names = watch_frames(page)
    player_button(page, "Play").click()
    page.wait_for_function("(names) => names.length >= 3", arg=names)
    return names.json_value()


def scrub(page, fraction: float) -> None:
    """Click the scrubber's rail at `fraction` of its width and wait for the chart to show
    the frame there."""
    touch = page.locator(".slider-rail-touch-rect").first
    touch.scroll_into_view_if_needed()     # a mouse click lands only inside the viewport
    rail = touch.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * fraction, rail["y"] + rail["height"] / 2)
    page.wait_for_function("() => !['', '0'].includes("
                           "document.querySelector('.gdviz-chart').dataset.frame)")
    settled(page)


def sent_frames(page) -> list[str]:
    """Collect (into the returned list, as they happen) every message this page sends to the
    server, by its kind: playback must send none at all."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    kinds: list[str] = []

    def sent(payload) -> None:
        msg = BackMsg()
        msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        kinds.append(msg.WhichOneof("type") or "?")

    page.on("websocket", lambda ws: ws.on("framesent", sent))
    return kinds


@pytest.fixture
def parabola():
    """The seed's y = x² − 4x + 6."""
    return objectives.seed()


@pytest.fixture(scope="session")
def app_url():
    """The base URL of a real `streamlit run app.py`, started once for the browser tests."""
    with procs.serving(procs.GDVIZ_APP) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see README)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh projector-sized page; screenshots go to artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()
def load(page, url: str) -> None:
    """Open `url` and wait until its first gdviz chart has drawn and is at rest."""
    page.goto(url)
    settled(page, timeout=60_000)


def sent_reruns(page) -> list[str]:
    """Collect (into the returned list, as they happen) the messages this page sends to the
    server that ask for a script run: what a round trip for playback would need."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    runs: list[str] = []

    def sent(payload) -> None:
        msg = BackMsg()
        msg.ParseFromString(payload if isinstance(payload, bytes) else payload.encode())
        if msg.WhichOneof("type") == "rerun_script":
            runs.append(msg.rerun_script.page_script_hash or "rerun")

    page.on("websocket", lambda ws: ws.on("framesent", sent))
    return runs


# What a gdviz chart shows, read from plotly.js's public graph div (layout, data) and from
# what is drawn: each trace's lines and markers, the pictures, the title and the scrubber's
# grip. Two charts that agree here look the same to a student.
SHOWN = """
(n) => {
  const g = document.querySelectorAll('.gdviz-chart')[n ?? 0];   // plotly.js's graph div
  const attr = (el, a) => el.getAttribute(a);
  return {
    title: g.layout.title.text,
    images: (g.layout.images ?? []).map((i) => [i.source, i.x, i.y, i.sizex, i.sizey]),
    scrubber: g.layout.sliders.map((s) => [s.active,
                                           s.steps.map((t) => t.label + ':' + t.args[0])]),
    traces: [...g.querySelectorAll('.scatterlayer .trace')].map((t) => [
      [...t.querySelectorAll('.js-line')].map((l) => attr(l, 'd')),
      [...t.querySelectorAll('.point')].map((p) => attr(p, 'transform') + attr(p, 'd'))]),
    maps: [...g.querySelectorAll('.imagelayer image')].map((i) => attr(i, 'href')),
    grip: Math.round(g.querySelector('.slider-grip-rect').getBoundingClientRect().x),
  };
}
"""

# Boxes a reader must see whole: each axis title against its own tick labels and the legend.
CLASHES = """
() => [...document.querySelectorAll('.js-plotly-plot')].flatMap((g) => {
  const box = (el) => el && el.getBoundingClientRect();
  const meet = (a, b) => a && b && a.width && b.width &&
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const legend = box(g.querySelector('.legend .bg'));
  const out = [];
  for (const ax of ['x', 'y']) {
    const title = box(g.querySelector(`.g-${ax}title text`));
    const ticks = [...g.querySelectorAll(`.${ax}axislayer-above .${ax}tick text`)].map(box);
    if (meet(title, legend)) out.push(`${ax} title under the legend`);
    if (ticks.some((t) => meet(title, t))) out.push(`${ax} title on its tick labels`);
  }
  return out.map((o) => g.layout.title.text + ': ' + o);
})
"""


def show_frame(page, name: str) -> None:
    """Show the first chart's frame `name` through plotly.js's own Plotly.animate, as the
    scrubber would, and wait until the chart is at rest."""
    page.evaluate("(name) => window.Plotly.animate(document.querySelector('.js-plotly-plot'), "
                  "[name], {mode: 'immediate', frame: {duration: 0, redraw: true}, "
                  "transition: {duration: 0}})", name)
    page.wait_for_function("(name) => document.querySelector('.gdviz-chart').dataset.frame "
                           "=== name", arg=name)
    settled(page)


# --- The class store's PostgreSQL ------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL URL for the tests: given, or a throwaway cluster for the session."""
    given = os.environ.get("GDVIZ_TEST_DATABASE_URL", "").strip()
    if given:
        yield given
        return
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(procs.postgres_cluster())
        except (RuntimeError, OSError) as err:
            reason = f"no PostgreSQL for the contract tests: {err}"
            if os.environ.get("CI"):
                pytest.fail(reason + " (CI never skips them)")
            pytest.skip(reason)
        yield url
