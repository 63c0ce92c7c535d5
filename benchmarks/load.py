"""Load generator: N sessions speaking Streamlit's own websocket protocol against a local server.

It starts `streamlit run SCRIPT` on 127.0.0.1 (a free port), opens sessions on /_stcore/stream,
and sends the same protobuf `BackMsg.rerun_script` a browser sends (a `ClientState` with the URL's
query string, the page name and the widget states), then reads `ForwardMsg`s until
`script_finished`. Each session has its own URL state (seed, sentence…); every further rerun
changes the seed (through the `seed` widget's state on the app, as a student would; through the
query string on the naive page, which reads it on every run). Every loop is bounded in count and
in time. Only 127.0.0.1 is contacted.

    python -m benchmarks.load --script app.py --sessions 100 --reruns 8 --think 5
    python -m benchmarks.load --sessions 100 --ramp 30 --reruns 8 --think 5 --repeat 3   # a hall told "open it now"
    python -m benchmarks.load --script benchmarks/naive_page.py --sessions 8 --duration 20 --think 0
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

import websocket  # websocket-client
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from deploy.server import HOST, Server, free_port, start_server

from . import common

__all__ = ["HOST", "Server", "free_port", "start_server"]  # re-exported: older callers import them from here

FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


@dataclass
class External:
    """A server this script did not start (a container, a load balancer): its port, and a pid for RSS."""

    port: int
    pid: int = 0

    def rss(self) -> int:
        return common.rss_bytes(self.pid) if self.pid else 0


@contextlib.contextmanager
def running(script: str | Path, options: dict[str, str] | None = None, cwd: Path = common.REPO) -> Iterator[Server]:
    server = start_server(script, options, cwd)
    try:
        yield server
    finally:
        server.stop()


def schedstat(pid: int) -> dict[str, int]:
    """Nanoseconds each live thread of a process has been runnable but waiting for a CPU (/proc schedstat).

    The machine's contention as the server felt it. Streamlit runs each script run in a new thread,
    so only the threads alive at both readings (the event loop's among them) can be compared.
    """
    out: dict[str, int] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            out[task.name] = int((task / "schedstat").read_text().split()[1])
    return out


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads, finished ones included (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def target_pid(server: object) -> int:
    """The server's pid, when the target has one (a Server or an External with --pid)."""
    proc = getattr(server, "proc", None)
    return int(getattr(proc, "pid", 0) or getattr(server, "pid", 0) or 0)


@dataclass
class RunResult:
    latency: float  # seconds from sending rerun_script to receiving script_finished
    bytes: int  # sum of the ForwardMsg frames received for this run
    messages: int
    exceptions: int  # delta.new_element.exception elements
    ok: bool
    status: str = ""  # how the run ended: a ScriptFinishedStatus name, or "timeout"


class Target(Protocol):
    """What the load is sent to: one server, or a load balancer in front of replicas (benchmarks/replicas.py)."""

    @property
    def port(self) -> int: ...

    def rss(self) -> int: ...


def page_cookie(port: int, timeout: float = 30.0) -> str:
    """GET / as a browser does before it opens the websocket; returns the Cookie header the response sets.

    Behind nginx with cookie affinity this is what pins a session to a replica; Streamlit alone sets
    its XSRF cookie here.
    """
    with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=timeout) as r:
        r.read()
        cookies = r.headers.get_all("Set-Cookie") or []
    return "; ".join(c.split(";", 1)[0] for c in cookies)


