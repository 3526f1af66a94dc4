"""Exports a teacher can keep: a run as CSV, an animation as one offline HTML file."""
from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

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


# The playback controls the lesson's chart has (play, pause, steps, speed, keys, the status
# line), the same file the chart component runs: the offline file plays as the page does.
PLAYBACK_FILE = Path(__file__).with_name("playback.js")
# Runs once plotly.js has drawn the figure (plotly.py's post_script; {plot_id} is the chart's
# <div>). The keys 1–6 pick presets on the page only: the file has none.
PLAYER = """(() => {
%s
const fig = %s;
const gd = document.getElementById("{plot_id}");
const bar = document.createElement("div");
gd.parentNode.insertBefore(bar, gd.nextSibling);
const player = makePlayer(Plotly, gd, bar);
player.show(playbackInfo(fig));
describeChart(gd, fig);
document.addEventListener("keydown", (event) => {
  const action = keyAction(event);
  if (action == null || typeof action === "number") return;
  event.preventDefault();
  player.press(action);
});
})();"""


def player_script(fig) -> str:
    """The JavaScript that gives an exported figure gdviz's playback controls."""
    d = fig.to_dict()
    facts = dict(layout=dict(meta=d["layout"].get("meta"), title=d["layout"].get("title")),
                 frames=[dict(name=f.get("name")) for f in d.get("frames", [])])
    # the words go inside a <script>: no "</" may close it early
    return PLAYER % (PLAYBACK_FILE.read_text(encoding="utf-8"),
                     json.dumps(facts, ensure_ascii=False).replace("</", "<\\/"))


def standalone_html(fig, title: str) -> str:
    """The figure as a complete HTML page with plotly.js inlined, so it plays offline, with
    the lesson chart's playback controls (gdviz/playback.js).

    Args:
        fig: a style.Spec or a plotly go.Figure (frames and its layout.meta included).
        title: the page title.
    """
    html = fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False,
                       config={"displaylogo": False, "responsive": True},
                       post_script=player_script(fig))
    return html.replace("<head>", f"<head><meta charset=\"utf-8\"><title>{_esc(title)}</title>", 1)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
