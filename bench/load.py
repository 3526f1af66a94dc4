"""Load-test a Streamlit app with real sessions: a class arrives, then each student keeps
changing a control. Drives the websocket protocol (bench/stclient.py), so every rerun is a real
script run on the server.

    python bench/load.py --app baseline --students 30                  # one process
    python bench/load.py --app gdviz --students 60 --procs 3           # behind nginx
    python bench/load.py --url http://127.0.0.1:8501 --students 60     # a running server

Everything runs on 127.0.0.1, bounded in students and seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stclient  # noqa: E402
from deploy import procs  # noqa: E402

DEFAULT_VALUES = tuple(round(0.05 * k, 2) for k in range(1, 20))   # lr 0.05 … 0.95


@dataclass
class ClassResult:
    """What a class of `students` experienced, and what it cost the server."""

    students: int
    procs: int
    duration: float
    reruns: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    rerun_p50: float = float("nan")
    rerun_p95: float = float("nan")
    rerun_max: float = float("nan")
    load_p50: float = float("nan")
    load_p95: float = float("nan")
    reruns_per_s: float = 0.0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    rss_per_session_mb: float = float("nan")
    tester_cpu: float = 0.0   # CPU share this load tester itself used (it shares the machine)
    sticky_ok: bool | None = None
    spread: list[int] = field(default_factory=list)   # sessions per process, behind the proxy


def percentile(xs: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation; NaN for no data."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = (len(s) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


@dataclass
class _Tally:
    reruns: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished: int = 0      # students done clicking (or failed)


def chart_assets(app: Path) -> list[str]:
    """What a browser with an empty cache fetches to draw the app's chart: gdviz's chart
    loads the plotly package's plotly.js from the app's static folder (gzipped by Streamlit
    on every request), st.plotly_chart loads Streamlit's own Plotly bundle (served as is)."""
    if app.resolve() == procs.GDVIZ_APP.resolve():
        from gdviz.pages import chart
        return [f"/app/static/{chart.BUNDLE}"]
    import streamlit
    bundles = Path(streamlit.__file__).parent / "static" / "static" / "js"
    return [f"/static/js/{p.name}" for p in sorted(bundles.glob("PlotlyChart.*.js"))]