class Session:
    """One browser tab, without the browser: a websocket and the protobuf messages."""

    def __init__(
        self, port: int, query: dict[str, str], page: str = "", timeout: float = 120.0, cookie: str = ""
    ) -> None:
        self.ws = websocket.create_connection(
            f"ws://{HOST}:{port}/_stcore/stream",
            subprotocols=["streamlit"],
            timeout=timeout,
            enable_multithread=True,
            header=[f"Cookie: {cookie}"] if cookie else None,
        )
        self.cookie = cookie
        self.query = dict(query)
        self.page = page  # "" for the main script, else the page's URL name ("matrix")
        self.widget_ids: dict[str, str] = {}  # user key -> widget id, learnt from the deltas
        self.fragment_of: dict[str, str] = {}  # user key -> id of the fragment it is drawn in ("" for none)
        self.timeout = timeout
        self.record: list[bytes] | None = None  # a list keeps every frame of the next runs (benchmarks/wire.py)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()

    def idle(self, seconds: float, stop: threading.Event) -> bool:
        """A student thinking: wait `seconds` while answering the server's websocket pings, as a browser does.

        Without reading, a pause longer than Streamlit's ping interval plus its timeout (uvicorn) has
        the server close the connection (a BrokenPipeError at the next rerun): an artefact of the
        generator, not something a browser sees. Returns True when `stop` was set.
        """
        deadline = time.monotonic() + seconds
        try:
            while (left := deadline - time.monotonic()) > 0:
                if stop.is_set():
                    return True
                self.ws.settimeout(min(left, 1.0))
                with contextlib.suppress(websocket.WebSocketTimeoutException):
                    self.ws.recv_data_frame(control_frame=False)  # pings are answered inside
        finally:
            self.ws.settimeout(self.timeout)
        return stop.is_set()

    def rerun(self, widgets: dict[str, int | str] | None = None, fragment: bool = False) -> RunResult:
        """Send rerun_script (with widget values given by key) and read until script_finished.

        Numbers go as int values (number inputs), text as string values (a selectbox sends its
        option's label). fragment=True: rerun only the fragment the first widget was drawn in, as
        the browser does for a widget inside an `st.fragment` (a full rerun if it is in none).
        """
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = urlencode(self.query)
        cs.page_name = self.page
        if fragment and widgets:
            cs.fragment_id = self.fragment_of.get(next(iter(widgets)), "")
        for key, value in (widgets or {}).items():
            wid = self.widget_ids.get(key)
            if wid is None:
                continue
            w = cs.widget_states.widgets.add()
            w.id = wid
            if isinstance(value, str):
                w.string_value = value
            else:
                w.int_value = value
        t0 = time.perf_counter()
        self.ws.send_binary(msg.SerializeToString())
        total = count = exceptions = 0
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            data = self.ws.recv()
            if isinstance(data, str):
                continue
            total += len(data)
            count += 1
            if self.record is not None:
                self.record.append(data)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                ekind = el.WhichOneof("type")
                if ekind == "exception":
                    exceptions += 1
                elif ekind is not None:
                    wid = getattr(getattr(el, ekind), "id", "")
                    if isinstance(wid, str) and wid.startswith("$$ID-"):
                        self.widget_ids[wid.rsplit("-", 1)[-1]] = wid
                        self.fragment_of[wid.rsplit("-", 1)[-1]] = fm.delta.fragment_id
            elif kind == "page_info_changed":  # the app wrote st.query_params: the browser's URL follows
                self.query = dict(parse_qsl(fm.page_info_changed.query_string, keep_blank_values=True))
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                ok = fm.script_finished in FINISHED_OK
                status = ForwardMsg.ScriptFinishedStatus.Name(fm.script_finished)
                return RunResult(time.perf_counter() - t0, total, count, exceptions, ok, status)
        return RunResult(time.perf_counter() - t0, total, count, exceptions, False, "timeout")


@dataclass
class LoadResult:
    sessions: int
    reruns_done: int
    first_loads: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    errors: int = 0
    exceptions: int = 0
    elapsed: float = 0.0
    rss_idle: int = 0  # server RSS before any session
    rss_peak: int = 0
    rss_end: int = 0  # with every session still connected, after the load
    error_samples: list[str] = field(default_factory=list)
    reconnects: int = 0  # sessions that lost their websocket and opened a new one (reconnect=True)
    server_cpu: float = float("nan")  # CPU seconds of the server process during the load
    server_wait: float = float("nan")  # seconds its long-lived threads were runnable but waited for a CPU

    def summary(self) -> dict[str, float]:
        lat = self.latencies
        return {
            "sessions": self.sessions,
            "reruns": len(lat),
            "p50_ms": common.percentile(lat, 50) * 1000,
            "p95_ms": common.percentile(lat, 95) * 1000,
            "p99_ms": common.percentile(lat, 99) * 1000,
            "first_p50_ms": common.percentile(self.first_loads, 50) * 1000,
            "first_p95_ms": common.percentile(self.first_loads, 95) * 1000,
            "reruns_per_s": (len(lat) + len(self.first_loads)) / self.elapsed if self.elapsed else 0.0,
            "errors": self.errors,
            "reconnects": self.reconnects,
            "server_cpu_s": self.server_cpu,
            "server_cpu_wait_s": self.server_wait,
            "exceptions": self.exceptions,
            "kib_per_rerun": common.median(self.bytes) / 1024 if self.bytes else float("nan"),
            "rss_idle_mib": self.rss_idle / 2**20,
            "rss_peak_mib": self.rss_peak / 2**20,
            "rss_end_mib": self.rss_end / 2**20,
            "mib_per_session": (self.rss_end - self.rss_idle) / 2**20 / max(self.sessions, 1),
        }


