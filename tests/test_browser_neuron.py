"""The neuron and math pages in a real browser: Debian's Chromium against `streamlit run`."""
from __future__ import annotations

import re

import pytest

from tests.conftest import (
    ARTIFACTS,
    CLASHES,
    SHOWN,
    all_settled,
    change,
    draws,
    load,
    player_button,
    sent_reruns,
    show_frame,
)

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('.js-plotly-plot')"
# what the animation shows right now: the epoch in the title, the boundary's two ends, the
# cost curve's last epoch and value, the star on the cost surface, the P(dog) picture drawn
# (from the graph div's data, where a long array is still the float32 typed array sent)
STATE = f"""() => {{
  const g = {GRAPH};
  const arr = (v) => v?.bdata ? Array.from(new Float32Array(
    Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0)).buffer)) : Array.from(v ?? []);
  const by = name => g.data.find(t => t.name === name);
  return {{
    title: g.layout.title.text,
    boundary: arr(by('boundary ŷ = 0.5').x).concat(arr(by('boundary ŷ = 0.5').y)),
    costEpoch: arr(by('training cost').x).at(-1),
    cost: arr(by('training cost').y).at(-1),
    points: arr(by('training cost').x).length,
    star: arr(by('current (w₁, w₂)').x),
    pDog: g.querySelector('.subplot.xy .imagelayer image').getAttribute('href'),
  }};
}}"""


def epoch_in_title(state: dict) -> int:
    return int(re.search(r"epoch (\d+) of", state["title"]).group(1))


def test_play_turns_the_boundary_and_grows_the_curves_together(page, app_url):
    reruns = sent_reruns(page)
    load(page, app_url + "/neuron")
    before = page.evaluate(STATE)
    assert epoch_in_title(before) == 0 and before["points"] == 1
    page.screenshot(path=str(ARTIFACTS / "neuron-start.png"), full_page=True)
    reruns.clear()
    player_button(page, "Play").click()                          # gdviz's ▶ Play
    page.wait_for_function(f"() => ({STATE})().points >= 12", timeout=30_000)
    during = page.evaluate(STATE)
    page.screenshot(path=str(ARTIFACTS / "neuron-playing.png"), full_page=True)
    # one frame moved everything: the title, the curve's end and the boundary agree
    assert during["costEpoch"] == epoch_in_title(during) > 0
    assert during["boundary"] != before["boundary"]
    assert during["pDog"] != before["pDog"]
    assert during["star"] != before["star"]
    assert during["cost"] < before["cost"]
    page.wait_for_function(f"() => ({STATE})().title.includes('epoch 200 of 200')",
                           timeout=60_000)
    assert reruns == [], "playback must run in the browser, with no server round trip"
    page.screenshot(path=str(ARTIFACTS / "neuron-end.png"), full_page=True)
    body = page.inner_text("body")
    assert not re.search(r"\b(NaN|nan|Infinity|inf)\b", body)


def test_preset_redraws_and_warns_beside_the_learning_rate(page, app_url):
    load(page, app_url + "/neuron")
    page.get_by_role("button", name="η too large").click()
    # the line naming the run above the chart follows the preset
    page.get_by_text(re.compile(r"The run below: η = 80 · cross-entropy")).wait_for(
        timeout=30_000)
    # the link follows the sidebar's widgets, which go out just after the chart
    page.wait_for_url(re.compile(r"lr=80.*loss=ce|loss=ce.*lr=80"), timeout=10_000)
    page.get_by_text("the training cost rose in").first.wait_for(timeout=10_000)
    assert page.get_by_text("Oscillating", exact=False).first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "neuron-too-large.png"), full_page=True)


def test_hostile_link_shows_a_note_and_a_chart(page, app_url):
    load(page, app_url + "/neuron?lr=%3Cb%3Ex%3C/b%3E&batch=inf&epochs=1e309&loss=hinge")
    page.get_by_text("could not be used").wait_for(timeout=30_000)
    assert "epoch 0 of 200" in page.evaluate(f"() => {GRAPH}.layout.title.text")
    page.screenshot(path=str(ARTIFACTS / "neuron-hostile-link.png"), full_page=True)


def test_math_page_renders_and_checks_the_run_from_the_neuron_page(page, app_url):
    load(page, app_url + "/neuron")
    page.get_by_role("button", name="Wrong start, CE").click()
    page.get_by_text(re.compile(r"The run below: .* wrong start")).wait_for(timeout=30_000)
    page.get_by_role("link", name="The math").click()
    page.get_by_text("Relative error").first.wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "configured on the neuron page" in body and "cross-entropy" in body
    errors = [float(e) for e in re.findall(r"Relative error ([0-9.]+e[-+][0-9]+)", body)]
    assert len(errors) == 4 and max(errors) < 1e-6      # start, middle, end, a nearby point
    assert page.locator(".katex").count() >= 10            # the derivation is typeset
    page.screenshot(path=str(ARTIFACTS / "math.png"), full_page=True)


def test_neuron_charts_keep_titles_clear_of_ticks_and_legends(page, app_url):
    page.goto(app_url + "/neuron?tab=Learning+rates+compared")
    all_settled(page, 2)
    assert page.evaluate(CLASHES) == []


# Beyond what SHOWN compares: the cost map's window (an axis range), read from the layout.
WINDOW = f"() => [{GRAPH}.layout.xaxis2.range, {GRAPH}.layout.yaxis2.range]"


@pytest.mark.parametrize("played", [False, True])
def test_a_new_learning_rate_ends_as_a_fresh_draw_of_its_link(page, app_url, played):
    """The figure is scatter traces over two pictures, so a new learning rate moves its
    points and swaps its pictures without a redraw (gdviz/pages/chart.js); from the first
    epoch or from a later one, even when the change comes during playback, it ends exactly
    as a page opened on the new link draws it, down to every line, marker and picture drawn
    and the scrubber's grip, and holds the same frames."""
    load(page, app_url + "/neuron")
    if played:
        player_button(page, "Play").click()
        page.wait_for_function(f"() => ({STATE})().points >= 5", timeout=30_000)
    change(page, "lr", "2.2")
    changed = page.evaluate(SHOWN)
    # after ▶ Play the boundary goes from drawn to none (epoch 0 has no boundary), which a
    # move would leave drawn: that change is redrawn whole
    assert draws(page) == ({"react": 2, "moved": 0} if played else {"react": 1, "moved": 1})
    assert "epoch 0 of" in changed["title"]
    page.locator(".gdviz-chart").first.screenshot(path=str(ARTIFACTS / "neuron-new-rate.png"))

    fresh = page.context.new_page()
    load(fresh, app_url + "/neuron?lr=2.2")
    assert changed == fresh.evaluate(SHOWN)
    assert page.evaluate(WINDOW) == fresh.evaluate(WINDOW)
    # the frames were swapped too: a later epoch shows the same in both
    for p in (page, fresh):
        show_frame(p, fresh.evaluate(f"() => {GRAPH}.layout.sliders[0].steps[20].args[0][0]"))
    assert page.evaluate(SHOWN) == fresh.evaluate(SHOWN)
    fresh.close()


def test_the_scrubbers_grip_returns_to_the_start_after_a_change_during_playback(page, app_url):
    load(page, app_url + "/neuron")
    start = page.evaluate(SHOWN)["grip"]
    player_button(page, "Play").click()
    page.wait_for_function(f"() => ({STATE})().points >= 5", timeout=30_000)
    assert page.evaluate(SHOWN)["grip"] > start
    change(page, "lr", "2.2")
    assert page.evaluate(SHOWN)["grip"] == start
