"""The live class board at `/class`: make a class, then project its board.

Opened plainly, the page makes a class and shows its teacher key once, inside the board
link. Opened with that link (`?code=CODE&key=KEY`), it keeps the key in the session's state,
takes it out of the address bar, and shows what the students sent, refreshing itself every
REFRESH_S seconds in a fragment that reads only the rows it has not yet read. The key is
checked by the store (in constant time); a wrong key gets one refusal and nothing of the
class. The data comes from gdviz/store.py, the figures from gdviz/figures/board.py.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from gdviz import classroom
from gdviz.figures import board as figs
from gdviz.pages import classlink, share
from gdviz.store import Store

REFRESH_S = 2.0
QR_PX = 300                     # the join link's QR: a phone reads it from the back row
MAX_KEY = 100                   # a key is 32 characters; anything far longer is not one
_TEACHER = "gdviz.board.teacher"    # (code, key) of the board this session shows
_ROWS = "gdviz.board.rows"          # (code, [Received, ...]) read so far, oldest first
_STATE = "gdviz.board.state"        # (closed, students) as last read
UNAVAILABLE = "The lessons work without the board: students can still explore."


def read_link() -> tuple[str, str] | None:
    """The board link's code and key. The key leaves the address bar at once (a projected
    board never shows it) and stays in this session's state only.

    Raises:
        Refused: a link whose code or key cannot be one.
    """
    params = st.query_params
    code = classroom.normal_code(params.get("code", ""))
    if "key" in params:
        key = params.get("key", "")
        del params["key"]
        if code is None or not key or len(key) > MAX_KEY:
            st.session_state.pop(_TEACHER, None)
            raise classroom.Refused(classroom.REFUSED)
        st.session_state[_TEACHER] = (code, key)
        st.session_state.pop(_ROWS, None)
    teacher = st.session_state.get(_TEACHER)
    return teacher if teacher is not None and teacher[0] == code else None


def rows(code: str) -> list[classroom.Received]:
    """The submissions this session has read of class `code`."""
    kept = st.session_state.get(_ROWS)
    if kept is None or kept[0] != code:
        kept = (code, [])
        st.session_state[_ROWS] = kept
    return kept[1]


def read_new(db: Store, code: str, key: str) -> list[classroom.Received]:
    """Read the rows that came in since the last read (the store checks the key) and
    return all of them.

    Raises:
        Refused, StoreUnavailable: from the store.
    """
    held = rows(code)
    fresh = db.read_board(code, key, after=held[-1].id if held else 0)
    held.extend(fresh.received)
    st.session_state[_STATE] = (fresh.closed, fresh.students)
    return held


def root_url() -> str:
    """The app's address ("" when Streamlit cannot say): this page's, without /class."""
    base = share.base_url()
    return base[: -len("/class")] if base.endswith("/class") else base.rstrip("/")


def student_url(code: str) -> str:
    return f"{root_url()}/?{urlencode({'class': code})}"


def main() -> None:
    # a projected board needs the width: the page menu starts folded (it is one click away)
    st.set_page_config(page_title="gdviz: class board", initial_sidebar_state="collapsed")
    try:
        teacher = read_link()
        db = classlink.open_class_store()
        if teacher is not None:
            read_new(db, *teacher)      # the store checks the key before anything is drawn
    except classroom.ClassError as err:     # Refused or StoreUnavailable: one line
        if isinstance(err, classroom.Refused):
            st.session_state.pop(_TEACHER, None)
        st.title("Class board")
        unavailable = isinstance(err, classroom.StoreUnavailable)
        st.error(f"{err} {UNAVAILABLE}" if unavailable else str(err),
                 icon=":material/cloud_off:" if unavailable else ":material/lock:")
        return
    if teacher is None:
        make_class(db)
        return
    code, key = teacher
    header(db, code, key)
    live(db, code, key)
    with st.expander("Students' link and QR code"):
        students_link(code)


def make_class(db: Store) -> None:
    """The form that makes a class, and the class just made: its links, the key shown once."""
    st.title("Class board")
    if "code" in st.query_params:
        st.info("This board needs its teacher key: open the board link you were given when "
                "you made the class again (the board keeps the key out of the address bar, "
                "so a reload forgets it), or make a new class.", icon=":material/lock:")
    st.markdown("Make a class, project its board, and give students the join link: each "
                "student's run appears as a dot on the board.")
    result = st.container()         # the class just made, above the form that made it
    with st.form("gdviz.board.create", border=True):
        hours = st.number_input("The class stays open for (hours)", min_value=0.5,
                                max_value=classroom.MAX_HOURS, value=classroom.DEFAULT_HOURS,
                                step=1.0, format="%.1f")
        made = st.form_submit_button("Create a class", type="primary")
    if not made:
        return
    with result:
        try:
            new = db.create_class(hours)
        except classroom.ClassError as err:
            st.error(str(err), icon=":material/cloud_off:")
            return
        st.session_state[_TEACHER] = (new.code, new.teacher_key)
        st.success(f"Class **{new.code}** is open. Keep the board link to yourself: it holds "
                   "your teacher key, which is shown only now.",
                   icon=":material/check_circle:")
        st.button("Open the board", type="primary", on_click=open_board, args=(new.code,))
        st.markdown("**Your board link** (the board hides the key once it is open):")
        st.code(classroom.board_url(root_url(), new.code, new.teacher_key), language=None,
                wrap_lines=True)
        students_link(new.code)


def open_board(code: str) -> None:
    st.query_params["code"] = code


def students_link(code: str) -> None:
    """The join link for students, with its QR code."""
    link = student_url(code)
    words, picture = st.columns([3, 2])
    words.markdown(f"**Students open** this link, or scan the code (the join code is "
                   f"**{code}**):")
    words.code(link, language=None, wrap_lines=True)
    picture.image(share.qr_png(link, QR_PX), width=QR_PX)


def header(db: Store, code: str, key: str) -> None:
    """The join code in large type, the students' link, export and close."""
    left, export, close = st.columns([3, 1, 1], vertical_alignment="center")
    left.markdown(f"# Class {code}")
    export.download_button("Export CSV", lambda: classroom.csv_text(
        db.read_board(code, key).received), file_name=f"gdviz-class-{code}.csv",
        mime="text/csv", on_click="ignore", use_container_width=True)
    if close.button("Close the class", use_container_width=True):
        try:
            db.close_class(code, key)
        except classroom.ClassError as err:
            st.error(str(err), icon=":material/cloud_off:")


