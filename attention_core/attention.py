"""Attention kernels: softmax, scaled dot-product attention, multi-head attention."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import BoolArray, FloatArray, FloatT


def softmax(x: npt.ArrayLike, axis: int = -1) -> FloatArray:
    """Max-subtracted softmax in float64 that never mutates `x`.

    Departs from the notebook's version (which does `x -= max` in place) in three ways:
    the input is left untouched; a row that is all -inf (nothing to attend to) gives zeros
    instead of NaN; a row holding +inf puts equal weight on its +inf entries.
    """
    out: FloatArray = softmax_owned(np.array(x, dtype=np.float64), axis)  # a copy: x is never touched
    return out


def softmax_owned(a: npt.NDArray[FloatT], axis: int = -1) -> npt.NDArray[FloatT]:
    """`softmax` of an array that nobody else holds, in its own precision (float32 or float64), in place.

    The kernel behind `softmax` and the encoder layer (which hands it the logits it just made):
    no copy of the (h, n, n) logits on the way.
    """
    m = np.max(a, axis=axis, keepdims=True)
    if np.isfinite(m).all():  # fast path: exp(0) = 1 in every row, so no sum is zero
        a -= m
        np.exp(a, out=a)
        a /= np.sum(a, axis=axis, keepdims=True)
        return a
    finite_m = np.where(np.isfinite(m), m, a.dtype.type(0.0))
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(a - finite_m)
    pos_inf_row = np.broadcast_to(m == np.inf, a.shape)
    e = np.where(pos_inf_row, (a == np.inf).astype(a.dtype), e)
    total = np.sum(e, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: npt.NDArray[FloatT] = np.where(total > 0, e / np.where(total > 0, total, 1.0), a.dtype.type(0.0))
    return out


def causal_mask(n: int, m: int | None = None) -> BoolArray:
    """(n, m) boolean mask, True where query i may attend key j (j <= i, top-left aligned)."""
    return np.tri(n, n if m is None else m, dtype=bool)


def masked_logits(
    scores: npt.NDArray[FloatT],
    *,
    scale: float = 1.0,
    temperature: float = 1.0,
    causal: bool = False,
    mask: npt.ArrayLike | None = None,
) -> npt.NDArray[FloatT]:
    """scores · scale / temperature, with the masked-out cells set to -inf: a new array, in the scores' dtype."""
    logits = scores * scale / temperature if (scale != 1.0 or temperature != 1.0) else scores.copy()
    allowed = _allowed(scores.shape[-2], scores.shape[-1], causal, mask)
    if allowed is not None:
        logits = np.where(allowed, logits, -np.inf)
    return logits


def _allowed(n: int, m: int, causal: bool, mask: npt.ArrayLike | None) -> BoolArray | None:
    """Combine the causal mask and a user mask (True = may attend) or return None for none."""
    allowed: BoolArray | None = causal_mask(n, m) if causal else None
    if mask is not None:
        user = np.asarray(mask, dtype=bool)
        allowed = user if allowed is None else allowed & user
    return allowed


def attention(
    q: npt.ArrayLike,
    k: npt.ArrayLike,
    v: npt.ArrayLike,
    *,
    scale: float | None = None,
    causal: bool = False,
    mask: npt.ArrayLike | None = None,
    temperature: float = 1.0,
) -> tuple[FloatArray, FloatArray]:
    """softmax(q·kᵀ · scale / temperature) · v over the last two axes; returns (output, weights).

    q (..., n, d_k), k (..., m, d_k), v (..., m, d_v). `scale=None` is 1/sqrt(d_k), PyTorch's
    convention; pass 1.0 for the notebook's unscaled form. `mask` is boolean, True = may
    attend, broadcastable to (..., n, m). A row with nothing to attend to gets zero weights
    and a zero output.
    """
    _, _, weights, output = attention_parts(q, k, v, scale=scale, causal=causal, mask=mask, temperature=temperature)
    return output, weights  # (..., n, d_v), (..., n, m)


