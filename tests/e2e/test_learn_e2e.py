"""Browser test of "Learn the weights": train, scrub, open in Step by step, and a shared link
reopening the same step; plus the page's screenshots (README tour, and a phone-width look)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import pytest

if TYPE_CHECKING:
    from conftest import App

pytestmark = pytest.mark.e2e


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def content_height(app: App) -> int:
    return int(
        app.page.evaluate(
            "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").getBoundingClientRect().bottom"
        )
    )


def test_train_scrub_open_in_step_by_step_and_share(app: App, fresh_app: App) -> None:
    page = app.page
    app.open("/learn")
    assert page.locator("[data-testid='stPlotlyChart']").count() == 5  # animation, curves, before, after, Q·Kᵀ
    assert page.locator("[data-testid='stMetricValue']", has_text="100.0%").count() == 1
    # The animation's own controls are there (plotly draws the Play button and the frame slider).
    assert page.locator("[data-testid='stPlotlyChart'] .updatemenu-button", has_text="Play").count() == 1

    # Scrub: the step slider, moved with the keyboard like a user would.
    thumb = page.locator("[data-testid='stSlider'] input[type='range']").first
    assert thumb.get_attribute("aria-valuetext") == "300"  # the last step by default
    thumb.focus()
    for _ in range(20):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => new URLSearchParams(location.search).get('tr_step') === '100'")
    app.settle()
    assert page.locator("[data-testid='stExpander'] summary", has_text="α at step 100").count() == 1

    # Open in Step by step: the home page shows the learned numbers of step 100.
    page.get_by_role("button", name="Open in Step by step").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('learned') === 'true'")
    app.settle()
    assert "learned weights" in page.locator("[data-testid='stAlert']").first.inner_text()
    assert "step 100" in page.locator("[data-testid='stAlert']").first.inner_text()
    shared = page.url
    q = params(shared)
    assert q["tr_step"] == ["100"] and q["d_model"] == ["16"]
    assert page.locator("[data-testid='stException']").count() == 0
    app.assert_clean()

    # The shared link in a brand-new browser: the same step's learned weights, no retraining needed.
    other = fresh_app.page
    fresh_app.open(shared.removeprefix(fresh_app.server.url))
    banner = other.locator("[data-testid='stAlert']").first.inner_text()
    assert "learned weights" in banner and "step 100" in banner
    fresh_app.open("/learn?" + urlparse(shared).query)
    assert other.locator("[data-testid='stExpander'] summary", has_text="α at step 100").count() == 1
    fresh_app.assert_clean()


def test_learn_page_screenshots(app: App, tmp_path: Path, doc_shots: Path) -> None:
    """docs/screenshot-learn.png for the README tour (1400 px), and a 390 px look for phones."""
    page = app.page
    page.set_viewport_size({"width": 1400, "height": 5200})
    app.open("/learn?tr_step=150")
    height = min(max(content_height(app) + 1, 900), 16_000)
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(400)
    app.settle()
    page.screenshot(path=str(doc_shots / "screenshot-learn.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(400)
    app.settle()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways on a phone by {overflow} px"
    page.screenshot(path=str(tmp_path / "learn-390.png"), full_page=True)  # to look at, not for the docs
    app.assert_clean()
