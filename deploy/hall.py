"""A lecture hall on one machine: one Streamlit replica per core behind nginx, in one command.

    python -m deploy.hall                       # every usable core, http://0.0.0.0:8501, until Ctrl-C
    python -m deploy.hall --replicas 2 --port 8080 --host 127.0.0.1
    python -m deploy.hall --print-config        # the nginx.conf it would run

One Streamlit process runs every session's script under one interpreter lock, so it serves about
one core's worth of reruns; N replicas serve N cores. What it starts, and why:

- N `streamlit run app.py` replicas on free 127.0.0.1 ports, one BLAS thread each (the replicas
  share the cores), with the repository's .streamlit/config.toml;
- Debian's nginx in front of them (not as a daemon: its own config, pid, logs and temp files in a
  temporary folder) on --host:--port, with **sticky sessions**: nginx's userid module gives every
  browser a `stroute` cookie on its first request and `hash ... consistent` sends every later
  request with it (the websocket, its reconnects, media) to the same replica, because a Streamlit
  session lives in the process that holds its websocket; websocket upgrade passed on (HTTP/1.1);
- **health checks**: every second each replica's /_stcore/health is asked; a replica that fails
  twice in a row is marked `down` and nginx reloaded (only its sessions move, thanks to
  consistent hashing), and a replica whose process has exited is started again on its port and
  put back once healthy. nginx also skips a replica it cannot connect to (`max_fails`, passive).

Ctrl-C or SIGTERM stops nginx gracefully, then every replica, and removes the folder; the exit
code is 0 after a clean stop. benchmarks/replicas.py drives the load generator through this hall.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .server import HOST, REPO, Server, free_port, healthy, launch

COOKIE = "stroute"
FAILS_TO_MARK_DOWN = 2  # consecutive failed health checks (1 s apart, 3 s timeout each)


def usable_cores() -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup v2 CPU quota (a container's --cpus)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    with contextlib.suppress(OSError, ValueError):
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    return max(1, cores)


def nginx_conf(
    folder: Path, listen: int, upstreams: Sequence[int], down: frozenset[int] = frozenset(), host: str = HOST
) -> str:
    """The nginx.conf the hall runs (written into `folder`, which also holds its logs and temp files)."""
    servers = "\n".join(
        f"        server {HOST}:{p} max_fails=1 fail_timeout=5s{' down' if p in down else ''};" for p in upstreams
    )
    return f"""# Written by deploy/hall.py: nginx in front of {len(upstreams)} Streamlit replicas.
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
        listen {host}:{listen};
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
class Hall:
    """The replicas, nginx in front of them, and the health checker's state."""

    folder: Path
    host: str
    port: int
    replicas: list[Server]
    nginx: subprocess.Popen[bytes]
    options: dict[str, str] = field(default_factory=dict)
    app_root: Path = REPO
    restart: bool = True  # start a replica again when its process has exited
    down: set[int] = field(default_factory=set)
    fails: dict[int, int] = field(default_factory=dict)  # consecutive failed health checks by port
    events: list[str] = field(default_factory=list)
    t0: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{HOST if self.host in ('0.0.0.0', '') else self.host}:{self.port}"

    def rss(self) -> int:
        return sum(r.rss() for r in self.replicas if r.proc.poll() is None)

    def write_conf(self) -> None:
        ports = [r.port for r in self.replicas]
        (self.folder / "nginx.conf").write_text(
            nginx_conf(self.folder, self.port, ports, frozenset(self.down), self.host)
        )

    def note(self, text: str, echo: bool = False) -> None:
        line = f"{time.monotonic() - self.t0:7.1f} s  {text}"
        self.events.append(line)
        if echo:
            print(line, flush=True)

    def check_health(self, echo: bool = False) -> None:
        """Poll every replica's /_stcore/health; mark silent ones down (and back up), restart exited ones, reload nginx.

        Down after FAILS_TO_MARK_DOWN failures in a row: a replica that is only busy (one slow answer
        under a burst) stays in; a dead one is skipped by nginx's passive check meanwhile.
        """
        changed = False
        with self.lock:
            for i, r in enumerate(self.replicas):
                if self.restart and r.proc.poll() is not None and r.port in self.down:
                    self.note(f"replica :{r.port} had exited ({r.proc.returncode}): started again", echo)
                    self.replicas[i] = r = launch("app.py", self.options, self.app_root, port=r.port)
                ok = healthy(r.url)
                self.fails[r.port] = 0 if ok else self.fails.get(r.port, 0) + 1
                if self.fails[r.port] >= FAILS_TO_MARK_DOWN and r.port not in self.down:
                    self.down.add(r.port)
                    self.note(f"replica :{r.port} failed {FAILS_TO_MARK_DOWN} health checks: marked down", echo)
                    changed = True
                elif ok and r.port in self.down:
                    self.down.discard(r.port)
                    self.note(f"replica :{r.port} healthy again: back in the upstream", echo)
                    changed = True
            if changed and len(self.down) < len(self.replicas):
                self.write_conf()
                self.nginx.send_signal(signal.SIGHUP)


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed: on Debian or Ubuntu, `sudo apt-get install nginx`")
    return found


