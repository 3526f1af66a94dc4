"""The class store's contract, run alike on SQLite and on PostgreSQL.

PostgreSQL comes from conftest's `postgres_url`: GDVIZ_TEST_DATABASE_URL (its gdviz_* tables
are dropped) or a throwaway cluster started with Debian's initdb and pg_ctl. Without either,
the PostgreSQL half skips with the reason, except under CI (CI set), where it fails.
"""
from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing

import pytest
from sqlalchemy import create_engine, select, update

from deploy import procs
from gdviz import classroom, store
from gdviz.classroom import (
    ClassBusy,
    ClassClosed,
    ClassError,
    ClassFull,
    InvalidSubmission,
    Refused,
    StoreUnavailable,
    Submission,
    TooFast,
    UnknownClass,
)

T0 = 1_800_000_000.0


class Clock:
    """A clock the test moves on by hand: limits and expiry without sleeping."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def run_of(session: str = "session-a1", **changes) -> Submission:
    """A descent run as the lesson would send it, with `changes`."""
    values = dict(session=session, lesson="descent", lr=0.1, status="converged",
                  regime="creeping", objective="seed", x0=8.0, steps=33, final_cost=2.0,
                  quiz_prediction="creeping", quiz_right=True)
    return Submission(**{**values, **changes})


NEURON_RUN = dict(lesson="neuron", lr=2.0, status="settled", regime="", objective="",
                  x0=None, steps=200, final_cost=0.061, accuracy=0.92, quiz_prediction=None,
                  quiz_right=None, settings={"n": 200, "noise": 1.0, "loss": "mse",
                                             "standardize": True})


# --- Backends --------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """The URL of an empty class database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / store.SQLITE_FILE}"
    pg = request.getfixturevalue("postgres_url")
    engine = create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    store.META.drop_all(engine)
    engine.dispose()
    return pg


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(url, clock):
    s = store.open_store(url, clock=clock)
    yield s
    s.dispose()


def rows_in(db: store.Store, table) -> list:
    with db.engine.connect() as conn:
        return list(conn.execute(select(table)))


# --- Round trip ------------------------------------------------------------------------------
def test_round_trip_keeps_every_value_in_order(db, clock):
    made = db.create_class()
    sent = [run_of(), run_of("session-b2", **NEURON_RUN),
            run_of("session-c3", lr=0.95, status="diverged", regime="diverging", steps=None,
                   final_cost=None, quiz_prediction="bouncing", quiz_right=False,
                   settings={"a": 1.5, "b": -4, "c": 6})]
    ids = []
    for s in sent:
        ids.append(db.add_submission(made.code, s))
        clock.now += 0.01
    board = db.read_board(made.code, made.teacher_key)
    assert [r.submission for r in board.received] == sent
    assert [r.id for r in board.received] == ids == sorted(ids)
    assert [r.at for r in board.received] == pytest.approx([T0, T0 + 0.01, T0 + 0.02])
    assert (board.code, board.students, board.closed) == (made.code, 3, False)
    assert board.expires_at == T0 + 24 * 3600 == made.expires_at
    assert board.received[1].submission.settings["n"] == 200          # an int stays an int


def test_a_refreshing_board_reads_only_what_is_new(db, clock):
    made = db.create_class()
    first = db.add_submission(made.code, run_of())
    second = db.add_submission(made.code, run_of("session-b2"))
    board = db.read_board(made.code, made.teacher_key, after=first)
    assert [r.id for r in board.received] == [second] and board.students == 2
    assert db.read_board(made.code, made.teacher_key, after=second).received == ()


def test_csv_export_has_a_header_and_one_row_per_submission(db, clock):
    import csv
    import io
    import json

    made = db.create_class()
    db.add_submission(made.code, run_of())
    db.add_submission(made.code, run_of("session-b2", **NEURON_RUN))
    table = list(csv.DictReader(io.StringIO(classroom.csv_text(
        db.read_board(made.code, made.teacher_key).received))))
    assert len(table) == 2
    assert table[0]["lr"] == "0.1" and table[0]["quiz_right"] == "True"
    assert table[1]["accuracy"] == "0.92" and table[1]["x0"] == ""
    assert json.loads(table[1]["settings"]) == NEURON_RUN["settings"]


