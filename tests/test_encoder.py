"""The encoder block: properties, an independent numpy reference, and the draw order."""

from __future__ import annotations

import dataclasses
import math
import pickle
import re
import statistics
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_core import (
    AttentionConfig,
    BlockTrace,
    EncoderTrace,
    LayerNormTrace,
    compute,
    compute_block,
    encoder_layer,
    layer_norm,
    tokenize,
)
from attention_core.trace import ARRAY_FIELDS

SETTINGS = settings(max_examples=40, deadline=None)
WORDS = ["me", "gusta", "estudiar", "inteligencia", "artificial", "el", "gato", "!"]
# A block draws W_O even for one head, where the attention trace's w_o is empty: compared apart.
TRACE_ARRAYS = tuple(name for name in ARRAY_FIELDS if name != "w_o")


# ---------------------------------------------------------------- strategies


@st.composite
def configs(draw: st.DrawFn) -> AttentionConfig:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=7))  # repeats reuse an embedding row
    return AttentionConfig(
        sentence=" ".join(words),
        d_model=draw(st.integers(1, 8)),
        d_k=draw(st.integers(1, 4)),
        d_v=draw(st.integers(1, 4)),
        seed=draw(st.integers(0, 2**32 - 1)),
        n_heads=draw(st.integers(1, 3)),
        positional=draw(st.sampled_from(["notebook", "sinusoidal", "none"])),
        scaled=draw(st.booleans()),
        causal=draw(st.booleans()),
        temperature=draw(st.sampled_from([0.5, 1.0, 2.0])),
        weight_scale=draw(st.sampled_from([0.1, 0.5, 1.0])),
        d_ff=draw(st.integers(1, 8)),
    )


@st.composite
def layer_inputs(draw: st.DrawFn, min_d_model: int = 1) -> dict[str, Any]:
    """Random arguments for `encoder_layer`, non-zero biases included."""
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    n, d, h = draw(st.integers(1, 6)), draw(st.integers(min_d_model, 8)), draw(st.integers(1, 3))
    d_k, d_v, d_ff = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 9))
    return {
        "x": rng.randn(n, d),
        "w_q": rng.randn(h, d, d_k) * 0.5,
        "w_k": rng.randn(h, d, d_k) * 0.5,
        "w_v": rng.randn(h, d, d_v) * 0.5,
        "w_o": rng.randn(h * d_v, d) * 0.5,
        "w_1": rng.randn(d, d_ff) * 0.5,
        "b_1": rng.randn(d_ff) * 0.5,
        "w_2": rng.randn(d_ff, d) * 0.5,
        "b_2": rng.randn(d) * 0.5,
    }


# ---------------------------------------------------------------- an independent reference


def ref_layer_norm(
    x: np.ndarray, eps: float, gamma: np.ndarray | None = None, beta: np.ndarray | None = None
) -> np.ndarray:
    out = np.empty_like(x)
    for i, row in enumerate(x):
        mu = sum(row) / len(row)
        var = sum((r - mu) ** 2 for r in row) / len(row)
        out[i] = (row - mu) / math.sqrt(var + eps)
        if gamma is not None:
            out[i] = [o * g + b for o, g, b in zip(out[i], gamma, beta, strict=True)]
    return out


def ref_mha(x: np.ndarray, w_q: np.ndarray, w_k: np.ndarray, w_v: np.ndarray, w_o: np.ndarray, *,
            scale: float, causal: bool, temperature: float,
            biases: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """One head at a time, one query at a time, as a student would write it."""
    n = x.shape[0]
    heads, alphas = [], []
    b = biases or {}
    for hh, (wq, wk, wv) in enumerate(zip(w_q, w_k, w_v, strict=True)):
        q, k, v = x @ wq, x @ wk, x @ wv
        if b:
            q, k, v = q + b["b_q"][hh], k + b["b_k"][hh], v + b["b_v"][hh]
        out, alpha = np.zeros((n, v.shape[1])), np.zeros((n, n))
        for i in range(n):
            keys = range(i + 1) if causal else range(n)
            logits = np.array([np.dot(q[i], k[j]) * scale / temperature for j in keys])
            e = np.exp(logits - logits.max())
            for j, a in zip(keys, e / e.sum(), strict=True):
                alpha[i, j] = a
                out[i] += a * v[j]
        heads.append(out)
        alphas.append(alpha)
    attn = np.hstack(heads) @ w_o + (b["b_o"] if b else 0.0)
    return attn, np.stack(alphas)


def ref_gelu(z: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: v * 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))))(z)


