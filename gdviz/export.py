"""Exports a teacher can keep: a run as CSV, an animation as one offline HTML file."""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np


def csv_text(columns: Mapping[str, Sequence | np.ndarray], header: Sequence[str] = ()) -> str:
    """Columns of equal length as CSV, preceded by `# ` comment lines (the settings used).

    Floats keep full precision (repr), so the file reproduces the run exactly.
    """
    names = list(columns)
    cols = [list(np.asarray(columns[n]).tolist()) for n in names]
    if len({len(c) for c in cols}) > 1:
        raise ValueError("all CSV columns must have the same length")
    out = io.StringIO()
    for line in header:
        out.write(f"# {line}\n")
    out.write(",".join(names) + "\n")
    for row in zip(*cols, strict=True):
        out.write(",".join(_cell(v) for v in row) + "\n")
    return out.getvalue()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    text = str(v)
    return f'"{text}"' if ("," in text or '"' in text) else text


def standalone_html(fig, title: str) -> str:
    """The figure as a complete HTML page with plotly.js inlined, so it plays offline.

    Args:
        fig: a plotly go.Figure (frames and buttons included).
        title: the page title.
    """
    html = fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False,
                       config={"displaylogo": False, "responsive": True})
    return html.replace("<head>", f"<head><meta charset=\"utf-8\"><title>{_esc(title)}</title>", 1)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
