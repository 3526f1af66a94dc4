"""Shared fixtures and helpers: the seed's parabola, pages opened through AppTest, and a real
`streamlit run app.py` (started by deploy/procs.py) for the browser tests."""
from __future__ import annotations

import json
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
# Browser tests: how gdviz's chart drew its figures so far (gdviz/pages/chart.py counts them),
# and how long plotly's scrubber takes to glide its grip to a new step (150 ms by default).
DRAWS = "() => document.querySelector('.gdviz-chart').__draws"
GLIDE_MS = 500


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
    component whose data is the figure, with the frames that a lesson's chart sends apart
    put back) and any st.plotly_chart."""
    payloads = [json.loads(proto.bytes) for proto in chart_components(at).values()]
    frames = {p["framesOf"]: p for p in payloads if "framesOf" in p}
    specs = {}
    for p in payloads:
        if "figure" in p:
            figure, apart = p["figure"], frames.get(p["key"])
            if apart is not None:
                assert apart["revision"] == figure["layout"]["datarevision"]
                figure = figure | {"frames": apart["frames"]}
            specs[p["key"]] = json.dumps(figure)
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