def attention_parts(
    q: npt.ArrayLike,
    k: npt.ArrayLike,
    v: npt.ArrayLike,
    *,
    scale: float | None = None,
    causal: bool = False,
    mask: npt.ArrayLike | None = None,
    temperature: float = 1.0,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """`attention` keeping its intermediates: (scores q·kᵀ, logits, weights α, output α·v).

    The same kernel as `attention` (which calls this), in float64; the encoder layer keeps the
    scores before scaling as well as α the same way (with `softmax_owned`, in its own precision).
    """
    qa, ka, va = (np.asarray(t, dtype=np.float64) for t in (q, k, v))
    s = 1.0 / math.sqrt(qa.shape[-1]) if scale is None else float(scale)
    scores = qa @ np.swapaxes(ka, -1, -2)  # (..., n, m)
    logits = masked_logits(scores, scale=s, temperature=temperature, causal=causal, mask=mask)
    weights = softmax(logits)  # (..., n, m)
    return scores, logits, weights, weights @ va  # (..., n, d_v)


def project_heads(x: npt.NDArray[FloatT], w: npt.NDArray[FloatT]) -> npt.NDArray[FloatT]:
    """x @ w for every head in one wide product: (n, d_model) @ (h, d_model, d) -> (h, n, d).

    One BLAS call instead of h (much faster at large sizes); with one head it is exactly X @ W.
    """
    h, d_model, d = w.shape
    wide = w.transpose(1, 0, 2).reshape(d_model, h * d)  # a view when w came from one wide draw
    out: npt.NDArray[FloatT] = (x @ wide).reshape(x.shape[0], h, d).transpose(1, 0, 2)
    return out


def concat_heads(head_outputs: npt.NDArray[FloatT]) -> npt.NDArray[FloatT]:
    """(h, n, d_v) -> (n, h·d_v): head 0's columns first, as in the original paper."""
    h, n, d_v = head_outputs.shape
    return head_outputs.transpose(1, 0, 2).reshape(n, h * d_v)


def multi_head_attention(
    x: npt.ArrayLike,
    w_q: npt.ArrayLike,
    w_k: npt.ArrayLike,
    w_v: npt.ArrayLike,
    w_o: npt.ArrayLike | None,
    *,
    scale: float | None = None,
    causal: bool = False,
    temperature: float = 1.0,
) -> tuple[FloatArray, FloatArray]:
    """Self-attention with stacked per-head weights; returns (output, weights (h, n, n)).

    x (n, d_model); w_q, w_k (h, d_model, d_k); w_v (h, d_model, d_v); w_o (h·d_v, d_out).
    output = concat(head outputs) @ w_o, or the concatenation itself when w_o is None.
    """
    xa = np.asarray(x, dtype=np.float64)
    q, k, v = (
        project_heads(xa, stack_heads(w, name)) for w, name in ((w_q, "w_q"), (w_k, "w_k"), (w_v, "w_v"))
    )  # (h, n, d_k), (h, n, d_k), (h, n, d_v)
    heads, weights = attention(q, k, v, scale=scale, causal=causal, temperature=temperature)
    concat = concat_heads(heads)  # (n, h·d_v)
    output = concat if w_o is None else concat @ np.asarray(w_o, dtype=np.float64)
    return output, weights


def stack_heads(w: npt.ArrayLike, name: str = "w", dtype: npt.DTypeLike = np.float64) -> npt.NDArray[Any]:
    """Per-head weights as (h, d_model, d) in `dtype`: a 2-D matrix is one head; other shapes are refused."""
    a = np.asarray(w, dtype=dtype)
    if a.ndim == 2:
        return a[None]
    if a.ndim != 3:
        raise ValueError(f"{name} must have shape (h, d_model, d) or (d_model, d), got {a.shape}")
    return a


def row_entropy(weights: npt.ArrayLike) -> FloatArray:
    """Shannon entropy (nats) of each row of α: 0 = all weight on one key, ln(m) = uniform."""
    w = np.asarray(weights, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(w > 0, -w * np.log(np.where(w > 0, w, 1.0)), 0.0)
    entropy: FloatArray = np.sum(terms, axis=-1)
    return entropy
