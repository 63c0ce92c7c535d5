"""The "Encoder block" page in a real browser: both norm modes by deep link, the in-page mode switch, screenshots.

Streamlit's main area scrolls inside its own container, so for the screenshots the viewport is
made as tall as the content (1400 px wide), as in test_screenshots.py.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ui.locales import en

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest.py itself
    from conftest import App

pytestmark = pytest.mark.e2e

WIDTH = 1400
START_HEIGHT = 5000
MAX_HEIGHT = 16_000
MAIN = "[data-testid='stMain']"
CHART = "[data-testid='stPlotlyChart']"
EXCEPTION = "[data-testid='stException']"

# (link, screenshot, the step put on screen for it, the mode's switch label)
MODES = {
    "post-ln": (
        "/encoder",
        "screenshot-encoder-postln.png",
        "4. " + en.MESSAGES["encoder.step.ln1.title"],
        en.MESSAGES["encoder.mode.post"],
    ),
    "pre-ln": (
        "/encoder?norm_first=true&d_ff=8",
        "screenshot-encoder-preln.png",
        "6. " + en.MESSAGES["encoder.step.ffn1.title"],
        en.MESSAGES["encoder.mode.pre"],
    ),
}


def query(page: Any) -> dict[str, str]:
    """The address bar's query parameters, decoded."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query, keep_blank_values=True))


def pick_step(app: App, title: str) -> None:
    """Choose a step in the page's step picker and wait until its heading is on screen."""
    page = app.page
    page.locator(f"{MAIN} [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(state="visible")
    app.settle()


def fit_to_content(app: App) -> int:
    """Make the viewport as tall as the page's content; returns the height."""
    page = app.page
    # The main block's bottom, not stMain's scrollHeight: stMain is at least the viewport's height.
    content = page.evaluate(
        "() => Math.ceil(document.querySelector(\"[data-testid='stMainBlockContainer']\")"
        ".getBoundingClientRect().bottom)"
    )
    height = min(max(int(content), 900), MAX_HEIGHT)
    page.set_viewport_size({"width": WIDTH, "height": height})
    page.wait_for_timeout(400)  # plotly redraws on resize
    app.settle()
    return height


@pytest.mark.parametrize("mode", MODES, ids=list(MODES))
def test_deep_link_in_each_mode(app: App, mode: str, doc_shots: Path) -> None:
    path, shot, step, switch = MODES[mode]
    page = app.page
    page.set_viewport_size({"width": WIDTH, "height": START_HEIGHT})
    app.open(path)

    assert page.locator(EXCEPTION).count() == 0
    page.get_by_role("heading", name=en.MESSAGES["encoder.title"]).wait_for(state="visible")
    assert page.locator(CHART).count() == 1
    # The mode from the link is the one selected, in the page and in the address bar.
    selected = page.locator(f"{MAIN} [data-testid='stButtonGroup'] button[aria-checked='true']")
    assert selected.inner_text().strip() == switch
    assert query(page).get("norm_first", "false") == ("true" if mode == "pre-ln" else "false")

    pick_step(app, step)
    assert page.locator(EXCEPTION).count() == 0
    height = fit_to_content(app)
    box = page.locator(CHART).first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= height, "the diagram is outside the screenshot"
    page.screenshot(path=str(doc_shots / shot))
    app.assert_clean()


def test_in_page_switch_changes_mode_and_link(app: App) -> None:
    page = app.page
    app.open("/encoder")
    assert "norm_first" not in query(page)
    page.locator(f"{MAIN} [data-testid='stButtonGroup'] button", has_text=en.MESSAGES["encoder.mode.pre"]).click()
    page.wait_for_url(lambda url: "norm_first=true" in url)
    app.settle()
    assert page.locator(EXCEPTION).count() == 0
    pre_ln = page.locator(
        f"[data-testid='stSidebar'] input[type='checkbox'][aria-label='{en.MESSAGES['controls.norm_first']}']"
    )
    assert pre_ln.is_checked()
    app.assert_clean()
