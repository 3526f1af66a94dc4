"""Start and stop `streamlit run` servers on free loopback ports, and read their memory.

The one place gdviz manages processes: the classroom server (deploy/classroom.py), the
benchmark (bench/) and the tests (tests/conftest.py, tests/test_sessions.py) all start and
stop Streamlit through it. It lives in deploy/ because serving a class is what the product
does with it; the benchmark and the tests are its users, and they already import deploy
(the classroom proxy), while deploy imports nothing of theirs. It needs only the standard
library, so `python -m deploy.classroom` runs from a plain checkout.

Every server is started in its own process group so that stopping it also stops anything it
spawned; callers use `serving(...)` (a context manager) so a failed run never leaves a server
behind on a machine other engineers share.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The benchmark's framework floor (a one-slider Streamlit + Plotly app), kept beside the repo
BASELINE_APP = REPO.parent / "shared" / "bench" / "baseline_app.py"
GDVIZ_APP = REPO / "app.py"
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_bytes(pid: int) -> int:
    """Resident memory of one process, from /proc (no psutil needed)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Server:
    """One running `streamlit run` process."""

    app: Path
    port: int
    proc: subprocess.Popen
    log: Path
    extra: dict[str, str] = field(default_factory=dict)
    own_dir: Path | None = None    # a temp dir made just for this server's log: removed on stop

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss(self) -> int:
        return rss_bytes(self.proc.pid)

    def log_tail(self, n: int = 40) -> str:
        """The end of the server's log, to explain a failure."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def streamlit_cmd(app: Path, port: int, options: dict[str, str] | None = None) -> list[str]:
    """The command line of one server (classroom, benchmark or test): loopback only, no
    telemetry, no file watcher."""
    opts = {
        "server.address": HOST,
        "server.port": str(port),
        "server.headless": "true",
        "server.runOnSave": "false",
        "server.fileWatcherType": "none",   # a watcher per process costs CPU we measure
        "browser.gatherUsageStats": "false",
        "server.enableXsrfProtection": "true",
    }
    opts.update(options or {})
    cmd = [sys.executable, "-m", "streamlit", "run", str(app)]
    cmd += [f"--{k}={v}" for k, v in opts.items()]
    return cmd


def spawn(cmd: list[str], log: Path) -> subprocess.Popen:
    """Run `cmd` from the repo root in a process group of its own (so stop() ends all it
    spawns), its output going to `log`."""
    with open(log, "wb") as out:   # the child keeps its own copy of the file open
        return subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def start(app: Path, port: int | None = None, options: dict[str, str] | None = None,
          log_dir: Path | None = None, timeout: float = 60.0) -> Server:
    """Start `streamlit run app` and wait until its health endpoint answers.

    The working directory is the repo root so the project's .streamlit/config.toml applies
    to gdviz and to the baseline alike (same theme, same XSRF setting: a fair comparison).
    """
    port = port or free_port()
    own_dir = None if log_dir else Path(tempfile.mkdtemp(prefix="gdviz-bench-"))
    log_dir = log_dir or own_dir
    log = log_dir / f"streamlit-{port}.log"
    proc = spawn(streamlit_cmd(app, port, options), log)
    server = Server(app=app, port=port, proc=proc, log=log, extra=dict(options or {}),
                    own_dir=own_dir)
    try:
        wait_healthy(server.url, timeout, proc)
    except Exception as exc:
        tail = server.log_tail()
        stop(server)
        raise RuntimeError(f"{app} did not start: {exc}\n{tail}") from exc
    except BaseException:
        stop(server)
        raise
    return server


def wait_healthy(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Poll /_stcore/health until it answers 200, or fail with a clear message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s")


def stop(server_or_proc: Server | subprocess.Popen, grace: float = 5.0) -> None:
    """Stop a process and its group: SIGTERM, then SIGKILL after `grace` seconds."""
    if isinstance(server_or_proc, Server):
        _terminate(server_or_proc.proc, grace)
        if server_or_proc.own_dir is not None:
            shutil.rmtree(server_or_proc.own_dir, ignore_errors=True)
    else:
        _terminate(server_or_proc, grace)


def _terminate(proc: subprocess.Popen, grace: float) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)


@contextlib.contextmanager
def serving(app: Path, options: dict[str, str] | None = None) -> Iterator[Server]:
    """A server for the duration of a `with` block, always stopped afterwards."""
    server = start(app, options=options)
    try:
        yield server
    finally:
        stop(server)


def resolve_app(name: str) -> Path:
    """'baseline', 'gdviz' or a path, resolved relative to the repo (CI has ../shared)."""
    if name == "baseline":
        return BASELINE_APP
    if name == "gdviz":
        return GDVIZ_APP
    p = Path(name)
    return p if p.is_absolute() else (REPO / p).resolve()


def postgres_bin() -> Path | None:
    """The newest of Debian's PostgreSQL binary folders (/usr/lib/postgresql/N/bin), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port for the
    `with` block; yields its URL, then stops it and removes its files.

    PostgreSQL refuses to run as root, so as root the cluster runs as Debian's `postgres`
    user. Password authentication (a random password) keeps other users of a shared machine
    out. Raises RuntimeError, with the tool's own words, when it cannot start.
    """
    import secrets

    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="gdviz-pg-"))
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    password, port, data = secrets.token_hex(16), free_port(), root / "data"
    (root / "pw").write_text(password)
    if as_user:
        shutil.chown(root, "postgres")
        shutil.chown(root / "pw", "postgres")

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, str(bindir / args[0]), *args[1:]], cwd=root,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {(done.stderr or done.stdout).strip()}")

    try:
        run("initdb", "-D", str(data), "-U", "gdviz", "--pwfile", str(root / "pw"),
            "-A", "scram-sha-256", "-E", "UTF8", "--no-sync")
        run("pg_ctl", "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o",
            f"-p {port} -k {root} -c listen_addresses={HOST}", "start")
        yield f"postgresql://gdviz:{password}@{HOST}:{port}/postgres"
    finally:
        with contextlib.suppress(RuntimeError, OSError, subprocess.TimeoutExpired):
            run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)
