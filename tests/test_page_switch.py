"""Moving between lessons keeps each lesson's own settings and open section, though both bind
`lr` and `tab`; a link opened fresh wins; /math checks the run the neuron last showed."""
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import open_app


def test_each_lesson_keeps_its_own_learning_rate():
    at = open_app()
    at.button(key="preset_oscillating").click().run()
    assert at.number_input(key="lr").value == 0.8
    go(at, "neuron")
    assert not at.exception
    assert at.number_input(key="lr").value == 2.0            # the neuron's own default
    at.button(key="neuron_preset_large").click().run()
    assert at.number_input(key="lr").value == 80.0
    go(at, "descent")
    assert not at.exception and not at.warning
    assert at.number_input(key="lr").value == 0.8            # as the student left it
    go(at, "neuron")
    assert at.number_input(key="lr").value == 80.0


def test_each_lesson_keeps_its_own_open_section():
    at = open_app(tab="Other methods")
    go(at, "neuron")
    assert not at.exception and not at.warning       # the descent's section is not a note here
    assert at.button_group(key="tab").value == "Confusion matrix"
    go(at, "descent")
    assert at.button_group(key="tab").value == "Other methods"


def test_each_lesson_keeps_its_own_section_both_ways():
    at = open_app()
    at.button_group(key="tab").set_value("Steps vs learning rate").run()
    go(at, "neuron")
    assert at.button_group(key="tab").value == "Confusion matrix"     # the neuron's default
    at.button_group(key="tab").set_value("Export").run()
    go(at, "descent")
    assert at.button_group(key="tab").value == "Steps vs learning rate"
    go(at, "neuron")
    assert not at.exception
    assert at.button_group(key="tab").value == "Export"


def test_every_setting_of_a_lesson_survives_a_visit_to_the_other():
    at = open_app("neuron")
    mine = {"epochs": 50, "n": 300, "seed": 7, "batch": 16}
    for key, value in mine.items():
        at.number_input(key=key).set_value(value).run()
    at.selectbox(key="loss").set_value("ce").run()
    go(at, "descent")
    at.number_input(key="steps").set_value(120).run()
    at.number_input(key="lr").set_value(0.3).run()
    go(at, "neuron")
    assert {k: at.number_input(key=k).value for k in mine} == mine
    assert at.selectbox(key="loss").value == "ce" and at.number_input(key="lr").value == 2.0
    go(at, "descent")
    assert at.number_input(key="steps").value == 120 and at.number_input(key="lr").value == 0.3


def test_a_shared_link_still_wins_on_arrival():
    at = open_app("neuron", lr="7")
    assert at.number_input(key="lr").value == 7.0


def test_a_fresh_link_wins_and_is_then_the_lessons_own():
    """The descent's link names η = 0.5 and the open section: the page shows them, the neuron
    is untouched by them, and back on the descent they are still there."""
    at = open_app(lr="0.5", tab="Other methods")
    assert at.number_input(key="lr").value == 0.5
    assert at.button_group(key="tab").value == "Other methods"
    go(at, "neuron")
    assert at.number_input(key="lr").value == 2.0
    go(at, "descent")
    assert at.number_input(key="lr").value == 0.5
    assert at.button_group(key="tab").value == "Other methods"


def test_a_second_session_with_a_link_is_not_moved_by_the_first():
    """Remembered settings belong to one session: a student who opens the teacher's link
    sees the link, whatever another student set on the same lesson."""
    first = open_app("neuron")
    first.button(key="neuron_preset_large").click().run()
    second = open_app("neuron", lr="7")
    assert second.number_input(key="lr").value == 7.0
    assert first.number_input(key="lr").value == 80.0


def test_the_math_page_follows_the_neurons_last_settings():
    at = open_app("math")
    assert "default run" in math_text(at)
    go(at, "neuron")
    at.button(key="neuron_preset_large").click().run()
    go(at, "math")
    assert "η = 80" in math_text(at) and "configured on the neuron page" in math_text(at)
    go(at, "neuron")
    at.number_input(key="lr").set_value(0.25).run()
    go(at, "descent")
    at.number_input(key="lr").set_value(1.5).run()     # the descent's η is not the neuron's
    go(at, "math")
    assert not at.exception
    assert "η = 0.25" in math_text(at) and "η = 1.5" not in math_text(at)


def go(at: AppTest, page: str) -> AppTest:
    """Follow the sidebar's link to `page`, as a browser does: such a link carries no
    parameters of its own, and Streamlit drops the other page's bound ones (AppTest would
    send the last request's query string again, which a browser never does)."""
    at.query_params.clear()
    return at.switch_page(f"gdviz/pages/{page}.py").run()


def math_text(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.markdown, *at.caption, *at.info, *at.success])


OPEN_SECTION = ("() => document.querySelector('.st-key-tab [role=radio][aria-checked=true]')"
                "?.innerText")


@pytest.mark.browser
def test_switching_pages_in_the_browser_keeps_each_link_honest(page, app_url):
    page.goto(app_url + "/")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.get_by_role("button", name="Oscillating").click()
    page.wait_for_url("**/?lr=0.8", timeout=30_000)
    page.get_by_role("radio", name="Other methods").click()
    page.wait_for_url(re.compile(r"/\?lr=0\.8&tab=Other\+methods$"), timeout=30_000)
    page.get_by_role("link", name="A neuron learns").click()
    page.wait_for_url("**/neuron", timeout=30_000)       # the descent's η and section stay behind
    lr = page.locator(".st-key-lr input").first
    page.wait_for_function("() => document.querySelector('.st-key-lr input')?.value === '2.000'",
                           timeout=30_000)
    page.wait_for_function(f"() => ({OPEN_SECTION})() === 'Confusion matrix'", timeout=30_000)
    page.get_by_role("button", name="η too large").click()
    page.wait_for_url("**/neuron?lr=80.0*", timeout=30_000)
    page.get_by_role("link", name="Descent on a parabola").click()
    # a link a teacher can share as is: the descent's own η and section again
    page.wait_for_url(re.compile(r"/\?(lr=0\.8&tab=Other\+methods|tab=Other\+methods&lr=0\.8)$"),
                      timeout=30_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_function(f"() => ({OPEN_SECTION})() === 'Other methods'", timeout=30_000)
    assert lr.input_value() == "0.800"
    assert page.get_by_text("could not be used").count() == 0
