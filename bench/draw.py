"""How long plotly.js takes to draw each lesson's main figure, without Streamlit around it.

Streamlit remounts a chart whenever its spec changes (the element's id hashes the spec), so a
control change costs a full Plotly.newPlot, then a second Plotly.react once the chart knows
its width. This script times both calls in Debian's headless Chromium on a blank page that
loads plotly.js from the plotly package (no network), for each figure as gdviz builds it and,
for comparison, with plotly.py's default template put back (the template switches on
`automargin`, which makes plotly.js lay every figure out twice).

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

import plotly  # noqa: E402
import plotly.io as pio  # noqa: E402
import plotly.utils  # noqa: E402

from bench.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

# Draw spec B into a div that holds spec A, as Streamlit does on a control change: a fresh
# newPlot, then react with the same figure at its final width. Milliseconds per round.
_DRAW = """
async ([a, b, rounds]) => {
  const box = document.getElementById('box');
  const specs = [a, b];
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const gd = document.createElement('div');
    box.replaceChildren(gd);
    const t0 = performance.now();
    const fig = JSON.parse(specs[i % 2]);
    await Plotly.newPlot(gd, fig.data, fig.layout);
    const sized = {...fig.layout, width: 900};
    await Plotly.react(gd, {data: fig.data, layout: sized, frames: fig.frames});
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
        return json.loads(pio.to_json(fig, validate=False))

    def cats_and_dogs(lr: float) -> dict:
        s = {f.key: f.default for f in NEURON_FIELDS} | {"lr": lr}
        data = make_pets(*(s[k] for k in DATA_KEYS))
        run = neuron.train(neuron.NeuronSettings.from_values(s), data)
        return json.loads(pio.to_json(neuron_figs.animated(run, data, "t"), validate=False))

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
        page_file = Path(tmp) / "draw.html"
        page_file.write_text(f"<html><body><div id='box' style='width:900px'></div>"
                             f"<script src='file://{PLOTLY_JS}'></script></body></html>")
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=[*CHROMIUM_ARGS, "--allow-file-access-from-files"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"file://{page_file}")
            for name, (a, b) in lesson_specs().items():
                for variant, fix in (("as gdviz sends it", lambda s: s),
                                     ("with plotly's default template", with_default_template)):
                    specs = [json.dumps(fix(a)), json.dumps(fix(b))]
                    page.evaluate(_DRAW, [*specs, 2])          # warm-up
                    times = page.evaluate(_DRAW, [*specs, draws])
                    rows.append(dict(figure=name, variant=variant, kb=len(specs[0]) / 1024,
                                     median_ms=statistics.median(times), min_ms=min(times)))
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=15)
    args = ap.parse_args(argv)
    rows = measure(args.draws)
    print("| figure | spec | KB | newPlot + react, median (ms) | best (ms) |")
    print("|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['figure']} | {r['variant']} | {r['kb']:.0f} | {r['median_ms']:.0f} | "
              f"{r['min_ms']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
