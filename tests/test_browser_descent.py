"""The descent lesson in a real browser: Debian's Chromium against `streamlit run app.py`."""
import re

import pytest

from gdviz import descent, ledger
from tests.conftest import ARTIFACTS, GLIDE_MS
from tests.conftest import DRAWS as _DRAWS

pytestmark = pytest.mark.browser

BALL = ("() => { const g = document.querySelector('.js-plotly-plot');"
        " return g._fullData[4].x[0]; }")   # _fullData: typed arrays decoded
TITLE = "() => document.querySelector('.js-plotly-plot').layout.title.text"


def load(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')?.data?.length >= 5")


def test_play_moves_the_ball_without_talking_to_the_server(page, app_url):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    load(page, app_url + "/")
    assert page.evaluate(BALL) == 8.0
    page.wait_for_timeout(1500)                # let the initial handshake settle
    sent.clear()
    page.locator(".updatemenu-button").first.click()          # Plotly's ▶ Play
    page.wait_for_function(f"() => ({BALL})() < 3.5", timeout=20_000)
    assert sent == [], "playback must run in the browser, with no server round trip"
    assert re.search(r"step \d+: x_new = ", page.evaluate(TITLE))
    page.screenshot(path=str(ARTIFACTS / "descent-playing.png"), full_page=True)


def test_preset_redraws_the_chart_and_names_the_regime(page, app_url):
    load(page, app_url + "/")
    page.get_by_role("button", name="Too large").click()
    # η = 1.1 diverges after 26 steps: the redrawn chart has 27 frames instead of 34
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')"
                           "?._transitionData?._frames?.length === 27", timeout=30_000)
    # the theory panel follows the chart by the chart's head start (gdviz/pages/chart.py)
    regime = page.get_by_text("Diverging", exact=False).first
    regime.wait_for(state="visible", timeout=10_000)
    assert regime.is_visible()
    page.wait_for_url(re.compile(r"lr=1\.1\b"), timeout=10_000)   # the link reproduces it
    body = page.inner_text("body")
    assert not re.search(r"\b(NaN|nan|Infinity|inf)\b", body)
    page.screenshot(path=str(ARTIFACTS / "descent-too-large.png"), full_page=True)


def test_hostile_link_shows_a_note_and_the_default_view(page, app_url):
    load(page, app_url + "/?lr=%3Cscript%3Ealert(1)%3C/script%3E&steps=1e309")
    page.get_by_text("could not be used").wait_for(timeout=30_000)
    assert page.evaluate(BALL) == 8.0
    assert "Creeping" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "descent-hostile-link.png"), full_page=True)


def test_scrubber_shows_the_seed_ledger_line(page, app_url, parabola):
    load(page, app_url + "/")
    rail = page.locator(".slider-rail-touch-rect").first.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * 0.3, rail["y"] + rail["height"] / 2)
    page.wait_for_function(f"() => !({TITLE})().includes('step 0:')")
    step, line = re.search(r"step (\d+): (.*)$", page.evaluate(TITLE)).groups()
    k = int(step)
    assert 5 <= k <= 15                                    # about 30 % along the 33 steps
    run = descent.descend(parabola, 8.0, 0.1, 33)
    assert line == ledger.lines(run, parabola, 2)[k - 1]   # the seed's own line for step k
    assert page.evaluate(BALL) == pytest.approx(run.x[k], abs=1e-4)


# Counts, on every animation frame, whether the chart is missing or changed its <div>.
_WATCH = """
() => {
  const first = document.querySelector('.js-plotly-plot');
  const w = window.__watch = {frames: 0, missing: 0, replaced: 0};
  const tick = () => {
    const g = document.querySelector('.js-plotly-plot');
    w.frames += 1;
    if (!g) w.missing += 1; else if (g !== first) w.replaced += 1;
    w.raf = requestAnimationFrame(tick);
  };
  w.raf = requestAnimationFrame(tick);
}
"""


def test_a_new_learning_rate_is_drawn_into_the_same_chart(page, app_url):
    """The chart stays on the page (no frame without it, no new <div>) and shows the new
    run; plotly.js came from the plotly package through Streamlit's static serving."""
    scripts = []
    page.on("response", lambda r: scripts.append(r) if "/app/static/plotly-" in r.url else None)
    load(page, app_url + "/")
    page.evaluate(_WATCH)
    field = page.locator(".st-key-lr input").first
    for lr, x1 in (("0.3", "4.40"), ("0.05", "7.40")):       # x1 = 8 − η·12
        field.fill(lr)
        field.press("Enter")
        page.wait_for_function("(step) => document.querySelector('.js-plotly-plot')"
                               "._transitionData._frames[1]?.layout.title.text.includes(step)",
                               arg=f"{lr} * (2 * 8.00 - 4) = {x1}")
    watch = page.evaluate("() => { cancelAnimationFrame(window.__watch.raf); "
                          "return window.__watch; }")
    assert watch["frames"] > 10 and watch["missing"] == 0 and watch["replaced"] == 0, watch
    assert len(scripts) == 1 and scripts[0].status == 200
    assert "javascript" in scripts[0].headers["content-type"]


