"""Screenshots for the README and for looking at: both pages, at the default and at 12 words, 2 heads.

Streamlit's main area scrolls inside its own container, so `full_page=True` would capture one
window's worth; instead the viewport is made as tall as the content (1400 px wide): first 5200 px,
then exactly the content's height.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest.py itself
    from conftest import App

pytestmark = pytest.mark.e2e

WIDTH = 1400
START_HEIGHT = 5200
MAX_HEIGHT = 16_000  # a runaway layout should not produce a gigapixel PNG
TWELVE = "?sentence=the+quick+brown+fox+jumps+over+the+lazy+dog+near+the+river&n_heads=2&d_model=8&d_k=4&d_v=4&seed=23"

SHOTS = {
    "screenshot.png": "/",
    "screenshot-matrix.png": "/matrix",
    "screenshot-12words-2heads.png": "/" + TWELVE,
    "screenshot-matrix-12words-2heads.png": "/matrix" + TWELVE,
}


@pytest.mark.parametrize(("name", "path"), SHOTS.items(), ids=list(SHOTS))
def test_screenshot(app: App, name: str, path: str, doc_shots: Path) -> None:
    page = app.page
    page.set_viewport_size({"width": WIDTH, "height": START_HEIGHT})
    app.open(path)

    # The block container's bottom edge (its padding included) is where the content ends.
    content = page.evaluate(
        "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").getBoundingClientRect().bottom"
    )
    height = min(max(int(content) + 1, 900), MAX_HEIGHT)
    if height != START_HEIGHT:
        page.set_viewport_size({"width": WIDTH, "height": height})
        page.wait_for_timeout(400)  # plotly redraws on resize
        app.settle()

    chart = page.locator("[data-testid='stPlotlyChart']").first
    box = chart.bounding_box()
    assert box is not None and box["y"] + box["height"] <= height, "the heatmap is outside the screenshot"
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(doc_shots / name))
    app.assert_clean()
