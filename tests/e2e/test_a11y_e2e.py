"""axe-core (npm, pinned in tests/e2e/axe/package.json) on every page, at desktop and phone width, in
both languages: no serious or critical WCAG 2.1 AA violation, and `<html lang>` follows the language.

axe is injected with Playwright's add_script_tag. Streamlit scrolls inside its own main container, so
the viewport is first stretched to the content's height: off-screen nodes would go unchecked.
Pages come from ui.controls.PAGES, so a page added there is checked without touching this file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ui.controls import PAGES, ROOT

if TYPE_CHECKING:
    from conftest import App, Journal, Server

pytestmark = pytest.mark.e2e

AXE = ROOT / "tests" / "e2e" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": (1400, 1000), "phone": (390, 844)}
BLOCKING = {"serious", "critical"}
# Lesser findings that the app's own markup caused, and fixed: they must not come back.
OWN = {"heading-order", "empty-table-header", "page-has-heading-one", "html-has-lang", "valid-lang"}
# WCAG 2.0/2.1 A and AA rules, plus axe's best practices (heading order, landmarks, empty table headers).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def url_path(script: str) -> str:
    """The URL of a page script in Streamlit's pages-folder mechanism: pages/1_matrix.py -> /matrix."""
    return "/" if script == "app.py" else "/" + re.sub(r"^\d+_", "", Path(script).stem)


SCRIPTS = [path for path, _, _ in PAGES if (ROOT / path).exists()]


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.is_file():
        reason = f"axe-core is missing: run `npm ci --prefix {AXE.parents[2].relative_to(ROOT)}` (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return AXE


def violations(page: Any) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            """async (tags) => {
                const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
                const result = await axe.run(document, options);
                const summary = (n) => (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240);
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + summary(n)),
                    count: v.nodes.length,
                }));
            }""",
            TAGS,
        )
    )


def stretch_to_content(app: App, width: int) -> None:
    """Make the viewport as tall as the page's content, so axe sees every node (and colour contrast is
    measured on nodes that are really painted)."""
    page = app.page
    bottom = page.evaluate(
        "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").getBoundingClientRect().bottom"
    )
    page.set_viewport_size({"width": width, "height": min(max(int(bottom) + 40, 800), 16_000)})
    page.wait_for_timeout(300)
    app.settle()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("script", SCRIPTS, ids=[url_path(s) for s in SCRIPTS])
def test_axe_finds_no_serious_violation(
    browser: Any, server: Server, journal: Journal, axe_source: Path, script: str, device: str, lang: str
) -> None:
    from conftest import WAIT_TIMEOUT_MS, App

    width, height = WIDTHS[device]
    phone = device == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone, locale="en-US"
    )
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    app = App(context, server, journal, own_context=True)
    try:
        page = app.open(f"{url_path(script)}?lang={lang}")
        assert page.evaluate("() => document.documentElement.lang") == lang
        stretch_to_content(app, width)
        page.add_script_tag(path=str(axe_source))
        found = violations(page)
        blocking = [v for v in found if v["impact"] in BLOCKING or v["id"] in OWN]
        report = "\n".join(
            f"{v['impact']} {v['id']} ({v['count']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found
        )
        assert not blocking, f"{script} {device} {lang}:\n{report}"
        app.assert_clean()
    finally:
        app.close()


@pytest.mark.parametrize("path", ["/?present=1&step=4&lang=en", "/?present=1&step=6&causal=1&lang=es"])
def test_axe_in_presenter_mode_at_a_projectors_size(
    browser: Any, server: Server, journal: Journal, axe_source: Path, path: str
) -> None:
    """Presenter mode draws its tables as static HTML tables (ui/tables.py): their headers, contrast and
    scrolling are checked at 1024 × 768."""
    from conftest import WAIT_TIMEOUT_MS, App

    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-US")
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    app = App(context, server, journal, own_context=True)
    try:
        page = app.open(path)
        assert page.locator("[data-testid='stTable']").count() >= 1
        stretch_to_content(app, 1024)
        page.add_script_tag(path=str(axe_source))
        found = violations(page)
        blocking = [v for v in found if v["impact"] in BLOCKING or v["id"] in OWN]
        assert not blocking, "\n".join(f"{v['impact']} {v['id']}: {v['help']} {v['nodes']}" for v in blocking)
        app.assert_clean()
    finally:
        app.close()
