"""The class board in a real browser (Debian's Chromium against `streamlit run`): a student's
page sends a run, the projected board (another page) shows it within a few seconds, and the
board's address no longer holds the teacher key."""
from __future__ import annotations

import os
import re

import pytest

from deploy import procs
from gdviz import classroom, descent, objectives, store
from tests.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, settled

pytestmark = pytest.mark.browser

SCATTER = "document.querySelectorAll('.js-plotly-plot')[0]"


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    """`streamlit run app.py` with its class store in a fresh data folder; yields (URL, the
    store)."""
    folder = str(tmp_path_factory.mktemp("classdata"))
    saved = {k: os.environ.get(k) for k in ("GDVIZ_DATA_DIR", "GDVIZ_DATABASE_URL")}
    os.environ.pop("GDVIZ_DATABASE_URL", None)
    os.environ["GDVIZ_DATA_DIR"] = folder         # the server inherits it
    try:
        db = store.open_store()
        with procs.serving(procs.GDVIZ_APP) as server:
            yield server.url, db
        db.dispose()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def two_pages():
    """The projector (1280×720) and a student's laptop, two separate browser contexts."""
    from playwright.sync_api import sync_playwright
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        board = b.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
        laptop = b.new_context(viewport={"width": 1400, "height": 900})
        yield board.new_page(), laptop.new_page()
        b.close()


def class_runs(db: store.Store, code: str) -> None:
    """A class's worth of runs on the seed's parabola (computed by the core, as a lesson
    would), a few on the neuron, with quiz answers: something to look at."""
    seed = objectives.seed()
    for i, lr in enumerate((0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95,
                            1.0, 1.02, 1.1, 1.2)):
        run = descent.descend(seed, 8.0, lr, 100)
        steps = (run.converged_at if run.converged_at is not None else
                 run.diverged_at or run.steps)
        right = descent.regime(lr, 2.0) == "oscillating"
        db.add_submission(code, classroom.Submission(
            session=f"student-{i:03d}", lesson="descent", lr=lr, status=run.status,
            regime=descent.regime(lr, 2.0), objective="seed", x0=8.0, steps=steps,
            final_cost=float(run.fx[-1]), quiz_prediction="regime: oscillates inwards",
            quiz_right=right))
    for i, (lr, status, cost) in enumerate(((0.5, "still learning", 0.12), (2.0, "settled",
                                            0.05), (20.0, "settled", 0.04),
                                            (80.0, "oscillating", 0.2))):
        db.add_submission(code, classroom.Submission(
            session=f"neuron-{i:03d}", lesson="neuron", lr=lr, status=status, steps=200,
            final_cost=cost, accuracy=0.9))


def test_a_sent_run_reaches_the_projected_board_whose_address_holds_no_key(class_server,
                                                                           two_pages):
    url, db = class_server
    board, laptop = two_pages
    made = db.create_class(1)
    class_runs(db, made.code)
    board.goto(f"{url}/class?code={made.code}&key={made.teacher_key}")
    board.get_by_text(f"Class {made.code}").wait_for(timeout=60_000)
    board.wait_for_function("() => !location.search.includes('key=')")
    assert made.teacher_key not in board.url and made.code in board.url
    board.get_by_text("20 runs", exact=False).wait_for(timeout=30_000)

    laptop.goto(f"{url}/?class={made.code}&lr=0.65")
    settled(laptop, timeout=60_000)
    laptop.get_by_role("button", name="Send my run to the class board").click()
    laptop.get_by_text("Sent: it appears on the board within a few seconds").wait_for()
    # the board refreshes itself (no reload): the count, then the dot. How fast is the load
    # test's business (bench/classload.py), not a timed test's
    board.get_by_text("21 runs", exact=False).wait_for(timeout=20_000)
    board.wait_for_function(f"() => {SCATTER}.data.filter((t) => t.name === 'converged')"
                            ".flatMap((t) => Array.from(t.x)).includes(0.65)", timeout=20_000)

    board.screenshot(path=str(ARTIFACTS / "classboard.png"))
    board.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    board.screenshot(path=str(ARTIFACTS / "classboard-lower.png"))
    board.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    box = board.locator(".js-plotly-plot").first.bounding_box()
    assert box["y"] + box["height"] <= 720 and box["width"] >= 0.6 * 1280, box
    assert board.locator("text=2/f″ = 1").count() >= 1

    with board.expect_download() as download:
        board.get_by_role("button", name="Export CSV").click()
    lines = open(download.value.path()).read().splitlines()
    stored = db.read_board(made.code, made.teacher_key).received
    assert lines == classroom.csv_text(stored).splitlines() and len(lines) == 22
    assert re.search(r",0\.65,", "\n".join(lines))