def test_a_join_code_typed_in_lower_case_with_spaces_finds_its_class(db):
    made = db.create_class()
    typed = f" {made.code[:3].lower()} {made.code[3:].lower()} "
    db.add_submission(typed, run_of())
    assert len(db.read_board(made.code, made.teacher_key).received) == 1


# --- Keys and codes --------------------------------------------------------------------------
def test_codes_and_keys_have_the_promised_strength():
    assert math.log2(len(classroom.ALPHABET)) * classroom.CODE_LENGTH >= 30
    assert not set("01OI") & set(classroom.ALPHABET)
    keys = {classroom.new_teacher_key() for _ in range(50)}
    assert len(keys) == 50 and all(len(k) * 6 >= 128 for k in keys)   # base64: 6 bits a char
    codes = [classroom.new_code() for _ in range(200)]
    assert all(classroom.normal_code(c) == c for c in codes)
    assert len(set(codes)) > 190


def test_the_store_keeps_only_a_hash_of_the_key(db):
    made = db.create_class()
    (row,) = rows_in(db, store.CLASSES)
    assert made.teacher_key not in repr(tuple(row))
    assert row.key_hash == classroom.key_hash(made.teacher_key)


def test_a_wrong_key_is_refused_through_the_constant_time_compare(db, monkeypatch):
    made = db.create_class()
    other = db.create_class()
    db.add_submission(made.code, run_of())
    compared = []

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    real = classroom.hmac.compare_digest
    monkeypatch.setattr(classroom.hmac, "compare_digest", spy)
    for code, key in [(made.code, made.teacher_key[:-1] + "x"), (made.code, other.teacher_key),
                      (made.code, ""), ("ZZZZZZ", made.teacher_key),
                      ("' OR 1=1 --", "' OR '1'='1")]:
        for op in (db.read_board, db.close_class):
            with pytest.raises(Refused) as refusal:
                op(code, key)
            message = str(refusal.value)
            assert message == classroom.REFUSED and made.code not in message
    # every refusal went through compare_digest, the unknown codes too
    assert len(compared) == 10
    assert db.read_board(made.code, made.teacher_key).closed is False
    db.add_submission(made.code, run_of("session-b2"))     # still open after the refusals


@pytest.mark.parametrize("level", [logging.INFO, logging.DEBUG])
def test_no_code_or_key_reaches_the_logs(url, clock, caplog, level):
    # as if someone turned SQLAlchemy's logs on: INFO shows statements, DEBUG rows too
    caplog.set_level(level)
    caplog.set_level(level, logger="sqlalchemy")
    db = store.open_store(url, clock=clock)
    made = db.create_class()
    db.add_submission(made.code, run_of())
    db.read_board(made.code, made.teacher_key)
    with pytest.raises(Refused):
        db.read_board(made.code, made.teacher_key + "x")
    db.close_class(made.code, made.teacher_key)
    db.dispose()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "SELECT" in logged
    assert made.code not in logged and made.teacher_key not in logged
    if level == logging.INFO:       # a DEBUG log shows the hash as a row: it opens nothing
        assert classroom.key_hash(made.teacher_key) not in logged


def test_a_join_code_can_only_add_to_its_own_class(db):
    a, b = db.create_class(), db.create_class()
    db.add_submission(a.code, run_of())
    for key in (a.code, b.code, b.teacher_key):
        with pytest.raises(Refused):
            db.read_board(a.code, key)
        with pytest.raises(Refused):
            db.close_class(a.code, key)
    assert len(db.read_board(a.code, a.teacher_key).received) == 1
    assert db.read_board(b.code, b.teacher_key).received == ()


def test_a_closed_class_takes_nothing_more_but_keeps_its_board(db, clock):
    made = db.create_class()
    db.add_submission(made.code, run_of())
    db.close_class(made.code, made.teacher_key)
    clock.now += 5
    with pytest.raises(ClassClosed):
        db.add_submission(made.code, run_of("session-b2"))
    board = db.read_board(made.code, made.teacher_key)
    assert board.closed and len(board.received) == 1


