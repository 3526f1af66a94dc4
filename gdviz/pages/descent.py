"""Lesson 1 at `/`: a ball descending a curve, the learning rate too small, right or too large."""
from __future__ import annotations

import math

import numpy as np
import streamlit as st

from gdviz import compare, descent, export, ledger, objectives
from gdviz.figures import descent as figs
from gdviz.links import OPTION_KEYS, PRESENT, LinkOptions
from gdviz.pages import classlink, presenter, quiz, session, share
from gdviz.pages.chart import chart
from gdviz.pages.common import SECTION, open_link, section, show_url_notes, widget
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
PRESET_KEYS = tuple(f"preset_{name}" for name, *_ in PRESETS)   # the keys 1–6 press these
SWEEP_STEPS = 200
TABS = ("Step ledger", "Learning rates compared", "Steps vs learning rate", "Other methods",
        "Export")
BOXES = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
LR_STEP = FIELDS["lr"].step      # the lr widget holds η to this step: presets land on it
CHART_LEAD_S = 0.08   # the early chart's pass in the browser before the rest (session.lead)
LEDGER_VIEWS = ("as the seed prints it (truncated to 2 decimals)", "full precision")


def objective(s: dict) -> objectives.Objective:
    return objectives.by_name(s["f"], s["a"], s["b"], s["c"])


@st.cache_data(max_entries=512, show_spinner=False)
def lesson(s: dict) -> tuple[descent.DescentRun, descent.Theory, list[str]]:
    obj = objective(s)
    run = descent.descend(obj, s["x0"], s["lr"], s["steps"])
    return run, descent.theory(obj, run, LR_STEP), ledger.lines(run, obj, 2)


# Figures are cached as shared objects, not pickled copies: a copy would be re-validated by
# plotly on every rerun (~30 ms), and nothing ever mutates a cached figure.
@st.cache_resource(max_entries=256, show_spinner=False)
def main_figure(s: dict):
    run, th, lines = lesson(s)
    return figs.animated(run, objective(s), lines, lr_step=LR_STEP)


@st.cache_resource(max_entries=64, show_spinner=False)
def still_figure(s: dict):
    """A quiz's figure before the student commits: the curve and the ball at x₀."""
    return figs.still(objective(s), s["x0"], "Where will the ball go? Predict, then commit.")


def export_figure(s: dict):
    """The animation with a line naming the run, for a file that stands alone."""
    run, th, lines = lesson(s)
    word = descent.verdict(objective(s), run, LR_STEP).word.lower()
    label = (f"f(x) = {s['f']} · x₀ = {s['x0']:g} · η = {s['lr']:g} · {word} · "
             f"{run.steps} steps · {run.status}")
    return figs.animated(run, objective(s), lines, label, LR_STEP)


@st.cache_data(max_entries=128, show_spinner=False)
def rates(s: dict, h: float):
    return compare.rates(objective(s), s["x0"], s["lr"], max(s["steps"], 40), h,
                         lr_step=LR_STEP)


@st.cache_data(max_entries=128, show_spinner=False)
def sweep(f: str, a: float, b: float, c: float, x0: float, h: float):
    """The sweep does not depend on the chosen rate: keyed without it."""
    lrs, steps = compare.sweep(objectives.by_name(f, a, b, c), x0, h, SWEEP_STEPS)
    return lrs, steps, compare.wall(lrs, steps)


@st.cache_data(max_entries=128, show_spinner=False)
def methods(s: dict):
    obj = objective(s)
    return compare.methods(obj, s["x0"], s["lr"], max(s["steps"], 40), figs.view(obj, s["x0"])[0])


def preset_values(name: str, multiple: float | None, h: float, steps: int) -> dict:
    """The settings a preset writes, given the curvature h and the steps set now."""
    if multiple is None:
        return {key: FIELDS[key].default for key in ("f", "x0", "lr", "steps")}
    # on the widget's grid, so that the widget shows every digit of the η the run uses
    lr = compare.on_grid(multiple / h, LR_STEP)
    values = {"lr": min(max(lr, FIELDS["lr"].lo), FIELDS["lr"].hi)}
    if name == "small":
        values["steps"] = max(steps, 100)
    return values


