"""The live class board at /class and the lessons' "Send my run to the class board", driven
through AppTest against a class store in a temporary GDVIZ_DATA_DIR (and once PostgreSQL)."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gdviz import classroom, descent, links, neuron, objectives, store
from gdviz.data import make_pets
from gdviz.settings import DESCENT_FIELDS, NEURON_FIELDS
from tests.conftest import ROOT, assert_clean, boxes, open_app, texts
from tests.test_quiz import commit

SEND = "Send my run to the class board"
SENT = "Sent: it appears on the board within a few seconds."


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A class store in a fresh data folder, which the pages open too (GDVIZ_DATA_DIR)."""
    monkeypatch.delenv("GDVIZ_DATABASE_URL", raising=False)
    monkeypatch.setenv("GDVIZ_DATA_DIR", str(tmp_path / "data"))
    opened = store.open_store()
    yield opened
    opened.dispose()


def open_board(**params) -> AppTest:
    """A fresh session on /class with a link of `params`. AppTest knows a page registered
    under its own url_path only after a first run (its switch_page docstring says so)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("gdviz/pages/classboard.py")
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def run(session: str, lr: float, status: str = "converged", steps: int | None = 10,
        lesson: str = "descent", **more) -> classroom.Submission:
    base = dict(objective="seed", x0=8.0, regime="creeping") if lesson == "descent" else {}
    return classroom.Submission(session=session, lesson=lesson, lr=lr, status=status,
                                steps=steps, final_cost=2.5, **(base | more))


def figures(at) -> list[dict]:
    """The board's Plotly charts, in page order: descent, neuron, quiz."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def markers(fig: dict) -> dict[str, list[tuple[float, float]]]:
    """Each outcome's points (η, y) on a figure (its marker traces, by legend name)."""
    out: dict[str, list] = {}
    for t in fig["data"]:
        if t.get("mode") == "markers":
            out.setdefault(t["name"], []).extend(zip(t["x"], t["y"], strict=True))
    return out


def button(at, label: str):
    (found,) = [b for b in at.button if b.label == label]
    return found


# --- The board ---------------------------------------------------------------------------------
def test_create_shows_the_key_once_and_opens_a_board_without_it(db):
    at = open_board()
    at = button(at, "Create a class").click().run()
    assert_clean(at)
    (link,) = [c.value for c in at.code if "key=" in c.value]
    code, key = link.split("code=")[1].split("&key=")
    assert db.read_board(code, key).received == ()        # the key shown opens the class
    assert any(f"?class={code}" in c.value for c in at.code)
    at = button(at, "Open the board").click().run()
    assert at.query_params["code"] in (code, [code]) and "key" not in at.query_params
    assert key not in texts(at), "the key is shown once only"
    assert f"Class {code}" in texts(at) and "0 students" in texts(at)
    assert "No runs yet" in boxes(at) and not at.get("plotly_chart")   # no empty axes
    assert any(f"?class={code}" in c.value for c in at.code)          # the students' link


def test_a_board_link_loses_its_key_from_the_address_bar_and_keeps_working(db):
    made = db.create_class(1)
    at = open_board(code=made.code, key=made.teacher_key)
    assert_clean(at)
    assert "key" not in at.query_params and at.query_params["code"] in (made.code, [made.code])
    assert f"Class {made.code}" in texts(at)
    db.add_submission(made.code, run("student-one", 0.3))
    at.run()                            # a later run reads the key from the session alone
    assert "1 students · 1 runs" in texts(at)
    assert [b.proto.label for b in at.get("download_button")] == ["Export CSV"]


@pytest.mark.parametrize("key", ["not-the-key", "x" * 500, ""])
def test_a_wrong_key_gets_a_refusal_and_nothing_of_the_class(db, key):
    made = db.create_class(1)
    db.add_submission(made.code, run("student-one", 0.3))
    at = open_board(code=made.code, key=key)
    assert_clean(at)
    assert classroom.REFUSED in boxes(at)
    assert "key" not in at.query_params
    assert not at.get("plotly_chart") and not at.get("download_button")
    assert "1 students" not in texts(at) and f"Class {made.code}" not in texts(at)


@pytest.mark.parametrize("code", ["<b>ABCDEF</b>", "**BOLD**", "ABCDEF" * 50])
def test_a_hostile_code_is_refused_and_never_shown(db, code):
    at = open_board(code=code, key="some-key")
    assert_clean(at)
    assert classroom.REFUSED in boxes(at) and "key" not in at.query_params
    assert "<b>" not in texts(at) and "BOLD" not in texts(at) and "ABCDEFABCDEF" not in texts(at)


