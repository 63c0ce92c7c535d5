"""`compute(config) -> AttentionTrace`: every intermediate of one self-attention run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray, ReadOnlyArrays
from .attention import concat_heads, masked_logits, project_heads, softmax, stack_heads
from .config import AttentionConfig, check_positive
from .embeddings import PositionalChoice, draw_embeddings, positional_encodings
from .tokenizer import tokenize

# Every array field of AttentionTrace (read-only, and what a pickle rebuilds); tests import this list.
ARRAY_FIELDS = (
    "embeddings", "positions", "x", "w_q", "w_k", "w_v", "q", "k", "v",
    "scores", "logits", "weights", "head_outputs", "w_o", "output",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class AttentionTrace(ReadOnlyArrays):
    """Every step of the notebook's computation, for all heads. Arrays are read-only."""

    tokens: tuple[str, ...]
    embeddings: FloatArray  # (n, d_model) word embeddings E
    positions: FloatArray  # (n, d_model) positional encodings P
    positional_used: PositionalChoice  # scheme applied, and why if not the one asked for
    x: FloatArray  # (n, d_model) X = E + P
    w_q: FloatArray  # (h, d_model, d_k)
    w_k: FloatArray  # (h, d_model, d_k)
    w_v: FloatArray  # (h, d_model, d_v)
    q: FloatArray  # (h, n, d_k) Q = X W_q
    k: FloatArray  # (h, n, d_k) K = X W_k
    v: FloatArray  # (h, n, d_v) V = X W_v
    scores: FloatArray  # (h, n, n) q·kᵀ before any scaling
    logits: FloatArray  # (h, n, n) after scale, temperature and mask (masked = -inf)
    weights: FloatArray  # (h, n, n) α = softmax(logits), rows sum to 1
    head_outputs: FloatArray  # (h, n, d_v) α V per head
    w_o: FloatArray | None  # (h·d_v, d_model), None when h == 1
    output: FloatArray  # (n, d_v) when h == 1 (the notebook's "attention scores"), else (n, d_model)
    scaled: bool = False  # whether the scores were divided by sqrt(d_k) (the notebook: no)
    temperature: float = 1.0  # the logits were divided by it
    causal: bool = False  # whether keys after each query were masked

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", tuple(self.tokens))
        super().__post_init__()  # every array read-only, also in an unpickled copy

    @property
    def scale(self) -> float:
        """The factor applied to the scores: 1/sqrt(d_k) when scaled, else 1 (also 1 when scaled at d_k = 1)."""
        return 1.0 / math.sqrt(self.d_k) if self.scaled else 1.0

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    @property
    def n_heads(self) -> int:
        return int(self.w_q.shape[0])

    @property
    def d_model(self) -> int:
        return int(self.x.shape[1])

    @property
    def d_k(self) -> int:
        return int(self.w_q.shape[2])

    @property
    def d_v(self) -> int:
        return int(self.w_v.shape[2])

    @property
    def concat(self) -> FloatArray:
        """(n, h·d_v): the head outputs side by side, the input of W_o."""
        return concat_heads(self.head_outputs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: nested lists of floats, -inf written as None."""
        out: dict[str, Any] = {
            "tokens": list(self.tokens),
            "positional_used": {"scheme": self.positional_used.scheme, "reason": self.positional_used.reason},
            "scaled": self.scaled,
            "scale": self.scale,
            "temperature": self.temperature,
            "causal": self.causal,
        }
        for name in ARRAY_FIELDS:
            value = getattr(self, name)
            if value is None:
                out[name] = None
            else:
                out[name] = np.where(np.isfinite(value), value, np.nan).astype(object).tolist()
                out[name] = _nan_to_none(out[name])
        return out


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return None if isinstance(value, float) and math.isnan(value) else value


def split_heads(w: FloatArray, n_heads: int) -> FloatArray:
    """(d_model, h·d) -> (h, d_model, d): head i takes the i-th block of consecutive columns."""
    d_model, all_heads_width = w.shape
    return w.reshape(d_model, n_heads, all_heads_width // n_heads).transpose(1, 0, 2)


def draw_weights(
    rng: np.random.RandomState, config: AttentionConfig
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """W_q, W_k, W_v (per head) then W_o when h > 1, in the notebook's order."""
    h, d, s = config.n_heads, config.d_model, config.weight_scale
    w_q = split_heads(rng.randn(d, h * config.d_k) * s, h)
    w_k = split_heads(rng.randn(d, h * config.d_k) * s, h)
    w_v = split_heads(rng.randn(d, h * config.d_v) * s, h)
    w_o = rng.randn(h * config.d_v, d) * s if h > 1 else None
    return w_q, w_k, w_v, w_o


def trace_from_matrices(
    tokens: list[str] | tuple[str, ...],
    embeddings: npt.ArrayLike,
    positions: npt.ArrayLike,
    w_q: npt.ArrayLike,
    w_k: npt.ArrayLike,
    w_v: npt.ArrayLike,
    w_o: npt.ArrayLike | None = None,
    *,
    scaled: bool = False,
    causal: bool = False,
    temperature: float = 1.0,
    positional_used: PositionalChoice | None = None,
) -> AttentionTrace:
    """Build the trace from given matrices (hand-edited numbers, or `compute`'s own draws).

    w_q/w_k/w_v may be (d_model, d) for one head or (h, d_model, d); w_o is required when h > 1.
    """
    # Copies, so later edits of the caller's arrays cannot reach the trace.
    e = np.array(embeddings, dtype=np.float64)
    p = np.array(positions, dtype=np.float64)
    wq, wk, wv = (np.array(w, dtype=np.float64) for w in (w_q, w_k, w_v))
    wq, wk, wv = (stack_heads(w, name) for w, name in ((wq, "w_q"), (wk, "w_k"), (wv, "w_v")))
    n = len(tokens)
    _check_shapes(n, e, p, wq, wk, wv)
    h, d_model, _ = wq.shape
    d_v = wv.shape[2]
    wo = None if w_o is None else np.array(w_o, dtype=np.float64)
    if h > 1 and (wo is None or wo.shape != (h * d_v, d_model)):
        raise ValueError(f"w_o must have shape ({h * d_v}, {d_model}) when there are {h} heads")
    check_positive("temperature", temperature)
    return _build_trace(
        tokens, e, p, wq, wk, wv, wo,
        scaled=scaled, causal=causal, temperature=temperature, positional_used=positional_used,
    )  # fmt: skip


def rebuild(
    trace: AttentionTrace,
    *,
    tokens: Sequence[str] | None = None,
    embeddings: npt.ArrayLike | None = None,
    positions: npt.ArrayLike | None = None,
    w_q: npt.ArrayLike | None = None,
    w_k: npt.ArrayLike | None = None,
    w_v: npt.ArrayLike | None = None,
    scaled: bool | None = None,
    causal: bool | None = None,
    temperature: float | None = None,
    positional_used: PositionalChoice | None = None,
) -> AttentionTrace:
    """`trace` recomputed with some of its inputs or settings replaced; each one left None stays the trace's.

    W_O is always the trace's. The one rebuild behind variants (other scaling, mask or temperature),
    permutations (other word order) and hand edits (other numbers).
    """
    return trace_from_matrices(
        trace.tokens if tokens is None else tuple(tokens),
        trace.embeddings if embeddings is None else embeddings,
        trace.positions if positions is None else positions,
        trace.w_q if w_q is None else w_q,
        trace.w_k if w_k is None else w_k,
        trace.w_v if w_v is None else w_v,
        trace.w_o,
        scaled=trace.scaled if scaled is None else scaled,
        causal=trace.causal if causal is None else causal,
        temperature=trace.temperature if temperature is None else temperature,
        positional_used=trace.positional_used if positional_used is None else positional_used,
    )


def _build_trace(
    tokens: list[str] | tuple[str, ...],
    e: FloatArray,
    p: FloatArray,
    wq: FloatArray,
    wk: FloatArray,
    wv: FloatArray,
    wo: FloatArray | None,
    *,
    scaled: bool,
    causal: bool,
    temperature: float,
    positional_used: PositionalChoice | None,
) -> AttentionTrace:
    """The computation on valid float64 arrays that nobody else holds: the trace takes them over.

    `compute` calls this directly with its fresh draws, so the large matrices are frozen in
    place instead of copied; `trace_from_matrices` copies the caller's arrays first.
    """
    scale = 1.0 / math.sqrt(wq.shape[2]) if scaled else 1.0
    x = e + p  # (n, d_model)
    q = project_heads(x, wq)  # (h, n, d_k)
    k = project_heads(x, wk)  # (h, n, d_k)
    v = project_heads(x, wv)  # (h, n, d_v)
    scores = q @ k.transpose(0, 2, 1)  # (h, n, n)
    if scale == 1.0 and temperature == 1.0 and not causal:
        logits = scores  # nothing changes them: share the (read-only) array instead of copying it
    else:
        logits = masked_logits(scores, scale=scale, temperature=temperature, causal=causal)
    weights = softmax(logits)  # (h, n, n)
    head_outputs = weights @ v  # (h, n, d_v)
    # One head without W_o is the notebook: its output is αV itself, (n, d_v).
    output = head_outputs[0] if wo is None else concat_heads(head_outputs) @ wo
    # min and max are NaN if any entry is: two reductions instead of an (h, n, n) boolean array.
    if not (np.isfinite(output).all() and math.isfinite(scores.min()) and math.isfinite(scores.max())):
        raise ValueError(
            "the numbers overflowed (too large for 64-bit floats): use a smaller weight_scale, "
            "smaller numbers, or a larger temperature"
        )
    for a in (e, p, wq, wk, wv, wo, x, q, k, v, scores, logits, weights, head_outputs, output):
        if a is not None:
            a.flags.writeable = False  # fresh arrays: freeze in place instead of copying
    return AttentionTrace(
        tokens=tuple(tokens),
        embeddings=e,
        positions=p,
        positional_used=positional_used or PositionalChoice("custom"),
        x=x,
        w_q=wq,
        w_k=wk,
        w_v=wv,
        q=q,
        k=k,
        v=v,
        scores=scores,
        logits=logits,
        weights=weights,
        head_outputs=head_outputs,
        w_o=wo,
        output=output,
        scaled=scaled,
        temperature=float(temperature),
        causal=causal,
    )


def _check_shapes(n: int, e: FloatArray, p: FloatArray, wq: FloatArray, wk: FloatArray, wv: FloatArray) -> None:
    if n == 0:
        raise ValueError("tokens must not be empty")
    if e.ndim != 2 or e.shape[0] != n:
        raise ValueError(f"embeddings must have shape ({n}, d_model), got {e.shape}")
    if p.shape != e.shape:
        raise ValueError(f"positions must have shape {e.shape}, got {p.shape}")
    d_model = e.shape[1]
    for name, w in (("w_q", wq), ("w_k", wk), ("w_v", wv)):
        if w.ndim != 3 or w.shape[1] != d_model or w.shape[0] != wq.shape[0]:
            raise ValueError(f"{name} must have shape (h, {d_model}, d), got {w.shape}")
    if wk.shape != wq.shape:
        raise ValueError(f"w_k must have the shape of w_q {wq.shape}, got {wk.shape}")
    for name, arr in (("embeddings", e), ("positions", p), ("w_q", wq), ("w_k", wk), ("w_v", wv)):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must hold finite numbers only")


def compute(config: AttentionConfig) -> AttentionTrace:
    """Run the notebook's self-attention for `config` with a local RandomState(seed)."""
    return compute_with_rng(config)[0]


def compute_with_rng(config: AttentionConfig) -> tuple[AttentionTrace, np.random.RandomState]:
    """`compute(config)` plus its RandomState after all its draws, for callers that draw more.

    The encoder block (`compute_block`) continues from this state, so the attention part
    stays exactly the notebook's.
    """
    rng = np.random.RandomState(config.seed)
    tokens = tokenize(config.sentence)
    embeddings = draw_embeddings(rng, tokens, config.d_model)  # (n, d_model)
    positions, used = positional_encodings(config.positional, len(tokens), config.d_model)
    w_q, w_k, w_v, w_o = draw_weights(rng, config)
    # Fresh arrays of valid shapes (the config was validated): no defensive copies needed.
    trace = _build_trace(
        tokens, embeddings, positions, w_q, w_k, w_v, w_o,
        scaled=config.scaled, causal=config.causal, temperature=config.temperature,
        positional_used=used,
    )  # fmt: skip
    return trace, rng