def set_preset(name: str, multiple: float | None, h: float) -> None:
    """Preset buttons write the bound widgets' state; the URL follows."""
    steps = st.session_state.get("steps", FIELDS["steps"].default)
    st.session_state.update(preset_values(name, multiple, h, steps))


def changes_locked(values: dict, s: dict, lock: tuple[str, ...]) -> bool:
    """Whether writing `values` would move a control the link locked."""
    return any(k in lock and not same(values[k], s[k]) for k in values)


def same(a: object, b: object) -> bool:
    """Equal, for floats up to rounding (a preset's η is computed, the widget's typed)."""
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9)
    return a == b


def controls(options: LinkOptions) -> dict:
    """The controls, in the sidebar or (hide=sidebar) a box on the page, those the link
    locked shown disabled; returns the chosen settings."""
    side = share.controls_box(options, "Settings")
    side.header("Settings")

    def draw(key: str, box) -> object:
        return widget(FIELDS[key], box, disabled=key in options.lock)

    s = {"f": draw("f", side)}
    if s["f"] == "quadratic":
        cols = side.columns(3)
        for col, key in zip(cols, ("a", "b", "c"), strict=True):
            s[key] = draw(key, col)
    else:
        s.update({k: FIELDS[k].default for k in ("a", "b", "c")})
    for key in ("x0", "lr", "steps"):
        s[key] = draw(key, side)
    return s


def held_settings() -> dict | None:
    """The settings controls() will return, read before its widgets are drawn."""
    s = session.held(("f",))
    if s is None:
        return None
    abc = (session.held(("a", "b", "c")) if s["f"] == "quadratic" else
           {k: FIELDS[k].default for k in ("a", "b", "c")})
    rest = session.held(("x0", "lr", "steps"))
    return None if abc is None or rest is None else s | abc | rest


def eta(lr: float) -> str:
    """η as the lr widget shows it (three decimals), without trailing zeros; more digits only
    when a link set more than the widget shows."""
    shown = f"{lr:.3f}".rstrip("0").rstrip(".")
    return shown if float(shown) == lr else f"{lr:.6g}"


def title(s: dict) -> str:
    return ("Gradient descent on two valleys" if s["f"] == "two-valleys" else
            "Gradient descent on a parabola")


def verdict_box(run: descent.DescentRun, s: dict) -> None:
    """The verdict from what the run did: its regime and how it ended."""
    v = descent.verdict(objective(s), run, LR_STEP)
    BOXES[v.level](f"**{v.word}**: with η = {eta(s['lr'])} the ball {v.behaviour}. "
                   f"This run: {v.outcome}.")


def theory_panel(run: descent.DescentRun, th: descent.Theory, s: dict) -> None:
    """The rule r = 1 − η·f″ (exact or local) behind the verdict, and what it predicts."""
    obj = objective(s)
    st.markdown(rule_text(run, th, s["lr"]))
    if th.exact:
        st.markdown(prediction_text(run, th))
    if len(obj.minima) > 1:
        st.markdown(local_minimum_text(obj, run))
    st.caption(run.reason)


def rule_text(run: descent.DescentRun, th: descent.Theory, lr: float) -> str:
    """r = 1 − η·f″ and the table of regimes, said to be local where f″ is not constant."""
    h, r = th.curvature, th.r
    # four digits: r = −1.001 must not read as −1 (bouncing) beside a run that grows
    factor = (f"multiplies the signed offset x − x* by **r = 1 − η·f″ = 1 − {eta(lr)} × "
              f"{h:.4g} = {r:.4g}** (the distance by |r| = {abs(r):.4g})")
    if th.exact:
        intro = (f"Each step {factor}: f″ = {h:.3g} everywhere on a parabola, so this holds at "
                 "every step.")
        head = "η"
    else:
        intro = (f"A local rule: __near the minimum x* = {run.x_star:.3g}__, where f″ = "
                 f"{h:.3g}, each step {factor}. Away from x* the curvature changes, so the rule "
                 "says nothing about a ball still far from it.")
        head = f"η (near x* = {run.x_star:.3g})"
    one, two = 1 / h, 2 / h
    return (f"{intro}\n\n| {head} | what happens |\n|---|---|\n"
            f"| below 1/f″ = {one:.3g} | creeps in from one side (0 < r < 1) |\n"
            f"| exactly 1/f″ = {one:.3g} | one step (r = 0) |\n"
            f"| between {one:.3g} and {two:.3g} | oscillates inwards (−1 < r < 0) |\n"
            f"| exactly 2/f″ = {two:.3g} | bounces forever (r = −1) |\n"
            f"| above 2/f″ = {two:.3g} | diverges (r < −1) |")


