"""A minimal Streamlit client that speaks the real protocol, for load and isolation tests.

What the browser does, and what this client copies (checked against streamlit 1.67's
starlette_websocket.py and the frontend bundle):
  1. GET /_stcore/health (and the page) → cookies: `_streamlit_xsrf`, plus the proxy's
     sticky-session cookie when behind deploy/nginx.
  2. Open ws://host/_stcore/stream with subprotocols ["streamlit", <xsrf token>], the same
     Origin as the page (the server rejects cross-origin websockets) and the cookies.
  3. Send BackMsg.rerun_script(ClientState(query_string, page_name, widget_states, …));
     the first run names the page by URL path (`page_name`), later runs by the
     `page_script_hash` the server announced (`navigation` for st.navigation apps).
  4. Read ForwardMsgs until `script_finished` with a final status.

A rerun sends *every* known widget's state, as the browser does: a widget missing from the
states would snap back to its default.
"""
from __future__ import annotations

import asyncio
import hashlib
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# ForwardMsg.ScriptFinishedStatus values: 0 success, 1 compile error, 2 stopped early because a
# newer rerun arrived (keep waiting), 3 fragment run succeeded.
_DONE_OK = {0, 3}
_DONE_ERROR = {1}


@dataclass
class Widget:
    """A widget seen in the page's deltas, enough to send a new value for it."""

    id: str
    kind: str          # the Element oneof name: "slider", "number_input", "selectbox", …
    label: str
    data_type: int     # NumberInput/Slider DataType: 0 INT, 1 FLOAT (others for dates)
    default: object

    @property
    def key(self) -> str:
        """The user key a keyed widget's id ends with (`$$ID-<hash>-<key>`)."""
        return self.id.rsplit("-", 1)[-1] if self.id.startswith("$$ID-") else ""


@dataclass
class RunResult:
    """One script run as the client saw it."""

    latency: float                  # send → script_finished, seconds
    bytes_in: int                   # ForwardMsg payload bytes received during the run
    messages: int
    ok: bool
    errors: list[str] = field(default_factory=list)
    fingerprint: str = ""           # digest of what the run drew (for isolation checks)
    query_string: str = ""          # the URL the page asked the browser to show
    alerts: list[str] = field(default_factory=list)   # the text of every box drawn (st.success…)
    texts: list[str] = field(default_factory=list)    # the text of every Markdown element


def widget_state(w: Widget, value: object) -> WidgetState:
    """The WidgetState the browser would send for `value` in widget `w`."""
    s = WidgetState(id=w.id)
    if w.kind == "slider":
        s.double_array_value.data.append(float(value))      # sliders carry a range array
    elif w.kind == "number_input":
        if w.data_type == 0:
            s.int_value = int(value)
        else:
            s.double_value = float(value)
    elif w.kind in ("checkbox", "toggle"):
        s.bool_value = bool(value)
    elif w.kind == "selectbox":
        s.string_value = str(value)
    elif w.kind == "button":
        s.trigger_value = bool(value)      # a click: sent once, never kept as the state
    else:
        raise ValueError(f"cannot set a {w.kind} widget")
    return s


def _widget_from(element) -> Widget | None:
    kind = element.WhichOneof("type")
    if kind is None:
        return None
    proto = getattr(element, kind)
    wid = getattr(proto, "id", "")
    if not isinstance(wid, str) or not wid.startswith("$$ID-"):
        return None
    default = getattr(proto, "default", None)
    if kind == "slider":
        default = list(default)[0] if default else None
    elif kind == "checkbox":
        kind = "toggle" if proto.type == 1 else "checkbox"
    return Widget(id=wid, kind=kind, label=getattr(proto, "label", ""),
                  data_type=getattr(proto, "data_type", 1), default=default)