def session_query(i: int, base: dict[str, str], vary_sentence: bool) -> dict[str, str]:
    """Session i's own URL state: its own seed and, optionally, its own sentence."""
    q = dict(base)
    q["seed"] = str(1000 + i)
    if vary_sentence:
        words = q["sentence"].split()
        rot = i % len(words)
        q["sentence"] = " ".join(words[rot:] + words[:rot])
    return q


def run_load(
    server: Target,
    *,
    sessions: int,
    reruns: int,
    think: float,
    base: dict[str, str],
    page: str = "",
    naive: bool = False,
    duration: float = 600.0,
    ramp: float = 0.0,
    vary_sentence: bool = True,
    rng_seed: int = 1,
    get_page: bool = False,
    reconnect: bool = False,
) -> LoadResult:
    """Drive `sessions` sessions, each doing one page load then up to `reruns` reruns.

    think > 0: an exponential pause of that mean before each rerun (a lecture hall); think = 0:
    back to back (saturation). Stops at `reruns` per session or after `duration` seconds.
    ramp > 0: each session joins at a uniform random time in 0..ramp s and loads the page at once
    (a hall told "open this link now"). get_page: GET / first and send its cookies with the websocket,
    as a browser does (needed for cookie affinity behind a load balancer). reconnect: a session whose
    websocket breaks counts one error, opens a new websocket with the same cookie and URL (as
    Streamlit's browser client does) and goes on with its remaining reruns.
    """
    result = LoadResult(sessions=sessions, reruns_done=0)
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    stop = threading.Event()
    result.rss_idle = server.rss()
    peak = [result.rss_idle]

    def monitor() -> None:
        while not stop.wait(0.5):
            peak[0] = max(peak[0], server.rss())

    def worker(i: int) -> None:
        rnd = random.Random(rng_seed * 100_003 + i)
        if ramp:
            time.sleep(rnd.uniform(0, ramp))
        try:
            cookie = page_cookie(server.port) if get_page else ""
            s = Session(server.port, session_query(i, base, vary_sentence), page, cookie=cookie)
        except Exception as err:
            with lock:
                result.errors += 1
                result.error_samples.append(f"connect: {err!r}"[:200])
            return
        sessions_open.append(s)
        k = 0
        attempts = 2 if reconnect else 1
        while attempts:
            attempts -= 1
            try:
                first = s.rerun()
                with lock:
                    result.first_loads.append(first.latency)
                    result.exceptions += first.exceptions
                    result.errors += 0 if first.ok else 1
                    if not first.ok:
                        result.error_samples.append(f"session {i} first load: {first.status}")
                while k < reruns:
                    if think:
                        pause = min(rnd.expovariate(1 / think), max(0.0, stop_at - time.monotonic()))
                        if s.idle(pause, stop):
                            break
                    if time.monotonic() >= stop_at:
                        break
                    seed = 2000 + i * 1000 + k
                    if naive:
                        s.query["seed"] = str(seed)
                        r = s.rerun()
                    else:
                        r = s.rerun({"seed": seed})
                    k += 1
                    with lock:
                        result.latencies.append(r.latency)
                        result.bytes.append(r.bytes)
                        result.exceptions += r.exceptions
                        if not r.ok:
                            result.errors += 1
                            result.error_samples.append(f"session {i} rerun {k - 1}: {r.status}")
                return
            except Exception as err:
                with lock:
                    result.errors += 1
                    result.error_samples.append(f"session {i} at rerun {k}: {err!r}"[:200])
                if not attempts:
                    return
                k += 1  # the rerun in flight is lost
                s.close()
                time.sleep(rnd.uniform(0.5, 1.5))  # the browser client waits before it reconnects
                try:
                    s = Session(server.port, s.query, page, cookie=s.cookie)
                except Exception as err2:
                    with lock:
                        result.error_samples.append(f"session {i} reconnect: {err2!r}"[:200])
                    return
                sessions_open.append(s)
                with lock:
                    result.reconnects += 1

    sessions_open: list[Session] = []
    pid = target_pid(server)
    sched0 = schedstat(pid) if pid else {}
    cpu0 = process_cpu(pid) if pid else 0.0
    mon = threading.Thread(target=monitor, daemon=True)
    mon.start()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, stop_at - time.monotonic() + 150))
    result.elapsed = time.perf_counter() - t0
    if pid:
        sched1 = schedstat(pid)
        result.server_cpu = process_cpu(pid) - cpu0
        result.server_wait = sum(sched1[t] - sched0[t] for t in sched1.keys() & sched0.keys()) / 1e9
    result.rss_end = server.rss()
    stop.set()
    mon.join(timeout=2)
    result.rss_peak = max(peak[0], result.rss_end)
    for s in sessions_open:
        s.close()
    result.reruns_done = len(result.latencies)
    return result


