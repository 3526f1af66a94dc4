"""Load-test the live class board: a class of simulated students on the classroom server
(deploy/classroom.py: several Streamlit processes behind nginx) send their runs to a board.

    python bench/classload.py                          # 60 students × 10 runs, 3 processes
    python bench/classload.py --kill                   # one process killed mid-class
    python bench/classload.py --database-url auto      # a throwaway PostgreSQL cluster
    python bench/classload.py --database-url postgresql://user:pw@host/db

Each student speaks Streamlit's websocket protocol (bench/stclient.py): opens the lesson link
`/?class=CODE`, and ten times sets a new η (every send has its own, so a stored row names its
send), then presses "Send my run to the class board" and reads the page's answer. Meanwhile
a reader polls the store every REFRESH_S seconds with `read_board(after=...)`, as the board's
fragment does, and notes when each row first appears; a board session (`/class` with the
teacher link, through the proxy) reruns alongside. At the end the store, the CLI's CSV
export and the board page must all hold every row sent.

With --kill, one Streamlit process is killed (SIGKILL) halfway through. Its students find
their websocket gone, open the link again through nginx (a fresh browser: the proxy sends
them to a live process) and go on; a send whose answer was lost with the process is counted
apart (it may or may not have been stored). Every send that was answered "Sent" must be
in the store.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets  # noqa: E402

from bench import stclient  # noqa: E402
from bench.load import percentile  # noqa: E402
from deploy import classroom, procs  # noqa: E402
from gdviz import store  # noqa: E402
from gdviz.pages.classlink import SENT  # noqa: E402

SEND_KEY = "gdviz.descent.send"
REFRESH_S = 2.0                 # the board's fragment: gdviz/pages/classboard.py
ARRIVE_S = 8.0                  # the class arrives within this many seconds
PACE_S = 1.2                    # a student's sends: at least this long after the last answer


@dataclass
class Send:
    """One press of the send button, as the student saw it."""

    student: int
    lr: float
    clicked: float = 0.0        # monotonic time the click left the student
    answer: str = ""            # "sent", "refused: ...", or "lost" (the process died)
    answered: float = 0.0       # monotonic time the page's answer arrived
    visible: float | None = None   # when the board's reader first saw its row


@dataclass
class Result:
    students: int
    runs_each: int
    procs: int
    backend: str
    duration_s: float
    confirmed: int = 0          # answered "Sent"
    refused: int = 0            # answered with a limit or another refusal
    lost_in_flight: int = 0     # no answer: the process died with the send in it
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    stored_rows: int = 0
    csv_rows: int = 0
    board_rows: int | None = None
    confirmed_missing: int = 0  # answered "Sent" but not in the store: must be 0
    visible_p50_s: float = float("nan")
    visible_p95_s: float = float("nan")
    visible_max_s: float = float("nan")
    click_p95_s: float = float("nan")   # click → the page's answer
    killed_students: int = 0    # students whose process was killed (they reconnected)
    reconnects: int = 0
    board_reruns: int = 0
    board_errors: int = 0


def lr_of(student: int, run: int) -> float:
    """Every send's own η: 0.010, 0.012, … (600 values up to 1.208, on the widget's grid)."""
    return round(0.01 + 0.002 * (student * 10 + run), 3)


async def student(i: int, url: str, code: str, runs: int, t0: float, duration: float,
                  sends: list[Send], errors: list[str], kill_at: float | None,
                  counters: dict[str, int]) -> None:
    """Open the lesson link, then every ~duration/runs s set η and press send."""
    rng = random.Random(i)
    start = t0 + ARRIVE_S * i / 60
    gap = (duration - ARRIVE_S - 4) / runs
    await asyncio.sleep(max(0.0, start - time.monotonic()))
    s = await _open(url, code)
    was_killed = False
    last_answer = 0.0
    for j in range(runs):
        # on schedule, but never within PACE_S of this session's last answer: a student who
        # fell behind (a slow page, a reconnect) must still keep the one-a-second limit
        at = max(start + 2 + j * gap + rng.uniform(0, gap * 0.4), last_answer + PACE_S)
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        send = Send(i, lr_of(i, j))
        sends.append(send)
        for _attempt in range(3):
            try:
                await s.run(lr=send.lr)
                send.clicked = time.monotonic()
                result = await s.click(SEND_KEY)
            except (OSError, TimeoutError, websockets.ConnectionClosed) as exc:
                # the websocket died: reconnect as a new browser
                if kill_at is None or time.monotonic() < kill_at:
                    errors.append(f"student {i}: {type(exc).__name__}: {exc}"[:200])
                if send.clicked and not send.answer:
                    send.answer = "lost"    # its answer went down with the process
                    send = Send(i, send.lr)     # the student presses again, same η
                    sends.append(send)
                was_killed = True
                counters["reconnects"] += 1
                with contextlib.suppress(Exception):
                    await s.abort()
                s = await _open(url, code)
                continue
            _answer(send, result, errors, i)
            last_answer = send.answered
            break
    counters["killed"] += was_killed
    with contextlib.suppress(Exception):
        await s.close()


async def _open(url: str, code: str) -> stclient.Session:
    s = stclient.Session(url, "/", query=f"class={code}", timeout=60)
    await s.open()
    first = await s.run()
    if first.errors:
        raise RuntimeError(first.errors[0])
    return s


def _answer(send: Send, result: stclient.RunResult, errors: list[str], i: int) -> None:
    send.answered = time.monotonic()
    if result.errors:
        errors.append(f"student {i}: {result.errors[0]}")
    if SENT in result.alerts:
        send.answer = "sent"
    else:
        said = [a for a in result.alerts if not a.startswith("**")]   # not the verdict box
        send.answer = "refused: " + (said[0] if said else "no answer on the page")
        errors.append(f"student {i}: {send.answer}"[:200])


async def board_reader(db: store.Store, code: str, key: str, sends: list[Send],
                       stop: asyncio.Event, seen: dict[float, float]) -> None:
    """Read new rows every REFRESH_S s, as the board's fragment does; note when each η
    first shows."""
    last = 0
    while not stop.is_set():
        board = await asyncio.to_thread(db.read_board, code, key, last)
        now = time.monotonic()
        for r in board.received:
            seen.setdefault(r.submission.lr, now)
            last = r.id
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REFRESH_S)


async def board_page(url: str, code: str, key: str, stop: asyncio.Event,
                     counters: dict[str, int], errors: list[str]) -> int | None:
    """The teacher's board through the proxy, rerun every REFRESH_S s; returns the runs it
    shows at the end (read from its "N students · M runs" line)."""
    query = f"code={code}&key={key}"
    shown = None
    s = None
    while True:
        try:
            if s is None:
                s = stclient.Session(url, "/class", query=query, timeout=60)
                await s.open()
            result = await s.run()
            counters["board_reruns"] += 1
            shown = _runs_shown(result.texts) if result.texts else shown
            if result.errors:
                counters["board_errors"] += 1
                errors.append(f"board: {result.errors[0]}"[:200])
        except Exception as exc:    # its process was killed: open the board again
            counters["board_errors"] += 1
            errors.append(f"board: {type(exc).__name__}: {exc}"[:200])
            s = None
        if stop.is_set():
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REFRESH_S)
    if s is not None:
        result = await s.run()
        shown = _runs_shown(result.texts)
        await s.close()
    return shown


def _runs_shown(texts: list[str]) -> int | None:
    for t in texts:
        if " runs · " in t:
            return int(t.split(" runs · ")[0].rsplit(" ", 1)[-1])
    return None


async def run_class(room: classroom.Classroom, db: store.Store, students: int, runs: int,
                    duration: float, kill: bool) -> tuple[list[Send], Result, str, str]:
    made = db.create_class(2)
    for server in room.servers:     # every process imports the app before the class comes
        warm = stclient.Session(server.url, "/")
        await warm.open()
        await warm.run()
        await warm.close()
    sends: list[Send] = []
    errors: list[str] = []
    seen: dict[float, float] = {}
    counters = {"reconnects": 0, "killed": 0, "board_reruns": 0, "board_errors": 0}
    stop = asyncio.Event()
    t0 = time.monotonic()
    kill_at = t0 + duration / 2 if kill else None
    reader = asyncio.create_task(board_reader(db, made.code, made.teacher_key, sends, stop,
                                              seen))
    board = asyncio.create_task(board_page(room.url, made.code, made.teacher_key, stop,
                                           counters, errors))
    tasks = [asyncio.create_task(student(i, room.url, made.code, runs, t0, duration, sends,
                                         errors, kill_at, counters))
             for i in range(students)]
    if kill_at is not None:
        await asyncio.sleep(kill_at - time.monotonic())
        victim = room.servers[0]
        os.killpg(victim.proc.pid, signal.SIGKILL)
    await asyncio.gather(*tasks)
    await asyncio.sleep(REFRESH_S + 0.5)      # one more board refresh after the last send
    stop.set()
    await reader
    board_rows = await board
    elapsed = time.monotonic() - t0
    for send in sends:
        send.visible = seen.get(send.lr)
    result = Result(students, runs, len(room.servers), db.backend, round(elapsed, 1),
                    board_rows=board_rows, **{k: counters[k] for k in
                                              ("reconnects", "board_reruns", "board_errors")})
    result.killed_students = counters["killed"]
    result.errors = len(errors)
    result.error_samples = errors[:5]
    return sends, result, made.code, made.teacher_key


def summarise(sends: list[Send], result: Result, db: store.Store, code: str,
              key: str) -> Result:
    stored = {r.submission.lr for r in db.read_board(code, key).received}
    result.stored_rows = len(db.read_board(code, key).received)
    confirmed = [s for s in sends if s.answer == "sent"]
    result.confirmed = len(confirmed)
    result.refused = sum(s.answer.startswith("refused") for s in sends)
    result.lost_in_flight = sum(s.answer == "lost" for s in sends)
    result.confirmed_missing = sum(s.lr not in stored for s in confirmed)
    lags = [s.visible - s.clicked for s in confirmed if s.visible is not None]
    result.visible_p50_s = round(percentile(lags, 50), 2)
    result.visible_p95_s = round(percentile(lags, 95), 2)
    result.visible_max_s = round(max(lags, default=float("nan")), 2)
    result.click_p95_s = round(percentile([s.answered - s.clicked for s in confirmed], 95), 2)
    result.csv_rows = csv_rows(code, key)
    return result


def csv_rows(code: str, key: str) -> int:
    """Rows in `python -m gdviz class export` (the header not counted)."""
    done = subprocess.run([sys.executable, "-m", "gdviz", "class", "export", code],
                          cwd=procs.REPO, capture_output=True, text=True, timeout=120,
                          env=os.environ | {"GDVIZ_TEACHER_KEY": key})
    if done.returncode != 0:
        raise RuntimeError(f"export failed: {done.stderr.strip()}")
    return len(done.stdout.strip().splitlines()) - 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=60)
    ap.add_argument("--runs", type=int, default=10, help="sends per student")
    ap.add_argument("--procs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds the class lasts")
    ap.add_argument("--kill", action="store_true", help="kill one process halfway")
    ap.add_argument("--database-url", default="",
                    help="postgresql://… , or auto for a throwaway PostgreSQL cluster "
                         "(default: SQLite in a temporary GDVIZ_DATA_DIR)")
    args = ap.parse_args(argv)
    if not (1 <= args.students <= 120 and 1 <= args.runs <= 20 and args.duration <= 300):
        ap.error("keep it bounded: 1–120 students, 1–20 runs, at most 300 s")
    with contextlib.ExitStack() as stack:
        url = args.database_url
        if url == "auto":
            url = stack.enter_context(procs.postgres_cluster())
        if url:
            os.environ["GDVIZ_DATABASE_URL"] = url      # the servers inherit it
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="gdviz-class-"))
            os.environ.pop("GDVIZ_DATABASE_URL", None)
            os.environ["GDVIZ_DATA_DIR"] = folder
        db = store.open_store()
        stack.callback(db.dispose)
        room = stack.enter_context(classroom.classroom(procs.GDVIZ_APP, args.procs))
        sends, result, code, key = asyncio.run(run_class(room, db, args.students, args.runs,
                                                         args.duration, args.kill))
        result = summarise(sends, result, db, code, key)
    print(json.dumps(asdict(result), indent=2))
    expected = args.students * args.runs
    ok = result.confirmed_missing == 0 and result.csv_rows == result.stored_rows
    if args.kill:
        ok = ok and result.confirmed + result.lost_in_flight >= expected
    else:
        ok = (ok and result.errors == 0 and result.stored_rows == expected
              and result.board_rows == expected and result.visible_p95_s <= 3.0)
    print("PASS" if ok else "FAIL", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
