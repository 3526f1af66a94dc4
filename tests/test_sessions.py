"""Sessions are isolated and robust, checked with real Streamlit sessions over the websocket.

A "fingerprint" is a digest of every element a script run drew, in order; the pages are
deterministic, so equal settings must give equal fingerprints in any session, at any time.
These tests drive `streamlit run app.py` through bench/stclient.py (the real protocol).
"""
from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from bench import stclient
from deploy import procs

A, B = 0.1, 0.5           # two students' learning rates
TIMEOUT = 60.0            # generous: the machine is shared; this is not a timing test


@pytest.fixture(scope="module")
def server():
    """One real gdviz server for this module, always stopped afterwards."""
    if not procs.GDVIZ_APP.exists():
        pytest.fail("app.py is missing")
    with procs.serving(procs.GDVIZ_APP) as srv:
        yield srv


def run(coro):
    # A thread of its own: Playwright's sync API (the browser tests) keeps an event loop
    # running in the main thread, and asyncio.run refuses to start inside one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, 240)).result()


async def opened(url: str, path: str = "/") -> stclient.Session:
    s = stclient.Session(url, path, timeout=TIMEOUT)
    await s.open()
    first = await s.run()
    assert first.ok, first.errors
    return s


async def reference(url: str, path: str, values: list[float]) -> dict[float, str]:
    """What each learning rate draws, from a session of its own."""
    s = await opened(url, path)
    try:
        return {v: (await s.run(lr=v)).fingerprint for v in values}
    finally:
        await s.close()


def test_two_students_with_different_settings_never_see_each_others_values(server):
    async def scenario():
        ref = await reference(server.url, "/", [A, B])
        assert ref[A] != ref[B], "the page must draw something that depends on lr"
        s1, s2 = await opened(server.url), await opened(server.url)
        try:
            for i in range(8):
                # Concurrent reruns; halfway through they swap values, so each session has
                # held each value while the other held the other one.
                v1, v2 = (A, B) if i % 2 == 0 else (B, A)
                r1, r2 = await asyncio.gather(s1.run(lr=v1), s2.run(lr=v2))
                assert r1.ok and r2.ok, r1.errors + r2.errors
                assert r1.fingerprint == ref[v1], f"session 1 (lr={v1}) drew something else"
                assert r2.fingerprint == ref[v2], f"session 2 (lr={v2}) drew something else"
        finally:
            await s1.close()
            await s2.close()
    run(scenario())


def test_a_session_that_disconnects_mid_run_does_not_hurt_another(server):
    async def scenario():
        ref = await reference(server.url, "/", [A, B])
        other = await opened(server.url)
        try:
            for i in range(5):
                # A student starts a (heavier) neuron run and closes the laptop mid-run.
                leaver = await opened(server.url, "/neuron")
                leaver.values[leaver.widget("lr").id] = 0.3 + 0.1 * i
                await leaver.send_rerun()
                await asyncio.sleep(0.02 * i)     # cut at different points of the run
                await leaver.abort()
                v = A if i % 2 == 0 else B
                r = await other.run(lr=v)
                assert r.ok and r.fingerprint == ref[v], r.errors
            newcomer = await opened(server.url)    # the server still takes new students
            await newcomer.close()
        finally:
            await other.close()
        procs.wait_healthy(server.url, 10)
    run(scenario())


def test_a_rerun_storm_from_one_client_does_not_hurt_another(server):
    async def scenario():
        values = [round(0.05 + 0.01 * k, 2) for k in range(60)]
        ref = await reference(server.url, "/", [A, B, values[-1]])
        storm, calm = await opened(server.url), await opened(server.url)
        try:
            lr = storm.widget("lr").id

            async def rage_click() -> None:
                for v in values:          # 60 reruns without waiting for any of them
                    storm.values[lr] = v
                    await storm.send_rerun()

            async def work() -> list[stclient.RunResult]:
                out = []
                for i in range(6):
                    out.append(await calm.run(lr=A if i % 2 == 0 else B))
                return out

            _, calm_runs = await asyncio.gather(rage_click(), work())
            for i, r in enumerate(calm_runs):
                assert r.ok and r.fingerprint == ref[A if i % 2 == 0 else B], r.errors
            # The storm's own session survives and ends on its last value.
            await storm.drain(quiet=2.0)
            last = await storm.run()
            assert last.ok and last.fingerprint == ref[values[-1]], last.errors
        finally:
            await storm.close()
            await calm.close()
        assert "Traceback" not in server.log_tail(200)
    run(scenario())
