"""AppTest tests of the multi-head, vector-space and edit pages and of presenter mode.

Each test opens the app at the home page with URL parameters (as a shared link would), then
switches page, which is how a real session moves between pages-folder pages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import decode, figures, open_app
from notebook_values import ALPHAS

import attention_core as ac

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_ALPHA = np.array(ALPHAS)  # In [178]


def heatmap_z(fig: dict[str, Any]) -> np.ndarray:
    return decode(fig["data"][0]["z"])


def config_of(**kw: Any) -> ac.AttentionConfig:
    return ac.AttentionConfig(**kw)


# ---------------------------------------------------------------- multi-head & masks


def test_multihead_default_shows_notebook_alpha_scaled_and_causal() -> None:
    at = open_app("pages/2_multihead.py")
    figs = figures(at)
    heat = [f for f in figs if f["data"][0]["type"] == "heatmap"]
    # per-head (1), unscaled, scaled, causal, then the hand-designed head
    assert len(heat) == 5
    np.testing.assert_allclose(heatmap_z(heat[0]), NOTEBOOK_ALPHA, atol=5e-5)
    np.testing.assert_allclose(heatmap_z(heat[1]), NOTEBOOK_ALPHA, atol=5e-5)
    scaled = ac.compute(config_of(scaled=True))
    np.testing.assert_allclose(heatmap_z(heat[2]), scaled.weights[0], atol=1e-12)
    # The causal heatmap greys the masked cells: NaN in α's trace, a second "masked" trace.
    causal_z = heatmap_z(heat[3])
    assert np.isnan(causal_z[0, 1]) and not np.isnan(causal_z[1, 0])
    assert len(heat[3]["data"]) == 3  # α, the masked cells, the values printed in the visible cells
    assert heat[3]["data"][2]["mode"] == "text" and len(heat[3]["data"][2]["text"]) == 15  # 5·6/2 visible
    causal = ac.compute(config_of(causal=True))
    np.testing.assert_allclose(np.nan_to_num(causal_z), causal.weights[0], atol=1e-12)


def test_multihead_entropy_table_and_curve() -> None:
    at = open_app("pages/2_multihead.py")
    trace = ac.compute(ac.AttentionConfig())
    tables = [d.value for d in at.dataframe]
    entropy = next(df for df in tables if df.shape == (5, 3) and "ln(keys visible)" in " ".join(map(str, df.columns)))
    np.testing.assert_allclose(entropy.iloc[:, 0], ac.row_entropy(trace.weights[0]), atol=1e-12)
    scaled = ac.compute(ac.AttentionConfig(scaled=True))
    np.testing.assert_allclose(entropy.iloc[:, 1], ac.row_entropy(scaled.weights[0]), atol=1e-12)
    np.testing.assert_allclose(entropy.iloc[:, 2], np.log(5))
    curve = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("Mean entropy of α"))
    plain, scaled_curve = decode(curve["data"][0]["y"]), decode(curve["data"][1]["y"])
    # Standardised q and k (the paper's assumption): unscaled, the entropy collapses as d_k grows;
    # scaled, it stays level near its d_k = 1 value, where the two coincide (√1 = 1).
    assert plain[0] == pytest.approx(scaled_curve[0])
    assert plain[-1] < 0.25 < 1.2 < scaled_curve.min()
    np.testing.assert_allclose(decode(curve["data"][2]["y"]), np.log(5))


def test_multihead_entropy_ceiling_follows_the_causal_mask() -> None:
    at = open_app("pages/2_multihead.py", causal="1")
    entropy = next(d.value for d in at.dataframe if "ln(keys visible)" in " ".join(map(str, d.value.columns)))
    np.testing.assert_allclose(entropy.iloc[:, 2], np.log([1, 2, 3, 4, 5]), atol=1e-12)
    assert entropy.iloc[0, 0] == 0.0


def test_multihead_std_of_q_dot_k_against_dk() -> None:
    at = open_app("pages/2_multihead.py")
    fig = next(f for f in figures(at) if f["layout"]["title"]["text"].startswith("Spread of q·k"))
    d_ks = decode(fig["data"][0]["x"])
    unscaled, scaled = decode(fig["data"][0]["y"]), decode(fig["data"][1]["y"])
    np.testing.assert_allclose(unscaled / np.sqrt(d_ks), 1.0, atol=0.25)
    np.testing.assert_allclose(scaled, 1.0, atol=0.25)
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_multihead_three_heads_each_matches_engine() -> None:
    params = {"n_heads": "3", "sentence": "the cat sat on the mat", "d_model": "8", "seed": "5"}
    at = open_app("pages/2_multihead.py", **params)
    trace = ac.compute(ac.AttentionConfig(n_heads=3, sentence="the cat sat on the mat", d_model=8, seed=5))
    heads = [f for f in figures(at) if f["data"][0]["type"] == "heatmap"][:3]
    for h, fig in enumerate(heads):
        np.testing.assert_allclose(heatmap_z(fig), trace.weights[h], atol=1e-12)
    # The repeated "the" keeps its own row: labels are unique.
    assert decode_labels(heads[0]["data"][0]["y"]) == ["the", "cat", "sat", "on", "the (2)", "mat"]
    # The concat, W_O and output tables are there and right.
    tables = [d.value for d in at.dataframe]
    out = next(df for df in tables if df.shape == (6, 8) and next(iter(df.columns)) == "d1")
    np.testing.assert_allclose(out.to_numpy(), trace.output, atol=1e-12)


def decode_labels(value: Any) -> list[str]:
    return list(value)


def test_multihead_temperature_sweep_rows() -> None:
    at = open_app("pages/2_multihead.py", word="2", temperature="0.7")
    trace = ac.compute(ac.AttentionConfig(temperature=0.7))
    sweep = next(d.value for d in at.dataframe if next(iter(d.value.index)) == "T = 0.25")
    assert "T = 0.7" in list(sweep.index)
    np.testing.assert_allclose(sweep.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(sweep.loc["T = 0.7"], trace.weights[0, 1], atol=1e-12)
    # Lower temperature: a peakier row (a larger maximum).
    assert sweep.loc["T = 0.25"].max() > sweep.loc["T = 4"].max()


# ---------------------------------------------------------------- vector space


def test_vectors_native_3d_for_notebook() -> None:
    at = open_app("pages/3_vectors.py", word="1")
    trace = ac.compute(ac.AttentionConfig())
    space = figures(at)[0]
    types = {d["type"] for d in space["data"]}
    assert "scatter3d" in types
    queries = next(d for d in space["data"] if d.get("mode") == "markers+text" and d["marker"]["symbol"] == "circle")
    np.testing.assert_allclose(decode(queries["x"]), trace.q[0, :, 0], atol=1e-12)
    np.testing.assert_allclose(decode(queries["z"]), trace.q[0, :, 2], atol=1e-12)
    dots = next(d.value for d in at.dataframe if d.value.shape == (5, 2))
    np.testing.assert_allclose(dots.iloc[:, 0], ac.explain_token(trace, 0).dots, atol=1e-12)
    np.testing.assert_allclose(dots.iloc[:, 1], NOTEBOOK_ALPHA[0], atol=5e-5)


@pytest.mark.parametrize("dims", ["2", "3"])
@pytest.mark.parametrize("word", ["1", "4"])
def test_vectors_query_aligned_view_when_dk_above_3(dims: str, word: str) -> None:
    """Above d_k = 3 the picked query's dot products read exactly off axis 1: x_j · ‖q_i‖ = q_i·k_j."""
    at = open_app("pages/3_vectors.py", d_model="16", d_k="8", dims=dims, word=word)
    space = figures(at)[0]
    three = any(d["type"] == "scatter3d" for d in space["data"])
    assert three == (dims == "3")
    trace = ac.compute(ac.AttentionConfig(d_model=16, d_k=8))
    i = int(word) - 1
    markers = [d for d in space["data"] if str(d.get("mode", "")).startswith("markers")]
    queries, keys = markers[0], markers[1]
    norm = float(np.linalg.norm(trace.q[0, i]))
    np.testing.assert_allclose(decode(keys["x"]) * norm, trace.scores[0, i], atol=1e-12)
    assert decode(queries["x"])[i] == pytest.approx(norm)
    if three:
        assert space["layout"]["scene"]["aspectmode"] == "data"
    else:
        assert space["layout"]["yaxis"]["scaleanchor"] == "x"  # one unit is as long on both axes
    assert any("exactly its dot product" in m.value for m in at.markdown)


