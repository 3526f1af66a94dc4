"""gdviz's own chart (gdviz/pages/chart.py): one chart per key that stays on the page and
takes each new figure in place, with plotly.js served from the installed plotly package."""
from __future__ import annotations

import hashlib
import json
import re

import plotly
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from gdviz.figures.style import movable_breaches, spec_figure
from gdviz.pages import chart
from tests.conftest import ROOT, chart_components, chart_specs

APP = ROOT / "app.py"


def test_a_new_learning_rate_reaches_the_same_chart_with_a_new_figure():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    before = chart_components(at)
    assert [k.rsplit("-", 1)[-1] for k in before] == ["descent_chart"]
    old = json.loads(chart_specs(at)["descent_chart"])["frames"][1]
    at.number_input(key="lr").set_value(0.3).run()
    # the same element id, so the browser keeps the chart and redraws it in place ...
    assert chart_components(at).keys() == before.keys()
    # ... with the new run inside: the first step is 8 − 0.3·12 = 4.4, not 8 − 0.1·12 = 6.8
    new = json.loads(chart_specs(at)["descent_chart"])["frames"][1]
    assert "0.1 * (2 * 8.00 - 4) = 6.80" in json.dumps(old)
    assert "0.3 * (2 * 8.00 - 4) = 4.40" in json.dumps(new)


def test_the_payload_is_strict_json_naming_a_served_copy_of_plotly_js():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    (proto,) = chart_components(at).values()
    payload = json.loads(proto.bytes)       # strict: NaN or Infinity would not parse
    assert payload["src"] == f"/app/static/plotly-{plotly.__version__}.min.js"
    assert payload["config"]["displaylogo"] is False
    served = chart.STATIC / chart.BUNDLE
    assert served.read_bytes() == chart.SOURCE.read_bytes()


@pytest.mark.parametrize("page, key", [("gdviz/pages/descent.py", "descent_chart"),
                                       ("gdviz/pages/neuron.py", "neuron_chart")])
