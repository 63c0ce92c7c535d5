"""Phones and projectors in the real browser: the α heatmap at 390 px (a phone's User-Agent), and
presenter mode at a projector's 1024 × 768. Their pictures go to docs/ only through
`python -m tests.e2e.screenshots`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import App, Journal, Server

pytestmark = pytest.mark.e2e

# A phone's browser says so in its User-Agent ("Mobi"); the app lays figures out for ~360 px then.
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Mobile Safari/537.36"
)
TWELVE = "el+perro+de+mi+vecina+ladra+cada+noche+cuando+la+luna+sale"


def open_in(browser: Any, server: Server, journal: Journal, viewport: dict[str, int], phone: bool) -> App:
    from conftest import WAIT_TIMEOUT_MS, App

    extra: dict[str, Any] = {"is_mobile": True, "has_touch": True, "user_agent": PHONE_UA} if phone else {}
    context = browser.new_context(viewport=viewport, locale="en-US", **extra)
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    return App(context, server, journal, own_context=True)


def chart_texts(page: Any) -> dict[str, Any]:
    """The first heatmap's cell values, key-axis labels and mode bar, with their boxes on screen."""
    return dict(
        page.evaluate(
            """() => {
                const chart = document.querySelector("[data-testid='stPlotlyChart']");
                const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
                const cells = Array.from(chart.querySelectorAll('.hm text, g.textpoint text, .heatmaplayer text'))
                    .filter(t => t.textContent.trim() !== '').map(t => [t.textContent, ...box(t)]);
                const xticks = Array.from(chart.querySelectorAll('.xtick text')).map(t => t.textContent);
                const modebar = chart.querySelector('.modebar');
                const shown = !!modebar && getComputedStyle(modebar).display !== 'none';
                return {chart: box(chart), cells, xticks, modebar: shown};
            }"""
        )
    )


def overlapping(boxes: list[list[Any]]) -> list[tuple[str, str]]:
    out = []
    for i, (a, al, at, ar, ab) in enumerate(boxes):
        for b, bl, bt, br, bb in boxes[i + 1 :]:
            if al < br and bl < ar and at < bb and bt < ab:
                out.append((a, b))
    return out


@pytest.mark.parametrize(
    "path", ["/?present=1&step=5", f"/?present=1&step=5&sentence={TWELVE}", f"/matrix?sentence={TWELVE}"]
)
def test_phone_heatmap_is_legible(browser: Any, server: Server, journal: Journal, path: str, doc_shots: Path) -> None:
    app = open_in(browser, server, journal, {"width": 390, "height": 844}, phone=True)
    try:
        page = app.open(path)
        chart = page.locator("[data-testid='stPlotlyChart']").first
        chart.scroll_into_view_if_needed()
        found = chart_texts(page)
        assert not overlapping(found["cells"]), overlapping(found["cells"])[:5]
        left, _, right, _ = found["chart"]
        assert left >= 0 and right <= 390
        for _, cell_left, _, cell_right, _ in found["cells"]:
            assert left <= cell_left and cell_right <= right
        n = 12 if "perro" in path else 5
        assert len(found["xticks"]) == n, found["xticks"]  # every token labelled, none skipped
        assert not found["modebar"]  # it covered the title and the axis label
        # The title is printed above the chart, inside the screen.
        title = page.get_by_text("how much each word", exact=False).first
        box = title.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        if path == "/?present=1&step=5":
            chart.screenshot(path=str(doc_shots / "phone-heatmap.png"))
        app.assert_clean()
    finally:
        app.close()


def test_desktop_heatmap_of_12_words_and_2_heads_has_no_overlapping_values(
    browser: Any, server: Server, journal: Journal
) -> None:
    app = open_in(browser, server, journal, {"width": 1400, "height": 1000}, phone=False)
    try:
        page = app.open(f"/multihead?n_heads=2&sentence={TWELVE}")
        found = chart_texts(page)
        assert not overlapping(found["cells"]), overlapping(found["cells"])[:5]
        assert len(found["xticks"]) == 12
        app.assert_clean()
    finally:
        app.close()


