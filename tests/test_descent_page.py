"""The descent page driven through Streamlit's AppTest: presets, links, hostile links."""

import pytest

from tests.conftest import ROOT, assert_clean, open_app, texts
from tests.conftest import boxes as regime_box
from tests.test_descent import SEED_TABLE

APP = ROOT / "app.py"


def test_default_view_is_the_seed_with_its_33_lines():
    at = open_app()
    assert_clean(at)
    lines = at.code[0].value.splitlines()
    assert len(lines) == 33
    assert [float(line.rsplit("=", 1)[1]) for line in lines] == SEED_TABLE
    assert "Creeping" in regime_box(at) and "converged" in regime_box(at)
    assert "predicts **step 29**" in texts(at) and "at **step 29**" in texts(at)


@pytest.mark.parametrize("preset,lr,regime", [
    ("small", 0.01, "Creeping"), ("seed", 0.1, "Creeping"), ("optimal", 0.5, "One step"),
    ("oscillating", 0.8, "Oscillating"), ("edge", 1.0, "Bouncing"), ("large", 1.1, "Diverging"),
])
def test_each_preset_is_one_click_away(preset, lr, regime):
    at = open_app()
    at.button(key=f"preset_{preset}").click().run()
    assert_clean(at)
    assert at.number_input(key="lr").value == pytest.approx(lr)
    assert regime in regime_box(at)


def test_presets_follow_the_curvature_of_a_general_quadratic():
    at = open_app(f="quadratic", a="2")
    at.button(key="preset_optimal").click().run()
    assert at.number_input(key="lr").value == pytest.approx(0.25)      # 1/f″ = 1/(2·2)
    assert "One step" in regime_box(at)
    at.button(key="preset_edge").click().run()
    assert at.number_input(key="lr").value == pytest.approx(0.5)
    assert "Bouncing" in regime_box(at)


def test_seed_preset_restores_the_seed_from_anywhere():
    at = open_app(f="two-valleys", x0="-3", lr="0.3", steps="50")
    at.button(key="preset_seed").click().run()
    assert at.selectbox(key="f").value == "seed"
    assert at.number_input(key="x0").value == 8.0 and at.number_input(key="steps").value == 33
    assert len(at.code[0].value.splitlines()) == 33


def test_a_link_reproduces_the_view():
    at = open_app(lr="0.8", steps="20", x0="6")
    assert_clean(at)
    assert at.number_input(key="lr").value == 0.8 and at.number_input(key="steps").value == 20
    assert "Oscillating" in regime_box(at)
    assert len(at.code[0].value.splitlines()) == 20
    assert not at.warning


def test_diverging_link_says_so_without_nan():
    at = open_app(lr="2.5", steps="500")
    assert_clean(at)
    assert "Diverging" in regime_box(at) and "diverged" in texts(at)


@pytest.mark.parametrize("params", [
    {"lr": "abc"}, {"lr": "nan"}, {"lr": "inf"}, {"lr": "1e309"}, {"lr": "-1"}, {"lr": "99"},
    {"x0": "1e309"}, {"steps": "0"}, {"steps": "99999999"}, {"steps": "2.5"},
    {"steps": "1e309"}, {"steps": "-1e309"}, {"x0": "-inf"}, {"steps": "nan"},
    {"f": "<script>alert(1)</script>"}, {"f": "__import__('os').system('id')"},
    {"lr": ["0.2", "0.3"]}, {"a": "0"},
])
def test_hostile_links_fall_back_with_a_visible_note(params):
    at = open_app(**params)
    assert_clean(at)
    key = next(iter(params))
    assert at.warning, "a refused link value must be explained"
    assert key in at.warning[0].value
    assert "<script>" not in at.warning[0].value     # escaped, never raw HTML


def test_unknown_link_setting_is_named():
    at = open_app(colour="red")
    assert_clean(at)
    assert at.warning and "colour" in at.warning[0].value


def test_two_valleys_reports_its_local_curvature():
    at = open_app(f="two-valleys")
    assert_clean(at)
    assert "near the minimum" in texts(at)


def test_quadratic_shows_its_coefficients():
    at = open_app(f="quadratic")
    assert {w.key for w in at.number_input} >= {"a", "b", "c", "x0", "lr", "steps"}


@pytest.mark.parametrize("tab", ["Step ledger", "Learning rates compared",
                                 "Steps vs learning rate", "Other methods", "Export"])
@pytest.mark.parametrize("f", ["seed", "quadratic", "two-valleys"])
def test_every_tab_opens_from_a_link(tab, f):
    at = open_app(tab=tab, f=f, lr="0.3")
    assert_clean(at)
    assert not at.warning


def test_tab_content_is_only_computed_when_open():
    at = open_app(tab="Other methods")
    assert "Newton–Raphson" in texts(at)
    assert not at.code                      # the ledger tab is closed, so not sent
