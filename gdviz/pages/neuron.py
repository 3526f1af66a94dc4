"""Lesson 2 at `/neuron`: one sigmoid neuron learns to tell cats from dogs."""
from __future__ import annotations

import math

import streamlit as st

from gdviz import export, neuron
from gdviz.data import DATA_KEYS, Dataset, make_pets, missing_classes
from gdviz.figures import neuron as figs
from gdviz.figures.style import Spec
from gdviz.links import OPTION_KEYS, PRESENT, LinkOptions
from gdviz.pages import classlink, presenter, quiz, session, share
from gdviz.pages.chart import chart
from gdviz.pages.common import SECTION, open_link, section, show_url_notes, widget
from gdviz.settings import NEURON_FIELDS, by_key

FIELDS = by_key(NEURON_FIELDS)
TRAINING_KEYS = ("lr", "epochs", "loss", "batch", "init", "standardize")
KEYS = (*TRAINING_KEYS, *DATA_KEYS)   # the sidebar's order: the settings dict's, for the caches
LOSS_WORDS = {"mse": "quadratic cost", "ce": "cross-entropy"}
RATE_MULTIPLES = (0.1, 0.3, 1.0, 3.0, 10.0)
# the confusion matrix opens first: it is the cheapest to redraw on every control change
TABS = ("Confusion matrix", "Learning rates compared", "Export")

# name, button label, what it sets (every other training setting goes back to its default;
# the animals stay as they are; lr None: computed from the animals, steady_rate), and what to
# look for. preset_note() adds what the run it sets actually did.
PRESETS = (
    ("small", "η too small", dict(loss="ce", lr=0.1),
     "Cross-entropy with η = 0.1: the cost creeps down; the boundary turns slowly."),
    ("right", "η about right", dict(loss="ce", lr=None),
     "Cross-entropy with η = 1/λmax at the cost's minimum: like 1/f″ on the parabola, the "
     "fastest steady rate near the bottom."),
    ("large", "η too large", dict(loss="ce", lr=80.0),
     "Cross-entropy with η = 80: compare it with 2/λmax at the cost's minimum."),
    ("unscaled", "Unscaled inputs", dict(standardize=False, lr=0.15, epochs=500),
     "Raw kg and cm: the cost surface is a long narrow valley whose steep side sets a small "
     "2/λmax. Switch standardisation back on to compare."),
    ("wrong_mse", "Wrong start, MSE", dict(init="wrong", loss="mse", epochs=300),
     "A confidently wrong start with the seed's quadratic cost: σ′ ≈ 0 for the animals "
     "it is surest about, so their pull on the weights is tiny."),
    ("wrong_ce", "Wrong start, CE", dict(init="wrong", loss="ce", epochs=300),
     "The same wrong start with cross-entropy: no σ′ factor, so the biggest mistakes "
     "give the biggest steps."),
)
PRESET_NOTE = "_neuron_preset_note"
PRESET_KEYS = tuple(f"neuron_preset_{name}" for name, *_ in PRESETS)   # the keys 1–6 press these
# the early chart's pass in the browser before the rest (session.lead): its 200 KB figure
# needs longer than the descent's
CHART_LEAD_S = 0.12


# --- Cached computations: the page's only maths is a call into the core -------------------
@st.cache_data(max_entries=256, show_spinner=False)
def pets(n: int, noise: float, balance: float, split: float, seed: int) -> Dataset:
    return make_pets(n, noise, balance, split, seed)


@st.cache_data(max_entries=256, show_spinner=False)
def lesson(s: dict) -> tuple[Dataset, neuron.TrainingRun]:
    """The animals and the whole training run for settings s."""
    data = pets(*(s[k] for k in DATA_KEYS))
    return data, neuron.train(neuron.NeuronSettings.from_values(s), data)


