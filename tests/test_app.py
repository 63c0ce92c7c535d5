"""AppTest (streamlit.testing.v1) tests of the two pages, against the reference notebook and the engine.

Two trusted references: the numbers the notebook prints (seed 23, 4 decimals), and
`attention_core.compute()` for any other configuration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import decode, open_app
from notebook_values import ALPHAS, ATTENTION_SCORES, ME_, K, Q, V, X
from notebook_values import WORDS as NOTEBOOK_WORDS
from streamlit.testing.v1 import AppTest

import attention_core as ac
from ui import params as P
from ui.locales import en, es

ROOT = Path(__file__).resolve().parent.parent
MATRIX = "pages/1_matrix.py"  # relative to app.py, as st.switch_page and AppTest.switch_page want it
EN, ES = en.MESSAGES, es.MESSAGES
DEFAULT = ac.AttentionConfig()
ROUND4 = 5.01e-5  # a value printed with 4 decimals is within half a unit of the 4th decimal


# --- the notebook's printed numbers (tests/data/seed_notebook.txt) ------------------------------

ALPHA, OUTPUT = ALPHAS, ATTENTION_SCORES  # In [178], In [180]
WORDS = list(NOTEBOOK_WORDS)


# --- helpers ----------------------------------------------------------------------------------


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def heatmap_figure(at: AppTest, index: int = 0) -> dict[str, Any]:
    charts = at.get("plotly_chart")
    assert len(charts) > index, "no heatmap on the page"
    return json.loads(charts[index].proto.spec)


def heatmap_raw_z(at: AppTest, index: int = 0) -> np.ndarray:
    """The α heatmap's z as sent; masked cells (causal mask) may be gaps (NaN)."""
    return decode(heatmap_figure(at, index)["data"][0]["z"]).astype(float)


def heatmap_z(at: AppTest, index: int = 0) -> np.ndarray:
    """The α values the heatmap shows, a masked cell (a gap) counting as its weight 0."""
    return np.nan_to_num(heatmap_raw_z(at, index), nan=0.0)


def heatmap_labels(at: AppTest) -> tuple[list[str], list[str]]:
    trace = heatmap_figure(at)["data"][0]
    return [str(s) for s in decode(trace["x"])], [str(s) for s in decode(trace["y"])]


def nodes(at: AppTest) -> Iterator[Any]:
    """Every element of the main area, in page order (depth first through columns and expanders)."""
    yield from at.main


def table_after(at: AppTest, marker: str | Callable[[str], bool]) -> pd.DataFrame:
    """The first table after the first heading or markdown whose text starts with `marker`."""
    match = marker if callable(marker) else (lambda text: text.startswith(marker))
    seen = False
    for node in nodes(at):
        kind = getattr(node, "type", None)
        if not seen and kind in ("markdown", "subheader", "title", "header") and match(str(node.value)):
            seen = True
        elif seen and kind == "dataframe":
            return node.value
    raise AssertionError(f"no table after {marker!r}")


def tables(at: AppTest) -> list[pd.DataFrame]:
    return [node.value for node in nodes(at) if getattr(node, "type", None) == "dataframe"]


def word_table(at: AppTest) -> pd.DataFrame:
    """Step 6's per-word table: one row per key, columns q·k, logit, α, α·v1…"""
    found = [df for df in tables(at) if "α" in df.columns and any(str(c).startswith("α·v") for c in df.columns)]
    assert len(found) == 1, "step 6's per-word table not found"
    return found[0]


def step(n: int) -> str:
    return f"{n}. "


def query(at: AppTest) -> dict[str, str]:
    return {k: (v if isinstance(v, str) else v[-1]) for k, v in at.query_params.items()}


def warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning]


def close(actual: Any, expected: Any, atol: float = ROUND4) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=0, atol=atol)


def same(actual: Any, expected: Any) -> None:
    """Equal to the engine's result (float32 allowed on the wire)."""
    close(actual, expected, atol=1e-6)


