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
import signal
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from deploy.hall import Hall, hall, nginx_conf

from . import common
from .compare import cpu_seconds
from .load import run_load, warm

__all__ = ["affinity", "nginx_conf"]  # nginx_conf re-exported for tests and older callers


def nginx_cpu(h: Hall) -> float:
    """CPU seconds used so far by nginx's master and worker processes."""
    pids = [h.nginx.pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{h.nginx.pid}/task/{h.nginx.pid}/children").read_text().split()]
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            total += cpu_seconds(pid)
    return total


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
    with hall(args.replicas, options, restart=False) as c:
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
        nginx_cpu_before = nginx_cpu(c)
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
            "nginx_cpu_s": nginx_cpu(c) - nginx_cpu_before,  # master + worker, over the whole load
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
