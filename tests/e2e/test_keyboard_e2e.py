"""Keyboard users in the real browser: a collapsed sidebar is out of the Tab order (and comes back
when expanded), and a focused page link looks different from the current page's link (ui/style.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Journal, Server

pytestmark = pytest.mark.e2e

FOCUSED = """() => {
    const e = document.activeElement;
    return {inSidebar: !!e.closest("[data-testid='stSidebar']"), testid: e.getAttribute('data-testid') || e.tagName,
            left: e.getBoundingClientRect().left};
}"""


def test_collapsed_sidebar_is_out_of_the_tab_order_and_works_when_expanded(
    browser: Any, server: Server, journal: Journal
) -> None:
    from test_phone_e2e import open_in

    a = open_in(browser, server, journal, {"width": 390, "height": 800}, phone=True)
    try:
        page = a.open("/?present=1")
        assert page.get_attribute("[data-testid='stSidebar']", "data-collapsed") == "true"
        seen = []
        for _ in range(12):  # past the skip link, the expand button and the presenter bar
            page.keyboard.press("Tab")
            seen.append(page.evaluate(FOCUSED))
        hidden = [f for f in seen if f["inSidebar"]]
        assert not hidden, f"Tab focused {len(hidden)} controls in the collapsed sidebar: {hidden}"
        assert all(f["left"] >= 0 for f in seen), f"focus went off-screen: {seen}"
        # Expanded again, the sidebar is visible and its controls work: Español switches the page.
        page.click("[data-testid='stExpandSidebarButton']")
        page.wait_for_function(
            "() => document.querySelector(\"[data-testid='stSidebar']\").dataset.collapsed === 'false'"
        )
        spanish = page.locator("[data-testid='stSidebar'] button", has_text="Español")
        assert spanish.is_visible()
        spanish.click()
        a.settle()
        page.wait_for_function("() => document.documentElement.lang === 'es'")
        assert page.locator("[data-testid='stSidebar']").get_by_text("Modo presentación").count() >= 1
        a.assert_clean()
    finally:
        a.close()


def test_a_focused_page_link_differs_from_the_current_page_link(browser: Any, server: Server, journal: Journal) -> None:
    from test_phone_e2e import open_in

    a = open_in(browser, server, journal, {"width": 1400, "height": 1000}, phone=False)
    try:
        page = a.open("/")
        links = page.locator("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']")
        assert links.count() >= 2
        # The first link is the current page (home); reach the second by keyboard, as a user would.
        links.nth(0).focus()
        page.keyboard.press("Tab")
        outline = """(e) => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
        focused = links.nth(1).evaluate(outline)
        current = links.nth(0).evaluate(outline)
        assert links.nth(1).evaluate("(e) => e === document.activeElement")
        assert focused[0] != "none" and focused[1] >= 2, f"the focused link has no visible outline: {focused}"
        assert current[0] == "none" or current[1] == 0, f"the current page's link looks focused: {current}"
        a.assert_clean()
    finally:
        a.close()


@pytest.mark.parametrize("phone", [False, True], ids=["1400px", "390px"])
def test_table_toolbars_cover_nothing_above_the_table(
    browser: Any, server: Server, journal: Journal, phone: bool
) -> None:
    from test_phone_e2e import open_in

    viewport = {"width": 390, "height": 800} if phone else {"width": 1400, "height": 1000}
    a = open_in(browser, server, journal, viewport, phone=phone)
    try:
        page = a.open("/matrix")
        frames = page.locator("[data-testid='stFullScreenFrame']:has([data-testid='stElementToolbar'])")
        assert frames.count() >= 3
        for i in range(frames.count()):
            frames.nth(i).hover()
            # The toolbar's top edge against the bottom of the element drawn just above the table.
            gap = frames.nth(i).evaluate(
                """(frame) => {
                    const bar = frame.querySelector("[data-testid='stElementToolbar']").getBoundingClientRect();
                    const above = frame.closest("[data-testid='stElementContainer']").previousElementSibling;
                    return above ? bar.top - above.getBoundingClientRect().bottom : null;
                }"""
            )
            assert gap is None or gap >= -0.5, f"table {i}'s toolbar covers {-gap:.0f} px of what is above it"
        a.assert_clean()
    finally:
        a.close()