# cache_resource, not cache_data: a cached figure would be unpickled on every rerun, which
# re-validates all 60 frames (~0.3 s). The figure is never mutated after it is built.
@st.cache_resource(max_entries=64, show_spinner=False)
def main_figure(s: dict, title: str = "") -> Spec:
    """The page's animation. Its title names only the epoch shown: η and the rest are beside
    it on the page, and a title that changes with η would cost every change a relayout."""
    data, run = lesson(s)
    return figs.animated(run, data, title, reference({k: s[k] for k in s if k != "lr"}))


@st.cache_resource(max_entries=64, show_spinner=False)
def still_figure(s: dict) -> Spec:
    """A quiz's figure before the student commits: the animals alone."""
    return figs.animals(lesson(s)[0], "The animals. How will training go? Predict, then "
                        "commit.")


@st.cache_data(max_entries=64, show_spinner=False)
def reference(s: dict) -> neuron.TrainingRun | None:
    """The run the cost landscape is drawn from (neuron.reference_run), for settings
    without η: trained once for every learning rate tried on the same animals and start."""
    return neuron.reference_run(neuron.NeuronSettings.from_values(s),
                                pets(*(s[k] for k in DATA_KEYS)))


@st.cache_data(max_entries=128, show_spinner=False)
def rates(s: dict) -> tuple[list[neuron.TrainingRun], list[str]]:
    """The same neuron trained at several multiples of the chosen η."""
    lo, hi = FIELDS["lr"].lo, FIELDS["lr"].hi
    lrs = sorted({float(min(max(round(m * s["lr"], 4), lo), hi)) for m in RATE_MULTIPLES})
    runs, labels = [], []
    for lr in lrs:
        try:
            runs.append(lesson(s | {"lr": lr})[1])
        except ValueError:
            continue
        labels.append(f"η = {lr:g}" + (" ← yours" if math.isclose(lr, s["lr"]) else ""))
    return runs, labels


def rates_caption(runs: list[neuron.TrainingRun]) -> str:
    """What each compared run's cost did, read off the runs themselves."""
    said = "; ".join(f"η = {r.settings.lr:g}: {behaviour(r)}" for r in runs)
    return (f"The same animals and start at several multiples of your η. {said}. Small η "
            "creeps; 2/λmax is local, so whether a large η makes the cost rise shows in the "
            "run itself.")


def describe(s: dict) -> str:
    """One line naming the run: η, cost, batch, start and scaling."""
    batch = "full batch" if s["batch"] == 0 else f"batches of {s['batch']}"
    scaled = "standardised" if s["standardize"] else "raw kg and cm"
    return (f"η = {s['lr']:g} · {LOSS_WORDS[s['loss']]} · {batch} · {s['init']} start · "
            f"{scaled} inputs · {s['n']} animals, seed {s['seed']}")


# --- Controls ------------------------------------------------------------------------------
@st.cache_data(max_entries=64, show_spinner=False)
def steady_rate(data_settings: tuple) -> tuple[float, str]:
    """η = 1/λmax at cross-entropy's minimum on these animals (standardised, as the preset
    trains), to two significant figures, and where it was measured; where the animals can be
    separated there is no minimum, and 1/λmax at the start stands in."""
    data = pets(*data_settings)
    run = neuron.train(neuron.NeuronSettings(loss="ce", epochs=1), data)
    limit, where = run.lr_limit_minimum, "at the cost's minimum"
    if limit is None or not math.isfinite(limit):
        limit, where = run.lr_limit_start, "at the start (no minimum: a line separates them)"
    lo, hi = FIELDS["lr"].lo, FIELDS["lr"].hi
    return min(max(float(f"{limit / 2:.2g}"), lo), hi), where


def preset_lr(values: dict, animals: tuple) -> dict:
    """The preset's settings with its η filled in where it is computed from the animals."""
    if values.get("lr", 0) is not None:
        return values
    try:
        lr, _ = steady_rate(animals)
    except ValueError:                       # animals unusable: the default η
        lr = FIELDS["lr"].default
    return values | {"lr": lr}


