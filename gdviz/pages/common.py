"""What every page shares: widgets drawn from a settings table, bound to the URL, and the
notes that explain a link whose values could not be used."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.state import get_session_state

from gdviz.settings import Field, parse_settings


def url_snapshot() -> dict[str, list[str]]:
    """The link's parameters as they arrived, before bound widgets clean them up."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def arrive(page: str, fields: Sequence[Field], raw: dict[str, list[str]]) -> dict:
    """Keep each page's own settings when the student moves between pages.

    Both lessons bind a widget to `lr`, and Streamlit carries a bound parameter across a
    page switch (and session state is shared by all pages), so the descent's η = 0.8 would
    become the neuron's η, and the neuron's 80 a refused value on the descent. On arrival
    from another page every setting of this page is put back to what this page last showed
    (or its default). A link opened fresh, the teacher's shared view, is left as it came.

    Returns:
        The link's parameters this page should read: `raw` less what was replaced.
    """
    last = st.session_state.get(LAST_PAGE)
    st.session_state[LAST_PAGE] = page
    if last is None or last == page:
        return raw
    mine = st.session_state.get(_memory(page), {})
    _forget([*(f.key for f in fields), SECTION])
    for f in fields:   # session state is one for all pages: `lr` would carry over there too
        st.session_state[f.key] = mine.get(f.key, f.default)
    st.session_state.pop(SECTION, None)   # the open section too, which section() restores
    return {k: v for k, v in raw.items() if k not in {f.key for f in fields} | {SECTION}}


def from_link(page: str, fields: Sequence[Field]) -> dict[str, list[str]]:
    """The link as this page should read it, before any widget exists: this page's own
    settings restored on arrival from another page (arrive), refused values taken out
    (drop_refused). Returns the parameters to explain later with settled()."""
    raw = arrive(page, fields, url_snapshot())
    drop_refused(fields, raw)
    return raw


def held(keys: Sequence[str]) -> dict | None:
    """What the widgets `keys` hold as this run starts, before any of them is drawn; None
    when one holds nothing yet (the session's first run of the page) or after drawn_early
    found a disagreement.

    A control change reaches session state before the script runs, so a lesson can send
    its new chart before the sidebar's widgets: on `/neuron` its eleven widgets cost
    ~17 ms of script time, which the chart no longer waits for (bench/browser.py).
    """
    state = st.session_state
    if state.get(_EARLY_OFF) or not all(k in state for k in keys):
        return None
    return {k: state[k] for k in keys}


def drawn_early(early: dict | None, values: dict) -> bool:
    """Whether a chart was drawn from `early` (held()) and shows `values`, what the widgets
    returned once drawn. They always agree in gdviz's tests; should Streamlit ever change a
    value while drawing its widget, the page runs again at once and this session draws its
    chart after the widgets from then on."""
    if early is None:
        return False
    if early != values:
        st.session_state[_EARLY_OFF] = True
        st.rerun()
    return True


_EARLY_OFF = "_gdviz_no_early_chart"


def settled(page: str, fields: Sequence[Field], raw: dict[str, list[str]],
            values: dict[str, Any]) -> None:
    """After the widgets: remember what the page shows, and on the page's first run of the
    session explain each link value that could not be used."""
    remember(page, values)
    checked = _memory(page, "link_checked")
    if not st.session_state.get(checked):
        st.session_state[checked] = True
        show_url_notes(fields, raw, values, known=(SECTION,))


def remember(page: str, values: dict) -> None:
    """What this page shows now, for arrive() to restore after a visit elsewhere."""
    st.session_state[_memory(page)] = dict(values)


def recall(page: str) -> dict | None:
    """What `page` showed when the student last left it (None if never visited)."""
    return st.session_state.get(_memory(page))


LAST_PAGE = "_gdviz_page"


def _memory(page: str, what: str = "settings") -> str:
    return f"_gdviz_{page}_{what}"