def config_with(**changes: Any) -> ac.AttentionConfig:
    return replace(DEFAULT, **changes)


# --- the default run: the notebook's numbers ---------------------------------------------------


@pytest.fixture(scope="module")
def home() -> AppTest:
    """One default session shared by the read-only tests below (none of them interacts with it)."""
    at = open_app()
    no_exception(at)
    return at


def test_default_heatmap_is_the_notebooks_alpha(home: AppTest) -> None:
    z = heatmap_z(home)
    assert z.shape == (5, 5)
    close(z, ALPHA)
    same(z, ac.compute(DEFAULT).weights[0])


def test_default_heatmap_layout(home: AppTest) -> None:
    fig = heatmap_figure(home)
    x, y = heatmap_labels(home)
    assert x == y == WORDS  # tokens on both axes, in sentence order
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"  # row 0 (the first query) on top
    values = fig["data"][-1]  # values printed with 4 decimals while n <= 16, as a text layer
    assert values["mode"] == "text" and values["text"][0] == "0.1984"  # the notebook's α for (me, me)
    hover = fig["data"][0]["hovertemplate"]
    assert "%{y}" in hover and "%{x}" in hover and "%{z" in hover and "customdata" in hover


def test_default_embeddings_table(home: AppTest) -> None:
    emb = table_after(home, step(1))
    assert list(emb.index) == WORDS
    assert list(emb.columns) == ["d1", "d2", "d3", "d4"]
    close(emb.loc["me"], ME_)
    assert [f"{v:.4f}" for v in emb.loc["me"]] == ["0.6670", "0.0258", "-0.7776", "0.9486"]


@pytest.mark.parametrize(
    ("marker", "expected", "columns"),
    [
        ("**X = E + P**", X, ["d1", "d2", "d3", "d4"]),
        ("**Q** ·", Q, ["q1", "q2", "q3"]),
        ("**K** ·", K, ["k1", "k2", "k3"]),
        ("**V** ·", V, ["v1", "v2", "v3"]),
        (step(7), OUTPUT, ["z1", "z2", "z3"]),
    ],
    ids=["X", "Q", "K", "V", "output"],
)
def test_default_tables_are_the_notebooks(
    home: AppTest, marker: str, expected: list[list[float]], columns: list[str]
) -> None:
    df = table_after(home, marker)
    assert list(df.index) == WORDS
    assert list(df.columns) == columns
    close(df, expected)


def test_default_tables_are_shown_with_4_decimals(home: AppTest) -> None:
    shown = [n for n in nodes(home) if getattr(n, "type", None) == "dataframe"]
    assert len(shown) >= 6
    for node in shown:
        columns = json.loads(node.proto.columns)
        assert columns, "no column_config"
        assert {c.get("type_config", {}).get("format") for c in columns.values()} == {"%.4f"}


def test_default_run_has_no_warning_or_error(home: AppTest) -> None:
    assert warnings(home) == []
    assert [e.value for e in home.error] == []
    assert [t.value for t in home.title] == [EN["home.title"]]


def test_default_url_holds_the_notebooks_config(home: AppTest) -> None:
    url = query(home)
    assert url["sentence"] == ac.NOTEBOOK_SENTENCE
    assert {k: url[k] for k in ("d_model", "d_k", "d_v", "seed", "n_heads")} == {
        "d_model": "4",
        "d_k": "3",
        "d_v": "3",
        "seed": "23",
        "n_heads": "1",
    }
    assert (url["positional"], url["scaled"], url["causal"], float(url["temperature"])) == (
        "notebook",
        "false",
        "false",
        1.0,
    )


# --- each control changes the output -----------------------------------------------------------


CONTROLS: list[tuple[str, str, Any, Any, Callable[[AppTest, ac.AttentionTrace], None]]] = []


