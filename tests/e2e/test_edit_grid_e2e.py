"""Typing into the Edit page's grids in the real browser: what is typed is what is stored, or it is
refused with a message the user can see without scrolling.

Streamlit's own number cells parse in the browser: "1,5" was stored as 15 and "1e309" as 1309,
silently. The grid now holds text cells that the app parses (ui.edits.parse_cell).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import pytest

if TYPE_CHECKING:
    from conftest import App

pytestmark = pytest.mark.e2e

GRID = "[data-testid='stDataFrame']"
HEADER, ROW = 35, 35  # glide-data-grid's header and row heights in Streamlit, px
E, WV = 0, 4  # grid order on the page: E, P, W_Q, W_K, W_V, the resulting α


def edits(app: App) -> str:
    return parse_qs(urlparse(app.page.url).query).get("edits", [""])[0]


def type_into_last_column(app: App, grid: int, row: int, text: str | None) -> None:
    """Double-click a cell of the grid's last column (its x is known without measuring the index
    column), replace its text in glide's overlay editor and commit with Enter; `None` clears the
    cell the way a user does, with the Delete key on the selected cell."""
    page = app.page
    editor = page.locator(GRID).nth(grid)
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] - 30, box["y"] + HEADER + ROW * row + ROW / 2)
    overlay = page.locator("textarea.gdg-input")
    overlay.wait_for()
    if text is None:
        overlay.press("Escape")
        page.wait_for_timeout(300)  # the overlay closes; the cell stays selected
        page.keyboard.press("Delete")
    else:
        overlay.fill(text)
        page.keyboard.press("Enter")
    page.wait_for_timeout(300)  # the edit reaches the server, which reruns the page twice
    app.settle()
    page.wait_for_timeout(300)
    app.settle()


def visible_alert(app: App, words: str) -> dict[str, float]:
    """The warning that contains `words`, asserted to lie inside the viewport."""
    page = app.page
    alert = page.locator("[data-testid='stAlert']", has_text=words)
    alert.first.wait_for()
    box = alert.first.bounding_box()
    view = page.viewport_size
    assert box is not None and view is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"], (box, view)
    return box


def test_a_decimal_comma_is_a_decimal_point(app: App) -> None:
    app.open("/edit")
    type_into_last_column(app, E, 0, "1,5")
    assert edits(app) == "e.0.0.3=1.5"  # Streamlit's number cell stored 15
    grid = app.page.locator(GRID).nth(E)
    assert "1.5000" in grid.locator("td#glide-cell-4-0").inner_text()
    app.assert_clean()


@pytest.mark.parametrize(
    ("typed", "words"),
    [("abc", "is not a number"), ("1e309", "too large"), (None, "left empty"), ("nan", "is not a number")],
    ids=["abc", "1e309", "empty", "nan"],
)
def test_what_does_not_parse_is_refused_beside_the_grid(app: App, typed: str | None, words: str) -> None:
    app.open("/edit?custom=true&edits=wv.0.0.0%3D0.5")
    type_into_last_column(app, WV, 1, typed)
    assert edits(app) == "wv.0.0.0=0.5"  # nothing stored
    box = visible_alert(app, words)  # the message is on screen where the user is looking…
    grid = app.page.locator(GRID).nth(WV).bounding_box()
    assert grid is not None and 0 <= box["y"] - (grid["y"] + grid["height"]) < 120  # …right below the grid
    assert app.page.locator("[data-testid='stToast']", has_text=words).count() == 1
    cell = app.page.locator(GRID).nth(WV).locator("td#glide-cell-3-1").inner_text()
    assert cell.strip() not in ("", typed) and float(cell) == pytest.approx(-0.0552, abs=1e-4)  # its last value
    app.assert_clean()
