"""N Streamlit replicas on 127.0.0.1 behind Debian's nginx: cookie affinity, websockets, health checks.

Starts N `streamlit run app.py` servers on free local ports and one nginx (not as a daemon, with its
own config, pid, logs and temp directories in a temporary folder) on another free port:

- affinity: nginx's userid module gives every browser a `stroute` cookie on its first request
  (GET /), and `hash $uid_got$uid_set consistent` sends every later request carrying that cookie
  (the websocket, its reconnects, media and health requests) to the same replica;
- websockets: HTTP/1.1 to the upstream with the Upgrade and Connection headers passed on;
- health: this script polls every replica's /_stcore/health each second; a replica that stops
  answering is marked `down` and nginx is reloaded (only that replica's sessions move, thanks to
  consistent hashing); nginx also skips a replica it cannot connect to (`max_fails`, passive).

Every process it starts is stopped and the folder removed on exit (also on Ctrl-C or SIGTERM);
`--serve` is bounded by `--max-seconds`.

    python -m benchmarks.replicas --replicas 2 --serve 600          # print the URL, serve 10 min
    python -m benchmarks.replicas --replicas 2 --sessions 100 --ramp 30 --think 5 --reruns 8
    python -m benchmarks.replicas --replicas 2 --sessions 40 --think 5 --reruns 8 --kill-after 15
    python -m benchmarks.replicas --replicas 2 --print-config        # the nginx.conf, then exit
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import common
from .compare import cpu_seconds
from .load import HOST, Server, free_port, run_load, start_server, warm

COOKIE = "stroute"
FAILS_TO_MARK_DOWN = 2  # consecutive failed health checks (1 s apart, 3 s timeout each)


def nginx_conf(folder: Path, listen: int, upstreams: Sequence[int], down: frozenset[int] = frozenset()) -> str:
    """The nginx.conf this script runs (written into `folder`, which also holds its logs and temp files)."""
    servers = "\n".join(
        f"        server {HOST}:{p} max_fails=1 fail_timeout=5s{' down' if p in down else ''};" for p in upstreams
    )
    return f"""# Written by benchmarks/replicas.py: nginx in front of {len(upstreams)} Streamlit replicas.
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}

http {{
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    log_format affinity '$msec $remote_port "$uid_got" "$uid_set" "$request" $status $upstream_addr';
    access_log {folder}/access.log affinity;

    # A session cookie naming the browser, set on its first request; affinity hashes it.
    userid on;
    userid_name {COOKIE};
    userid_path /;

    # Pass the websocket upgrade on; plain requests keep "Connection: close".
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    upstream streamlit {{
        # $uid_set on the first request (no cookie yet), $uid_got afterwards: the same value.
        hash $uid_got$uid_set consistent;
{servers}
    }}

    server {{
        listen {HOST}:{listen};
        location / {{
            proxy_pass http://streamlit;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1h;            # an idle student's websocket stays open
            proxy_send_timeout 1h;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout;  # a dead replica: try the next one
            proxy_buffering off;
        }}
    }}
}}
"""


@dataclass
class Cluster:
    """The replicas, nginx in front of them, and the health checker."""

    folder: Path
    port: int
    replicas: list[Server]
    nginx: subprocess.Popen[bytes]
    down: set[int] = field(default_factory=set)
    fails: dict[int, int] = field(default_factory=dict)  # consecutive failed health checks by port
    events: list[str] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss(self) -> int:
        return sum(r.rss() for r in self.replicas if r.proc.poll() is None)

    def nginx_cpu(self) -> float:
        """CPU seconds used so far by nginx's master and worker processes."""
        pids = [self.nginx.pid]
        with contextlib.suppress(OSError):
            pids += [int(c) for c in Path(f"/proc/{self.nginx.pid}/task/{self.nginx.pid}/children").read_text().split()]
        total = 0.0
        for pid in pids:
            with contextlib.suppress(OSError, ValueError):
                total += cpu_seconds(pid)
        return total

    def write_conf(self) -> None:
        ports = [r.port for r in self.replicas]
        (self.folder / "nginx.conf").write_text(nginx_conf(self.folder, self.port, ports, frozenset(self.down)))

    def note(self, text: str) -> None:
        self.events.append(f"{time.monotonic() - self.t0:7.1f} s  {text}")

    def check_health(self) -> None:
        """Poll /_stcore/health of every replica; mark the silent ones down (and back up) and reload nginx.

        Down after FAILS_TO_MARK_DOWN failures in a row: a replica that is only busy (one slow
        answer under a burst) stays in; a dead one is skipped by nginx's passive check meanwhile.
        """
        changed = False
        for r in self.replicas:
            ok = healthy(r.url)
            self.fails[r.port] = 0 if ok else self.fails.get(r.port, 0) + 1
            if self.fails[r.port] >= FAILS_TO_MARK_DOWN and r.port not in self.down:
                self.down.add(r.port)
                self.note(f"replica :{r.port} failed {FAILS_TO_MARK_DOWN} health checks: marked down, nginx reloaded")
                changed = True
            elif ok and r.port in self.down:
                self.down.discard(r.port)
                self.note(f"replica :{r.port} healthy again: back in the upstream")
                changed = True
        if changed and len(self.down) < len(self.replicas):
            self.write_conf()
            self.nginx.send_signal(signal.SIGHUP)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=3) as r:
            return bool(r.read().strip() == b"ok")
    except OSError:
        return False