def set_preset(name: str, values: dict, note: str) -> None:
    """Preset buttons write the bound widgets' state; the URL follows."""
    try:
        values = preset_lr(values, tuple(st.session_state[k] for k in DATA_KEYS))
    except KeyError:                         # no animals yet: the default η
        values = values | {"lr": values.get("lr") or FIELDS["lr"].default}
    for key in TRAINING_KEYS:
        st.session_state[key] = values.get(key, FIELDS[key].default)
    st.session_state[PRESET_NOTE] = (name, values, note)


def changes_locked(values: dict, s: dict, lock: tuple[str, ...]) -> bool:
    """Whether a preset's `values` (every other training setting to its default) would move
    a control the link locked."""
    wanted = {k: values.get(k, FIELDS[k].default) for k in TRAINING_KEYS}
    return any(k in lock and not (math.isclose(v, s[k]) if isinstance(v, float) else v == s[k])
               for k, v in wanted.items())


def controls(options: LinkOptions) -> tuple[dict, object]:
    """The controls, in the sidebar or (hide=sidebar) a box on the page, those the link
    locked shown disabled.

    Returns:
        (the chosen settings, an empty slot right under the learning rate for 2/λmax).
    """
    side = share.controls_box(options, "Settings")

    def draw(key: str) -> object:
        return widget(FIELDS[key], side, disabled=key in options.lock)

    side.header("Training")
    s = {"lr": draw("lr")}
    limit_slot = side.empty()
    for key in TRAINING_KEYS[1:]:
        s[key] = draw(key)
    side.header("Animals")
    for key in DATA_KEYS:
        s[key] = draw(key)
    return s, limit_slot


def fmt_limit(limit: float | None) -> str:
    return "none (the cost is flat here)" if not math.isfinite(limit) else f"{limit:.3g}"


def behaviour(run: neuron.TrainingRun) -> str:
    """What the run's training cost did, in words read off the run."""
    rises = len(run.rises)
    if run.status == "diverged":
        return run.reason.split(": ", 1)[1]
    if rises == 0:
        return f"the cost never rose in {run.final} epochs"
    noise = "" if run.full_batch else " (mini-batch noise)"
    return f"the cost rose in {rises} of {run.final} epochs{noise}"


def stability_note(slot, run: neuron.TrainingRun, lr: float) -> None:
    """2/λmax as a local rule, the limit that applies to this run, and a warning only where
    the run itself went wrong."""
    with slot.container():
        if run.full_batch:
            full_batch_limits(run, lr)
        else:
            mini_batch_limits(run, lr)


def full_batch_limits(run: neuron.TrainingRun, lr: float) -> None:
    start, end, best = run.lr_limit_start, run.lr_limit_end, run.lr_limit_minimum
    at_best = "" if best is None else f", {best:.3g} at the cost's minimum"
    st.markdown(f"**Stability limit 2/λmax** (local: from the curvature where the weights "
                f"are, as 2/f″ on the parabola): {fmt_limit(start)} at the start, "
                f"{fmt_limit(end)} where training ends{at_best}.")
    rises = len(run.rises)
    if run.status == "diverged":
        st.error(f"η = {lr:g}: {behaviour(run)}.", icon="🛑")
    elif rises:
        above = [f"{lr / v:.2g} × 2/λmax {where}" for v, where in
                 ((best, "at the minimum"), (end, "where training ends")) if v and lr > v]
        why = (f" η is {above[0]}: there, the local rule predicts that each step overshoots "
               "the valley's floor." if above else "")
        st.warning(f"η = {lr:g}: the training cost rose in {rises} of {run.final} "
                   f"epochs.{why}", icon="⚠️")
    elif best is not None and lr > best:
        growth = 2 * lr / best - 1
        st.info(f"η = {lr:g} is above 2/λmax = {best:.3g} at the cost's minimum. This run's "
                "cost never rose, but the local rule says the minimum cannot hold it: a small "
                f"error there grows ×{growth:.3g} per epoch (|1 − η·λmax|), so a longer run "
                "would leave it and bounce.", icon="ℹ️")
    elif lr > min(start, end):
        st.info(f"η = {lr:g} is above the local 2/λmax at the "
                f"{'start' if lr > start else 'end'}, yet the cost never rose in "
                f"{run.final} epochs: the rule describes the curvature at one point, and "
                "the curvature changes as the weights move.", icon="ℹ️")


