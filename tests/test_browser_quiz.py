"""One quiz round on `/` in a real browser (Debian's Chromium against `streamlit run`):
picking and typing a prediction sends nothing to the server (an st.form), the chart holds
no run until the commit, and the commit brings the run to play and the reveal."""
import re

import pytest

from tests.conftest import ARTIFACTS, draws, load, played_frames, sent_reruns, settled

pytestmark = pytest.mark.browser

GRAPH = "document.querySelector('.js-plotly-plot')"
BALL = f"() => {GRAPH}.data.find((t) => t.name === 'ball').x[0]"
TELLS = re.compile(r"Oscillating|oscillates inwards \(|r = 1 − η|2/f″", re.IGNORECASE)


def test_one_quiz_round_plays_the_run_and_reveals_only_after_the_commit(page, app_url):
    reruns = sent_reruns(page)
    load(page, app_url + "/?quiz=1&lr=0.9")
    assert page.locator(".gdviz-player:visible").count() == 0, "a Play button before the commit"
    assert page.evaluate(BALL) == 8.0
    assert not TELLS.search(page.inner_text("[data-testid='stMain']"))
    page.get_by_text("Round 1: predict, then commit").wait_for()

    reruns.clear()
    page.get_by_text("oscillates inwards", exact=True).click()
    x1 = page.get_by_label(re.compile("Where will the ball be after the first step"))
    x1.fill("-2.8")                                   # 8 − 0.9 × (2·8 − 4)
    assert reruns == [], "picking a prediction must not rerun the page"
    page.screenshot(path=str(ARTIFACTS / "quiz-predict.png"), full_page=True)
    before = sum(draws(page).values())
    page.get_by_role("button", name="Commit my prediction").click()
    settled(page, 0, before + 1)
    page.get_by_text("right", exact=False).first.wait_for()
    page.get_by_text("Oscillating", exact=False).first.wait_for()     # the verdict box

    main = page.inner_text("[data-testid='stMain']")
    assert main.count("✅ right") == 2, main[:2000]
    assert "-0.8" in main and "2/f″ = 1" in main
    page.screenshot(path=str(ARTIFACTS / "quiz-revealed.png"), full_page=True)
    assert played_frames(page)[:1] != [], "the revealed run plays"
    page.wait_for_function(f"() => ({BALL})() !== 8")
