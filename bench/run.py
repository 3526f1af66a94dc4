"""gdviz's benchmark in one command: every figure beside the framework floor, in one run.

    python bench/run.py            # full run, ~12 min: prints the table, writes
                                   # bench/results/latest.md (and .json beside it)
    python bench/run.py --smoke    # < 2 min, tiny sizes: proves the benchmark still works
                                   # (CI runs it through tests/test_bench_smoke.py)

The machine is shared and noisy, so absolute numbers drift; ratios against
../shared/bench/baseline_app.py, measured minutes apart by the same code, are what hold.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import browser, core, load, server  # noqa: E402
from deploy import procs  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Plan:
    """How much to measure: the full run or the smoke run."""

    name: str
    pages: list[str]
    server_repeats: int
    changes: int
    loads: int
    play_seconds: float
    classes: list[tuple[str, int, int]]   # (app, students, processes)
    arrive: float
    duration: float
    interval: float
    saturate_seconds: float
    saturate_sessions: int


FULL = Plan("full", ["/", "/neuron"], server_repeats=5, changes=15, loads=3, play_seconds=3.0,
            classes=[("baseline", 60, 1), ("gdviz", 30, 1), ("gdviz", 60, 1),
                     ("gdviz", 30, 3), ("gdviz", 60, 3)],
            arrive=10.0, duration=60.0, interval=5.0, saturate_seconds=10.0,
            saturate_sessions=8)
SMOKE = Plan("smoke", ["/"], server_repeats=2, changes=3, loads=1, play_seconds=1.0,
             classes=[("gdviz", 3, 1), ("gdviz", 3, 2)],
             arrive=1.0, duration=6.0, interval=2.0, saturate_seconds=2.0, saturate_sessions=2)


@dataclass
class Report:
    """Everything one run measured."""

    plan: str
    when: str
    machine: dict
    core: list[dict] = field(default_factory=list)
    server: list[dict] = field(default_factory=list)
    browser: list[dict] = field(default_factory=list)
    capacity: list[dict] = field(default_factory=list)
    saturation: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- the run ------------------------------------------------------------------------------
def machine() -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gb = int(f.readline().split()[1]) / 1024 / 1024
    import streamlit
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gb": round(mem_gb, 1),
            "python": platform.python_version(), "streamlit": streamlit.__version__,
            "chromium": _chromium_version(), "load_avg": os.getloadavg()[0]}


def _chromium_version() -> str:
    try:
        out = subprocess.run([browser.CHROMIUM, "--version"], capture_output=True, text=True,
                             timeout=20).stdout.strip()
        return out or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"


def targets(plan: Plan) -> list[tuple[str, str]]:
    """(app, page) pairs to measure: the floor first, then each gdviz page that exists."""
    pairs = [("baseline", "/")]
    if procs.GDVIZ_APP.exists():
        pairs += [("gdviz", p) for p in plan.pages]
    return pairs


def run_browser(plan: Plan, report: Report) -> None:
    """All browser figures; one Chromium, one server per app, pages back to back."""
    from playwright.sync_api import sync_playwright
    values = browser.lr_values(plan.changes)
    with sync_playwright() as p:
        chromium = browser.launch(p)
        try:
            for app in dict.fromkeys(a for a, _ in targets(plan)):
                with procs.serving(procs.resolve_app(app)) as srv:
                    for a, page in targets(plan):
                        if a == app:
                            _log(f"browser: {app} {page}")
                            r = browser.measure_page(chromium, srv.url, app, page, "lr", values,
                                                     plan.loads, plan.play_seconds)
                            report.browser.append(r.summary())
        finally:
            chromium.close()


def run_server(plan: Plan, report: Report) -> None:
    """Script run times, each page on a freshly started server (so 'cold' is cold)."""
    for app, page in targets(plan):
        _log(f"server: {app} {page}")
        report.server.append(asdict(server.measure(app, page, "lr", plan.server_repeats)))


def run_capacity(plan: Plan, report: Report) -> None:
    """Classes of students, one process and behind the proxy; then the saturation ceiling."""
    have_gdviz = procs.GDVIZ_APP.exists()
    for app, students, nprocs in plan.classes:
        if app == "gdviz" and not have_gdviz:
            report.notes.append(f"capacity {app} ×{students}: app.py not yet available")
            continue
        _log(f"capacity: {app}, {students} students, {nprocs} process(es)")
        r = load.load_test(procs.resolve_app(app), students, nprocs, arrive=plan.arrive,
                           duration=plan.duration, interval=plan.interval)
        report.capacity.append({"app": app, **asdict(r)})
    for app, nprocs in [("baseline", 1)] + ([("gdviz", 1), ("gdviz", 3)] if have_gdviz else []):
        if plan.name == "smoke" and app == "baseline":
            continue
        _log(f"saturation: {app}, {nprocs} process(es)")
        report.saturation.append({"app": app, "procs": nprocs,
                                  "reruns_per_s": _saturate(app, nprocs, plan)})


def _saturate(app: str, nprocs: int, plan: Plan) -> float:
    kw = dict(concurrency=plan.saturate_sessions * max(1, nprocs),
              seconds=plan.saturate_seconds)
    if nprocs == 1:
        with procs.serving(procs.resolve_app(app)) as srv:
            return asyncio.run(load.saturate(srv.url, **kw))
    from deploy import classroom
    with classroom.classroom(procs.resolve_app(app), nprocs) as room:
        return asyncio.run(load.saturate(room.url, **kw))


def _log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# -- the table ----------------------------------------------------------------------------
def fmt(x: float | None, digits: int = 0, scale: float = 1.0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x * scale:,.{digits}f}"


def ratio(x: float | None, base: float | None) -> str:
    if not x or not base or math.isnan(x) or math.isnan(base):
        return "–"
    return f"{x / base:.2f}×"


def browser_table(rows: list[dict]) -> list[str]:
    base = next((r for r in rows if r["app"] == "baseline"), None)
    others = [r for r in rows if r["app"] != "baseline"]
    head = "| figure | floor |" + "".join(f" gdviz `{r['path']}` | ratio |" for r in others)
    lines = [head, "|---|---:|" + "---:|---:|" * len(others)]
    specs = [("page load, median (s)", "load_median", 2, 1.0),
             ("websocket bytes on load (KB)", "load_bytes", 0, 1 / 1024),
             ("keystroke → chart redrawn, median (ms)", "latency_p50", 0, 1.0),
             ("keystroke → chart redrawn, p95 (ms)", "latency_p95", 0, 1.0),
             ("keystroke → all charts settled, median (ms)", "latency_all_p50", 0, 1.0),
             ("keystroke → all charts settled, p95 (ms)", "latency_all_p95", 0, 1.0),
             ("websocket bytes per interaction, median (KB)", "interaction_bytes_median", 0,
              1 / 1024),
             ("messages sent while the animation plays", "anim_sent", 0, 1.0),
             ("animation frames drawn meanwhile", "anim_frames", 0, 1.0)]
    for label, key, digits, scale in specs:
        b = base.get(key) if base else None
        counts = key in ("anim_sent", "anim_frames")   # counts, not costs: no ratio
        cells = "".join(f" {fmt(r.get(key), digits, scale)} | "
                        f"{'' if counts else ratio(r.get(key), b)} |" for r in others)
        lines.append(f"| {label} | {fmt(b, digits, scale)} |{cells}")
    for r in rows:
        if r["errors"]:
            lines.append(f"\n⚠ {r['app']} {r['path']}: {'; '.join(r['errors'])[:300]}")
    return lines


def server_table(rows: list[dict]) -> list[str]:
    lines = ["| app | page | cold (ms) | new session (ms) | rerun, same settings (ms) | "
             "rerun, new value (ms) | bytes per run (KB) |", "|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['app']} | `{r['path']}` | {fmt(r['cold_ms'])} | "
                     f"{fmt(r['new_session_ms'])} | {fmt(r['rerun_ms'])} | "
                     f"{fmt(r['changed_ms'])} | {fmt(r['run_bytes'], 0, 1 / 1024)} |"
                     + (f" ⚠ {r['error']}" if r["error"] else ""))
    return lines


def core_table(rows: list[dict]) -> list[str]:
    lines = ["| core | best time | note |", "|---|---:|---|"]
    for r in rows:
        t = r["seconds"]
        shown = ("–" if math.isnan(t) else f"{t * 1e6:.0f} µs" if t < 1e-3
                 else f"{t * 1e3:.1f} ms" if t < 0.1 else f"{t:.3f} s")
        note = r["note"] or ("budget ≤ 0.3 s" if "training" in r["name"] and "10,000" in r["name"]
                             else "")
        lines.append(f"| {r['name']} | {shown} | {note} |")
    return lines


def capacity_table(rows: list[dict], sat: list[dict]) -> list[str]:
    lines = ["| app | students | processes | errors | rerun p50 (s) | rerun p95 (s) | "
             "rerun max (s) | page load p95 (s) | reruns/s served | server MB per session | "
             "sticky | sessions per process | tester CPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    for r in rows:
        via = f"{r['procs']} + nginx" if r["procs"] > 1 else "1"
        sticky = "" if r["sticky_ok"] is None else ("yes" if r["sticky_ok"] else "**NO**")
        lines.append(
            f"| {r['app']} | {r['students']} | {via} | {r['errors']} | {fmt(r['rerun_p50'], 2)} "
            f"| {fmt(r['rerun_p95'], 2)} | {fmt(r['rerun_max'], 2)} | {fmt(r['load_p95'], 2)} | "
            f"{fmt(r['reruns_per_s'], 1)} | {fmt(r['rss_per_session_mb'], 2)} | {sticky} | "
            f"{'/'.join(map(str, r['spread']))} | {fmt(r.get('tester_cpu'), 0, 100)} % |")
    errs = [f"⚠ {r['app']} ×{r['students']}: {'; '.join(r['error_samples'])[:300]}"
            for r in rows if r["errors"]]
    lines += [""] + errs if errs else []
    if sat:
        lines += ["", "| app | processes | reruns/s at saturation (8 sessions per process "
                  "rerunning back to back) |",
                  "|---|---:|---:|"]
        lines += [f"| {s['app']} | {s['procs']} | {fmt(s['reruns_per_s'], 1)} |" for s in sat]
    return lines


def markdown(rep: Report) -> str:
    m = rep.machine
    out = [f"## Benchmark ({rep.plan} run, {rep.when})", "",
           f"Machine: {m['nproc']} × {m['cpu']}, {m['mem_gb']} GB RAM, load average "
           f"{m['load_avg']:.1f} at start; Python {m['python']}, Streamlit {m['streamlit']}, "
           f"{m['chromium']} (headless). Floor = `../shared/bench/baseline_app.py`; "
           "ratio = gdviz ÷ floor, same run.", "",
           "### In the browser", ""]
    out += browser_table(rep.browser)
    out += ["", "### Script runs on the server (websocket send → script finished)", ""]
    out += server_table(rep.server)
    out += ["", "### Cores", ""] + core_table(rep.core)
    out += ["", f"### A class on one machine ({_class_words(rep)})", ""]
    out += capacity_table(rep.capacity, rep.saturation)
    if rep.notes:
        out += [""] + [f"- {n}" for n in rep.notes]
    return "\n".join(out) + "\n"


def _class_words(rep: Report) -> str:
    plan = SMOKE if rep.plan == "smoke" else FULL
    return (f"students arrive within {plan.arrive:g} s, then each changes the learning rate "
            f"every ~{plan.interval:g} s for {plan.duration:g} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--smoke", action="store_true", help="tiny sizes (< 2 min), for CI")
    ap.add_argument("--out", type=Path, help="markdown file (default bench/results/latest.md; "
                    "smoke: a temp file, so a smoke run never touches the committed table)")
    ap.add_argument("--skip", action="append", default=[],
                    choices=["core", "server", "browser", "capacity"])
    args = ap.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    rep = Report(plan=plan.name, when=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                 machine=machine())
    if not procs.GDVIZ_APP.exists():
        rep.notes.append("app.py not yet available: only the floor was measured")
    t0 = time.monotonic()
    if "core" not in args.skip:
        _log("core")
        rep.core = [asdict(r) for r in core.measure(smoke=args.smoke)]
    if "server" not in args.skip:
        run_server(plan, rep)
    if "browser" not in args.skip:
        run_browser(plan, rep)
    if "capacity" not in args.skip:
        run_capacity(plan, rep)
    rep.notes.append(f"benchmark took {time.monotonic() - t0:.0f} s")
    text = markdown(rep)
    out = args.out or (Path(tempfile.gettempdir()) / "gdviz-bench-smoke.md" if args.smoke
                       else RESULTS / "latest.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    out.with_suffix(".json").write_text(json.dumps(asdict(rep), indent=2, default=str))
    print(text)
    _log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