@contextlib.contextmanager
def cluster(n: int, options: dict[str, str] | None = None, app_root: Path = common.REPO) -> Iterator[Cluster]:
    """Start n replicas and nginx; stop all of them and remove the folder on exit."""
    folder = Path(tempfile.mkdtemp(prefix="replicas-"))
    replicas: list[Server] = []
    nginx: subprocess.Popen[bytes] | None = None
    stop = threading.Event()
    checker: threading.Thread | None = None
    try:
        for _ in range(n):
            replicas.append(start_server("app.py", options, app_root))
        port = free_port()
        (folder / "nginx.conf").write_text(nginx_conf(folder, port, [r.port for r in replicas]))
        test = subprocess.run(
            ["nginx", "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True, text=True
        )
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {test.stderr}")
        with (folder / "nginx.out").open("wb") as out:
            nginx = subprocess.Popen(
                ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        c = Cluster(folder, port, replicas, nginx)
        deadline = time.monotonic() + 20
        while not healthy(c.url):
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not come up; see {folder / 'error.log'}")
            time.sleep(0.2)

        def check() -> None:
            while not stop.wait(1.0):
                c.check_health()

        checker = threading.Thread(target=check, daemon=True)
        checker.start()
        yield c
    finally:
        stop.set()
        if checker is not None:
            checker.join(timeout=5)
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(timeout=10)
        for r in replicas:
            if r.proc.poll() is None:
                r.stop()
            r.log.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


def affinity(access_log: Path) -> dict[str, object]:
    """From nginx's access log: requests per replica, and whether each browser (cookie) stayed on one."""
    by_cookie: dict[str, list[str]] = defaultdict(list)
    per_replica: Counter[str] = Counter()
    websockets: Counter[str] = Counter()
    for line in access_log.read_text().splitlines():
        try:
            _, _, got, set_, rest = line.split(" ", 4)
        except ValueError:
            continue
        cookie = (got + set_).replace('"', "").replace("-", "")
        final = rest.rsplit(" ", 1)[-1]  # after a failed try nginx lists every replica it tried ("a, b"): the last
        if not cookie or final == "-":
            continue
        by_cookie[cookie].append(final)
        per_replica[final] += 1
        if "/_stcore/stream" in rest:
            websockets[final] += 1
    moved = {c: ups for c, ups in by_cookie.items() if len(set(ups)) > 1}
    return {
        "browsers": len(by_cookie),
        "browsers_on_one_replica": len(by_cookie) - len(moved),
        "browsers_that_moved": len(moved),
        "moves": sorted({f"{ups[0]} -> {ups[-1]}" for ups in moved.values()}),
        "requests_per_replica": dict(per_replica),
        "websockets_per_replica": dict(websockets),
    }


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--serve", type=float, default=0.0, help="only serve for this many seconds, no load")
    ap.add_argument("--max-seconds", type=float, default=3600.0, help="upper bound on --serve")
    ap.add_argument("--print-config", action="store_true", help="print the nginx.conf for --replicas and exit")
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--reruns", type=int, default=8)
    ap.add_argument("--think", type=float, default=5.0)
    ap.add_argument("--ramp", type=float, default=0.0)
    ap.add_argument("--duration", type=float, default=300.0)
    ap.add_argument("--n", type=int, default=5, help="tokens")
    ap.add_argument("--d-model", type=int, default=4)
    ap.add_argument("--heads", type=int, default=None)
    ap.add_argument("--kill-after", type=float, default=0.0, help="kill replica 1 this many seconds into the load")
    ap.add_argument("--option", action="append", default=[], help="streamlit option KEY=VALUE, repeatable")
    args = ap.parse_args(argv)
    if args.print_config:
        print(nginx_conf(Path("/tmp/replicas-XXXX"), 8080, [8501 + i for i in range(args.replicas)]))
        return
    options = dict(o.split("=", 1) for o in args.option)
    base = common.params(args.n, args.d_model)
    if args.heads:
        base["n_heads"] = str(args.heads)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    # One BLAS thread per replica (as in the Dockerfile): the replicas share the cores.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    with cluster(args.replicas, options) as c:
        print(f"nginx on {c.url} in front of replicas on ports {[r.port for r in c.replicas]}", flush=True)
        if args.serve:
            end = time.monotonic() + min(args.serve, args.max_seconds)
            with contextlib.suppress(KeyboardInterrupt):
                while time.monotonic() < end:
                    time.sleep(1)
            return
        for r in c.replicas:  # imports and plotly templates loaded on every replica, as in benchmarks.load
            warm(r, base)
        killer: threading.Timer | None = None
        if args.kill_after and len(c.replicas) > 1:
            victim = c.replicas[0]

            def kill() -> None:
                c.note(f"replica :{victim.port} killed (SIGKILL)")
                victim.proc.kill()

            killer = threading.Timer(args.kill_after, kill)
            killer.start()
        c.t0 = time.monotonic()
        load_before = os.getloadavg()[0]
        nginx_cpu_before = c.nginx_cpu()
        res = run_load(
            c,
            sessions=args.sessions,
            reruns=args.reruns,
            think=args.think,
            base=base,
            duration=args.duration,
            ramp=args.ramp,
            get_page=True,
            reconnect=bool(args.kill_after),
        )
        if killer is not None:
            killer.cancel()
        summary = {
            "replicas": args.replicas,
            **res.summary(),
            "load_avg_before": load_before,
            "load_avg_after": os.getloadavg()[0],
            "nginx_cpu_s": c.nginx_cpu() - nginx_cpu_before,  # master + worker, over the whole load
        }
        print(json.dumps(summary, indent=1))
        print(json.dumps(affinity(c.folder / "access.log"), indent=1))
        for e in c.events:
            print("event:", e)
        errors = Counter(e.split(": ", 1)[-1][:80] for e in res.error_samples)
        for text, count in errors.most_common(5):
            print(f"errors: {count} × {text}")


if __name__ == "__main__":
    main()