def mini_batch_limits(run: neuron.TrainingRun, lr: float) -> None:
    b = run.settings.batch
    a0, a1 = run.animal_limit_start, run.animal_limit_end
    st.markdown(f"**Stability limit with batches of {b}**: each update follows the cost of "
                f"{b} animal{'s' * (b != 1)}, not of all, so the full-batch 2/λmax "
                f"({fmt_limit(run.lr_limit_start)} at the start) does not apply to a single "
                "update. A batch's own 2/λmax is never below that of its steepest animal: "
                f"{fmt_limit(a0)} at the start, {fmt_limit(a1)} where training ends (local "
                "limits). The training cost jitters from batch to batch whatever η is: that "
                "noise is by design, not divergence.")
    if run.status == "diverged":
        st.error(f"η = {lr:g}: {behaviour(run)}.", icon="🛑")
    elif lr > min(a0, a1):
        st.info(f"η = {lr:g} is above the steepest animal's 2/λ "
                f"({fmt_limit(min(a0, a1))}), so some updates may overshoot their own "
                "batch's cost; the page cannot tell those from noise.", icon="ℹ️")


STATUS_BOX = {"settled": st.success, "still learning": st.info, "oscillating": st.warning,
              "jittering": st.info, "diverged": st.error}


def status_box(data: Dataset, run: neuron.TrainingRun) -> None:
    """The run's status: how training went, in the colour of its outcome."""
    STATUS_BOX[run.status](status_text(run, data))


def status_text(run: neuron.TrainingRun, data: Dataset) -> str:
    """How the run ended, its accuracies with the test accuracy's 95 % interval, and what
    the data cannot say (a set with no animal of a class)."""
    verdict, _, rest = run.reason.partition(": ")
    n_test = len(data.y_test)
    right = round(run.test_acc[-1] * n_test)
    lo, hi = neuron.wilson(right, n_test)
    text = (f"**{verdict.capitalize()}**: {rest}. After {run.final} epochs: training cost "
            f"{run.train_cost[-1]:.4g}, accuracy {run.train_acc[-1]:.0%} on "
            f"{len(data.y_train)} training animals and {run.test_acc[-1]:.0%} on {n_test} "
            f"test animal{'s' * (n_test != 1)} (95 % interval for that many: {lo:.0%} to "
            f"{hi:.0%}).")
    if run.settings.init == "wrong":
        text += (f" At the start, {1 - run.train_acc[0]:.0%} of the training animals were on "
                 "the wrong side of the boundary.")
    for where, cls in missing_classes(data):
        text += (f" The {where} set holds no {cls}, so its numbers say nothing about "
                 f"{cls}s.")
    return text


