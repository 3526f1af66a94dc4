"""Lesson links on the page: the options a link opened a lesson with (lock, hide, prompt),
the teacher's question shown as plain text, and the "Share with the class" panel that builds
the link of the current view and its QR code."""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import segno
import streamlit as st

from gdviz import classroom, links, quiz
from gdviz.links import LinkOptions
from gdviz.pages import session
from gdviz.settings import Field, by_key

QR_PX = 480          # the QR's side on screen: projected, a phone reads it from the back row
QR_ERROR = "m"       # segno's error level: 15 % of the code may be lost to glare


def link_options(lesson: str, fields: Sequence[Field], link: dict[str, list[str]]
                 ) -> tuple[LinkOptions, list[str]]:
    """The lesson's lock, hide and prompt, and notes on the link's refused values.

    `link` is what common.open_link returned: the link's parameters on the run that opens
    it (read here and remembered for the session), nothing on later runs (remembered).
    """
    if not link:
        return session.link_options(lesson), []
    options, notes = links.read_options(fields, link)
    session.keep_link_options(lesson, options)
    return options, notes


def controls_box(options: LinkOptions, title: str) -> Any:
    """Where the lesson's controls are drawn: the sidebar, or with hide=sidebar a folded box
    on the page. Drawing nothing into st.sidebar (and app.py hiding the page menu) is the
    documented way to have no sidebar; the controls stay reachable, and still read the link."""
    return st.expander(title, expanded=False) if options.hide_sidebar else st.sidebar


def show_prompt(options: LinkOptions) -> None:
    """The teacher's question, as plain text: st.text renders no Markdown and no HTML."""
    if options.prompt:
        with st.container(border=True):
            st.caption("Your teacher asks")
            st.text(options.prompt)


def base_url() -> str:
    """This page's address without its query (st.context.url), or "" when Streamlit cannot
    say, which leaves a link relative to the page it is opened from."""
    url = st.context.url
    if not url:
        return ""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))


@st.cache_data(max_entries=64, show_spinner=False)
def qr_png(link: str, px: int = QR_PX) -> bytes | None:
    """The QR code of `link` as a PNG that segno draws, about `px` pixels a side with the
    standard quiet zone, or None when the link is longer than a QR code holds (a long
    question in emoji can make it so).

    A picture, not segno's SVG through st.html: Streamlit 1.67's st.html sanitises with
    DOMPurify's HTML profile, which drops <svg>, so a browser showed nothing where AppTest
    saw the code (tests/test_browser_descent.py now reads the picture a browser shows).
    """
    try:
        qr = segno.make(link, error=QR_ERROR, micro=False)
    except segno.DataOverflowError:
        return None
    out = io.BytesIO()
    qr.save(out, kind="png", scale=max(2, round(px / qr.symbol_size(scale=1)[0])))
    return out.getvalue()


def quiz_options(lesson: str, fields: Sequence[Field], options: LinkOptions
                 ) -> tuple[bool, tuple[float, float] | None]:
    """The panel's quiz choice: predict-then-reveal on or off, and the range of η a new
    round draws from (None: the lesson's own, left out of the link)."""
    on = st.toggle("Quiz: students predict what the run will do, commit, then see it",
                   value=options.quiz, key=f"share.{lesson}.quiz")
    if not on:
        return False, None
    default = quiz.range_text(*quiz.DEFAULT_RANGES[lesson])
    given = quiz.range_text(*options.quiz_lr) if options.quiz_lr else default
    field = by_key(fields)["lr"]
    text = st.text_input(f"New rounds draw η from (LO{quiz.RANGE_SEP}HI)", value=given,
                         key=f"share.{lesson}.quiz_lr")
    try:
        lr_range = quiz.parse_range(text, field)
    except ValueError as err:     # its sentence does not repeat the text typed
        st.warning(f"{err}; the link leaves it out, so a new round draws from {default}.",
                   icon="🔗")
        return True, None
    return True, None if quiz.range_text(*lr_range) == default else lr_range


def class_option(lesson: str, options: LinkOptions) -> str:
    """The panel's class code: students' runs go to that class's board ("" for none)."""
    text = st.text_input("Class code (students can send their runs to your class board; "
                         "make a class at /class)", value=options.class_code,
                         max_chars=16, key=f"share.{lesson}.class")
    if not text.strip():
        return ""
    code = classroom.normal_code(text)
    if code is None:          # its sentence does not repeat the text typed
        st.warning(f"A class code is {classroom.CODE_LENGTH} letters and digits; the link "
                   "leaves it out.", icon="🔗")
        return ""
    return code


def share_panel(lesson: str, fields: Sequence[Field], values: Mapping[str, Any],
                options: LinkOptions) -> str | None:
    """The "Share with the class" panel: what to lock, whether to hide the sidebar, a
    question, a quiz; then the link of the current view with those options, and its QR code.

    The panel's content is built only while it is open (a stateful expander reruns the page
    when it opens or closes): a new link's QR code costs about 10 ms and 10-30 KB of SVG,
    which every control change would otherwise pay for a panel nobody is looking at.

    Returns:
        The link shown, or None while the panel is closed.
    """
    panel = st.expander("Share with the class", key=f"share.{lesson}.open", on_change="rerun")
    if not panel.open:
        return None
    with panel:
        st.markdown("A link to this view, exactly as it is now. Choose what students may not "
                    "change, and a question to show them above the chart.")
        cols = st.columns(4)
        lock = tuple(f.key for i, f in enumerate(fields) if cols[i % 4].checkbox(
            f"Lock {f.key}", value=f.key in options.lock, key=f"share.{lesson}.lock.{f.key}",
            help=f.label))
        hide = st.toggle("Hide the sidebar (the controls fold into a box on the page)",
                         value=options.hide_sidebar, key=f"share.{lesson}.hide")
        prompt = st.text_area("Question for the class (plain text)", value=options.prompt,
                              max_chars=links.PROMPT_MAX, key=f"share.{lesson}.prompt")
        on, lr_range = quiz_options(lesson, fields, options)
        code = class_option(lesson, options)
        chosen = LinkOptions(lock, hide, prompt.strip()[:links.PROMPT_MAX].rstrip(), on,
                             lr_range, code)
        link = f"{base_url()}?{links.link_query(values, chosen)}"
        st.code(link, language=None, wrap_lines=True)
        picture = qr_png(link)
        if picture is None:
            st.warning("This link is too long for a QR code: shorten the question.", icon="🔗")
        else:
            st.image(picture, width=QR_PX)
        st.caption("Project this page: students scan the code, or open the link above.")
    return link
