"""Browser tests of the lecture features: presenter mode driven by the keyboard, a Spanish page,
and screenshots of every further page for the README's tour (docs/screenshot-*.png)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import pytest

if TYPE_CHECKING:
    from conftest import App

pytestmark = pytest.mark.e2e

WIDTH = 1400


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def shoot(app: App, doc_shots: Path, name: str, start_height: int = 5200) -> None:
    """A screenshot as tall as the page's content (Streamlit scrolls inside its own container)."""
    page = app.page
    content = page.evaluate(
        "() => document.querySelector(\"[data-testid='stMainBlockContainer']\").getBoundingClientRect().bottom"
    )
    height = min(max(int(content) + 1, 900), 16_000)
    if height != start_height:
        page.set_viewport_size({"width": WIDTH, "height": height})
        page.wait_for_timeout(400)
        app.settle()
    page.screenshot(path=str(doc_shots / name))


def test_presenter_mode_moves_with_the_arrow_keys_and_keeps_the_step_in_the_url(app: App, doc_shots: Path) -> None:
    page = app.page
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    app.open("/?present=1&step=4")
    heading = page.locator("[data-testid='stHeading']").first
    assert heading.inner_text().startswith("4. Queries, keys and values")
    assert page.locator("[data-testid='stTextArea']").count() == 0  # the controls are hidden (the sentence box too)
    page.mouse.click(1350, 980)  # focus the page, not a widget
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '5'")
    app.settle()
    assert page.locator("[data-testid='stHeading']").first.inner_text().startswith("5. The attention weights")
    # The notebook's α (0.1984…), in presenter mode's larger type with 2 decimals (4 do not fit at 16 px).
    assert page.locator("[data-testid='stPlotlyChart'] svg text", has_text="0.20").count() >= 1
    shoot(app, doc_shots, "screenshot-presenter.png", 1000)
    page.set_viewport_size({"width": WIDTH, "height": 1000})
    for step in ("4", "3"):  # one key press per script run: a press during a run may be coalesced
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('step') === '{step}'")
        app.settle()
    app.settle()
    assert page.locator("[data-testid='stHeading']").first.inner_text().startswith("3. Projection matrices")
    app.assert_clean()


def test_a_presenter_link_opens_at_its_step(fresh_app: App) -> None:
    fresh_app.open("/?present=1&step=6&lang=es")
    page = fresh_app.page
    assert page.locator("[data-testid='stHeading']").first.inner_text().startswith("6. Una palabra, término a término")
    assert params(page.url)["step"] == ["6"]
    fresh_app.assert_clean()


def test_a_spanish_page_reads_in_spanish(app: App, doc_shots: Path) -> None:
    page = app.page
    page.set_viewport_size({"width": WIDTH, "height": 5200})
    app.open("/multihead?lang=es&n_heads=2&causal=true&sentence=el+gato+se+sienta+en+la+alfombra")
    text = page.locator("[data-testid='stMain']").inner_text()
    for phrase in ("Atención multicabeza y máscaras", "Una matriz α por cabeza", "La máscara causal", "Temperatura"):
        assert phrase in text
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "Paso a paso" in sidebar and "Frase" in sidebar
    # Masked cells are labelled: the Spanish word where it fits its cell, else the logit −∞; never English.
    labels = page.locator("[data-testid='stPlotlyChart'] svg text")
    assert labels.filter(has_text="enmascarada").count() + labels.filter(has_text="−∞").count() >= 1
    assert labels.filter(has_text="masked").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    shoot(app, doc_shots, "screenshot-multihead-es.png")
    app.assert_clean()


TOUR = {
    "screenshot-multihead.png": "/multihead?n_heads=3&sentence=the+cat+sat+on+the+mat&causal=true&d_model=8",
    "screenshot-vectors.png": "/vectors",
    "screenshot-vectors-pca.png": "/vectors?sentence=the+quick+brown+fox+jumps+over+the+lazy+dog"
    "&d_model=16&d_k=8&dims=2",
    "screenshot-edit.png": "/edit?custom=true&edits=e.0.0.0%3D1.5",
    "screenshot-export.png": "/export",
}


@pytest.mark.parametrize(("name", "path"), TOUR.items(), ids=list(TOUR))
def test_tour_screenshot(app: App, name: str, path: str, doc_shots: Path) -> None:
    page = app.page
    page.set_viewport_size({"width": WIDTH, "height": 5200})
    app.open(path)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stHeading']").count() >= 1
    shoot(app, doc_shots, name)
    app.assert_clean()


def test_the_browser_tab_title_follows_the_language(app: App) -> None:
    app.open("/?lang=es")
    assert app.page.title() == "Atención, paso a paso"
    app.open("/glossary?lang=en")
    assert app.page.title() == "Glossary · Attention, step by step"
    app.assert_clean()