@contextlib.contextmanager
def hall(
    n: int,
    options: dict[str, str] | None = None,
    app_root: Path = REPO,
    *,
    host: str = HOST,
    port: int | None = None,
    restart: bool = True,
    echo: bool = False,
) -> Iterator[Hall]:
    """Start n replicas and nginx; stop all of them and remove the folder on exit."""
    nginx_bin = nginx_binary()
    folder = Path(tempfile.mkdtemp(prefix="hall-"))
    replicas: list[Server] = []
    nginx: subprocess.Popen[bytes] | None = None
    stop = threading.Event()
    checker: threading.Thread | None = None
    h: Hall | None = None
    env_before = os.environ.get("OPENBLAS_NUM_THREADS")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per replica: they share the cores
    try:
        replicas = [launch("app.py", options, app_root) for _ in range(n)]  # they start side by side
        for r in replicas:
            r.wait_healthy()
        listen = free_port() if port is None else port
        (folder / "nginx.conf").write_text(nginx_conf(folder, listen, [r.port for r in replicas], host=host))
        conf = ["-p", str(folder), "-c", str(folder / "nginx.conf")]
        test = subprocess.run([nginx_bin, "-t", *conf], capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t failed: {test.stderr}")
        with (folder / "nginx.out").open("wb") as out:
            nginx = subprocess.Popen([nginx_bin, *conf, "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT)
        h = Hall(folder, host, listen, replicas, nginx, dict(options or {}), app_root, restart)
        deadline = time.monotonic() + 20
        while not healthy(h.url):
            if nginx.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not come up: {(folder / 'error.log').read_text(errors='replace')}")
            time.sleep(0.2)

        def check() -> None:
            while not stop.wait(1.0):
                h.check_health(echo)

        checker = threading.Thread(target=check, daemon=True)
        checker.start()
        yield h
    finally:
        stop.set()
        if checker is not None:
            checker.join(timeout=10)
        if nginx is not None and nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait(timeout=10)
        for r in h.replicas if h is not None else replicas:  # restarted ones included
            r.stop()
            r.log.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        if env_before is None:
            os.environ.pop("OPENBLAS_NUM_THREADS", None)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--replicas", type=int, default=0, help="Streamlit processes (default: one per usable core)")
    ap.add_argument("--host", default="0.0.0.0", help="address nginx listens on (default: every interface)")
    ap.add_argument("--port", type=int, default=8501, help="port nginx listens on (default 8501)")
    ap.add_argument("--option", action="append", default=[], help="streamlit option KEY=VALUE, repeatable")
    ap.add_argument("--max-seconds", type=float, default=0.0, help="stop after this many seconds (0: never)")
    ap.add_argument("--print-config", action="store_true", help="print the nginx.conf and exit")
    args = ap.parse_args(argv)
    n = args.replicas or usable_cores()
    if n < 1:
        ap.error("--replicas must be at least 1")
    if args.print_config:
        print(nginx_conf(Path("/tmp/hall-XXXX"), args.port, [8600 + i for i in range(n)], host=args.host))
        return 0
    options = dict(o.split("=", 1) for o in args.option)
    stopping = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        with hall(n, options, host=args.host, port=args.port, echo=True):
            where = f"http://{args.host}:{args.port}" if args.host not in ("0.0.0.0", "") else f"port {args.port}"
            print(f"Attention, step by step: {n} replicas behind nginx on {where} (Ctrl-C stops)", flush=True)
            end = time.monotonic() + args.max_seconds if args.max_seconds > 0 else math.inf
            while not stopping.wait(0.5) and time.monotonic() < end:
                pass
            print("stopping: nginx, then every replica", flush=True)
    except RuntimeError as err:
        print(f"could not start the hall: {err}", file=sys.stderr)
        return 1
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
