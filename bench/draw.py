"""How long plotly.js takes to draw each lesson's main figure, without Streamlit around it.

On a control change gdviz's chart (gdviz/pages/chart.js) stays on the page: it moves only
what moved when the new figure differs from the shown one in points, frames, title, scrubber
and layout images alone, else it redraws in place with one Plotly.react. st.plotly_chart
instead remounts its chart (its identity hashes the figure): a fresh Plotly.newPlot, then a
second Plotly.react once the new chart knows its width. This script times each in Debian's
headless Chromium on a blank page that loads plotly.js from the plotly package (no
network): Plotly.react, the remount, Plotly.react once more with plotly.py's default
template put back (it switches on `automargin`, which makes plotly.js lay every figure out
twice; gdviz's figures carry no template), and gdviz's chart component itself.

    python bench/draw.py            # median of 15 draws per figure
    python bench/draw.py --draws 3  # a quick look
"""
from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plotly.io as pio  # noqa: E402
import plotly.utils  # noqa: E402

from bench.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from gdviz.pages.chart import SOURCE as PLOTLY_JS  # noqa: E402   the js gdviz's chart serves
from gdviz.pages.chart import module_text  # noqa: E402

# Draw specs A and B alternately, as a student changing a control would see them drawn.
# "in place": one Plotly.react into the chart that holds the other figure (gdviz's chart).
# "remount": a new <div>, Plotly.newPlot, then Plotly.react at the final width
# (st.plotly_chart). Milliseconds per draw, up to the next animation frame.
_DRAW = """
async ([a, b, rounds, mode]) => {
  const box = document.getElementById('box');
  const specs = [JSON.parse(a), JSON.parse(b)];
  let gd = document.createElement('div');
  box.replaceChildren(gd);
  await Plotly.newPlot(gd, specs[1]);
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const fig = specs[i % 2];
    const t0 = performance.now();
    if (mode === 'in place') {
      await Plotly.react(gd, fig);
    } else {
      gd = document.createElement('div');
      box.replaceChildren(gd);
      await Plotly.newPlot(gd, fig.data, fig.layout);
      await Plotly.react(gd, {...fig, layout: {...fig.layout, width: 900}});
    }
    await new Promise(r => requestAnimationFrame(() => r()));
    times.push(performance.now() - t0);
    await new Promise(r => setTimeout(r, 20));
  }
  return times;
}
"""


# The same alternation through gdviz's chart component itself (chart.js, imported as the ES
# module Streamlit imports): it moves only what moved when it can (moveOnly), else calls
# Plotly.react. A draw is done when the chart counts it in its data-draws attribute.
_CHART = """
async ([a, b, rounds, module]) => {
  const chart = (await import(module)).default;
  const box = document.getElementById('box');
  box.replaceChildren();
  const payloads = [a, b].map((spec) =>
    `{"src": "", "config": {}, "movable": true, "figure": ${spec}}`);
  const tick = () => new Promise((ok) => {     // a zero-delay turn of the event loop
    const c = new MessageChannel(); c.port1.onmessage = () => ok(); c.port2.postMessage(0); });
  const draw = async (payload) => {
    const before = box.querySelector('.gdviz-chart')?.dataset.draws;
    chart({data: payload, parentElement: box});
    const start = performance.now();
    while (box.querySelector('.gdviz-chart').dataset.draws === before) {
      const failed = box.querySelector('.gdviz-chart-failed');
      if (failed || performance.now() - start > 20000) {
        throw new Error('the chart did not draw: ' + (failed ? failed.textContent : 'timeout'));
      }
      await tick();
    }
  };
  await draw(payloads[1]);
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await draw(payloads[i % 2]);
    await new Promise(r => requestAnimationFrame(() => r()));
    times.push(performance.now() - t0);
    await new Promise(r => setTimeout(r, 20));
  }
  return times;
}
"""


def lesson_specs() -> dict[str, tuple[dict, dict]]:
    """Two neighbouring learning rates' main figures per lesson, as the browser receives them."""
    from gdviz import descent, ledger, neuron, objectives
    from gdviz.data import DATA_KEYS, make_pets
    from gdviz.figures import descent as descent_figs
    from gdviz.figures import neuron as neuron_figs
    from gdviz.settings import NEURON_FIELDS

    def parabola(lr: float) -> dict:
        obj = objectives.by_name("seed", 1.0, -4.0, 6.0)
        run = descent.descend(obj, 8.0, lr, 33)
        fig = descent_figs.animated(run, obj, ledger.lines(run, obj, 2))
        return json.loads(fig.to_json())

    def cats_and_dogs(lr: float) -> dict:
        s = {f.key: f.default for f in NEURON_FIELDS} | {"lr": lr}
        data = make_pets(*(s[k] for k in DATA_KEYS))
        settings = neuron.NeuronSettings.from_values(s)
        run, reference = neuron.train(settings, data), neuron.reference_run(settings, data)
        return json.loads(neuron_figs.animated(run, data, "", reference).to_json())  # as /neuron

    return {"descent `/`": (parabola(0.1), parabola(0.11)),
            "neuron `/neuron`": (cats_and_dogs(2.0), cats_and_dogs(2.01))}


def with_default_template(spec: dict) -> dict:
    """The spec as plotly.py would have sent it had the figure kept its default template."""
    out = copy.deepcopy(spec)
    template = pio.templates["plotly"].to_plotly_json()
    out["layout"]["template"] = json.loads(json.dumps(template, cls=plotly.utils.PlotlyJSONEncoder))
    return out


def measure(draws: int) -> list[dict]:
    from playwright.sync_api import sync_playwright
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_file, chart_js = Path(tmp) / "draw.html", Path(tmp) / "chart.js"
        chart_js.write_text(module_text(), encoding="utf-8")   # the module Streamlit serves
        page_file.write_text(f"<html><body><div id='box' style='width:900px'></div>"
                             f"<script src='file://{PLOTLY_JS}'></script></body></html>")
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, "--allow-file-access-from-files"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"file://{page_file}")
            for name, (a, b) in lesson_specs().items():
                for variant, fix, mode in (
                        ("Plotly.react in place", lambda s: s, "in place"),
                        ("remount (st.plotly_chart)", lambda s: s, "remount"),
                        ("Plotly.react, plotly's default template", with_default_template,
                         "in place")):
                    specs = [json.dumps(fix(a)), json.dumps(fix(b))]
                    page.evaluate(_DRAW, [*specs, 2, mode])          # warm-up
                    times = page.evaluate(_DRAW, [*specs, draws, mode])
                    rows.append(dict(figure=name, variant=variant, kb=len(specs[0]) / 1024,
                                     median_ms=statistics.median(times), min_ms=min(times)))
                specs = [json.dumps(a), json.dumps(b)]
                module = f"file://{chart_js}"
                page.evaluate(_CHART, [*specs, 2, module])
                times = page.evaluate(_CHART, [*specs, draws, module])
                rows.append(dict(figure=name, variant="gdviz's chart (moves only what moved)",
                                 kb=len(specs[0]) / 1024, median_ms=statistics.median(times),
                                 min_ms=min(times)))
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=15)
    args = ap.parse_args(argv)
    rows = measure(args.draws)
    print("| figure | drawn | KB | median (ms) | best (ms) |")
    print("|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['figure']} | {r['variant']} | {r['kb']:.0f} | {r['median_ms']:.0f} | "
              f"{r['min_ms']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
