"""What every page shares: widgets drawn from a settings table and bound to the URL, the
link as it was opened, the notes that explain its values the page could not use, and the
row of sections below a chart. What each lesson keeps across pages is gdviz/pages/session.py."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from gdviz.pages import session
from gdviz.pages.session import SECTION
from gdviz.settings import Field


def url_snapshot() -> dict[str, list[str]]:
    """The link's parameters as they arrived, before bound widgets clean them up."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def open_link(lesson: str, fields: Sequence[Field]) -> dict[str, list[str]]:
    """Open `lesson` (session.open_lesson) before any widget is drawn, and return the link's
    parameters still to explain: all of them on the run that opens a link, none after.

    A whole-number setting whose link value an int widget would misread is taken out of the
    link first (drop_from_link), so its widget shows the default, as the note then says.
    """
    fresh = session.open_lesson(lesson, fields)
    link = url_snapshot()
    misread = [f.key for f in fields if f.key in link and _misread_as_int(f, link[f.key])]
    if misread:
        drop_from_link(misread)
    return link if fresh else {}


def _misread_as_int(field: Field, values: list[str]) -> bool:
    """Whether a bound int widget would misread this link value. Streamlit reads it as
    int(float(text)): `1e309` or `inf` raise an OverflowError it does not catch, and `2.5`
    becomes 2 where our table refuses it. Any other bad value the widget itself replaces
    with its default, as our table does."""
    if field.kind is not int or field.choices is not None:
        return False
    for v in values:
        try:
            number = float(v)
        except ValueError:
            continue
        if not number.is_integer():      # inf and nan included
            return True
    return False


def drop_from_link(keys: Sequence[str]) -> None:
    """Take `keys` out of the link before their widgets are seeded from it.

    A Streamlit bug forces an internal here, and this is the only place gdviz uses one. In
    Streamlit 1.67 an int number_input bound to the URL reads a link value as
    int(float(text)) (NumberInputSerde.deserialize): `1e309` or `inf` raise an OverflowError
    that SessionState._seed_widget_from_url does not catch, and `2.5` is cut to 2, where
    streamlit/streamlit#13917, which bound number_input to the URL, meant invalid values to
    fall back to the default. We found no issue reporting the crash upstream. Deleting the
    parameter through st.query_params is not enough: widgets are seeded from a copy of the
    link taken as the run starts, which only QueryParams.set_initial_query_params_from_current
    renews. tests/test_hostile.py::test_the_link_guard_reaches_streamlits_seed_copy fails if
    these internals move, and ::test_streamlit_still_misreads_int_links fails once the bug is
    fixed, when this function can go.
    """
    from streamlit.runtime.state import get_session_state  # internal, see above

    for key in keys:
        del st.query_params[key]
    with get_session_state().query_params() as qp:
        qp.set_initial_query_params_from_current()


def widget(field: Field, container: Any = None, **extra: Any) -> Any:
    """Draw `field` as a widget bound to the URL under its key, and return its value."""
    box = container if container is not None else st
    common = dict(key=field.key, help=field.help or None, bind="query-params")
    common.update(extra)
    if field.kind is bool:
        return box.toggle(field.label, value=field.default, **common)
    if field.choices is not None:
        return box.selectbox(field.label, field.choices,
                             index=field.choices.index(field.default), **common)
    number = dict(min_value=_typed(field, field.lo), max_value=_typed(field, field.hi),
                  value=field.default)
    if field.step is not None:
        number["step"] = _typed(field, field.step)
    if field.widget == "slider":
        return box.slider(field.label, **number, **common)
    if field.kind is float:
        number["format"] = _format(field)
    return box.number_input(field.label, **number, **common)


def _typed(field: Field, v: float | None) -> Any:
    return None if v is None else field.kind(v)


def _format(field: Field) -> str:
    step = field.step or 0.01
    places = max(0, len(f"{step:g}".split(".")[1]) if "." in f"{step:g}" else 0)
    return f"%.{max(places, 1)}f"


def url_notes(fields: Sequence[Field], raw: dict[str, list[str]], values: dict[str, Any],
              known: Sequence[str] = ()) -> list[str]:
    """Explain each value in the link that the page could not use, and what it shows instead.

    Args:
        fields: the page's settings table.
        raw: the link's parameters as they arrived (url_snapshot()).
        values: what the widgets ended up holding.
        known: other parameter names the page accepts without a widget of this table.
    """
    notes = []
    for f in fields:
        if f.key not in raw or f.key not in values:
            continue
        shown = f"showing {f.key} = {values[f.key]}"
        if values[f.key] == f.default:
            shown += ", the default"
        try:
            wanted = f.parse(_single(f.key, raw[f.key]))
        except ValueError as err:
            notes.append(f"{err}; {shown}.")
            continue
        if not _same(wanted, values[f.key]):
            notes.append(f"{f.key} = {_safe(raw[f.key][-1])} could not be used as given; "
                         f"{shown}.")
    keys = {f.key for f in fields}
    for key in raw:
        if key not in keys and key not in known:
            notes.append(f"The link's setting {_safe(key)!r} is not one this page knows; "
                         "it was ignored.")
    return notes


def _single(key: str, values: list[str]) -> str:
    if len(values) != 1:
        raise ValueError(f"{key} appears {len(values)} times in the link")
    return values[0]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def _safe(text: str) -> str:
    return text[:40]


def show_url_notes(fields: Sequence[Field], raw: dict[str, list[str]], values: dict[str, Any],
                   known: Sequence[str] = (), more: Sequence[str] = ()) -> None:
    """Show a visible note for each link value not used as given (nothing when the link was
    fine), saying what the page shows instead; `more` adds notes the page made itself (on a
    lesson link's lock, hide and prompt)."""
    notes = [*url_notes(fields, raw, values, known), *more]
    if notes:
        st.warning("**Some settings in the link could not be used as given:**\n\n"
                   + "\n".join(f"- {_md_escape(n)}" for n in notes), icon="🔗")


def _md_escape(text: str) -> str:
    """Neutralise Markdown and HTML in text that came from a URL."""
    out = text
    for ch in "\\`*_{}[]()<>#+!|~$":
        out = out.replace(ch, "\\" + ch)
    return out


def section(lesson: str, names: Sequence[str]) -> str:
    """The open section below the chart, picked from a row of buttons bound to `?tab=`.

    A segmented control instead of st.tabs: the tabs widget costs the browser ~30–50 ms on
    every control change (measured with bench/browser.py), and only the open section's
    content is computed and sent anyway. An unknown `tab` in a link falls back to the first.
    Each lesson keeps its own open section across page switches (gdviz/pages/session.py).
    """
    picked = st.segmented_control("Show", list(names), default=names[0], key=SECTION,
                                  bind="query-params", required=True,
                                  label_visibility="collapsed")
    picked = picked if picked in names else names[0]
    session.keep_section(lesson, picked)
    return picked
