"""Playback in a real browser (gdviz/playback.js): buttons, keys, speed and the status line,
all in the browser with not one message to the server, on the page and in the exported file."""
from __future__ import annotations

import re
import statistics
from itertools import pairwise

import pytest

from gdviz import descent, export, ledger
from gdviz.figures import descent as figs
from tests.conftest import ARTIFACTS, PLAYER, load, player_button, sent_frames, settled

pytestmark = pytest.mark.browser

GD = "document.querySelector('.gdviz-chart')"
STATUS = f"{PLAYER} [role=status]"
BALL = "() => document.querySelector('.js-plotly-plot').data[4].x[0]"


def frame(page) -> str:
    return page.evaluate(f"() => {GD}.dataset.frame")


def shown(page, name: str) -> None:
    """Wait until the chart shows frame `name` and is at rest (chart.js's own attributes)."""
    page.wait_for_function(f"(name) => {GD}.dataset.frame === name", arg=name)
    settled(page)


def seed_x(k: int, lr: float = 0.1) -> float:
    """x_k on the seed's parabola from x0 = 8, by the closed form (f″ = 2, x* = 2)."""
    return 2 + 6 * (1 - 2 * lr) ** k


def said(page, k: int, lr: float = 0.1, steps: int = 33) -> None:
    """The status line narrates step k: its words name k and x_k of the closed form."""
    text = page.locator(STATUS).text_content()
    step, x = re.match(rf"step (\d+) of {steps}, x = (\S+), ", text).groups()
    assert int(step) == k, text
    assert float(x) == pytest.approx(seed_x(k, lr), rel=6e-4), text


def test_keys_step_play_pause_and_go_home_without_a_message(page, app_url):
    sent = sent_frames(page)
    load(page, app_url + "/")
    status = page.locator(STATUS)
    assert status.get_attribute("aria-live") == "polite"
    said(page, 0)
    assert status.text_content().endswith("creeping, η is 0.1 of the limit 2/f″ = 1")
    sent.clear()
    for key, k in (("ArrowRight", 1), ("ArrowRight", 2), ("ArrowRight", 3), ("ArrowLeft", 2),
                   ("Home", 0), ("ArrowLeft", 0)):
        page.keyboard.press(key)
        shown(page, str(k))
        said(page, k)
        assert page.evaluate(BALL) == pytest.approx(seed_x(k), abs=1e-4)
    page.keyboard.press("Space")                                   # plays …
    page.wait_for_function(f"() => +{GD}.dataset.frame >= 3")
    page.keyboard.press("Space")                                   # … and pauses
    settled(page)
    k = int(frame(page))
    assert 3 <= k < 33, "paused part way"
    said(page, k)
    assert page.evaluate(f"() => document.querySelector('{STATUS}').ariaBusy") == "false"
    assert sent == [], f"playback sent {sent} to the server"


def test_keys_never_fire_while_typing_in_a_number_field(page, app_url):
    sent = sent_frames(page)
    load(page, app_url + "/")
    page.keyboard.press("ArrowRight")
    shown(page, "1")
    field = page.locator(".st-key-lr input").first
    field.click()
    sent.clear()
    for key in ("ArrowRight", "ArrowLeft", "Home", "Space", "End", "6"):
        page.keyboard.press(key)
    assert frame(page) == "1" and page.evaluate(f"() => {GD}.dataset.settled") == "true"
    said(page, 1)
    assert "rerun_script" not in sent, "a digit typed in a field pressed a preset"
    assert "6" in field.input_value()                             # the typing itself happened


def test_a_digit_picks_that_preset(page, app_url):
    load(page, app_url + "/")
    page.keyboard.press("6")                                       # "Too large": η = 1.1
    page.wait_for_url(re.compile(r"lr=1\.1\b"), timeout=30_000)
    page.wait_for_function(f"() => {GD}.layout.sliders[0].steps.length === 27",
                           timeout=30_000)
    settled(page)
    assert "diverging, η is 1.1 of the limit 2/f″ = 1" in page.locator(STATUS).text_content()
    page.keyboard.press("ArrowRight")
    shown(page, "1")
    said(page, 1, lr=1.1, steps=26)       # the run is stopped at step 26


def test_the_buttons_work_and_are_reached_by_tab_with_a_focus_ring(page, app_url):
    sent = sent_frames(page)
    load(page, app_url + "/")
    sent.clear()
    buttons = page.locator(f"{PLAYER} button")
    labels = buttons.evaluate_all("(bs) => bs.map((b) => [b.tagName, b.tabIndex, "
                                  "b.getAttribute('aria-label')])")
    assert ["BUTTON", 0, "Play"] in labels and ["BUTTON", 0, "Speed 4×"] in labels
    assert all(tag == "BUTTON" and tab == 0 and name for tag, tab, name in labels)
    forward = player_button(page, "Step forward")
    forward.click()
    shown(page, "1")
    forward.click()
    shown(page, "2")
    player_button(page, "Step back").click()
    shown(page, "1")
    player_button(page, "Back to start").click()
    shown(page, "0")
    player_button(page, "Play").click()
    page.wait_for_function(f"() => +{GD}.dataset.frame >= 2")
    player_button(page, "Pause").click()
    settled(page)
    assert 2 <= int(frame(page)) < 33
    # reached by the keyboard: Tab from the button before lands on it, with a visible ring
    player_button(page, "Step back").focus()
    page.keyboard.press("Tab")
    ring = page.evaluate("() => { const b = document.activeElement; const s = getComputedStyle(b);"
                         " return [b.getAttribute('aria-label'), s.outlineStyle, "
                         "parseFloat(s.outlineWidth)]; }")
    assert ring[0] == "Play" and ring[1] == "solid" and ring[2] >= 2, ring
    assert sent == []
    page.locator(PLAYER).first.screenshot(path=str(ARTIFACTS / "playback-controls.png"))


