"""Run the page benchmarks, print markdown tables and write them into docs/benchmarks.md.

    python -m benchmarks.run                      # everything (about 15-20 minutes on 2 cores)
    python -m benchmarks.run --only pages         # AppTest rerun time and bytes per rerun
    python -m benchmarks.run --only browser,load  # headless Chromium; the lecture-hall load
    python -m benchmarks.run --quick              # a 4-size subset and fewer repetitions

Each part replaces only its own section of docs/benchmarks.md (between `<!-- NAME:start -->` and
`<!-- NAME:end -->`: pages, browser, load, memory); the `core` section belongs to
benchmarks/bench_core.py. Times are medians of runs interleaved with the naive baseline
(benchmarks/naive_page.py) in the same process; only their ratios are comparable across runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from benchmarks import common

PARTS = ("pages", "browser", "load", "memory")


def _load_avg() -> str:
    try:
        return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return ""


def _header(command: str, started: float) -> str:
    return f"{common.machine()}\n\nCommand: `{command}` (took {time.time() - started:.0f} s; {_load_avg()} at the end)."


def part_pages(args: argparse.Namespace, command: str) -> str:
    from benchmarks import reruns

    started = time.time()
    results = reruns.run(args.app_root, args.quick, 4 if args.quick else 7)
    cpu, wall, sizes = reruns.report(results)
    return "\n\n".join(
        (
            "### Server-side rerun time (AppTest, one instance per page, reruns interleaved with the naive page)",
            _header(command, started),
            "Script-thread CPU per rerun (medians, ms; `time.thread_time` around Streamlit's script run: what a "
            "rerun costs the server, robust to the machine's noise). Home and matrix on all 12 sizes, the other "
            "pages on 4; the target column checks every page measured at that size.",
            cpu,
            "Wall time per `AppTest.run()` (medians, ms; includes AppTest's own polling and the noise of a shared "
            "machine):",
            wall,
            "### Bytes per rerun (KiB; element protos: total, of which plotly figure JSON + Arrow tables)",
            sizes,
        )
    )


def part_browser(args: argparse.Namespace, command: str) -> str:
    from benchmarks import browser

    started = time.time()
    results = browser.run(args.app_root, 2 if args.quick else 3)
    return "\n\n".join(
        (
            "### Browser: time to heatmap (headless Chromium, medians)",
            _header(command, started),
            browser.report(results),
        )
    )


def _load_rows(label: str, res: object) -> list[object]:
    s = res.summary()  # type: ignore[attr-defined]
    return [
        label,
        s["sessions"],
        s["reruns"],
        f"{s['first_p50_ms']:.0f} / {s['first_p95_ms']:.0f}",
        f"{s['p50_ms']:.0f}",
        f"{s['p95_ms']:.0f}",
        f"{s['p99_ms']:.0f}",
        f"{s['reruns_per_s']:.1f}",
        s["errors"],
        s["exceptions"],
        f"{s['kib_per_rerun']:.0f}",
        f"{s['rss_idle_mib']:.0f} → {s['rss_peak_mib']:.0f}",
        f"{s['mib_per_session']:.2f}",
    ]


LOAD_HEADERS = (
    "scenario",
    "sessions",
    "reruns",
    "first load p50 / p95 ms",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "runs/s",
    "errors",
    "exceptions",
    "KiB/rerun",
    "server RSS MiB idle → peak",
    "MiB/session",
)

SETTINGS = {
    "defaults": {"runner.postScriptGC": "true"},
    "postScriptGC=false": {"runner.postScriptGC": "false"},
}


def part_load(args: argparse.Namespace, command: str) -> str:
    from benchmarks import load

    started = time.time()
    naive = Path(__file__).resolve().parent / "naive_page.py"
    sessions, reruns = (30, 4) if args.quick else (100, 8)
    configs = {
        "default config": common.params(5, 4),
        "12 words, 2 heads": {**common.params(12, 8), "n_heads": "2", "d_k": "4", "d_v": "4"},
    }
    lecture, saturation = [], []
    for setting, options in SETTINGS.items():
        for cname, base in configs.items():
            with load.running("app.py", options, args.app_root) as server:
                load.warm(server, base)
                res = load.run_load(
                    server, sessions=sessions, reruns=reruns, think=5.0, base=base, duration=240, ramp=5.0
                )
            label = f"{setting}, {cname}, think exp(5 s)"
            print(label, res.summary(), res.error_samples[:3], flush=True)
            lecture.append(_load_rows(label, res))
        base = configs["default config"]
        for name, script, is_naive in (("app home", "app.py", False), ("naive page", naive, True)):
            with load.running(script, options, args.app_root) as server:
                load.warm(server, base)
                res = load.run_load(
                    server,
                    sessions=8,
                    reruns=10_000,
                    think=0.0,
                    base=base,
                    naive=is_naive,
                    duration=10 if args.quick else 20,
                )
            label = f"{setting}, {name}, no think (saturation)"
            print(label, res.summary(), res.error_samples[:3], flush=True)
            saturation.append(_load_rows(label, res))
    return "\n\n".join(
        (
            "### Lecture hall and saturation (real server, websocket sessions)",
            _header(command, started),
            f"Lecture: {sessions} sessions join within 5 s, then each does {reruns} reruns (a new seed each), "
            "pausing an exponential 5 s mean before each. Saturation: 8 sessions rerunning back to back for "
            f"{10 if args.quick else 20} s. Latency is from sending `rerun_script` to `script_finished`; "
            "`first load` is each session's first run; KiB/rerun is the sum of the ForwardMsg frames of one rerun "
            "(no client-side message cache announced); MiB/session is (RSS with every session connected after the "
            "load − idle RSS) / sessions.",
            common.table(LOAD_HEADERS, lecture),
            common.table(LOAD_HEADERS, saturation),
        )
    )


def part_memory(args: argparse.Namespace, command: str) -> str:
    from benchmarks import load

    started = time.time()
    n, d = (128, 64) if args.quick else (256, 512)
    configs = 24 if args.quick else 60
    variants = {
        "max_entries only (server.maxCacheDataSize unset)": {"server.maxCacheDataSize": "0"},
        "with .streamlit/config.toml": {},
    }
    samples: dict[str, dict[int, float]] = {}
    for name, extra in variants.items():
        options = {"runner.postScriptGC": "false", **extra}
        with load.running("app.py", options, args.app_root) as server:
            s = load.Session(server.port, common.params(n, d), timeout=300)
            got = samples.setdefault(name, {})
            try:
                s.rerun()
                got[0] = server.rss() / 2**20
                for i in range(1, configs + 1):
                    s.rerun({"seed": 5000 + i})
                    if i % 6 == 0:
                        got[i] = server.rss() / 2**20
                        print(f"memory [{name}]: {i} distinct configs, server RSS {got[i]:.0f} MiB", flush=True)
            finally:
                s.close()
    keys = sorted({k for v in samples.values() for k in v})
    rows = [(k, *(f"{samples[name].get(k, float('nan')):.0f}" for name in variants)) for k in keys]
    return "\n\n".join(
        (
            f"### Server memory over distinct configs (n = {n}, d_model = {d}, one new seed per rerun)",
            _header(command, started),
            "One session reruns with a new seed each time, so every run adds a cache entry "
            "(runner.postScriptGC=false in both columns: the setting under test for memory).",
            common.table(("distinct configs", *(f"server RSS MiB, {name}" for name in variants)), rows),
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Page benchmarks: rerun time, bytes, browser, load, memory.")
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ", ".join(PARTS))
    ap.add_argument("--quick", action="store_true", help="a subset of sizes and fewer repetitions")
    ap.add_argument("--app-root", type=Path, default=common.REPO, help="the checkout whose app is measured")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args(argv)
    args.app_root = args.app_root.resolve()
    raw = list(argv or sys.argv[1:])
    if "--app-root" in raw:
        i = raw.index("--app-root")
        del raw[i : i + 2]
    command = "python -m benchmarks.run " + " ".join(a for a in raw if not a.startswith("--app-root="))
    command = command.strip()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    for part in parts:
        if part not in PARTS:
            ap.error(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
    funcs = {"pages": part_pages, "browser": part_browser, "load": part_load, "memory": part_memory}
    for part in parts:
        body = funcs[part](args, f"{command} --only {part}" if "--only" not in command else command)
        print(body, flush=True)
        if not args.no_write:
            common.write_section(part, body)


if __name__ == "__main__":
    main()
