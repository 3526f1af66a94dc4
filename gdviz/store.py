"""Where classes and their submissions are kept: one interface, two databases.

SQLite by default (a file in GDVIZ_DATA_DIR, `data/` beside app.py), PostgreSQL when
GDVIZ_DATABASE_URL=postgresql://... is set. Both go through SQLAlchemy Core with bound
parameters only, and pass the same contract tests (tests/test_store.py).

Several processes share one database (the classroom server runs several Streamlit
processes), so every limit is checked from the database, inside the transaction that
inserts: SQLite's BEGIN IMMEDIATE and PostgreSQL's row lock on the class make the check and
the insert one step. Transactions are short; SQLite waits for a busy lock instead of failing.

What is allowed is decided by gdviz/classroom.py; this module only keeps and reads.
"""
from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, InterfaceError, OperationalError

from gdviz import classroom
from gdviz.classroom import (
    Board,
    ClassClosed,
    ClassError,
    NewClass,
    Received,
    Refused,
    StoreUnavailable,
    Submission,
    UnknownClass,
)

SCHEMA_VERSION = 1
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SQLITE_FILE = "classes.sqlite3"
BUSY_TIMEOUT_S = 30.0           # how long SQLite waits for another process's write lock
_NO_KEY = "0" * 64              # compared against when a code is unknown, to take the same time
_SCHEMA_LOCK = 0x67647669       # PostgreSQL advisory lock: one process creates the schema

META = MetaData()
SCHEMA = Table("gdviz_schema", META, Column("version", Integer, nullable=False))
CLASSES = Table(
    "gdviz_classes", META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(classroom.CODE_LENGTH), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
)
SESSIONS = Table(
    "gdviz_sessions", META,
    Column("class_id", ForeignKey("gdviz_classes.id"), primary_key=True),
    Column("session", String(64), primary_key=True),
    Column("last_at", Double, nullable=False),
)
SUBMISSIONS = Table(
    "gdviz_submissions", META,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("class_id", ForeignKey("gdviz_classes.id"), nullable=False),
    Column("received_at", Double, nullable=False),
    Column("session", String(64), nullable=False),
    Column("lesson", String(16), nullable=False),
    Column("lr", Double, nullable=False),
    Column("status", String(classroom.MAX_TEXT), nullable=False),
    Column("regime", String(classroom.MAX_TEXT), nullable=False),
    Column("objective", String(classroom.MAX_TEXT), nullable=False),
    Column("x0", Double),
    Column("settings", Text, nullable=False),
    Column("steps", Integer),
    Column("final_cost", Double),
    Column("accuracy", Double),
    Column("quiz_prediction", String(classroom.MAX_TEXT)),
    Column("quiz_right", Boolean),
    Index("gdviz_submissions_by_time", "class_id", "received_at"),
)


