"""A real streamlit server and Debian's headless Chromium, driven by playwright's sync API.

Modelled on Streamlit's own e2e_playwright/conftest.py: start the server on a free port with
`--server.headless true`, poll `/_stcore/health` until "ok", and before asserting wait for
`[data-testid='stApp'][data-test-script-state='notRunning']` and for no `stSkeleton`.

The browser is never downloaded: without the playwright package or /usr/bin/chromium these tests
skip with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from deploy.server import Server, start_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# One wait (a script run, plotly's bundle loading). A visit takes 3-10 s on an idle 2-core box and
# was measured at 40-80 s on one running several test suites and benchmarks at once.
WAIT_TIMEOUT_MS = 120_000
VIEWPORT = {"width": 1400, "height": 1000}
# Set by `python -m tests.e2e.screenshots`: only then do the tests write the README's docs/*.png.
DOC_SCREENSHOTS_ENV = "ATTENTION_DOC_SCREENSHOTS"

APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
APP_CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
SKELETON = "[data-testid='stSkeleton']"

# Errors Streamlit itself logs, each tied to a known upstream bug, matched as narrowly as possible.
# streamlit/streamlit#7074 (open, confirmed): opening a page's URL directly (/matrix?...) makes the
# frontend first try /matrix/_stcore/health and /matrix/_stcore/host-config as if "matrix" were
# the base path; both 404 and Chromium logs "Failed to load resource", then it retries at the root.
KNOWN_STREAMLIT_ERRORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "streamlit/streamlit#7074: a deep link first probes <page>/_stcore/* (404)",
        re.compile(
            r"console error: Failed to load resource: .*404.* @ https?://[^/]+/[A-Za-z0-9_-]+/_stcore/(health|host-config)$"
        ),
    ),
)


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium); these tests never download a browser"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_check() -> None:
    """Skip (or, under CI=true, fail) before starting anything when no browser can run."""
    reason = browser_unavailable()
    if reason is not None:
        _skip_or_fail(reason)


@pytest.fixture(scope="session")
def server(browser_check: None) -> Iterator[Server]:
    """`python -m streamlit run app.py` on a free local port (deploy.server.start_server, the launcher
    the benchmarks use too), stopped at the end of the session."""
    try:
        srv = start_server("app.py", cwd=ROOT)
    except RuntimeError as err:
        pytest.fail(str(err), pytrace=False)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser(browser_check: None) -> Iterator[Any]:
    """Debian's Chromium, headless, shared by the session; every test opens its own context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    """One URL opened in the browser, and what it logged."""

    url: str
    problems: list[str] = field(default_factory=list)  # console errors, page errors, failed requests
    dialogs: list[str] = field(default_factory=list)  # alert/confirm/prompt: never expected


@dataclass
class Journal:
    """Every visit of the session, for the final "the console stayed clean" check."""

    visits: list[Visit] = field(default_factory=list)

    def unexpected(self) -> list[str]:
        dialogs = [f"{v.url}: dialog {d}" for v in self.visits for d in v.dialogs]
        return dialogs + [f"{v.url}: {p}" for v in self.visits for p in v.problems if known_streamlit_error(p) is None]

    def tolerated(self) -> list[str]:
        out = []
        for v in self.visits:
            for p in v.problems:
                known = known_streamlit_error(p)
                if known is not None:
                    out.append(f"{v.url}: {p}  [{known}]")
        return out


def known_streamlit_error(problem: str) -> str | None:
    """The upstream bug a logged problem belongs to, or None when it is ours to fix."""
    for why, pattern in KNOWN_STREAMLIT_ERRORS:
        if pattern.search(problem):
            return why
    return None


@pytest.fixture(scope="session")
def journal() -> Journal:
    return Journal()


