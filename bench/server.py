"""Server-side script run time per page, through the real websocket protocol.

    cold:        the first run in a freshly started process (imports, empty caches)
    new session: the first run of a second session (process warm, session state empty)
    rerun:       the same session rerunning with unchanged settings (what caching can skip)
    changed:     the same session after a control change (a new value each time)

Times are send → `script_finished` on loopback, so they include Streamlit's own overhead
(serialising deltas), which is what a student waits for.

    python bench/server.py --app gdviz --path /neuron
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stclient  # noqa: E402
from bench.load import percentile  # noqa: E402
from deploy import procs  # noqa: E402


@dataclass
class ScriptTimes:
    """Script run times for one page, in milliseconds, and bytes of one full run."""

    app: str
    path: str
    cold_ms: float = float("nan")
    new_session_ms: float = float("nan")
    rerun_ms: float = float("nan")
    changed_ms: float = float("nan")
    run_bytes: int = 0
    error: str = ""


async def time_page(url: str, path: str, key: str, values: list[float],
                    repeats: int) -> ScriptTimes:
    """Measure one page on a server that has not run it yet."""
    t = ScriptTimes(app="", path=path)
    first = stclient.Session(url, path)
    await first.open()
    try:
        r = await first.run()
        t.cold_ms, t.run_bytes = r.latency * 1000, r.bytes_in
        _raise_on(r)
    finally:
        await first.close()
    s = stclient.Session(url, path)
    await s.open()
    try:
        r = await s.run()
        t.new_session_ms = r.latency * 1000
        same = [(await s.run()).latency * 1000 for _ in range(repeats)]
        changed = []
        for v in values[:repeats]:
            r = await s.run(**{key: v})
            _raise_on(r)
            changed.append(r.latency * 1000)
        t.rerun_ms, t.changed_ms = percentile(same, 50), percentile(changed, 50)
    finally:
        await s.close()
    return t


def _raise_on(r: stclient.RunResult) -> None:
    if not r.ok:
        raise RuntimeError("; ".join(r.errors))


def measure(app_name: str, path: str, key: str = "lr", repeats: int = 5) -> ScriptTimes:
    """Start a fresh server for `app_name`, time `path`, stop the server."""
    values = [round(0.13 + 0.07 * k, 2) for k in range(repeats)]
    with procs.serving(procs.resolve_app(app_name)) as server:
        try:
            t = asyncio.run(time_page(server.url, path, key, values, repeats))
        except Exception as exc:   # one broken page must not hide the others' numbers
            t = ScriptTimes(app=app_name, path=path, error=f"{type(exc).__name__}: {exc}"[:300])
    t.app = app_name
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", default="gdviz")
    ap.add_argument("--path", default="/")
    ap.add_argument("--key", default="lr")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    t = measure(args.app, args.path, args.key, args.repeats)
    print(json.dumps(asdict(t), indent=2))
    return 0 if not t.error else 1


if __name__ == "__main__":
    raise SystemExit(main())
