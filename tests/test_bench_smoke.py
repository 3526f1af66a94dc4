"""The benchmark still runs end to end (`python bench/run.py --smoke`), so it cannot rot.

No time is asserted: the machine is shared and only ratios in a full run mean anything. What
is asserted is that every part produced its figures, that playback sent nothing, and that the
classroom proxy kept each student on one process.
"""
from __future__ import annotations

import concurrent.futures
import json
import subprocess
import sys

import pytest

from bench import run
from deploy import classroom, procs

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "smoke.md"
    done = subprocess.run([sys.executable, "bench/run.py", "--smoke", "--out", str(out)],
                          cwd=procs.REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"md": out.read_text(), **json.loads(out.with_suffix(".json").read_text())}


def test_the_table_has_every_section(smoke):
    for heading in ("In the browser", "Script runs on the server", "Cores", "A class on one"):
        assert heading in smoke["md"]
    assert "| keystroke → chart redrawn, median (ms) |" in smoke["md"]


def test_the_browser_measured_floor_and_gdviz(smoke):
    apps = {(r["app"], r["path"]) for r in smoke["browser"]}
    assert ("baseline", "/") in apps and ("gdviz", "/") in apps
    for r in smoke["browser"]:
        assert not r["errors"], r["errors"]
        assert r["load_s"] and r["latencies_ms"] and r["interaction_bytes"]
        assert r["anim_sent"] == 0, "playback must not talk to the server"
        assert r["anim_frames"] > 0, "the animation did not play"


def test_server_and_core_figures_exist(smoke):
    assert all(not r["error"] for r in smoke["server"]), smoke["server"]
    assert any(r["name"].startswith("descent") and r["seconds"] > 0 for r in smoke["core"])


def test_the_classroom_runs_without_errors_and_sessions_stick(smoke):
    assert smoke["capacity"], "no class was simulated"
    for r in smoke["capacity"]:
        assert r["errors"] == 0, r["error_samples"]
        assert r["reruns"] > 0
        if r["procs"] > 1:
            assert r["sticky_ok"], "a student's requests reached two processes"
    assert all(s["reruns_per_s"] > 0 for s in smoke["saturation"])


def test_the_nginx_config_names_every_process():
    text = classroom.render_config("127.0.0.1:8501", [8601, 8602, 8603], procs.REPO / "x")
    assert text.count("server 127.0.0.1:86") == 3
    assert text.count('"127.0.0.1:8602" 127.0.0.1:8602;') == 1     # the route whitelist
    assert "@@" not in text and "least_conn" in text
    assert "proxy_set_header Upgrade $http_upgrade" in text


def test_the_markdown_table_survives_missing_figures():
    rep = run.Report(plan="smoke", when="now", machine={
        "nproc": 2, "cpu": "x", "mem_gb": 1, "load_avg": 0.0, "python": "3", "streamlit": "1",
        "chromium": "c"})
    assert "A class on one machine" in run.markdown(rep)


def test_the_proxy_routes_by_cookie_and_ignores_forged_ones():
    import urllib.request

    def route(url: str, cookie: str) -> str:
        req = urllib.request.Request(url + "/_stcore/health",
                                     headers={"Cookie": cookie} if cookie else {})
        with urllib.request.urlopen(req, timeout=10) as r:
            sent = [h for h in r.headers.get_all("Set-Cookie") if h.startswith("gdviz_route=")]
        return sent[0].split(";")[0].split("=", 1)[1]

    with classroom.classroom(procs.BASELINE_APP, 2) as room:
        addresses = {s.url.removeprefix("http://") for s in room.servers}
        first = route(room.url, "")
        assert first in addresses                     # a new browser gets a real process
        for a in addresses:                           # a returning browser stays put
            assert route(room.url, f"gdviz_route={a}") == a
        for forged in ("10.0.0.1:80", "127.0.0.1:22", "x;y"):
            assert route(room.url, f"gdviz_route={forged}") in addresses


def test_draw_benchmark_times_both_figures_every_way():
    from bench import draw
    # A thread of its own: once a browser test has run, Playwright's sync API keeps an event
    # loop in the main thread (the session's browser fixture), and a second one refuses to
    # start there.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        rows = pool.submit(draw.measure, draws=1).result()
    assert {(r["figure"], r["variant"]) for r in rows} == {
        (f, v) for f in ("descent `/`", "neuron `/neuron`")
        for v in ("Plotly.react in place", "remount (st.plotly_chart)",
                  "Plotly.react, plotly's default template",
                  "gdviz's chart (moves only what moved)")}
    assert all(r["median_ms"] > 0 and r["kb"] > 0 for r in rows)
