"""The engine against the reference notebook (its printed output: tests/data/seed_notebook.txt).

Two trusted references: the numbers the notebook prints (seed 23, to the 4 decimals it
shows), and an independent transcription of the notebook's own code as a function of the
seed, which `compute` must match for every seed to 1e-12.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from notebook_values import (
    ALPHAS,
    ATTENTION_SCORES,
    ME_,
    ME_EMBED_POS,
    PER_WORD_ALPHAS,
    PER_WORD_ATTENTION,
    WORDS,
    K,
    Q,
    V,
    X,
)

from attention_core import AttentionConfig, compute, explain_token


def assert_prints_as(actual: npt.ArrayLike, printed: npt.ArrayLike) -> None:
    """`actual` rounded to the notebook's 4 decimals is what the notebook printed."""
    a = np.asarray(actual, dtype=np.float64)
    p = np.asarray(printed, dtype=np.float64)
    assert a.shape == p.shape
    np.testing.assert_allclose(np.round(a, 4), p, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def trace() -> Any:
    return compute(AttentionConfig())


def test_default_config_is_the_notebooks() -> None:
    c = AttentionConfig()
    assert c.sentence == "me gusta estudiar inteligencia artificial"
    assert (c.d_model, c.d_k, c.d_v, c.seed, c.n_heads) == (4, 3, 3, 23, 1)
    assert (c.positional, c.scaled, c.causal, c.temperature, c.weight_scale) == ("notebook", False, False, 1.0, 0.1)


def test_tokens_and_shapes(trace: Any) -> None:
    assert trace.tokens == WORDS
    assert trace.positional_used.scheme == "notebook"
    assert trace.positional_used.reason is None
    assert trace.x.shape == (5, 4)
    assert trace.q.shape == trace.k.shape == trace.v.shape == (1, 5, 3)
    assert trace.weights.shape == (1, 5, 5)
    assert trace.output.shape == (5, 3)
    assert trace.w_o is None


def test_me_embedding(trace: Any) -> None:
    assert_prints_as(trace.embeddings[0], ME_)


def test_me_embed_pos(trace: Any) -> None:
    assert_prints_as(trace.x[0], ME_EMBED_POS)
    np.testing.assert_array_equal(trace.positions[0], [0.3, -0.9, -0.6, 0.8])


def test_x(trace: Any) -> None:
    assert_prints_as(trace.x, X)


@pytest.mark.parametrize(("name", "printed"), [("q", Q), ("k", K), ("v", V)])
def test_q_k_v(trace: Any, name: str, printed: list[list[float]]) -> None:
    assert_prints_as(getattr(trace, name)[0], printed)


def test_per_word_queries(trace: Any) -> None:
    """In [174]: print(me_query) ... print(artificial_query) are the rows of Q."""
    for i in range(5):
        assert_prints_as(trace.q[0, i], Q[i])


@pytest.mark.parametrize("i", range(5), ids=WORDS)
def test_per_word_alphas_and_attention(trace: Any, i: int) -> None:
    """The notebook's "Palabra <word>" sections, one query word at a time."""
    ex = explain_token(trace, i)
    word = WORDS[i]
    assert ex.token == word
    assert_prints_as(ex.weights, PER_WORD_ALPHAS[word])
    assert_prints_as(ex.output, PER_WORD_ATTENTION[word])
    # The notebook's weighted sum, term by term: alphas[:, j] * <word_j>_value.
    assert_prints_as(ex.terms.sum(axis=0), PER_WORD_ATTENTION[word])


def test_first_alpha_is_01984(trace: Any) -> None:
    """In [164]: me_alphas[:, 0] -> array([0.1984])."""
    assert round(float(trace.weights[0, 0, 0]), 4) == 0.1984


def test_alpha_matrix(trace: Any) -> None:
    assert_prints_as(trace.weights[0], ALPHAS)


def test_attention_scores(trace: Any) -> None:
    assert_prints_as(trace.output, ATTENTION_SCORES)
    assert_prints_as(trace.head_outputs[0], ATTENTION_SCORES)


def test_unscaled_logits_are_the_scores(trace: Any) -> None:
    """The notebook applies softmax straight to Q @ K.T: no 1/sqrt(d_k), no temperature."""
    assert trace.scale == 1.0
    np.testing.assert_array_equal(trace.logits, trace.scores)


# --- The notebook's code, transcribed, as a function of the seed ---------------------------


def _notebook_softmax(x: Any) -> Any:
    # Verbatim from In [161] (including its in-place `-=`), applied to a fresh array.
    x = np.array(x, dtype=np.float64)
    x -= np.max(x, axis=1, keepdims=True)
    return np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)