# --- The page ------------------------------------------------------------------------------
def main() -> None:
    link = open_link("neuron", NEURON_FIELDS)
    options, option_notes = share.link_options("neuron", NEURON_FIELDS, link)
    options = quiz.with_lr_locked(options, NEURON_FIELDS)
    present, present_notes = presenter.presenting(link)
    page = presenter.layout(present, beside=None, quiz=options.quiz)
    early = None if options.quiz else session.held(KEYS)
    if early is not None:          # the chart and its status first, the widgets after them
        try:
            with page.chart:
                chart(main_figure(early), key="neuron_chart",
                      fit=page.fit, presets=PRESET_KEYS)
            with page.verdict:
                status_box(*lesson(early))
            session.lead(CHART_LEAD_S)
        except ValueError:         # cannot be trained: said below, once the widgets are drawn
            early = None
    s, limit_slot = controls(options)
    drawn = session.check_early(early, s)
    session.keep_settings("neuron", s)            # what /math checks
    notes = [*option_notes, *present_notes]
    try:
        data, run = lesson(s)
    except ValueError as err:
        introduce(page, present, link, s, options, notes)
        with page.side:
            st.error(f"These settings cannot be trained: {err}.", icon="🛑")
        return
    shown = not options.quiz or quiz.revealed("neuron", s)     # a quiz hides the run till then
    if not drawn:
        with page.chart:
            chart(main_figure(s) if shown else still_figure(s), key="neuron_chart",
                  fit=page.fit, presets=PRESET_KEYS)
    introduce(page, present, link, s, options, notes)
    if options.quiz:
        with page.ask:
            quiz.neuron_panel(s, data, run, NEURON_FIELDS, options)
    if shown and not drawn:        # drawn: the status went with the early chart
        with page.verdict:
            status_box(data, run)
    with page.side:
        if shown:
            classlink.send_button("neuron", options, s, run)
        st.caption(f"The run {'beside' if present else 'below'}: {describe(s)}.")
    if not shown:
        return
    stability_note(limit_slot, run, s["lr"])
    with page.rest:
        st.caption(caption(run, data))
        show = dict(zip(TABS, (confusion_tab, rates_tab, export_tab), strict=True))
        show[section("neuron", TABS)](data, run, s)       # only the open section is computed


def introduce(page: presenter.Layout, present: bool, link: dict, s: dict,
              options: LinkOptions, notes: list[str]) -> None:
    """The page's title and lead, the notes on a link's refused values, the teacher's
    question, the presets and the share panel, each where the layout puts it."""
    with page.head:
        presenter.title_row("A neuron learns cats from dogs", present)
    with page.intro:
        st.markdown(r"One neuron, $\hat y = \sigma(w_1 x_1 + w_2 x_2 + b)$, sees an animal's "
                    "**body weight** (kg) and **ear length** (cm) and says how likely it is a "
                    r"dog. Gradient descent moves $(w_1, w_2, b)$ against the gradient of the "
                    r"cost, $C = \frac{1}{2N}\sum (\hat y - y)^2$ as in the seed, or "
                    "cross-entropy.")
    with page.notes:
        show_url_notes(NEURON_FIELDS, link, s, known=(SECTION, *OPTION_KEYS, PRESENT),
                       more=notes)
        share.show_prompt(options)
    with page.intro:
        if not options.quiz:       # in a quiz η is the round's: the presets would set it
            preset_buttons(s, options.lock)
        share.share_panel("neuron", NEURON_FIELDS, s, options)


def rates_tab(data: Dataset, run: neuron.TrainingRun, s: dict) -> None:
    runs, labels = rates(s)
    chart(figs.rates(runs, labels), key="neuron_rates")
    st.caption(rates_caption(runs))


def confusion_tab(data: Dataset, run: neuron.TrainingRun, s: dict) -> None:
    # a table, not a chart: four numbers read as well, and a second plotly chart would cost
    # the browser another full draw on every control change
    m = neuron.confusion(data.y_test, run.p_dog(data.x_test, run.final))
    st.markdown(confusion_table(m))
    st.caption(f"{len(data.y_test)} test animals the neuron never trained on, after epoch "
               f"{run.final}. Rows: what the animal is; columns: what the neuron said.")


