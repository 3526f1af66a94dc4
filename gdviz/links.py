"""A lesson link's classroom options, read from a link and written back into one.

`lock=lr,x0` shows those controls disabled, `hide=sidebar` folds the controls away, and
`prompt=…` carries the teacher's question (plain text, at most PROMPT_MAX characters),
`quiz=1` asks the student to predict the run before it plays, and `quiz_lr=LO..HI` is the
range a quiz's new round draws η from (gdviz/quiz.py), and `class=CODE` lets the lesson send
its run to that class's board (gdviz/classroom.py). Like the settings tables, a refused
value falls back (no lock, the sidebar shown, no prompt, no quiz, the lesson's own range, no
class board) with a note saying so. The page layer shows them (gdviz/pages/share.py);
nothing here imports Streamlit.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from gdviz import classroom, quiz
from gdviz.quiz import QUIZ, QUIZ_LR
from gdviz.settings import Field, by_key

LOCK, HIDE, PROMPT, CLASS = "lock", "hide", "prompt", "class"
OPTION_KEYS = (LOCK, HIDE, PROMPT, QUIZ, QUIZ_LR, CLASS)
PRESENT = "present"      # the presenter view: a toggle on every page, bound to the URL
PROMPT_MAX = 280
SIDEBAR = "sidebar"             # the one thing `hide` can hide so far


@dataclass(frozen=True)
class LinkOptions:
    """What a lesson link asks of the page besides its settings."""

    lock: tuple[str, ...] = ()          # setting keys, in the table's order
    hide_sidebar: bool = False
    prompt: str = ""
    quiz: bool = False
    quiz_lr: tuple[float, float] | None = None     # None: the lesson's own range
    class_code: str = ""                # a join code (classroom.normal_code), "" for none


def read_options(fields: Sequence[Field], raw: Mapping[str, list[str]]
                 ) -> tuple[LinkOptions, list[str]]:
    """Read lock, hide, prompt, quiz, quiz_lr and class from a link's parameters.

    Args:
        fields: the lesson's settings table (the names `lock` may name).
        raw: the link's parameters, each a list of values as it arrived.

    Returns:
        (the options, one note per value refused or cut, saying what is used instead).
    """
    notes: list[str] = []
    keys = [f.key for f in fields]
    lock: tuple[str, ...] = ()
    text = _one(raw, LOCK, notes, "nothing is locked")
    if text is not None:
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in keys]
        if unknown:
            shown = ", ".join(repr(n[:20]) for n in unknown[:5])
            notes.append(f"lock names {shown}, not among this page's settings "
                         f"({', '.join(keys)}); only the known ones are locked.")
        lock = tuple(k for k in keys if k in names)
    hide = False
    text = _one(raw, HIDE, notes, "the sidebar is shown")
    if text is not None:
        hide = text.strip() == SIDEBAR
        if not hide:
            notes.append(f"hide can only be {SIDEBAR}, not {text[:20]!r}; the sidebar is shown.")
    prompt = (_one(raw, PROMPT, notes, "no question is shown") or "").strip()
    if len(prompt) > PROMPT_MAX:
        notes.append(f"The prompt is {len(prompt)} characters long; only its first "
                     f"{PROMPT_MAX} are shown.")
        prompt = prompt[:PROMPT_MAX].rstrip()
    on, lr_range = _quiz(fields, raw, notes)
    return LinkOptions(lock, hide, prompt, on, lr_range, _class_code(raw, notes)), notes


def _class_code(raw: Mapping[str, list[str]], notes: list[str]) -> str:
    """class=CODE, a join code; refused (with a note that does not repeat it) otherwise."""
    text = _one(raw, CLASS, notes, "runs are not sent to a class board")
    if text is None:
        return ""
    code = classroom.normal_code(text)
    if code is None:
        notes.append(f"class must be a join code of {classroom.CODE_LENGTH} letters and "
                     "digits; runs are not sent to a class board.")
        return ""
    return code


def _quiz(fields: Sequence[Field], raw: Mapping[str, list[str]], notes: list[str]
          ) -> tuple[bool, tuple[float, float] | None]:
    """quiz (1 or 0) and quiz_lr (a range within the lr field's), each refused with a note."""
    text = _one(raw, QUIZ, notes, "there is no quiz")
    on = text is not None and text.strip() == "1"
    if text is not None and text.strip() not in ("0", "1"):
        notes.append("quiz can only be 1 or 0; there is no quiz.")   # the text may be inf
    lr_range = None
    text = _one(raw, QUIZ_LR, notes, "a new round draws η from the lesson's own range")
    if text is not None:
        try:
            lr_range = quiz.parse_range(text, by_key(fields)["lr"])
        except ValueError as err:
            notes.append(f"{err}; a new round draws η from the lesson's own range.")
    return on, lr_range


def _one(raw: Mapping[str, list[str]], key: str, notes: list[str], instead: str) -> str | None:
    values = raw.get(key)
    if not values:
        return None
    if len(values) != 1:
        notes.append(f"{key} appears {len(values)} times in the link; {instead}.")
        return None
    return values[0]


def link_query(values: Mapping[str, Any], options: LinkOptions) -> str:
    """The query string (without "?") of a link to `values` with `options`, every value
    URL-encoded; the settings under their widget keys, as the page reads them."""
    params = [(k, _text(v)) for k, v in values.items()]
    if options.lock:
        params.append((LOCK, ",".join(options.lock)))
    if options.hide_sidebar:
        params.append((HIDE, SIDEBAR))
    if options.prompt:
        params.append((PROMPT, options.prompt))
    if options.quiz:
        params.append((QUIZ, "1"))
        if options.quiz_lr is not None:
            params.append((QUIZ_LR, quiz.range_text(*options.quiz_lr)))
    if options.class_code:
        params.append((CLASS, options.class_code))
    return urlencode(params, quote_via=quote, safe=",")


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)    # repr: every digit, read back exactly


PRESENT_FIELD = Field(PRESENT, "Presenter view", False, bool,
                      help="For a projector: the chart fills the screen beside the verdict, "
                           "in large type; everything else is below it")


def read_present(raw: Mapping[str, list[str]]) -> tuple[bool | None, list[str]]:
    """Read `present` from a link: 1, true, yes or on turn the presenter view on, 0, false,
    no or off turn it off.

    Returns:
        (True or False, or None when the link does not say; one note per refused value,
        saying that the normal view is shown).
    """
    values = raw.get(PRESENT)
    if not values:
        return None, []
    if len(values) != 1:
        return False, [f"{PRESENT} appears {len(values)} times in the link; the normal view "
                       "is shown."]
    try:
        return PRESENT_FIELD.parse(values[0]), []
    except ValueError as err:
        return False, [f"{err}, not {values[0][:20]!r}; the normal view is shown."]