class Store:
    """A database of classes. Make one with `open_store()`; share it across threads.

    Args:
        engine: a SQLAlchemy engine on SQLite or PostgreSQL (see `open_store`).
        clock: the time now as Unix seconds (tests pass their own to move time on).
    """

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def create_class(self, hours: float = classroom.DEFAULT_HOURS) -> NewClass:
        """Make a class open for `hours`; expired classes are purged first.

        Raises:
            ValueError: hours out of range.
            StoreUnavailable: the database cannot be used.
        """
        hours = classroom.expiry_hours(hours)
        self.purge_expired()
        key = classroom.new_teacher_key()
        for _ in range(8):      # 2^30 codes: a clash is rare, eight in a row never happens
            now = self.clock()
            row = {"code": classroom.new_code(), "key_hash": classroom.key_hash(key),
                   "created_at": now, "expires_at": now + hours * 3600, "closed": False}
            try:
                with self._transaction() as conn:
                    conn.execute(insert(CLASSES).values(row))
            except IntegrityError:
                continue
            return NewClass(row["code"], key, row["expires_at"])
        raise StoreUnavailable("No free join code was found: try again.")

    def add_submission(self, code: str, submission: Submission) -> int:
        """Store one student's submission in the class with this join code.

        Returns:
            The submission's id (its order in the class).

        Raises:
            UnknownClass, ClassClosed, LimitReached (TooFast, ClassBusy, ClassFull):
                nothing was stored, and nothing already stored changed.
            StoreUnavailable: the database cannot be used.
        """
        with self._transaction() as conn:
            outcome = self._add(conn, code, submission)
        if isinstance(outcome, ClassError):
            raise outcome
        return outcome

    def read_board(self, code: str, teacher_key: str, after: int = 0) -> Board:
        """What the class holds, for its teacher: its submissions with an id above `after`
        (all by default; a board that refreshes passes the last id it has) and its count of
        students.

        Raises:
            Refused: unknown code or wrong key (the same refusal, in the same time).
            StoreUnavailable: the database cannot be used.
        """
        with self._transaction() as conn:
            found = self._teacher_class(conn, code, teacher_key)
            if not isinstance(found, ClassError):
                return self._board(conn, found, classroom.normal_code(code), after)
        raise found

    def close_class(self, code: str, teacher_key: str) -> None:
        """Stop the class taking submissions; its board and export stay until it expires.

        Raises:
            Refused: unknown code or wrong key.
            StoreUnavailable: the database cannot be used.
        """
        with self._transaction() as conn:
            found = self._teacher_class(conn, code, teacher_key)
            if not isinstance(found, ClassError):
                conn.execute(update(CLASSES).where(CLASSES.c.id == found.id).values(closed=True))
                return
        raise found

    def purge_expired(self) -> int:
        """Delete every expired class with its submissions; returns how many classes."""
        with self._transaction() as conn:
            expired = select(CLASSES.c.id).where(CLASSES.c.expires_at <= self.clock())
            ids = list(conn.execute(expired).scalars())
            _delete_classes(conn, ids)
        return len(ids)

    def dispose(self) -> None:
        """Close the engine's connections."""
        self.engine.dispose()

    # --- inside one transaction: refusals are returned, and raised after it commits, so the
    # deletion of an expired class that was found is kept.
    def _add(self, conn: Connection, code: str, submission: Submission) -> int | ClassError:
        found = self._open_class(conn, code)
        if found is None:
            return UnknownClass(classroom.UNKNOWN_CLASS)
        if found.closed:
            return ClassClosed("The teacher has closed this class.")
        now = self.clock()
        last = conn.execute(select(SESSIONS.c.last_at).where(
            SESSIONS.c.class_id == found.id, SESSIONS.c.session == submission.session)).scalar()
        recent = conn.execute(select(func.count()).select_from(SUBMISSIONS).where(
            SUBMISSIONS.c.class_id == found.id, SUBMISSIONS.c.received_at > now - 60)).scalar()
        students = conn.execute(select(func.count()).select_from(SESSIONS).where(
            SESSIONS.c.class_id == found.id)).scalar()
        breach = classroom.limit_breach(now, last, recent, students)
        if breach is not None:
            return breach
        if last is None:
            conn.execute(insert(SESSIONS).values(class_id=found.id, session=submission.session,
                                                 last_at=now))
        else:
            conn.execute(update(SESSIONS).values(last_at=now).where(
                SESSIONS.c.class_id == found.id, SESSIONS.c.session == submission.session))
        added = conn.execute(insert(SUBMISSIONS).values(
            class_id=found.id, received_at=now, **submission.row()))
        return added.inserted_primary_key[0]

    def _open_class(self, conn: Connection, code: str):
        """The class row with this code, locked until the transaction ends; None if there is
        none or it expired (then it is deleted)."""
        code = classroom.normal_code(code)
        if code is None:
            return None
        # not the code itself: SQLAlchemy's debug log shows rows (its parameters are hidden)
        found = conn.execute(select(CLASSES.c.id, CLASSES.c.key_hash, CLASSES.c.expires_at,
                                    CLASSES.c.closed).where(CLASSES.c.code == code)
                             .with_for_update()).first()
        if found is not None and found.expires_at <= self.clock():
            _delete_classes(conn, [found.id])
            return None
        return found

    def _teacher_class(self, conn: Connection, code: str, teacher_key: str):
        found = self._open_class(conn, code)
        # the key is compared even when the code is unknown: a refusal takes the same time
        matches = classroom.key_matches(str(teacher_key), found.key_hash if found else _NO_KEY)
        return found if found is not None and matches else Refused(classroom.REFUSED)

    def _board(self, conn: Connection, found, code: str, after: int) -> Board:
        rows = conn.execute(select(SUBMISSIONS).where(SUBMISSIONS.c.class_id == found.id,
                                                      SUBMISSIONS.c.id > int(after))
                            .order_by(SUBMISSIONS.c.id)).mappings()
        received = tuple(Received(r["id"], r["received_at"], Submission.from_row(r))
                         for r in rows)
        students = conn.execute(select(func.count()).select_from(SESSIONS).where(
            SESSIONS.c.class_id == found.id)).scalar()
        return Board(code, found.expires_at, bool(found.closed), students, received)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except (OperationalError, InterfaceError) as err:
            raise StoreUnavailable(_unavailable(err)) from None


