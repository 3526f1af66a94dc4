"""Hostile links and extreme settings, hundreds of them, through both lessons with AppTest.

Every case: no exception box, no NaN/inf/traceback on screen or in a chart, a visible note
naming the parameter whenever a value was refused, and the page still answers a click after.
"""
import re

import pytest
from streamlit.testing.v1 import AppTest

from gdviz.settings import DESCENT_FIELDS, NEURON_FIELDS
from tests.conftest import ROOT, chart_specs, finite_json

HOSTILE = [
    "", " ", "abc", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e309", "-1e309",
    "1e-400", "-0", "-1", "0", "1e9", "99999999999999999999999", "0x10", "1_000", "1,5",
    "１２", "<script>alert(1)</script>", "__import__('os').system('id')", "{{7*7}}",
    "${7*7}", "'; DROP TABLE runs;--", "%00", "../../etc/passwd", "None", "[]", "2**10",
    "lambda: 0", "true", "x" * 300, "<img src=x onerror=alert(1)>", "1e2",
]
PAGES = {"descent": ("", DESCENT_FIELDS, "preset_seed"),
         "neuron": ("neuron", NEURON_FIELDS, "neuron_preset_right")}
CASES = [(page, field.key, value) for page, (_, fields, _) in PAGES.items()
         for field in fields for value in HOSTILE]

EXTREMES = [  # widget extremes and combinations, all in range: nothing may be refused
    ("descent", {"lr": "2.5", "steps": "500", "x0": "10"}),
    ("descent", {"lr": "0.001", "steps": "1", "x0": "-10"}),
    ("descent", {"f": "quadratic", "a": "0.5", "b": "10", "c": "-10", "lr": "2.5"}),
    ("descent", {"f": "quadratic", "a": "5", "lr": "0.2", "steps": "500"}),
    ("descent", {"f": "two-valleys", "lr": "2.5", "steps": "500", "x0": "-10"}),
    ("descent", {"f": "two-valleys", "x0": "2.28"}),
    ("neuron", {"lr": "100", "epochs": "2000"}),
    ("neuron", {"lr": "100", "epochs": "2000", "loss": "ce", "standardize": "false"}),
    ("neuron", {"lr": "0.001", "epochs": "1"}),
    ("neuron", {"n": "10", "balance": "0.05"}),
    ("neuron", {"n": "10", "balance": "0.95", "split": "0.9"}),
    ("neuron", {"split": "0.05", "n": "10"}),
    ("neuron", {"noise": "0", "n": "10000", "epochs": "2000"}),
    ("neuron", {"noise": "3", "batch": "1", "epochs": "50"}),
    ("neuron", {"batch": "10000", "init": "wrong", "loss": "mse"}),
    ("neuron", {"init": "random", "seed": "2147483647", "standardize": "false", "lr": "100"}),
]


def run(page: str, params: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if PAGES[page][0]:
        at.switch_page(f"gdviz/pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def screen_text(at: AppTest) -> str:
    kinds = ("markdown", "caption", "code", "error", "warning", "info", "success", "title",
             "header", "subheader", "metric", "latex", "table", "dataframe")
    parts = []
    for kind in kinds:
        for el in getattr(at, kind, []):
            parts.append(str(getattr(el, "value", "")))
            parts.append(str(getattr(el, "label", "")))
    return "\n".join(parts)


def assert_healthy(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    text = screen_text(at)
    assert not re.search(r"\b(nan|NaN|inf|Infinity|Traceback)\b", text), text[:500]
    for spec in chart_specs(at).values():
        finite_json(spec)


def refused(fields, key: str, value: str) -> bool:
    field = next(f for f in fields if f.key == key)
    try:
        field.parse(value)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("page,key,value", CASES,
                         ids=[f"{p}-{k}-{i}" for i, (p, k, _) in enumerate(CASES)])
def test_hostile_link_value(page, key, value):
    at = run(page, {key: value})
    assert_healthy(at)
    _, fields, preset = PAGES[page]
    if refused(fields, key, value):
        notes = " ".join(w.value for w in at.warning)
        assert key in notes, f"{key}={value!r} was refused without a note"
        assert not re.search(r"(?<!\\)<", notes), "link text must reach Markdown escaped"
    at.button(key=preset).click().run()         # the page still works afterwards
    assert_healthy(at)


@pytest.mark.parametrize("page,params", EXTREMES)
def test_extreme_settings(page, params):
    at = run(page, params)
    assert_healthy(at)
    assert not at.warning or "could not be used" not in at.warning[0].value, at.warning[0].value


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("params", [
    {"lr": ["0.2", "0.3"]}, {"lr": ["abc", "0.3"]}, {"unknown": "1"},
    {"__proto__": "x", "constructor": "y"}, {"<script>": "1"},
    {f"p{i}": str(i) for i in range(60)},
])
def test_repeated_and_unknown_keys(page, params):
    at = run(page, params)
    assert_healthy(at)
    assert at.warning, "the link's odd parameters deserve a note"


BROWSER_SAMPLE = [
    ("", "steps=1e309&lr=nan"), ("", "x0=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"),
    ("", "f=__import__('os')&lr=-1"), ("", "lr=0.2&lr=0.3&tab=%3Cscript%3E"),
    ("", "a=0&f=quadratic&steps=-5"), ("", "x0=1e-400&steps=0x10"),
    ("neuron", "epochs=1e309&lr=inf"), ("neuron", "n=-1&seed=nan&loss=%3Cscript%3E"),
    ("neuron", "batch=1e9&init=eval(1)&standardize=maybe"),
    ("neuron", "split=2&balance=-1&noise=inf"),
]


@pytest.mark.browser
@pytest.mark.parametrize("path,query", BROWSER_SAMPLE)
def test_hostile_links_in_a_real_browser(page, app_url, path, query):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{app_url}/{path}?{query}")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.get_by_text("could not be used").first.wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert not re.search(r"\b(NaN|nan|Infinity|Traceback)\b", body)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert dialogs == [], "no script from the link may run"
    page.get_by_role("button").filter(has_text=re.compile("seed|right", re.I)).first.click()
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