def test_an_unknown_code_is_refused_to_a_student(db):
    db.create_class()
    for code in ("ZZZZZZ", "", "'; DROP TABLE gdviz_classes; --", "x" * 10_000):
        with pytest.raises(UnknownClass, match="No open class has this code"):
            db.add_submission(code, run_of())
    assert rows_in(db, store.SUBMISSIONS) == []


# --- Limits ----------------------------------------------------------------------------------
def test_limits_at_their_documented_values():
    assert isinstance(classroom.limit_breach(T0, T0 - 0.5, 0, 1), TooFast)
    assert classroom.limit_breach(T0, T0 - 1.0, 0, 1) is None
    assert isinstance(classroom.limit_breach(T0, None, 2000, 1), ClassBusy)
    assert classroom.limit_breach(T0, None, 1999, 1) is None
    assert isinstance(classroom.limit_breach(T0, None, 0, 500), ClassFull)
    assert classroom.limit_breach(T0, T0 - 5, 0, 500) is None     # one of the 500 may go on


def test_one_session_sends_at_most_once_a_second(db, clock):
    made = db.create_class()
    db.add_submission(made.code, run_of())
    clock.now += 0.5
    with pytest.raises(TooFast) as refusal:
        db.add_submission(made.code, run_of(lr=0.2))
    assert "\n" not in str(refusal.value)
    db.add_submission(made.code, run_of("session-b2"))     # another student is not held up
    clock.now += 0.5
    db.add_submission(made.code, run_of(lr=0.3))
    assert [r.submission.lr for r in db.read_board(made.code, made.teacher_key).received] \
        == [0.1, 0.1, 0.3]


def test_a_class_takes_a_bounded_number_per_minute(db, clock, monkeypatch):
    monkeypatch.setattr(classroom, "CLASS_PER_MINUTE", 5)
    made = db.create_class()
    for i in range(5):
        db.add_submission(made.code, run_of(f"session-{i:03d}"))
        clock.now += 1
    with pytest.raises(ClassBusy):
        db.add_submission(made.code, run_of("session-late"))
    assert len(db.read_board(made.code, made.teacher_key).received) == 5
    clock.now = T0 + 60.5                                  # the first run is a minute old
    db.add_submission(made.code, run_of("session-late"))
    assert len(db.read_board(made.code, made.teacher_key).received) == 6


def test_a_class_has_a_bounded_number_of_students(db, clock, monkeypatch):
    monkeypatch.setattr(classroom, "MAX_STUDENTS", 3)
    made = db.create_class()
    for i in range(3):
        db.add_submission(made.code, run_of(f"session-{i:03d}"))
    with pytest.raises(ClassFull, match="full"):
        db.add_submission(made.code, run_of("session-new"))
    clock.now += 2
    db.add_submission(made.code, run_of("session-000", lr=0.5))   # a known student goes on
    board = db.read_board(made.code, made.teacher_key)
    assert board.students == 3 and len(board.received) == 4


# --- Expiry ----------------------------------------------------------------------------------
def test_an_expired_class_is_deleted_when_seen(db, clock):
    made = db.create_class(hours=1)
    db.add_submission(made.code, run_of())
    clock.now += 3600
    with pytest.raises(UnknownClass):
        db.add_submission(made.code, run_of("session-b2"))
    assert rows_in(db, store.CLASSES) == rows_in(db, store.SUBMISSIONS) == []
    assert rows_in(db, store.SESSIONS) == []
    with pytest.raises(Refused):
        db.read_board(made.code, made.teacher_key)


def test_purge_deletes_the_expired_classes_only(db, clock):
    old = db.create_class(hours=1)
    db.add_submission(old.code, run_of())
    new = db.create_class(hours=3)
    db.add_submission(new.code, run_of())
    clock.now += 2 * 3600
    assert db.purge_expired() == 1
    assert [r.code for r in rows_in(db, store.CLASSES)] == [new.code]
    assert len(rows_in(db, store.SUBMISSIONS)) == 1
    assert len(db.read_board(new.code, new.teacher_key).received) == 1


