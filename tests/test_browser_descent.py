"""The descent lesson in a real browser: Debian's Chromium against `streamlit run app.py`."""
import re

import pytest

from gdviz import descent, ledger
from tests.conftest import ARTIFACTS

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
    # η = 1.1 diverges after 26 steps: the redrawn chart has 27 frames instead of 34. The
    # chart is remounted on a new spec, so for a moment there is none: hence the ?.
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')"
                           "?._transitionData?._frames?.length === 27", timeout=30_000)
    assert page.get_by_text("Diverging", exact=False).first.is_visible()
    assert "lr=1.1" in page.url                # the link now reproduces this view
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
