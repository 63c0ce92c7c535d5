"""Pages against the teaching numbers: the weight-scale control, the fixed α colour range,
the entropy ceiling, the √d_k study, the query-aligned view and the students' questions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import decode, figures, open_app

import attention_core as ac


def heatmap_z(fig: dict[str, Any]) -> np.ndarray:
    return decode(fig["data"][0]["z"])


ALPHA_PAGES = ["app.py", "pages/1_matrix.py", "pages/2_multihead.py"]


def alpha_heatmaps(figs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The α heatmaps: heatmaps whose colour bar (or hover) is α, not a signed matrix like P."""
    out = []
    for f in figs:
        first = f["data"][0]
        if first["type"] == "heatmap" and "α" in str(first.get("hovertemplate", "")):
            out.append(f)
    return out


def test_weight_scale_from_the_url_reaches_the_trace() -> None:
    at = open_app(None, weight_scale="0.5")
    expected = ac.compute(ac.AttentionConfig(weight_scale=0.5))
    heat = alpha_heatmaps(figures(at))[0]
    np.testing.assert_allclose(heatmap_z(heat), expected.weights[0], atol=1e-12)
    assert float(np.max(heatmap_z(heat))) == pytest.approx(0.89, abs=0.005)
    assert at.number_input(key="weight_scale").value == 0.5
    assert at.query_params["weight_scale"] == "0.5"


def test_weight_scale_widget_changes_the_trace_and_the_link() -> None:
    at = open_app(None)
    assert at.query_params["weight_scale"] == "0.1"
    at.number_input(key="weight_scale").set_value(0.3).run()
    heat = alpha_heatmaps(figures(at))[0]
    assert float(np.max(heatmap_z(heat))) == pytest.approx(0.52, abs=0.005)
    assert at.query_params["weight_scale"] == "0.3"


@pytest.mark.parametrize(("raw", "used"), [("-1", 0.01), ("abc", 0.1), ("1e9", 5.0), ("nan", 0.1)])
def test_a_bad_weight_scale_in_the_link_is_fixed_with_a_message(raw: str, used: float) -> None:
    at = open_app(None, weight_scale=raw)
    assert at.number_input(key="weight_scale").value == pytest.approx(used)
    assert any("weight_scale" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ALPHA_PAGES)
def test_every_alpha_heatmap_uses_the_fixed_0_to_1_range(page: str) -> None:
    at = open_app(None if page == "app.py" else page, n_heads="2", causal="1", d_model="8")
    heats = alpha_heatmaps(figures(at))
    assert heats
    for fig in heats:
        assert (fig["data"][0]["zmin"], fig["data"][0]["zmax"]) == (0.0, 1.0)


# --- Multi-head & masks: shuffled words, hand-designed heads, presenter mode --------------------


def _table_with_column(at: Any, text: str) -> Any:
    return next(d.value for d in at.dataframe if any(text in str(c) for c in d.value.columns))


def test_shuffle_demo_rows_move_with_their_words() -> None:
    at = open_app("pages/2_multihead.py", sentence="the cat saw the dog")
    gaps = _table_with_column(at, "max |shuffled output")
    assert gaps.iloc[0, 0] < 1e-14  # no positions, no mask: the same numbers, moved
    assert gaps.iloc[1, 0] > 1e-6  # the causal mask sees the order
    assert gaps.iloc[2, 0] > 1e-6  # so do the notebook's positions
    before = next(m.value for m in at.markdown if m.value.startswith("Shuffled order:"))
    at.button(key="mh_shuffle").click().run()
    after = next(m.value for m in at.markdown if m.value.startswith("Shuffled order:"))
    assert before != after
    assert sorted(after.removeprefix("Shuffled order: ").split(" · ")) == sorted(["the", "cat", "saw", "the", "dog"])


@pytest.mark.parametrize("design", ["same", "previous"])
def test_designed_heads_one_click_each(design: str) -> None:
    at = open_app("pages/2_multihead.py", sentence="the cat saw the dog and the bird", d_model="8")
    at.segmented_control(key="mh_design").set_value(design).run()
    fig = next(f for f in figures(at) if "head" in f["layout"]["title"]["text"] and "«" in f["layout"]["title"]["text"])
    z = heatmap_z(fig)
    expected = ac.designed_head(ac.AttentionConfig(sentence="the cat saw the dog and the bird", d_model=8), design)
    np.testing.assert_allclose(z, expected.weights[0], atol=1e-12)
    if design == "previous":
        assert [int(np.argmax(z[t])) for t in range(1, 8)] == list(range(7))
    else:
        assert int(np.argmax(z[0])) in (0, 3, 6)  # "the" attends to "the"