def test_the_scatter_holds_exactly_the_runs_sent_and_the_theory(db):
    made = db.create_class(1)
    sent = [run("s-descent-1", 0.1, steps=20), run("s-descent-2", 0.5, steps=1),
            run("s-descent-3", 0.8, steps=10, regime="oscillating"),
            run("s-descent-4", 1.1, status="diverged", steps=27, regime="diverging"),
            run("s-neuron-01", 3.0, lesson="neuron", status="settled", accuracy=0.9,
                quiz_prediction="cost: falls smoothly", quiz_right=True),
            run("s-neuron-02", 80.0, lesson="neuron", status="oscillating", accuracy=0.6,
                quiz_prediction="cost: falls smoothly", quiz_right=False)]
    for s in sent[:3]:
        db.add_submission(made.code, s)
    at = open_board(code=made.code, key=made.teacher_key)
    for s in sent[3:]:                  # these arrive while the board is open
        db.add_submission(made.code, s)
    at.run()
    assert_clean(at)
    scatter, cost, quiz = figures(at)
    points = markers(scatter)
    assert sorted(points["converged"]) == [(0.1, 20), (0.5, 1), (0.8, 10)]
    (wall,) = points["diverged"]       # drawn on the "never converged" line, above the rest
    assert wall[0] == 1.1 and wall[1] > 20
    theory = [t for t in scatter["data"] if t["name"] == "theory"][0]
    lr, steps = np.array(theory["x"], float), theory["y"]
    # the seed's parabola, f″ = 2: the line is the closed form 6·|1 − 2η|^k ≤ 0.01
    for eta in (0.3, 0.45, 0.7):
        i = int(np.argmin(abs(lr - eta)))
        assert steps[i] == math.ceil(math.log(0.01 / 6) / math.log(abs(1 - 2 * lr[i])))
    assert max(k for k in steps if k is not None) <= wall[1]
    assert any("2/f″ = 1" in a["text"] for a in scatter["layout"]["annotations"])
    assert sorted(markers(cost)["settled"] + markers(cost)["oscillating"]) == [(3.0, 2.5),
                                                                                (80.0, 2.5)]
    assert quiz["layout"]["title"]["text"] == "Quiz: 1 of 2 predictions right"
    assert "6 students · 6 runs" in texts(at)


def test_closing_stops_sends_and_keeps_the_board(db):
    made = db.create_class(1)
    at = open_board(code=made.code, key=made.teacher_key)
    at = button(at, "Close the class").click().run()
    assert_clean(at)
    assert "closed: it takes no more runs" in texts(at)
    with pytest.raises(classroom.ClassClosed):
        db.add_submission(made.code, run("student-one", 0.3))


