"""Browser time to heatmap: headless Chromium (Debian's, never a downloaded one), app against naive page.

For each size a fresh page navigates to the app's home and to the naive page (alternately); the
clock is the page's own `performance.now()` (0 = navigation start). Reported per run:
- heatmap: when plotly's heatmap image is in the chart's SVG (polled every animation frame);
- idle: when Streamlit says the script is no longer running and the last table has been drawn;
- long tasks (> 50 ms on the main thread, PerformanceObserver "longtask"): count, total and
  the longest; "interactive" = end of the last long task after load (no task ran after it), the
  Lighthouse-style time to interactive, observed over a quiet window of 3 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import common, load

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HEATMAP = "[data-testid='stPlotlyChart'] .heatmaplayer image"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"

_OBSERVE = """
window.__lt = [];
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__lt.push([e.startTime, e.duration]);
  }).observe({type: 'longtask', buffered: true});
} catch (e) {}
"""


@dataclass
class BrowserRun:
    heatmap_ms: float
    idle_ms: float
    interactive_ms: float
    long_tasks: int
    long_total_ms: float
    long_max_ms: float
    exceptions: int


def _one(context: object, url: str, timeout_s: float) -> BrowserRun:
    page = context.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(
            f"() => document.querySelector({HEATMAP!r}) ? (window.__hm = window.__hm || performance.now()) : false",
            polling="raf",
            timeout=timeout_s * 1000,
        )
        heatmap = float(page.evaluate("window.__hm"))
        page.wait_for_selector(IDLE, timeout=timeout_s * 1000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_s * 1000
        )
        idle = float(page.evaluate("performance.now()"))
        # quiet window: wait until no long task has started for 3 s (at most 30 s)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now, last = page.evaluate(
                "[performance.now(), window.__lt.length ? Math.max(...window.__lt.map(t => t[0] + t[1])) : 0]"
            )
            if now - max(last, idle) >= 3000:
                break
            time.sleep(0.25)
        tasks = page.evaluate("window.__lt")
        exceptions = page.locator("[data-testid='stException']").count()
    finally:
        page.close()
    ends = [s + d for s, d in tasks]
    return BrowserRun(
        heatmap_ms=heatmap,
        idle_ms=idle,
        interactive_ms=max([idle, *ends]),
        long_tasks=len(tasks),
        long_total_ms=sum(d for _, d in tasks),
        long_max_ms=max((d for _, d in tasks), default=0.0),
        exceptions=exceptions,
    )


SIZES = ((5, 4), (32, 64), (256, 512))


def run(app_root: Path, reps: int, log: Callable[[str], None] = print) -> dict[tuple[int, int, str], list[BrowserRun]]:
    from playwright.sync_api import sync_playwright

    naive_script = Path(__file__).resolve().parent / "naive_page.py"
    out: dict[tuple[int, int, str], list[BrowserRun]] = {}
    with (
        load.running("app.py", {}, app_root) as app,
        load.running(naive_script, {}, app_root) as naive,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            for n, d in SIZES:
                qs = common.query_string(common.params(n, d))
                targets = {"home": f"{app.url}/?{qs}", "naive": f"{naive.url}/?{qs}"}
                for url in targets.values():  # warm: server imports and the trace cache
                    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                    ctx.add_init_script(_OBSERVE)
                    _one(ctx, url, 180)
                    ctx.close()
                for _ in range(reps):
                    for name, url in targets.items():
                        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                        ctx.add_init_script(_OBSERVE)
                        r = _one(ctx, url, 180)
                        ctx.close()
                        out.setdefault((n, d, name), []).append(r)
                        log(
                            f"browser n={n} d_model={d} {name}: heatmap {r.heatmap_ms:.0f} ms, "
                            f"idle {r.idle_ms:.0f} ms, "
                            f"interactive {r.interactive_ms:.0f} ms, long tasks {r.long_tasks} "
                            f"(total {r.long_total_ms:.0f} ms, max {r.long_max_ms:.0f} ms)"
                        )
        finally:
            browser.close()
    return out


def report(results: dict[tuple[int, int, str], list[BrowserRun]]) -> str:
    rows = []
    for (n, d, name), runs in results.items():

        def med(f: Callable[[BrowserRun], float], runs: list[BrowserRun] = runs) -> str:
            return f"{common.median(f(r) for r in runs):.0f}"

        rows.append(
            (
                n,
                d,
                name,
                len(runs),
                med(lambda r: r.heatmap_ms),
                med(lambda r: r.idle_ms),
                med(lambda r: r.interactive_ms),
                med(lambda r: r.long_tasks),
                med(lambda r: r.long_total_ms),
                med(lambda r: r.long_max_ms),
                sum(r.exceptions for r in runs),
            )
        )
    return common.table(
        (
            "n",
            "d_model",
            "page",
            "loads",
            "heatmap drawn ms",
            "script idle ms",
            "interactive ms",
            "long tasks",
            "long-task total ms",
            "longest task ms",
            "exceptions",
        ),
        rows,
    )
