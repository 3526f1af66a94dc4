"""The descent lesson in a real browser: Debian's Chromium against `streamlit run app.py`."""
import re

import pytest
import segno

from gdviz import descent, ledger
from tests.conftest import (
    ARTIFACTS,
    CLASHES,
    SHOWN,
    all_settled,
    change,
    draws,
    load,
    played_frames,
    player_button,
    qr_matrix,
    scrub,
    sent_reruns,
    settled,
    show_frame,
)

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('.js-plotly-plot')"
BALL = f"() => {GRAPH}.data[4].x[0]"     # one point: a plain list, never a typed array
TITLE = f"() => {GRAPH}.layout.title.text"


def test_play_moves_the_ball_without_talking_to_the_server(page, app_url):
    reruns = sent_reruns(page)
    load(page, app_url + "/")
    assert page.evaluate(BALL) == 8.0
    reruns.clear()
    player_button(page, "Play").click()                        # gdviz's ▶ Play
    page.wait_for_function(f"() => ({BALL})() < 3.5", timeout=20_000)
    assert reruns == [], "playback must run in the browser, with no server round trip"
    assert re.search(r"step \d+: x_new = ", page.evaluate(TITLE))
    page.screenshot(path=str(ARTIFACTS / "descent-playing.png"), full_page=True)


def test_preset_redraws_the_chart_and_names_the_regime(page, app_url):
    load(page, app_url + "/")
    page.get_by_role("button", name="Too large").click()
    # η = 1.1 diverges after 26 steps: the redrawn chart has 27 steps instead of 34
    page.wait_for_function(f"() => {GRAPH}.layout.sliders[0].steps.length === 27",
                           timeout=30_000)
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
    scrub(page, 0.3)
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
  const w = {frames: 0, missing: 0, replaced: 0, on: true};
  const tick = () => {
    const g = document.querySelector('.js-plotly-plot');
    w.frames += 1;
    if (!g) w.missing += 1; else if (g !== first) w.replaced += 1;
    if (w.on) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return w;
}
"""


def test_a_new_learning_rate_is_drawn_into_the_same_chart(page, app_url):
    """The chart stays on the page (no frame without it, no new <div>) and shows the new
    run; plotly.js came from the plotly package through Streamlit's static serving."""
    scripts = []
    page.on("response", lambda r: scripts.append(r) if "/app/static/plotly-" in r.url else None)
    load(page, app_url + "/")
    watch = page.evaluate_handle(_WATCH)
    for lr, x1 in (("0.3", "4.40"), ("0.05", "7.40")):       # x1 = 8 − η·12
        change(page, "lr", lr)
        show_frame(page, "1")                                 # step 1 of the new run
        assert f"{lr} * (2 * 8.00 - 4) = {x1}" in page.evaluate(TITLE)
    seen = page.evaluate("(w) => { w.on = false; return w; }", watch)
    assert seen["frames"] > 10 and seen["missing"] == 0 and seen["replaced"] == 0, seen
    assert len(scripts) == 1 and scripts[0].status == 200
    assert "javascript" in scripts[0].headers["content-type"]


def test_a_change_while_playing_stops_the_old_run_and_shows_the_new(page, app_url):
    load(page, app_url + "/")
    player_button(page, "Play").click()
    page.wait_for_function(f"() => ({BALL})() < 7.9")      # it plays
    change(page, "lr", "0.3")
    # at rest (no animation playing): the old run's was stopped, not left to go on over the
    # new figure, and ▶ Play plays the new run from its start
    assert "step 0:" in page.evaluate(TITLE) and page.evaluate(BALL) == 8.0
    assert played_frames(page)[:2] in (["0", "1"], ["1", "2"])


def test_a_new_learning_rate_moves_the_chart_to_what_a_fresh_draw_shows(page, app_url):
    """A learning-rate change only moves points (gdviz/pages/chart.js, moveOnly): starting
    from a later step, the chart ends up exactly as a page opened on the new link draws it,
    at its first step and at a later one, and ▶ Play starts the new run from its beginning."""
    load(page, app_url + "/")
    scrub(page, 0.3)
    change(page, "lr", "0.3")
    moved = page.evaluate(SHOWN)
    assert draws(page) == {"react": 1, "moved": 1}   # the first draw, then a move
    assert page.evaluate(BALL) == 8.0

    fresh = page.context.new_page()
    load(fresh, app_url + "/?lr=0.3")
    assert draws(fresh) == {"react": 1, "moved": 0}
    assert moved == fresh.evaluate(SHOWN)
    # the frames were swapped too: a later step shows the same in both
    show_frame(page, "17")
    show_frame(fresh, "17")
    assert page.evaluate(SHOWN) == fresh.evaluate(SHOWN)
    fresh.close()
    change(page, "lr", "0.2")
    assert played_frames(page)[:2] in (["0", "1"], ["1", "2"])


def test_a_start_beyond_the_axes_redraws_and_play_starts_over(page, app_url):
    """x0 = −8 widens the x axis (it showed −6 to 10), so the chart is redrawn whole; after
    the user had scrubbed, ▶ Play still begins the new run at its first step, not where the
    old one was."""
    load(page, app_url + "/")
    scrub(page, 0.3)
    change(page, "x0", "-8")
    assert page.evaluate(BALL) == -8
    assert draws(page) == {"react": 2, "moved": 0}
    assert page.evaluate(f"() => {GRAPH}.layout.xaxis.range[0]") == -9
    assert "step 0:" in page.evaluate(TITLE)
    assert played_frames(page)[:2] in (["0", "1"], ["1", "2"])


@pytest.mark.parametrize("tab, charts", [("Learning rates compared", 3),
                                         ("Steps vs learning rate", 2),
                                         ("Other methods", 2)])
def test_comparison_charts_keep_titles_clear_of_ticks_and_legends(page, app_url, tab, charts):
    page.goto(app_url + f"/?lr=1.1&tab={tab.replace(' ', '+')}")
    all_settled(page, charts)
    assert page.evaluate(CLASHES) == []
    settled(page)


def test_the_share_panels_qr_code_shows_and_encodes_the_link_shown(page, app_url):
    """What a phone in the back row sees: the picture the browser drew, read back module by
    module, holds exactly the link printed above it (AppTest alone once missed a QR code the
    browser never showed)."""
    load(page, app_url + "/?lr=0.8")
    page.get_by_text("Share with the class").click()
    picture = page.locator('[data-testid="stExpanderDetails"] img').first
    picture.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                           arg=picture.element_handle(), timeout=30_000)
    box = picture.bounding_box()
    assert box["width"] >= 400 and box["height"] >= 400      # projected: about 5 cm a side
    link = page.locator('[data-testid="stExpanderDetails"] code').first.inner_text().strip()
    assert link.startswith(app_url + "/?") and "lr=0.8" in link
    png = page.request.get(picture.get_attribute("src")
                           if picture.get_attribute("src").startswith("http")
                           else app_url + picture.get_attribute("src")).body()
    expected = segno.make(link, error="m", micro=False)
    assert qr_matrix(png) == [list(row) for row in expected.matrix]
