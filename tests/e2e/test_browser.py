"""The app in a real browser: the notebook's numbers, the sidebar, shareable links, hostile links.

Every test opens a fresh browser context (a new user, a new Streamlit session) and ends by
checking that the browser logged no error. The deep-link test runs first, on a server no
visitor has touched yet, because that is where Streamlit's page mechanisms have misbehaved.
"""

from __future__ import annotations

import urllib.parse
import warnings
from typing import TYPE_CHECKING, Any

import pytest

from ui.locales import en

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest.py itself
    from conftest import App, Journal

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stPlotlyChart']"
SIDEBAR = "[data-testid='stSidebar']"
HOSTILE = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
SENTENCE = en.MESSAGES["controls.sentence"]  # the sentence box's label, which says how to apply it


def link(path: str, **params: Any) -> str:
    """A shareable link as the app writes it (application/x-www-form-urlencoded query)."""
    return path + "?" + urllib.parse.urlencode(params)


def query_of(url: str) -> dict[str, str]:
    """A URL's query parameters, decoded."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


def query(page: Any) -> dict[str, str]:
    """The address bar's query parameters, decoded."""
    return query_of(page.url)


def sidebar_value(page: Any, label: str) -> str:
    """The value shown by the sidebar input (or text area) whose accessible label is `label`."""
    return str(page.locator(f"{SIDEBAR} :is(input, textarea)[aria-label='{label}']").input_value())


def axis_labels(page: Any, axis: str) -> list[str]:
    """The tick labels of the first heatmap's `axis` ("x" or "y"), in screen order."""
    ticks = page.locator(f"{CHART} >> nth=0").locator(f"g.{axis}tick text")
    boxes = [(t.bounding_box(), t.text_content()) for t in ticks.all()]
    coord = "x" if axis == "x" else "y"
    return [text for box, text in sorted(boxes, key=lambda bt: bt[0][coord])]


def wait_for_labels(page: Any, axis: str, expected: list[str]) -> None:
    """Wait (bounded) until the first heatmap's labels on `axis` are `expected`, left-right or top-down."""
    page.wait_for_function(
        """([sel, axis, expected]) => {
            const chart = document.querySelector(sel);
            if (!chart) return false;
            const key = axis === 'x' ? 'x' : 'y';
            const ticks = [...chart.querySelectorAll(`g.${axis}tick text`)]
                .map(t => [t.getBoundingClientRect()[key], t.textContent])
                .sort((a, b) => a[0] - b[0]).map(p => p[1]);
            return JSON.stringify(ticks) === JSON.stringify(expected);
        }""",
        arg=[CHART, axis, expected],
    )


def test_deep_link_to_matrix_page_in_fresh_context(fresh_app: App) -> None:
    app = fresh_app
    page = app.open("/matrix?seed=5")

    assert urllib.parse.urlsplit(page.url).path == "/matrix"
    assert page.locator("h1").first.inner_text() == "Matrix form"
    # The shared controls are drawn on the page opened directly, with the link's value.
    assert sidebar_value(page, "Seed") == "5"
    assert sidebar_value(page, SENTENCE) == "me gusta estudiar inteligencia artificial"
    assert query(page)["seed"] == "5"  # and the address bar is a complete link again
    assert query(page)["sentence"] == "me gusta estudiar inteligencia artificial"
    assert page.locator(CHART).count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    app.assert_clean()


def test_home_shows_the_notebooks_alpha(app: App) -> None:
    page = app.open("/")

    assert page.locator("h1").first.inner_text() == "Attention, step by step"
    chart = page.locator(CHART).first
    cell = chart.locator("svg text", has_text="0.1984")  # α for "me" -> "me", the notebook's first weight
    assert cell.count() >= 1
    assert cell.first.is_visible()
    words = ["me", "gusta", "estudiar", "inteligencia", "artificial"]
    assert axis_labels(page, "x") == words
    assert axis_labels(page, "y") == words  # row 0 on top
    app.assert_clean()


def test_typing_a_sentence_updates_heatmap_and_url(app: App) -> None:
    page = app.open("/")
    sentence = "el niño come pan"

    box = page.locator(f"{SIDEBAR} [data-testid='stTextArea'] textarea[aria-label='{SENTENCE}']")
    box.fill(sentence)
    box.press("Control+Enter")  # a text area: Enter alone starts a new line

    page.wait_for_url(lambda url: query_of(url).get("sentence") == sentence)
    wait_for_labels(page, "x", sentence.split())
    app.settle()
    assert axis_labels(page, "y") == sentence.split()
    assert "sentence=" + urllib.parse.quote_plus(sentence) in page.url  # el+ni%C3%B1o+come+pan
    assert page.locator("[data-testid='stException']").count() == 0
    app.assert_clean()