def confusion_table(m) -> str:
    """The test set's 2 × 2 confusion matrix as a Markdown table, counts with their words."""
    names = ("cat", "dog")
    rows = ["| truth ↓ · said → | said **cat** | said **dog** |", "|---|---:|---:|"]
    for i, truth in enumerate(names):
        cells = [f"**{int(m[i][j])}** {truth}{'' if int(m[i][j]) == 1 else 's'} called {said} "
                 f"{'✓' if i == j else '✗'}" for j, said in enumerate(names)]
        rows.append(f"| **{truth}** | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def preset_buttons(s: dict, lock: tuple[str, ...]) -> None:
    """The presets (one that would move a locked control is switched off) and the note of
    the one that set the run shown."""
    # two rows of three: six labels this long are cut off in one row on a 1024 px projector
    cols = [*st.columns(3), *st.columns(3)]
    animals = tuple(s[k] for k in DATA_KEYS)
    off = []
    for col, (name, label, values, note) in zip(cols, PRESETS, strict=True):
        locked = bool(lock) and changes_locked(preset_lr(values, animals), s, lock)
        col.button(label, key=f"neuron_preset_{name}", on_click=set_preset, disabled=locked,
                   args=(name, values, note), use_container_width=True)
        off += [label] * locked
    if off:
        st.caption(f"Switched off, as they would change a locked control: {', '.join(off)}.")
    chosen = st.session_state.get(PRESET_NOTE)
    if chosen and all(math.isclose(s[k], v) if isinstance(v, float) else s[k] == v
                      for k, v in chosen[1].items()):      # only while its settings stand
        try:
            st.caption(f"Preset: {preset_note(chosen[0], chosen[2], s)}")
        except ValueError:
            st.caption(f"Preset: {chosen[2]}")


def preset_note(name: str, note: str, s: dict) -> str:
    """The preset's words and what the run it set actually did, computed from that run."""
    data, run = lesson(s)
    lr, best, start = s["lr"], run.lr_limit_minimum, run.lr_limit_start
    facts = [f"η = {lr:g} is {lr / start:.2g} × 2/λmax at the start ({start:.3g})"
             if math.isfinite(start) else ""]
    if best is not None:
        facts.append(f"{lr / best:.2g} × 2/λmax at the cost's minimum ({best:.3g})")
    if name == "right":
        note = note.replace("at the cost's minimum", steady_rate(
            tuple(s[k] for k in DATA_KEYS))[1])
    if name in ("wrong_mse", "wrong_ce"):
        facts.append(f"{1 - run.train_acc[0]:.0%} of the training animals start on the "
                     "wrong side")
    if name == "unscaled" and run.reversals:
        facts.append(f"the step reversed direction in {run.reversals} "
                     f"epoch{'s' * (run.reversals != 1)} (across the valley)")
    said = ", ".join(f for f in facts if f)
    return f"{note} This run: {said}; {behaviour(run)}."


def caption(run: neuron.TrainingRun, data: Dataset) -> str:
    shown = min(len(data.y_train), figs.MAX_POINTS) + min(len(data.y_test), figs.MAX_POINTS)
    total = len(data.y_train) + len(data.y_test)
    more = "" if shown == total else f" ({shown} of {total} animals drawn)"
    return ("Filled markers: training animals; hollow: test animals. Cats ● orange, "
            "dogs ▲ blue. The black line is where ŷ = 0.5. The cost map holds b where a "
            "steady run (η = 1/λmax) ends, the same for every η, so a new η moves only the "
            f"path across it; epochs whose b is elsewhere sit a little off it{more}.")


def export_tab(data: Dataset, run: neuron.TrainingRun, s: dict) -> None:
    header = ["gdviz neuron: " + " ".join(f"{k}={s[k]}" for k in KEYS),
              run.reason,
              "weights are in the units the neuron saw; raw = w / x_scale, "
              f"x_mean = {run.x_mean.tolist()}, x_scale = {run.x_scale.tolist()}"]
    columns = {"epoch": run.epochs, "w1": run.w[:, 0], "w2": run.w[:, 1], "b": run.b,
               "train_cost": run.train_cost, "test_cost": run.test_cost,
               "train_accuracy": run.train_acc, "test_accuracy": run.test_acc}
    csv = export.csv_text(columns, header)
    c1, c2 = st.columns(2)
    c1.download_button("Download the training history (CSV)", csv,
                       file_name="gdviz-neuron.csv", mime="text/csv", on_click="ignore")
    c2.download_button("Download the animation (HTML, plays offline)",
                       lambda: export.standalone_html(main_figure(s, describe(s)),
                                                      "gdviz: a neuron learns"),
                       file_name="gdviz-neuron.html", mime="text/html", on_click="ignore")


main()
