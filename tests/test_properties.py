"""Properties of attention that must hold for every config, checked with hypothesis."""

from __future__ import annotations

import dataclasses
import math
import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_core import (
    D_HEAD_MAX,
    D_MODEL_MAX,
    MAX_TOKENS,
    N_HEADS_MAX,
    SEED_MAX,
    AttentionConfig,
    AttentionTrace,
    attention,
    compute,
    explain_token,
    multi_head_attention,
    softmax,
    tokenize,
    trace_from_matrices,
)
from attention_core.trace import ARRAY_FIELDS

VOCAB = ("me", "gusta", "estudiar", "inteligencia", "artificial", "the", "cat", "sat", "on", "mat", "ñandú", "日本")
TOL = {"rtol": 0, "atol": 1e-12}

fast = settings(max_examples=40, deadline=None)
slow = settings(max_examples=25, deadline=None)

seeds = st.integers(0, SEED_MAX)
sentences = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=10).map(" ".join)
distinct_words = st.lists(st.sampled_from(VOCAB), min_size=2, max_size=len(VOCAB), unique=True)
positive = st.floats(0.05, 20.0, allow_nan=False, allow_infinity=False)


@st.composite
def configs(draw: st.DrawFn, **fixed: Any) -> AttentionConfig:
    """A valid config with small sizes (so each example stays fast); `fixed` overrides fields."""
    values: dict[str, Any] = {
        "sentence": draw(sentences),
        "d_model": draw(st.integers(1, 12)),
        "d_k": draw(st.integers(1, 6)),
        "d_v": draw(st.integers(1, 6)),
        "seed": draw(seeds),
        "n_heads": draw(st.integers(1, 4)),
        "positional": draw(st.sampled_from(("notebook", "sinusoidal", "none"))),
        "scaled": draw(st.booleans()),
        "causal": draw(st.booleans()),
        "temperature": draw(positive),
        "weight_scale": draw(st.floats(0.01, 2.0)),
    }
    values.update(fixed)
    return AttentionConfig(**values)