def test_a_sentence_typed_on_two_lines_is_applied_as_one(app: App) -> None:
    """Enter makes a new line and applies nothing; Ctrl+Enter applies, and so does clicking outside.
    The line break is a space: the tokens, the link and the box all show one line."""
    page = app.open("/")
    box = page.locator(f"{SIDEBAR} textarea[aria-label='{SENTENCE}']")
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("el niño")
    page.keyboard.press("Enter")
    page.keyboard.type("come pan")
    assert box.input_value() == "el niño\ncome pan"  # Enter made a new line in the box…
    page.wait_for_timeout(700)
    app.settle()
    assert query(page)["sentence"] == "me gusta estudiar inteligencia artificial"  # …and applied nothing

    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: query_of(url).get("sentence") == "el niño come pan")
    wait_for_labels(page, "x", ["el", "niño", "come", "pan"])
    app.settle()
    assert axis_labels(page, "y") == ["el", "niño", "come", "pan"]
    assert box.input_value() == "el niño come pan"  # the box shows the sentence in use, on one line

    box.click()  # clicking outside the box applies too
    page.keyboard.press("Control+A")
    page.keyboard.type("the cat\nsat")
    page.locator("[data-testid='stMain'] h1").first.click()
    page.wait_for_url(lambda url: query_of(url).get("sentence") == "the cat sat")
    wait_for_labels(page, "x", ["the", "cat", "sat"])
    app.settle()
    assert box.input_value() == "the cat sat"
    app.assert_clean()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_sentence_box_hint_and_counter_sit_below_the_text(app: App, lang: str) -> None:
    """Streamlit draws a text area's hint and character counter over the box's bottom right, where they
    covered the sentence's last line; ui/style.py gives them a line of their own below the box. At a
    desktop, a projector and a phone's width, with a sentence long enough to fill the box."""
    long = "the quick brown fox jumps over the lazy dog near the river bank while the sun sets slowly"
    page = app.page
    for width, height in ((1400, 900), (1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        app.open(f"/?lang={lang}")
        if page.locator("[data-testid='stExpandSidebarButton']").is_visible():  # a phone's collapsed sidebar
            page.click("[data-testid='stExpandSidebarButton']")
        box = page.locator(f"{SIDEBAR} [data-testid='stTextArea'] textarea")
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(long)  # typed, not applied: the hint ("Press Ctrl+Enter to apply") shows too
        hint = page.locator(f"{SIDEBAR} [data-testid='stTextArea'] [data-testid='InputInstructions']")
        hint.wait_for(state="visible")
        shown = hint.inner_text()
        assert f"{len(long)}/8000" in shown, shown
        # Streamlit's hint is English; in Spanish the label says it (controls.sentence), the counter stays.
        assert ("Ctrl+Enter" in shown) == (lang == "en"), shown
        text_box = page.locator(f"{SIDEBAR} [data-testid='stTextAreaRootElement']").bounding_box()
        counter = hint.bounding_box()
        assert text_box is not None and counter is not None
        bottom = text_box["y"] + text_box["height"]
        assert counter["y"] >= bottom - 0.5, f"{width} px: the counter {counter} overlaps the box {text_box}"
        assert counter["x"] + counter["width"] <= text_box["x"] + text_box["width"] + 0.5, (width, counter, text_box)
        label = page.locator(f"{SIDEBAR} [data-testid='stTextArea'] label").inner_text()
        assert "Ctrl" in label, label  # the label says how to apply, in the page's language
    app.assert_clean()


def test_shared_link_restores_its_state(app: App) -> None:
    page = app.open("/?sentence=the+cat+sat&seed=7&n_heads=2&d_model=8")

    assert sidebar_value(page, SENTENCE) == "the cat sat"
    assert sidebar_value(page, "Seed") == "7"
    assert sidebar_value(page, "Heads") == "2"
    assert sidebar_value(page, "d_model") == "8"
    assert axis_labels(page, "x") == ["the", "cat", "sat"]
    assert axis_labels(page, "y") == ["the", "cat", "sat"]
    params = query(page)
    assert (params["sentence"], params["seed"], params["n_heads"], params["d_model"]) == ("the cat sat", "7", "2", "8")
    app.assert_clean()


def test_hostile_link_shows_text_and_runs_no_script(app: App) -> None:
    requested: list[str] = []
    app.page.on("request", lambda r: requested.append(r.url))
    page = app.open(link("/", sentence=HOSTILE))
    page.wait_for_timeout(500)  # time for an injected <img onerror> to fire, were there one

    assert sidebar_value(page, SENTENCE) == HOSTILE  # shown as text, exactly as given
    labels = axis_labels(page, "x")
    for token in ("<", "img", "onerror", "script", "alert"):
        assert token in labels, f"{token!r} missing from the heatmap's labels {labels}"
    # Markup from the link never becomes markup on the page.
    injected = page.evaluate(
        """() => ({
            img: [...document.querySelectorAll('img')].filter(i => (i.getAttribute('src') || '') === 'x'
                 || (i.getAttribute('onerror') || '') !== '').length,
            script: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(')).length,
        })"""
    )
    assert injected == {"img": 0, "script": 0}
    base = app.server.url
    assert not [u for u in requested if u.split("?")[0] in (f"{base}/x", f"{base}/matrix/x")]
    assert page.locator("[data-testid='stException']").count() == 0
    app.assert_clean()  # includes: no alert/confirm/prompt dialog opened


def test_bad_link_values_warn_and_never_raise(app: App) -> None:
    page = app.open("/?d_model=abc&seed=-5")

    warnings_shown = page.locator("[data-testid='stAlertContentWarning']")
    assert warnings_shown.count() >= 2
    text = " ".join(warnings_shown.all_inner_texts())
    assert "d_model" in text and "abc" in text
    assert "seed" in text and "-5" in text
    assert page.locator("[data-testid='stException']").count() == 0
    assert sidebar_value(page, "d_model") == "4"  # the default for a malformed value
    assert sidebar_value(page, "Seed") == "0"  # the nearest allowed value
    assert page.locator(CHART).first.locator("svg text", has_text="0.").count() > 0  # the page still works
    app.assert_clean()


def test_console_has_no_errors_across_visits(app: App, journal: Journal) -> None:
    """Every visit of this session (or, run alone, a home and a matrix visit) logged no error."""
    if len(journal.visits) < 2:
        app.open("/")
        app.open("/matrix?seed=5")
    assert not journal.unexpected(), "\n".join(journal.unexpected())
    for line in journal.tolerated():  # reported, never dropped silently
        warnings.warn(f"tolerated Streamlit error: {line}", stacklevel=1)
