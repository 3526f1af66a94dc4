"""A Plotly chart that stays on the page and is redrawn in place.

In Streamlit 1.67, st.plotly_chart hashes the figure into the element's identity even when it
is given a key (elements/plotly_chart.py passes `plotly_spec` to
compute_and_register_element_id beside `user_key`), so every new figure unmounts the chart
and mounts a new one: for a frame or more there is no chart at all (the page below it jumps
up and back), then plotly.js draws it from nothing. Upstream, the content-derived id is
streamlit/streamlit issue #11424 (open), and pull request #16052 ("Plotly chart state
restoration and identity", open when this was written) gives keyed charts an identity from
their key alone; tests/test_chart.py fails once an installed Streamlit does that. Until
then each chart here is a keyed
Streamlit component (st.components.v2) whose identity is its key alone: the same <div> stays
on the page and takes each new figure in place. Its JavaScript is chart.js beside this file:
it moves only what moved when the figure allows it (gdviz/figures/style.py,
movable_breaches), else it calls Plotly.react. `python bench/browser.py` times it
(GDVIZ_PLOTLY_CHART=1 switches to st.plotly_chart for the comparison).

plotly.js is the copy that ships inside the installed plotly package, loaded once per page
through Streamlit's static file serving (`[server] enableStaticServing` serves the `static/`
folder beside app.py at app/static; publish_plotly puts the file there). Where that cannot
work (static serving off, a read-only checkout) charts fall back to st.plotly_chart.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from gdviz.figures.style import Spec, with_play_buttons

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[2] / "static"   # beside app.py: served at app/static
BUNDLE = f"plotly-{plotly.__version__}.min.js"             # versioned: a cached copy never lies
SOURCE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CONFIG = {"displaylogo": False, "responsive": True}
# The component's JavaScript and style. st.components.v2 takes a file path only from an
# installed package that declares its asset folder in a manifest; gdviz runs from its
# checkout, so the files are read here and handed over as text.
JS_FILE = Path(__file__).with_name("chart.js")
# The playback controls' JavaScript, shared with the exported HTML file (gdviz/export.py): it
# comes first in the component's module, so chart.js can make a player for each chart.
PLAYBACK_FILE = Path(__file__).resolve().parents[1] / "playback.js"
CSS = ".gdviz-chart { width: 100%; }\n" \
      ".gdviz-chart-failed { height: auto !important; padding: 1rem; border: 1px solid #D55E00; }"


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
    module = publish_module()
    if not publish_plotly() or module is None:
        return None
    return st.components.v2.component("gdviz.chart", js=LOADER % json.dumps(static_url(module)),
                                      css=CSS, isolate_styles=False)


# What Streamlit sends as the component's module. It sends a component's js with every
# element it draws, so the chart's own ~36 KB module (module_text) would travel with each new
# figure: it is served as a static file instead, named by its content so that a browser's
# cached copy is always the right one, and this loader imports it once per page.
LOADER = """const url = new URL(%s, document.baseURI).href;
let chart = null;
export default function (args) {
  chart ??= import(url);
  chart.then((m) => m.default(args)).catch((err) => {
    args.parentElement.textContent = "The chart could not be loaded (" + err.message +
      "). Reload the page.";
  });
}
"""


def publish_module() -> str | None:
    """Put the chart's module (module_text) where Streamlit serves static files, under a name
    made from its content; that name, or None when this checkout cannot hold it."""
    text = module_text().encode("utf-8")
    name = f"gdviz-chart-{hashlib.sha256(text).hexdigest()[:16]}.js"
    target = STATIC / name
    try:
        if not target.is_file() or target.read_bytes() != text:
            STATIC.mkdir(exist_ok=True)
            fd, part = tempfile.mkstemp(dir=STATIC, suffix=".part")   # servers may race
            with os.fdopen(fd, "wb") as out:
                out.write(text)
            os.replace(part, target)
        return name
    except OSError as exc:
        log.warning("charts fall back to st.plotly_chart: cannot publish the chart (%s)", exc)
        return None


def module_text() -> str:
    """The component's ES module: the playback controls, then the chart (bench/draw.py
    imports the same text)."""
    return PLAYBACK_FILE.read_text(encoding="utf-8") + "\n" + JS_FILE.read_text(encoding="utf-8")


def static_url(name: str) -> str:
    """Where the browser finds the static file `name`, under the app's base path."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(p for p in (base, "app", "static", name) if p)


def bundle_url() -> str:
    """Where the browser finds plotly.js."""
    return static_url(BUNDLE)


def spec_json(fig: go.Figure | Spec) -> str:
    """The figure as Plotly.react reads it (data, layout, frames); a Spec's JSON is made once."""
    return fig.to_json() if isinstance(fig, Spec) else pio.to_json(fig, validate=False)


def payload(fig: go.Figure | Spec, fit: str | None = None,
            presets: tuple[str, ...] = ()) -> bytes:
    """What the chart's JavaScript receives: the figure, where plotly.js is, the chart's
    config, whether the figure may be moved without a redraw (only a Spec, which
    spec_figure has checked against style.movable_breaches), how it fits the screen
    (FIT_VIEWPORT: the window's height below the chart's top, for the presenter view), and
    the widget keys of the page's preset buttons that the keys 1–6 press."""
    return (f'{{"src": {json.dumps(bundle_url())}, "config": {json.dumps(CONFIG)}, '
            f'"movable": {json.dumps(isinstance(fig, Spec))}, "fit": {json.dumps(fit)}, '
            f'"presets": {json.dumps(list(presets))}, '
            f'"figure": {spec_json(fig)}}}').encode()


# The browser fits the figure to the screen (chart.js, fitted): on a phone its panels stack,
# and with FIT_VIEWPORT it fills the window's height below the chart's top.
FIT_VIEWPORT = "viewport"


def chart(fig: go.Figure | Spec, key: str, fit: str | None = None,
          presets: tuple[str, ...] = ()) -> None:
    """Show `fig` under `key`: the same chart stays on the page and is redrawn in place.

    `fit` is FIT_VIEWPORT for a chart that fills the window's height
    (the presenter view). `presets` are the widget keys of the page's preset buttons, in
    order: on a chart with frames, the keys 1–6 press them. The st.plotly_chart fallback (see
    the module's notes) remounts its chart on every change and does not fit
    the screen.
    """
    mount = None if os.environ.get("GDVIZ_PLOTLY_CHART") else _component()
    if mount is None:
        plotly_fig = with_play_buttons(fig) if isinstance(fig, Spec) else fig
        st.plotly_chart(plotly_fig, key=key, theme=None, config=CONFIG)
        return
    data = payload(fig, fit, presets)
    mount(key=key, data=data)