def test_multihead_presenter_mode_one_section_at_a_time() -> None:
    at = open_app("pages/2_multihead.py", present="1", step="4")
    assert [s.value for s in at.header] == ["Why divide by √d_k?"]
    assert not at.title  # no page title in presenter mode
    next(b for b in at.button if b.key == "present_next").click().run()
    assert [s.value for s in at.header] == ["The causal mask"]
    assert at.query_params["step"] == "5"


def test_encoder_presenter_mode_shows_one_step() -> None:
    at = open_app("pages/4_encoder.py", present="1")
    assert not at.title
    assert any(b.key == "present_exit" for b in at.button)
    assert len(at.header) == 1


# --- the home page: why α ≈ 0.2, the neuron view, the «scores» names -------------------------


def test_the_alpha_step_explains_why_every_alpha_is_about_one_fifth() -> None:
    at = open_app(None)
    callout = next(i.value for i in at.info if i.value.startswith("**Why are all α close to 0.20?**"))
    assert "between -0.1873 and 0.1458" in callout  # the notebook's logits
    assert "at most 1.40 times the smallest" in callout
    es = open_app(None, lang="es")
    assert any("como mucho 1,40 veces el menor" in i.value for i in es.info)  # decimal comma in Spanish prose
    sharp = open_app(None, weight_scale="1")
    assert not any("Why are all α" in i.value for i in sharp.info)


def test_the_word_table_has_the_neuron_view_columns_summing_to_q_dot_k() -> None:
    at = open_app(None, word="2", d_model="8", d_k="6")
    table = next(d.value for d in at.dataframe if "q1·k1" in list(d.value.columns))
    products = table[[f"q{k}·k{k}" for k in range(1, 7)]].to_numpy()
    trace = ac.compute(ac.AttentionConfig(d_model=8, d_k=6))
    np.testing.assert_allclose(products, trace.q[0, 1][None, :] * trace.k[0], atol=1e-12)
    np.testing.assert_allclose(products.sum(axis=1), trace.scores[0, 1], atol=1e-12)
    np.testing.assert_allclose(table["q·k"], trace.scores[0, 1], atol=1e-12)


def test_the_output_step_says_what_scores_means() -> None:
    at = open_app(None)
    assert any("«attention scores»" in i.value and "q·k" in i.value for i in at.info)


# --- the encoder block's defaults explained ----------------------------------------------------


def _encoder_step(step: str, **query: str) -> Any:
    return open_app("pages/4_encoder.py", enc_step=step, **query)


def test_encoder_says_attention_adds_about_a_tenth_of_a_percent_at_the_defaults() -> None:
    at = _encoder_step("add1")
    note = next(i.value for i in at.info if "Why does the sum look like X?" in i.value)
    assert "only 0.14 % of ‖X‖" in note  # ‖attention output‖ / ‖X‖ at weights ×0.1
    big = _encoder_step("add1", weight_scale="1")
    assert not any("Why does the sum look like X?" in i.value for i in big.info)
    assert any("433.79 % of ‖X‖" in c.value for c in big.caption)


def test_encoder_says_d_ff_equal_to_d_model_widens_nothing() -> None:
    at = _encoder_step("ffn1")
    assert any("widens nothing" in i.value and "d_ff to 16" in i.value for i in at.info)
    wide = _encoder_step("ffn1", d_ff="16")
    assert not any("widens nothing" in i.value for i in wide.info)


def test_encoder_with_the_causal_mask_is_called_decoder_style() -> None:
    assert any("decoder-style" in i.value for i in open_app("pages/4_encoder.py", causal="1").info)
    assert not any("decoder-style" in i.value for i in open_app("pages/4_encoder.py").info)


# --- the glossary and the tab title ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "phrase"), [("en", "Glossary", "«attention scores»"), ("es", "Glosario", "consulta")]
)
def test_the_glossary_in_both_languages(lang: str, title: str, phrase: str) -> None:
    at = open_app("pages/9_glossary.py", lang=lang)
    assert at.title[0].value == title
    entries = [m.value for m in at.markdown if m.value.startswith("**")]
    assert len(entries) >= 20 and any(phrase in e for e in entries)


def test_the_glossary_is_linked_from_every_page() -> None:
    from ui.controls import PAGES

    assert ("pages/9_glossary.py", "nav.glossary", ":material/menu_book:") in PAGES
    at = open_app("pages/2_multihead.py")
    links = [el for el in at.get("page_link")]
    assert any("glossary" in str(el.proto.page) for el in links)


def test_the_tab_title_follows_the_language() -> None:
    from ui.page import page_title

    assert page_title("en", "home.title") == "Attention, step by step"
    assert page_title("es", "home.title") == "Atención, paso a paso"
    assert page_title("es", "glossary.title") == "Glosario · Atención, paso a paso"
