"""Lesson 1 at `/`: a ball descending a curve, the learning rate too small, right or too large."""
from __future__ import annotations

import numpy as np
import streamlit as st

from gdviz import compare, descent, export, ledger, objectives
from gdviz.figures import descent as figs
from gdviz.pages.chart import HEAD_START_S, chart
from gdviz.pages.common import drawn_early, from_link, held, section, settled, widget
from gdviz.settings import DESCENT_FIELDS, by_key

FIELDS = by_key(DESCENT_FIELDS)

# name, button label, learning rate as a multiple of 1/f″ (None: the seed's own settings)
PRESETS = (
    ("small", "Too small", 0.02),
    ("seed", "The seed's 0.1", None),
    ("optimal", "Optimal (1/f″)", 1.0),
    ("oscillating", "Oscillating", 1.6),
    ("edge", "At the edge (2/f″)", 2.0),
    ("large", "Too large", 2.2),
)
SWEEP_STEPS = 200
TABS = ("Step ledger", "Learning rates compared", "Steps vs learning rate", "Other methods",
        "Export")
REGIME_WORDS = {
    "creeping": ("creeps towards the minimum from one side", st.info),
    "one step": ("lands on the minimum in a single step", st.success),
    "oscillating": ("jumps across the minimum, closer every time", st.success),
    "bouncing": ("bounces between two points forever", st.warning),
    "diverging": ("overshoots farther every step and diverges", st.error),
}


def objective(s: dict) -> objectives.Objective:
    return objectives.by_name(s["f"], s["a"], s["b"], s["c"])


@st.cache_data(max_entries=512, show_spinner=False)
def lesson(s: dict) -> tuple[descent.DescentRun, descent.Theory, list[str]]:
    obj = objective(s)
    run = descent.descend(obj, s["x0"], s["lr"], s["steps"])
    return run, descent.theory(obj, run), ledger.lines(run, obj, 2)


# Figures are cached as shared objects, not pickled copies: a copy would be re-validated by
# plotly on every rerun (~30 ms), and nothing ever mutates a cached figure.
@st.cache_resource(max_entries=256, show_spinner=False)
def main_figure(s: dict):
    run, th, lines = lesson(s)
    return figs.animated(run, objective(s), lines)


def export_figure(s: dict):
    """The animation with a line naming the run, for a file that stands alone."""
    run, th, lines = lesson(s)
    label = (f"f(x) = {s['f']} · x₀ = {s['x0']:g} · η = {s['lr']:g} · {th.regime} · "
             f"{run.steps} steps · {run.status}")
    return figs.animated(run, objective(s), lines, label)


@st.cache_data(max_entries=128, show_spinner=False)
def rates(s: dict, h: float):
    return compare.rates(objective(s), s["x0"], s["lr"], max(s["steps"], 40), h)


@st.cache_data(max_entries=128, show_spinner=False)
def sweep(f: str, a: float, b: float, c: float, x0: float, h: float):
    """The sweep does not depend on the chosen rate: keyed without it."""
    return compare.sweep(objectives.by_name(f, a, b, c), x0, h, SWEEP_STEPS)


@st.cache_data(max_entries=128, show_spinner=False)
def methods(s: dict):
    obj = objective(s)
    return compare.methods(obj, s["x0"], s["lr"], max(s["steps"], 40), figs.view(obj, s["x0"])[0])


def set_preset(name: str, multiple: float | None, h: float) -> None:
    """Preset buttons write the bound widgets' state; the URL follows."""
    if multiple is None:
        for key in ("f", "x0", "lr", "steps"):
            st.session_state[key] = FIELDS[key].default
        return
    lr = round(multiple / h, 6)
    st.session_state["lr"] = min(max(lr, FIELDS["lr"].lo), FIELDS["lr"].hi)
    if name == "small":
        st.session_state["steps"] = max(st.session_state.get("steps", 33), 100)


def controls() -> dict:
    """The sidebar controls; returns the chosen settings."""
    side = st.sidebar
    side.header("Settings")
    s = {"f": widget(FIELDS["f"], side)}
    if s["f"] == "quadratic":
        cols = side.columns(3)
        for col, key in zip(cols, ("a", "b", "c"), strict=True):
            s[key] = widget(FIELDS[key], col)
    else:
        s.update({k: FIELDS[k].default for k in ("a", "b", "c")})
    for key in ("x0", "lr", "steps"):
        s[key] = widget(FIELDS[key], side)
    return s


def held_settings() -> dict | None:
    """The settings controls() will return, read before its widgets are drawn (held)."""
    s = held(("f",))
    quadratic = s is not None and s["f"] == "quadratic"
    abc = held(("a", "b", "c")) if quadratic else {k: FIELDS[k].default for k in ("a", "b", "c")}
    rest = held(("x0", "lr", "steps"))
    return None if s is None or abc is None or rest is None else s | abc | rest