def test_an_unusable_data_folder_is_said_on_the_board_and_the_lesson_still_works(
        tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.delenv("GDVIZ_DATABASE_URL", raising=False)
    monkeypatch.setenv("GDVIZ_DATA_DIR", str(blocker / "data"))
    at = open_board()
    assert_clean(at)
    assert "cannot be created" in boxes(at) and "The lessons work without the board" in boxes(at)
    lesson = open_app("", **{"class": "ABCDEF"})
    lesson = button(lesson, SEND).click().run()
    assert_clean(lesson)
    assert "The class board cannot be reached, so the run was not sent" in boxes(lesson)
    assert [t.value for t in lesson.title] == ["Gradient descent on a parabola"]


# --- Sending from a lesson ---------------------------------------------------------------------
def stored(db, made) -> list[classroom.Submission]:
    return [r.submission for r in db.read_board(made.code, made.teacher_key).received]


@pytest.mark.parametrize("lr", [0.3, 0.9, 1.05])
def test_the_descent_sends_the_run_it_shows(db, lr):
    made = db.create_class(1)
    at = open_app("", **{"class": made.code, "lr": str(lr)})
    at = button(at, SEND).click().run()
    assert_clean(at)
    assert SENT in boxes(at)
    (row,) = stored(db, made)
    # independently of the page: r = 1 − 2η on the seed's parabola, e_k = 6·|r|^k
    r = 1 - 2 * lr
    converge = next(k for k in range(34) if 6 * abs(r) ** k <= 1e-2) if abs(r) < 1 else None
    expected = descent.descend(objectives.seed(), 8.0, lr, 33)
    assert (row.lesson, row.lr, row.x0, row.objective) == ("descent", lr, 8.0, "seed")
    assert row.regime == ("creeping" if lr < 0.5 else "oscillating" if lr < 1 else "diverging")
    assert row.status == ("converged" if converge is not None else expected.status)
    assert row.steps == (converge if converge is not None else
                         expected.diverged_at or expected.steps)
    assert row.final_cost == pytest.approx(float(expected.fx[-1]))
    assert row.quiz_prediction is None and row.settings == {"steps": 33}


def test_the_neuron_sends_its_accuracy_and_cost(db):
    made = db.create_class(1)
    at = open_app("neuron", **{"class": made.code, "lr": "2.0", "epochs": "50"})
    at = button(at, SEND).click().run()
    assert_clean(at)
    assert SENT in boxes(at)
    (row,) = stored(db, made)
    values = {f.key: f.default for f in NEURON_FIELDS} | {"lr": 2.0, "epochs": 50}
    trained = neuron.train(neuron.NeuronSettings.from_values(values), make_pets(
        values["n"], values["noise"], values["balance"], values["split"], values["seed"]))
    assert (row.lesson, row.lr, row.steps, row.status) == ("neuron", 2.0, 50, trained.status)
    assert row.accuracy == pytest.approx(float(trained.test_acc[-1]))
    assert row.final_cost == pytest.approx(float(trained.train_cost[-1]))
    assert row.settings["loss"] == "mse" and row.settings["n"] == 200


def test_a_quiz_answer_goes_with_the_run(db):
    made = db.create_class(1)
    at = open_app("", **{"class": made.code, "quiz": "1", "lr": "0.9"})
    at = commit(at, "oscillating")
    at = button(at, SEND).click().run()
    (row,) = stored(db, made)
    assert (row.quiz_prediction, row.quiz_right) == ("regime: oscillates inwards", True)


def test_past_a_limit_the_student_reads_why_and_nothing_stored_is_lost(db):
    made = db.create_class(1)
    for i in range(classroom.MAX_STUDENTS):
        db.add_submission(made.code, run(f"student-{i:04d}", 0.1))
    at = open_app("", **{"class": made.code})
    at = button(at, SEND).click().run()
    assert_clean(at)
    assert "The class board is full (500 students)." in boxes(at)
    assert len(stored(db, made)) == classroom.MAX_STUDENTS


def test_a_bad_class_code_is_noted_and_shows_no_button(db):
    at = open_app("", **{"class": "<b>O0-1</b>"})
    assert_clean(at)
    assert "class must be a join code" in texts(at) and "<b>" not in texts(at)
    assert not [b for b in at.button if b.label == SEND]


def test_the_class_code_round_trips_through_a_lesson_link():
    options = links.LinkOptions(class_code="ABC234")
    query = links.link_query({"lr": 0.1}, options)
    assert "class=ABC234" in query
    raw = {"lr": ["0.1"], "class": ["abc-234"]}
    read, notes = links.read_options(DESCENT_FIELDS, raw)
    assert read.class_code == "ABC234" and notes == []


def test_the_share_panel_adds_a_class_code_to_the_link(db):
    made = db.create_class(1)
    at = open_app("", lr="0.9")
    at.session_state["share.descent.open"] = True      # the teacher opens the share panel
    at.run()
    at.text_input(key="share.descent.class").set_value(made.code.lower()).run()
    (link,) = [c.value for c in at.code if c.value.startswith("?")]
    assert f"class={made.code}" in link
    opened = open_app("", **dict(p.split("=", 1) for p in link[1:].split("&")))
    assert [b for b in opened.button if b.label == SEND]
    at.text_input(key="share.descent.class").set_value("<i>no</i>").run()
    (link,) = [c.value for c in at.code if c.value.startswith("?")]
    assert "class=" not in link and "A class code is 6 letters and digits" in boxes(at)
    assert "<i>" not in texts(at)


def test_the_board_and_a_send_on_postgresql(postgres_url, monkeypatch):
    monkeypatch.setenv("GDVIZ_DATABASE_URL", postgres_url)
    pg = store.open_store(postgres_url)
    try:
        made = pg.create_class(1)
        at = open_app("", **{"class": made.code, "lr": "0.8"})
        at = button(at, SEND).click().run()
        assert SENT in boxes(at)
        board = open_board(code=made.code, key=made.teacher_key)
        assert_clean(board)
        (scatter, *_) = figures(board)
        assert markers(scatter)["converged"] == [(0.8, stored(pg, made)[0].steps)]
    finally:
        pg.dispose()
