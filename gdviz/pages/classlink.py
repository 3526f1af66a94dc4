"""A lesson opened with `class=CODE` sends its run to the teacher's class board.

One call from each lesson's main (`send_button`) draws the button and, when it is pressed,
stores the run on screen as a `classroom.Submission` under the session's anonymous id. The
class store is opened only when a run is sent, so a lesson whose store is unavailable works
as before and says so beside the button. The board itself is gdviz/pages/classboard.py.
"""
from __future__ import annotations

import streamlit as st

from gdviz import classroom, store
from gdviz.descent import DescentRun, Theory
from gdviz.links import LinkOptions
from gdviz.neuron import TrainingRun
from gdviz.pages import quiz

SEND_LABEL = "Send my run to the class board"
SENT = "Sent: it appears on the board within a few seconds."
_SESSION = "gdviz.class.session"      # the session's anonymous id (classroom.new_session_id)


@st.cache_resource(show_spinner=False)
def class_store(url: str) -> store.Store:
    """The class database at `url`, opened once per process and shared by its sessions (an
    engine is thread-safe). A failure is not cached: the next call tries again."""
    return store.open_store(url)


def open_class_store() -> store.Store:
    """The store GDVIZ_DATABASE_URL / GDVIZ_DATA_DIR name now.

    Raises:
        StoreUnavailable: with a line fit to show.
    """
    return class_store(store.database_url())


def session_id() -> str:
    """This browser session's anonymous id, made on first use."""
    if _SESSION not in st.session_state:
        st.session_state[_SESSION] = classroom.new_session_id()
    return st.session_state[_SESSION]


def descent_submission(s: dict, run: DescentRun, th: Theory) -> classroom.Submission:
    """The descent run on screen (settings `s`) as a submission."""
    shape = {k: s[k] for k in ("a", "b", "c")} if s["f"] == "quadratic" else {}
    return classroom.Submission(
        session=session_id(), lesson="descent", lr=s["lr"], status=run.status,
        regime=th.regime, objective=s["f"], x0=s["x0"], settings={**shape, "steps": s["steps"]},
        steps=stopped_at(run), final_cost=float(run.fx[-1]), **quiz_answer("descent", s["lr"]))


def stopped_at(run: DescentRun) -> int:
    """Steps to converge; for a run that did not, the step it stopped at."""
    if run.converged_at is not None:
        return run.converged_at
    return run.diverged_at if run.diverged_at is not None else run.steps


def neuron_submission(s: dict, run: TrainingRun) -> classroom.Submission:
    """The neuron's run on screen (settings `s`) as a submission: η, how it ended, the
    final training cost and the test accuracy; the other settings as they are."""
    return classroom.Submission(
        session=session_id(), lesson="neuron", lr=s["lr"], status=run.status,
        settings={k: v for k, v in s.items() if k != "lr"}, steps=len(run.train_cost) - 1,
        final_cost=float(run.train_cost[-1]), accuracy=float(run.test_acc[-1]),
        **quiz_answer("neuron", s["lr"]))


def quiz_answer(lesson: str, lr: float) -> dict:
    """The latest round's first prediction (the regime, or what the cost does) when it was
    made about this η: "question: answer" and whether it was right; nothing otherwise."""
    made = [a for a in quiz.answers() if a.lesson == lesson]
    if not made:
        return {}
    latest = [a for a in made if a.round == made[-1].round]
    first = latest[0]
    if first.lr != lr:
        return {}
    return {"quiz_prediction": f"{first.question}: {first.prediction}"[:classroom.MAX_TEXT],
            "quiz_right": first.right}


def send_button(lesson: str, options: LinkOptions, s: dict, run: DescentRun | TrainingRun,
                th: Theory | None = None) -> None:
    """With class=CODE, the button that sends the run on screen, and what came of it."""
    if not options.class_code:
        return
    if not st.button(SEND_LABEL, key=f"gdviz.{lesson}.send", icon=":material/send:"):
        st.caption(f"Your teacher's class board: class {options.class_code}. Nothing "
                   "personal is sent, only this run's settings and outcome.")
        return
    try:
        made = (descent_submission(s, run, th) if lesson == "descent" else
                neuron_submission(s, run))
        open_class_store().add_submission(options.class_code, made)
    except classroom.StoreUnavailable as err:
        st.warning(f"The class board cannot be reached, so the run was not sent: {err} "
                   "The lesson works as before.", icon=":material/cloud_off:")
    except classroom.ClassError as err:     # its message is one line, without code or key
        st.warning(str(err), icon=":material/front_hand:")
    else:
        st.success(SENT, icon=":material/check_circle:")

