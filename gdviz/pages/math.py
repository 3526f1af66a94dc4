"""The math at `/math`: the seed's derivation set right, and checked live on the current run."""
from __future__ import annotations

import streamlit as st

from gdviz import neuron
from gdviz.data import DATA_KEYS, make_pets
from gdviz.pages import session
from gdviz.pages.common import show_url_notes, url_snapshot
from gdviz.settings import NEURON_FIELDS, parse_settings

H = 1e-5                              # central-difference step: error ~h², rounding ~ε/h
PARAMS = (r"\partial C/\partial w_1", r"\partial C/\partial w_2", r"\partial C/\partial b")


@st.cache_data(max_entries=128, show_spinner=False)
def checked(s: dict) -> dict:
    """The gradient check at the start, the middle and the end of the configured run."""
    data = make_pets(*(s[k] for k in DATA_KEYS))
    run = neuron.train(neuron.NeuronSettings.from_values(s), data)
    return {"reason": run.reason, "rows": neuron.gradient_check(run, data, H)}


def settings() -> tuple[dict, str]:
    """The run to check: from the link if it names one, else from /neuron, else defaults."""
    raw = url_snapshot()
    keys = {f.key for f in NEURON_FIELDS}
    if keys & raw.keys():
        values, _ = parse_settings(NEURON_FIELDS, raw)
        show_url_notes(NEURON_FIELDS, raw, values)
        return values, "the run named in this link"
    show_url_notes(NEURON_FIELDS, raw, {})      # keys this page does not know, if any
    configured = session.settings("neuron")
    if configured is not None:
        return dict(configured), "the run configured on the neuron page"
    values, _ = parse_settings(NEURON_FIELDS, {})
    return values, "the neuron page's default run (nothing configured yet)"


def derivation() -> None:
    """The seed's steps, each beside its correction."""
    st.header("1. The sigmoid: mind the sign")
    st.markdown("The seed writes")
    st.latex(r"\sigma(z) = \frac{1}{1 + e^{z}} \quad\text{(wrong sign)}")
    st.markdown("which *falls* as z grows: it is σ(−z). The standard sigmoid rises from 0 "
                "to 1, and its derivative is built from itself:")
    st.latex(r"\sigma(z) = \frac{1}{1 + e^{-z}}, \qquad "
             r"\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)")
    st.latex(r"\hat y_i = \sigma(z_i), \qquad z_i = w_1 x_{i1} + w_2 x_{i2} + b")
    st.header("2. The cost: 1/N or 1/(2N)?")
    st.markdown("The seed first writes the quadratic cost with 1/N, later with 1/(2N) "
                "(and sums from i = 0 to N, which is N + 1 terms; i runs from 1 to N). "
                "Both have the same minimum; the ½ only cancels the 2 of the square's "
                "derivative, so with 1/N every gradient, and so every step, is twice as big:")
    # one formula a line: a projector at 1024 px must not cut them off
    st.latex(r"C = \frac{1}{2N}\sum_{i=1}^{N} (\hat y_i - y_i)^2 \;\Rightarrow\; "
             r"\frac{\partial C}{\partial \hat y_i} = \frac{1}{N}(\hat y_i - y_i)")
    st.latex(r"\text{against}\quad C = \frac{1}{N}\sum_{i=1}^{N} (\hat y_i - y_i)^2 "
             r"\;\Rightarrow\; \frac{\partial C}{\partial \hat y_i} = \frac{2}{N}(\hat y_i - y_i)")
    st.markdown("gdviz uses the seed's final form, 1/(2N).")
    st.header("3. The chain rule: the missing factor x")
    st.markdown("The seed's ∂ŷ/∂w is σ(1 − σ), but that is ∂ŷ/∂z. The weight reaches ŷ "
                "through z, and ∂z/∂w_j = x_j, so the chain has three links:")
    st.latex(r"\frac{\partial C}{\partial w_j} = \sum_i "
             r"\frac{\partial C}{\partial \hat y_i}\,\frac{\partial \hat y_i}{\partial z_i}"
             r"\,\frac{\partial z_i}{\partial w_j} = \frac{1}{N}\sum_{i=1}^{N} "
             r"(\hat y_i - y_i)\,\hat y_i (1 - \hat y_i)\, x_{ij}")
    st.header("4. The bias needs its own gradient")
    st.markdown("The seed updates w only. b is a parameter too, with ∂z/∂b = 1:")
    st.latex(r"\frac{\partial C}{\partial b} = \frac{1}{N}\sum_{i=1}^{N} "
             r"(\hat y_i - y_i)\,\hat y_i (1 - \hat y_i)")
    st.latex(r"w_j \leftarrow w_j - \eta\,\frac{\partial C}{\partial w_j}, \qquad "
             r"b \leftarrow b - \eta\,\frac{\partial C}{\partial b}")
    st.header("5. Cross-entropy drops the σ′ factor")
    st.markdown("When the neuron is confidently wrong, ŷ(1 − ŷ) ≈ 0 and the quadratic "
                "cost barely moves it. Cross-entropy's derivative cancels that factor:")
    st.latex(r"C = -\frac{1}{N}\sum_{i=1}^{N}\bigl[y_i \log \hat y_i + (1 - y_i)"
             r"\log(1 - \hat y_i)\bigr]")
    st.latex(r"\Rightarrow\quad \frac{\partial C}{\partial w_j} = \frac{1}{N}\sum_{i=1}^{N}"
             r"(\hat y_i - y_i)\, x_{ij}, \qquad "
             r"\frac{\partial C}{\partial b} = \frac{1}{N}\sum_{i=1}^{N}(\hat y_i - y_i)")


