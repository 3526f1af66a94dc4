"""gdviz's own chart (gdviz/pages/chart.py): one chart per key that stays on the page and
takes each new figure in place, with plotly.js served from the installed plotly package."""
from __future__ import annotations

import json
from types import SimpleNamespace

import plotly
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from gdviz.pages import chart
from tests.conftest import ROOT, chart_components, chart_specs

APP = ROOT / "app.py"


def test_a_new_learning_rate_reaches_the_same_chart_with_a_new_figure():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    before = chart_components(at)
    assert sorted(k.split("-", 2)[-1] for k in before) == ["descent_chart",
                                                           "descent_chart-frames"]
    at.number_input(key="lr").set_value(0.3).run()
    after = chart_components(at)
    # the same element ids, so the browser keeps the chart and redraws it in place ...
    assert after.keys() == before.keys()
    # ... with the new run inside: the first step is 8 − 0.3·12 = 4.4, not 8 − 0.1·12 = 6.8
    old, new = (json.dumps(json.loads(chart_specs(c)["descent_chart"])["frames"][1])
                for c in (at_with(before), at_with(after)))
    assert "0.1 * (2 * 8.00 - 4) = 6.80" in old
    assert "0.3 * (2 * 8.00 - 4) = 4.40" in new


def at_with(components: dict) -> SimpleNamespace:
    """An AppTest stand-in that holds only these chart protos, for chart_specs."""
    elements = [SimpleNamespace(proto=p) for p in components.values()]
    return SimpleNamespace(get=lambda kind: elements if kind == "bidi_component" else [])


@pytest.mark.parametrize("page, key", [("gdviz/pages/descent.py", "descent_chart"),
                                       ("gdviz/pages/neuron.py", "neuron_chart")])
def test_a_lessons_frames_travel_apart_and_belong_to_the_figure_they_follow(page, key):
    at = AppTest.from_file(str(ROOT / page), default_timeout=60).run()
    payloads = {json.loads(p.bytes).get("key") or json.loads(p.bytes)["framesOf"] + "*":
                json.loads(p.bytes) for p in chart_components(at).values()}
    figure, frames = payloads[key], payloads[key + "*"]
    assert "frames" not in figure["figure"] and len(frames["frames"]) >= 2
    assert frames["revision"] == figure["figure"]["layout"]["datarevision"]
    # frame 0 is the figure as first drawn: the traces it moves are where the figure has them
    first = frames["frames"][0]
    for j, trace in zip(first["traces"], first["data"], strict=True):
        for axis in ("x", "y"):
            assert trace[axis] == figure["figure"]["data"][j][axis]
    # what the chart waits for is a small part of the whole
    whole = len(json.dumps(figure)) + len(json.dumps(frames))
    assert len(json.dumps(figure)) < (0.5 if key == "descent_chart" else 0.3) * whole


def test_the_payload_is_strict_json_naming_a_served_copy_of_plotly_js():
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    for proto in chart_components(at).values():
        json.loads(proto.bytes)                # strict: NaN or Infinity would not parse
    (payload,) = [json.loads(p.bytes) for p in chart_components(at).values()
                  if "figure" in json.loads(p.bytes)]
    assert payload["src"] == f"/app/static/plotly-{plotly.__version__}.min.js"
    assert payload["config"]["displaylogo"] is False
    served = chart.STATIC / chart.BUNDLE
    assert served.read_bytes() == chart.SOURCE.read_bytes()


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


@pytest.mark.parametrize("page, key, lr", [(None, "descent_chart", 0.3),
                                           ("gdviz/pages/neuron.py", "neuron_chart", 3.0)])
def test_a_redrawn_lesson_chart_is_written_first_and_given_its_head_start(monkeypatch, page,
                                                                          key, lr):
    """After a change the lesson's chart goes out before the sidebar's widgets (its
    settings read from what they hold, common.held), the script waits HEAD_START_S, then
    the widgets, the title and the rest follow. The session's first run draws the widgets
    first, and neither it nor an unchanged figure waits."""
    from gdviz.pages import common
    events: list[tuple[str, object]] = []
    clock = [0.0]            # waits move this clock, and nothing else does

    def wait(seconds):
        events.append(("wait", seconds))
        clock[0] += seconds

    monkeypatch.setattr(chart, "time", SimpleNamespace(sleep=wait, perf_counter=lambda: clock[0]))
    title = st.title

    def noted_title(body, *args, **kwargs):
        events.append(("title", body))
        return title(body, *args, **kwargs)

    monkeypatch.setattr(st, "title", noted_title)
    widget = common.widget       # the page scripts import it afresh on every run

    def noted_widget(field, *args, **kwargs):
        events.append(("widget", field.key))
        return widget(field, *args, **kwargs)

    monkeypatch.setattr(common, "widget", noted_widget)
    at = AppTest.from_file(str(APP), default_timeout=60)
    if page:
        at.switch_page(page)
    at.run()
    kinds = [e for e, _ in events]
    assert "wait" not in kinds and kinds.index("title") > kinds.index("widget")  # first draw
    events.clear()
    at.number_input(key="lr").set_value(lr).run()
    # the head start comes first, in two parts: the chart's message leaves, then the frames
    # are built and the rest of HEAD_START_S waited out
    kinds = [e for e, _ in events]
    waits = [s for e, s in events if e == "wait"]
    assert kinds[:2] == ["wait", "wait"] and waits[0] == chart.SEND_S
    assert sum(waits) == pytest.approx(chart.HEAD_START_S)
    assert kinds[-1] == "title" and set(kinds[2:-1]) == {"widget"}
    assert (chart._LAST_DRAWN in at.session_state
            and key in at.session_state[chart._LAST_DRAWN])
    events.clear()
    at.run()                                                       # the same figure again
    assert "wait" not in [e for e, _ in events]
    assert not at.exception


def test_a_spec_builds_lazy_frames_once_and_only_when_asked_for_them():
    from gdviz.figures.style import spec_figure
    built = []

    def frames():
        built.append(1)
        return [dict(name="0", data=[dict(x=[1], y=[2])])]

    fig = spec_figure([dict(type="scatter", x=[1], y=[2])], dict(height=300), frames)
    assert fig.animated and json.loads(fig.figure_json())["layout"]["height"] == 300
    assert built == []                                 # the figure went out without them
    assert json.loads(fig.frames_json())[0]["name"] == "0"
    assert fig.frames == json.loads(fig.frames_json()) and built == [1]
    assert json.loads(fig.to_json())["frames"][0]["name"] == "0" and built == [1]
    assert not spec_figure([], {}).animated