@pytest.mark.parametrize("hours", [0, -1, math.nan, math.inf, 24 * 15])
def test_a_lifetime_out_of_range_is_refused(db, hours):
    with pytest.raises(ValueError, match="hours"):
        db.create_class(hours=hours)


# --- Several processes -----------------------------------------------------------------------
def _send_many(url: str, code: str, worker: int, count: int) -> None:
    """In a process of its own: `count` runs, each from a new session."""
    s = store.open_store(url)
    for i in range(count):
        s.add_submission(code, run_of(f"proc{worker}-run{i:04d}", lr=0.001 * (i + 1)))
    s.dispose()


def test_processes_sending_together_lose_nothing(url):
    workers, each = 4, 40
    db = store.open_store(url)
    made = db.create_class()
    context = multiprocessing.get_context("spawn")
    jobs = [context.Process(target=_send_many, args=(url, made.code, w, each))
            for w in range(workers)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(120)
    assert [job.exitcode for job in jobs] == [0] * workers
    board = db.read_board(made.code, made.teacher_key)
    assert len(board.received) == workers * each == board.students
    assert len({r.id for r in board.received}) == workers * each
    db.dispose()


def _join_together(url: str, code: str, worker: int, barrier) -> None:
    """In a forked process: wait for the others, then five new students try to join."""
    s = store.open_store(url)
    barrier.wait(60)
    for i in range(5):
        with contextlib.suppress(ClassFull):
            s.add_submission(code, run_of(f"proc{worker}-student{i}"))
    s.dispose()


def test_the_student_limit_holds_when_processes_race(url, monkeypatch):
    # forked, so the children share the lowered limit; 4 x 5 newcomers race for 10 places
    monkeypatch.setattr(classroom, "MAX_STUDENTS", 10)
    db = store.open_store(url)
    made = db.create_class()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(4)
    jobs = [context.Process(target=_join_together, args=(url, made.code, w, barrier))
            for w in range(4)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(120)
    assert [job.exitcode for job in jobs] == [0] * 4
    board = db.read_board(made.code, made.teacher_key)
    assert board.students == len(board.received) == 10
    db.dispose()


# --- Hostile values --------------------------------------------------------------------------
@pytest.mark.parametrize("changes", [
    dict(lr=math.nan), dict(lr=math.inf), dict(lr=0.0), dict(lr=-0.1), dict(lr="0.1"),
    dict(lr=True), dict(x0=-math.inf), dict(final_cost=math.nan), dict(accuracy=1.5),
    dict(steps=-1), dict(steps=2.5), dict(steps=10**9), dict(status=""),
    dict(status="x" * 41), dict(regime="a\nb"), dict(objective="\x00"),
    dict(status="=HYPERLINK(\"http://x\")"), dict(quiz_prediction="@SUM(1)"),
    dict(lesson="math"), dict(session="short"), dict(session="-starts-with-dash"),
    dict(session="a" * 65), dict(quiz_right=None), dict(quiz_right="yes"),
    dict(settings={"x" * 17: 1}), dict(settings={"Bad": 1}), dict(settings={"a": math.nan}),
    dict(settings={f"k{i}": 1 for i in range(17)}), dict(settings={"a": [1, 2]}),
    dict(settings={"a": 10**700}), dict(settings="n=1"),
])
def test_a_hostile_submission_is_refused_with_one_line(changes):
    with pytest.raises(InvalidSubmission) as refusal:
        run_of(**changes)
    assert refusal.value.args[0].startswith("This run cannot be sent: ")
    assert "\n" not in str(refusal.value)


def test_sql_and_unicode_text_is_stored_verbatim(db):
    made = db.create_class()
    sent = run_of(status="x'); DROP TABLE gdviz_submissions;--", regime='Robert"); --',
                  objective="η ≤ 2/f″ 🙂", quiz_prediction="' OR '1'='1",
                  settings={"loss": "%s %(x)s ?", "a": -0.0})
    db.add_submission(made.code, sent)
    (back,) = db.read_board(made.code, made.teacher_key).received
    assert back.submission == sent
    assert len(rows_in(db, store.CLASSES)) == 1


def test_a_submission_cannot_be_changed_once_checked():
    s = run_of(settings={"n": 200})
    with pytest.raises(TypeError):
        s.settings["n"] = math.nan
    with pytest.raises(AttributeError):
        s.lr = math.nan


def test_numpy_values_are_kept_as_plain_numbers():
    np = pytest.importorskip("numpy")
    s = run_of(lr=np.float64(0.3), steps=np.int64(7), final_cost=np.float32(0.5))
    assert (type(s.lr), type(s.steps), type(s.final_cost)) == (float, int, float)
    with pytest.raises(InvalidSubmission):
        run_of(lr=np.float64("nan"))


def test_a_submission_read_back_is_checked_again(db):
    made = db.create_class()
    db.add_submission(made.code, run_of())
    with db.engine.begin() as conn:                       # a row altered behind our back
        conn.execute(update(store.SUBMISSIONS).values(lr=-1.0))
    with pytest.raises(InvalidSubmission):
        db.read_board(made.code, made.teacher_key)


# --- Opening ---------------------------------------------------------------------------------
def test_reopening_keeps_the_data_and_the_schema_version(url):
    first = store.open_store(url)
    made = first.create_class()
    first.dispose()
    again = store.open_store(url)
    assert again.read_board(made.code, made.teacher_key).code == made.code
    assert [r.version for r in rows_in(again, store.SCHEMA)] == [store.SCHEMA_VERSION]
    again.dispose()


def test_a_schema_of_another_version_is_refused(url):
    first = store.open_store(url)
    with first.engine.begin() as conn:
        conn.execute(update(store.SCHEMA).values(version=store.SCHEMA_VERSION + 1))
    first.dispose()
    with pytest.raises(StoreUnavailable, match="schema version"):
        store.open_store(url)


def test_an_unwritable_data_folder_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {"GDVIZ_DATA_DIR": str(blocker / "data")}
    with pytest.raises(StoreUnavailable, match="data folder") as refusal:
        store.open_store(store.database_url(env))
    assert "\n" not in str(refusal.value)


def test_an_unreachable_database_is_one_clear_error():
    url = f"postgresql://gdviz:secret-pw@127.0.0.1:{procs.free_port()}/postgres"
    with pytest.raises(StoreUnavailable, match="cannot be used") as refusal:
        store.open_store(url)
    message = str(refusal.value)
    assert "\n" not in message and "secret-pw" not in message


@pytest.mark.parametrize("bad", ["mysql://u@h/db", "not a url", "sqlite://"])
def test_a_database_url_of_another_kind_is_refused(bad):
    with pytest.raises(StoreUnavailable):
        store.open_store(bad)


def test_the_database_url_comes_from_the_environment(tmp_path):
    assert store.database_url({"GDVIZ_DATABASE_URL": "postgresql://h/db"}) == "postgresql://h/db"
    assert store.database_url({"GDVIZ_DATA_DIR": str(tmp_path)}) \
        == f"sqlite:///{tmp_path / store.SQLITE_FILE}"
    assert store.database_url({}) == f"sqlite:///{store.DEFAULT_DATA_DIR / store.SQLITE_FILE}"


def test_every_refusal_is_a_class_error():
    for kind in (ClassBusy, ClassClosed, ClassFull, InvalidSubmission, Refused,
                 StoreUnavailable, TooFast, UnknownClass):
        assert issubclass(kind, ClassError)


def test_a_clash_of_join_codes_draws_a_new_one(db, monkeypatch):
    first = db.create_class()
    drawn = iter([first.code, first.code, "ABCDEF"])
    monkeypatch.setattr(classroom, "new_code", lambda: next(drawn))
    assert db.create_class().code == "ABCDEF"
    with db.engine.connect() as conn:
        assert len(list(conn.execute(select(store.CLASSES.c.code)))) == 2