def prediction_text(run: descent.DescentRun, th: descent.Theory) -> str:
    """The closed form's step count beside this run's, on a quadratic."""
    target = f"within {descent.TOL:g} of x* = {run.x_star:.4g}"
    if th.predicted is None:
        return (f"With |r| = {abs(th.r):.4g} ≥ 1 the distance never shrinks, so no run from "
                f"here gets {target}.")
    actual = (f"from step {run.converged_at}" if run.converged_at is not None else
              f"not within {run.steps} steps")
    return (f"Getting {target}: the closed form $|x_k - x^*| = |r|^k\\,|x_0 - x^*|$ predicts "
            f"**step {th.predicted}**; this run: **{actual}**.")


def local_minimum_text(obj: objectives.Objective, run: descent.DescentRun) -> str:
    """On a function with several valleys, descent finds a local minimum: say which, and why."""
    deepest = min(obj.minima, key=obj.f)
    which = ("the deeper one" if run.x_star == deepest else
             f"not the deeper one at x = {deepest:.3g}")
    return (f"Descent finds **a local minimum**, the one of the valley it settles in: the "
            f"start decides which (the hump at x ≈ {obj.maxima[0]:.3g} divides the valleys), "
            f"and a large step can jump the hump. This run is measured against x* = "
            f"{run.x_star:.3g}, the minimum of the valley its last x is in ({which}).")


def main() -> None:
    link = open_link("descent", DESCENT_FIELDS)
    options, option_notes = share.link_options("descent", DESCENT_FIELDS, link)
    options = quiz.with_lr_locked(options, DESCENT_FIELDS)
    present, present_notes = presenter.presenting(link)
    page = presenter.layout(present, beside=(3, 2), quiz=options.quiz)
    early = None if options.quiz else held_settings()
    if early is not None:          # the chart and its verdict first, the widgets after them
        with page.chart:
            chart(main_figure(early), key="descent_chart",
                  fit=page.fit, presets=PRESET_KEYS)
        with page.verdict:
            verdict_box(lesson(early)[0], early)
        session.lead(CHART_LEAD_S)
    s = controls(options)
    drawn = session.check_early(early, s)
    session.keep_settings("descent", s)
    run, th, lines = lesson(s)
    shown = not options.quiz or quiz.revealed("descent", s)    # a quiz hides the run till then
    if not drawn:
        with page.chart:
            chart(main_figure(s) if shown else still_figure(s), key="descent_chart",
                  fit=page.fit, presets=PRESET_KEYS)
    with page.head:
        presenter.title_row(title(s), present)
    with page.intro:
        st.markdown("Roll a ball downhill: each step moves x against the slope, "
                    "**x_new = x − η·f′(x)**. Change the learning rate η and watch what "
                    "happens.")
    with page.notes:
        show_url_notes(DESCENT_FIELDS, link, s, known=(SECTION, *OPTION_KEYS, PRESENT),
                       more=[*option_notes, *present_notes])
        share.show_prompt(options)
    with page.intro:
        if not options.quiz:       # in a quiz η is the round's: the presets would set it
            preset_buttons(s, th.curvature, options.lock)
        share.share_panel("descent", DESCENT_FIELDS, s, options)
    if options.quiz:
        with page.ask:
            quiz.descent_panel(s, objective(s), run, LR_STEP, FIELDS["lr"], options)
    if shown and not drawn:        # drawn: the verdict went with the early chart
        with page.verdict:
            verdict_box(run, s)
    if shown:
        with page.intro if present else page.side:      # the verdict's reasons: below it
            theory_panel(run, th, s)
            classlink.send_button("descent", options, s, run, th)
    if not shown:
        return
    show = dict(zip(TABS, (ledger_tab, rates_tab, sweep_tab, methods_tab, export_tab),
                    strict=True))
    with page.rest:
        show[section("descent", TABS)](run, th, lines, s)  # only the open section is computed


