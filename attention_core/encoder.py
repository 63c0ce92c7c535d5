"""The whole Transformer encoder layer: attention, residual, layer norm, feed-forward.

The notebook declares `d_ff = 4` and stops after attention; this module continues it.
`encoder_layer` is the one encoder layer of the engine: by default the textbook layer (ReLU,
no dropout, layer norm without learned scale and shift, no attention biases, float64), which
`compute_block` runs on the notebook's own numbers; with biases, learned γ/β, GELU and float32
it is a trained BERT's layer (attention_core.models.forward.run_layer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from .activations import activation as activation_function
from .arrays import FloatArray, Floats, ReadOnlyArrays, as_floats
from .attention import concat_heads, masked_logits, project_heads, softmax_owned, stack_heads
from .config import AttentionConfig, check_positive
from .trace import AttentionTrace, compute_with_rng

LearnedNorm = tuple[npt.ArrayLike, npt.ArrayLike]  # a layer norm's learned (gamma, beta)


@dataclass(frozen=True, eq=False)
class LayerNormTrace(ReadOnlyArrays):
    """One layer norm, row by row: output = (input - mean) / sqrt(var + eps), times gamma plus beta when learned.

    Computed in the input's precision: float32 for a float32 input, float64 otherwise.
    """

    array_dtype: ClassVar[None] = None  # float32 stays float32
    input: Floats  # (n, d_model)
    mean: Floats  # (n,) mean of each row
    var: Floats  # (n,) biased variance of each row (divides by d_model)
    output: Floats  # (n, d_model) without gamma/beta: mean 0 and variance var / (var + eps); else gamma·that + beta
    eps: float = 1e-5  # added to the variance inside the square root
    gamma: Floats | None = None  # (d_model,) learned scale (a trained model's), None = 1
    beta: Floats | None = None  # (d_model,) learned shift, None = 0

    @property
    def std(self) -> Floats:
        """(n,) what each centred row is divided by: sqrt(var + eps), so never 0 when eps > 0."""
        out: Floats = np.sqrt(self.var + self.eps)
        return out

    def output_check(self) -> tuple[float, float, float]:
        """The largest |mean| of an output row, and the smallest and largest output row variance.

        Without gamma and beta these are about 0 and var / (var + eps), just under 1: the proof, on
        screen, that each row was normalised.
        """
        out_var = self.output.var(axis=-1)
        return float(np.max(np.abs(self.output.mean(axis=-1)))), float(out_var.min()), float(out_var.max())


def layer_norm(
    x: npt.ArrayLike, eps: float = 1e-5, gamma: npt.ArrayLike | None = None, beta: npt.ArrayLike | None = None
) -> LayerNormTrace:
    """Normalise each row of `x` to mean 0 and variance 1, then scale by `gamma` and shift by `beta` if given.

    Without gamma and beta (the textbook layer) nothing is scaled or shifted; a trained model passes
    its learned ones. A float32 `x` is normalised in float32 (as PyTorch does), anything else in float64.
    """
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    a = as_floats(x)  # (n, d_model), never written to
    dtype = a.dtype
    mean = a.mean(axis=-1)  # (n,)
    centred = a - mean[..., None]  # (n, d_model), a new array: normalised in place below
    var = np.einsum("...i,...i->...", centred, centred) / dtype.type(a.shape[-1])  # (n,) biased, as PyTorch's
    g = None if gamma is None else np.asarray(gamma, dtype=dtype)
    b = None if beta is None else np.asarray(beta, dtype=dtype)
    for name, p in (("gamma", g), ("beta", b)):
        if p is not None and p.shape != a.shape[-1:]:
            raise ValueError(f"{name} must have shape ({a.shape[-1]},), got {p.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):  # eps = 0 on a constant row: caught by the caller
        centred /= np.sqrt(var + dtype.type(eps))[..., None]
    if g is not None:
        centred *= g
    if b is not None:
        centred += b
    for fresh in (mean, var, centred):
        fresh.flags.writeable = False  # frozen in place, not copied into the trace
    return LayerNormTrace(input=a, mean=mean, var=var, output=centred, eps=float(eps), gamma=g, beta=b)


@dataclass(frozen=True, eq=False)
class EncoderTrace(ReadOnlyArrays):
    """Every intermediate of one encoder layer (the random-weight Encoder page's and a trained model's).

    Post-LN (`norm_first=False`, Vaswani et al. 2017; BERT):
        h = LN(x + MHA(x)),        output = LN(h + FFN(h))
    Pre-LN (`norm_first=True`, GPT-2 and most models since):
        h = x + MHA(LN(x)),        output = h + FFN(LN(h))
    with, per head, q = z W_Q + b_Q (k, v alike), α = softmax(q·kᵀ · scale / temperature),
    MHA(z) = concat(α v) W_O + b_O and FFN(z) = act(z W_1 + b_1) W_2 + b_2 (act: ReLU or GELU).
    Without biases or learned γ/β (the textbook layer) those terms are 0 and 1. In both modes the
    FFN's input is LN(sum1) = `norm1.output`. Pre-LN leaves its output un-normalised (a real Pre-LN
    stack normalises once after its last layer), so there `norm2` is None.
    Arrays are read-only, in the precision the layer ran in (float64, or float32 for a trained model).
    """

    array_dtype: ClassVar[None] = None  # float32 stays float32
    norm_first: bool  # False: Post-LN, True: Pre-LN
    x: Floats  # (n, d_model) the layer's input
    norm_in: LayerNormTrace | None  # Pre-LN only: LN(x), the attention's input; None for Post-LN
    q: Floats  # (h, n, d_k) queries of the attention's input, biases included
    k: Floats  # (h, n, d_k)
    v: Floats  # (h, n, d_v)
    scores: Floats  # (h, n, n) q·kᵀ before any scaling
    weights: Floats  # (h, n, n) α of each head, rows sum to 1 (0 where masked)
    head_outputs: Floats  # (h, n, d_v) α v
    attn_output: Floats  # (n, d_model) MHA = concat(head_outputs) @ W_o + b_o, the attention sub-layer's output
    sum1: Floats  # (n, d_model) first residual sum x + attn_output
    norm1: LayerNormTrace  # LN(sum1): Post-LN's h; Pre-LN's FFN input
    ffn_pre: Floats  # (n, d_ff) ffn_input @ w_1 + b_1, before the activation
    ffn_hidden: Floats  # (n, d_ff) act(ffn_pre)
    ffn_output: Floats  # (n, d_model) ffn_hidden @ w_2 + b_2
    sum2: Floats  # (n, d_model) second residual sum h + ffn_output
    norm2: LayerNormTrace | None  # Post-LN: LN(sum2), the output; None for Pre-LN
    scale: float = 1.0  # factor applied to q·k
    temperature: float = 1.0  # the attention logits were divided by it
    causal: bool = False  # whether keys after each query were masked
    eps: float = 1e-5  # inside every layer norm's square root
    activation: str = "relu"  # the feed-forward's activation: "relu" or "gelu" (exact, erf form)

    @property
    def attn_input(self) -> Floats:
        """(n, d_model) what the attention reads: x (Post-LN) or LN(x) (Pre-LN)."""
        return self.x if self.norm_in is None else self.norm_in.output

    @property
    def attn_weights(self) -> Floats:
        """(h, n, n) α of each head (the same array as `weights`)."""
        return self.weights

    @property
    def logits(self) -> Floats:
        """(h, n, n) what the softmax received: scores · scale / temperature, -inf where the causal mask hides a key."""
        out = masked_logits(self.scores, scale=self.scale, temperature=self.temperature, causal=self.causal)
        out.flags.writeable = False
        return out

    @property
    def attn_concat(self) -> Floats:
        """(n, h·d_v) the head outputs side by side, the input of W_o."""
        return concat_heads(self.head_outputs)

    @property
    def h(self) -> Floats:
        """(n, d_model) the stream after attention: norm1.output (Post-LN) or sum1 (Pre-LN)."""
        return self.sum1 if self.norm_first else self.norm1.output

    @property
    def ffn_input(self) -> Floats:
        """(n, d_model) = norm1.output in both modes."""
        return self.norm1.output

    @property
    def ffn_pre_relu(self) -> Floats:
        """(n, d_ff) the feed-forward before its activation (the textbook layer's name for `ffn_pre`)."""
        return self.ffn_pre

    @property
    def ffn_pre_gelu(self) -> Floats:
        """(n, d_ff) the feed-forward before its activation (a trained BERT layer's name for `ffn_pre`)."""
        return self.ffn_pre

    @property
    def output(self) -> Floats:
        """(n, d_model) the layer's output, the next layer's input: norm2.output (Post-LN) or sum2 (Pre-LN)."""
        return self.sum2 if self.norm2 is None else self.norm2.output

    @property
    def norms(self) -> tuple[LayerNormTrace, ...]:
        """The layer norms actually applied, in order (two in either mode)."""
        return tuple(t for t in (self.norm_in, self.norm1, self.norm2) if t is not None)

    @property
    def d_ff(self) -> int:
        return int(self.ffn_hidden.shape[1])

    @property
    def n_heads(self) -> int:
        return int(self.weights.shape[0])


def _check_shape(name: str, a: npt.NDArray[Any], shape: tuple[int, ...]) -> None:
    if a.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {a.shape}")


def _head_bias(name: str, b: npt.ArrayLike | None, h: int, d: int, dtype: np.dtype[Any]) -> Floats | None:
    """A per-head bias as (h, 1, d): given (h, d), or flat (h·d,) with head i's entries at i·d … (i+1)·d."""
    if b is None:
        return None
    a = np.asarray(b, dtype=dtype)
    if a.shape == (h * d,):
        a = a.reshape(h, d)
    if a.shape != (h, d):
        raise ValueError(f"{name} must have shape ({h}, {d}) or ({h * d},), got {a.shape}")
    return a[:, None, :]


def _learned(name: str, ln: LearnedNorm | None, d_model: int) -> tuple[npt.ArrayLike | None, npt.ArrayLike | None]:
    if ln is None:
        return None, None
    if len(ln) != 2:
        raise ValueError(f"{name} must be a pair (gamma, beta), each of shape ({d_model},)")
    return ln


def encoder_layer(
    x: npt.ArrayLike,
    w_q: npt.ArrayLike,
    w_k: npt.ArrayLike,
    w_v: npt.ArrayLike,
    w_o: npt.ArrayLike,
    w_1: npt.ArrayLike,
    b_1: npt.ArrayLike,
    w_2: npt.ArrayLike,
    b_2: npt.ArrayLike,
    *,
    norm_first: bool = False,
    eps: float = 1e-5,
    causal: bool = False,
    scale: float | None = None,
    temperature: float = 1.0,
    b_q: npt.ArrayLike | None = None,
    b_k: npt.ArrayLike | None = None,
    b_v: npt.ArrayLike | None = None,
    b_o: npt.ArrayLike | None = None,
    ln_attn: LearnedNorm | None = None,
    ln_ffn: LearnedNorm | None = None,
    activation: str = "relu",
    dtype: npt.DTypeLike = np.float64,
) -> EncoderTrace:
    """One Transformer encoder layer (no dropout); see `EncoderTrace` for the formulas.

    x (n, d_model); w_q, w_k (h, d_model, d_k); w_v (h, d_model, d_v) (2-D for one head is
    accepted); w_o (h·d_v, d_model); w_1 (d_model, d_ff); b_1 (d_ff,); w_2 (d_ff, d_model);
    b_2 (d_model,). `scale=None` is 1/sqrt(d_k) like `attention`; pass 1.0 for the notebook's
    unscaled form. The inputs are never mutated.

    The options that make it a trained model's layer (the defaults are the textbook layer's):
    b_q, b_k (h, d_k), b_v (h, d_v) (or flat, head after head) and b_o (d_model,) are the
    attention's biases (None = 0); `ln_attn` and `ln_ffn` are the learned (gamma, beta) of the
    attention sub-layer's and the feed-forward sub-layer's layer norm (Post-LN: norm1 and norm2;
    Pre-LN: norm_in and norm1; None = 1 and 0), PyTorch's norm1 and norm2; `activation` is "relu"
    or "gelu"; `dtype` (float64 or float32) is the precision of every product and every step after
    it, float32 for a checkpoint's float32 weights as PyTorch computes them.
    """
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    act = activation_function(activation)
    xa = np.asarray(x, dtype=dt)  # never written to; the trace freezes a copy if the caller's is writeable
    wq, wk, wv = (stack_heads(w, name, dt) for w, name in ((w_q, "w_q"), (w_k, "w_k"), (w_v, "w_v")))
    wo, w1, b1, w2, b2 = (np.asarray(a, dtype=dt) for a in (w_o, w_1, b_1, w_2, b_2))
    if xa.ndim != 2 or xa.shape[0] == 0:
        raise ValueError(f"x must have shape (n, d_model) with n >= 1, got {xa.shape}")
    d_model = xa.shape[1]
    h, _, d_k = wq.shape
    d_v = wv.shape[2]
    if w1.ndim != 2 or w1.shape[0] != d_model or w1.shape[1] == 0:
        raise ValueError(f"w_1 must have shape ({d_model}, d_ff) with d_ff >= 1, got {w1.shape}")
    d_ff = w1.shape[1]
    _check_shape("w_q", wq, (h, d_model, d_k))
    _check_shape("w_k", wk, (h, d_model, d_k))
    _check_shape("w_v", wv, (h, d_model, d_v))
    _check_shape("w_o", wo, (h * d_v, d_model))
    _check_shape("b_1", b1, (d_ff,))
    _check_shape("w_2", w2, (d_ff, d_model))
    _check_shape("b_2", b2, (d_model,))
    bq, bk, bv = (
        _head_bias("b_q", b_q, h, d_k, dt),
        _head_bias("b_k", b_k, h, d_k, dt),
        _head_bias("b_v", b_v, h, d_v, dt),
    )
    bo = None if b_o is None else np.asarray(b_o, dtype=dt)
    if bo is not None:
        _check_shape("b_o", bo, (d_model,))
    g_attn, beta_attn = _learned("ln_attn", ln_attn, d_model)
    g_ffn, beta_ffn = _learned("ln_ffn", ln_ffn, d_model)
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    check_positive("temperature", temperature)
    s = 1.0 / math.sqrt(d_k) if scale is None else float(scale)

    # Sub-layer 1: multi-head self-attention, then the first residual.
    norm_in = layer_norm(xa, eps, g_attn, beta_attn) if norm_first else None
    z = xa if norm_in is None else norm_in.output  # (n, d_model) the attention's input
    q, k, v = project_heads(z, wq), project_heads(z, wk), project_heads(z, wv)  # (h, n, d_k), (h, n, d_k), (h, n, d_v)
    if bq is not None:
        q = q + bq
    if bk is not None:
        k = k + bk
    if bv is not None:
        v = v + bv
    scores = q @ k.transpose(0, 2, 1)  # (h, n, n)
    weights = softmax_owned(masked_logits(scores, scale=s, temperature=temperature, causal=causal))  # (h, n, n)
    head_outputs = weights @ v  # (h, n, d_v)
    attn_output = concat_heads(head_outputs) @ wo  # (n, h·d_v) @ (h·d_v, d_model) -> (n, d_model)
    if bo is not None:
        attn_output += bo
    sum1 = xa + attn_output  # (n, d_model)
    norm1 = layer_norm(sum1, eps, g_ffn, beta_ffn) if norm_first else layer_norm(sum1, eps, g_attn, beta_attn)
    h_stream = sum1 if norm_first else norm1.output  # (n, d_model)

    # Sub-layer 2: position-wise feed-forward d_model -> d_ff -> d_model, then the second residual.
    ffn_pre = norm1.output @ w1  # (n, d_ff): LN(h) for Pre-LN, h itself for Post-LN
    ffn_pre += b1
    ffn_hidden = act(ffn_pre)  # (n, d_ff)
    ffn_output = ffn_hidden @ w2  # (n, d_model)
    ffn_output += b2
    sum2 = h_stream + ffn_output  # (n, d_model)
    norm2 = None if norm_first else layer_norm(sum2, eps, g_ffn, beta_ffn)
    output = sum2 if norm2 is None else norm2.output  # (n, d_model)

    if not (np.isfinite(output).all() and np.isfinite(ffn_pre).all() and np.isfinite(attn_output).all()):
        raise ValueError(
            "the numbers overflowed or a layer norm divided by zero: use smaller weights, "
            "a larger temperature, or eps > 0"
        )
    for a in (q, k, v, scores, weights, head_outputs, attn_output, sum1, ffn_pre, ffn_hidden, ffn_output, sum2):
        a.flags.writeable = False  # fresh arrays: frozen in place, not copied into the trace
    return EncoderTrace(
        norm_first=bool(norm_first),
        x=xa,
        norm_in=norm_in,
        q=q,
        k=k,
        v=v,
        scores=scores,
        weights=weights,
        head_outputs=head_outputs,
        attn_output=attn_output,
        sum1=sum1,
        norm1=norm1,
        ffn_pre=ffn_pre,
        ffn_hidden=ffn_hidden,
        ffn_output=ffn_output,
        sum2=sum2,
        norm2=norm2,
        scale=s,
        temperature=float(temperature),
        causal=bool(causal),
        eps=float(eps),
        activation=activation,
    )


@dataclass(frozen=True, eq=False)
class BlockTrace(ReadOnlyArrays):
    """The notebook's attention (`attention`, exactly `compute()`'s) continued through one encoder layer.

    In Pre-LN mode the layer's attention runs on LN(x), so `encoder.attn_weights` differs
    from `attention.weights`; in Post-LN mode they are equal.
    """

    attention: AttentionTrace  # exactly compute(config)
    w_o: FloatArray  # (h·d_v, d_model), drawn even for one head; attention.w_o when h > 1
    w_1: FloatArray  # (d_model, d_ff)
    b_1: FloatArray  # (d_ff,) zeros
    w_2: FloatArray  # (d_ff, d_model)
    b_2: FloatArray  # (d_model,) zeros
    norm_first: bool  # False: Post-LN, True: Pre-LN
    encoder: EncoderTrace  # the layer run on attention.x

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.attention.tokens

    @property
    def d_ff(self) -> int:
        return int(self.w_1.shape[1])

    @property
    def output(self) -> Floats:
        """(n, d_model): the layer's output, the next layer's input."""
        return self.encoder.output


def draw_block_weights(
    rng: np.random.RandomState, config: AttentionConfig, w_o: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """W_o (only if `w_o` is None), W_1, b_1 = 0, W_2, b_2 = 0; each randn * weight_scale."""
    d, s = config.d_model, config.weight_scale
    wo = rng.randn(config.n_heads * config.d_v, d) * s if w_o is None else w_o  # (h·d_v, d_model)
    w_1 = rng.randn(d, config.d_ff) * s  # (d_model, d_ff)
    b_1 = np.zeros(config.d_ff)  # (d_ff,)
    w_2 = rng.randn(config.d_ff, d) * s  # (d_ff, d_model)
    b_2 = np.zeros(d)  # (d_model,)
    return wo, w_1, b_1, w_2, b_2


def compute_block(config: AttentionConfig, *, norm_first: bool = False) -> BlockTrace:
    """`compute(config)`, then one encoder layer (Post-LN, or Pre-LN if `norm_first`) on its X.

    Randomness: the same local RandomState(seed) continues after everything `compute()`
    draws, so the attention part is the notebook's. Then, in this order: W_o
    `randn(d_v, d_model) * weight_scale` for one head (for h > 1 `compute()` already drew
    it), W_1 `randn(d_model, d_ff) * weight_scale`, W_2 `randn(d_ff, d_model) * weight_scale`;
    b_1 and b_2 are zeros and draw nothing. The layer's attention uses the config's scale
    (1, or 1/sqrt(d_k) if `scaled`), temperature and causal mask.
    """
    trace, rng = compute_with_rng(config)
    w_o, w_1, b_1, w_2, b_2 = draw_block_weights(rng, config, trace.w_o)
    encoder = encoder_layer(
        trace.x, trace.w_q, trace.w_k, trace.w_v, w_o, w_1, b_1, w_2, b_2,
        norm_first=norm_first, causal=config.causal, scale=config.scale, temperature=config.temperature,
    )  # fmt: skip
    return BlockTrace(
        attention=trace, w_o=w_o, w_1=w_1, b_1=b_1, w_2=w_2, b_2=b_2, norm_first=bool(norm_first), encoder=encoder
    )