@st.fragment(run_every=REFRESH_S)
def live(db: Store, code: str, key: str) -> None:
    """What the class sent so far: read the new rows, draw everything again."""
    try:
        held = read_new(db, code, key)
    except classroom.ClassError as err:
        st.error(str(err), icon=":material/cloud_off:")
        return
    closed, students = st.session_state[_STATE]
    subs = [r.submission for r in held]
    state = "closed: it takes no more runs" if closed else f"refreshes every {REFRESH_S:g} s"
    st.markdown(f"#### {students} students · {len(held)} runs · {state}")
    if not subs:        # the start of a lesson: what students need, not empty axes
        st.info("No runs yet. Students open this link (or scan the code), set a learning "
                "rate and press \"Send my run to the class board\".", icon=":material/school:")
        students_link(code)
        return
    drawn, left_out = figs.panels(subs)
    if drawn:
        st.plotly_chart(figs.descent_board(subs), key="gdviz.board.descent",
                        config={"displayModeBar": False})
        st.caption("The bands and the theory line come from r = 1 − η·f″: exact on a "
                   "parabola, local (near the minimum) on two valleys.")
    if left_out:
        st.caption(f"{left_out} runs on other objectives or starts are in the CSV, not drawn "
                   f"(the board shows the {figs.MAX_PANELS} most used).")
    left, right = st.columns(2)
    if any(s.lesson == "neuron" for s in subs):
        left.plotly_chart(figs.neuron_board(subs), key="gdviz.board.neuron",
                          config={"displayModeBar": False})
    if any(s.quiz_prediction is not None for s in subs):
        right.plotly_chart(figs.quiz_board(subs), key="gdviz.board.quiz",
                           config={"displayModeBar": False})


main()