class App:
    """One browser tab on the test server: a new Streamlit session, and everything the tab logs."""

    def __init__(self, context: Any, server: Server, journal: Journal, own_context: bool = False) -> None:
        self.server = server
        self.journal = journal
        self.context = context
        self.own_context = own_context
        self.page = context.new_page()
        self.visit = Visit(url="(none)")
        self.visits: list[Visit] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda err: self.visit.problems.append(f"page error: {err}"))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("dialog", self._on_dialog)

    def _on_console(self, msg: Any) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self.visit.problems.append(f"console error: {msg.text}" + (f" @ {where}" if where else ""))

    def _on_request_failed(self, request: Any) -> None:
        self.visit.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _on_dialog(self, dialog: Any) -> None:
        self.visit.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str) -> Any:
        """Go to `path` (e.g. "/?seed=7") and wait until the first script run has drawn everything."""
        self.visit = Visit(url=path)
        self.visits.append(self.visit)
        self.journal.visits.append(self.visit)
        self.page.goto(self.server.url + path)
        self.page.wait_for_selector(APP_CONNECTED, state="attached")
        self.settle()
        return self.page

    def settle(self) -> None:
        """Wait for the script run to end and every placeholder to be replaced (Streamlit's own recipe).

        Skeletons outlive the run: a lazily loaded element (plotly's 4.7 MB bundle) keeps its
        placeholder until its code has arrived and drawn.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_selector(APP_IDLE, state="attached")
            self.page.wait_for_function(f"() => !document.querySelector({SKELETON!r})")
        except PlaywrightTimeout as err:
            raise AssertionError(f"{self.visit.url}: the app never settled; {self.describe()}") from err
        self.page.wait_for_timeout(100)  # let React commit the last delta

    def describe(self) -> str:
        """What the page looks like now, for a failure message."""
        state = self.page.evaluate(
            """() => {
                const app = document.querySelector("[data-testid='stApp']");
                const count = (id) => document.querySelectorAll(`[data-testid='${id}']`).length;
                return {
                    script: app && app.getAttribute('data-test-script-state'),
                    connection: app && app.getAttribute('data-test-connection-state'),
                    skeletons: count('stSkeleton'), charts: count('stPlotlyChart'), exceptions: count('stException'),
                };
            }"""
        )
        return f"state {state}, url {self.page.url}, logged {self.visit.problems}"

    def assert_clean(self) -> None:
        """No dialog, no console error, no page error, no failed request in this tab so far."""
        dialogs = [f"{v.url}: {d}" for v in self.visits for d in v.dialogs]
        assert not dialogs, "dialogs opened:\n" + "\n".join(dialogs)
        problems = [f"{v.url}: {p}" for v in self.visits for p in v.problems if known_streamlit_error(p) is None]
        assert not problems, "the browser logged:\n" + "\n".join(problems)

    def close(self) -> None:
        self.page.close()
        if self.own_context:
            self.context.close()


def _new_context(browser: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    return context


@pytest.fixture(scope="session")
def shared_context(browser: Any) -> Iterator[Any]:
    """One context for most tests: its HTTP and code caches spare each tab re-fetching Streamlit's JS."""
    context = _new_context(browser)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def app(shared_context: Any, server: Server, journal: Journal) -> Iterator[App]:
    """A new tab: a new websocket, so a new Streamlit session with nothing in its state."""
    a = App(shared_context, server, journal)
    try:
        yield a
    finally:
        a.close()


@pytest.fixture
def fresh_app(browser: Any, server: Server, journal: Journal) -> Iterator[App]:
    """A tab in a brand-new browser context: no cache, no cookies, as when a link is opened elsewhere."""
    a = App(_new_context(browser), server, journal, own_context=True)
    try:
        yield a
    finally:
        a.close()


@pytest.fixture(scope="session")
def doc_shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests save the pages they photograph: docs/ when taking the README's screenshots on
    purpose (`python -m tests.e2e.screenshots`), else a temporary folder, so that a test run never
    changes tracked files (another Chromium or font set gives other pixels)."""
    if os.environ.get(DOC_SCREENSHOTS_ENV) == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        return ROOT / "docs"
    return tmp_path_factory.mktemp("screenshots")
