"""The math at `/math`: the seed's derivation set right, and checked live on the current run."""
from __future__ import annotations

import streamlit as st

from gdviz import neuron
from gdviz.data import DATA_KEYS, make_pets
from gdviz.links import PRESENT
from gdviz.pages import presenter, session
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
        show_url_notes(NEURON_FIELDS, raw, values, known=(PRESENT,))
        return values, "the run named in this link"
    show_url_notes(NEURON_FIELDS, raw, {}, known=(PRESENT,))   # keys this page does not know
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
    st.markdown("The sign matters for the update too. With the seed's own σ, the slope is "
                "the negative of the one it uses:")
    st.latex(r"\hat y = \frac{1}{1 + e^{z}} \;\Rightarrow\; \frac{d\hat y}{dz} = "
             r"-\frac{e^{z}}{(1 + e^{z})^2} = -\hat y\,(1 - \hat y)")
    st.markdown("so the seed's gradient, built with +ŷ(1 − ŷ), points the wrong way: its "
                "update w ← w − η·(its gradient) **climbs** the cost it meant to descend. "
                "With the standard σ below, the same formulas are right.")
    st.latex(r"\hat y_i = \sigma(z_i), \qquad z_i = w_1 x_{i1} + w_2 x_{i2} + b")
    st.markdown("The seed writes ŷ = σ(wᵀx), which drops the b it had just included in z: "
                "the bias must stay inside σ.")
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
    st.markdown("gdviz uses the seed's final form, 1/(2N). The seed's ∂C/∂ŷ, (ŷ − y), "
                "drops that 1/N: it is the derivative of one animal's ½(ŷ − y)², not of "
                "the mean over N.")
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
    st.markdown("A good point hides in the slip of section 3: the seed's gradient taken "
                "literally, mean((ŷ − y)·σ′) with no factor x, is exactly ∂C/∂b. It is the "
                "right gradient, for the bias.")
    st.header("5. Cross-entropy drops the σ′ factor")
    st.markdown("When the neuron is confidently wrong, ŷ(1 − ŷ) ≈ 0 and the quadratic "
                "cost barely moves it. Cross-entropy's derivative cancels that factor:")
    st.latex(r"C = -\frac{1}{N}\sum_{i=1}^{N}\bigl[y_i \log \hat y_i + (1 - y_i)"
             r"\log(1 - \hat y_i)\bigr]")
    st.markdown("The chain rule through ŷ, one animal at a time: ∂C/∂ŷ has ŷ(1 − ŷ) in "
                "its denominator, and σ′ = ŷ(1 − ŷ) multiplies it away:")
    st.latex(r"\frac{\partial C}{\partial z_i} = \frac{1}{N}\left[-\frac{y_i}{\hat y_i} + "
             r"\frac{1 - y_i}{1 - \hat y_i}\right]\hat y_i (1 - \hat y_i) = "
             r"\frac{1}{N}\cdot\frac{\hat y_i - y_i}{\hat y_i (1 - \hat y_i)}\cdot"
             r"\hat y_i (1 - \hat y_i) = \frac{1}{N}(\hat y_i - y_i)")
    st.latex(r"\Rightarrow\quad \frac{\partial C}{\partial w_j} = \frac{1}{N}\sum_{i=1}^{N}"
             r"(\hat y_i - y_i)\, x_{ij}, \qquad "
             r"\frac{\partial C}{\partial b} = \frac{1}{N}\sum_{i=1}^{N}(\hat y_i - y_i)")


    st.header("6. Lesson 1's rule in one line")
    st.markdown("On the parabola f″ is the same everywhere, so f′(x) = f″·(x − x*). One step "
                "of descent, with e_k = x_k − x* the signed error:")
    st.latex(r"e_{k+1} = x_k - \eta f'(x_k) - x^* = e_k - \eta f''\,e_k = "
             r"(1 - \eta f'')\,e_k")
    st.markdown("Near the minimum of any smooth f, f′(x) ≈ f″(x*)·(x − x*), so the same rule "
                "holds there, and only there: it is local. For the neuron, λmax of the "
                "Hessian plays f″.")