def theory_panel(run: descent.DescentRun, th: descent.Theory, s: dict) -> None:
    """The regime in words, with r, the thresholds and predicted vs actual steps."""
    h = th.curvature
    words, box = REGIME_WORDS[th.regime]
    near = "" if th.exact else f" (near the minimum x* = {run.x_star:.3g}, where f″ = {h:.3g})"
    box(f"**{th.regime.capitalize()}**: with η = {s['lr']:g} the ball {words}. "
        f"This run: **{run.status}** after {run.steps} steps.")
    st.markdown(
        f"Each step multiplies the distance to the minimum by **r = 1 − η·f″ = "
        f"1 − {s['lr']:g} × {h:.3g} = {th.r:.3g}**{near}.\n\n"
        f"| η | what happens |\n|---|---|\n"
        f"| below 1/f″ = {1 / h:.3g} | creeps (0 < r < 1) |\n"
        f"| exactly 1/f″ = {1 / h:.3g} | one step (r = 0) |\n"
        f"| between {1 / h:.3g} and {2 / h:.3g} | oscillates inwards (−1 < r < 0) |\n"
        f"| exactly 2/f″ = {2 / h:.3g} | bounces forever (r = −1) |\n"
        f"| above 2/f″ = {2 / h:.3g} | diverges (r < −1) |")
    actual = "never" if run.converged_at is None else f"step {run.converged_at}"
    if th.exact and th.predicted is None and run.converged_at is None:
        st.markdown(f"With |r| = {abs(th.r):.3g} ≥ 1 the distance never shrinks, so the run "
                    f"never gets within {descent.TOL:g} of x* = {run.x_star:.3g}.")
    elif th.exact:
        predicted = "never" if th.predicted is None else f"step {th.predicted}"
        st.markdown(f"Within {descent.TOL:g} of x* = {run.x_star:.3g}: the closed form "
                    r"$|x_k - x^*| = |r|^k\,|x_0 - x^*|$ predicts " f"**{predicted}**; "
                    f"this run got there at **{actual}**.")
    else:
        st.markdown(f"Within {descent.TOL:g} of x* = {run.x_star:.3g}: **{actual}**. "
                    "Away from the minimum the curvature changes, so r only holds near it.")
    st.caption(run.reason)


def main() -> None:
    raw = from_link("descent", DESCENT_FIELDS)
    head = st.container()          # title, link notes and presets: written after the chart
    left, right = st.columns([3, 2], gap="large")
    early = held_settings()
    if early is not None:          # first, so the new chart is drawn before the rest arrives
        with left:
            chart(main_figure(early), key="descent_chart", head_start=HEAD_START_S)
    s = controls()
    run, th, lines = lesson(s)
    if not drawn_early(early, s):
        with left:
            chart(main_figure(s), key="descent_chart", head_start=HEAD_START_S)
    with head:
        st.title("Gradient descent on a parabola")
        st.markdown("Roll a ball downhill: each step moves x against the slope, "
                    "**x_new = x − η·f′(x)**. Change the learning rate η and watch what "
                    "happens.")
        settled("descent", DESCENT_FIELDS, raw, s)
        # two rows of three, as on /neuron: in one row of six the labels are cut off ("At
        # the edge (…") even at 1400 px, and on a 1024 px projector all of them are
        buttons = [*st.columns(3), *st.columns(3)]
        for col, (name, label, multiple) in zip(buttons, PRESETS, strict=True):
            col.button(label, key=f"preset_{name}", on_click=set_preset,
                       args=(name, multiple, th.curvature), use_container_width=True)
    with right:
        theory_panel(run, th, s)
    show = dict(zip(TABS, (ledger_tab, rates_tab, sweep_tab, methods_tab, export_tab),
                    strict=True))
    show[section("descent", TABS)](run, th, lines, s)      # only the open section is computed


def ledger_tab(run, th, lines, s) -> None:
    st.markdown("Each update as the seed writes it. Values are **truncated** to two "
                "decimals, as the seed prints them (4.4576 shows as 4.45).")
    st.code("\n".join(lines), language=None)


def rates_tab(run, th, lines, s) -> None:
    runs, labels = rates(s, th.curvature)
    a, b = st.columns(2)
    with a:
        chart(figs.ghosts(runs, labels, objective(s)), key="ghosts")
    with b:
        chart(figs.errors(runs, labels), key="errors")
    st.caption("On the log scale each run is a straight line of slope log|r|: the closer r "
               f"is to 0, the steeper the fall. {ZERO_NOTE}")


ZERO_NOTE = "A log axis has no 0: a distance of exactly 0 is drawn at 10⁻¹²."


def sweep_tab(run, th, lines, s) -> None:
    lrs, steps = sweep(s["f"], s["a"], s["b"], s["c"], s["x0"], th.curvature)
    chart(figs.sweep(lrs, steps, 2 / th.curvature, s["lr"], SWEEP_STEPS), key="sweep")
    st.caption("Fastest near η = 1/f″; past 2/f″ every run diverges: the wall.")


def methods_tab(run, th, lines, s) -> None:
    runs, labels = methods(s)
    chart(figs.methods(runs, labels), key="methods")
    st.caption(ZERO_NOTE)
    st.markdown("\n".join(f"- **{lab}**: {r.reason}" for r, lab in zip(runs, labels,
                                                                      strict=True)))


def export_tab(run, th, lines, s) -> None:
    header = [f"gdviz descent: f={s['f']} a={s['a']} b={s['b']} c={s['c']} x0={s['x0']} "
              f"lr={s['lr']} steps={s['steps']}", run.reason]
    csv = export.csv_text({"k": np.arange(run.steps + 1), "x": run.x, "f(x)": run.fx,
                           "f'(x)": run.dfx, "error": run.error}, header)
    c1, c2 = st.columns(2)
    c1.download_button("Download the run (CSV)", csv, file_name="gdviz-descent.csv",
                       mime="text/csv", on_click="ignore")
    c2.download_button("Download the animation (HTML, plays offline)",
                       lambda: export.standalone_html(export_figure(s), "gdviz: gradient descent"),
                       file_name="gdviz-descent.html", mime="text/html", on_click="ignore")


main()