def test_a_change_while_playing_stops_the_old_run_and_shows_the_new(page, app_url):
    load(page, app_url + "/")
    page.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function(f"() => ({BALL})() < 7.9")      # it plays
    field = page.locator(".st-key-lr input").first
    field.fill("0.3")
    field.press("Enter")
    page.wait_for_function(f"() => ({TITLE})().includes('step 0:') && "
                           "document.querySelector('.js-plotly-plot')._transitionData"
                           "._frames[1]?.layout.title.text.includes('0.3 *')")
    page.wait_for_timeout(1000)                # an old animation would have moved on by now
    assert "step 0:" in page.evaluate(TITLE) and page.evaluate(BALL) == 8.0



# What the chart shows and holds: every trace's points, the title, the scrubber and the frames.
_STATE = """
() => {
  const g = document.querySelector('.js-plotly-plot');
  return {
    points: g._fullData.map((d) => [Array.from(d.x ?? []), Array.from(d.y ?? [])]),
    title: g._fullLayout.title.text,
    scrubber: [g._fullLayout.sliders[0].active,
               g._fullLayout.sliders[0].steps.map((s) => s.label + ':' + s.args[0])],
    frames: g._transitionData._frames.map((f) => JSON.stringify([f.name, f.traces, f.data,
                                                                 f.layout])),
    // what is drawn, not only what the chart holds: markers per trace and the scrubber's grip
    drawn: [...g.querySelectorAll('.scatterlayer .trace')].map((t) =>
                                                      t.querySelectorAll('.point').length),
    grip: Math.round(g.querySelector('.slider-grip-rect').getBoundingClientRect().x),
  };
}
"""


def _scrub(page, fraction: float) -> None:
    rail = page.locator(".slider-rail-touch-rect").first.bounding_box()
    page.mouse.click(rail["x"] + rail["width"] * fraction, rail["y"] + rail["height"] / 2)
    page.wait_for_function(f"() => !({TITLE})().includes('step 0:')")


def _played_frames(page) -> list[str]:
    """Press ▶ Play and return the names of the first frames it shows."""
    page.evaluate("() => { window.__played = []; document.querySelector('.js-plotly-plot')"
                  ".on('plotly_animatingframe', (e) => window.__played.push(e.name)); }")
    page.locator(".updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function("() => window.__played.length >= 3")
    return page.evaluate("() => window.__played")


def test_a_new_learning_rate_moves_the_chart_to_what_a_fresh_draw_shows(page, app_url):
    """A learning-rate change only moves points (gdviz/pages/chart.py, moveOnly): starting
    from a later step, the chart ends up exactly as a page opened on the new link draws it,
    and ▶ Play starts the new run from its beginning."""
    load(page, app_url + "/")
    _scrub(page, 0.3)
    field = page.locator(".st-key-lr input").first
    field.fill("0.3")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')"
                           "._transitionData._frames[1]?.layout.title.text.includes('0.3 *')")
    page.wait_for_function(f"() => ({TITLE})().includes('step 0:')")
    page.wait_for_timeout(GLIDE_MS)
    moved = page.evaluate(_STATE)
    assert page.evaluate(_DRAWS) == {"react": 1, "moved": 1}   # the first draw, then a move
    assert page.evaluate(BALL) == 8.0
    assert _played_frames(page)[:2] in (["0", "1"], ["1", "2"])

    fresh = page.context.new_page()
    load(fresh, app_url + "/?lr=0.3")
    fresh.wait_for_timeout(GLIDE_MS)
    drawn = fresh.evaluate(_STATE)
    assert fresh.evaluate(_DRAWS) == {"react": 1, "moved": 0}
    assert moved == drawn


def test_a_start_beyond_the_axes_redraws_and_play_starts_over(page, app_url):
    """x0 = −8 widens the x axis (it showed −6 to 10), so the chart is redrawn whole; after
    the user had scrubbed, ▶ Play still begins the new run at its first step, not where the
    old one was."""
    load(page, app_url + "/")
    _scrub(page, 0.3)
    field = page.locator(".st-key-x0 input").first
    field.fill("-8")
    field.press("Enter")
    page.wait_for_function(f"() => ({BALL})() === -8")
    assert page.evaluate(_DRAWS) == {"react": 2, "moved": 0}
    assert page.evaluate("() => document.querySelector('.js-plotly-plot')"
                         "._fullLayout.xaxis.range[0]") == -9
    assert "step 0:" in page.evaluate(TITLE)
    assert _played_frames(page)[:2] in (["0", "1"], ["1", "2"])


# Boxes a reader must see whole: each axis title against its own tick labels and the legend.
_CLASHES = """
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


@pytest.mark.parametrize("tab", ["Learning rates compared", "Steps vs learning rate",
                                 "Other methods"])
def test_comparison_charts_keep_titles_clear_of_ticks_and_legends(page, app_url, tab):
    load(page, app_url + f"/?lr=1.1&tab={tab.replace(' ', '+')}")
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2 && "
                           "[...document.querySelectorAll('.js-plotly-plot')]"
                           ".every(g => g._fullLayout)")
    page.wait_for_timeout(500)
    assert page.evaluate(_CLASHES) == []