async def student(i: int, url: str, path: str, key: str, values: Sequence[float],
                  start_at: float, end_at: float, interval: float, tally: _Tally,
                  hold: asyncio.Event, rng: random.Random, assets: Sequence[str] = ()) -> None:
    """One student: open the page at `start_at` (fetching `assets` like a browser with an
    empty cache), then change `key` every ~`interval` s."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    s = stclient.Session(url, path, assets=assets)
    try:
        await s.open()
        first = await s.run()
        tally.loads.append(first.latency)
        tally.errors += first.errors
        while True:
            # Students are not metronomes: ±40 % jitter spreads their clicks.
            wait = interval * rng.uniform(0.6, 1.4)
            if time.monotonic() + wait >= end_at:
                break
            await asyncio.sleep(wait)
            r = await s.run(**{key: rng.choice(values)})
            tally.reruns.append(r.latency)
            tally.errors += r.errors
        tally.finished += 1
        await hold.wait()   # stay connected until the server's memory has been read
    except Exception as exc:  # a failed student is a finding, not a crash of the tester
        tally.errors.append(f"student {i}: {type(exc).__name__}: {exc}"[:300])
        tally.finished += 1
    finally:
        try:
            await s.close()
        except Exception:   # closing a broken socket may fail again; it is already counted
            pass


async def run_class(url: str, pids: list[int], students: int, path: str = "/",
                    key: str = "lr", values: Sequence[float] = DEFAULT_VALUES,
                    arrive: float = 10.0, duration: float = 60.0, interval: float = 5.0,
                    seed: int = 0, warm_urls: Sequence[str] = (),
                    assets: Sequence[str] = ()) -> ClassResult:
    """A class of `students` arriving within `arrive` s, each changing `key` for `duration` s.

    `assets`: files each student fetches on arrival besides the page (see chart_assets).
    `warm_urls`: each server process directly (behind a proxy), so that every process has
    imported the app before memory is read.
    """
    for u in warm_urls or [url]:
        await _warm_up(u, path)
    rss0 = sum(procs.rss_bytes(p) for p in pids)
    cpu0 = time.process_time()
    tally = _Tally()
    t0 = time.monotonic()
    end_at = t0 + arrive + duration
    hold = asyncio.Event()
    tasks = []
    for i in range(students):
        start_at = t0 + arrive * i / max(1, students)
        tasks.append(asyncio.create_task(student(
            i, url, path, key, values, start_at, end_at, interval, tally,
            hold, random.Random(seed * 1000 + i), assets)))
    # Wait until every student has finished clicking (each then waits on `hold`).
    while tally.finished < students and time.monotonic() < end_at + 4 * interval:
        await asyncio.sleep(0.2)
    rss1 = sum(procs.rss_bytes(p) for p in pids)
    hold.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 120)
    elapsed = time.monotonic() - t0
    result = _summarise(tally, students, len(pids), elapsed, duration, rss0, rss1)
    result.tester_cpu = (time.process_time() - cpu0) / elapsed
    return result


async def _warm_up(url: str, path: str) -> None:
    """One session first, so imports and caches do not count as per-student memory."""
    s = stclient.Session(url, path)
    await s.open()
    try:
        await s.run()
    finally:
        await s.close()


def _summarise(t: _Tally, students: int, nprocs: int, elapsed: float, duration: float,
               rss0: int, rss1: int) -> ClassResult:
    mb = 1024 * 1024
    return ClassResult(
        students=students, procs=nprocs, duration=round(elapsed, 1), reruns=len(t.reruns),
        errors=len(t.errors), error_samples=t.errors[:5],
        rerun_p50=percentile(t.reruns, 50), rerun_p95=percentile(t.reruns, 95),
        rerun_max=max(t.reruns, default=float("nan")),
        load_p50=percentile(t.loads, 50), load_p95=percentile(t.loads, 95),
        reruns_per_s=len(t.reruns) / duration,
        rss_before_mb=rss0 / mb, rss_after_mb=rss1 / mb,
        rss_per_session_mb=(rss1 - rss0) / mb / max(1, students))


async def saturate(url: str, path: str = "/", key: str = "lr",
                   values: Sequence[float] = DEFAULT_VALUES, concurrency: int = 8,
                   seconds: float = 10.0, seed: int = 1) -> float:
    """Reruns per second when `concurrency` sessions rerun back to back (the ceiling)."""
    rng = random.Random(seed)
    sessions = [stclient.Session(url, path) for _ in range(concurrency)]
    done = 0
    try:
        for s in sessions:
            await s.open()
            await s.run()
        stop_at = time.monotonic() + seconds

        async def loop(s: stclient.Session) -> None:
            nonlocal done
            while time.monotonic() < stop_at:
                await s.run(**{key: rng.choice(values)})
                done += 1

        t0 = time.monotonic()
        await asyncio.gather(*(loop(s) for s in sessions))
        return done / (time.monotonic() - t0)
    finally:
        for s in sessions:
            await s.close()


def load_test(app: Path, students: int, nprocs: int = 1, **kw) -> ClassResult:
    """Start the server(s) (nginx in front when nprocs > 1), run a class, stop everything."""
    kw.setdefault("assets", chart_assets(app))
    if nprocs <= 1:
        with procs.serving(app) as server:
            return asyncio.run(run_class(server.url, [server.pid], students, **kw))
    from deploy import classroom
    with classroom.classroom(app, nprocs, log_routes=True) as room:
        warm = [s.url for s in room.servers]
        result = asyncio.run(run_class(room.url, room.pids(), students, warm_urls=warm, **kw))
        _check_sticky(room, result)
        return result


def _check_sticky(room, result: ClassResult) -> None:
    """Each student's requests all reached one process; and how the students spread."""
    from deploy import classroom
    time.sleep(0.5)   # nginx writes a websocket's log line when it closes
    entries = classroom.routes(room)
    result.sticky_ok = classroom.sticky(entries)
    # The warm-up sessions went to each process directly, not through the proxy.
    result.spread = sorted(classroom.sessions_per_process(entries).values(), reverse=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", default="gdviz", help="baseline, gdviz, or a script path")
    ap.add_argument("--url", help="test a server that is already running instead")
    ap.add_argument("--pid", type=int, action="append", default=[],
                    help="with --url: server pids whose memory to watch")
    ap.add_argument("--path", default="/")
    ap.add_argument("--key", default="lr", help="the widget key each student changes")
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--procs", type=int, default=1, help=">1: that many behind nginx")
    ap.add_argument("--arrive", type=float, default=10.0)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--interval", type=float, default=5.0)
    args = ap.parse_args(argv)
    if not 1 <= args.students <= 200 or args.duration > 600:
        ap.error("keep it bounded: 1–200 students, at most 600 s")
    kw = dict(path=args.path, key=args.key, arrive=args.arrive, duration=args.duration,
              interval=args.interval)
    if args.url:
        result = asyncio.run(run_class(args.url, args.pid, args.students, **kw))
    else:
        result = load_test(procs.resolve_app(args.app), args.students, args.procs, **kw)
    print(json.dumps(asdict(result), indent=2))
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