def _forget(keys) -> None:
    """Remove link parameters before any widget is seeded from them (see drop_refused)."""
    with get_session_state().query_params() as qp:
        for key in keys:
            if key in qp:
                try:
                    del qp[key]
                except Exception:  # noqa: BLE001 - already bound: Streamlit owns it now
                    pass
        reset = getattr(qp, "set_initial_query_params_from_current", None)
        if reset is not None:
            reset()


def drop_refused(fields: Sequence[Field], raw: dict[str, list[str]]) -> None:
    """Take values our own tables refuse out of the URL before any widget reads them.

    Streamlit's URL binding has gaps of its own (a bound int widget given 1e309 or inf raises
    OverflowError inside Streamlit 1.67), so nothing refused here may reach a widget. The
    snapshot `raw` keeps the value, so show_url_notes still explains it. Widgets are seeded
    from Streamlit's copy of the link as it arrived, which only an internal method resets;
    if that method ever moves, the hostile-link tests catch the crash this guards against.
    """
    refused = [f.key for f in fields if f.key in raw and not _acceptable(f, raw[f.key])]
    if refused:
        _forget(refused)


def _acceptable(field: Field, values: list[str]) -> bool:
    try:
        field.parse(values[0] if len(values) == 1 else None)
    except (ValueError, TypeError):
        return False
    return True


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
    """Explain each value in the link that the page could not use.

    Args:
        fields: the page's settings table.
        raw: the link's parameters as they arrived (url_snapshot()).
        values: what the widgets ended up holding.
        known: other parameter names the page accepts without a widget of this table.
    """
    keys = {f.key for f in fields}
    parsed, notes = parse_settings(fields, {k: v for k, v in raw.items() if k in keys})
    for f in fields:
        if f.key in raw and f.key in values and not _same(parsed[f.key], values[f.key]):
            if parsed[f.key] != f.default:
                notes.append(f"{f.key} = {_safe(raw[f.key][-1])} could not be used as given; "
                             f"showing {f.key} = {values[f.key]}.")
    for key in raw:
        if key not in keys and key not in known:
            notes.append(f"The link's setting {_safe(key)!r} is not one this page knows; "
                         "it was ignored.")
    return notes


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def _safe(text: str) -> str:
    return text[:40]


def show_url_notes(fields: Sequence[Field], raw: dict[str, list[str]], values: dict[str, Any],
                   known: Sequence[str] = ()) -> None:
    """Show a visible note for each refused link value (nothing when the link was fine)."""
    notes = url_notes(fields, raw, values, known)
    if notes:
        st.warning("**Some settings in the link could not be used**, so their defaults are "
                   "shown instead:\n\n" + "\n".join(f"- {_md_escape(n)}" for n in notes),
                   icon="🔗")


def _md_escape(text: str) -> str:
    """Neutralise Markdown and HTML in text that came from a URL."""
    out = text
    for ch in "\\`*_{}[]()<>#+!|~$":
        out = out.replace(ch, "\\" + ch)
    return out


SECTION = "tab"


def section(page: str, names: Sequence[str]) -> str:
    """The open section below the chart, picked from a row of buttons bound to `?tab=`.

    A segmented control instead of st.tabs: the tabs widget costs the browser ~30–50 ms on
    every control change (measured with bench/browser.py), and only the open section's
    content is computed and sent anyway. An unknown `tab` in a link falls back to the first.
    Each page keeps its own open section across page switches (see arrive()).
    """
    memory = _memory(page, "section")
    if SECTION not in st.session_state and st.session_state.get(memory) in names:
        st.session_state[SECTION] = st.session_state[memory]
    picked = st.segmented_control("Show", list(names), default=names[0], key=SECTION,
                                  bind="query-params", required=True,
                                  label_visibility="collapsed")
    picked = picked if picked in names else names[0]
    st.session_state[memory] = picked
    return picked
