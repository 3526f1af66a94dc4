"""What a student's session remembers of each lesson: its settings and its open section.

Both lessons bind a widget to the URL names `lr` and `tab`, and Streamlit keeps one session
state for all pages, so without this module the descent's η = 0.8 would become the neuron's
η, and the neuron's 80 a refused value on the descent. Each lesson therefore writes down what
it ran with (`keep_settings`, `keep_section`), and when the student comes back to it from
another page its widgets are given those values again before they are drawn
(`open_lesson`). Streamlit itself drops the other page's bound parameters from the URL on a
page switch, so the widgets read what is put back here, and the URL then follows them.

A link opened fresh starts a new session: nothing is remembered yet, and the widgets read
the link. That is how the teacher's shared view wins.
"""
from __future__ import annotations

import time
from collections.abc import Sequence

import streamlit as st

from gdviz.links import LinkOptions
from gdviz.settings import Field

SECTION = "tab"                 # the URL name of the open section below a lesson's chart
_ON_SCREEN = "gdviz.lesson"     # the lesson this session showed last


def _settings_key(lesson: str) -> str:
    return f"gdviz.{lesson}.settings"


def _section_key(lesson: str) -> str:
    return f"gdviz.{lesson}.section"


def open_lesson(lesson: str, fields: Sequence[Field]) -> bool:
    """Start a run of `lesson`, before any of its widgets is drawn.

    When the student comes from another page, this lesson's own settings (its defaults if
    it was never opened) and its open section go back into its widgets' keys.

    Returns:
        Whether this run opens a link: the session's first run, whose URL the widgets read
        and whose refused values deserve a note.
    """
    shown = st.session_state.get(_ON_SCREEN)
    st.session_state[_ON_SCREEN] = lesson
    if shown is None:
        return True
    if shown != lesson:
        own = settings(lesson) or {}
        for f in fields:
            st.session_state[f.key] = own.get(f.key, f.default)
        section = st.session_state.get(_section_key(lesson))
        if section is None:
            st.session_state.pop(SECTION, None)     # the segmented control's own default
        else:
            st.session_state[SECTION] = section
    return False


def settings(lesson: str) -> dict | None:
    """The settings `lesson` last ran with in this session (None if it was never opened).

    /math reads the neuron's settings this way: the run the student last trained.
    """
    kept = st.session_state.get(_settings_key(lesson))
    return None if kept is None else dict(kept)


def keep_settings(lesson: str, values: dict) -> None:
    """Write down what `lesson` runs with now, for open_lesson and for /math."""
    st.session_state[_settings_key(lesson)] = dict(values)


def keep_section(lesson: str, name: str) -> None:
    """Write down the section open below `lesson`'s chart."""
    st.session_state[_section_key(lesson)] = name


_EARLY_OFF = "gdviz.no_early_chart"


def held(keys: Sequence[str]) -> dict | None:
    """What the widgets `keys` hold as this run starts, before any of them is drawn, in the
    order of `keys`; None on the session's first run of the page (a widget holds nothing
    yet) or once early() found a disagreement.

    A control change reaches session state before the script runs, so a lesson can send its
    new chart ahead of the sidebar's widgets: the browser handles messages in order, and the
    chart no longer waits behind eleven widgets on /neuron (docs/performance.md).
    """
    state = st.session_state
    if state.get(_EARLY_OFF) or not all(k in state for k in keys):
        return None
    return {k: state[k] for k in keys}


def check_early(early: dict | None, values: dict) -> bool:
    """Whether a chart was drawn from `early` (held) and shows `values`, what the widgets
    returned once drawn. They agree whenever a widget keeps the value it was given; should
    one ever change it, the page runs again at once and this session draws its chart after
    the widgets from then on."""
    if early is None:
        return False
    if early != values:
        st.session_state[_EARLY_OFF] = True
        st.rerun()
    return True


def lead(seconds: float) -> None:
    """Give the browser `seconds` to draw a chart sent early (held), and the verdict sent
    with it, before the rest of the page follows.

    Streamlit's front end renders the elements that arrive together in one pass, and calls
    a component's JavaScript only once that pass is on the page. When the page's other ~45
    elements arrive right behind the chart, the chart waits 45–90 ms for all of them to be
    rendered (timed in Chromium, docs/performance.md); with a pause it gets a pass of its
    own. Each lesson passes the pause its chart needs, measured with bench/browser.py
    beside the floor app: on / 80 ms took a control change → chart from ~223 to ~140 ms;
    on /neuron, whose 200 KB figure takes longer to arrive and draw, 80 ms was not enough
    and 120 ms took it from ~272 to ~184 ms. The widgets and the sections below arrive that
    much later; the verdict does not, so the words beside the chart agree with it. Only a
    control change pays it: a page's first run draws its chart after the widgets.
    """
    time.sleep(seconds)


def _options_key(lesson: str) -> str:
    return f"gdviz.{lesson}.link_options"


def keep_link_options(lesson: str, options: LinkOptions) -> None:
    """Write down the lock, hide and prompt of the link that opened `lesson`: they hold for
    the whole session, also after a visit to another page, whose switch drops them from the
    URL."""
    st.session_state[_options_key(lesson)] = options


def link_options(lesson: str) -> LinkOptions:
    """The lock, hide and prompt `lesson` was opened with (none if it was opened plainly)."""
    return st.session_state.get(_options_key(lesson), LinkOptions())
