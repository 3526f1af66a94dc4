"""The rules of a live class: join codes, teacher keys, what a student may send, and limits.

Pure Python, no database and no Streamlit: `gdviz/store.py` keeps classes and submissions
and asks this module what is allowed. Every refusal is a `ClassError` whose message is one
line a student or a teacher can read; none of them ever contains a code or a key.

Nothing personal is kept: a submission holds a run's settings and outcome and an anonymous
per-session id (random, made by the page), never a name or an address.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from numbers import Integral, Real
from types import MappingProxyType
from urllib.parse import urlencode

# Join codes: no 0/O or 1/I look-alikes (L stays: with 1 gone it is unambiguous). 32 symbols
# make 5 bits each, so 6 characters give 30 bits.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 6
KEY_BYTES = 24                  # secrets.token_urlsafe(24): 192 bits, 32 characters
DEFAULT_HOURS = 24.0
MAX_HOURS = 24.0 * 14

# Limits, enforced by the store inside the transaction that inserts (so across processes).
SESSION_INTERVAL = 1.0          # seconds between two submissions of one session
CLASS_PER_MINUTE = 2000         # submissions per class in any 60 s
MAX_STUDENTS = 500              # distinct sessions per class
MAX_SUBMISSION_BYTES = 2048     # the submission as JSON
MAX_TEXT = 40                   # regime, status, objective, quiz answer, a setting's text
MAX_SETTINGS = 16

LESSONS = ("descent", "neuron")
_SESSION_ID = r"[A-Za-z0-9][A-Za-z0-9_-]{7,63}"
_SETTING_NAME = r"[a-z_][a-z0-9_]{0,15}"
# A cell starting with one of these is a formula to a spreadsheet opening the CSV export.
_FORMULA_START = ("=", "+", "-", "@")


class ClassError(Exception):
    """A refusal with a one-line message fit to show as it is."""


class InvalidSubmission(ClassError):
    """A submission's values are out of range, not finite, too long or too big."""


class UnknownClass(ClassError):
    """No open class has this join code (never existed, expired, or mistyped)."""


class ClassClosed(ClassError):
    """The teacher closed the class: it takes no more submissions."""


class Refused(ClassError):
    """A teacher operation with a wrong key or an unknown code: nothing of the class is given."""


class LimitReached(ClassError):
    """A limit was hit; nothing already stored is touched."""


class TooFast(LimitReached):
    """One session sent twice within SESSION_INTERVAL."""


class ClassBusy(LimitReached):
    """The class received CLASS_PER_MINUTE submissions in the last minute."""


class ClassFull(LimitReached):
    """The class already has MAX_STUDENTS sessions and this one is new."""


class StoreUnavailable(ClassError):
    """The data folder is not writable or the database cannot be reached."""


UNKNOWN_CLASS = "No open class has this code: check it with your teacher."
REFUSED = "Unknown class code or wrong teacher key."


# --- Codes and keys --------------------------------------------------------------------------
def new_code() -> str:
    """A fresh join code: CODE_LENGTH symbols of ALPHABET, from `secrets`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """The join code a person typed, upper-cased without spaces or dashes; None if it cannot
    be a code (so the store need not look it up)."""
    code = re.sub(r"[\s-]", "", str(text)).upper()
    ok = len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)
    return code if ok else None


def new_teacher_key() -> str:
    """A fresh teacher key of 192 bits, URL-safe."""
    return secrets.token_urlsafe(KEY_BYTES)


def key_hash(key: str) -> str:
    """What the store keeps of a key. A key has 192 random bits, so a plain SHA-256 cannot
    be reversed by guessing: a leaked database does not leak keys."""
    return hashlib.sha256(str(key).encode("utf-8", "replace")).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    """Whether `key` is the one whose hash is stored, in constant time."""
    return hmac.compare_digest(key_hash(key), stored_hash)


def new_session_id() -> str:
    """An anonymous id for one browser session (random, linked to nothing)."""
    return secrets.token_hex(12)


def board_url(base: str, code: str, key: str) -> str:
    """The teacher's board link: `<base>/class?code=CODE&key=KEY`."""
    return f"{base.rstrip('/')}/class?{urlencode({'code': code, 'key': key})}"


