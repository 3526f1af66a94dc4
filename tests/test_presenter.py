"""The presenter view (issue 14, item 1) read from the page with AppTest: `present` in a
link turns it on (1, true, yes, on) or off, a refused value falls back to the normal view
with a note, the toggle beside the title holds it, the lesson's chart is sent to fit the
window, and nothing the normal view says is lost. Where things land on the screen is
tested in a browser (tests/test_browser_presenter.py)."""
from __future__ import annotations

import json

import pytest

from gdviz.links import read_present
from gdviz.pages.presenter import PHONE_CSS, PRESENTER_CSS
from tests.conftest import assert_clean, boxes, chart_components, open_app, texts

LESSONS = ("", "neuron")
CHART_KEY = {"": "descent_chart", "neuron": "neuron_chart"}


def fit(at, page: str) -> str | None:
    """How the lesson's chart is asked to fit the screen (chart.py's payload)."""
    (proto,) = [p for i, p in chart_components(at).items() if i.endswith(CHART_KEY[page])]
    return json.loads(proto.bytes)["fit"]


def styles(at) -> str:
    """The <style> blocks the page sent (st.html)."""
    return " ".join(h.proto.body for h in at.get("html"))


def link_notes(at) -> str:
    return " ".join(w.value for w in at.warning if "could not be used" in w.value)


@pytest.mark.parametrize("text, wanted", [("1", True), ("true", True), ("on", True),
                                          ("YES", True), ("0", False), ("false", False)])
def test_the_link_reads_present_like_every_other_true_or_false(text, wanted):
    assert read_present({"present": [text]}) == (wanted, [])


@pytest.mark.parametrize("raw", [["maybe"], ["2"], [""], ["1", "1"]])
def test_a_refused_present_falls_back_to_the_normal_view_with_a_note(raw):
    on, notes = read_present({"present": raw})
    assert on is False and len(notes) == 1 and "the normal view is shown" in notes[0]


@pytest.mark.parametrize("page", LESSONS)
def test_present_1_shows_the_presenter_view(page):
    at = open_app(page, present="1")
    assert_clean(at)
    assert at.toggle(key="present").value is True
    assert fit(at, page) == "viewport"
    assert PRESENTER_CSS.split("\n")[1] in styles(at)
    assert not link_notes(at), link_notes(at)       # 1 is a good value: no note


@pytest.mark.parametrize("page", LESSONS)
def test_the_normal_view_keeps_its_chart_as_built(page):
    at = open_app(page)
    assert at.toggle(key="present").value is False
    assert fit(at, page) is None
    assert PHONE_CSS in styles(at) and PRESENTER_CSS not in styles(at)


@pytest.mark.parametrize("page", [*LESSONS, "math"])
def test_a_hostile_present_is_refused_with_a_note_as_text(page):
    at = open_app(page, present="<img src=x onerror=alert(1)>")
    assert_clean(at)
    assert at.toggle(key="present").value is False
    notes = link_notes(at)
    assert "present must be true or false" in notes and "normal view" in notes
    assert "<img" not in notes.replace("\\<img", "")  # escaped: shown as text, never HTML
    if page != "math":
        assert fit(at, page) is None


@pytest.mark.parametrize("page", LESSONS)
def test_the_toggle_turns_the_view_on_and_off(page):
    at = open_app(page)
    at.toggle(key="present").set_value(True).run()
    assert fit(at, page) == "viewport"
    at.toggle(key="present").set_value(False).run()
    assert fit(at, page) is None
    assert_clean(at)


@pytest.mark.parametrize("page", LESSONS)
def test_the_presenter_view_says_all_the_normal_view_says(page):
    normal, present = open_app(page), open_app(page, present="1")
    assert boxes(present) == boxes(normal)          # the verdict, word for word
    shown = texts(present)
    for line in texts(normal).splitlines():
        if line.startswith("The run below"):        # the neuron's run is beside the chart
            line = line.replace("The run below", "The run beside")
        assert line in shown, line


def test_the_view_stays_on_across_a_page_switch():
    at = open_app("", present="1")
    at.switch_page("gdviz/pages/neuron.py").run()
    assert at.toggle(key="present").value is True and fit(at, "neuron") == "viewport"
    at.switch_page("gdviz/pages/math.py").run()
    assert at.toggle(key="present").value is True
    assert_clean(at)


def test_math_has_the_toggle_and_the_large_type():
    at = open_app("math", present="on")
    assert_clean(at)
    assert at.toggle(key="present").value is True
    assert PRESENTER_CSS.split("\n")[1] in styles(at)
    assert "Checked live on the current run" in texts(at)


@pytest.mark.parametrize("page", LESSONS)
def test_a_quiz_in_the_presenter_view_still_hides_the_verdict_till_the_commit(page):
    at = open_app(page, present="1", quiz="1")
    assert_clean(at)
    assert fit(at, page) == "viewport" and at.radio, "the quiz's prediction is asked"
    verdicts = ("Creeping", "Oscillat", "Diverg", "Settled", "Still learning")
    assert not any(v in boxes(at) for v in verdicts), boxes(at)
