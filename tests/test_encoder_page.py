"""AppTest checks of the "Encoder block" page: its numbers are compute_block's, in both norm modes."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import open_app
from streamlit.testing.v1 import AppTest

import attention_core as ac
from attention_core.edits import apply_edits
from ui.edits import decode_edits
from ui.encoder_view import block_diagram, step_in_mode, steps_for
from ui.i18n import placeholders, translate
from ui.locales import en, es

PAGE = "pages/4_encoder.py"
TOKENS = ["me", "gusta", "estudiar", "inteligencia", "artificial"]


def run(tab: str | None = "all", **params: str) -> AppTest:
    """The page opened as if from a link with these query parameters.

    The page's tabs are lazy (only the open one runs): `tab="all"` opens "Every step on one page",
    so every step's tables are there to check; `tab=None` leaves the default, "One step at a time".
    """
    session = {} if tab is None else {"enc_tab": translate(params.get("lang", "en"), f"encoder.tab.{tab}")}
    return open_app(PAGE, session=session, check=False, **params)


def tables(at: AppTest) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe]


def shown(at: AppTest, expected: np.ndarray) -> bool:
    """Whether some table of the page holds `expected` to the 4 decimals it is shown with."""
    want = np.round(np.asarray(expected, dtype=np.float64), 4)
    for df in tables(at):
        if df.shape == want.shape and np.array_equal(np.round(df.to_numpy(dtype=np.float64), 4), want):
            return True
    return False


def table_like(at: AppTest, expected: np.ndarray) -> pd.DataFrame:
    for df in tables(at):
        if df.shape == expected.shape and np.array_equal(
            np.round(df.to_numpy(dtype=np.float64), 4), np.round(expected, 4)
        ):
            return df
    raise AssertionError("no table with these values")


def diagram_spec(at: AppTest) -> dict[str, Any]:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return dict(json.loads(charts[0].proto.spec))


def highlighted(spec: dict[str, Any]) -> list[str]:
    """The bold box labels of the diagram: the current step (white bold text)."""
    return [
        a["text"]
        for a in spec["layout"]["annotations"]
        if a.get("font", {}).get("color") == "#ffffff" and a["text"].startswith("<b>") and a["text"] != "<b>+</b>"
    ]


def box_labels(spec: dict[str, Any]) -> list[str]:
    """The main path's box labels (size-14 text), top to bottom."""
    anns = [a for a in spec["layout"]["annotations"] if a.get("font", {}).get("size") == 14]
    return [a["text"].removeprefix("<b>").removesuffix("</b>") for a in sorted(anns, key=lambda a: -a["y"])]


@pytest.fixture(scope="module")
def post() -> ac.BlockTrace:
    return ac.compute_block(ac.AttentionConfig())


@pytest.fixture(scope="module")
def pre() -> ac.BlockTrace:
    return ac.compute_block(ac.AttentionConfig(), norm_first=True)


def test_default_is_post_ln_with_compute_blocks_numbers(post: ac.BlockTrace, pre: ac.BlockTrace) -> None:
    at = run()
    assert not at.exception
    assert not at.error
    enc = post.encoder
    for values in (enc.x, enc.attn_concat, enc.attn_output, enc.sum1, enc.norm1.output, enc.ffn_pre_relu):
        assert shown(at, values)
    assert shown(at, enc.ffn_hidden)
    assert shown(at, enc.output)
    assert not shown(at, pre.output)  # nothing of the other mode
    out = table_like(at, enc.output)
    assert list(out.index) == TOKENS
    assert list(out.columns) == ["d1", "d2", "d3", "d4"]
    assert list(table_like(at, enc.ffn_hidden).columns) == ["f1", "f2", "f3", "f4"]
    assert "norm_first" not in at.query_params  # the default stays out of the link


def test_layer_norm_tables_show_mean_and_variance(post: ac.BlockTrace) -> None:
    """Each layer norm's statistics table, checked against its input row by row.

    mean and var are numpy's of the input rows; the std column must be what the normalised table
    divides by, and its square must exceed the variance by exactly eps (a std without eps fails).
    """
    at = run()
    for ln in (post.encoder.norm1, post.encoder.norm2):
        assert ln is not None
        stats = table_like(at, np.column_stack([ln.input.mean(axis=1), ln.input.var(axis=1), ln.std])).to_numpy()
        normed = table_like(at, ln.output).to_numpy()
        mean, var, std = stats.T
        np.testing.assert_allclose(mean, ln.input.mean(axis=1), rtol=0, atol=1e-12)
        np.testing.assert_allclose(var, ln.input.var(axis=1), rtol=0, atol=1e-12)
        np.testing.assert_allclose(std**2 - var, 1e-5, rtol=1e-6)
        np.testing.assert_allclose((ln.input - mean[:, None]) / std[:, None], normed, rtol=0, atol=1e-12)
    checks = [c.value for c in at.caption if "after normalising" in c.value]
    assert len(checks) == 2
    for ln, check in zip((post.encoder.norm1, post.encoder.norm2), checks, strict=True):
        assert ln is not None
        out_var = ln.input.var(axis=1) / (ln.input.var(axis=1) + 1e-5)  # a normalised row's variance
        assert f"between {out_var.min():.4f} and {out_var.max():.4f}" in check and "ε = 1e-05" in check