def expiry_hours(hours: float) -> float:
    """Checked lifetime of a class in hours. Raises ValueError outside (0, MAX_HOURS]."""
    hours = float(hours)
    if not (math.isfinite(hours) and 0 < hours <= MAX_HOURS):
        raise ValueError(f"hours must be more than 0 and at most {MAX_HOURS:g}")
    return hours


@dataclass(frozen=True)
class NewClass:
    """A class just made. The key is shown once: the store keeps only its hash."""

    code: str
    teacher_key: str
    expires_at: float           # Unix time


# --- Submissions -----------------------------------------------------------------------------
Setting = float | int | bool | str


@dataclass(frozen=True)
class Submission:
    """One student's run and quiz answer, checked when made.

    Args:
        session: anonymous per-session id (see new_session_id).
        lesson: "descent" or "neuron".
        lr: the learning rate η.
        status: how the run ended, as the lesson says it ("converged", "diverged", ...).
        regime: the descent regime ("oscillating", ...), or "" where none applies.
        objective: the descent objective's name (the board draws one panel per objective).
        x0: the descent's start, None for the neuron.
        settings: the other settings of the run (the neuron's n, noise, loss, ...; a
            quadratic's a, b, c), at most MAX_SETTINGS short names with scalar values.
        steps: steps to converge (or the step the run stopped at), None if unknown.
        final_cost: the cost at the end, None if unknown.
        accuracy: the neuron's accuracy in [0, 1], None for the descent.
        quiz_prediction: the answer predicted in the quiz, None if there was no quiz.
        quiz_right: whether the prediction was right; given exactly when the prediction is.

    Raises:
        InvalidSubmission: naming the first value that cannot be kept.
    """

    session: str
    lesson: str
    lr: float
    status: str
    regime: str = ""
    objective: str = ""
    x0: float | None = None
    settings: Mapping[str, Setting] = field(default_factory=dict)
    steps: int | None = None
    final_cost: float | None = None
    accuracy: float | None = None
    quiz_prediction: str | None = None
    quiz_right: bool | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.session, str) and re.fullmatch(_SESSION_ID, self.session)):
            _bad("the session id must be 8 to 64 letters, digits, '-' or '_', "
                 "starting with a letter or digit")
        if self.lesson not in LESSONS:
            _bad(f"lesson must be one of {', '.join(LESSONS)}")
        self._set("lr", _number("lr", self.lr, low=0.0, strictly=True))
        if not self.status:
            _bad("status is missing")
        for name in ("status", "regime", "objective"):
            _text(name, getattr(self, name))
        if self.x0 is not None:
            self._set("x0", _number("x0", self.x0))
        if self.steps is not None:
            if not isinstance(self.steps, Integral) or isinstance(self.steps, bool) \
                    or not 0 <= self.steps <= 10**7:
                _bad("steps must be a whole number from 0 to 10,000,000")
            self._set("steps", int(self.steps))
        if self.final_cost is not None:
            self._set("final_cost", _number("final cost", self.final_cost))
        if self.accuracy is not None:
            self._set("accuracy", _number("accuracy", self.accuracy, low=0.0, high=1.0))
        if (self.quiz_prediction is None) != (self.quiz_right is None):
            _bad("a quiz answer needs both the prediction and whether it was right")
        if self.quiz_prediction is not None:
            _text("quiz prediction", self.quiz_prediction)
            if not isinstance(self.quiz_right, bool):
                _bad("whether the quiz answer was right must be true or false")
        self._set("settings", MappingProxyType(_settings(self.settings)))   # read-only
        if len(json.dumps(self.row()).encode()) > MAX_SUBMISSION_BYTES:
            _bad(f"a submission may be at most {MAX_SUBMISSION_BYTES} bytes")

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)     # a checked, plain-typed copy of the value

    def row(self) -> dict[str, object]:
        """The submission as database columns (settings as JSON text)."""
        values = {name: getattr(self, name) for name in FIELDS}   # asdict deep-copies: slow
        values["settings"] = json.dumps(dict(self.settings))    # already checked and sorted
        return values

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Submission:
        """The submission a database row holds (checked again on the way out)."""
        values = {name: row[name] for name in FIELDS}
        values["settings"] = json.loads(str(values["settings"]))
        if values["quiz_right"] is not None:
            values["quiz_right"] = bool(values["quiz_right"])
        return cls(**values)


