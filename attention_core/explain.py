"""The notebook's per-word section ("Palabra me"): one query token's attention, term by term."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray
from .trace import AttentionTrace


@dataclass(frozen=True, eq=False)
class TokenExplanation:
    """Attention of query token `index` in `head`, laid out as the notebook does by hand."""

    index: int
    token: str
    head: int
    dots: FloatArray  # (n,) q_i·k_j, one dot product per key, as the notebook writes them
    logits: FloatArray  # (n,) after scale, temperature and mask (masked = -inf)
    weights: FloatArray  # (n,) α_ij = softmax(logits)
    terms: FloatArray  # (n, d_v) α_ij · v_j
    output: FloatArray  # (d_v,) Σ_j α_ij · v_j, equal to trace.head_outputs[head, index]
    products: FloatArray  # (n, d_k) q_i ⊙ k_j, element by element: each row sums to dots[j] (BertViz's neuron view)

    @property
    def weight_sum(self) -> float:
        """Σ_j α_ij: 1 up to rounding (a softmax row), the check the notebook's per-word section makes."""
        return float(np.sum(self.weights))


def explain_token(trace: AttentionTrace, i: int, head: int = 0) -> TokenExplanation:
    """Token i's dot products, logits, α, weighted values and their sum, for one head."""
    n, h = trace.n_tokens, trace.n_heads
    if not 0 <= i < n:
        raise ValueError(f"token index must be in 0..{n - 1}, got {i}")
    if not 0 <= head < h:
        raise ValueError(f"head must be in 0..{h - 1}, got {head}")
    q_i = trace.q[head, i]  # (d_k,)
    keys = trace.k[head]  # (n, d_k)
    dots = np.array([float(q_i @ keys[j]) for j in range(n)])  # the notebook's q @ k.T, pair by pair
    logits = np.array(trace.logits[head, i])
    weights = np.array(trace.weights[head, i])
    terms = weights[:, None] * trace.v[head]  # (n, d_v)
    output = terms.sum(axis=0)  # (d_v,)
    products = q_i[None, :] * keys  # (n, d_k)
    for a in (dots, logits, weights, terms, output, products):
        a.flags.writeable = False
    return TokenExplanation(i, trace.tokens[i], head, dots, logits, weights, terms, output, products)


def top_keys(weights: npt.ArrayLike, k: int) -> tuple[int, ...]:
    """The `k` keys with the largest α in a row `weights` (n,), largest first; equal weights in key order."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    w = np.asarray(weights, dtype=np.float64)
    return tuple(int(j) for j in np.argsort(-w, kind="stable")[:k])


def word_by_word(trace: AttentionTrace, head: int = 0) -> FloatArray:
    """(n, d_v): every token's output built term by term, as the notebook's per-word sections do."""
    # The notebook's sums Σ_j α_ij·v_j for every i at once, term by term (not the α·V matrix product).
    terms = trace.weights[head][:, :, None] * trace.v[head][None, :, :]  # (n, n, d_v)
    out: FloatArray = terms.sum(axis=1)  # (n, d_v)
    return out


def matrix_check(trace: AttentionTrace, head: int = 0) -> float:
    """max |αV − word-by-word| for one head: how far the matrix form is from the notebook's hand sums."""
    return float(np.max(np.abs(trace.head_outputs[head] - word_by_word(trace, head))))
