"""The whole Transformer encoder layer: attention, residual, layer norm, feed-forward.

The notebook declares `d_ff = 4` and stops after attention; this module continues it.
`encoder_layer` is the textbook layer (ReLU, no dropout, layer norm without learned
scale and shift); `compute_block` runs it on the notebook's own numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray, ReadOnlyArrays
from .attention import multi_head_attention, stack_heads
from .config import AttentionConfig, check_positive
from .trace import AttentionTrace, compute_with_rng


@dataclass(frozen=True, eq=False)
class LayerNormTrace(ReadOnlyArrays):
    """One layer norm, row by row: output = (input - mean) / sqrt(var + eps), times gamma plus beta when learned."""

    input: FloatArray  # (n, d_model)
    mean: FloatArray  # (n,) mean of each row
    var: FloatArray  # (n,) biased variance of each row (divides by d_model)
    output: FloatArray  # (n, d_model) without gamma/beta: mean 0 and variance var / (var + eps); else gamma·that + beta
    eps: float = 1e-5  # added to the variance inside the square root
    gamma: FloatArray | None = None  # (d_model,) learned scale (a trained model's), None = 1
    beta: FloatArray | None = None  # (d_model,) learned shift, None = 0

    @property
    def std(self) -> FloatArray:
        """(n,) what each centred row is divided by: sqrt(var + eps), so never 0 when eps > 0."""
        return np.sqrt(self.var + self.eps)

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

    Without gamma and beta (the textbook layer of `encoder_layer`) nothing is scaled or shifted;
    a trained model (attention_core.pretrained) passes its learned ones.
    """
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    a = np.array(x, dtype=np.float64)  # (n, d_model)
    mean = a.mean(axis=-1)  # (n,)
    centred = a - mean[..., None]  # (n, d_model)
    var = (centred * centred).mean(axis=-1)  # (n,) biased, as in PyTorch's LayerNorm
    with np.errstate(divide="ignore", invalid="ignore"):  # eps = 0 on a constant row: caught by the caller
        out = centred / np.sqrt(var + eps)[..., None]  # (n, d_model)
    g = None if gamma is None else np.asarray(gamma, dtype=np.float64)
    b = None if beta is None else np.asarray(beta, dtype=np.float64)
    for name, p in (("gamma", g), ("beta", b)):
        if p is not None and p.shape != a.shape[-1:]:
            raise ValueError(f"{name} must have shape ({a.shape[-1]},), got {p.shape}")
    if g is not None:
        out = out * g
    if b is not None:
        out = out + b
    return LayerNormTrace(input=a, mean=mean, var=var, output=out, eps=float(eps), gamma=g, beta=b)


@dataclass(frozen=True, eq=False)
class EncoderTrace(ReadOnlyArrays):
    """Every intermediate of one encoder layer. Arrays are read-only.

    Post-LN (`norm_first=False`, Vaswani et al. 2017):
        h = LN(x + MHA(x)),        output = LN(h + FFN(h))
    Pre-LN (`norm_first=True`, GPT-2 and most models since):
        h = x + MHA(LN(x)),        output = h + FFN(LN(h))
    with FFN(z) = relu(z @ w_1 + b_1) @ w_2 + b_2. In both modes the FFN's input is
    LN(sum1) = `norm1.output`. Pre-LN leaves its output un-normalised (a real Pre-LN stack
    normalises once after its last layer), so there `norm2` is None.
    """

    norm_first: bool  # False: Post-LN, True: Pre-LN
    x: FloatArray  # (n, d_model) the layer's input
    norm_in: LayerNormTrace | None  # Pre-LN only: LN(x), the attention's input; None for Post-LN
    attn_input: FloatArray  # (n, d_model) x (Post-LN) or LN(x) (Pre-LN)
    attn_weights: FloatArray  # (h, n, n) α of each head
    attn_concat: FloatArray  # (n, h·d_v) the head outputs side by side, the input of W_o
    attn_output: FloatArray  # (n, d_model) MHA = concat @ W_o, the attention sub-layer's output
    sum1: FloatArray  # (n, d_model) first residual sum x + attn_output
    norm1: LayerNormTrace  # LN(sum1): Post-LN's h; Pre-LN's FFN input
    h: FloatArray  # (n, d_model) the stream after attention: norm1.output (Post-LN) or sum1 (Pre-LN)
    ffn_input: FloatArray  # (n, d_model) = norm1.output in both modes
    ffn_pre_relu: FloatArray  # (n, d_ff) ffn_input @ w_1 + b_1
    ffn_hidden: FloatArray  # (n, d_ff) relu(ffn_pre_relu)
    ffn_output: FloatArray  # (n, d_model) ffn_hidden @ w_2 + b_2
    sum2: FloatArray  # (n, d_model) second residual sum h + ffn_output
    norm2: LayerNormTrace | None  # Post-LN: LN(sum2), the output; None for Pre-LN
    output: FloatArray  # (n, d_model) norm2.output (Post-LN) or sum2 (Pre-LN)
    scale: float = 1.0  # factor applied to q·k
    temperature: float = 1.0  # the attention logits were divided by it
    causal: bool = False  # whether keys after each query were masked
    eps: float = 1e-5  # inside every layer norm's square root

    @property
    def norms(self) -> tuple[LayerNormTrace, ...]:
        """The layer norms actually applied, in order (two in either mode)."""
        return tuple(t for t in (self.norm_in, self.norm1, self.norm2) if t is not None)

    @property
    def d_ff(self) -> int:
        return int(self.ffn_hidden.shape[1])


