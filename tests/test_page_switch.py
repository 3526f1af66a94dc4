"""Moving between lessons keeps each lesson's own settings, though both bind `lr`."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_each_lesson_keeps_its_own_learning_rate():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.button(key="preset_oscillating").click().run()
    assert at.number_input(key="lr").value == 0.8
    at.switch_page("gdviz/pages/neuron.py").run()
    assert not at.exception
    assert at.number_input(key="lr").value == 2.0            # the neuron's own default
    at.button(key="neuron_preset_large").click().run()
    assert at.number_input(key="lr").value == 80.0
    at.switch_page("gdviz/pages/descent.py").run()
    assert not at.exception and not at.warning
    assert at.number_input(key="lr").value == 0.8            # as the student left it
    at.switch_page("gdviz/pages/neuron.py").run()
    assert at.number_input(key="lr").value == 80.0


def test_each_lesson_keeps_its_own_open_section():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["tab"] = "Other methods"
    at.run()
    at.switch_page("gdviz/pages/neuron.py").run()
    assert not at.exception and not at.warning       # the descent's section is not a note here
    assert at.button_group(key="tab").value == "Confusion matrix"
    at.switch_page("gdviz/pages/descent.py").run()
    assert at.button_group(key="tab").value == "Other methods"


def test_a_shared_link_still_wins_on_arrival():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("gdviz/pages/neuron.py")
    at.query_params["lr"] = "7"
    at.run()
    assert at.number_input(key="lr").value == 7.0


@pytest.mark.browser
def test_switching_pages_in_the_browser_keeps_each_link_honest(page, app_url):
    page.goto(app_url + "/")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.get_by_role("button", name="Oscillating").click()
    page.wait_for_url("**/?lr=0.8", timeout=30_000)
    page.get_by_role("link", name="A neuron learns").click()
    page.wait_for_url("**/neuron", timeout=30_000)       # the descent's η stays behind
    lr = page.locator(".st-key-lr input").first
    page.wait_for_function("() => document.querySelector('.st-key-lr input')?.value === '2.000'",
                           timeout=30_000)
    page.get_by_role("button", name="η too large").click()
    page.wait_for_url("**/neuron?lr=80.0*", timeout=30_000)
    page.get_by_role("link", name="Descent on a parabola").click()
    page.wait_for_url("**/?lr=0.8", timeout=30_000)      # a link a teacher can share as is
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    assert lr.input_value() == "0.800"
    assert page.get_by_text("could not be used").count() == 0
