"""The trained-model page in a real browser: every view draws, links reopen the view, the phone
layout works, presenter mode stays on the page. The README's screenshots of it are taken here, into
docs/ only when asked for (`python -m tests.e2e.screenshots`), else into a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import pytest

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest.py itself
    from conftest import App

pytestmark = pytest.mark.e2e

WIDTH = 1400
MAX_HEIGHT = 9000
CHART = "[data-testid='stPlotlyChart']"


def _fit_and_shoot(app: App, folder: Path, name: str, width: int = WIDTH) -> None:
    """Make the viewport as tall as the content (Streamlit scrolls inside its own container), then shoot."""
    page = app.page
    content = page.evaluate(
        "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").getBoundingClientRect().bottom"
    )
    height = min(max(int(content) + 1, 800), MAX_HEIGHT)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(500)  # plotly redraws on resize
    app.settle()
    page.screenshot(path=str(folder / name))


def _query(app: App) -> dict[str, list[str]]:
    return parse_qs(urlparse(app.page.url).query)


@pytest.mark.parametrize(
    ("view", "charts", "shot"),
    [
        ("model", 1, "screenshot-trained-model.png"),
        ("head", 2, "screenshot-trained-head.png"),
        ("step", 1, None),
        ("patterns", 1, None),
        ("random", 2, None),
    ],
)
def test_each_view_draws_without_errors(app: App, doc_shots: Path, view: str, charts: int, shot: str | None) -> None:
    page = app.open(f"/trained?view={view}")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator(CHART).count() == charts
    assert page.get_by_text("[CLS]", exact=False).count() >= 1
    if shot is not None:
        _fit_and_shoot(app, doc_shots, shot)
    app.assert_clean()


def test_a_link_reopens_the_view_and_changes_go_back_into_the_link(app: App) -> None:
    page = app.open("/trained?view=head&layer=6&thead=12&text=The+cat+sat+on+the+mat&lang=es")
    assert page.get_by_text("Vista de una cabeza").count() >= 1
    assert page.get_by_text("capa 6, cabeza 12", exact=False).count() >= 1
    box = page.locator("[data-testid='stTextInputRootElement'] input").first
    box.fill("Los gatos duermen mucho")
    box.press("Enter")
    app.settle()
    page.wait_for_function("() => window.location.search.includes('duermen')")  # written early in the run
    app.settle()
    q = _query(app)
    assert q["text"] == ["Los gatos duermen mucho"] and q["view"] == ["head"] and q["layer"] == ["6"]
    page.get_by_text("##tos").first.wait_for()  # "gatos" -> ga ##tos: Spanish splits into sub-words
    app.assert_clean()


def test_presenter_mode_stays_on_the_page(app: App) -> None:
    page = app.open("/trained?present=1&view=head")
    assert "/trained" in page.url
    assert page.locator(CHART).count() == 2
    assert page.locator("h1").count() == 0  # no page title in presenter mode
    app.assert_clean()


def test_phone_layout(browser: Any, server: Any, journal: Any, doc_shots: Path) -> None:
    from conftest import WAIT_TIMEOUT_MS, App

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(WAIT_TIMEOUT_MS)
    phone = App(context, server, journal, own_context=True)
    try:
        page = phone.open("/trained?view=head")
        assert page.locator(CHART).count() == 2
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 400, f"the page scrolls sideways on a phone ({width} px)"
        _fit_and_shoot(phone, doc_shots, "screenshot-trained-phone.png", width=390)
        phone.assert_clean()
    finally:
        phone.close()
