"""The presenter view (`present=1`, a toggle on every page) and where each part of a lesson
goes on the page, in the presenter view, the normal view, and on a phone.

In the presenter view the lesson's chart fills the window's height (chart.js fits it) at
five sevenths of the width, the title, the toggle and the verdict beside it, and
everything else below; the sidebar starts collapsed and the text is large. The view is a
setting like the others: bound to the URL, so a link carries it, and a refused value falls
back to the normal view with a note. What a page shows is the same in both views; only its
place and size change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from gdviz import links
from gdviz.links import PRESENT, PRESENT_FIELD
from gdviz.pages.chart import FIT_VIEWPORT

_KEPT = "gdviz.present"     # session state: the view this session showed last, for page switches

# Large type for the back of the room: Streamlit sizes its text in rem, so the root size
# scales it all (23 px: body text 23 px, captions 20 px); narrower margins around the page,
# so the chart gets the room. The selector is Streamlit's main block: if it ever stops
# matching, the page only keeps its usual margins. The playback controls under the chart
# (gdviz/playback.js, sized in rem) keep their buttons on one row, so that the chart keeps
# its height, and their status line is as large as the body text.
PRESENTER_CSS = """<style>
html { font-size: 23px; }
[data-testid="stMainBlockContainer"] { padding: 4rem 1.2rem 4rem; }
div.gdviz-player { gap: 8px; margin: 6px 0 0; }
div.gdviz-player button { padding: 4px 12px; }
div.gdviz-player .gdviz-status { font-size: 20px; margin: 0; }
</style>"""

# A phone (Streamlit stacks columns below 640 px): the lead paragraph, the presets and the
# share panel go below the chart, and so does a verdict written above the chart, so that
# the chart and its playback controls are on the first screen; the title is smaller,
# and the controls' status line keeps room for three lines.
# `order` moves the keyed containers (st.container(key=...) gives them the class st-key-KEY)
# within their column: on the container, or on the wrapper Streamlit 1.67 puts around it
# (`:has(> …)`). Where it is not honoured they keep the desktop's order.
INTRO, STAGE, REST, SIDE = "gdviz-intro", "gdviz-stage", "gdviz-rest", "gdviz-side"
PHONE_CSS = "<style>\n@media (max-width: 640px) {\n" + "".join(
    f"  .st-key-{key}, :has(> .st-key-{key}) {{ order: {n}; }}\n"
    for n, key in enumerate((STAGE, INTRO, REST), start=1)) + (
    # within the stage only: the verdict's wrapper, never the stage itself
    f"  .st-key-{STAGE} > .st-key-{SIDE}, .st-key-{STAGE} > :has(> .st-key-{SIDE}) "
    "{ order: 1; }\n"
    "  [data-testid=stMainBlockContainer] h1 { font-size: 2rem; }\n"
    # the playback controls sit above the chart: a status line that wraps to one more line
    # as the frame's words change would move the chart mid-play
    "  div.gdviz-player .gdviz-status { min-height: 3.9em; }\n}\n</style>")


def presenting(link: dict[str, list[str]]) -> tuple[bool, list[str]]:
    """Whether this run shows the presenter view, and notes on a `present` the link gave
    that could not be used. Call before any widget is drawn.

    `link` is what common.open_link returned (the link's parameters on the run that opens
    it). Streamlit's own URL binding reads only true and false, so the link's value is read
    here (1, yes and on too) and given to the toggle's state before the toggle is drawn. A
    page switch drops the toggle's URL parameter: the session's last view is put back.
    """
    wanted, notes = links.read_present(link)
    if wanted is not None:
        st.session_state[PRESENT] = wanted
    elif PRESENT not in st.session_state:
        st.session_state[PRESENT] = st.session_state.get(_KEPT, PRESENT_FIELD.default)
    on = bool(st.session_state[PRESENT])
    st.session_state[_KEPT] = on
    if on:
        st.set_page_config(initial_sidebar_state="collapsed")
    return on, notes


def toggle(box: Any = None) -> bool:
    """The presenter view's toggle, bound to the URL as `present`."""
    return (box or st).toggle(PRESENT_FIELD.label, key=PRESENT, help=PRESENT_FIELD.help,
                              bind="query-params")


def title_row(text: str, on: bool) -> None:
    """The page's title with the presenter toggle beside it; when on, in the column beside
    the chart (a smaller title over the toggle), so the chart starts at the window's top."""
    if on:
        st.markdown(f"#### {text}")      # our own words: no text from the link
        toggle()
        return
    left, right = st.columns([3, 1], vertical_alignment="center")   # room for the label
    left.title(text)
    toggle(right)


@dataclass(frozen=True)
class Layout:
    """Where each part of a lesson goes: containers to write into with `with`.

    head: the title row. notes: the link's notes and the teacher's question. intro: the
    lead, the presets and the share panel. chart: the lesson's chart. ask: a quiz's
    question about the chart, above the verdict. verdict: the verdict, a slot of its own so
    that it can be sent with an early chart (session.lead). side: what follows the verdict.
    rest: the sections below. fit: the chart's fit (FIT_VIEWPORT in the presenter view).
    """

    head: Any
    notes: Any
    intro: Any
    chart: Any
    ask: Any
    verdict: Any
    side: Any
    rest: Any
    fit: str | None


def layout(on: bool, beside: tuple[int, int] | None, quiz: bool = False) -> Layout:
    """The page's containers, in page order.

    Normal view: title, lead, notes, presets and share panel above the chart; the verdict
    beside the chart when `beside` gives the columns' widths, else above it. Presenter
    view: the chart at the top (5/7 of the width), the title, the toggle, the notes, the
    question and the verdict beside it, and the lead, presets and share panel below. On a
    phone the normal view moves the lead, presets and share panel, and a verdict above the
    chart, below the chart (PHONE_CSS); in a quiz (`quiz`) the side holds the question
    asked about the chart, which stays above it.
    """
    if on:
        st.html(PRESENTER_CSS)
        chart, column = st.columns([5, 2], gap="medium")
        head = column.container()        # the title row on top, then notes and verdict
        ask, verdict, side = _verdict_slots(column, head, quiz)
        intro = st.container(key=INTRO)
        return Layout(head, head, intro, chart, ask, verdict, side, st.container(key=REST),
                      FIT_VIEWPORT)
    st.html(PHONE_CSS)
    head = st.container()
    intro = st.container(key=INTRO)
    stage = st.container(key=STAGE)
    if beside:
        chart, column = stage.columns(list(beside), gap="large")
    else:           # the verdict above the chart (it is filled after the chart is sent)
        column, chart = stage.container(key=None if quiz else SIDE), stage.container()
    ask, verdict, side = _verdict_slots(column, column, quiz)
    return Layout(head, head, intro, chart, ask, verdict, side, st.container(key=REST), None)


def _verdict_slots(column: Any, top: Any, quiz: bool) -> tuple[Any, Any, Any]:
    """Where a quiz's question, the verdict and what follows it go in `column`, below
    `top`. A quiz never sends its verdict early: all three are `top`, filled in order (an
    empty container would still take a gap). Otherwise the verdict gets a container of its
    own, so that it keeps its place when it is written before the title and notes above."""
    if quiz:
        return top, top, top
    return top, column.container(), column.container()