# ---------------------------------------------------------------- edit the numbers


def test_edit_flow_applies_everywhere_rejects_nan_and_resets() -> None:
    at = open_app("pages/5_edit.py")
    # Five editors (E, P, W_Q, W_K, W_V) of text cells parsed by the app (Streamlit's number cells
    # parse in the browser and stored 15 for "1,5"), showing the notebook's 4 decimals.
    editors = [d for d in at.dataframe if d.editing_mode != "read_only"]
    assert len(editors) == 5
    for editor in editors:
        columns = json.loads(editor.proto.columns)
        assert all(c["type_config"]["type"] == "text" for k, c in columns.items() if k != "_index")
    assert editors[0].value.iloc[0, 0] == f"{ac.compute(ac.AttentionConfig()).embeddings[0, 0]:.4f}"
    # A decimal comma is a decimal point.
    at.session_state["editor_e_0_0"] = {"edited_rows": {0: {"d1": "1,5"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert at.query_params["edits"] == "e.0.0.0=1.5"
    assert at.query_params["custom"] == "true"
    assert any("in use" in s.value for s in at.success)
    # A cleared cell, "abc" and 1e309 are refused, each with a message; the last valid values are kept.
    for typed, words in ((None, "empty"), ("abc", "not a number"), ("1e309", "too large")):
        at.session_state["editor_wv_0_1"] = {"edited_rows": {1: {"v2": typed}}, "added_rows": [], "deleted_rows": []}
        at.run()
        assert any(words in w.value for w in at.warning), (typed, [w.value for w in at.warning])
        assert any(words in t.proto.body for t in at.toast), typed
        assert at.query_params["edits"] == "e.0.0.0=1.5"
        at.session_state["_edit_version"] = 1  # the editor key the next round edits
    # The home page now computes with the edit.
    at.switch_page("app.py")
    at.run()
    seeded = ac.compute(ac.AttentionConfig())
    e = seeded.embeddings.copy()
    e[0, 0] = 1.5
    expected = ac.trace_from_matrices(seeded.tokens, e, seeded.positions, seeded.w_q, seeded.w_k, seeded.w_v)
    assert at.dataframe[0].value.iloc[0, 0] == 1.5
    z = heatmap_z(figures(at)[0])
    np.testing.assert_allclose(z, expected.weights[0], atol=1e-12)
    assert not np.allclose(z, seeded.weights[0], atol=1e-4)
    # Reset to the seed: no edits, and nothing says edited numbers are in use any more.
    at.switch_page("pages/5_edit.py")
    at.run()
    next(b for b in at.button if "seed" in b.label.lower()).click()
    at.run()
    assert "edits" not in at.query_params
    assert not any("in use" in s.value for s in at.success)
    assert not any("in use" in i.value for i in at.info)


def test_edit_outside_the_matrices_is_dropped_with_a_warning() -> None:
    at = open_app(None, custom="true", edits="e.0.99.99=5,wq.0.1.1=0.3")
    assert any("E \\[100, 100\\]" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.query_params["edits"] == "wq.0.1.1=0.3"
    # The sidebar's page links carry the edits kept, not the dropped one (they were drawn before the drop).
    links = [link.proto.query_string for link in at.get("page_link")]
    assert links and all("edits=wq.0.1.1%3D0.3" in q and "e.0.99" not in q for q in links), links
    at.switch_page("pages/5_edit.py").run()
    assert "1 cell" in " ".join(c.value for c in at.caption)
    # Only outside edits: nothing is edited, and nothing says edited numbers are in use.
    at = open_app(None, custom="true", edits="wv.3.0.0=5")
    assert any("W\\_V h4" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not any("in use" in i.value for i in at.info) and "edits" not in at.query_params


def test_emptied_sentence_names_the_sentence_really_used() -> None:
    at = open_app(None, sentence="el gato duerme")
    at.text_area(key="sentence").set_value("   ").run()
    assert any("el gato duerme" in w.value for w in at.warning)
    assert not any(ac.NOTEBOOK_SENTENCE in w.value for w in at.warning)
    assert at.query_params["sentence"] == "el gato duerme"


def test_edits_link_restores_custom_numbers() -> None:
    at = open_app(None, custom="true", edits="wq.0.1.1=0.3,junk,e.0.9.9=7")
    seeded = ac.compute(ac.AttentionConfig())
    wq = seeded.w_q.copy()
    wq[0, 1, 1] = 0.3
    expected = ac.trace_from_matrices(seeded.tokens, seeded.embeddings, seeded.positions, wq, seeded.w_k, seeded.w_v)
    np.testing.assert_allclose(heatmap_z(figures(at)[0]), expected.weights[0], atol=1e-12)


# ---------------------------------------------------------------- presenter mode


def test_presenter_mode_one_step_at_a_time_with_url_step() -> None:
    at = open_app(None, present="1", step="5")
    headers = [s.value for s in at.header]
    assert headers == ["5. The attention weights α"]
    assert len(at.get("plotly_chart")) == 1
    assert not at.text_area and not at.text_input  # the sidebar controls are hidden
    next(b for b in at.button if b.key == "present_next").click()
    at.run()
    assert [s.value for s in at.header] == ["6. One word, term by term"]
    assert at.query_params["step"] == "6"
    next(b for b in at.button if b.key == "present_prev").click().run()
    next(b for b in at.button if b.key == "present_prev").click().run()
    assert at.query_params["step"] == "4"
    next(b for b in at.button if b.key == "present_exit").click().run()
    assert "present" not in at.query_params
    assert len(at.header) >= 7 and at.text_area(key="sentence").value == ac.NOTEBOOK_SENTENCE


def test_presenter_mode_in_spanish_and_clamped_step() -> None:
    at = open_app(None, present="true", step="99", lang="es")
    assert [s.value for s in at.header] == ["7. La salida"]
    assert any("step" in w.value for w in at.warning)
    assert next(b for b in at.button if b.key == "present_next").disabled


def test_presenter_mode_from_another_page_goes_home() -> None:
    at = open_app("pages/1_matrix.py")
    at.toggle(key="present").set_value(True).run()
    assert next(s.value for s in at.header).startswith("1. ")


# ---------------------------------------------------------------- Spanish everywhere


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("app.py", "Atención, paso a paso"),
        ("pages/1_matrix.py", "Forma matricial"),
        ("pages/2_multihead.py", "Atención multicabeza y máscaras"),
        ("pages/3_vectors.py", "Consultas y claves como vectores"),
        ("pages/5_edit.py", "Editar los números"),
    ],
)
def test_pages_in_spanish(page: str, title: str) -> None:
    at = open_app(None if page == "app.py" else page, lang="es")
    assert at.title[0].value == title


# ---------------------------------------------------------------- encoder step in the link


def test_encoder_step_is_in_the_link_and_survives_page_switches() -> None:
    at = open_app("pages/4_encoder.py", enc_step="ln1")
    assert at.selectbox(key="enc_step").value == "ln1"
    at.button(key="enc_next").click().run()
    assert at.selectbox(key="enc_step").value == "ffn1"
    assert at.query_params["enc_step"] == "ffn1"
    at.switch_page("app.py")
    at.run()
    at.switch_page("pages/4_encoder.py")
    at.run()
    assert at.selectbox(key="enc_step").value == "ffn1"
    # An unknown step name opens at the first step, without an exception.
    bad = open_app("pages/4_encoder.py", enc_step="<script>")
    assert bad.selectbox(key="enc_step").value == "x"


def test_presenter_steps_are_bounded_by_the_list_of_steps() -> None:
    from ui.steps import STEPS

    last = open_app(None, present="true", step=str(len(STEPS)))
    assert not last.warning and last.button(key="present_next").disabled
    beyond = open_app(None, present="true", step=str(len(STEPS) + 1))
    assert [w.value for w in beyond.warning if "step" in w.value]
    assert [s.value for s in beyond.header] == [s.value for s in last.header]


def test_the_largest_seed_opens_every_page_it_changes() -> None:
    """A seed is 0..2**32 - 1; pages that derive other seeds from it must not overflow RandomState."""
    for page in ("pages/2_multihead.py", "pages/3_vectors.py", "pages/4_encoder.py"):
        open_app(page, seed="4294967295")  # raises on an exception in the page


def test_vector_space_draws_at_most_32_words_and_says_so() -> None:
    sentence = " ".join(f"w{i}" for i in range(100))
    at = open_app("pages/3_vectors.py", sentence=sentence, word="80")
    space = figures(at)[0]
    drawn = {str(x) for d in space["data"] for x in (d.get("text") or []) if isinstance(x, str)}
    assert "w79" in drawn and "w31" not in drawn and "w30" in drawn and "w50" not in drawn, sorted(drawn)[:10]
    assert any("32 of the 100 words" in i.value for i in at.info)


def test_the_positional_picker_says_which_scheme_is_really_used() -> None:
    at = open_app(None, d_model="8")  # "notebook" asked for, but its vectors are 4-wide: sinusoidal is used
    assert at.selectbox(key="positional").value == "notebook"
    assert any("In use: Sinusoidal" in c.value for c in at.sidebar.caption), [c.value for c in at.sidebar.caption]
    plain = open_app(None)
    assert not any("In use:" in c.value for c in plain.sidebar.caption)


@pytest.mark.parametrize("page", [None, "pages/1_matrix.py"])
@pytest.mark.parametrize("edits", [{}, {"custom": "true", "edits": "wq.0.1.0=0.3"}])
def test_the_formula_divides_by_the_root_of_d_k_at_d_k_1_too(page: str | None, edits: dict[str, str]) -> None:
    """Scaled at d_k = 1 the factor is 1/√1 = 1; the formula still says what was computed."""
    at = open_app(page, d_k="1", d_v="1", scaled="true", **edits)
    assert r"\sqrt{d_k}" in " ".join(str(n.value) for n in at.latex)
    plain = open_app(page, d_k="1", d_v="1", **edits)
    assert r"\sqrt{d_k}" not in " ".join(str(n.value) for n in plain.latex)