def _control(key: str, widget: str, value: Any, url: str) -> Callable[..., Any]:
    def register(check: Callable[[AppTest, ac.AttentionTrace], None]) -> Callable[..., Any]:
        CONTROLS.append((key, widget, value, url, check))
        return check

    return register


@_control("sentence", "text_area", "the cat sat on the mat", "the cat sat on the mat")
def _sentence(at: AppTest, trace: ac.AttentionTrace) -> None:
    x, y = heatmap_labels(at)
    assert x == y == ["the", "cat", "sat", "on", "the (2)", "mat"]
    assert list(table_after(at, step(1)).index) == y


@_control("d_model", "number_input", 8, "8")
def _d_model(at: AppTest, trace: ac.AttentionTrace) -> None:
    assert list(table_after(at, step(1)).columns) == [f"d{i}" for i in range(1, 9)]
    assert table_after(at, "**X = E + P**").shape == (5, 8)
    same(table_after(at, "**X = E + P**"), trace.x)


@_control("d_k", "number_input", 5, "5")
def _d_k(at: AppTest, trace: ac.AttentionTrace) -> None:
    assert list(table_after(at, "**Q** ·").columns) == [f"q{i}" for i in range(1, 6)]
    same(table_after(at, "**K** ·"), trace.k[0])


@_control("d_v", "number_input", 2, "2")
def _d_v(at: AppTest, trace: ac.AttentionTrace) -> None:
    assert table_after(at, "**V** ·").shape == (5, 2)
    out = table_after(at, step(7))
    assert list(out.columns) == ["z1", "z2"]
    same(out, trace.output)


@_control("seed", "number_input", 7, "7")
def _seed(at: AppTest, trace: ac.AttentionTrace) -> None:
    same(table_after(at, step(1)), trace.embeddings)
    assert not np.allclose(heatmap_z(at), ALPHA, atol=1e-3)


@_control("n_heads", "number_input", 2, "2")
def _n_heads(at: AppTest, trace: ac.AttentionTrace) -> None:
    assert at.selectbox(key="head").options == ["Head 1", "Head 2"]
    same(table_after(at, "**W_O** ·"), trace.w_o)


@_control("positional", "selectbox", "sinusoidal", "sinusoidal")
def _positional(at: AppTest, trace: ac.AttentionTrace) -> None:
    same(table_after(at, "**P** —"), trace.positions)
    same(table_after(at, "**X = E + P**"), trace.x)
    assert not np.allclose(table_after(at, "**X = E + P**"), X, atol=1e-3)


@_control("scaled", "toggle", True, "true")
def _scaled(at: AppTest, trace: ac.AttentionTrace) -> None:
    assert r"\sqrt{d_k}" in " ".join(str(n.value) for n in at.latex)
    assert not np.allclose(heatmap_z(at), ALPHA, atol=1e-5)


@_control("causal", "toggle", True, "true")
def _causal(at: AppTest, trace: ac.AttentionTrace) -> None:
    z = heatmap_raw_z(at)
    later = np.triu(np.ones_like(z, dtype=bool), k=1)
    assert np.all(np.isnan(z[later]) | (z[later] == 0))  # no query attends to a later key
    assert not np.isnan(z[~later]).any()
    assert z[0, 0] == 1.0


@_control("temperature", "number_input", 0.5, "0.5")
def _temperature(at: AppTest, trace: ac.AttentionTrace) -> None:
    z = heatmap_z(at)
    assert np.ptp(z, axis=1).min() > np.ptp(np.asarray(ALPHA), axis=1).min()  # sharper rows


@_control("weight_scale", "number_input", 0.5, "0.5")
def _weight_scale(at: AppTest, trace: ac.AttentionTrace) -> None:
    seeded = ac.compute(DEFAULT)
    np.testing.assert_allclose(trace.w_q, seeded.w_q * 5, rtol=1e-12)  # the same draws, five times larger
    assert np.ptp(heatmap_z(at), axis=1).min() > np.ptp(np.asarray(ALPHA), axis=1).min()  # sharper rows