def test_pre_ln_from_the_url(post: ac.BlockTrace, pre: ac.BlockTrace) -> None:
    at = run(norm_first="true")
    assert not at.exception
    assert not np.allclose(pre.output, post.output)
    enc = pre.encoder
    assert enc.norm_in is not None
    for values in (enc.norm_in.output, enc.attn_output, enc.sum1, enc.norm1.output, enc.ffn_hidden, enc.output):
        assert shown(at, values)
    assert not shown(at, post.output)
    assert at.query_params["norm_first"] == "true"
    assert at.segmented_control(key="enc_mode").value == "pre"


def test_d_ff_from_the_url_widens_the_hidden_layer() -> None:
    at = run(d_ff="8")
    assert not at.exception
    block = ac.compute_block(ac.AttentionConfig(d_ff=8))
    hidden = table_like(at, block.encoder.ffn_hidden)
    assert hidden.shape == (5, 8)
    assert list(hidden.columns) == [f"f{j}" for j in range(1, 9)]
    assert shown(at, block.output)
    assert any("5 × 4 → 5 × 8" in m.value for m in at.markdown)  # the shape of the widening step


def test_toggle_switches_mode_and_link(pre: ac.BlockTrace) -> None:
    at = run()
    at.toggle(key="norm_first").set_value(True).run()
    assert not at.exception
    assert shown(at, pre.output)
    assert at.query_params["norm_first"] == "true"
    at.toggle(key="norm_first").set_value(False).run()
    assert not shown(at, pre.output)
    assert "norm_first" not in at.query_params


def test_in_page_mode_switch_moves_the_sidebar_toggle_and_link(pre: ac.BlockTrace) -> None:
    at = run()
    at.segmented_control(key="enc_mode").set_value("pre").run()
    assert not at.exception
    assert shown(at, pre.output)
    assert at.toggle(key="norm_first").value is True
    assert at.query_params["norm_first"] == "true"


def test_d_ff_widget_changes_tables_and_link() -> None:
    at = run()
    at.number_input(key="d_ff").set_value(8).run()
    assert not at.exception
    block = ac.compute_block(ac.AttentionConfig(d_ff=8))
    assert table_like(at, block.encoder.ffn_hidden).shape == (5, 8)
    assert at.query_params["d_ff"] == "8"


@pytest.mark.parametrize("bad", ["abc", "0", "99999", ""])
def test_bad_d_ff_is_fixed_with_a_warning(bad: str, post: ac.BlockTrace) -> None:
    at = run(d_ff=bad)
    assert not at.exception
    if bad:
        assert at.warning, "a fixed URL value is reported"
    d_ff = {"abc": 4, "0": ac.D_FF_MIN, "99999": ac.D_FF_MAX, "": 4}[bad]
    assert at.number_input(key="d_ff").value == d_ff
    if d_ff == 4:
        assert shown(at, post.encoder.ffn_hidden)


def test_spanish() -> None:
    at = run(lang="es", norm_first="true")
    assert not at.exception
    assert at.title[0].value == es.MESSAGES["encoder.title"]
    assert [t.label for t in at.tabs] == [es.MESSAGES["encoder.tab.one"], es.MESSAGES["encoder.tab.all"]]
    texts = [m.value for m in at.markdown]
    assert es.MESSAGES["encoder.mode.pre_explain"] in texts
    assert any(es.MESSAGES["encoder.real.title"] == s.value for s in at.header)
    assert not any(en.MESSAGES["encoder.mode.pre_explain"] == t for t in texts)


def test_step_picker_highlights_the_step_in_the_diagram() -> None:
    at = run(None)
    assert highlighted(diagram_spec(at)) == [f"<b>{en.MESSAGES['encoder.node.x']}</b>"]
    at.button(key="enc_next").click().run()
    assert at.selectbox(key="enc_step").value == "mha"
    assert highlighted(diagram_spec(at)) == [f"<b>{en.MESSAGES['encoder.node.mha']}</b>"]
    at.selectbox(key="enc_step").set_value("relu").run()
    assert highlighted(diagram_spec(at)) == [f"<b>{en.MESSAGES['encoder.node.relu']}</b>"]
    heading = en.MESSAGES["encoder.step.relu.title"]
    assert any(s.value.endswith(heading) for s in at.header)
    at.button(key="enc_prev").click().run()
    assert at.selectbox(key="enc_step").value == "ffn1"


