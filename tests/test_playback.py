"""The playback controls' words (gdviz/playback.js's status line and the chart's text
alternative): computed on the server from the run, one line per frame, true to the run."""
import json
import re

import numpy as np
import pytest

from gdviz import descent, export, ledger, neuron, objectives
from gdviz.data import make_pets
from gdviz.figures import descent as figs
from gdviz.figures import neuron as neuron_figs
from gdviz.figures.style import movable_breaches

STEP = 0.001    # the lr widget's step (settings.py): the pages pass it as lr_step


def words(fig) -> dict:
    return fig.layout["meta"]["playback"]


def test_each_step_says_the_closed_form_iterate(parabola):
    """On the seed's parabola x_k = 2 + 6·(1 − 2η)^k: every frame's words name k and x_k."""
    for lr in (0.1, 0.8, 1.1):
        run = descent.descend(parabola, 8.0, lr, 33)
        said = descent.frame_words(run, range(run.steps + 1))
        for k, line in enumerate(said):
            step, of, x = re.fullmatch(r"step (\d+) of (\d+), x = (\S+)", line).groups()
            assert (int(step), int(of)) == (k, run.steps)
            exact = 2 + 6 * (1 - 2 * lr) ** k
            assert float(x) == pytest.approx(exact, rel=6e-4, abs=1e-12), (lr, k)


@pytest.mark.parametrize("lr, regime, share", [(0.1, "creeping", 0.1), (0.8, "oscillating", 0.8),
                                               (1.0, "bouncing", 1.0), (1.1, "diverging", 1.1),
                                               (0.5, "one step", 0.5)])
def test_the_run_words_name_the_regime_and_eta_against_2_over_f2(parabola, lr, regime, share):
    run = descent.descend(parabola, 8.0, lr, 33)
    tail = descent.run_words(parabola, run, STEP)
    # f″ = 2 on the seed's parabola: the limit 2/f″ is 1, so η's share of it is η itself
    assert tail.endswith(f"η is {share:.2g} of the limit 2/f″ = 1")
    assert regime in tail
    # the same headline the page prints (descent.verdict), in the same words
    assert tail.startswith(descent.verdict(parabola, run, STEP).word.lower())


def test_off_a_parabola_the_limit_is_said_to_be_local():
    obj = objectives.by_name("two-valleys", 1, 0, 0)
    run = descent.descend(obj, 5.0, 0.3, 50)
    h = float(obj.d2f(run.x_star))
    assert descent.run_words(obj, run, STEP).endswith(
        f"η is {0.3 * h / 2:.2g} of the local limit 2/f″ = {2 / h:.3g}")


def test_the_figure_carries_a_line_per_frame_in_the_frames_order(parabola):
    run = descent.descend(parabola, 8.0, 0.1, 500)     # more steps than frames: a sample
    fig = figs.animated(run, parabola, ledger.lines(run, parabola, 2), lr_step=STEP)
    said = words(fig)["say"]
    assert len(said) == len(fig.frames) < run.steps + 1
    for frame, line in zip(fig.frames, said, strict=True):
        assert line.startswith(f"step {frame['name']} of 500, ")
    assert said[-1] == f"step 500 of 500, x = {run.x[-1]:.4g}"
    assert words(fig)["ms"] > 0
    assert "creeping" in words(fig)["tail"]
    alt = words(fig)["alt"]
    assert "x₀ = 8" in alt and "η = 0.1" in alt and "500 steps" in alt and run.status in alt


def test_the_neuron_says_each_epochs_cost_and_accuracy():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    s = neuron.NeuronSettings.from_values(dict(lr=2.0, epochs=200))
    run = neuron.train(s, data)
    fig = neuron_figs.animated(run, data)
    said = words(fig)["say"]
    assert len(said) == len(fig.frames)
    for frame, line in zip(fig.frames, said, strict=True):
        k = int(frame["name"])
        epoch, cost, train, test = re.fullmatch(
            r"epoch (\d+) of 200, training cost (\S+), accuracy (\d+)% train, (\d+)% test",
            line).groups()
        assert int(epoch) == k
        # the cost from the run's own weights, by the seed's formula C = 1/(2N) Σ (ŷ − y)²
        p = run.p_dog(data.x_train, k)
        assert float(cost) == pytest.approx(np.mean((p - data.y_train) ** 2) / 2, abs=6e-5)
        assert int(train) == round(100 * np.mean((p > 0.5) == data.y_train))
        assert int(test) == round(100 * np.mean(
            (run.p_dog(data.x_test, k) > 0.5) == data.y_test))
    tail = words(fig)["tail"]
    assert tail.startswith(run.status)
    share = float(re.search(r"η is (\S+) of the local limit 2/λmax", tail).group(1))
    assert share == pytest.approx(2.0 / run.lr_limit_end, rel=0.05)
    assert movable_breaches(fig.data, fig.layout, fig.frames) == []


def test_mini_batch_says_no_limit():
    data = make_pets(200, 1.0, 0.5, 0.25, 0)
    run = neuron.train(neuron.NeuronSettings.from_values(dict(batch=10, epochs=20)), data)
    assert neuron.run_words(run) == run.status


def test_the_exported_file_runs_the_same_player_with_the_figures_words(parabola):
    run = descent.descend(parabola, 8.0, 0.1, 33)
    fig = figs.animated(run, parabola, ledger.lines(run, parabola, 2), "</script><b>x</b>",
                        STEP)
    html = export.standalone_html(fig, "gdviz")
    # booleans, not `in` asserts: pytest would diff the 4 MB page on a failure
    runs_player = export.PLAYBACK_FILE.read_text(encoding="utf-8") in html
    assert runs_player
    facts = re.search(r"const fig = (.*);\n", html).group(1)
    assert "</" not in facts                      # nothing in the words closes the <script>
    said = json.loads(facts)["layout"]["meta"]["playback"]
    assert said == words(fig)
    assert "updatemenus" not in fig.layout          # one set of controls: gdviz's own
