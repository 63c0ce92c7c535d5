"""A phone's sidebar lies over the page: after a change in it, or a page link, it closes, so the result
is on screen (ui/collapse_sidebar.js); beside the page on a desktop it stays open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from test_phone_e2e import open_in

if TYPE_CHECKING:
    from conftest import Journal, Server

pytestmark = pytest.mark.e2e

# The sidebar slides in: a tap during the slide can miss the control, so tests wait until it is all on screen.
SIDEBAR_IN = "() => document.querySelector(\"[data-testid='stSidebar']\").getBoundingClientRect().left >= 0"
SIDEBAR_IS = "() => document.querySelector(\"[data-testid='stSidebar']\").dataset.collapsed === '{}'"


def _sidebar_collapsed(page: Any) -> bool:
    return page.get_attribute("[data-testid='stSidebar']", "data-collapsed") == "true"


def _in_viewport(box: dict[str, float] | None, width: int, height: int) -> bool:
    """At least half of `box` is on the screen, and all of its width."""
    if box is None or box["x"] < 0 or box["x"] + box["width"] > width + 1:
        return False
    shown = min(box["y"] + box["height"], height) - max(box["y"], 0)
    return shown >= box["height"] / 2 or shown >= height / 2


def test_phone_sidebar_closes_after_a_change_and_a_page_link(browser: Any, server: Server, journal: Journal) -> None:
    from ui.i18n import translate

    app = open_in(browser, server, journal, {"width": 390, "height": 844}, phone=True)
    try:
        page = app.open("/matrix")
        assert _sidebar_collapsed(page)  # a phone starts with it closed
        sidebar = page.locator("[data-testid='stSidebar']")
        chart = page.locator("[data-testid='stPlotlyChart']").first
        chart.scroll_into_view_if_needed()  # a student looking at the heatmap opens the sidebar…
        page.locator("[data-testid='stExpandSidebarButton']").tap()
        page.wait_for_function(SIDEBAR_IN)
        sidebar.get_by_text(translate("en", "controls.causal"), exact=True).tap()  # …and turns the causal mask on
        page.wait_for_url("**causal=true**")  # the change happened…
        app.settle()
        page.wait_for_function(SIDEBAR_IS.format("true"))
        assert _in_viewport(chart.bounding_box(), 390, 844)  # …and its result is on screen, not behind the sidebar
        assert sidebar.bounding_box() is None or sidebar.bounding_box()["x"] + sidebar.bounding_box()["width"] <= 0
        # A page link: the next page is on screen, the sidebar closed.
        page.locator("[data-testid='stExpandSidebarButton']").tap()
        page.wait_for_function(SIDEBAR_IN)
        sidebar.get_by_text(translate("en", "nav.multihead"), exact=True).tap()
        page.wait_for_url("**/multihead**")
        app.settle()
        page.wait_for_function(SIDEBAR_IS.format("true"))
        assert _in_viewport(page.locator("h1").first.bounding_box(), 390, 844)
        app.assert_clean()
    finally:
        app.close()


def test_desktop_sidebar_stays_open_after_a_change(browser: Any, server: Server, journal: Journal) -> None:
    from ui.i18n import translate

    app = open_in(browser, server, journal, {"width": 1400, "height": 1000}, phone=False)
    try:
        page = app.open("/matrix")
        assert not _sidebar_collapsed(page)
        page.locator("[data-testid='stSidebar']").get_by_text(translate("en", "controls.causal"), exact=True).click()
        app.settle()
        page.wait_for_timeout(500)  # time for a wrong collapse to happen
        assert "causal=true" in page.url
        assert not _sidebar_collapsed(page)  # beside the page, it hides nothing
        app.assert_clean()
    finally:
        app.close()