@pytest.mark.parametrize(("key", "widget", "value", "url", "check"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_each_control_changes_the_output(
    key: str, widget: str, value: Any, url: str, check: Callable[[AppTest, ac.AttentionTrace], None]
) -> None:
    at = open_app()
    before = heatmap_z(at)
    element = getattr(at, widget)(key=key)
    (element.input(value) if widget == "text_area" else element.set_value(value)).run()
    no_exception(at)
    assert getattr(at, widget)(key=key).value == value  # the widget keeps the new value
    assert query(at)[key] == url  # …and so does the address bar
    trace = ac.compute(config_with(**{key: value}))
    z = heatmap_z(at)
    same(z, trace.weights[0])  # the heatmap is the engine's for the new config
    if key not in ("d_v", "n_heads"):  # those leave head 1's α unchanged
        assert z.shape != before.shape or not np.allclose(z, before, atol=1e-9)
    check(at, trace)
    assert warnings(at) == []


def test_every_control_in_the_sidebar_has_a_test_above() -> None:
    """Read from the page, not from a list: a control added to the sidebar without a test fails here."""
    at = open_app()
    kinds = (
        "text_area",
        "text_input",
        "number_input",
        "toggle",
        "checkbox",
        "selectbox",
        "radio",
        "slider",
        "select_slider",
    )
    drawn = {w.key for kind in kinds for w in getattr(at.sidebar, kind)}
    config_controls = drawn & set(P.CONFIG_KEYS)
    assert "sentence" in config_controls and "temperature" in config_controls  # the scan sees the sidebar
    assert config_controls == {c[0] for c in CONTROLS}


def test_controls_combine() -> None:
    at = open_app()
    at.number_input(key="seed").set_value(7)
    at.toggle(key="causal").set_value(True)
    at.number_input(key="d_k").set_value(4).run()
    no_exception(at)
    same(heatmap_z(at), ac.compute(config_with(seed=7, causal=True, d_k=4)).weights[0])
    assert (query(at)["seed"], query(at)["causal"], query(at)["d_k"]) == ("7", "true", "4")


# --- the URL round trip -------------------------------------------------------------------------

LINK = {
    "sentence": "the cat sat on the mat",
    "seed": "7",
    "n_heads": "2",
    "d_model": "8",
    "scaled": "true",
    "causal": "true",
    "temperature": "0.5",
}
LINK_CONFIG = ac.AttentionConfig(
    sentence="the cat sat on the mat", seed=7, n_heads=2, d_model=8, scaled=True, causal=True, temperature=0.5
)


def test_a_link_restores_every_control_and_the_page() -> None:
    at = open_app(**LINK)
    no_exception(at)
    assert warnings(at) == []
    assert at.text_area(key="sentence").value == "the cat sat on the mat"
    assert at.number_input(key="seed").value == 7
    assert at.number_input(key="n_heads").value == 2
    assert at.number_input(key="d_model").value == 8
    assert at.number_input(key="d_k").value == 3 and at.number_input(key="d_v").value == 3
    assert at.toggle(key="scaled").value is True
    assert at.toggle(key="causal").value is True
    assert at.number_input(key="temperature").value == 0.5
    assert at.selectbox(key="positional").value == "notebook"
    trace = ac.compute(LINK_CONFIG)
    same(heatmap_z(at), trace.weights[0])
    x, _ = heatmap_labels(at)
    assert x == ["the", "cat", "sat", "on", "the (2)", "mat"]
    assert {k: query(at)[k] for k in LINK} == LINK  # the address bar still holds the link


def test_a_link_with_a_head_opens_on_that_head() -> None:
    at = open_app(**LINK, head="2")
    no_exception(at)
    assert at.selectbox(key="head").value == 2
    same(heatmap_z(at), ac.compute(LINK_CONFIG).weights[1])
    assert query(at)["head"] == "2"


def test_a_widget_change_gives_a_link_that_reopens_the_same_view() -> None:
    at = open_app()
    at.text_area(key="sentence").input("attention is all you need")
    at.number_input(key="seed").set_value(11)
    at.number_input(key="n_heads").set_value(3)
    at.selectbox(key="positional").set_value("none").run()
    at.selectbox(key="head").set_value(3).run()
    no_exception(at)
    url = query(at)
    assert url["sentence"] == "attention is all you need"
    assert (url["seed"], url["n_heads"], url["positional"], url["head"]) == ("11", "3", "none", "3")
    z = heatmap_z(at)
    same(
        z,
        ac.compute(config_with(sentence="attention is all you need", seed=11, n_heads=3, positional="none")).weights[2],
    )

    again = open_app(**url)  # someone opens the shared link
    no_exception(again)
    assert warnings(again) == []
    same(heatmap_z(again), z)
    assert query(again) == url


# --- bad parameters: a warning that names them, the default or nearest value, the page works ------

BAD = [
    ({"d_model": "abc"}, "d_model", lambda at: at.number_input(key="d_model").value == 4),
    ({"seed": "-5"}, "seed", lambda at: at.number_input(key="seed").value == 0),
    ({"n_heads": "999"}, "n_heads", lambda at: at.number_input(key="n_heads").value == 16),
    ({"sentence": ""}, "sentence", lambda at: at.text_area(key="sentence").value == ac.NOTEBOOK_SENTENCE),
    (
        {"sentence": " ".join(f"w{i}" for i in range(5000))},
        "sentence",
        lambda at: heatmap_z(at).shape == (256, 256) and heatmap_labels(at)[0][-1] == "w255",
    ),
    ({"positional": "<script>"}, "positional", lambda at: at.selectbox(key="positional").value == "notebook"),
    ({"temperature": "nan"}, "temperature", lambda at: at.number_input(key="temperature").value == 1.0),
    ({"temperature": "inf"}, "temperature", lambda at: at.number_input(key="temperature").value == 1.0),
    ({"scaled": "maybe"}, "scaled", lambda at: at.toggle(key="scaled").value is False),
    ({"n_heads": "2", "head": "abc"}, "head", lambda at: at.selectbox(key="head").value == 1),
    ({"lang": "fr"}, "lang", lambda at: at.title[0].value == EN["home.title"]),
]


@pytest.mark.parametrize(("params", "name", "check"), BAD, ids=[f"{p[1]}={str(p[0][p[1]])[:12]}" for p in BAD])
def test_bad_parameter_gives_a_warning_and_the_page_works(
    params: dict[str, str], name: str, check: Callable[[AppTest], bool]
) -> None:
    at = open_app(**params)
    no_exception(at)
    named = [w for w in warnings(at) if f"**{name}**" in w]
    assert len(named) == 1, warnings(at)
    assert check(at)
    assert heatmap_z(at).shape[0] >= 1  # the page still renders its heatmap
    assert [e.value for e in at.error] == []
    # the address bar is rewritten to what is shown, so the next visit has nothing to fix
    again = open_app(**query(at))
    no_exception(again)
    assert warnings(again) == []


def test_all_bad_parameters_at_once() -> None:
    at = open_app(
        d_model="abc",
        seed="-5",
        n_heads="999",
        sentence="",
        positional="<script>",
        temperature="nan",
        head="abc",
    )
    no_exception(at)
    text = " ".join(warnings(at))
    for name in ("d_model", "seed", "n_heads", "sentence", "positional", "temperature", "head"):
        assert f"**{name}**" in text
    assert "<script>" not in text  # user text is escaped, never markup
    same(heatmap_z(at), ac.compute(config_with(seed=0, n_heads=16)).weights[0])


# --- the matrix page ----------------------------------------------------------------------------


def test_the_matrix_page_keeps_the_state_and_checks_itself() -> None:
    at = open_app()
    at.number_input(key="seed").set_value(7).run()
    at.switch_page(MATRIX).run()
    no_exception(at)
    assert [t.value for t in at.title] == [EN["matrix.title"]]
    assert at.number_input(key="seed").value == 7
    assert query(at)["seed"] == "7"
    trace = ac.compute(config_with(seed=7))
    same(table_after(at, EN["matrix.x"]), trace.x)
    same(table_after(at, "**Q** ·"), trace.q[0])
    same(table_after(at, "**V** ·"), trace.v[0])
    same(heatmap_z(at), trace.weights[0])
    same(table_after(at, EN["matrix.av"]), trace.output)

    metric = at.metric
    assert len(metric) == 1 and metric[0].label == EN["matrix.check_metric"]
    assert 0 <= float(metric[0].value) < 1e-12
    assert len(at.success) == 1 and metric[0].value in at.success[0].value

    at.switch_page("app.py").run()  # and back: still seed 7
    no_exception(at)
    assert at.number_input(key="seed").value == 7
    same(heatmap_z(at), trace.weights[0])


def test_the_matrix_page_shows_the_notebooks_matrices() -> None:
    at = open_app(page=MATRIX)  # a deep link to the matrix page, on a new session
    no_exception(at)
    assert [t.value for t in at.title] == [EN["matrix.title"]]
    close(table_after(at, EN["matrix.x"]), X)
    close(table_after(at, "**Q** ·"), Q)
    close(table_after(at, "**K** ·"), K)
    close(table_after(at, "**V** ·"), V)
    close(heatmap_z(at), ALPHA)
    close(table_after(at, EN["matrix.av"]), OUTPUT)
    assert float(at.metric[0].value) < 1e-12


def test_a_link_to_the_matrix_page_restores_its_state() -> None:
    at = open_app(page=MATRIX, **LINK, head="2")
    no_exception(at)
    assert at.number_input(key="seed").value == 7
    assert at.selectbox(key="head").value == 2
    trace = ac.compute(LINK_CONFIG)
    same(heatmap_z(at), trace.weights[1])
    same(table_after(at, "**Q** ·"), trace.q[1])
    assert float(at.metric[0].value) < 1e-12


# --- heads, the word picker, language, reset, typing ------------------------------------------


def test_head_selector_changes_the_heatmap_and_the_output_shows_w_o() -> None:
    at = open_app(n_heads="2")
    no_exception(at)
    trace = ac.compute(config_with(n_heads=2))
    head = at.selectbox(key="head")
    assert head.value == 1 and len(head.options) == 2
    same(heatmap_z(at), trace.weights[0])
    same(table_after(at, "**Q** ·"), trace.q[0])

    head.set_value(2).run()
    no_exception(at)
    same(heatmap_z(at), trace.weights[1])
    assert not np.allclose(trace.weights[0], trace.weights[1])
    same(table_after(at, "**Q** ·"), trace.q[1])
    assert query(at)["head"] == "2"

    assert trace.w_o is not None
    w_o = table_after(at, "**W_O** ·")
    assert w_o.shape == (2 * 3, 4)  # (h·d_v, d_model)
    same(w_o, trace.w_o)
    same(table_after(at, f"**{EN['step7.final']}**"), trace.output)


def test_no_head_selector_with_one_head(home: AppTest) -> None:
    assert "head" not in [s.key for s in home.selectbox]
    assert not any(str(m.value).startswith("**W_O**") for m in home.markdown)


def test_word_picker_shows_the_notebooks_word_sections() -> None:
    at = open_app()
    picker = at.selectbox(key="word")
    assert picker.value == 1 and len(picker.options) == 5
    table = word_table(at)
    assert list(table.index) == WORDS
    close(table["α"], ALPHA[0])
    assert [f"{a:.4f}" for a in table["α"]] == ["0.1984", "0.2030", "0.1929", "0.2045", "0.2012"]
    close(table_after(at, f"**{EN['step6.sum']}**").iloc[0, 1:], OUTPUT[0])

    picker.set_value(3).run()  # "Palabra estudiar"
    no_exception(at)
    table = word_table(at)
    close(table["α"], ALPHA[2])
    total = table_after(at, f"**{EN['step6.sum']}**")
    assert total.iloc[0, 0] == pytest.approx(1.0, abs=1e-12)  # Σ α = 1
    close(total.iloc[0, 1:], OUTPUT[2])
    close(table[[f"α·v{j}" for j in (1, 2, 3)]].sum(axis=0), OUTPUT[2])
    assert query(at)["word"] == "3"


def test_spanish_link_gives_spanish_titles() -> None:
    at = open_app(lang="es")
    no_exception(at)
    assert [t.value for t in at.title] == ["Atención, paso a paso"]
    assert at.header[0].value == f"1. {ES['step1.title']}"
    assert ES["controls.title"] in [s.value for s in at.sidebar.header]
    assert query(at)["lang"] == "es"
    close(heatmap_z(at), ALPHA)  # same numbers in every language

    at.switch_page(MATRIX).run()
    no_exception(at)
    assert [t.value for t in at.title] == [ES["matrix.title"]]


def test_language_picker_switches_to_spanish() -> None:
    at = open_app()
    (picker,) = [b for b in at.get("button_group") if b.key == "lang"]
    picker.set_value("es").run()
    no_exception(at)
    assert [t.value for t in at.title] == [ES["home.title"]]
    assert query(at)["lang"] == "es"


def test_reset_restores_the_defaults() -> None:
    at = open_app(**LINK)
    at.selectbox(key="positional").set_value("sinusoidal").run()
    (reset,) = [b for b in at.button if b.label == EN["controls.reset"]]
    reset.click().run()
    no_exception(at)
    assert at.text_area(key="sentence").value == ac.NOTEBOOK_SENTENCE
    for key in ("d_model", "d_k", "d_v", "seed", "n_heads", "temperature"):
        assert at.number_input(key=key).value == getattr(DEFAULT, key), key
    assert at.selectbox(key="positional").value == "notebook"
    assert at.toggle(key="scaled").value is False and at.toggle(key="causal").value is False
    assert "head" not in [s.key for s in at.selectbox]
    close(heatmap_z(at), ALPHA)
    url = query(at)
    assert (url["sentence"], url["seed"], url["n_heads"], url["scaled"]) == (ac.NOTEBOOK_SENTENCE, "23", "1", "false")
    assert "head" not in url


def test_an_empty_sentence_typed_keeps_the_previous_one() -> None:
    at = open_app()
    at.text_area(key="sentence").input("the cat sat").run()
    no_exception(at)
    at.text_area(key="sentence").input("   ").run()
    no_exception(at)
    assert any("**sentence**" in w for w in warnings(at)), warnings(at)
    assert at.text_area(key="sentence").value == "the cat sat"
    assert heatmap_labels(at)[0] == ["the", "cat", "sat"]
    assert query(at)["sentence"] == "the cat sat"


def test_a_sentence_typed_on_several_lines_is_one_line() -> None:
    """The sentence box is a text area: Enter starts a new line, which is a space in the sentence."""
    at = open_app()
    box = at.text_area(key="sentence")
    assert box.max_chars == ac.MAX_SENTENCE_CHARS  # the same limit as the one-line box had
    box.input("el niño\ncome\r\npan\n").run()
    no_exception(at)
    assert warnings(at) == []
    assert at.text_area(key="sentence").value == "el niño come pan"  # the box shows what is used
    assert query(at)["sentence"] == "el niño come pan"
    assert heatmap_labels(at)[0] == ["el", "niño", "come", "pan"]
    same(heatmap_z(at), ac.compute(config_with(sentence="el niño come pan")).weights[0])