def test_presenter_mode_fits_a_1024_by_768_projector(
    browser: Any, server: Server, journal: Journal, doc_shots: Path
) -> None:
    app = open_in(browser, server, journal, {"width": 1024, "height": 768}, phone=False)
    try:
        page = app.open("/?present=1&step=5")
        chart = page.locator("[data-testid='stPlotlyChart']").first.bounding_box()
        assert chart is not None and chart["y"] >= 0 and chart["y"] + chart["height"] <= 768, chart
        for label in ("Previous", "Next"):
            button = page.get_by_role("button", name=label).first
            box = button.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, (label, box)
            assert label in button.inner_text()
            # Not cut to "Previo…": no element of the label is wider than the room it gets.
            cut = "b => Array.from(b.querySelectorAll('*')).some(e => e.scrollWidth > e.clientWidth + 1)"
            assert not button.evaluate(cut), label
        page.screenshot(path=str(doc_shots / "projector-1024x768.png"))
        app.assert_clean()
    finally:
        app.close()


@pytest.mark.parametrize(("name", "path"), [("phone-home.png", "/"), ("phone-edit.png", "/edit")])
def test_phone_screenshot(
    browser: Any, server: Server, journal: Journal, name: str, path: str, doc_shots: Path
) -> None:
    """The whole page at 390 px for docs/ (Streamlit scrolls inside its container: stretch the viewport)."""
    app = open_in(browser, server, journal, {"width": 390, "height": 844}, phone=True)
    try:
        page = app.open(path)
        bottom = page.evaluate(
            "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").getBoundingClientRect().bottom"
        )
        page.set_viewport_size({"width": 390, "height": min(max(int(bottom) + 40, 844), 12_000)})
        page.wait_for_timeout(400)
        app.settle()
        assert page.locator("[data-testid='stException']").count() == 0
        # Nothing wider than the screen: no sideways scrolling on a phone.
        wide = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollWidth")
        assert wide <= 390, wide
        page.screenshot(path=str(doc_shots / name))
        app.assert_clean()
    finally:
        app.close()


# The table cells' computed font sizes (the innermost element holding each number) and the body text's.
TABLE_SIZES = """() => {
    const px = (e) => parseFloat(getComputedStyle(e).fontSize);
    const cells = Array.from(document.querySelectorAll("[data-testid='stTable'] td, [data-testid='stTable'] th"));
    const inner = cells.map(c => { const p = c.querySelector('p'); return px(p || c); });
    const body = document.querySelector("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p");
    return {cells: inner, body: px(body), grids: document.querySelectorAll("[data-testid='stDataFrame']").length,
            texts: cells.slice(0, 12).map(c => c.textContent)};
}"""


@pytest.mark.parametrize("path", ["/?present=1&step=4", "/?present=1&step=6&causal=1&lang=es"])
def test_presenter_tables_are_as_large_as_the_body_text(
    browser: Any, server: Server, journal: Journal, path: str, doc_shots: Path
) -> None:
    app = open_in(browser, server, journal, {"width": 1024, "height": 768}, phone=False)
    try:
        page = app.open(path)
        found = page.evaluate(TABLE_SIZES)
        assert found["grids"] == 0, "a canvas grid ignores the projector's CSS"
        assert found["cells"], found
        assert min(found["cells"]) >= found["body"] >= 20, found  # px: 1.35rem, the presenter body text
        if "step=6" in path:
            assert "−∞" in page.locator("[data-testid='stTable']").first.inner_text()
        else:
            assert found["texts"][0] == "word"  # the index header is named (axe: empty-table-header)
        page.screenshot(path=str(doc_shots / f"projector-tables-{'es' if 'lang=es' in path else 'en'}.png"))
        app.assert_clean()
    finally:
        app.close()