def test_a_lesson_chart_gets_its_whole_figure_in_one_message_and_may_be_moved(page, key):
    """One message per chart, frames included; only a figure checked against the contract
    (a Spec: style.movable_breaches) is marked movable."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60).run()
    payloads = {k.rsplit("-", 1)[-1]: json.loads(p.bytes)
                for k, p in chart_components(at).items()}
    assert list(payloads) == [key]
    figure = payloads[key]["figure"]
    assert payloads[key]["movable"] is True and len(figure["frames"]) >= 2
    assert movable_breaches(figure["data"], figure["layout"], figure["frames"]) == []


def test_a_plotly_figure_is_sent_as_not_movable():
    fig = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]))
    payload = json.loads(chart.payload(fig))
    assert payload["movable"] is False and payload["figure"]["data"][0]["type"] == "heatmap"


def test_the_charts_javascript_lives_in_its_file_and_uses_no_private_plotly_state():
    """chart.js talks to plotly.js through its documented API alone: no underscore fields
    (_fullLayout, _transitionData …), no window globals of its own, no expandos on nodes."""
    own = chart.JS_FILE.read_text(encoding="utf-8")
    assert "export default function" in own
    # the playback controls (gdviz/playback.js) come first in the same module: same rules
    js = chart.PLAYBACK_FILE.read_text(encoding="utf-8") + own
    assert re.findall(r"\.\s*_\w+|\[\s*[\"']_\w+", js) == []
    assert re.findall(r"window\.(?!Plotly\b)\w+", js) == []
    # the graph div's own DOM API read (getBoundingClientRect: where the chart is, to fit it
    # to the window) is not an expando
    assert re.findall(r"\bgd\.(?!on\b|data\b|dataset\b|className\b|textContent\b|"
                      r"style\b|isConnected\b|setAttribute\b|getBoundingClientRect\b)\w+", js) == []
    assert "JS =" not in chart.__loader__.get_source(chart.__name__)


def test_publish_plotly_copies_once_and_replaces_a_stale_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(chart, "STATIC", tmp_path / "static")
    assert chart.publish_plotly()
    target = tmp_path / "static" / chart.BUNDLE
    assert target.read_bytes() == chart.SOURCE.read_bytes()
    target.write_text("truncated by a crash")
    assert chart.publish_plotly()
    assert target.read_bytes() == chart.SOURCE.read_bytes()
    assert [p.name for p in (tmp_path / "static").iterdir()] == [chart.BUNDLE]   # no leftovers


def test_a_checkout_that_cannot_hold_plotly_js_says_why(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "static"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setattr(chart, "STATIC", blocker)
    assert not chart.publish_plotly()
    assert "fall back to st.plotly_chart" in caplog.text


def test_the_fallback_is_streamlits_own_chart_with_the_same_figure(monkeypatch):
    monkeypatch.setenv("GDVIZ_PLOTLY_CHART", "1")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert not chart_components(at) and len(at.get("plotly_chart")) == 1
    (spec,) = chart_specs(at).values()
    fig = json.loads(spec)
    assert len(fig["frames"]) == 34 and fig["layout"]["template"] == {}
    # playback.js does not run there: plotly's own buttons play the frames instead
    (menu,) = fig["layout"]["updatemenus"]
    assert [b["label"] for b in menu["buttons"]] == ["▶ Play", "❚❚ Pause"]


# --- The figure contract (style.movable_breaches) ------------------------------------------
def _figure():
    """A small figure that keeps the contract: two scatter traces, two frames, a picture."""
    data = [dict(type="scatter", x=[0, 1], y=[0, 1]), dict(type="scatter", x=[0], y=[0])]
    layout = dict(title=dict(text="k = 0"), images=[dict(source="a.png", x=0, y=1)])
    frames = [dict(name=str(k), traces=[1], data=[dict(type="scatter", x=[k], y=[k])],
                   layout=dict(title=dict(text=f"k = {k}"), images=[dict(source=f"{k}.png")]))
              for k in range(2)]
    frames[0]["layout"]["images"][0]["source"] = "a.png"
    return data, layout, frames


def test_a_figure_that_keeps_the_contract_is_built():
    data, layout, frames = _figure()
    assert movable_breaches(data, layout, frames) == []
    layout["meta"] = dict(playback=dict(say=["k = 0", "k = 1"]))    # a word line per frame
    assert movable_breaches(data, layout, frames) == []
    assert spec_figure(data, layout, frames).frames == frames


def _breach(change):
    data, layout, frames = _figure()
    change(data, layout, frames)
    return data, layout, frames


@pytest.mark.parametrize("change, words", [
    (lambda d, lo, f: d.append(dict(type="heatmap", z=[[1]])), "'heatmap', not 'scatter'"),
    (lambda d, lo, f: d[0].pop("type"), "None, not 'scatter'"),
    (lambda d, lo, f: f[1]["data"][0].update(mode="lines"), "beyond its points"),
    (lambda d, lo, f: f[1]["data"][0].update(type="bar"), "beyond its points"),
    (lambda d, lo, f: f[1]["layout"].update(xaxis=dict(range=[0, 2])), "'xaxis'"),
    (lambda d, lo, f: f[1].update(traces=[5]), "does not index"),
    (lambda d, lo, f: f[1].update(traces=[0, 1]), "does not index"),
    (lambda d, lo, f: f[1].pop("name"), "names"),
    (lambda d, lo, f: f[1].update(name="0"), "names"),
    (lambda d, lo, f: f[0]["data"][0].update(x=[9]), "first frame moves trace 1"),
    (lambda d, lo, f: f[0]["layout"]["title"].update(text="k = 9"), "first frame's title"),
    (lambda d, lo, f: f[0]["layout"]["images"][0].update(source="z.png"), "picture 0"),
    (lambda d, lo, f: lo.update(meta=dict(playback=dict(say=["k = 0"]))), "words for 1 frames"),
    (lambda d, lo, f: d[0].update(hovertemplate="%{meta.playback.alt}"), "shows layout.meta"),
])
def test_a_figure_that_breaches_the_contract_is_refused_when_built(change, words):
    data, layout, frames = _breach(change)
    assert any(words in b for b in movable_breaches(data, layout, frames)), \
        movable_breaches(data, layout, frames)
    with pytest.raises(ValueError, match="cannot move this figure"):
        spec_figure(data, layout, frames)


def test_streamlits_own_chart_still_takes_a_new_identity_with_each_figure():
    """Why gdviz has its own chart (gdviz/pages/chart.py): st.plotly_chart's element id
    hashes the figure even with a key, so a new figure is a new element (streamlit/streamlit
    #11424, #16052). When this fails, Streamlit keeps keyed charts: reconsider chart.js."""
    def app():
        import plotly.graph_objects as go
        import streamlit as st
        lr = st.number_input("lr", value=0.1, key="lr")
        st.plotly_chart(go.Figure(go.Scatter(x=[0, 1], y=[0, lr])), key="the_chart")

    at = AppTest.from_function(app).run()
    before = at.get("plotly_chart")[0].proto.id
    at.number_input(key="lr").set_value(0.3).run()
    after = at.get("plotly_chart")[0].proto.id
    assert before != after


def test_the_chart_module_is_served_as_a_file_named_by_its_content(tmp_path, monkeypatch):
    """Streamlit sends a component's js with every element: the chart's module is a static
    file instead, and the component's js only a loader of it."""
    monkeypatch.setattr(chart, "STATIC", tmp_path)
    name = chart.publish_module()
    text = chart.module_text()
    assert (tmp_path / name).read_text(encoding="utf-8") == text
    assert hashlib.sha256(text.encode()).hexdigest()[:16] in name
    (tmp_path / name).write_text("stale", encoding="utf-8")        # a copy that lies is replaced
    assert chart.publish_module() == name
    assert (tmp_path / name).read_text(encoding="utf-8") == text
    loader = chart.LOADER % json.dumps(chart.static_url(name))
    assert len(loader) < 600 and name in loader and "import(url)" in loader