def _delete_classes(conn: Connection, ids: list[int]) -> None:
    if ids:
        for table in (SUBMISSIONS, SESSIONS):
            conn.execute(delete(table).where(table.c.class_id.in_(ids)))
        conn.execute(delete(CLASSES).where(CLASSES.c.id.in_(ids)))


def _unavailable(err: Exception) -> str:
    # The driver's own first line ("unable to open database file", "connection refused"),
    # never SQLAlchemy's text, which could quote statements; parameters are hidden anyway.
    reason = str(getattr(err, "orig", None) or err).strip().splitlines()
    return f"The class database cannot be used: {reason[0] if reason else 'unknown error'}."


# --- Opening ---------------------------------------------------------------------------------
def database_url(environ: dict[str, str] | None = None) -> str:
    """GDVIZ_DATABASE_URL if set, else the SQLite file in GDVIZ_DATA_DIR (default data/)."""
    environ = os.environ if environ is None else environ
    url = environ.get("GDVIZ_DATABASE_URL", "").strip()
    if url:
        return url
    data_dir = Path(environ.get("GDVIZ_DATA_DIR", "").strip() or DEFAULT_DATA_DIR)
    return f"sqlite:///{data_dir.resolve() / SQLITE_FILE}"


def open_store(url: str | None = None, clock: Callable[[], float] = time.time) -> Store:
    """Connect to the class database (`database_url()` by default) and create its schema if
    it has none.

    Raises:
        StoreUnavailable: a bad URL, an unwritable data folder, an unreachable database, or
            a schema of another version; the message is one readable line.
    """
    try:
        parsed = make_url(url or database_url())
    except ArgumentError:
        raise StoreUnavailable("GDVIZ_DATABASE_URL is not a database URL.") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        engine = _sqlite_engine(parsed)
    elif parsed.get_backend_name() in ("postgresql", "postgres"):
        engine = create_engine(parsed.set(drivername="postgresql+psycopg"), hide_parameters=True,
                               pool_pre_ping=True, connect_args={"connect_timeout": 10})
    else:
        raise StoreUnavailable("GDVIZ_DATABASE_URL must start with postgresql://.")
    store = Store(engine, clock)
    _create_schema(store)
    return store


def _sqlite_engine(url) -> Engine:
    folder = Path(url.database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreUnavailable(f"The data folder {folder} cannot be created: "
                               f"{err.strerror or err}.") from None
    if not os.access(folder, os.W_OK):
        raise StoreUnavailable(f"The data folder {folder} is not writable.")
    engine = create_engine(url, hide_parameters=True,
                           connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})

    # SQLAlchemy's documented recipe for SQLite transactions (docs: "Enabling Non-Legacy
    # SQLite Transactional Modes"): the driver stops emitting BEGIN and we emit BEGIN
    # IMMEDIATE, which takes the write lock at once, so a check and the insert that follows
    # it cannot interleave with another process's.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _create_schema(store: Store) -> None:
    with store._transaction() as conn:
        if conn.dialect.name == "postgresql":   # processes starting together take turns
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        META.create_all(conn)
        version = conn.execute(select(SCHEMA.c.version)).scalar()
        if version is None:
            conn.execute(insert(SCHEMA).values(version=SCHEMA_VERSION))
    if version not in (None, SCHEMA_VERSION):
        raise StoreUnavailable(f"The class database has schema version {version}; this gdviz "
                               f"reads version {SCHEMA_VERSION}.")