def check_table(row: dict) -> str:
    lines = ["| gradient | analytic (formula above) | central difference |",
             "|---|---|---|"]
    for name, a, n in zip(PARAMS, row["analytic"], row["numeric"], strict=True):
        lines.append(f"| ${name}$ | {a:+.8e} | {n:+.8e} |")
    return "\n".join(lines)


def gradient_check(s: dict, source: str) -> None:
    st.header("6. Checked live on the current run")
    try:
        result = checked(s)
    except ValueError as err:
        st.error(f"This run cannot be trained: {err}.", icon="🛑")
        return
    loss = "quadratic cost" if s["loss"] == "mse" else "cross-entropy"
    st.markdown(f"Checking **{source}**: η = {s['lr']:g}, {loss}, {s['epochs']} epochs, "
                f"{s['n']} animals, seed {s['seed']} ({result['reason']}). Each analytic "
                r"gradient is compared with central differences "
                r"$\bigl(C(p + h e_j) - C(p - h e_j)\bigr)/2h$, " f"h = {H:g}, by the relative "
                r"error $\lVert g_a - g_n\rVert / (\lVert g_a\rVert + \lVert g_n\rVert)$.")
    for row in result["rows"]:
        ok = row["error"] < 1e-6
        st.subheader(f"Epoch {row['k']}: w₁ = {row['p'][0]:.4g}, w₂ = {row['p'][1]:.4g}, "
                     f"b = {row['p'][2]:.4g}")
        st.markdown(check_table(row))
        (st.success if ok else st.warning)(
            f"Relative error **{row['error']:.2e}**: "
            + ("the formulas agree with the numbers." if ok else "larger than expected.")
            + f" The seed's gradient taken literally (no factor x, no ∂C/∂b) is off by "
            f"**{row['seed']:.2e}**.")


def main() -> None:
    st.title("The math, set right")
    st.markdown("The seed's derivation of how one sigmoid neuron learns has four slips. "
                "Here is each step as the seed writes it and as it should be, then a live "
                "check of the corrected gradients on the neuron you trained.")
    s, source = settings()
    derivation()
    gradient_check(s, source)


main()