def _check_shape(name: str, a: FloatArray, shape: tuple[int, ...]) -> None:
    if a.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {a.shape}")


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
) -> EncoderTrace:
    """One Transformer encoder layer (ReLU, no dropout); see `EncoderTrace` for the formulas.

    x (n, d_model); w_q, w_k (h, d_model, d_k); w_v (h, d_model, d_v) (2-D for one head is
    accepted); w_o (h·d_v, d_model); w_1 (d_model, d_ff); b_1 (d_ff,); w_2 (d_ff, d_model);
    b_2 (d_model,). `scale=None` is 1/sqrt(d_k) like `attention`; pass 1.0 for the notebook's
    unscaled form. The inputs are never mutated.
    """
    xa = np.array(x, dtype=np.float64)
    wq, wk, wv = (
        stack_heads(np.array(w, dtype=np.float64), name) for w, name in ((w_q, "w_q"), (w_k, "w_k"), (w_v, "w_v"))
    )
    wo, w1, b1, w2, b2 = (np.array(a, dtype=np.float64) for a in (w_o, w_1, b_1, w_2, b_2))
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
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    check_positive("temperature", temperature)
    s = 1.0 / math.sqrt(d_k) if scale is None else float(scale)

    # Sub-layer 1: multi-head self-attention, then the first residual.
    norm_in = layer_norm(xa, eps) if norm_first else None
    attn_input = xa if norm_in is None else norm_in.output  # (n, d_model)
    concat, weights = multi_head_attention(  # (n, h·d_v), (h, n, n)
        attn_input, wq, wk, wv, None, scale=s, causal=causal, temperature=temperature
    )
    attn_output = concat @ wo  # (n, h·d_v) @ (h·d_v, d_model) -> (n, d_model)
    sum1 = xa + attn_output  # (n, d_model)
    norm1 = layer_norm(sum1, eps)
    h_stream = sum1 if norm_first else norm1.output  # (n, d_model)

    # Sub-layer 2: position-wise feed-forward d_model -> d_ff -> d_model, then the second residual.
    ffn_input = norm1.output  # (n, d_model): LN(h) for Pre-LN, h itself for Post-LN
    ffn_pre_relu = ffn_input @ w1 + b1  # (n, d_ff)
    ffn_hidden = np.maximum(ffn_pre_relu, 0.0)  # (n, d_ff)
    ffn_output = ffn_hidden @ w2 + b2  # (n, d_model)
    sum2 = h_stream + ffn_output  # (n, d_model)
    norm2 = None if norm_first else layer_norm(sum2, eps)
    output = sum2 if norm2 is None else norm2.output  # (n, d_model)

    if not (np.isfinite(output).all() and np.isfinite(ffn_pre_relu).all() and np.isfinite(attn_output).all()):
        raise ValueError(
            "the numbers overflowed or a layer norm divided by zero: use smaller weights, "
            "a larger temperature, or eps > 0"
        )
    return EncoderTrace(
        norm_first=bool(norm_first),
        x=xa,
        norm_in=norm_in,
        attn_input=attn_input,
        attn_weights=weights,
        attn_concat=concat,
        attn_output=attn_output,
        sum1=sum1,
        norm1=norm1,
        h=h_stream,
        ffn_input=ffn_input,
        ffn_pre_relu=ffn_pre_relu,
        ffn_hidden=ffn_hidden,
        ffn_output=ffn_output,
        sum2=sum2,
        norm2=norm2,
        output=output,
        scale=s,
        temperature=float(temperature),
        causal=bool(causal),
        eps=float(eps),
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
    def output(self) -> FloatArray:
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