def check_table(row: dict) -> str:
    lines = ["| gradient | analytic (formula above) | central difference | difference | allowed |",
             "|---|---|---|---|---|"]
    for name, a, n, t in zip(PARAMS, row["analytic"], row["numeric"], row["allowance"],
                             strict=True):
        lines.append(f"| ${name}$ | {a:+.8e} | {n:+.8e} | {abs(a - n):.1e} | {t:.1e} |")
    return "\n".join(lines)


def verdict(row: dict, loss: str) -> tuple[object, str]:
    """The box and the words for one check, from the check's own numbers."""
    rel = f"Relative error **{row['error']:.2e}**"
    if not row["agree"]:
        return st.warning, (f"{rel}: a difference is larger than the finite differences' own "
                            "error allows: the formula and the numbers disagree.")
    if not row["telling"]:
        return st.info, (f"{rel}, every difference within the allowance. But the gradient "
                         f"here (largest component {max(abs(row['numeric'])):.1e}) is under "
                         f"{neuron.TELLING:g} × the finite differences' error, at their noise "
                         "floor: the relative error means nothing, and this check cannot tell "
                         "a right formula from a wrong one. The check at a nearby point below "
                         "can.")
    seed = ("The seed's gradient is for the quadratic cost; it is not compared here."
            if loss != "mse" else
            "The seed's gradient taken literally (no factor x: one number for both weights, "
            f"and nothing for b) is off by a relative **{row['seed_error']:.2e}**.")
    return st.success, f"{rel}: every difference within the allowance. {seed}"


def gradient_check(s: dict, source: str) -> None:
    st.header("7. Checked live on the current run")
    try:
        result = checked(s)
    except ValueError as err:
        st.error(f"This run cannot be trained: {err}.", icon="🛑")
        return
    loss = "quadratic cost" if s["loss"] == "mse" else "cross-entropy"
    st.markdown(f"Checking **{source}**: η = {s['lr']:g}, {loss}, {s['epochs']} epochs, "
                f"{s['n']} animals, seed {s['seed']} ({result['reason']}). Each analytic "
                r"gradient is compared with central differences "
                r"$\bigl(C(p + h e_j) - C(p - h e_j)\bigr)/2h$, " f"h = {H:g}.")
    st.markdown("**The criterion.** A central difference is itself off by rounding (C is "
                "known to about ε = 2.2·10⁻¹⁶ of its size, and the difference divides by 2h) "
                "and by truncation (h²·C‴/6). The formula and the numbers agree when every "
                f"component differs by at most {neuron.CHECK_MARGIN:g} × that error: the "
                "*allowed* column. Near a minimum the gradient itself sinks to that floor, "
                "where no finite difference can judge it: the page says so, and checks again "
                "at a nearby point where the gradient is large.")
    for row in result["rows"]:
        p = row["p"]
        where = (f"Epoch {row['k']}" if row["k"] is not None
                 else "A nearby point (the last epoch's weights moved half a unit of z along "
                      "each parameter)")
        st.subheader(f"{where}: w₁ = {p[0]:.4g}, w₂ = {p[1]:.4g}, b = {p[2]:.4g}")
        st.markdown(check_table(row))
        box, words = verdict(row, s["loss"])
        box(words)


def main() -> None:
    present, notes = presenter.presenting(url_snapshot())
    if present:
        st.html(presenter.PRESENTER_CSS)
    presenter.title_row("The math, set right", present)
    show_url_notes(NEURON_FIELDS, {}, {}, more=notes)
    st.markdown("The seed's derivation of how one sigmoid neuron learns has several slips. "
                "Here is each step as the seed writes it and as it should be, then a live "
                "check of the corrected gradients on the neuron you trained.")
    s, source = settings()
    derivation()
    gradient_check(s, source)


main()