def preset_buttons(s: dict, h: float, lock: tuple[str, ...]) -> None:
    """The presets; one that would move a locked control is switched off."""
    # two rows of three, as on /neuron: in one row of six the labels are cut off ("At
    # the edge (…") even at 1400 px, and on a 1024 px projector all of them are
    buttons = [*st.columns(3), *st.columns(3)]
    off = []
    for col, (name, label, multiple) in zip(buttons, PRESETS, strict=True):
        locked = changes_locked(preset_values(name, multiple, h, s["steps"]), s, lock)
        col.button(label, key=f"preset_{name}", on_click=set_preset, disabled=locked,
                   args=(name, multiple, h), use_container_width=True)
        off += [label] * locked
    if off:
        st.caption(f"Switched off, as they would change a locked control: {', '.join(off)}.")


def ledger_tab(run, th, lines, s) -> None:
    view = st.radio("Values", LEDGER_VIEWS, key="ledger_view", horizontal=True)
    if view == LEDGER_VIEWS[0]:
        st.markdown("Each update as the seed writes it. Values are **truncated** to two "
                    "decimals, as the seed prints them (4.4576 shows as 4.45). The run keeps "
                    "every digit; only the display is cut, so redoing a line by hand from its "
                    "printed numbers can differ in the last digit, and two lines that start "
                    "from the same printed x can end differently. Switch to full precision to "
                    "redo any line exactly.")
    else:
        lines = ledger.lines(run, objective(s), None)
        st.markdown("Every digit the run keeps: redo any line in Python and you get its "
                    "right-hand side exactly.")
    st.code("\n".join(ledger.numbered(lines)), language=None)


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
    lrs, steps, (edge, beyond) = sweep(s["f"], s["a"], s["b"], s["c"], s["x0"], th.curvature)
    local = ("2/f″ (exact on a parabola)" if th.exact else
             f"local 2/f″ (f″ at x* = {run.x_star:.3g})")
    chart(figs.sweep(lrs, steps, edge, s["lr"], SWEEP_STEPS, 2 / th.curvature, local),
          key="sweep")
    st.caption(sweep_text(lrs, steps, edge, beyond, th, s["x0"], run.x_star))


def sweep_text(lrs: np.ndarray, steps: np.ndarray, edge: float | None, beyond: int,
               th: descent.Theory, x0: float, x_star: float) -> str:
    """What the sweep shows, in words true of the runs it drew."""
    two = 2 / th.curvature
    rule = (f"On a parabola the rule is exact: above 2/f″ = {two:.3g}, |r| > 1 and any "
            "distance from x* grows every step." if th.exact else
            f"The dotted line is 2/f″ = {two:.3g} from the curvature at x* = {x_star:.3g}: a "
            "local rule, for a ball already near that minimum.")
    ok = steps >= 0
    if not ok.any():
        return f"From x₀ = {x0:g} no swept rate converges within {SWEEP_STEPS} steps. {rule}"
    best = float(lrs[ok][np.argmin(steps[ok])])
    found = f"From x₀ = {x0:g} the fastest swept rate is η ≈ {best:.3g} ({steps[ok].min()} steps)."
    if edge is None:
        return f"{found} Every swept rate above it converges within {SWEEP_STEPS} steps. {rule}"
    tail = f" ({beyond} faster rates beyond it converge anyway)" if beyond else ""
    return (f"{found} The runs stop converging within {SWEEP_STEPS} steps at η ≈ "
            f"{edge:.3g}: the wall{tail}. {rule}")


def methods_tab(run, th, lines, s) -> None:
    runs, labels = methods(s)
    chart(figs.methods(runs, labels), key="methods")
    st.caption(ZERO_NOTE)
    st.markdown("\n".join(f"- **{lab}**: {r.reason}" for r, lab in zip(runs, labels,
                                                                      strict=True)))
    if objective(s).maxima:
        st.markdown("Newton–Raphson solves f′(x) = 0, and f′ = 0 on the top of the hump as "
                    "well as in the valleys: where f″ < 0 its step heads for the maximum. "
                    "Plain Newton can therefore settle on the hump (from x₀ = 1.5 it does); "
                    "the modified one steps downhill by −f′/|f″| there instead.")


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
