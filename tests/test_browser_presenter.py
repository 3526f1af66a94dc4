"""The presenter view and phones in a real browser (Debian's Chromium against `streamlit
run`): at a projector's 1280×720 and 1920×1080 the lesson's chart and its playback controls
(▶ Play, the steps) are in the window, the chart spans at least 60 % of its width, the
verdict is in view, the text is large and the sidebar starts collapsed; on a phone's 390×844
every panel is at least 220 px wide, no title meets a legend, and ▶ Play and the steps are
above the chart, on the first screen, large enough to tap. Geometry is read from the
rendered page (bounding boxes), after the chart says it is at rest (data-settled)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import ARTIFACTS, CLASHES, player_button, settled

pytestmark = pytest.mark.browser

PROJECTORS = ((1280, 720), (1920, 1080))
LESSONS = ("", "neuron")
# The lesson's chart, its playback controls (gdviz's own bar, playback.js) with ▶ Play and the
# step buttons, the verdict box (the first coloured box beside the chart) and the sidebar, as
# boxes in the viewport.
GEOMETRY = """() => {
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width,
            height: r.height}; };
  const chart = document.querySelector('.gdviz-chart');
  const bar = document.querySelector('.gdviz-player');
  const button = (label) => box(bar.querySelector(`button[aria-label="${label}"]`));
  const verdict = document.querySelector('[data-testid=stAlert]');
  const text = verdict.querySelector('p');
  const side = document.querySelector('[data-testid=stSidebar]');
  return {chart: box(chart), bar: box(bar), play: button('Play'), back: button('Step back'),
          forward: button('Step forward'), verdict: box(verdict),
          font: parseFloat(getComputedStyle(text).fontSize), fit: chart.dataset.fit,
          draws: chart.dataset.draws,
          sidebar: side ? box(side) : null, width: innerWidth, height: innerHeight};
}"""
# Each panel's plot area (plotly's drag cover over it, one per subplot), every title's and
# legend's box.
PANELS = """() => {
  const g = document.querySelector('.gdviz-chart');
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width}; };
  return {
    panels: [...g.querySelectorAll('.draglayer .nsewdrag')].map((d) =>
      ({name: d.parentElement.getAttribute('class'), ...box(d)})),
    titles: [...g.querySelectorAll('.g-gtitle text, .annotation-text')].map(box),
    legends: [...g.querySelectorAll('.legend .traces')].map(box),
  };
}"""


def inside(inner: dict, width: int, height: int) -> bool:
    return (inner["left"] >= 0 and inner["top"] >= 0 and inner["right"] <= width and
            inner["bottom"] <= height)


def meet(a: dict, b: dict) -> bool:
    return (a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and
            b["top"] < a["bottom"])


def open_at(browser, url: str, width: int, height: int, touch: bool = False):
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=touch)
    page = context.new_page()
    page.goto(url)
    settled(page, timeout=60_000)
    # the chart fits itself once its draw is done: wait for the fit it drew to be at rest
    page.wait_for_function("() => { const g = document.querySelector('.gdviz-chart'); "
                           "return g?.dataset.fit && g.dataset.settled === 'true'; }")
    return context, page


@pytest.mark.parametrize("size", PROJECTORS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p or "descent")
def test_presenter_view_shows_the_chart_play_and_verdict_without_scrolling(browser, app_url,
                                                                          lesson, size):
    width, height = size
    context, page = open_at(browser, f"{app_url}/{lesson}?present=1", width, height)
    try:
        page.wait_for_function("() => document.querySelector('.gdviz-chart').dataset.fit "
                               "=== 'viewport'")
        settled(page)
        shot = ARTIFACTS / "screens" / f"present-{lesson or 'descent'}-{width}x{height}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        g = page.evaluate(GEOMETRY)
        shot.with_suffix(".json").write_text(json.dumps(g, indent=1))
        assert page.evaluate("() => scrollY") == 0
        assert inside(g["chart"], width, height), g
        for control in ("play", "back", "forward"):
            assert inside(g[control], width, height), (control, g)
            assert g[control]["height"] >= 40, (control, g)
        # the whole bar, its status line too, under the chart and in the window
        assert inside(g["bar"], width, height) and g["bar"]["top"] >= g["chart"]["bottom"], g
        assert g["chart"]["width"] >= 0.6 * width, g
        assert inside(g["verdict"], width, height), g
        assert page.evaluate(CLASHES) == []
        if size == (1280, 720):
            assert g["font"] >= 20, g
        # collapsed: the sidebar is off screen (or has no width)
        assert g["sidebar"] is None or g["sidebar"]["right"] <= 0 or g["sidebar"]["width"] < 1, g
    finally:
        context.close()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p or "descent")
def test_on_a_phone_panels_are_wide_titles_clear_and_play_on_the_first_screen(browser, app_url,
                                                                              lesson):
    context, page = open_at(browser, f"{app_url}/{lesson}", 390, 844, touch=True)
    try:
        page.wait_for_function("() => document.querySelector('.gdviz-chart').dataset.fit "
                               "=== 'narrow'")
        settled(page)
        shot = ARTIFACTS / "screens" / f"phone-{lesson or 'descent'}-390x844.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        g = page.evaluate(GEOMETRY)
        shot.with_suffix(".json").write_text(json.dumps(g, indent=1))
        # on the first screen (read before the chart's own picture scrolls the page): the
        # playback controls above the stacked chart, large enough to tap
        assert g["bar"]["bottom"] <= g["chart"]["top"], g
        assert g["verdict"]["top"] >= g["chart"]["bottom"], g      # the verdict after it
        for control in ("play", "back", "forward"):
            assert inside(g[control], 390, 844), (control, g)
            assert g[control]["height"] >= 40 and g[control]["width"] >= 44, (control, g)
        # the whole chart (Streamlit's page scrolls inside its own element: a full-page
        # screenshot would stop at the window)
        page.locator(".gdviz-chart").first.screenshot(
            path=str(shot.with_name(shot.stem.replace("390x844", "chart") + ".png")))
        shown = page.evaluate(PANELS)
        assert shown["panels"], "no panel drawn"
        for panel in shown["panels"]:
            assert panel["width"] >= 220, panel
        for title in shown["titles"]:
            for other in shown["legends"]:
                assert not meet(title, other), (title, other)
        assert page.evaluate(CLASHES) == []        # axis titles clear of ticks and legend
        # panels do not overlap one another (they stack)
        boxes = shown["panels"]
        assert not any(meet(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
        frame = "() => document.querySelector('.gdviz-player').dataset.frame"
        first = page.evaluate(frame)
        player_button(page, "Step forward").tap()
        page.wait_for_function(f"(first) => ({frame})() !== first", arg=first)
        names = page.evaluate_handle(
            "() => { const n = []; document.querySelector('.js-plotly-plot')"
            ".on('plotly_animatingframe', (e) => n.push(e.name)); return n; }")
        player_button(page, "Play").tap()
        page.wait_for_function("(n) => n.length >= 2", arg=names)
    finally:
        context.close()


def test_the_toggle_turns_the_presenter_view_on_in_place(browser, app_url):
    """Turned on mid-lesson: the link carries it, the sidebar folds away, the chart refits."""
    context, page = open_at(browser, f"{app_url}/", 1280, 720)
    try:
        assert page.evaluate(GEOMETRY)["sidebar"]["right"] > 0      # open in the normal view
        page.get_by_text("Presenter view").click()
        page.wait_for_url("**/?present=true", timeout=30_000)
        page.wait_for_function("() => { const g = document.querySelector('.gdviz-chart'); "
                               "return g?.dataset.fit === 'viewport' && "
                               "g.dataset.settled === 'true'; }", timeout=30_000)
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                               ".getBoundingClientRect().right <= 0", timeout=10_000)
        g = page.evaluate(GEOMETRY)
        assert inside(g["play"], 1280, 720) and g["chart"]["width"] >= 0.6 * 1280, g
    finally:
        context.close()


# How wide plotly drew the chart (its outer <svg>) beside the box the page gives it.
DRAWN_WIDTH = """() => { const g = document.querySelector('.gdviz-chart');
  return {box: g.getBoundingClientRect().width,
          drawn: g.querySelector('svg.main-svg').getBoundingClientRect().width}; }"""


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p or "descent")
def test_opening_the_sidebar_in_the_presenter_view_keeps_the_chart_in_its_column(
        browser, app_url, lesson):
    """A teacher opens the sidebar to change η: the window keeps its size, the chart's
    column narrows, and the chart follows it instead of running under the verdict."""
    context, page = open_at(browser, f"{app_url}/{lesson}?present=1", 1280, 720)
    try:
        before = page.evaluate(DRAWN_WIDTH)
        assert abs(before["drawn"] - before["box"]) <= 1, before
        page.locator("[data-testid=stExpandSidebarButton], "
                     "[data-testid=stSidebarCollapsedControl] button").first.click()
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                               ".getBoundingClientRect().right > 200", timeout=10_000)
        page.wait_for_function(
            """() => { const g = document.querySelector('.gdviz-chart');
                       const svg = g.querySelector('svg.main-svg');
                       return g.dataset.settled === 'true' && Math.abs(
                         svg.getBoundingClientRect().width - g.getBoundingClientRect().width)
                         <= 1; }""", timeout=30_000)
        g = page.evaluate(GEOMETRY)
        after = page.evaluate(DRAWN_WIDTH)
        assert after["box"] < before["box"] - 100, (before, after)   # the column did narrow
        assert g["chart"]["right"] <= g["verdict"]["left"], g
        assert page.evaluate(CLASHES) == []
    finally:
        context.close()
