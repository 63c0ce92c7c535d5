"""Cold start and memory of one `streamlit run app.py`: what a lecturer waits for after a deploy or a wake-up.

Each run starts a fresh server (the repository's .streamlit/config.toml, nothing cached) and measures:
- start: from launching `streamlit run app.py` to /_stcore/health answering "ok";
- home: a first visit in headless Chromium (Debian's) to the home page, until the α heatmap's image
  is drawn (the page's own clock, 0 = navigation start);
- trained: a first visit to "A trained model" (each --trained URL in turn), the model load included,
  until the script is idle with its charts drawn;
- RSS of the server process: idle (before any visit), after every model is loaded, and with
  --sessions websocket sessions connected, spread over every page (each has done its first run).

    python -m benchmarks.startup --runs 3                       # table on stdout
    python -m benchmarks.startup --runs 3 --write               # and into docs/benchmarks.md
    python -m benchmarks.startup --trained "/trained?model=minilm" --trained "/trained?model=e5"

No timing is asserted anywhere; medians and the spread over the runs are reported, with the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from deploy.server import launch

from . import common
from .load import Session

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HEATMAP = "[data-testid='stPlotlyChart'] .heatmaplayer image"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
CHART = "[data-testid='stPlotlyChart'] .main-svg"
SECTION = "startup"


def page_names(app_root: Path = common.REPO) -> list[str]:
    """Every page's URL name: "" for the home page, then pages/N_name.py -> "name"."""
    return ["", *(p.stem.split("_", 1)[1] for p in sorted((app_root / "pages").glob("*.py")))]


def first_visit(browser: object, url: str, selector: str, timeout_s: float = 300) -> float:
    """ms from navigation start until `selector` is in the page and the script is idle with no skeleton."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.wait_for_function(
            f"() => document.querySelector({selector!r})"
            " ? (window.__seen = window.__seen || performance.now()) : false",
            polling="raf",
            timeout=timeout_s * 1000,
        )
        seen = float(page.evaluate("window.__seen"))
        page.wait_for_selector(IDLE, timeout=timeout_s * 1000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_s * 1000
        )
        return max(seen, float(page.evaluate("performance.now()"))) if selector == CHART else seen
    finally:
        context.close()


def one_run(trained: Sequence[str], sessions: int, app_root: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    server = launch("app.py", None, app_root)
    out: dict[str, float] = {}
    try:
        server.wait_healthy(timeout=180)
        out["start_s"] = time.perf_counter() - t0
        time.sleep(1.0)
        out["rss_idle_mib"] = server.rss() / 2**20
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            try:
                out["home_ms"] = first_visit(browser, f"{server.url}/", HEATMAP)
                for i, path in enumerate(trained):
                    out[f"trained{i}_ms"] = first_visit(browser, f"{server.url}{path}", CHART)
            finally:
                browser.close()
        out["rss_models_mib"] = server.rss() / 2**20
        names = page_names(app_root)
        open_sessions: list[Session] = []
        failures = 0
        try:
            for i in range(sessions):
                s = Session(server.port, {}, page=names[i % len(names)])
                open_sessions.append(s)
                if not s.rerun().ok:
                    failures += 1
            time.sleep(1.0)
            out["rss_sessions_mib"] = server.rss() / 2**20
        finally:
            for s in open_sessions:
                s.close()
        out["session_failures"] = float(failures)
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
    return out


def spread(values: Sequence[float]) -> str:
    return f"{common.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--trained", action="append", default=None, help="a trained-page URL path, repeatable")
    ap.add_argument("--app-root", type=Path, default=common.REPO)
    ap.add_argument("--write", action="store_true", help="write the table into docs/benchmarks.md")
    args = ap.parse_args(argv)
    trained = args.trained or ["/trained"]
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the Dockerfile and the hall run it
    load_before = os.getloadavg()
    runs = []
    for r in range(args.runs):
        res = one_run(trained, args.sessions, args.app_root)
        print(f"run {r + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in res.items()), flush=True)
        runs.append(res)
    load_after = os.getloadavg()

    def col(key: str, scale: float = 1.0) -> str:
        return spread([r[key] * scale for r in runs])

    rows = [
        ("`streamlit run app.py` → health check `ok`", col("start_s", 1000), "ms"),
        ("first visit → home page's α heatmap drawn", col("home_ms"), "ms"),
        *(
            (f"first visit → `{path}` drawn (model load included)", col(f"trained{i}_ms"), "ms")
            for i, path in enumerate(trained)
        ),
        ("server RSS idle (no visit yet)", col("rss_idle_mib"), "MiB"),
        ("server RSS with every model loaded", col("rss_models_mib"), "MiB"),
        (
            f"server RSS with {args.sessions} sessions over {len(page_names(args.app_root))} pages",
            col("rss_sessions_mib"),
            "MiB",
        ),
    ]
    body = "\n".join(
        [
            f"Median (min–max) over {args.runs} runs, each on a freshly started server; "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
            f"session first runs that failed: {sum(int(r['session_failures']) for r in runs)}.",
            "",
            common.table(("measure", "median (min–max)", "unit"), rows),
            "",
            "Command: `" + " ".join(["python -m benchmarks.startup", *(sys.argv[1:] if argv is None else argv)]) + "`",
            "",
            common.machine(),
        ]
    )
    print(body)
    if args.write:
        common.write_section(SECTION, "## Cold start and memory\n\n" + body)


if __name__ == "__main__":
    main()
