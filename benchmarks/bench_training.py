"""The "Learn the weights" page: default training time, slider-only rerun cost, animation payload.

    python -m benchmarks.bench_training [--reps 9] [--reruns 3] [--write]

1. `train(TrainConfig())` with the page's snapshots (every 10 steps), median of --reps runs, and
   the same run without snapshots beside it (what recording α costs).
2. A rerun that only moves the step slider on the Learn page (the first pass over the steps, and later
   ones), against a rerun of the home page at its defaults, interleaved in one process
   (AppTest, script-thread CPU and wall time, medians);
   the number of trainings during those reruns (0 means every slider move was a cache hit).
3. The bytes the Learn page sends: the α animation's figure JSON, all figures, everything.

Prints markdown tables; --write also puts them in docs/benchmarks.md (section `training`).
No asserts: numbers to read, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import attention_core as ac  # noqa: E402
from benchmarks import common, reruns  # noqa: E402


def training_times(reps: int) -> dict[str, list[float]]:
    """Wall and thread-CPU seconds per default training, with the page's snapshots (every 10 steps)
    and with one snapshot at the end, interleaved."""
    out: dict[str, list[float]] = {"page": [], "page_cpu": [], "bare": [], "bare_cpu": []}
    page_cfg = ac.TrainConfig(snapshot_every=10)
    end_only = ac.TrainConfig(snapshot_every=5000)
    ac.train(page_cfg)  # warm: imports, BLAS
    for _ in range(reps):
        for cfg, name in ((page_cfg, "page"), (end_only, "bare")):
            t0, c0 = time.perf_counter(), time.thread_time()
            ac.train(cfg)
            out[name].append(time.perf_counter() - t0)
            out[f"{name}_cpu"].append(time.thread_time() - c0)
    return out


def slider_reruns(passes: int) -> dict[str, Any]:
    """Interleaved reruns: home page (defaults) and the Learn page moving only its step slider."""
    from streamlit.testing.v1 import AppTest

    reruns._measure_script_cpu()
    calls: list[ac.TrainConfig] = []
    real = ac.train

    def counting(cfg: ac.TrainConfig, progress: Any = None) -> ac.TrainingRun:
        calls.append(cfg)
        return real(cfg, progress)

    ac.train = counting  # type: ignore[assignment]  # this process only, to count cache misses
    try:
        home = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
        home.run()
        learn = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
        learn.run()
        learn.switch_page("pages/7_learn.py")
        learn.run()
        trained_before = len(calls)
        home.run()
        # Every snapshot step once, then again: any per-step caching would show as a difference.
        steps = [s.step for s in real(ac.TrainConfig(snapshot_every=10)).snapshots][:-1]
        keys = ("home", "first", "again", "home_cpu", "first_cpu", "again_cpu")
        out: dict[str, list[float]] = {k: [] for k in keys}
        for visit in range(passes):
            which = "first" if visit == 0 else "again"
            for step in steps:
                t0 = time.perf_counter()
                home.run()
                out["home"].append(time.perf_counter() - t0)
                out["home_cpu"].append(reruns._CPU[-1])
                slider = learn.select_slider(key="tr_step_slider").set_value(step)
                t0 = time.perf_counter()
                slider.run()
                out[which].append(time.perf_counter() - t0)
                out[f"{which}_cpu"].append(reruns._CPU[-1])
        payload = reruns.page_bytes(learn)
        anim = next(c for c in learn.get("plotly_chart") if "frames" in c.proto.spec)
        home_bytes = reruns.page_bytes(home)
        return {
            **out,
            "trainings_first_visit": trained_before,
            "trainings_during_reruns": len(calls) - trained_before,
            "anim_bytes": len(anim.proto.spec.encode()),
            "figure_bytes": payload.figure,
            "total_bytes": payload.total,
            "home_total_bytes": home_bytes.total,
            "exceptions": payload.exceptions,
        }
    finally:
        ac.train = real  # type: ignore[assignment]


def report(reps: int, rerun_reps: int) -> str:
    load_before = "/".join(f"{x:.1f}" for x in os.getloadavg())
    tt = training_times(reps)
    r = slider_reruns(rerun_reps)
    load_after = "/".join(f"{x:.1f}" for x in os.getloadavg())
    med = common.median
    train_rows = [
        (label, f"{med(tt[k]) * 1000:.0f} ms", f"{min(tt[k]) * 1000:.0f}–{max(tt[k]) * 1000:.0f} ms",
         f"{med(tt[k + '_cpu']) * 1000:.0f} ms", f"{med(tt[k + '_cpu']) / med(tt['page_cpu']):.2f}")
        for label, k in (("default, snapshots every 10 steps (the page)", "page"),
                         ("default, one snapshot at the end", "bare"))
    ]  # fmt: skip
    home_cpu = med(r["home_cpu"])
    rerun_rows = [
        ("home page rerun (defaults)", f"{med(r['home']) * 1000:.0f} ms", f"{home_cpu * 1000:.0f} ms", "1.00"),
        ("slider moved, first pass over the steps", f"{med(r['first']) * 1000:.0f} ms",
         f"{med(r['first_cpu']) * 1000:.0f} ms", f"{med(r['first_cpu']) / home_cpu:.2f}"),
        ("slider moved, later passes", f"{med(r['again']) * 1000:.0f} ms",
         f"{med(r['again_cpu']) * 1000:.0f} ms", f"{med(r['again_cpu']) / home_cpu:.2f}"),
    ]  # fmt: skip
    kib = 1024
    byte_rows = [
        ("α animation figure JSON (31 frames)", f"{r['anim_bytes'] / kib:.1f} KiB"),
        ("all figures of the Learn page", f"{r['figure_bytes'] / kib:.1f} KiB"),
        ("every element of the Learn page", f"{r['total_bytes'] / kib:.1f} KiB"),
        ("every element of the home page (defaults), for scale", f"{r['home_total_bytes'] / kib:.1f} KiB"),
    ]
    return "\n\n".join(
        [
            "## Learn the weights (issue 12)",
            f"`python -m benchmarks.bench_training --reps {reps} --reruns {rerun_reps}`. {common.machine()} "
            f"Load average (1/5/15 min) {load_before} before, {load_after} after: other sessions' work shared "
            "the 2 cores, so absolute times are pessimistic; the ratios are measured side by side.",
            "**Default training** (`train(TrainConfig())`: 300 Adam steps, batch 64, n = 8, d = 16, one head; "
            f"median of {reps}, interleaved). Target ≤ 1 s.",
            common.table(
                ("run", "wall, median", "wall, range", "CPU, median", "CPU ratio to the page's run"), train_rows
            ),
            f"**Moving only the step slider** over all 30 earlier snapshot steps, {rerun_reps} passes, each move "
            "interleaved with a home-page rerun (AppTest; wall time and script-thread CPU, medians; the run's "
            "figures are built on the first visit, a slider move only replaces a few values). Trainings during "
            "these reruns: "
            f"**{r['trainings_during_reruns']}** (the first visit trained {r['trainings_first_visit']} time"
            f"{'' if r['trainings_first_visit'] == 1 else 's'}): every slider move is a cache hit.",
            common.table(("rerun", "wall", "script CPU", "CPU ratio to home"), rerun_rows),
            "**Bytes sent by the Learn page** (serialized element protos). Target for the animation ≤ 500 KiB.",
            common.table(("what", "size"), byte_rows),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=9, help="default trainings timed (median)")
    parser.add_argument("--reruns", type=int, default=3, help="passes over the snapshot steps (the first builds)")
    parser.add_argument("--write", action="store_true", help="also write the section in docs/benchmarks.md")
    args = parser.parse_args(argv)
    text = report(args.reps, args.reruns)
    print(text)
    if args.write:
        common.write_section("training", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