def warm(server: Target, base: dict[str, str], page: str = "") -> None:
    """One session, two runs: imports, plotly templates and the cache are loaded before measuring."""
    s = Session(server.port, base, page)
    try:
        s.rerun()
        s.rerun()
    finally:
        s.close()


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--script", default="app.py")
    ap.add_argument("--page", default="", help="page URL name, e.g. matrix (default: the main script)")
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--reruns", type=int, default=8)
    ap.add_argument("--think", type=float, default=5.0, help="mean exponential think time in s (0: none)")
    ap.add_argument("--duration", type=float, default=300.0, help="stop after this many seconds")
    ap.add_argument("--ramp", type=float, default=0.0, help="sessions join at a uniform random time in 0..ramp s")
    ap.add_argument("--n", type=int, default=5, help="tokens")
    ap.add_argument("--d-model", type=int, default=4)
    ap.add_argument("--heads", type=int, default=None)
    ap.add_argument("--naive", action="store_true", help="vary the seed by URL (for benchmarks/naive_page.py)")
    ap.add_argument("--option", action="append", default=[], help="server option KEY=VALUE, repeatable")
    ap.add_argument("--cwd", type=Path, default=common.REPO)
    ap.add_argument("--repeat", type=int, default=1, help="consecutive runs, each on a freshly started server")
    ap.add_argument("--port", type=int, default=0, help="drive a server already listening on this local port")
    ap.add_argument("--pid", type=int, default=0, help="with --port: the server's pid, for its RSS")
    args = ap.parse_args(argv)
    base = common.params(args.n, args.d_model)
    if args.heads:
        base["n_heads"] = str(args.heads)
    options = dict(o.split("=", 1) for o in args.option)
    for run in range(args.repeat):
        load_before = os.getloadavg()
        with contextlib.ExitStack() as stack:
            server: Target = External(args.port, args.pid)
            if not args.port:
                server = stack.enter_context(running(args.script, options, args.cwd))
            warm(server, base, args.page)
            res = run_load(
                server,
                sessions=args.sessions,
                reruns=args.reruns,
                think=args.think,
                base=base,
                page=args.page,
                naive=args.naive,
                duration=args.duration,
                ramp=args.ramp,
                rng_seed=run + 1,
            )
        summary = res.summary()
        summary["load_avg_before"] = load_before[0]
        summary["load_avg_after"] = os.getloadavg()[0]
        print(json.dumps(summary, indent=1) if args.repeat == 1 else json.dumps(summary), flush=True)
        for e in res.error_samples[:5]:
            print("error:", e)


if __name__ == "__main__":
    main()
