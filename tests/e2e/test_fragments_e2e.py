"""The home page's pickers rerun only their fragment (ui/home.py); the address bar must still follow them.

A fragment rerun does not pass through the sidebar's controls(), which is where a full run writes
the URL; these tests pick a word and a head in a real browser and check the link that results,
then open that link as a new visitor.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING, Any

import pytest

from ui.locales import en

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest.py itself
    from conftest import App

pytestmark = pytest.mark.e2e

START = "/?sentence=the+cat+sat+down&seed=7&n_heads=2&d_model=8&d_k=4&d_v=4"
WORD, HEAD = en.MESSAGES["step6.pick"], en.MESSAGES["head.pick"]
SAT = en.MESSAGES["step6.summary"].split("{token}")[0] + "sat"  # step 6's summary names the picked word


def query(page: Any) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query, keep_blank_values=True))


def pick(app: App, label: str, option: str) -> None:
    """Choose `option` in the main area's selectbox labelled `label` (bounded retries: a click that lands
    while the previous run is still drawing may not open the list)."""
    page = app.page
    app.settle()
    box = page.locator(f"[data-testid='stMain'] [data-testid='stSelectbox']:has(input[aria-label='{label}'])")
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.get_by_role("button", name="Open").click()
        try:
            choice.wait_for(state="visible", timeout=5000)
        except Exception:
            page.keyboard.press("Escape")
            continue
        choice.click()
        return
    raise AssertionError(f"could not open {label!r} to pick {option!r}")


def selected(app: App, label: str) -> str:
    """The value shown by the main area's selectbox labelled `label`."""
    return str(app.page.locator(f"[data-testid='stMain'] input[aria-label='{label}']").input_value())


def test_word_and_head_pickers_keep_the_link_right(app: App, fresh_app: App) -> None:
    page = app.open(START)
    pick(app, WORD, "3. sat")
    page.wait_for_function("() => new URLSearchParams(location.search).get('word') === '3'")
    app.settle()
    assert SAT in page.locator("[data-testid='stMain']").inner_text()
    pick(app, HEAD, "Head 2")
    page.wait_for_function("() => new URLSearchParams(location.search).get('head') === '2'")
    app.settle()
    url = query(page)
    # The fragment runs changed their own keys and kept every other one.
    assert (url["word"], url["head"], url["seed"], url["n_heads"], url["sentence"]) == (
        "3",
        "2",
        "7",
        "2",
        "the cat sat down",
    )
    assert "2. Positional encodings" in page.locator("[data-testid='stMain']").inner_text()  # the rest is still there
    assert page.locator("[data-testid='stException']").count() == 0

    # A sidebar control after the fragment runs: a full run, which keeps the picked word and head.
    seed = page.locator("[data-testid='stSidebar'] input[aria-label='Seed']")
    seed.fill("8")
    seed.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('seed') === '8'")
    app.settle()
    assert (query(page)["word"], query(page)["head"]) == ("3", "2")

    # The link opens the same view for someone else.
    parts = urllib.parse.urlsplit(page.url)
    fresh_app.open(f"{parts.path}?{parts.query}")
    assert selected(fresh_app, WORD) == "3. sat"
    assert selected(fresh_app, HEAD) == "Head 2"
    assert SAT in fresh_app.page.locator("[data-testid='stMain']").inner_text()
    app.assert_clean()
    fresh_app.assert_clean()
