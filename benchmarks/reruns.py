"""Server-side rerun time and bytes per rerun of each page, by rerunning one AppTest instance per page.

For each size the app's pages and the naive page are opened with the same URL, warmed with one run,
then rerun round-robin (home, matrix, naive, home, …) so that the machine's noise hits all alike;
the medians and their ratio to the naive page are reported. Bytes are the serialized size of the
element protos the rerun produced (what the server puts in its ForwardMsg deltas, less a few bytes of
envelope per delta), split into the plotly figure JSON and the Arrow tables.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import common

_CPU: list[float] = []  # script-thread CPU seconds of each script run, appended by the wrapper below


def _measure_script_cpu() -> None:
    """Record each script run's thread CPU time: far less sensitive than wall time to a busy machine."""
    from streamlit.runtime.scriptrunner import script_runner as sr

    if getattr(sr.ScriptRunner._run_script, "_bench", False):
        return
    original = sr.ScriptRunner._run_script

    def run_script(self: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            _CPU.append(time.thread_time() - t0)

    run_script._bench = True  # type: ignore[attr-defined]
    sr.ScriptRunner._run_script = run_script  # type: ignore[method-assign]


MAIN_PAGES = ("home", "matrix")  # measured on the whole grid; further pages on the quick subset


def app_pages(app_root: Path) -> dict[str, str]:
    """Page name -> path relative to the app root: the home page and every pages/N_name.py."""
    pages = {"home": "app.py"}
    for path in sorted((app_root / "pages").glob("*.py")):
        pages[path.stem.split("_", 1)[-1]] = f"pages/{path.name}"
    return pages


def pages_for(n: int, d_model: int, app_root: Path) -> list[str]:
    """The pages measured at one size, the naive baseline last."""
    names = list(app_pages(app_root))
    if (n, d_model) not in common.grid(quick=True):
        names = [p for p in names if p in MAIN_PAGES]
    return [*names, "naive"]


def _open(page: str, app_root: Path, p: dict[str, str]) -> Any:
    from streamlit.testing.v1 import AppTest

    if page == "naive":
        at = AppTest.from_file(str(Path(__file__).resolve().parent / "naive_page.py"), default_timeout=300)
    else:
        at = AppTest.from_file(str(app_root / "app.py"), default_timeout=300)
    at.query_params.update(p)
    at.run()
    path = app_pages(app_root).get(page, "app.py")
    if path != "app.py":
        at.switch_page(path)
        at.run()
    return at


def _leaves(node: Any, out: list[Any]) -> list[Any]:
    children = getattr(node, "children", None)
    if isinstance(children, dict):  # a block (main, sidebar, columns, expander…): count its elements
        for child in children.values():
            _leaves(child, out)
    elif hasattr(node, "proto"):
        out.append(node)
    return out


@dataclass
class PageBytes:
    total: int = 0
    figure: int = 0
    arrow: int = 0
    elements: int = 0
    exceptions: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def page_bytes(at: Any) -> PageBytes:
    """Serialized bytes of every element of the last run, with the figure and Arrow parts apart."""
    out = PageBytes()
    for leaf in _leaves(at._tree, []):
        proto = leaf.proto
        size = proto.ByteSize()
        kind = proto.DESCRIPTOR.name
        out.total += size
        out.elements += 1
        out.kinds[kind] = out.kinds.get(kind, 0) + size
        if kind == "PlotlyChart":
            out.figure += len(proto.spec.encode())
        elif kind == "Dataframe":
            out.arrow += len(proto.arrow_data.data)
        elif kind == "Exception":
            out.exceptions += 1
    return out


@dataclass
class SizeResult:
    n: int
    d_model: int
    times: dict[str, list[float]]
    cpu: dict[str, list[float]]
    bytes: dict[str, PageBytes]


def measure_size(n: int, d_model: int, app_root: Path, reps: int) -> SizeResult:
    _measure_script_cpu()
    p = common.params(n, d_model)
    apps = {page: _open(page, app_root, p) for page in pages_for(n, d_model, app_root)}
    for at in apps.values():  # a second warm run: caches, imports and plotly templates all loaded
        at.run()
    times: dict[str, list[float]] = {page: [] for page in apps}
    cpu: dict[str, list[float]] = {page: [] for page in apps}
    for _ in range(reps):
        for page, at in apps.items():
            t0 = time.perf_counter()
            at.run()
            times[page].append(time.perf_counter() - t0)
            cpu[page].append(_CPU[-1])
    sizes = {page: page_bytes(at) for page, at in apps.items()}
    del apps
    gc.collect()
    return SizeResult(n, d_model, times, cpu, sizes)


def reps_for(n: int, d_model: int, base: int) -> int:
    """Fewer reruns where one rerun is long, so the grid stays within minutes."""
    return base if n * d_model <= 32 * 512 else max(3, base // 2)


def run(app_root: Path, quick: bool, base_reps: int, log: Callable[[str], None] = print) -> list[SizeResult]:
    results = []
    for n, d in common.grid(quick):
        reps = reps_for(n, d, base_reps)
        r = measure_size(n, d, app_root, reps)
        med = {k: common.median(v) * 1000 for k, v in r.cpu.items()}
        log(
            f"n={n:3d} d_model={d:3d} reps={reps}: "
            + "  ".join(f"{k} {v:5.0f}/{common.median(r.times[k]) * 1000:5.0f} ms" for k, v in med.items())
            + "  exceptions "
            + str({k: b.exceptions for k, b in r.bytes.items()})
        )
        results.append(r)
    return results


def _target(n: int) -> float | None:
    return 1.0 if n <= 5 else 1.5 if n >= 256 else None


def time_table(results: list[SizeResult], which: str) -> str:
    """Rerun time per page (`which`: "cpu" or "times") with its ratio to the naive page."""
    pages = [p for p in dict.fromkeys(k for r in results for k in r.times) if p != "naive"]
    rows = []
    for r in results:
        med = {k: common.median(v) * 1000 for k, v in getattr(r, which).items()}
        heads, d_k = common.HEADS[r.d_model]
        ratios = {p: med[p] / med["naive"] for p in pages if p in med}
        target = _target(r.n)
        worst = max(ratios.values())
        verdict = "" if target is None else f"≤ {target:.1f}×: " + ("met" if worst <= target else "missed")
        cells = [f"{med[p]:.0f} ({ratios[p]:.2f}×)" if p in med else "" for p in pages]
        rows.append(
            (r.n, f"{r.d_model} ({heads}×{d_k})", len(r.times["naive"]), *cells, f"{med['naive']:.0f}", verdict)
        )
    return common.table(
        ("n", "d_model (heads×d_k)", "reruns", *(f"{p} ms (/ naive)" for p in pages), "naive ms", "target"), rows
    )


def report(results: list[SizeResult]) -> tuple[str, str, str]:
    """Markdown tables: script CPU and wall time per rerun with ratios to the naive page; bytes per rerun."""
    pages = [p for p in dict.fromkeys(k for r in results for k in r.times) if p != "naive"]
    brows = []
    for r in results:
        b = r.bytes
        cells = [
            f"{b[p].total / 1024:.0f} ({b[p].figure / 1024:.0f} + {b[p].arrow / 1024:.0f})" if p in b else ""
            for p in [*pages, "naive"]
        ]
        exc = sum(b[p].exceptions for p in pages if p in b)
        brows.append((r.n, r.d_model, *cells, exc))
    size_table = common.table(("n", "d_model", *(f"{p} KiB" for p in [*pages, "naive"]), "exceptions (app)"), brows)
    return time_table(results, "cpu"), time_table(results, "times"), size_table