class Session:
    """One simulated student: a websocket session with a Streamlit server."""

    def __init__(self, base_url: str, path: str = "/", query: str = "", timeout: float = 60.0,
                 assets: Sequence[str] = ()):
        self.base_url = base_url.rstrip("/")
        self.path = path
        self.assets = tuple(assets)   # files a browser with an empty cache fetches on arrival
        self.query = query.lstrip("?")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.widgets: dict[str, Widget] = {}
        self.values: dict[str, object] = {}   # widget id → value this session has set
        self.page_script_hash = ""
        self.session_id = ""
        self.ws: websockets.ClientConnection | None = None
        self.bytes_in = 0
        self.bytes_out = 0
        self._alerts: list[str] = []
        self._texts: list[str] = []

    # -- connecting -------------------------------------------------------------------------
    async def open(self) -> None:
        """HTTP requests a browser makes before the websocket, then the websocket itself."""
        await asyncio.to_thread(self._http_get, "/_stcore/health")
        await asyncio.to_thread(self._http_get, self.path)
        for asset in self.assets:
            await asyncio.to_thread(self._http_get, asset)
        ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        xsrf = self.cookies.get("_streamlit_xsrf", "")
        headers = {"Origin": self.base_url}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit", xsrf],
                                           additional_headers=headers, max_size=None,
                                           open_timeout=self.timeout)

    def _http_get(self, path: str) -> None:
        # urllib in a thread: a few requests per student, not worth an HTTP lib. The body is
        # read whole but not decompressed: the server's work is what is being measured.
        import urllib.request
        req = urllib.request.Request(self.base_url + path,
                                     headers={"Accept-Encoding": "gzip, deflate, br"})
        if self.cookies:
            req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            r.read()
            for header in r.headers.get_all("Set-Cookie") or []:
                # The XSRF cookie holds '|' characters that http.cookies refuses: parse by hand.
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def abort(self) -> None:
        """Drop the TCP connection without a closing handshake (a laptop lid closing)."""
        if self.ws is not None:
            self.ws.transport.abort()
            self.ws = None

    # -- running ----------------------------------------------------------------------------
    def back_msg(self) -> BackMsg:
        """The rerun request the browser would send with this session's current state."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if self.page_script_hash:
            cs.page_script_hash = self.page_script_hash
        else:
            cs.page_name = self.path.strip("/")
        for wid, value in self.values.items():
            cs.widget_states.widgets.append(widget_state(self.widgets[wid], value))
        return msg

    async def send_rerun(self) -> None:
        assert self.ws is not None, "open() first"
        data = self.back_msg().SerializeToString()
        self.bytes_out += len(data)
        await self.ws.send(data)

    async def run(self, **changes: object) -> RunResult:
        """Set widgets (by key) to new values, rerun, and wait for the run to finish."""
        for key, value in changes.items():
            self.values[self.widget(key).id] = value
        t0 = time.perf_counter()
        await self.send_rerun()
        return await self.wait_finished(t0)

    async def click(self, key: str) -> RunResult:
        """Press the button keyed `key` (one rerun with its trigger set, as a browser does)."""
        button = self.widget(key)
        msg = self.back_msg()
        msg.rerun_script.widget_states.widgets.append(widget_state(button, True))
        t0 = time.perf_counter()
        data = msg.SerializeToString()
        self.bytes_out += len(data)
        await self.ws.send(data)
        return await self.wait_finished(t0)

    async def wait_finished(self, t0: float | None = None) -> RunResult:
        """Read ForwardMsgs until the current run ends (successfully or not)."""
        assert self.ws is not None, "open() first"
        t0 = time.perf_counter() if t0 is None else t0
        nbytes = messages = 0
        errors: list[str] = []
        digest = hashlib.sha256()
        query = ""
        self._alerts, self._texts = [], []
        deadline = t0 + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout:.0f} s")
            raw = await asyncio.wait_for(self.ws.recv(), remaining)
            if isinstance(raw, str):
                raw = raw.encode()
            nbytes += len(raw)
            messages += 1
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self._on_new_session(msg)
            elif kind == "delta":
                self._on_delta(msg, digest, errors)
            elif kind == "navigation":
                # st.navigation apps announce the page actually run; reruns must name it.
                self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
            elif kind == "page_info_changed":
                query = msg.page_info_changed.query_string
            elif kind == "script_finished":
                status = msg.script_finished
                if status in _DONE_OK or status in _DONE_ERROR:
                    if status in _DONE_ERROR:
                        errors.append("script compile error")
                    self.bytes_in += nbytes
                    return RunResult(latency=time.perf_counter() - t0, bytes_in=nbytes,
                                     messages=messages, ok=not errors, errors=errors,
                                     fingerprint=digest.hexdigest()[:16], query_string=query,
                                     alerts=self._alerts, texts=self._texts)
                # status 2: this run was cut short by our newer rerun; keep reading.
                digest = hashlib.sha256()
                errors.clear()
                self._alerts, self._texts = [], []

    async def drain(self, quiet: float = 1.0) -> int:
        """Read and drop whatever the server still sends until it is quiet for `quiet` s."""
        assert self.ws is not None, "open() first"
        n = 0
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), quiet)
            except TimeoutError:
                return n
            n += 1
            msg = ForwardMsg()
            msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
            if msg.WhichOneof("type") == "delta":
                self._on_delta(msg, hashlib.sha256(), [])

    def _on_new_session(self, msg: ForwardMsg) -> None:
        ns = msg.new_session
        self.page_script_hash = ns.page_script_hash or self.page_script_hash
        if ns.initialize.session_id:
            self.session_id = ns.initialize.session_id

    def _on_delta(self, msg: ForwardMsg, digest, errors: list[str]) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            errors.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif kind == "alert":
            self._alerts.append(element.alert.body)
        elif kind == "markdown":
            self._texts.append(element.markdown.body)
        w = _widget_from(element)
        if w is not None:
            self.widgets.setdefault(w.id, w)
        # What was drawn, where: the same settings must always give the same digest.
        digest.update(repr(list(msg.metadata.delta_path)).encode())
        digest.update(element.SerializeToString(deterministic=True))

    def widget(self, key: str) -> Widget:
        """The widget with user key `key` (or, failing that, with that label)."""
        for w in self.widgets.values():
            if w.key == key:
                return w
        for w in self.widgets.values():
            if w.label == key:
                return w
        known = sorted(w.key or w.label for w in self.widgets.values())
        raise KeyError(f"no widget {key!r} on {self.path} (seen: {known})")


def query_of(params: dict[str, object]) -> str:
    """A URL query string from a dict (for pages whose settings live in the URL)."""
    return urllib.parse.urlencode({k: str(v) for k, v in params.items()})