def notebook(seed: int) -> dict[str, Any]:
    """The notebook's cells In [155]-[180] with `np.random.seed(seed)` as a local RandomState."""
    rs = np.random.RandomState(seed)
    d_model, d_k, d_v = 4, 3, 3
    me_ = rs.randn(d_model)
    gusta_ = rs.randn(d_model)
    estudiar_ = rs.randn(d_model)
    inteligencia_ = rs.randn(d_model)
    artificial_ = rs.randn(d_model)
    pos_1 = np.array([0.3, -0.9, -0.6, 0.8])
    pos_2 = np.array([-0.6, 0.8, -0.9, 0.15])
    pos_3 = np.array([0.8, -0.5, -0.9, 0.5])
    pos_4 = np.array([-0.9, 0.2, -0.4, -0.9])
    pos_5 = np.array([0.95, 0.16, 0.2, -0.95])
    embeds = [me_, gusta_, estudiar_, inteligencia_, artificial_]
    pos = [pos_1, pos_2, pos_3, pos_4, pos_5]
    embed_pos = [e + p for e, p in zip(embeds, pos, strict=True)]
    W_q = rs.randn(d_model, d_k) * 0.1
    W_k = rs.randn(d_model, d_k) * 0.1
    W_v = rs.randn(d_model, d_v) * 0.1
    queries = [e @ W_q for e in embed_pos]
    keys = [e @ W_k for e in embed_pos]
    values = [e @ W_v for e in embed_pos]

    # "Palabra ...": one word at a time, exactly as the notebook writes it out.
    per_word_alphas, per_word_attention = [], []
    for query in queries:
        word_alphas = _notebook_softmax([[query @ key.T for key in keys]])
        attention = np.array(
            [
                word_alphas[:, 0] * values[0]
                + word_alphas[:, 1] * values[1]
                + word_alphas[:, 2] * values[2]
                + word_alphas[:, 3] * values[3]
                + word_alphas[:, 4] * values[4]
            ]
        )
        per_word_alphas.append(word_alphas[0])
        per_word_attention.append(attention[0])

    # "Utilizando matrices".
    x = np.array([[e] for e in embed_pos]).reshape(-1, d_model)
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    alphas = _notebook_softmax(q @ k.T)
    return {
        "embeddings": np.array(embeds),
        "x": x,
        "w_q": W_q,
        "w_k": W_k,
        "w_v": W_v,
        "q": q,
        "k": k,
        "v": v,
        "alphas": alphas,
        "attention_scores": alphas @ v,
        "per_word_alphas": np.array(per_word_alphas),
        "per_word_attention": np.array(per_word_attention),
    }


def test_transcription_prints_the_notebooks_numbers() -> None:
    """Guard the reference itself: at seed 23 it prints what the notebook printed."""
    ref = notebook(23)
    assert_prints_as(ref["embeddings"][0], ME_)
    assert_prints_as(ref["x"], X)
    assert_prints_as(ref["q"], Q)
    assert_prints_as(ref["k"], K)
    assert_prints_as(ref["v"], V)
    assert_prints_as(ref["alphas"], ALPHAS)
    assert_prints_as(ref["attention_scores"], ATTENTION_SCORES)
    assert_prints_as(ref["per_word_alphas"], [PER_WORD_ALPHAS[w] for w in WORDS])
    assert_prints_as(ref["per_word_attention"], [PER_WORD_ATTENTION[w] for w in WORDS])


def test_transcription_with_global_seed_matches_local_randomstate() -> None:
    """`np.random.seed(s); np.random.randn(...)` (the notebook) draws what RandomState(s) draws."""
    saved = np.random.get_state()
    try:
        np.random.seed(23)
        me_ = np.random.randn(4)
    finally:
        np.random.set_state(saved)
    np.testing.assert_array_equal(me_, notebook(23)["embeddings"][0])


@pytest.mark.parametrize("seed", [0, 1, 7, 23, 42, 1234, 99_999, 2**31 - 1, 2**32 - 1])
def test_default_reproduces_the_notebook_for_any_seed(seed: int) -> None:
    ref = notebook(seed)
    tr = compute(AttentionConfig(seed=seed))
    tol = {"rtol": 0, "atol": 1e-12}
    np.testing.assert_allclose(tr.embeddings, ref["embeddings"], **tol)
    np.testing.assert_allclose(tr.x, ref["x"], **tol)
    np.testing.assert_allclose(tr.w_q[0], ref["w_q"], **tol)
    np.testing.assert_allclose(tr.w_k[0], ref["w_k"], **tol)
    np.testing.assert_allclose(tr.w_v[0], ref["w_v"], **tol)
    np.testing.assert_allclose(tr.q[0], ref["q"], **tol)
    np.testing.assert_allclose(tr.k[0], ref["k"], **tol)
    np.testing.assert_allclose(tr.v[0], ref["v"], **tol)
    np.testing.assert_allclose(tr.weights[0], ref["alphas"], **tol)
    np.testing.assert_allclose(tr.output, ref["attention_scores"], **tol)
    for i in range(5):
        ex = explain_token(tr, i)
        np.testing.assert_allclose(ex.weights, ref["per_word_alphas"][i], **tol)
        np.testing.assert_allclose(ex.output, ref["per_word_attention"][i], **tol)


def test_different_seeds_give_different_numbers() -> None:
    """The seed really reaches the draws (otherwise the test above would pass trivially)."""
    a, b = compute(AttentionConfig(seed=0)), compute(AttentionConfig(seed=1))
    assert not np.allclose(a.embeddings, b.embeddings)
    assert not np.allclose(a.weights, b.weights)