def arrays(shape: tuple[int, ...], lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of `shape` with moderate values (built from a seed: fast and shrinkable)."""
    return seeds.map(lambda s: np.random.RandomState(s).uniform(lo, hi, size=shape))


# --- weights ------------------------------------------------------------------------------


@fast
@given(configs())
def test_weight_rows_are_distributions(config: AttentionConfig) -> None:
    w = compute(config).weights
    n = len(config.tokens)
    assert w.shape == (config.n_heads, n, n)
    assert (w >= 0).all()
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@fast
@given(configs(causal=True))
def test_causal_weights_are_zero_above_the_diagonal(config: AttentionConfig) -> None:
    tr = compute(config)
    n = tr.n_tokens
    above = np.triu(np.ones((n, n), dtype=bool), k=1)
    assert (tr.weights[:, above] == 0).all()
    assert (tr.logits[:, above] == -np.inf).all()
    assert np.isfinite(tr.logits[:, ~above]).all()
    # The first token can only attend to itself.
    np.testing.assert_array_equal(tr.weights[:, 0, 0], 1.0)
    # Query i only sees keys 0..i: its weights are the softmax of that prefix alone.
    for i in range(n):
        expected = softmax(tr.scores[:, i, : i + 1] * tr.scale / tr.temperature)
        np.testing.assert_allclose(tr.weights[:, i, : i + 1], expected, rtol=1e-12, atol=1e-15)


@fast
@given(configs(causal=False))
def test_unmasked_logits_are_finite(config: AttentionConfig) -> None:
    tr = compute(config)
    assert np.isfinite(tr.logits).all()
    # Every key gets weight (it may underflow to 0 when the logits are far apart).
    assert (tr.weights.max(axis=-1) > 0).all()


# --- permutation equivariance ---------------------------------------------------------------


@slow
@given(distinct_words, st.randoms(use_true_random=False), seeds, st.integers(1, 3), st.booleans())
def test_permuting_tokens_permutes_outputs(words: list[str], rnd: Any, seed: int, n_heads: int, scaled: bool) -> None:
    """With positional="none", attention is permutation-equivariant.

    `compute` draws embedding rows in order of first appearance, so a permuted sentence gets
    the *same* rows in the same positions (the words swap embeddings). To permute the tokens
    each with its own embedding, permute the embedding rows and rebuild the trace from the
    same weights with `trace_from_matrices`.
    """
    config = AttentionConfig(
        sentence=" ".join(words), d_model=6, d_k=3, d_v=2, seed=seed, n_heads=n_heads, positional="none", scaled=scaled
    )
    tr = compute(config)
    np.testing.assert_array_equal(tr.positions, 0.0)
    perm = list(range(len(words)))
    rnd.shuffle(perm)
    p = np.asarray(perm)
    permuted = trace_from_matrices(
        [tr.tokens[i] for i in perm],
        tr.embeddings[p],
        tr.positions[p],
        tr.w_q,
        tr.w_k,
        tr.w_v,
        tr.w_o,
        scaled=scaled,
    )
    tol = {"rtol": 1e-10, "atol": 1e-13}  # sums run in another order: not bit-identical
    np.testing.assert_allclose(permuted.output, tr.output[p], **tol)
    np.testing.assert_allclose(permuted.head_outputs, tr.head_outputs[:, p], **tol)
    np.testing.assert_allclose(permuted.weights, tr.weights[:, p][:, :, p], **tol)
    np.testing.assert_allclose(permuted.scores, tr.scores[:, p][:, :, p], **tol)


def test_permuted_sentence_alone_does_not_move_embeddings() -> None:
    """Why the test above permutes rows by hand: rows follow first appearance, not the word."""
    a = compute(AttentionConfig(sentence="me gusta estudiar", positional="none"))
    b = compute(AttentionConfig(sentence="estudiar me gusta", positional="none"))
    np.testing.assert_array_equal(a.embeddings, b.embeddings)
    np.testing.assert_array_equal(a.output, b.output)


# --- kernels -------------------------------------------------------------------------------


@fast
@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(1, 5),
    st.integers(1, 5),
    seeds,
    st.sampled_from([None, 1.0, 0.3]),
    st.booleans(),
    positive,
)
def test_one_head_multi_head_is_single_head(
    n: int, d_model: int, d_k: int, d_v: int, seed: int, scale: float | None, causal: bool, temperature: float
) -> None:
    rs = np.random.RandomState(seed)
    x = rs.randn(n, d_model)
    wq, wk, wv = rs.randn(1, d_model, d_k), rs.randn(1, d_model, d_k), rs.randn(1, d_model, d_v)
    wo = rs.randn(d_v, 5)
    out, weights = multi_head_attention(x, wq, wk, wv, None, scale=scale, causal=causal, temperature=temperature)
    single_out, single_w = attention(
        x @ wq[0], x @ wk[0], x @ wv[0], scale=scale, causal=causal, temperature=temperature
    )
    assert out.shape == (n, d_v)
    assert weights.shape == (1, n, n)
    np.testing.assert_allclose(out, single_out, **TOL)
    np.testing.assert_allclose(weights[0], single_w, **TOL)
    out_o, _ = multi_head_attention(x, wq, wk, wv, wo, scale=scale, causal=causal, temperature=temperature)
    np.testing.assert_allclose(out_o, single_out @ wo, rtol=1e-12, atol=1e-12)


@fast
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), seeds, st.booleans())
def test_multi_head_is_heads_side_by_side(n_heads: int, n: int, d_model: int, d: int, seed: int, causal: bool) -> None:
    rs = np.random.RandomState(seed)
    x = rs.randn(n, d_model)
    wq, wk, wv = (rs.randn(n_heads, d_model, d) for _ in range(3))
    wo = rs.randn(n_heads * d, d_model)
    out, weights = multi_head_attention(x, wq, wk, wv, wo, causal=causal)
    heads = [attention(x @ wq[h], x @ wk[h], x @ wv[h], causal=causal) for h in range(n_heads)]
    np.testing.assert_allclose(weights, np.stack([w for _, w in heads]), **TOL)
    np.testing.assert_allclose(out, np.concatenate([o for o, _ in heads], axis=1) @ wo, rtol=1e-12, atol=1e-12)


@fast
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 8), seeds, st.booleans())
def test_scaled_is_unscaled_on_scores_over_sqrt_dk(n: int, m: int, d_k: int, seed: int, causal: bool) -> None:
    rs = np.random.RandomState(seed)
    q, k, v = rs.randn(2, n, d_k), rs.randn(2, m, d_k), rs.randn(2, m, 3)
    out, w = attention(q, k, v, causal=causal)  # scale=None: 1/sqrt(d_k)
    out1, w1 = attention(q / math.sqrt(d_k), k, v, scale=1.0, causal=causal)
    np.testing.assert_allclose(w, w1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out, out1, rtol=1e-12, atol=1e-15)
    logits = q @ k.swapaxes(-1, -2) / math.sqrt(d_k)
    if causal:
        logits = np.where(np.tri(n, m, dtype=bool), logits, -np.inf)
    np.testing.assert_allclose(w, softmax(logits), rtol=1e-12, atol=1e-15)


@fast
@given(configs(scaled=False))
def test_compute_scaled_is_unscaled_scores_over_sqrt_dk(config: AttentionConfig) -> None:
    plain = compute(config)
    scaled = compute(AttentionConfig(**{**config.__dict__, "scaled": True}))
    np.testing.assert_array_equal(scaled.scores, plain.scores)  # same draws, same products
    assert scaled.scale == pytest.approx(1 / math.sqrt(config.d_k), rel=1e-15)
    assert plain.scale == 1.0
    mask = np.isfinite(plain.logits)
    np.testing.assert_allclose(
        scaled.logits[mask], plain.scores[mask] / math.sqrt(config.d_k) / config.temperature, rtol=1e-12, atol=1e-15
    )
    expected = softmax(np.where(mask, plain.scores / math.sqrt(config.d_k) / config.temperature, -np.inf))
    np.testing.assert_allclose(scaled.weights, expected, rtol=1e-12, atol=1e-15)


@fast
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), seeds, positive, st.booleans())
def test_temperature_is_scale_one_over_t(n: int, m: int, d_k: int, seed: int, t: float, causal: bool) -> None:
    rs = np.random.RandomState(seed)
    q, k, v = rs.randn(n, d_k), rs.randn(m, d_k), rs.randn(m, 2)
    out_t, w_t = attention(q, k, v, scale=1.0, temperature=t, causal=causal)
    out_s, w_s = attention(q, k, v, scale=1.0 / t, causal=causal)
    np.testing.assert_allclose(w_t, w_s, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out_t, out_s, rtol=1e-12, atol=1e-15)


@fast
@given(configs(temperature=1.0, scaled=False), positive)
def test_compute_temperature_divides_the_scores(config: AttentionConfig, t: float) -> None:
    tr = compute(AttentionConfig(**{**config.__dict__, "temperature": t}))
    mask = np.isfinite(tr.logits)
    np.testing.assert_allclose(tr.logits[mask], tr.scores[mask] / t, rtol=1e-12, atol=0)
    np.testing.assert_allclose(tr.weights, softmax(np.where(mask, tr.scores / t, -np.inf)), rtol=1e-12, atol=1e-15)
    assert tr.temperature == t


# --- softmax -------------------------------------------------------------------------------


@fast
@given(st.integers(1, 5), st.integers(1, 7), seeds, st.sampled_from([-1, 0, 1]), st.floats(1e-3, 1e300))
def test_softmax_leaves_its_input_untouched(rows: int, cols: int, seed: int, axis: int, spread: float) -> None:
    x = np.random.RandomState(seed).uniform(-1, 1, size=(rows, cols)) * spread
    before = x.copy()
    y = softmax(x, axis=axis)
    np.testing.assert_array_equal(x, before)
    assert y is not x and not np.shares_memory(x, y)
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=0, atol=1e-12)


def test_softmax_leaves_input_with_inf_untouched() -> None:
    x = np.array([[1.0, -np.inf, 2.0], [-np.inf, -np.inf, -np.inf]])
    before = x.copy()
    softmax(x)
    np.testing.assert_array_equal(x, before)


def test_softmax_known_values() -> None:
    np.testing.assert_allclose(softmax([0.0, 0.0]), [0.5, 0.5], **TOL)
    np.testing.assert_allclose(softmax([0.0, math.log(3.0)]), [0.25, 0.75], **TOL)
    e, e2 = math.e, math.e**2
    expected = [[1 / (1 + e2), 1 / (1 + e)], [e2 / (1 + e2), e / (1 + e)]]
    np.testing.assert_allclose(softmax([[1.0, 2.0], [3.0, 3.0]], axis=0), expected, rtol=1e-12)
    # Shift invariance: the max subtraction changes nothing.
    x = np.array([0.3, -1.2, 2.5])
    np.testing.assert_allclose(softmax(x + 1000.0), softmax(x), rtol=1e-12)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ([1e300, -1e300, 0.0], [1.0, 0.0, 0.0]),
        ([1e300, 1e300], [0.5, 0.5]),
        ([-1e300, -1e300, -1e300], [1 / 3, 1 / 3, 1 / 3]),
        ([1.7e308, -1.7e308], [1.0, 0.0]),  # a - max overflows to -inf: exp gives 0, fine
        ([-np.inf, 0.0, -np.inf], [0.0, 1.0, 0.0]),
        ([-np.inf, -np.inf], [0.0, 0.0]),
    ],
)
@pytest.mark.filterwarnings("ignore:overflow encountered in subtract:RuntimeWarning")  # the 1.7e308 row
def test_softmax_extremes_are_finite(row: list[float], expected: list[float]) -> None:
    with np.errstate(invalid="raise", divide="raise"):  # no 0/0, no inf - inf
        y = softmax(np.array([row]))
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y[0], expected, rtol=1e-12, atol=0)


def test_softmax_all_minus_inf_row_gives_zeros_not_nan() -> None:
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]])
    y = softmax(x)
    assert not np.isnan(y).any()
    np.testing.assert_array_equal(y[0], 0.0)
    np.testing.assert_allclose(y[1], softmax([0.0, 1.0, 2.0]), **TOL)


# --- masks ---------------------------------------------------------------------------------


@fast
@given(st.integers(2, 6), st.integers(1, 6), seeds, st.data())
def test_attention_fully_masked_row_gives_zeros(n: int, m: int, seed: int, data: st.DataObject) -> None:
    rs = np.random.RandomState(seed)
    q, k, v = rs.randn(n, 3), rs.randn(m, 3), rs.randn(m, 2)
    mask = rs.rand(n, m) < 0.6
    dead = data.draw(st.integers(0, n - 1))
    mask[dead] = False
    mask[(dead + 1) % n, 0] = True  # at least one live row
    out, w = attention(q, k, v, mask=mask)
    assert not np.isnan(out).any() and not np.isnan(w).any()
    for i in range(n):
        if not mask[i].any():
            np.testing.assert_array_equal(w[i], 0.0)
            np.testing.assert_array_equal(out[i], 0.0)
        else:
            np.testing.assert_array_equal(w[i][~mask[i]], 0.0)
            np.testing.assert_allclose(w[i].sum(), 1.0, **TOL)
            s = q[i] @ k[mask[i]].T / math.sqrt(3)
            np.testing.assert_allclose(w[i][mask[i]], softmax(s), rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(out[i], w[i] @ v, rtol=1e-12, atol=1e-15)


def test_attention_mask_broadcasts_over_heads() -> None:
    rs = np.random.RandomState(0)
    q, k, v = rs.randn(3, 4, 2), rs.randn(3, 5, 2), rs.randn(3, 5, 2)
    mask = np.array([True, False, True, False, True])  # broadcast to (3, 4, 5)
    _, w = attention(q, k, v, mask=mask)
    assert w.shape == (3, 4, 5)
    np.testing.assert_array_equal(w[..., ~mask], 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0, **TOL)


# --- randomness ----------------------------------------------------------------------------


@slow
@given(configs())
def test_compute_leaves_the_global_rng_untouched(config: AttentionConfig) -> None:
    np.random.seed(12345)
    before = np.random.get_state()
    first = compute(config)
    after = np.random.get_state()
    assert before[0] == after[0]
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]
    # ...and does not read it either: another global state, the same trace.
    np.random.seed(54321)
    np.testing.assert_array_equal(compute(config).weights, first.weights)
    np.testing.assert_array_equal(compute(config).output, first.output)


@fast
@given(seeds, st.integers(1, 8), st.integers(1, 3), st.integers(1, 4))
def test_draw_order(seed: int, d_model: int, n_heads: int, d_k: int) -> None:
    """Embeddings per distinct token, then W_q, W_k, W_v (columns split per head), then W_o."""
    sentence = "the cat sat on the mat the end"  # 6 distinct tokens, 8 in all
    tr = compute(AttentionConfig(sentence=sentence, d_model=d_model, d_k=d_k, d_v=2, seed=seed, n_heads=n_heads))
    rs = np.random.RandomState(seed)
    table = rs.randn(6, d_model)
    w_q = rs.randn(d_model, n_heads * d_k) * 0.1
    w_k = rs.randn(d_model, n_heads * d_k) * 0.1
    w_v = rs.randn(d_model, n_heads * 2) * 0.1
    rows = [0, 1, 2, 3, 0, 4, 0, 5]
    np.testing.assert_array_equal(tr.embeddings, table[rows])
    for h in range(n_heads):
        np.testing.assert_array_equal(tr.w_q[h], w_q[:, h * d_k : (h + 1) * d_k])
        np.testing.assert_array_equal(tr.w_k[h], w_k[:, h * d_k : (h + 1) * d_k])
        np.testing.assert_array_equal(tr.w_v[h], w_v[:, h * 2 : (h + 1) * 2])
    if n_heads > 1:
        assert tr.w_o is not None
        np.testing.assert_array_equal(tr.w_o, rs.randn(n_heads * 2, d_model) * 0.1)
    else:
        assert tr.w_o is None


@fast
@given(seeds, st.integers(1, 8))
def test_repeated_words_reuse_the_same_embedding_row(seed: int, d_model: int) -> None:
    sentence = "la IA y la gente y la IA"
    tr = compute(AttentionConfig(sentence=sentence, d_model=d_model, seed=seed, positional="none"))
    tokens = list(tr.tokens)
    assert tokens == ["la", "ia", "y", "la", "gente", "y", "la", "ia"]
    for i, a in enumerate(tokens):
        for j, b in enumerate(tokens):
            if a == b:
                np.testing.assert_array_equal(tr.embeddings[i], tr.embeddings[j])
            else:
                assert not np.array_equal(tr.embeddings[i], tr.embeddings[j])
    # Repeats draw nothing: the weights are those of the sentence of its 4 distinct words.
    distinct = compute(AttentionConfig(sentence="la ia y gente", d_model=d_model, seed=seed, positional="none"))
    np.testing.assert_array_equal(tr.w_q, distinct.w_q)
    np.testing.assert_array_equal(tr.w_v, distinct.w_v)
    np.testing.assert_array_equal(tr.embeddings[[0, 1, 2, 4]], distinct.embeddings)


# --- validation ----------------------------------------------------------------------------

INVALID = [
    ("sentence", ""),
    ("sentence", "   \t\n "),
    ("sentence", " ".join(["w"] * (MAX_TOKENS + 1))),
    ("sentence", None),
    ("d_model", 0),
    ("d_model", D_MODEL_MAX + 1),
    ("d_k", 0),
    ("d_k", D_HEAD_MAX + 1),
    ("d_v", 0),
    ("d_v", D_HEAD_MAX + 1),
    ("n_heads", 0),
    ("n_heads", N_HEADS_MAX + 1),
    ("d_model", 4.0),
    ("d_model", "4"),
    ("seed", -1),
    ("seed", 2**32),
    ("seed", True),
    ("seed", 1.5),
    ("temperature", 0),
    ("temperature", 0.0),
    ("temperature", -1),
    ("temperature", math.nan),
    ("temperature", math.inf),
    ("temperature", -math.inf),
    ("temperature", "1"),
    ("weight_scale", 0),
    ("weight_scale", -1),
    ("weight_scale", math.nan),
    ("weight_scale", math.inf),
    ("positional", "foo"),
    ("positional", "Notebook"),
    ("scaled", 1),
    ("causal", "yes"),
]


@pytest.mark.parametrize(("field", "value"), INVALID, ids=[f"{f}={v!r}"[:40] for f, v in INVALID])
def test_invalid_config_names_the_field(field: str, value: Any) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        AttentionConfig(**{field: value})
    assert field in str(info.value)


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("d_model", 513, "1..512"),
        ("d_k", 257, "1..256"),
        ("d_v", 0, "1..256"),
        ("n_heads", 17, "1..16"),
        ("seed", 2**32, "0..4294967295"),
        ("sentence", " ".join(["w"] * 257), "256"),
        ("temperature", 0, "> 0"),
        ("positional", "foo", "notebook, sinusoidal, none"),
    ],
)
def test_invalid_config_states_the_allowed_range(field: str, value: Any, allowed: str) -> None:
    with pytest.raises(ValueError, match=field) as info:
        AttentionConfig(**{field: value})
    assert allowed in str(info.value)


@fast
@given(
    st.sampled_from([("d_model", 1, D_MODEL_MAX), ("d_k", 1, D_HEAD_MAX), ("d_v", 1, D_HEAD_MAX)])
    | st.sampled_from([("n_heads", 1, N_HEADS_MAX), ("seed", 0, SEED_MAX)]),
    st.integers(-(2**70), 2**70),
)
def test_out_of_range_ints_raise_with_the_field(spec: tuple[str, int, int], value: int) -> None:
    field, lo, hi = spec
    if lo <= value <= hi:
        AttentionConfig(**{field: value})  # in range: accepted
        return
    with pytest.raises(ValueError, match=field):
        AttentionConfig(**{field: value})


def test_limits_are_accepted() -> None:
    AttentionConfig(sentence=" ".join(["w"] * MAX_TOKENS), d_model=1, d_k=1, d_v=1, n_heads=1, seed=0)
    AttentionConfig(d_model=D_MODEL_MAX, d_k=D_HEAD_MAX, d_v=D_HEAD_MAX, n_heads=N_HEADS_MAX, seed=SEED_MAX)
    AttentionConfig(seed=np.uint32(7), temperature=np.float64(0.5))  # numpy scalars are numbers too


# --- read-only trace -----------------------------------------------------------------------


def test_array_fields_names_every_array_of_a_trace() -> None:
    """The list the tests (and the read-only and pickle code) iterate over misses no array."""
    tr = compute(AttentionConfig(sentence="a b c", n_heads=2))
    arrays = {f.name for f in dataclasses.fields(tr) if isinstance(getattr(tr, f.name), np.ndarray)}
    assert arrays == set(ARRAY_FIELDS)


def _assert_read_only(tr: AttentionTrace) -> None:
    for name in ARRAY_FIELDS:
        a = getattr(tr, name)
        if a is None:
            continue
        assert not a.flags.writeable, name
        with pytest.raises(ValueError):
            a[...] = 0.0
        with pytest.raises(ValueError):
            a.flat[0] = 1.0


@pytest.mark.parametrize("config", [AttentionConfig(), AttentionConfig(sentence="a b c d", n_heads=3, causal=True)])
def test_trace_arrays_are_read_only_even_after_pickle(config: AttentionConfig) -> None:
    tr = compute(config)
    _assert_read_only(tr)
    with pytest.raises(AttributeError):
        tr.weights = tr.weights  # type: ignore[misc]  # frozen dataclass
    copy = pickle.loads(pickle.dumps(tr))
    assert isinstance(copy, AttentionTrace)
    _assert_read_only(copy)
    assert copy.tokens == tr.tokens and copy.positional_used == tr.positional_used
    for name in ARRAY_FIELDS:
        a, b = getattr(tr, name), getattr(copy, name)
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_overflow_raises_instead_of_returning_inf() -> None:
    with pytest.raises(ValueError, match="overflowed"):
        compute(AttentionConfig(weight_scale=1e300))
    # Finite q and k whose product overflows to -inf: the output alone (zeros) would look fine.
    with pytest.raises(ValueError, match="overflowed"):
        trace_from_matrices(["a"], [[1.0]], [[0.0]], [[1e300]], [[-1e300]], [[1.0]])


def test_trace_does_not_share_the_callers_arrays() -> None:
    e, p = np.ones((2, 3)), np.zeros((2, 3))
    wq, wk, wv = np.full((3, 2), 0.5), np.full((3, 2), 0.25), np.eye(3)
    tr = trace_from_matrices(["a", "b"], e, p, wq, wk, wv)
    e[:] = 7.0
    wq[:] = 7.0
    np.testing.assert_array_equal(tr.embeddings, 1.0)
    np.testing.assert_array_equal(tr.w_q[0], 0.5)
    assert e.flags.writeable and wq.flags.writeable  # the caller's arrays stay theirs


# --- explain_token -------------------------------------------------------------------------


@fast
@given(configs())
def test_explain_token_agrees_with_the_matrix_form(config: AttentionConfig) -> None:
    tr = compute(config)
    for h in range(tr.n_heads):
        for i in range(tr.n_tokens):
            ex = explain_token(tr, i, h)
            assert (ex.index, ex.head, ex.token) == (i, h, tr.tokens[i])
            np.testing.assert_allclose(ex.dots, tr.scores[h, i], **TOL)
            np.testing.assert_array_equal(ex.logits, tr.logits[h, i])
            np.testing.assert_allclose(ex.weights, tr.weights[h, i], **TOL)
            np.testing.assert_allclose(ex.terms, tr.weights[h, i][:, None] * tr.v[h], **TOL)
            np.testing.assert_allclose(ex.output, tr.head_outputs[h, i], **TOL)
            if tr.n_heads == 1:
                np.testing.assert_allclose(ex.output, tr.output[i], **TOL)


def test_explain_token_rejects_bad_indices() -> None:
    tr = compute(AttentionConfig(n_heads=2))
    for i, h in [(-1, 0), (5, 0), (0, -1), (0, 2)]:
        with pytest.raises(ValueError):
            explain_token(tr, i, h)


# --- shapes --------------------------------------------------------------------------------


@fast
@given(configs())
def test_trace_shapes_and_output(config: AttentionConfig) -> None:
    tr = compute(config)
    n, h, d, dk, dv = len(config.tokens), config.n_heads, config.d_model, config.d_k, config.d_v
    assert tr.tokens == tuple(config.tokens)
    assert tr.embeddings.shape == tr.positions.shape == tr.x.shape == (n, d)
    np.testing.assert_array_equal(tr.x, tr.embeddings + tr.positions)
    assert tr.w_q.shape == tr.w_k.shape == (h, d, dk)
    assert tr.w_v.shape == (h, d, dv)
    assert tr.q.shape == tr.k.shape == (h, n, dk)
    assert tr.v.shape == (h, n, dv)
    assert tr.scores.shape == tr.logits.shape == tr.weights.shape == (h, n, n)
    assert tr.head_outputs.shape == (h, n, dv)
    np.testing.assert_allclose(tr.q, tr.x @ tr.w_q, **TOL)
    np.testing.assert_allclose(tr.scores, tr.q @ tr.k.transpose(0, 2, 1), **TOL)
    np.testing.assert_allclose(tr.head_outputs, tr.weights @ tr.v, **TOL)
    if h == 1:
        assert tr.w_o is None
        assert tr.output.shape == (n, dv)
        np.testing.assert_array_equal(tr.output, tr.head_outputs[0])
    else:
        assert tr.w_o is not None
        assert tr.w_o.shape == (h * dv, d)
        assert tr.output.shape == (n, d)
        concat = np.concatenate(list(tr.head_outputs), axis=1)  # (n, h·d_v), head 0 first
        np.testing.assert_array_equal(tr.concat, concat)
        np.testing.assert_allclose(tr.output, concat @ tr.w_o, rtol=1e-12, atol=1e-15)


def test_positional_schemes() -> None:
    nb = compute(AttentionConfig())
    assert nb.positional_used.scheme == "notebook"
    long = compute(AttentionConfig(sentence="a b c d e f"))  # 6 tokens: the notebook has 5 vectors
    assert long.positional_used.scheme == "sinusoidal" and long.positional_used.reason
    wide = compute(AttentionConfig(d_model=8))
    assert wide.positional_used.scheme == "sinusoidal" and "d_model" in (wide.positional_used.reason or "")
    sin = compute(AttentionConfig(positional="sinusoidal", d_model=4))
    assert sin.positional_used.reason is None
    p = sin.positions
    np.testing.assert_allclose(p[0], [0.0, 1.0, 0.0, 1.0], **TOL)  # positions count from 0
    np.testing.assert_allclose(p[1], [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)], **TOL)
    none = compute(AttentionConfig(positional="none"))
    np.testing.assert_array_equal(none.positions, 0.0)
    np.testing.assert_array_equal(none.x, none.embeddings)


# --- tokenizer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        ("me gusta estudiar inteligencia artificial", ["me", "gusta", "estudiar", "inteligencia", "artificial"]),
        ("Me GUSTA Estudiar", ["me", "gusta", "estudiar"]),
        ("  lots   of\tspace\n", ["lots", "of", "space"]),
        ("Hola, mundo!", ["hola", ",", "mundo", "!"]),
        ("¿Qué tal?", ["¿", "qué", "tal", "?"]),
        ("end.", ["end", "."]),
        ('"quoted" (paren)', ['"', "quoted", '"', "(", "paren", ")"]),
        ("...", [".", ".", "."]),
        ("Ñandú ÉLAN straße", ["ñandú", "élan", "straße"]),
        ("日本語 テキスト", ["日本語", "テキスト"]),
        ("Привет мир", ["привет", "мир"]),
        ("in 2026 gpt4 3.14", ["in", "2026", "gpt4", "3", ".", "14"]),
        ("I ❤️ AI 🤖", ["i", "❤️", "ai", "🤖"]),
        ("ok👍🏽", ["ok", "👍🏽"]),
        ("🚀🚀", ["🚀", "🚀"]),
        ("", []),
        ("   \t\n", []),
    ],
)
def test_tokenize(sentence: str, tokens: list[str]) -> None:
    assert tokenize(sentence) == tokens


def test_tokenize_decomposed_accents_match_composed() -> None:
    assert tokenize("cafe\u0301") == tokenize("café") == ["café"]


def test_tokenize_ascii_fast_path_matches_the_reference_on_all_pairs() -> None:
    """ASCII text takes a regex shortcut; every 1- and 2-character ASCII string agrees."""
    from attention_core.tokenizer import _tokenize_unicode

    chars = [chr(c) for c in range(128)]
    for a in chars:
        assert tokenize(a) == _tokenize_unicode(a), repr(a)
        for b in chars:
            assert tokenize(a + b) == _tokenize_unicode(a + b), repr(a + b)


@fast
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_tokenize_ascii_fast_path_matches_the_reference(text: str) -> None:
    from attention_core.tokenizer import _tokenize_unicode

    assert tokenize(text) == _tokenize_unicode(text)


@fast
@given(st.text(max_size=60))
def test_tokenize_never_yields_blank_or_spaced_tokens(text: str) -> None:
    tokens = tokenize(text)
    assert all(t and not any(c.isspace() for c in t) for t in tokens)
    assert tokens == [t.lower() for t in tokens]
    assert tokenize(" ".join(tokens)) == tokens  # tokens are stable under re-tokenizing
