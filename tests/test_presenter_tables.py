"""Presenter mode's tables (static HTML, the grid's digits), masked logits printed as −∞, and the
heatmap's cell values readable on every colour (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.colors
import pytest
from helpers import figures, open_app
from pandas.api.types import is_float_dtype
from streamlit.testing.v1 import AppTest

import attention_core as ac
from ui.heatmap import cell_text_colours

WORDS = ["me", "gusta", "estudiar", "inteligencia", "artificial"]


# ---------------------------------------------------------------- presenter mode: static tables


def static_tables(at: AppTest) -> list[pd.DataFrame]:
    return [t.value for t in at.table]


@pytest.mark.parametrize(("lang", "index"), [("en", "word"), ("es", "palabra")])
def test_presenter_tables_are_static_with_the_grids_digits(lang: str, index: str) -> None:
    at = open_app(None, present="1", step="4", lang=lang)
    assert not at.dataframe  # a canvas grid ignores the projector's CSS: none in presenter mode
    tables = static_tables(at)
    assert len(tables) == 3  # Q, K, V
    trace = ac.compute(ac.AttentionConfig())
    for table, values in zip(tables, (trace.q[0], trace.k[0], trace.v[0]), strict=True):
        assert table.index.name == index  # named index header (axe: empty-table-header)
        assert list(table.index) == WORDS
        assert table.to_numpy().tolist() == [[f"{v:.4f}" for v in row] for row in values]
    # The notebook's Q row for "me", as printed there (In [175]).
    assert tables[0].loc["me"].tolist()[:2] == [f"{trace.q[0, 0, 0]:.4f}", f"{trace.q[0, 0, 1]:.4f}"]


def test_presenter_tables_escape_the_words_they_show() -> None:
    # st.table reads cells and labels as markdown: a word with markdown syntax must show as typed.
    at = open_app(None, present="1", step="1", sentence="**bold** [x](y) $a$")
    table = static_tables(at)[0]
    trace = ac.compute(ac.AttentionConfig(sentence="**bold** [x](y) $a$"))
    shown = [label.replace("\\", "") for label in table.index]  # each markdown mark behind a backslash
    assert shown == ac.unique_labels(trace.tokens)
    assert all("\\" in label for label in table.index if any(c in label for c in "*[]()$"))


def test_outside_presenter_mode_the_tables_stay_grids() -> None:
    at = open_app(None)
    assert not at.table and len(at.dataframe) >= 10


# ---------------------------------------------------------------- masked logits: −∞


def _logit_column(at: AppTest, logit: str) -> pd.Series:
    return next(d.value[logit] for d in at.dataframe if logit in d.value.columns)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_masked_logits_print_as_minus_infinity(lang: str) -> None:
    at = open_app(None, causal="1", word="2", lang=lang)
    column = _logit_column(at, "logit")
    trace = ac.compute(ac.AttentionConfig(causal=True))
    expected = [f"{v:.4f}" if np.isfinite(v) else "−∞" for v in trace.logits[0, 1]]
    assert column.tolist() == expected
    assert column.tolist()[2:] == ["−∞"] * 3  # word 2 sees words 1 and 2 only
    assert not any("Infinity" in str(v) or "inf" in str(v) for v in column)


def test_multihead_logits_table_prints_minus_infinity() -> None:
    at = open_app("pages/2_multihead.py")
    masked = ac.compute(ac.AttentionConfig(causal=True)).logits[0]
    tables = [d.value for d in at.dataframe if d.value.shape == (5, 5)]
    table = next(t for t in tables if not is_float_dtype(t.dtypes.iloc[-1]))  # the logits: −∞ makes it text
    assert is_float_dtype(table.dtypes.iloc[0])  # the first key is never masked: a number column
    shown = [[v if isinstance(v, str) else f"{v:.4f}" for v in row] for row in table.to_numpy().tolist()]
    assert shown[0] == [f"{masked[0, 0]:.4f}", "−∞", "−∞", "−∞", "−∞"]
    assert shown[4] == [f"{v:.4f}" for v in masked[4]]  # the last word sees every word


def test_presenter_mode_prints_minus_infinity_too() -> None:
    at = open_app(None, present="1", step="6", causal="1", word="1")
    word_table = next(t for t in static_tables(at) if "logit" in t.columns)
    assert word_table["logit"].tolist()[1:] == ["−∞"] * 4


# ---------------------------------------------------------------- heatmap cell values: contrast


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1 relative luminance, written from the definition."""
    out = 0.0
    for weight, channel in zip((0.2126, 0.7152, 0.0722), rgb, strict=True):
        c = channel / 255
        out += weight * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return out


def _contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_cell_value_has_aa_contrast_on_its_cell() -> None:
    alphas = np.linspace(0.0, 1.0, 1001)
    scale = plotly.colors.get_colorscale("Viridis")
    colours = cell_text_colours(alphas, scale, 0.0, 1.0)
    cells = plotly.colors.sample_colorscale(scale, list(alphas))  # plotly's own interpolation, "rgb(r, g, b)"
    for alpha, text, cell in zip(alphas, colours, cells, strict=True):
        rgb = plotly.colors.unlabel_rgb(cell)
        ratio = _contrast(plotly.colors.hex_to_rgb(str(text)), rgb)
        assert ratio >= 4.5, (alpha, text, cell, ratio)
    assert {"#000000", "#ffffff"} == set(colours.tolist())  # dark cells get white, light ones black


def test_heatmap_cell_values_are_a_text_layer_with_4_decimals() -> None:
    at = open_app(None)
    fig = next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")
    heat, text = fig["data"][0], fig["data"][-1]
    assert "texttemplate" not in heat  # one colour for all cells was unreadable on Viridis's teal
    assert text["type"] == "scatter" and text["mode"] == "text" and text["hoverinfo"] == "skip"
    alpha = ac.compute(ac.AttentionConfig()).weights[0]
    by_cell = {(y, x): v for x, y, v in zip(text["x"], text["y"], text["text"], strict=True)}
    assert len(by_cell) == 25
    for i, query in enumerate(WORDS):
        for j, key in enumerate(WORDS):
            assert by_cell[(query, key)] == f"{alpha[i, j]:.4f}"
    assert by_cell[("me", "me")] == "0.1984"  # the notebook's α (In [178])
    viridis = plotly.colors.get_colorscale("Viridis")
    assert [c for _, c in heat["colorscale"]] == [c for _, c in viridis]  # the scale the text colours assume
    np.testing.assert_allclose([p for p, _ in heat["colorscale"]], [p for p, _ in viridis], atol=1e-12)


def test_presenter_heatmap_labels_and_values_are_larger() -> None:
    def sizes(at: AppTest) -> tuple[int, int]:
        fig = next(f for f in figures(at) if f["data"][0]["type"] == "heatmap")
        return fig["layout"]["xaxis"]["tickfont"]["size"], fig["data"][-1]["textfont"]["size"]

    normal, present = sizes(open_app(None)), sizes(open_app(None, present="1", step="5"))
    assert present[0] >= 18 and present[1] >= 16  # px; body text is 21.6 px there
    assert present[0] > normal[0]