def test_a_step_the_other_mode_lacks_moves_to_its_nearest() -> None:
    at = run(None)
    at.selectbox(key="enc_step").set_value("ln2").run()
    at.toggle(key="norm_first").set_value(True).run()
    assert not at.exception
    assert at.selectbox(key="enc_step").value == "add2"


def test_the_diagram_puts_layer_norm_where_the_mode_does() -> None:
    post_boxes = box_labels(diagram_spec(run(None)))
    pre_boxes = box_labels(diagram_spec(run(None, norm_first="true")))
    ln, mha = en.MESSAGES["encoder.node.ln1"], en.MESSAGES["encoder.node.mha"]
    assert post_boxes.index(mha) < post_boxes.index(ln)  # Post-LN: attention, then LN
    assert pre_boxes.index(ln) < pre_boxes.index(mha)  # Pre-LN: LN, then attention
    assert post_boxes.count(ln) == 2 and pre_boxes.count(ln) == 2
    assert post_boxes[-2] == ln and pre_boxes[-2] != ln  # only Post-LN normalises the output


def test_diagram_caption_describes_the_chart() -> None:
    at = run(None)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Diagram of one Post-LN encoder layer") and "1. Input X" in c for c in captions)


@pytest.mark.parametrize("norm_first", ["false", "true"])
def test_hand_edits_flow_into_the_block(norm_first: str) -> None:
    """With edits, a mask, a temperature and two heads, the block's attention is the edited trace's.

    The edited AttentionTrace (trace_from_matrices, what every other page shows) is an independent
    path from encoder_layer: its α and output must be the block's attention sub-layer, so an edited
    block that ignored the edits, the mask or the temperature would not match.
    """
    link = {"custom": "true", "edits": "e.0.0.0=1.5,wq.0.1.2=-0.3,wk.1.0.0=2", "causal": "true", "temperature": "2"}
    at = run(n_heads="2", d_model="4", norm_first=norm_first, **link)
    assert not at.exception
    config = ac.AttentionConfig(n_heads=2, causal=True, temperature=2.0)
    seeded = ac.compute(config)
    edited = apply_edits(seeded, decode_edits(link["edits"]))
    assert edited.embeddings[0, 0] == 1.5 and edited.w_k[1, 0, 0] == 2  # the edits are in
    assert np.all(np.triu(edited.weights, k=1) == 0)  # causal
    x = edited.x
    if norm_first == "true":  # Pre-LN: attention reads LN(x)
        x = ac.layer_norm(x).output
        edited = ac.trace_from_matrices(
            edited.tokens, x, np.zeros_like(x), edited.w_q, edited.w_k, edited.w_v, edited.w_o,
            causal=True, temperature=2.0,
        )  # fmt: skip
    for head in range(2):
        assert shown(at, edited.weights[head]), f"head {head + 1}'s α"
    assert shown(at, edited.output), "the attention sub-layer's output"
    assert not shown(at, seeded.weights[0])


def test_an_engine_error_is_said_in_plain_words(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(config: ac.AttentionConfig, *, norm_first: bool = False) -> ac.BlockTrace:
        raise ValueError("the numbers overflowed")

    monkeypatch.setattr(ac, "compute_block", broken)
    at = run()  # the cache starts empty in every test (conftest.py)
    assert not at.exception
    assert len(at.error) == 1
    assert "the numbers overflowed" in at.error[0].value
    assert at.error[0].value.startswith(en.MESSAGES["encoder.error"].split("{")[0])


def test_encoder_strings_are_in_both_languages() -> None:
    keys_en = {k for k in en.MESSAGES if k.startswith("encoder.")}
    keys_es = {k for k in es.MESSAGES if k.startswith("encoder.")}
    assert keys_en == keys_es
    for key in keys_en:
        assert placeholders(en.MESSAGES[key]) == placeholders(es.MESSAGES[key]), key
    for norm_first in (False, True):
        for step in steps_for(norm_first):
            mode = "pre" if norm_first else "post"
            assert f"encoder.step.{step}.{mode}" in keys_en
            assert f"encoder.step.{step}.title" in keys_en
            assert f"encoder.node.{step}" in keys_en


def test_step_in_mode() -> None:
    assert step_in_mode("ln_in", norm_first=False) == "x"
    assert step_in_mode("ln2", norm_first=True) == "add2"
    assert step_in_mode("relu", norm_first=True) == "relu"
    assert step_in_mode(None, norm_first=False) == "x"
    assert step_in_mode("nonsense", norm_first=True) == "x"


def test_block_diagram_highlights_exactly_one_box() -> None:
    for norm_first in (False, True):
        steps = steps_for(norm_first)
        labels = {s: s.upper() for s in (*steps, "out")}
        for step in steps:
            fig = block_diagram(
                norm_first, step, labels, dict.fromkeys(steps, "5 × 4"), ffn_label="F", residual_label="R"
            )
            dark = [s for s in fig.layout.shapes if s.fillcolor == "#1f2f5c"]
            assert len(dark) == 1