# Notes the time of every frame the chart shows (its data-frame attribute, chart.js).
_CLOCK = f"""() => {{
  const times = [];
  new MutationObserver(() => times.push([{GD}.dataset.frame, performance.now()]))
    .observe({GD}, {{attributes: true, attributeFilter: ['data-frame']}});
  return times;
}}"""


def _interval(page, speed: str) -> float:
    """The median time between frames while playing at `speed`, from the chart's own record
    of the frame it shows."""
    player_button(page, "Back to start").click()
    shown(page, "0")
    player_button(page, f"Speed {speed}").click()
    times = page.evaluate_handle(_CLOCK)
    player_button(page, "Play").click()
    page.wait_for_function("(t) => new Set(t.map((x) => x[0])).size >= 8", arg=times,
                           timeout=30_000)
    player_button(page, "Pause").click()
    settled(page)
    seen = times.json_value()
    firsts = {}
    for name, t in seen:
        firsts.setdefault(name, t)
    stamps = sorted(firsts.values())[:8]
    return statistics.median(b - a for a, b in pairwise(stamps))


def test_two_times_speed_plays_faster_than_one_without_a_message(page, app_url):
    sent = sent_frames(page)
    load(page, app_url + "/")
    sent.clear()
    normal, fast = _interval(page, "1×"), _interval(page, "2×")
    # a frame holds 450 ms at 1× (figures/descent.py PLAY_MS) and half that at 2×; drawing
    # time adds to both, so only the order and a clear gap are asserted
    assert fast < 0.75 * normal, (fast, normal)
    assert normal >= 400, normal
    assert page.locator(f"{PLAYER} button[aria-pressed=true]").text_content() == "2×"
    assert sent == []


def test_the_neuron_steps_by_its_frames_and_a_digit_picks_its_preset(page, app_url):
    sent = sent_frames(page)
    load(page, app_url + "/neuron")
    names = page.evaluate(f"() => {GD}.layout.sliders[0].steps.map((s) => s.args[0][0])")
    sent.clear()
    page.keyboard.press("ArrowRight")
    shown(page, names[1])
    text = page.locator(STATUS).text_content()
    assert text.startswith(f"epoch {names[1]} of 200, training cost ")
    cost = re.search(r"training cost (\S+),", text).group(1)    # as the frame's title says it
    assert f"epoch {names[1]} of 200 · training cost {cost}" in page.evaluate(
        f"() => {GD}.layout.title.text")
    page.keyboard.press("Home")
    shown(page, "0")
    assert sent == []
    page.keyboard.press("3")                                        # "η too large": 80
    page.wait_for_url(re.compile(r"lr=80\b"), timeout=30_000)


def test_the_exported_file_steps_with_the_keys_offline(parabola, page, tmp_path):
    run = descent.descend(parabola, 8.0, 0.1, 33)
    fig = figs.animated(run, parabola, ledger.lines(run, parabola, 2), "seed", 0.001)
    path = tmp_path / "descent.html"
    path.write_text(export.standalone_html(fig, "gdviz"), encoding="utf-8")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.locator(STATUS).wait_for()
    said(page, 0)
    assert page.locator(".js-plotly-plot").get_attribute("aria-label").startswith(
        "Animation of gradient descent on f(x) = x² − 4x + 6 from x₀ = 8 with η = 0.1")
    for key, k in (("ArrowRight", 1), ("ArrowRight", 2), ("ArrowLeft", 1), ("Home", 0),
                   ("ArrowRight", 1)):
        page.keyboard.press(key)
        page.wait_for_function(f"(x) => Math.abs(({BALL})() - x) < 1e-4", arg=seed_x(k))
        said(page, k)
    page.keyboard.press("Space")
    page.wait_for_function(f"() => ({BALL})() < 4")
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    page.screenshot(path=str(ARTIFACTS / "export-playback.png"))


def test_a_chart_without_frames_has_a_text_alternative_and_no_controls(page, app_url):
    page.goto(app_url + "/?tab=Steps+vs+learning+rate")
    page.wait_for_function("() => document.querySelectorAll('.gdviz-chart').length === 2 && "
                           "[...document.querySelectorAll('.gdviz-chart')].every("
                           "(g) => g.dataset.settled === 'true' && g.dataset.draws)",
                           timeout=60_000)
    sweep = page.locator(".gdviz-chart").nth(1)
    assert sweep.get_attribute("role") == "figure"
    assert sweep.get_attribute("aria-label") == "How many steps each learning rate needs"
    assert page.locator(f"{PLAYER}:visible").count() == 1           # the animation's only
