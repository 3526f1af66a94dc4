"""The descent page driven through Streamlit's AppTest: presets, links, hostile links."""
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, assert_clean, open_app, texts
from tests.conftest import boxes as regime_box
from tests.test_descent import SEED_TABLE

APP = ROOT / "app.py"


def ledgers(at: AppTest) -> list:
    """The page's code blocks but the share panel's link (gdviz/pages/share.py)."""
    return [c for c in at.code if not c.value.startswith("?")]


def test_default_view_is_the_seed_with_its_33_lines():
    at = open_app()
    assert_clean(at)
    lines = ledgers(at)[0].value.splitlines()
    assert len(lines) == 33
    assert [float(line.rsplit("=", 1)[1]) for line in lines] == SEED_TABLE
    assert "Creeping" in regime_box(at)
    assert "within 0.01 of x* = 2 from step 29" in regime_box(at)
    assert "predicts **step 29**" in texts(at) and "this run: **from step 29**" in texts(at)


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
    assert len(ledgers(at)[0].value.splitlines()) == 33


def test_a_link_reproduces_the_view():
    at = open_app(lr="0.8", steps="20", x0="6")
    assert_clean(at)
    assert at.number_input(key="lr").value == 0.8 and at.number_input(key="steps").value == 20
    assert "Oscillating" in regime_box(at)
    assert len(ledgers(at)[0].value.splitlines()) == 20
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
    assert "near the minimum" in texts(at) and "local rule" in texts(at)


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
    assert not ledgers(at)                    # the ledger tab is closed, so not sent


# --- issue 12: every verdict true of the run it describes --------------------------------
def box_of(at: AppTest) -> tuple[str, str]:
    """(colour, text) of the verdict box."""
    found = [(kind, e.value) for kind in ("success", "info", "warning", "error")
             for e in getattr(at, kind) if "This run" in e.value]
    assert len(found) == 1
    return found[0]


def test_two_valleys_runaway_is_not_called_creeping():
    at = open_app(f="two-valleys", x0="-10", lr="0.2")
    assert_clean(at)
    colour, box = box_of(at)
    assert colour == "error" and box.startswith("**Diverging**") and "diverged" in box
    assert "Creeping" not in box and "from one side" not in box


def test_a_run_over_the_hump_is_not_from_one_side():
    at = open_app(f="two-valleys", x0="8", lr="0.5")
    colour, box = box_of(at)
    assert "Over the hump" in box and "from one side" not in box
    assert "a local minimum" in texts(at)
    assert at.title[0].value == "Gradient descent on two valleys"


def test_sweep_wall_is_where_runs_from_this_start_stop_converging():
    at = open_app(f="two-valleys", tab="Steps vs learning rate")
    assert_clean(at)
    caption = " ".join(c.value for c in at.caption)
    wall = float(re.search(r"stop converging within 200 steps at η ≈ ([0-9.]+)", caption)[1])
    assert "2/f″ = 1.3" in caption and "local rule" in caption
    assert wall == pytest.approx(0.742, abs=0.01)
    assert not settles(8.0, wall, 200) and settles(8.0, wall - 0.02, 200)


def settles(x0: float, lr: float, steps: int) -> bool:
    """My own descent on the two valleys: within 0.01 of a minimum at the end, and staying."""
    x, xs = x0, []
    for _ in range(steps):
        x = x - lr * ((x - 2) * ((x - 2) ** 2 - 9) / 10 + 0.25)
        if abs(x) > 1e6:
            return False
        xs.append(x)
    return any(abs(xs[-1] - m) <= 0.01 and abs(xs[-2] - m) <= 0.01
               for m in (-1.1302796503, 4.8500569365))


def test_a_short_run_says_not_within_n_steps():
    at = open_app(steps="20")
    assert "not within 20 steps" in texts(at) and "never" not in texts(at)
    assert "not within 0.01 of x* = 2 in 20 steps" in box_of(at)[1]


def test_r_multiplies_the_signed_offset():
    at = open_app()
    assert "multiplies the signed offset x − x* by **r = 1 − η·f″ = 1 − 0.1 × 2 = 0.8**" \
        in texts(at)
    assert "(the distance by |r| = 0.8)" in texts(at)
    assert at.title[0].value == "Gradient descent on a parabola"


def test_the_stall_at_the_hump_is_named():
    at = open_app(f="two-valleys", x0="2.28", lr="0.1")
    assert_clean(at)
    colour, box = box_of(at)
    assert box.startswith("**On the hump**") and colour == "warning"
    assert "near the top of the hump at x ≈ 2.28" in box and "x* = -1.13" in box
    assert "would diverge" not in texts(at)


@pytest.mark.parametrize("lr,colour", [(0.45, "success"), (0.5, "success"), (0.1, "info"),
                                       (0.8, "info"), (0.95, "warning"), (0.01, "warning"),
                                       (1.0, "warning"), (1.1, "error")])
def test_colours_rank_speed_and_safety(lr, colour):
    at = open_app(lr=str(lr))
    assert box_of(at)[0] == colour


def test_ledger_numbers_its_lines_and_explains_the_truncation():
    at = open_app()
    lines = ledgers(at)[0].value.splitlines()
    assert lines[0].startswith("k =  1:") and lines[32].startswith("k = 33:")
    assert "only the display is cut" in texts(at)
    at.radio(key="ledger_view").set_value("full precision").run()
    assert_clean(at)
    full = ledgers(at)[0].value.splitlines()
    assert len(full) == 33
    for line in full:       # redo each line from its printed numbers: exactly its result
        x, lr, x2, new = map(float, re.fullmatch(
            r"k = +\d+: +x_new = (\S+) - (\S+) \* \(2 \* (\S+) - 4\) = (\S+)", line).groups())
        assert x == x2 and x - lr * (2 * x - 4) == new


def test_newton_says_it_is_modified_and_plain_newton_finds_the_hump():
    at = open_app(f="two-valleys", x0="1.5", tab="Other methods")
    assert_clean(at)
    text = texts(at)
    assert "Newton–Raphson, modified where f″ ≤ 0" in text
    assert "plain Newton–Raphson" in text and "settled on the top of the hump" in text
    assert "from x₀ = 1.5 it does" in text
