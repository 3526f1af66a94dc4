"""Lesson 2 at `/neuron`: one sigmoid neuron learns to tell cats from dogs."""
from __future__ import annotations

import math

import streamlit as st

from gdviz import export, neuron
from gdviz.data import DATA_KEYS, Dataset, make_pets
from gdviz.figures import neuron as figs
from gdviz.figures.style import Spec
from gdviz.pages.chart import HEAD_START_S, chart
from gdviz.pages.common import drawn_early, from_link, held, section, settled, widget
from gdviz.settings import NEURON_FIELDS, by_key

FIELDS = by_key(NEURON_FIELDS)
TRAINING_KEYS = ("lr", "epochs", "loss", "batch", "init", "standardize")
KEYS = (*TRAINING_KEYS, *DATA_KEYS)   # the sidebar's order: the settings dict's, for the caches
LOSS_WORDS = {"mse": "quadratic cost", "ce": "cross-entropy"}
RATE_MULTIPLES = (0.1, 0.3, 1.0, 3.0, 10.0)
# the confusion matrix opens first: it is the cheapest to redraw on every control change
TABS = ("Confusion matrix", "Learning rates compared", "Export")

# name, button label, what it sets (every other training setting goes back to its default;
# the animals stay as they are), and what to look for
PRESETS = (
    ("small", "η too small", dict(loss="ce", lr=0.1),
     "Cross-entropy with η = 0.1: the cost creeps down; the boundary turns slowly."),
    ("right", "η about right", dict(loss="ce", lr=5.0),
     "Cross-entropy with η = 5 (about 1/λmax at the start): settled within a few epochs."),
    ("large", "η too large", dict(loss="ce", lr=80.0),
     "Cross-entropy with η = 80, above 2/λmax near the minimum: the cost bounces "
     "between two values and the boundary jumps back and forth."),
    ("unscaled", "Unscaled inputs", dict(standardize=False, lr=0.15, epochs=500),
     "Raw kg and cm: the cost surface is a long narrow valley, η must stay below a tiny "
     "2/λmax set by its steep side, so descent jumps across the valley and then crawls "
     "along it. Switch standardisation back on to compare."),
    ("wrong_mse", "Wrong start, MSE", dict(init="wrong", loss="mse", epochs=300),
     "A confidently wrong start with the seed's quadratic cost: σ′ ≈ 0, so the gradient "
     "is tiny and the cost sits on a plateau for a long time."),
    ("wrong_ce", "Wrong start, CE", dict(init="wrong", loss="ce", epochs=300),
     "The same wrong start with cross-entropy: no σ′ factor, so the biggest mistakes "
     "give the biggest steps and it recovers at once."),
)
PRESET_NOTE = "_neuron_preset_note"


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


def describe(s: dict) -> str:
    """One line naming the run: η, cost, batch, start and scaling."""
    batch = "full batch" if s["batch"] == 0 else f"batches of {s['batch']}"
    scaled = "standardised" if s["standardize"] else "raw kg and cm"
    return (f"η = {s['lr']:g} · {LOSS_WORDS[s['loss']]} · {batch} · {s['init']} start · "
            f"{scaled} inputs · {s['n']} animals, seed {s['seed']}")


# --- Controls ------------------------------------------------------------------------------
def set_preset(name: str, values: dict, note: str) -> None:
    """Preset buttons write the bound widgets' state; the URL follows."""
    for key in TRAINING_KEYS:
        st.session_state[key] = values.get(key, FIELDS[key].default)
    st.session_state[PRESET_NOTE] = note


def controls() -> tuple[dict, object]:
    """The sidebar controls.

    Returns:
        (the chosen settings, an empty slot right under the learning rate for 2/λmax).
    """
    side = st.sidebar
    side.header("Training")
    s = {"lr": widget(FIELDS["lr"], side)}
    limit_slot = side.empty()
    for key in TRAINING_KEYS[1:]:
        s[key] = widget(FIELDS[key], side)
    side.header("Animals")
    for key in DATA_KEYS:
        s[key] = widget(FIELDS[key], side)
    return s, limit_slot


def fmt_limit(limit: float) -> str:
    return "none (the cost is flat here)" if not math.isfinite(limit) else f"{limit:.3g}"


