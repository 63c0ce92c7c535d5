"""AppTest checks of "A trained model": its charts and tables hold run_model's numbers, links are
validated, presenter mode stays on the page, and another checkpoint (ATTENTION_MODEL_DIR) works."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import decode, figures
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from streamlit.testing.v1 import AppTest

import attention_core as ac
from tests.tiny_bert import write_tiny_bert
from ui import trained as tr
from ui.params import TRAINED_TEXT

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "8_trained.py")
TIMEOUT = 120


@pytest.fixture(scope="module")
def model() -> ac.PretrainedModel:
    return ac.load_model()


@pytest.fixture(scope="module")
def default_trace(model: ac.PretrainedModel) -> ac.ModelTrace:
    return ac.run_model(model, TRAINED_TEXT)


def open_page(**params: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_model_view_holds_every_heads_alpha(default_trace: ac.ModelTrace) -> None:
    at = open_page()
    assert at.title[0].value == "A trained model"
    (fig,) = figures(at)
    (heat,) = fig["data"]  # one heatmap of 6 × 12 tiles
    tiles = decode(heat["z"])
    n, gap = 15, 1
    assert tiles.dtype == np.uint8 and tiles.shape == (6 * (n + gap) - gap, 12 * (n + gap) - gap)
    # the tile of layer 4, head 2 is α·240, rounded; the gaps are 246 (white)
    tile = tiles[3 * (n + gap) : 3 * (n + gap) + n, 1 * (n + gap) : 1 * (n + gap) + n]
    np.testing.assert_array_equal(tile, np.rint(default_trace.layers[3].weights[1] * 240))
    assert (tiles[n, :] == 246).all() and heat["zmin"] == 0 and heat["zmax"] == 246
    assert fig["layout"]["xaxis"]["ticktext"][1] == "H2" and fig["layout"]["yaxis"]["ticktext"][3] == "L4"
    frame = fig["layout"]["shapes"][0]  # the picked head is framed
    assert frame["x0"] < 1 * (n + gap) < frame["x1"] and frame["y0"] < 3 * (n + gap) < frame["y1"]
    tokens = " ".join(m.value for m in at.markdown)
    assert r"\[CLS\]" in tokens and "animal" in tokens


def test_head_view_heatmap_is_alpha_with_a_fixed_range(default_trace: ac.ModelTrace) -> None:
    at = open_page(view="head")
    heat, lines = figures(at)
    np.testing.assert_allclose(decode(heat["data"][0]["z"]), default_trace.layers[3].weights[1], atol=1e-4)
    assert heat["data"][0]["zmin"] == 0 and heat["data"][0]["zmax"] == 1
    assert heat["data"][0]["y"][10] == "it"
    # "it" (row 11) attends most to "animal" in this head: the coreference the example is famous for
    assert int(np.argmax(default_trace.layers[3].weights[1][10])) == 2
    assert any(d.get("mode") == "lines" for d in lines["data"])


def test_hiding_cls_and_sep(default_trace: ac.ModelTrace) -> None:
    at = open_page(view="head", no_special="true")
    heat = figures(at)[0]
    z = decode(heat["data"][0]["z"])
    assert z.shape == (13, 13) and "[CLS]" not in heat["data"][0]["x"]
    np.testing.assert_allclose(z, default_trace.layers[3].weights[1][1:-1, 1:-1], atol=1e-4)
    assert any("[CLS] and [SEP] are hidden" in i.value for i in at.info)
    assert at.toggle(key="tm_no_special").value is True


def test_step_view_tables_are_the_heads_numbers(model: ac.PretrainedModel, default_trace: ac.ModelTrace) -> None:
    at = open_page(view="step", layer="6", thead="12")
    lt = default_trace.layers[5]
    frames = [df.value for df in at.dataframe]
    by_shape = {f.shape: f for f in frames}
    w_q, _, _ = model.layers[5].head_weights(11, 12)
    b_q, _, _ = model.layers[5].head_biases(11, 12)
    # W_Q in the compact view (first 24 rows, 32 columns), then the biases b_Q, b_K, b_V
    wq_table = frames[1]
    np.testing.assert_allclose(wq_table.to_numpy(), w_q[:24], atol=1e-12)
    biases = next(f for f in frames if list(f.index) == ["b_Q", "b_K", "b_V"])
    np.testing.assert_allclose(biases.to_numpy()[0], b_q, atol=1e-12)
    q_table = next(f for f in frames if list(f.columns[:2]) == ["q1", "q2"] and f.shape == (15, 32))
    np.testing.assert_allclose(q_table.to_numpy(), lt.q[11], atol=1e-12)
    word = frames[-2]  # token 11, "it": dot, logit, α, α·v1…
    assert word.index[10] == "it"
    np.testing.assert_allclose(word.iloc[:, 2].to_numpy(), lt.weights[11][10], atol=1e-12)
    np.testing.assert_allclose(word.iloc[:, 1].to_numpy(), lt.scores[11][10] / math.sqrt(32), rtol=1e-6, atol=1e-7)
    total = frames[-1]
    assert total.iloc[0, 0] == pytest.approx(1.0)
    # Σ α, then the first 31 of z (the compact view shows 32 columns)
    np.testing.assert_allclose(total.iloc[0, 1:].to_numpy(), lt.head_outputs[11][10][:31], rtol=1e-6, atol=1e-7)
    assert (15, 15) in by_shape


def test_patterns_view_ranks_heads(default_trace: ac.ModelTrace) -> None:
    at = open_page(view="patterns")
    pats = ac.head_patterns(default_trace)
    first = at.dataframe[0].value  # the "previous token" tab
    top = pats.ranked("previous", top=8)
    np.testing.assert_allclose(first.iloc[:, 0].to_numpy(), [s for _, _, s in top], atol=1e-12)
    assert first.index[0] == "layer 1 · head 3" and first.iloc[0, 0] > 0.99
    (fig,) = figures(at)
    np.testing.assert_allclose(decode(fig["data"][0]["z"]), pats.best()[0], atol=1e-12)


def test_random_view_is_flat(default_trace: ac.ModelTrace) -> None:
    at = open_page(view="random")
    trained_fig, random_fig = figures(at)
    random_alpha = decode(random_fig["data"][0]["z"])
    assert random_alpha.min() > 0.5 / 15 and random_alpha.max() < 2 / 15  # near 1/15 everywhere
    np.testing.assert_allclose(decode(trained_fig["data"][0]["z"]), default_trace.layers[3].weights[1], atol=1e-4)
    broad = at.dataframe[0].value
    assert broad.iloc[0, 1] > 0.99 > 0.8 > broad.iloc[0, 0]  # random: near-uniform rows; trained: peaked


def test_spanish() -> None:
    at = open_page(lang="es", text="me gusta estudiar inteligencia artificial")
    assert at.title[0].value == "Un modelo entrenado"
    assert any("subpalabras" in c.value for c in at.caption)  # the note on English sub-words
    assert any("Jain y Wallace" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("params", "expect"),
    [
        ({"view": "bogus"}, {"view": None}),  # the default view, model, is not written into the link
        ({"layer": "99", "thead": "-4"}, {"layer": "6", "thead": "1"}),
        ({"tword": "500", "view": "step"}, {"tword": "15"}),
        ({"text": "   "}, {}),
        ({"no_special": "maybe", "view": "head"}, {}),
    ],
)
def test_bad_links_give_a_working_page(params: dict[str, str], expect: dict[str, str | None]) -> None:
    at = open_page(**params)
    assert at.get("plotly_chart"), "the page drew no chart"
    for key, value in expect.items():
        assert at.query_params.get(key) == value, key
    if params.get("text") == "   ":
        assert any("The text is empty" in w.value for w in at.warning)


def test_presenter_mode_stays_here() -> None:
    at = open_page(present="1", view="head")
    assert not at.title and at.header[0].value == "A trained model"
    assert len(at.get("plotly_chart")) == 2


def test_truncation_note() -> None:
    at = open_page(text="word " * 200)
    assert any("only the first 128" in w.value for w in at.warning)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hst.one_of(hst.text(max_size=120), hst.sampled_from(["\x00", "😀👨‍👩‍👧", "<b>x</b>", "**x**", "[SEP] [CLS]"])))
def test_any_typed_text_gives_a_working_page(text: str) -> None:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    at.text_input(key="tm_text").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 1


@pytest.fixture
def other_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """ATTENTION_MODEL_DIR pointing at a tiny checkpoint; the process-wide model cache cleared around it."""
    folder = write_tiny_bert(tmp_path / "tiny-bert")
    monkeypatch.setenv(ac.models.MODEL_DIR_ENV, str(folder))
    tr.trained_model.clear()
    yield folder
    monkeypatch.delenv(ac.models.MODEL_DIR_ENV)
    tr.trained_model.clear()


def test_another_checkpoint_from_the_environment(other_model: Path) -> None:
    at = open_page(text="The big red cats sat", layer="4", thead="2")
    (fig,) = figures(at)
    assert decode(fig["data"][0]["z"]).shape[0] == 2 * (8 + 1) - 1  # 2 layers of 8-token tiles and one gap
    assert at.selectbox(key="layer").value == 2 and at.selectbox(key="thead").value == 2


def test_a_model_that_cannot_load_gives_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ac.models.MODEL_DIR_ENV, str(tmp_path / "nowhere"))
    tr.trained_model.clear()
    try:
        at = open_page()
        assert any("could not be loaded" in e.value and "nowhere" in e.value for e in at.error)
    finally:
        monkeypatch.delenv(ac.models.MODEL_DIR_ENV)
        tr.trained_model.clear()
