"""Serve gdviz to a whole class: N `streamlit run` processes behind nginx with sticky sessions.

    python -m deploy.classroom                     # 3 processes, proxy on 127.0.0.1:8501
    python -m deploy.classroom --procs 4 --listen 0.0.0.0:8501   # reachable from the LAN
    python -m deploy.classroom --print-config      # the nginx config, for a system nginx

One Streamlit process runs one script at a time per core (the GIL), so a class of 60 that
each changes a control every ~5 s (12 reruns/s) needs more than one process. Ctrl-C (or
SIGTERM) stops nginx and every Streamlit process; nothing is left running.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deploy import procs

DEPLOY = Path(__file__).resolve().parent
TEMPLATE = DEPLOY / "nginx.conf.template"
NGINX = os.environ.get("NGINX", shutil.which("nginx") or "/usr/sbin/nginx")


@dataclass
class Classroom:
    """A running proxy and its Streamlit processes."""

    url: str
    servers: list[procs.Server]
    nginx: subprocess.Popen
    prefix: Path

    def pids(self) -> list[int]:
        """The Streamlit processes (whose memory the load test watches)."""
        return [s.pid for s in self.servers]


def render_config(listen: str, ports: list[int], prefix: Path, access_log: str = "off") -> str:
    """The nginx config for `ports` behind `listen` (host:port)."""
    addresses = [f"{procs.HOST}:{p}" for p in ports]
    upstreams = "\n".join(f"        server {a} max_fails=0;" for a in addresses)
    routes = "\n".join(f'        "{a}" {a};' for a in addresses)
    text = TEMPLATE.read_text()
    for marker, value in {"@@PREFIX@@": str(prefix), "@@LISTEN@@": listen,
                          "@@UPSTREAMS@@": upstreams, "@@ROUTES@@": routes,
                          "@@ACCESS_LOG@@": access_log}.items():
        text = text.replace(marker, value)
    return text


def start_nginx(config: str, prefix: Path) -> subprocess.Popen:
    """Run nginx in the foreground (daemon off) so it is our child and easy to stop."""
    conf = prefix / "nginx.conf"
    conf.write_text(config)
    # nginx itself creates the temp dirs; its worker (nobody, when started as root) must be
    # able to enter the prefix.
    prefix.chmod(0o755)
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejected the config:\n{check.stderr}")
    return procs.spawn([NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                       prefix / "nginx.out")


def start(app: Path, n: int, listen: str | None = None,
          options: dict[str, str] | None = None, log_routes: bool = False) -> Classroom:
    """Start `n` Streamlit processes and nginx in front of them; wait until all answer.

    With `log_routes`, nginx logs each request's route cookie and upstream to
    `prefix/routes.log` (see `routes()`).
    """
    prefix = Path(tempfile.mkdtemp(prefix="gdviz-classroom-"))
    listen = listen or f"{procs.HOST}:{procs.free_port()}"
    servers: list[procs.Server] = []
    nginx = None
    try:
        for _ in range(n):
            servers.append(procs.start(app, options=options, log_dir=prefix))
        access = f"{prefix}/routes.log gdviz_route" if log_routes else "off"
        config = render_config(listen, [s.port for s in servers], prefix, access)
        nginx = start_nginx(config, prefix)
        host, _, port = listen.rpartition(":")
        url = f"http://{procs.HOST if host in ('0.0.0.0', '') else host}:{port}"
        procs.wait_healthy(url, 20, nginx)
        return Classroom(url=url, servers=servers, nginx=nginx, prefix=prefix)
    except BaseException:
        _stop_all(servers, nginx)
        shutil.rmtree(prefix, ignore_errors=True)
        raise


def routes(room: Classroom) -> list[tuple[str, str, str]]:
    """(route cookie, upstream, path) for each logged request ('-': no cookie yet).

    A websocket is logged when it closes, so read this after the students left.
    """
    out = []
    log = room.prefix / "routes.log"
    if log.exists():
        for line in log.read_text().splitlines():
            route, upstream, _status, request = line.split(" ", 3)
            parts = request.strip('"').split(" ")
            out.append((route, upstream, parts[1] if len(parts) > 1 else ""))
    return out


def sticky(entries: list[tuple[str, str, str]]) -> bool:
    """Every request that carried a route cookie reached the process the cookie names."""
    routed = [(r, u) for r, u, _ in entries if r != "-"]
    return bool(routed) and all(r == u for r, u in routed)


def sessions_per_process(entries: list[tuple[str, str, str]]) -> dict[str, int]:
    """How many websockets (students) each process served."""
    count: dict[str, int] = {}
    for _, upstream, path in entries:
        if path.startswith("/_stcore/stream"):
            count[upstream] = count.get(upstream, 0) + 1
    return count


def stop(room: Classroom) -> None:
    """Stop the proxy first (no new sessions), then every Streamlit process; tidy up."""
    _stop_all(room.servers, room.nginx)
    shutil.rmtree(room.prefix, ignore_errors=True)


def _stop_all(servers: list[procs.Server], nginx: subprocess.Popen | None) -> None:
    if nginx is not None:
        procs.stop(nginx)   # SIGTERM to nginx's group: a fast shutdown of master and worker
    for s in servers:
        procs.stop(s)


@contextlib.contextmanager
def classroom(app: Path, n: int, listen: str | None = None,
              options: dict[str, str] | None = None,
              log_routes: bool = False) -> Iterator[Classroom]:
    """A classroom server for the duration of a `with` block, always stopped afterwards."""
    room = start(app, n, listen, options, log_routes)
    try:
        yield room
    finally:
        stop(room)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", default="app.py", help="the Streamlit script (default: app.py)")
    ap.add_argument("--procs", type=int, default=3,
                    help="Streamlit processes (default 3: right for 60 students on 2 cores)")
    ap.add_argument("--listen", default="127.0.0.1:8501",
                    help="where students connect, host:port (0.0.0.0:8501 for the LAN)")
    ap.add_argument("--print-config", action="store_true",
                    help="print the nginx config for ports 8601.. and exit")
    args = ap.parse_args(argv)
    app = procs.resolve_app(args.app)
    if args.print_config:
        ports = [8601 + i for i in range(args.procs)]
        print(render_config(args.listen, ports, Path("/var/lib/gdviz-nginx"), "off"))
        return 0
    if args.procs < 1:
        ap.error("--procs must be at least 1")
    room = start(app, args.procs, args.listen)
    print(f"gdviz for the class: {room.url}  ({args.procs} processes: "
          f"{', '.join(str(s.port) for s in room.servers)}; Ctrl-C stops)", flush=True)
    # SIGTERM behaves like Ctrl-C so a service manager stops us cleanly too; SIGINT is set
    # explicitly because a shell starts background jobs with it ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        while room.nginx.poll() is None and all(s.proc.poll() is None for s in room.servers):
            time.sleep(1)
        print("a process stopped unexpectedly; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(room)


if __name__ == "__main__":
    raise SystemExit(main())