def stability_note(slot, run: neuron.TrainingRun, lr: float) -> None:
    """2/λmax at the start and the end of training, and a warning when η is above it."""
    start, end = run.lr_limit_start, run.lr_limit_end
    with slot.container():
        st.markdown(f"**Stability limit 2/λmax**: {fmt_limit(start)} at the start, "
                    f"{fmt_limit(end)} at the end (λmax: the steepest curvature of the cost, "
                    "as f″ on the parabola).")
        if lr > end:
            st.warning(f"η = {lr:g} is above 2/λmax = {end:.3g} where training ends: "
                       "descent there bounces or runs away.", icon="⚠️")
        elif lr > start:
            st.warning(f"η = {lr:g} is above 2/λmax = {start:.3g} at the start, so the first "
                       "steps overshoot; the curvature falls as the neuron saturates.",
                       icon="⚠️")


STATUS_BOX = {"settled": st.success, "still learning": st.info, "oscillating": st.warning,
              "diverged": st.error}


# --- The page ------------------------------------------------------------------------------
def main() -> None:
    raw = from_link("neuron", NEURON_FIELDS)
    head = st.container()          # title, link notes, presets, how it ended: after the chart
    # first, so the new chart is drawn before the widgets and the rest of the page arrive
    early = held(KEYS)
    if early is not None:
        try:
            chart(main_figure(early), key="neuron_chart", head_start=HEAD_START_S)
        except ValueError:         # cannot be trained: said below, once the widgets are drawn
            early = None
    s, limit_slot = controls()
    try:
        data, run = lesson(s)
    except ValueError as err:
        with head:
            introduce(raw, s)
            st.error(f"These settings cannot be trained: {err}.", icon="🛑")
        return
    if not drawn_early(early, s):
        chart(main_figure(s), key="neuron_chart", head_start=HEAD_START_S)
    with head:
        introduce(raw, s)
        verdict, _, rest = run.reason.partition(": ")
        STATUS_BOX[run.status](f"**{verdict.capitalize()}**: {rest}. After "
                               f"{run.final} epochs: training cost {run.train_cost[-1]:.4g}, "
                               f"accuracy {run.train_acc[-1]:.0%} on training animals and "
                               f"{run.test_acc[-1]:.0%} on {len(data.y_test)} test animals.")
        st.caption(f"The run below: {describe(s)}.")
    stability_note(limit_slot, run, s["lr"])
    st.caption(caption(run, data))
    show = dict(zip(TABS, (confusion_tab, rates_tab, export_tab), strict=True))
    show[section("neuron", TABS)](data, run, s)           # only the open section is computed


def introduce(raw: dict, s: dict) -> None:
    """The page's title and lead, the notes on a link's refused values, and the presets."""
    st.title("A neuron learns cats from dogs")
    st.markdown(r"One neuron, $\hat y = \sigma(w_1 x_1 + w_2 x_2 + b)$, sees an animal's "
                "**body weight** (kg) and **ear length** (cm) and says how likely it is a "
                r"dog. Gradient descent moves $(w_1, w_2, b)$ against the gradient of the "
                r"cost, $C = \frac{1}{2N}\sum (\hat y - y)^2$ as in the seed, or cross-entropy.")
    settled("neuron", NEURON_FIELDS, raw, s)      # what it remembers is what /math checks
    preset_buttons()


def rates_tab(data: Dataset, run: neuron.TrainingRun, s: dict) -> None:
    runs, labels = rates(s)
    chart(figs.rates(runs, labels), key="neuron_rates")
    st.caption("The same animals and start at several multiples of your η. Small η creeps; "
               "past 2/λmax the cost stops falling smoothly.")


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


def preset_buttons() -> None:
    # two rows of three: six labels this long are cut off in one row on a 1024 px projector
    cols = [*st.columns(3), *st.columns(3)]
    for col, (name, label, values, note) in zip(cols, PRESETS, strict=True):
        col.button(label, key=f"neuron_preset_{name}", on_click=set_preset,
                   args=(name, values, note), use_container_width=True)
    note = st.session_state.get(PRESET_NOTE)
    if note:
        st.caption(f"Preset: {note}")


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
