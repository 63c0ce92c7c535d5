"""Per-rerun cost of the home page against a baseline checkout, side by side on real servers.

Two `streamlit run app.py` servers (this checkout and `--base`, e.g. a `git archive` of commit
8586354) run at once; one websocket session each, warmed, then reruns alternate between them
(this, base, this, base…) so the machine's noise hits both alike. Every rerun changes the seed
through the seed widget, as benchmarks/load.py does (`--interaction seed`: a full rerun on both);
`--interaction word` / `head` picks another word / head instead, as a student does in step 6 or
above the steps: a fragment rerun where the page draws the picker in a fragment, a full rerun
where it does not (the baseline). Per rerun:

- server CPU: the server process's user+system CPU time (all threads: script thread, event loop,
  websocket writes) from /proc/PID/stat, read before sending and after `script_finished`;
- wall: from sending `rerun_script` to `script_finished`;
- bytes: the ForwardMsg frames received.

New sessions are measured the same way (a new websocket and its first run), alternated.

    python -m benchmarks.compare --base /tmp/base --reruns 40
    python -m benchmarks.compare --base /tmp/base --n 12 --heads 2
    python -m benchmarks.compare --base /tmp/base --interaction word
    python -m benchmarks.compare --base /tmp/base --base-option server.fileWatcherType=auto  # as each ships

benchmarks.load starts every server with `--server.fileWatcherType=none`; a commit whose
.streamlit/config.toml does not say so runs Streamlit's default file watcher when deployed.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from attention_core import tokenize, unique_labels

from . import common
from .load import Server, Session, running, warm

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def interaction(kind: str, k: int, words: Sequence[str]) -> dict[str, int | str]:
    """The k-th rerun's widget change: a new seed (a full rerun), another word, or another head."""
    if kind == "seed":
        return {"seed": 3000 + k}
    if kind == "word":
        i = 2 + k % 2  # alternate between words 2 and 3
        return {"word": f"{i}. {words[i - 1]}"}
    return {"head": f"Head {1 + (k + 1) % 2}"}  # 2, 1, 2, 1…


def measure(
    servers: dict[str, Server], base: dict[str, str], reruns: int, new_sessions: int, kind: str = "seed"
) -> dict[str, dict[str, list[float]]]:
    """Alternated reruns and new sessions on every server; lists of per-run figures by server."""
    out: dict[str, dict[str, list[float]]] = {
        name: {k: [] for k in ("cpu", "wall", "bytes", "new_cpu", "new_wall", "new_bytes", "errors")}
        for name in servers
    }
    sessions = {name: Session(s.port, base) for name, s in servers.items()}
    words = unique_labels(tokenize(base["sentence"]))
    try:
        for s in sessions.values():
            s.rerun()
            s.rerun({"seed": 7})
        # /proc CPU ticks are 10 ms: accumulate over blocks of reruns per server, alternating blocks.
        block = 5
        for start in range(0, reruns, block):
            for name, server in servers.items():
                c0 = cpu_seconds(server.proc.pid)
                for k in range(start, min(reruns, start + block)):
                    r = sessions[name].rerun(interaction(kind, k, words), fragment=True)
                    out[name]["wall"].append(r.latency)
                    out[name]["bytes"].append(r.bytes)
                    if not r.ok or r.exceptions:
                        out[name]["errors"].append(1)
                done = min(reruns, start + block) - start
                out[name]["cpu"].append((cpu_seconds(server.proc.pid) - c0) / done)
        for i in range(new_sessions):
            for name, server in servers.items():
                q = dict(base, seed=str(5000 + i))
                c0 = cpu_seconds(server.proc.pid)
                s = Session(server.port, q)
                r = s.rerun()
                out[name]["new_cpu"].append(cpu_seconds(server.proc.pid) - c0)
                s.close()
                out[name]["new_wall"].append(r.latency)
                out[name]["new_bytes"].append(r.bytes)
    finally:
        for s in sessions.values():
            s.close()
    return out


def report(res: dict[str, dict[str, list[float]]], names: Sequence[str]) -> str:
    this, base = names
    med = common.median

    def row(label: str, key: str, scale: float, unit: str) -> list[str]:
        a, b = med(res[this][key]) * scale, med(res[base][key]) * scale
        return [label, f"{a:.1f} {unit}", f"{b:.1f} {unit}", f"{a / b:.2f}" if b else "n/a"]

    rows = [
        row("server CPU per rerun", "cpu", 1000, "ms"),
        row("wall per rerun", "wall", 1000, "ms"),
        row("bytes per rerun", "bytes", 1 / 1024, "KiB"),
        row("server CPU per new session (first run)", "new_cpu", 1000, "ms"),
        row("wall per new session", "new_wall", 1000, "ms"),
        row("bytes per new session", "new_bytes", 1 / 1024, "KiB"),
    ]
    errs = f"errors: {this} {len(res[this]['errors'])}, {base} {len(res[base]['errors'])}"
    return common.table(["median", this, base, "ratio"], rows) + "\n\n" + errs


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, required=True, help="a checkout of the baseline commit")
    ap.add_argument("--reruns", type=int, default=40)
    ap.add_argument("--new-sessions", type=int, default=10)
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--d-model", type=int, default=4)
    ap.add_argument("--heads", type=int, default=None)
    ap.add_argument("--interaction", choices=("seed", "word", "head"), default="seed", help="what a rerun changes")
    ap.add_argument("--this-option", action="append", default=[], help="streamlit option KEY=VALUE for this checkout")
    ap.add_argument("--base-option", action="append", default=[], help="streamlit option KEY=VALUE for the baseline")
    args = ap.parse_args(argv)
    this_options = dict(o.split("=", 1) for o in args.this_option)
    base_options = dict(o.split("=", 1) for o in args.base_option)
    base = common.params(args.n, args.d_model)
    if args.heads:
        base["n_heads"] = str(args.heads)
    names = ("this", "base")
    with (
        running("app.py", this_options) as this_server,
        running("app.py", base_options, cwd=args.base.resolve()) as base_server,
    ):
        servers = {"this": this_server, "base": base_server}
        for s in servers.values():
            warm(s, base)
        res = measure(servers, base, args.reruns, args.new_sessions, args.interaction)
    print(
        f"n={args.n} d_model={args.d_model} heads={base['n_heads']}, each rerun changes the {args.interaction}; "
        f"load average {os.getloadavg()[0]:.1f} (1 min)"
    )
    print(report(res, names))


if __name__ == "__main__":
    main()