def ref_encoder(p: dict[str, Any], *, norm_first: bool, eps: float = 1e-5, causal: bool = False,
                scale: float | None = None, temperature: float = 1.0,
                learned: dict[str, np.ndarray] | None = None,
                activation: str = "relu") -> dict[str, np.ndarray]:  # fmt: skip
    """The layer written out; `learned` holds b_q, b_k, b_v (h, d), b_o and the two norms' g1, be1, g2, be2."""
    s = 1 / math.sqrt(p["w_q"].shape[-1]) if scale is None else scale
    lp = learned or {}

    def mha(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return ref_mha(z, p["w_q"], p["w_k"], p["w_v"], p["w_o"], scale=s, causal=causal, temperature=temperature,
                       biases=lp)  # fmt: skip

    def ffn(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pre = z @ p["w_1"] + p["b_1"]
        hidden = ref_gelu(pre) if activation == "gelu" else np.maximum(pre, 0)
        return hidden, hidden @ p["w_2"] + p["b_2"]

    def ln(z: np.ndarray, which: int) -> np.ndarray:
        return ref_layer_norm(z, eps, lp.get(f"g{which}"), lp.get(f"be{which}"))

    x = p["x"]
    if norm_first:  # h = x + MHA(LN1(x)), out = h + FFN(LN2(h))
        attn, alpha = mha(ln(x, 1))
        h = x + attn
        hidden, f = ffn(ln(h, 2))
        out = h + f
    else:  # h = LN1(x + MHA(x)), out = LN2(h + FFN(h))
        attn, alpha = mha(x)
        h = ln(x + attn, 1)
        hidden, f = ffn(h)
        out = ln(h + f, 2)
    return {"attn_weights": alpha, "attn_output": attn, "h": h, "ffn_hidden": hidden, "ffn_output": f, "output": out}


def assert_close(actual: np.ndarray, expected: np.ndarray) -> None:
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- encoder_layer


@SETTINGS
@given(p=layer_inputs(), norm_first=st.booleans(), causal=st.booleans(),
       scale=st.sampled_from([None, 1.0, 0.3]), temperature=st.sampled_from([1.0, 0.7, 3.0]))  # fmt: skip
def test_encoder_layer_matches_independent_reference(
    p: dict[str, Any], norm_first: bool, causal: bool, scale: float | None, temperature: float
) -> None:
    t = encoder_layer(**p, norm_first=norm_first, causal=causal, scale=scale, temperature=temperature)
    ref = ref_encoder(p, norm_first=norm_first, causal=causal, scale=scale, temperature=temperature)
    for name, expected in ref.items():
        assert_close(getattr(t, name), expected)
    assert_close(t.ffn_pre_relu, t.ffn_input @ p["w_1"] + p["b_1"])
    assert_close(t.sum1, p["x"] + ref["attn_output"])
    if norm_first:
        assert t.norm_in is not None and t.norm2 is None
        assert_close(t.attn_input, ref_layer_norm(p["x"], 1e-5))
        assert_close(t.ffn_input, ref_layer_norm(ref["h"], 1e-5))
        assert_close(t.sum2, t.output)
    else:
        assert t.norm_in is None and t.norm2 is not None
        assert np.array_equal(t.attn_input, p["x"])
        assert_close(t.ffn_input, ref["h"])
        assert_close(t.sum2, ref["h"] + ref["ffn_output"])


@SETTINGS
@given(p=layer_inputs(), norm_first=st.booleans(), only_w_2=st.booleans())
def test_zero_ffn_weights_add_nothing(p: dict[str, Any], norm_first: bool, only_w_2: bool) -> None:
    zero = {"w_2": np.zeros_like(p["w_2"]), "b_2": np.zeros_like(p["b_2"])}
    if not only_w_2:
        zero |= {"w_1": np.zeros_like(p["w_1"]), "b_1": np.zeros_like(p["b_1"])}
    t = encoder_layer(**(p | zero), norm_first=norm_first)
    assert not t.ffn_output.any()
    assert np.array_equal(t.sum2, t.h)  # the second residual sum is its input, unchanged
    expected = t.h if norm_first else layer_norm(t.h).output
    assert np.array_equal(t.output, expected)
    # Control: the original FFN does change the stream, so the assertions above can fail.
    assert not np.array_equal(encoder_layer(**p, norm_first=norm_first).sum2, t.h)


@SETTINGS
@given(p=layer_inputs(), norm_first=st.booleans(), eps=st.sampled_from([1e-5, 1e-2, 1.0]))
def test_every_layer_norm_row_has_mean_0_and_variance_1(p: dict[str, Any], norm_first: bool, eps: float) -> None:
    t = encoder_layer(**p, norm_first=norm_first, eps=eps)
    assert len(t.norms) == 2
    for ln in t.norms:
        assert isinstance(ln, LayerNormTrace)
        np.testing.assert_allclose(ln.mean, ln.input.mean(axis=1), rtol=0, atol=1e-12)
        np.testing.assert_allclose(ln.var, ln.input.var(axis=1), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ln.output.mean(axis=1), 0.0, rtol=0, atol=1e-12)
        # Variance 1 up to eps: exactly v / (v + eps) with v the input row's biased variance.
        np.testing.assert_allclose(ln.output.var(axis=1), ln.var / (ln.var + eps), rtol=1e-9, atol=1e-15)
        assert ln.eps == eps
    assert t.eps == eps


@SETTINGS
@given(p=layer_inputs(min_d_model=2), which=st.sampled_from(["w_v", "w_o"]))
def test_pre_ln_and_post_ln_agree_when_the_sublayers_output_zero(p: dict[str, Any], which: str) -> None:
    zero = {which: np.zeros_like(p[which]), "w_2": np.zeros_like(p["w_2"]), "b_2": np.zeros_like(p["b_2"])}
    # With eps = 0 layer norm is idempotent, so the two orders differ only by a final LN:
    # Pre-LN is the identity, Post-LN is LN(LN(x)) = LN(x).
    pre = encoder_layer(**(p | zero), norm_first=True, eps=0.0)
    post = encoder_layer(**(p | zero), norm_first=False, eps=0.0)
    assert not pre.attn_output.any() and not post.attn_output.any()
    assert np.array_equal(pre.output, p["x"])
    assert_close(post.output, ref_layer_norm(p["x"], 0.0))
    # On an input that is already normalised they agree, number for number.
    x_normed = ref_layer_norm(p["x"], 0.0)
    pre = encoder_layer(**(p | zero | {"x": x_normed}), norm_first=True, eps=0.0)
    post = encoder_layer(**(p | zero | {"x": x_normed}), norm_first=False, eps=0.0)
    assert_close(pre.output, post.output)
    assert_close(pre.h, post.h)
    # Control: with the attention switched back on, the two orders part ways.
    on = p | {"x": x_normed, "w_2": zero["w_2"], "b_2": zero["b_2"]}
    assert not np.allclose(encoder_layer(**on, norm_first=True).output, encoder_layer(**on, norm_first=False).output)


def learned_options(p: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Random biases and γ/β for the layer in `p` (the reference's names)."""
    rng = np.random.RandomState(seed)
    h, d, d_k = p["w_q"].shape
    d_v = p["w_v"].shape[2]
    return {
        "b_q": rng.randn(h, d_k), "b_k": rng.randn(h, d_k), "b_v": rng.randn(h, d_v), "b_o": rng.randn(d),
        "g1": 1 + rng.randn(d) * 0.3, "be1": rng.randn(d) * 0.3,
        "g2": 1 + rng.randn(d) * 0.3, "be2": rng.randn(d) * 0.3,
    }  # fmt: skip


def as_kwargs(lp: dict[str, np.ndarray]) -> dict[str, Any]:
    return {
        "b_q": lp["b_q"], "b_k": lp["b_k"], "b_v": lp["b_v"], "b_o": lp["b_o"],
        "ln_attn": (lp["g1"], lp["be1"]), "ln_ffn": (lp["g2"], lp["be2"]),
    }  # fmt: skip


@SETTINGS
@given(p=layer_inputs(min_d_model=2), norm_first=st.booleans(), causal=st.booleans(),
       activation=st.sampled_from(["relu", "gelu"]), seed=st.integers(0, 1000))  # fmt: skip
def test_trained_options_match_the_reference(
    p: dict[str, Any], norm_first: bool, causal: bool, activation: str, seed: int
) -> None:
    """Biases, learned γ/β and GELU: the options that make the one layer a trained BERT's."""
    lp = learned_options(p, seed)
    t = encoder_layer(**p, norm_first=norm_first, causal=causal, activation=activation, **as_kwargs(lp))
    ref = ref_encoder(p, norm_first=norm_first, causal=causal, learned=lp, activation=activation)
    for name, expected in ref.items():
        np.testing.assert_allclose(getattr(t, name), expected, rtol=0, atol=1e-9, err_msg=name)  # erf: 1e-10
    assert t.activation == activation and t.weights is t.attn_weights
    h = p["w_q"].shape[0]
    z = t.attn_input
    np.testing.assert_allclose(t.q, z @ p["w_q"] + lp["b_q"][:, None, :], atol=1e-12)  # q holds its bias
    np.testing.assert_allclose(t.v[h - 1], z @ p["w_v"][h - 1] + lp["b_v"][h - 1], atol=1e-12)
    first, second = (t.norm_in, t.norm1) if norm_first else (t.norm1, t.norm2)
    assert first is not None and second is not None
    np.testing.assert_array_equal(first.gamma, lp["g1"])  # ln_attn is the attention sub-layer's norm
    np.testing.assert_array_equal(second.beta, lp["be2"])  # ln_ffn the feed-forward's


def test_flat_head_biases_are_head_after_head() -> None:
    rng = np.random.RandomState(5)
    p = {"x": rng.randn(3, 4), "w_q": rng.randn(2, 4, 3), "w_k": rng.randn(2, 4, 3), "w_v": rng.randn(2, 4, 2),
         "w_o": rng.randn(4, 4), "w_1": rng.randn(4, 5), "b_1": rng.randn(5), "w_2": rng.randn(5, 4),
         "b_2": rng.randn(4)}  # fmt: skip
    b_q, b_v = rng.randn(2, 3), rng.randn(2, 2)
    stacked = encoder_layer(**p, b_q=b_q, b_v=b_v)
    flat = encoder_layer(**p, b_q=b_q.ravel(), b_v=b_v.ravel())
    np.testing.assert_array_equal(stacked.output, flat.output)
    np.testing.assert_array_equal(flat.q[1], encoder_layer(**p).q[1] + b_q[1])
    with pytest.raises(ValueError, match=r"b_k must have shape \(2, 3\) or \(6,\)"):
        encoder_layer(**p, b_k=np.zeros(3))
    with pytest.raises(ValueError, match=r"b_o must have shape \(4,\)"):
        encoder_layer(**p, b_o=np.zeros(3))
    with pytest.raises(ValueError, match="gamma must have shape"):
        encoder_layer(**p, ln_attn=(np.ones(3), np.zeros(4)))
    with pytest.raises(ValueError, match="activation must be one of relu, gelu"):
        encoder_layer(**p, activation="tanh")
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        encoder_layer(**p, dtype=np.float16)


@SETTINGS
@given(p=layer_inputs(min_d_model=2), norm_first=st.booleans(), seed=st.integers(0, 1000))
def test_float32_layer_is_float32_throughout_and_close_to_float64(
    p: dict[str, Any], norm_first: bool, seed: int
) -> None:
    lp = learned_options(p, seed)
    wide = encoder_layer(**p, norm_first=norm_first, activation="gelu", **as_kwargs(lp))
    narrow = encoder_layer(**p, norm_first=norm_first, activation="gelu", dtype=np.float32, **as_kwargs(lp))
    for ln in narrow.norms:
        assert ln.output.dtype == ln.mean.dtype == np.float32
    for name in ("x", "q", "k", "v", "scores", "weights", "head_outputs", "attn_output", "sum1", "ffn_pre",
                 "ffn_hidden", "ffn_output", "sum2", "output", "logits"):  # fmt: skip
        a = getattr(narrow, name)
        assert a.dtype == np.float32, name
        assert not a.flags.writeable, name
        scale = max(1.0, float(np.abs(getattr(wide, name)).max()))
        np.testing.assert_allclose(a, getattr(wide, name), rtol=0, atol=2e-4 * scale, err_msg=name)
    assert pickle.loads(pickle.dumps(narrow)).output.dtype == np.float32


@pytest.mark.parametrize("causal", [False, True])
def test_logits_are_what_the_softmax_received(causal: bool) -> None:
    rng = np.random.RandomState(1)
    p = {"x": rng.randn(4, 4), "w_q": rng.randn(2, 4, 3), "w_k": rng.randn(2, 4, 3), "w_v": rng.randn(2, 4, 3),
         "w_o": rng.randn(6, 4), "w_1": rng.randn(4, 5), "b_1": rng.randn(5), "w_2": rng.randn(5, 4),
         "b_2": rng.randn(4)}  # fmt: skip
    t = encoder_layer(**p, scale=0.25, temperature=2.0, causal=causal)
    expected = t.scores * 0.25 / 2.0
    if causal:
        expected = np.where(np.tri(4, dtype=bool), expected, -np.inf)
    np.testing.assert_array_equal(t.logits, expected)
    e = np.exp(t.logits - t.logits.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(t.weights, e / e.sum(axis=-1, keepdims=True), atol=1e-15)
    assert not t.logits.flags.writeable


@SETTINGS
@given(p=layer_inputs(), norm_first=st.booleans())
def test_encoder_layer_never_mutates_its_inputs_and_is_read_only(p: dict[str, Any], norm_first: bool) -> None:
    before = {k: v.copy() for k, v in p.items()}
    t = encoder_layer(**p, norm_first=norm_first)
    for k, v in p.items():
        assert np.array_equal(v, before[k]), k
    p["x"][:] = 123.0  # a later edit of the caller's array does not reach the trace
    assert np.array_equal(t.x, before["x"])
    for a in _arrays(t):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a.flat[0] = 1.0


def test_encoder_layer_shapes_and_one_head_2d_weights() -> None:
    rng = np.random.RandomState(0)
    n, d, d_k, d_v, d_ff = 5, 4, 3, 2, 7
    args = [rng.randn(n, d), rng.randn(d, d_k), rng.randn(d, d_k), rng.randn(d, d_v), rng.randn(d_v, d),
            rng.randn(d, d_ff), rng.randn(d_ff), rng.randn(d_ff, d), rng.randn(d)]  # fmt: skip
    t = encoder_layer(*args)
    stacked = encoder_layer(*[a[None] if i in (1, 2, 3) else a for i, a in enumerate(args)])
    assert np.array_equal(t.output, stacked.output)
    assert t.attn_weights.shape == (1, n, n)
    assert t.attn_concat.shape == (n, d_v)
    assert t.ffn_pre_relu.shape == t.ffn_hidden.shape == (n, d_ff)
    assert t.attn_output.shape == t.sum1.shape == t.ffn_output.shape == t.sum2.shape == t.output.shape == (n, d)
    assert t.d_ff == d_ff


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"x": np.zeros(4)}, "x"),
        ({"w_k": np.zeros((1, 4, 2))}, "w_k"),
        ({"w_o": np.zeros((2, 4))}, "w_o"),
        ({"w_1": np.zeros((3, 6))}, "w_1"),
        ({"b_1": np.zeros(5)}, "b_1"),
        ({"w_2": np.zeros((6, 3))}, "w_2"),
        ({"b_2": np.zeros(3)}, "b_2"),
        ({"eps": -1.0}, "eps"),
        ({"temperature": 0.0}, "temperature"),
        ({"x": np.zeros((0, 4))}, "x"),  # no token at all
        ({"x": np.zeros((1, 3, 4))}, "x"),
        ({"w_q": np.zeros((1, 5, 3))}, "w_q"),  # another d_model than x's
        ({"w_v": np.zeros((1, 5, 3))}, "w_v"),
        ({"w_1": np.zeros(4)}, "w_1"),
        ({"w_1": np.zeros((4, 0))}, "w_1"),  # d_ff = 0
        ({"eps": math.nan}, "eps"),
        ({"eps": math.inf}, "eps"),
        ({"temperature": -1.0}, "temperature"),
        ({"w_q": np.zeros(4)}, "w_q"),  # one-dimensional weights: refused by name, head stacking or not
        ({"w_k": np.zeros(4)}, "w_k"),
        ({"w_v": np.zeros((1, 1, 4, 3))}, "w_v"),
    ],
)
def test_encoder_layer_rejects_bad_arguments_by_name(change: dict[str, Any], field: str) -> None:
    rng = np.random.RandomState(1)
    args: dict[str, Any] = {"x": rng.randn(3, 4), "w_q": rng.randn(1, 4, 3), "w_k": rng.randn(1, 4, 3),
                            "w_v": rng.randn(1, 4, 3), "w_o": rng.randn(3, 4), "w_1": rng.randn(4, 6),
                            "b_1": rng.randn(6), "w_2": rng.randn(6, 4), "b_2": rng.randn(4)}  # fmt: skip
    encoder_layer(**args)  # the unchanged arguments are fine
    with pytest.raises(ValueError, match=rf"^{field} must "):  # the message starts with the argument's name
        encoder_layer(**(args | change))


OVERFLOW = re.escape(
    "the numbers overflowed or a layer norm divided by zero: use smaller weights, a larger temperature, or eps > 0"
)


def test_layer_norm_of_a_constant_row_with_eps_0_is_an_error_not_nan() -> None:
    args = [np.ones((2, 3)), *(np.zeros((1, 3, 2)),) * 3, np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(4),
            np.zeros((4, 3)), np.zeros(3)]  # fmt: skip
    with pytest.raises(ValueError, match=f"^{OVERFLOW}$"):
        encoder_layer(*args, eps=0.0)
    with warnings.catch_warnings():  # the caller reports it in words; nothing goes to the server's log
        warnings.simplefilter("error")
        assert np.isnan(layer_norm(np.ones((2, 3)), eps=0.0).output).all()


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # the overflow is the point
def test_an_overflow_the_relu_hides_is_still_reported() -> None:
    """relu(-inf) = 0, so an overflowing W_1 can leave a finite output: the trace would still hold -inf."""
    p = {"x": np.array([[1.0, -1.0]]), "w_q": np.zeros((1, 2, 1)), "w_k": np.zeros((1, 2, 1)),
         "w_v": np.zeros((1, 2, 1)), "w_o": np.zeros((1, 2)), "w_1": np.array([[-1e308], [1e308]]),
         "b_1": np.zeros(1), "w_2": np.ones((1, 2)), "b_2": np.zeros(2)}  # fmt: skip
    with pytest.raises(ValueError, match=f"^{OVERFLOW}$"):
        encoder_layer(**p)
    # Control: the same layer with a W_1 that does not overflow is fine, and its ReLU is what zeroes the FFN.
    fine = encoder_layer(**(p | {"w_1": np.array([[-1.0], [1.0]])}))
    assert fine.ffn_pre_relu[0, 0] < 0 and fine.ffn_hidden[0, 0] == 0.0


@SETTINGS
@given(p=layer_inputs())
def test_without_options_the_layer_is_the_papers_post_ln_layer(p: dict[str, Any]) -> None:
    """Vaswani et al.'s layer: Post-LN, no mask, temperature 1, q·k divided by √d_k."""
    t = encoder_layer(**p)
    assert t.norm_first is False and t.causal is False and t.temperature == 1.0
    assert t.norm2 is not None and t.norm_in is None
    ref = ref_encoder(p, norm_first=False, causal=False, scale=1 / math.sqrt(p["w_q"].shape[-1]), temperature=1.0)
    for name, expected in ref.items():
        assert_close(getattr(t, name), expected)


def test_compute_block_is_post_ln_unless_asked() -> None:
    block = compute_block(AttentionConfig())
    assert block.norm_first is False and block.encoder.norm2 is not None
    assert np.array_equal(block.output, compute_block(AttentionConfig(), norm_first=False).output)


# ---------------------------------------------------------------- compute_block


@SETTINGS
@given(config=configs(), norm_first=st.booleans())
def test_attention_part_of_compute_block_equals_compute(config: AttentionConfig, norm_first: bool) -> None:
    block = compute_block(config, norm_first=norm_first)
    trace = compute(config)
    for name in TRACE_ARRAYS:
        assert np.array_equal(getattr(block.attention, name), getattr(trace, name)), name
    assert block.attention.tokens == trace.tokens
    if config.n_heads > 1:
        assert trace.w_o is not None and np.array_equal(block.w_o, trace.w_o)
    else:
        assert trace.w_o is None  # compute() itself is still the notebook's
    enc = block.encoder
    assert enc.scale == config.scale and enc.temperature == config.temperature and enc.causal == config.causal
    if norm_first:
        assert_close(enc.attn_input, ref_layer_norm(trace.x, 1e-5))
    else:
        assert np.array_equal(enc.attn_input, trace.x)
        assert np.array_equal(enc.attn_weights, trace.weights)
        assert np.array_equal(enc.attn_concat, trace.concat)
        assert_close(enc.attn_output, trace.concat @ block.w_o)
        if config.n_heads > 1:
            assert_close(enc.attn_output, trace.output)


@SETTINGS
@given(config=configs(), norm_first=st.booleans())
def test_compute_block_matches_the_reference_with_the_configs_conventions(
    config: AttentionConfig, norm_first: bool
) -> None:
    block = compute_block(config, norm_first=norm_first)
    assert block.norm_first is norm_first and block.encoder.norm_first is norm_first
    p = {"x": block.attention.x, "w_q": block.attention.w_q, "w_k": block.attention.w_k,
         "w_v": block.attention.w_v, "w_o": block.w_o, "w_1": block.w_1, "b_1": block.b_1,
         "w_2": block.w_2, "b_2": block.b_2}  # fmt: skip
    scale = 1 / math.sqrt(config.d_k) if config.scaled else 1.0
    ref = ref_encoder(p, norm_first=norm_first, causal=config.causal, scale=scale, temperature=config.temperature)
    for name, expected in ref.items():
        assert_close(getattr(block.encoder, name), expected)
    assert np.array_equal(block.output, block.encoder.output)


@SETTINGS
@given(config=configs())
def test_compute_block_shapes_go_d_model_to_d_ff_and_back(config: AttentionConfig) -> None:
    block = compute_block(config)
    n, d, h, d_v, d_ff = len(tokenize(config.sentence)), config.d_model, config.n_heads, config.d_v, config.d_ff
    enc = block.encoder
    assert block.w_o.shape == (h * d_v, d)
    assert block.w_1.shape == (d, d_ff) and block.b_1.shape == (d_ff,)
    assert block.w_2.shape == (d_ff, d) and block.b_2.shape == (d,)
    assert enc.attn_weights.shape == (h, n, n)
    assert enc.attn_concat.shape == (n, h * d_v)
    for name in ("x", "attn_input", "attn_output", "sum1", "h", "ffn_input", "ffn_output", "sum2", "output"):
        assert getattr(enc, name).shape == (n, d), name
    assert enc.ffn_pre_relu.shape == enc.ffn_hidden.shape == (n, d_ff)
    assert enc.norm1.mean.shape == enc.norm1.var.shape == (n,)
    assert block.d_ff == enc.d_ff == d_ff and block.tokens == tuple(tokenize(config.sentence))


@SETTINGS
@given(config=configs())
def test_block_weights_follow_the_documented_draw_order(config: AttentionConfig) -> None:
    rng = np.random.RandomState(config.seed)
    d, h, s = config.d_model, config.n_heads, config.weight_scale
    rng.randn(len(dict.fromkeys(tokenize(config.sentence))), d)  # one embedding per distinct token
    rng.randn(d, h * config.d_k)  # W_q
    rng.randn(d, h * config.d_k)  # W_k
    rng.randn(d, h * config.d_v)  # W_v
    w_o = rng.randn(h * config.d_v, d) * s  # compute()'s W_o when h > 1, the block's own when h == 1
    w_1 = rng.randn(d, config.d_ff) * s
    w_2 = rng.randn(config.d_ff, d) * s
    block = compute_block(config)
    assert np.array_equal(block.w_o, w_o)
    assert np.array_equal(block.w_1, w_1)
    assert np.array_equal(block.w_2, w_2)
    assert not block.b_1.any() and not block.b_2.any()


def test_default_block_continues_the_notebook() -> None:
    np.random.seed(23)  # the notebook's own global draws, as it makes them
    embeddings = {w: np.random.randn(4) for w in ["me", "gusta", "estudiar", "inteligencia", "artificial"]}
    w_q, w_k, w_v = (np.random.randn(4, 3) * 0.1 for _ in range(3))
    w_o, w_1, w_2 = np.random.randn(3, 4) * 0.1, np.random.randn(4, 4) * 0.1, np.random.randn(4, 4) * 0.1
    block = compute_block(AttentionConfig())
    assert np.array_equal(block.attention.embeddings, np.stack(list(embeddings.values())))
    for mine, theirs in zip(
        (w_q, w_k, w_v), (block.attention.w_q, block.attention.w_k, block.attention.w_v), strict=True
    ):
        assert np.array_equal(theirs[0], mine)
    assert np.array_equal(block.w_o, w_o) and np.array_equal(block.w_1, w_1) and np.array_equal(block.w_2, w_2)
    assert block.output.shape == (5, 4)


@SETTINGS
@given(config=configs(), norm_first=st.booleans())
def test_compute_block_leaves_the_global_random_state_alone(config: AttentionConfig, norm_first: bool) -> None:
    np.random.seed(1234)
    before = np.random.get_state()
    compute_block(config, norm_first=norm_first)
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


@SETTINGS
@given(config=configs(), norm_first=st.booleans())
def test_block_arrays_are_read_only_even_after_pickling(config: AttentionConfig, norm_first: bool) -> None:
    block = compute_block(config, norm_first=norm_first)
    copy = pickle.loads(pickle.dumps(block))  # what st.cache_data does
    assert isinstance(copy, BlockTrace) and isinstance(copy.encoder, EncoderTrace)
    arrays, restored = _arrays(block), _arrays(copy)
    assert len(arrays) == len(restored) >= 20
    for a, b in zip(arrays, restored, strict=True):
        assert np.array_equal(a, b)
        for arr in (a, b):
            assert not arr.flags.writeable
            with pytest.raises(ValueError):
                arr.flat[0] = 1.0


def _arrays(obj: object) -> list[np.ndarray]:
    """Every ndarray reachable from a trace dataclass, in a fixed order."""
    found: list[np.ndarray] = []
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            found.append(value)
        elif dataclasses.is_dataclass(value):
            found.extend(_arrays(value))
    return found


def test_layer_norm_std_and_check_are_what_the_rows_were_divided_by() -> None:
    rng = np.random.RandomState(3)
    x = rng.randn(6, 5) * 4 + 2
    ln = layer_norm(x, eps=1e-3)
    centred = x - x.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(ln.std, np.sqrt(x.var(axis=1) + 1e-3), rtol=1e-14)
    np.testing.assert_allclose(centred / ln.std[:, None], ln.output, rtol=1e-14)
    max_mean, var_lo, var_hi = ln.output_check()
    expected_var = x.var(axis=1) / (x.var(axis=1) + 1e-3)  # under 1 by eps's share
    assert max_mean < 1e-14
    assert var_lo == pytest.approx(expected_var.min(), rel=1e-12) and var_hi == pytest.approx(
        expected_var.max(), rel=1e-12
    )
    assert var_hi < 1


def test_layer_norm_with_a_learned_scale_and_shift() -> None:
    """A trained model's layer norm (PyTorch's elementwise affine): gamma times the normalised row, plus beta."""
    rng = np.random.RandomState(5)
    x = rng.randn(4, 6) * 3 + 1
    gamma, beta = rng.randn(6), rng.randn(6)
    ln = layer_norm(x, eps=1e-3, gamma=gamma, beta=beta)
    assert_close(ln.output, ref_layer_norm(x, 1e-3) * gamma + beta)
    assert ln.gamma is not None and ln.beta is not None
    assert np.array_equal(ln.gamma, gamma) and np.array_equal(ln.beta, beta)
    np.testing.assert_allclose(ln.mean, x.mean(axis=1), rtol=1e-12)  # mean and var are the input's, before gamma
    np.testing.assert_allclose(ln.var, x.var(axis=1), rtol=1e-12)
    scaled_only = layer_norm(x, gamma=gamma)
    assert_close(scaled_only.output, ref_layer_norm(x, 1e-5) * gamma)
    assert scaled_only.beta is None
    shifted_only = layer_norm(x, beta=beta)
    assert_close(shifted_only.output, ref_layer_norm(x, 1e-5) + beta)
    assert shifted_only.gamma is None
    # output_check reads the output as it is: with gamma and beta each row has its own mean.
    row_means = [statistics.fmean(row) for row in ln.output]
    assert ln.output_check()[0] == pytest.approx(max(abs(m) for m in row_means), rel=1e-12)
    # Rows shifted down by 1 have |mean| 1, rows doubled variance 4·v/(v + eps).
    max_mean, _, _ = layer_norm(x, beta=np.full(6, -1.0)).output_check()
    assert max_mean == pytest.approx(1.0, rel=1e-12)
    _, var_lo, var_hi = layer_norm(x, gamma=np.full(6, 2.0)).output_check()
    expected = 4 * x.var(axis=1) / (x.var(axis=1) + 1e-5)
    assert (var_lo, var_hi) == (pytest.approx(expected.min(), rel=1e-12), pytest.approx(expected.max(), rel=1e-12))


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"gamma": np.ones(5)}, "gamma must have shape (6,), got (5,)"),
        ({"beta": np.ones((1, 6))}, "beta must have shape (6,), got (1, 6)"),
        ({"eps": -1e-9}, "eps must be a finite number >= 0"),
        ({"eps": math.nan}, "eps must be a finite number >= 0"),
        ({"eps": math.inf}, "eps must be a finite number >= 0"),
    ],
)
def test_layer_norm_rejects_bad_arguments_in_words(change: dict[str, Any], words: str) -> None:
    args: dict[str, Any] = {"x": np.arange(12.0).reshape(2, 6), "gamma": np.ones(6), "beta": np.zeros(6)}
    layer_norm(**args)  # the unchanged arguments are fine
    with pytest.raises(ValueError) as err:
        layer_norm(**(args | change))
    assert words in str(err.value)