FIELDS = tuple(f.name for f in fields(Submission))


def _bad(message: str) -> None:
    raise InvalidSubmission(f"This run cannot be sent: {message}.")


def _number(name: str, v: object, low: float = -math.inf, high: float = math.inf,
             strictly: bool = False) -> float:
    # NumPy's scalars are Real too: the lessons' runs are NumPy
    if not isinstance(v, Real) or isinstance(v, bool) or not math.isfinite(v):
        _bad(f"{name} must be a finite number")
    v = float(v)
    if v < low or v > high or (strictly and v == low):
        _bad(f"{name} is out of range")
    return v


def _text(name: str, v: object) -> None:
    if not isinstance(v, str) or len(v) > MAX_TEXT or not v.isprintable():
        _bad(f"{name} must be printable text of at most {MAX_TEXT} characters")
    if v.startswith(_FORMULA_START):
        _bad(f"{name} may not start with {' '.join(_FORMULA_START)}")


def _settings(settings: object) -> dict[str, Setting]:
    if not isinstance(settings, Mapping) or len(settings) > MAX_SETTINGS:
        _bad(f"settings must be at most {MAX_SETTINGS} named values")
    checked = {}
    for name, v in settings.items():
        if not (isinstance(name, str) and re.fullmatch(_SETTING_NAME, name)):
            _bad("a setting's name must be a short lower-case word")
        if isinstance(v, str):
            _text(f"setting {name}", v)
        elif isinstance(v, Integral) and not isinstance(v, bool):
            if abs(v) > 2**53:      # beyond it a browser's numbers are no longer exact
                _bad(f"setting {name} is out of range")
            v = int(v)
        elif not isinstance(v, bool):
            v = _number(f"setting {name}", v)
        checked[name] = v
    return dict(sorted(checked.items()))


@dataclass(frozen=True)
class Received:
    """A submission as stored: its order in the class and when it arrived (Unix time)."""

    id: int
    at: float
    submission: Submission


@dataclass(frozen=True)
class Board:
    """What the teacher's board shows of a class."""

    code: str
    expires_at: float
    closed: bool
    students: int                   # distinct sessions that sent at least one run
    received: tuple[Received, ...]  # oldest first (those asked for: see Store.read_board)


# --- Limits ----------------------------------------------------------------------------------
def limit_breach(now: float, last_sent: float | None, in_last_minute: int,
                 students: int) -> LimitReached | None:
    """The limit a new submission would break, or None.

    Args:
        now: the time of the new submission.
        last_sent: when this session last sent to this class, None if never.
        in_last_minute: the class's submissions in the 60 s before `now`.
        students: the class's distinct sessions so far.
    """
    if last_sent is not None and now - last_sent < SESSION_INTERVAL:
        return TooFast("You sent a run a moment ago: wait a second and send again.")
    if in_last_minute >= CLASS_PER_MINUTE:
        return ClassBusy("The class board is busy: send again in a minute.")
    if last_sent is None and students >= MAX_STUDENTS:
        return ClassFull(f"The class board is full ({MAX_STUDENTS} students).")
    return None


# --- Export ----------------------------------------------------------------------------------
CSV_COLUMNS = ("id", "received_at", *FIELDS)


def csv_text(received: tuple[Received, ...] | list[Received]) -> str:
    """The class's submissions as CSV: a header, then one row per submission."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in received:
        row = r.submission.row()
        writer.writerow([r.id, f"{r.at:.3f}", *("" if row[k] is None else row[k]
                                                 for k in CSV_COLUMNS[2:])])
    return out.getvalue()
