"""Derived views for teaching: entropy against d_k, temperature sweeps, PCA of query/key vectors."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray
from .attention import masked_logits, row_entropy, softmax
from .config import AttentionConfig
from .trace import AttentionTrace, compute, rebuild


def scaled_pair(config: AttentionConfig) -> tuple[AttentionTrace, AttentionTrace]:
    """The same inputs computed unscaled (the notebook) and scaled by 1/sqrt(d_k), in that order."""
    return (
        compute(dataclasses.replace(config, scaled=False)),
        compute(dataclasses.replace(config, scaled=True)),
    )


def entropy_by_dk(config: AttentionConfig, d_ks: Sequence[int]) -> tuple[FloatArray, FloatArray]:
    """Mean row entropy of α (head 0) for each d_k, unscaled and scaled: why 1/sqrt(d_k) matters.

    Unscaled, q·k grows like sqrt(d_k), softmax saturates and the entropy falls towards 0;
    scaled, it stays near its level for small d_k. Returns two arrays of len(d_ks).
    """
    unscaled, scaled = [], []
    for d_k in d_ks:
        a, b = scaled_pair(dataclasses.replace(config, d_k=int(d_k)))
        unscaled.append(float(np.mean(row_entropy(a.weights[0]))))
        scaled.append(float(np.mean(row_entropy(b.weights[0]))))
    return np.array(unscaled), np.array(scaled)


def temperature_sweep(trace: AttentionTrace, i: int, temperatures: Sequence[float], head: int = 0) -> FloatArray:
    """(len(temperatures), n): query i's α row recomputed at each temperature, same scale and mask."""
    scores = trace.scores[head, i][None, :]  # (1, n)
    rows = []
    for temp in temperatures:
        logits = masked_logits(scores, scale=trace.scale, temperature=float(temp))
        if trace.causal:
            logits = np.where(np.arange(trace.n_tokens)[None, :] <= i, logits, -np.inf)
        rows.append(softmax(logits)[0])
    return np.array(rows)


def pca(points: npt.ArrayLike, k: int) -> tuple[FloatArray, FloatArray]:
    """Project rows of `points` on their first k principal axes (numpy SVD, centred).

    Returns (coords (m, k), explained variance ratio (k,)); axes beyond the data's rank are zeros.
    """
    a = np.asarray(points, dtype=np.float64)
    centred = a - a.mean(axis=0, keepdims=True)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    var = s**2
    total = float(var.sum())
    coords = np.zeros((a.shape[0], k))
    r = min(k, vt.shape[0])
    coords[:, :r] = centred @ vt[:r].T
    ratio = np.zeros(k)
    if total > 0:
        ratio[:r] = var[:r] / total
    return coords, ratio


def variant(
    trace: AttentionTrace,
    *,
    scaled: bool | None = None,
    causal: bool | None = None,
    temperature: float | None = None,
) -> AttentionTrace:
    """The same matrices (seeded or hand-edited) recomputed with other scaling, mask or temperature."""
    return rebuild(trace, scaled=scaled, causal=causal, temperature=temperature)


def max_entropy(trace: AttentionTrace, head: int = 0) -> FloatArray:
    """(n,) the largest entropy each α row can have: ln(number of keys the row may attend to).

    Without a mask that is ln n for every row; under the causal mask row i (0-based) sees i + 1
    keys, so its ceiling is ln(i + 1) and the first row's entropy is 0 by construction.
    """
    allowed = np.isfinite(trace.logits[head]).sum(axis=-1)  # (n,) keys not masked out
    out: FloatArray = np.log(np.maximum(allowed, 1).astype(np.float64))
    return out


def entropy_table(unscaled: AttentionTrace, scaled: AttentionTrace, head: int = 0) -> FloatArray:
    """(n, 3): each α row's entropy without and with 1/sqrt(d_k), and its ceiling (see max_entropy)."""
    return np.column_stack(
        [row_entropy(unscaled.weights[head]), row_entropy(scaled.weights[head]), max_entropy(scaled, head)]
    )


@dataclass(frozen=True, eq=False)
class ScalingStudy:
    """Why 1/sqrt(d_k): α's entropy and the spread of q·k against d_k, averaged over seeds.

    q and k have independent N(0, 1) components, the assumption of Vaswani et al. (2017,
    footnote 4): then q·k has mean 0 and variance d_k, so unscaled logits grow like sqrt(d_k),
    the softmax saturates and its gradients vanish; divided by sqrt(d_k) their spread stays 1.
    """

    d_ks: tuple[int, ...]
    n_tokens: int
    seeds: int
    entropy_unscaled: FloatArray  # (len(d_ks),) mean row entropy of α, nats
    entropy_scaled: FloatArray  # (len(d_ks),)
    std_unscaled: FloatArray  # (len(d_ks),) standard deviation of q·k over every pair and seed
    std_scaled: FloatArray  # (len(d_ks),) the same for q·k / sqrt(d_k)

    @property
    def entropy_ceiling(self) -> FloatArray:
        """(len(d_ks),) ln(n_tokens), the entropy of a perfectly even α row, for every d_k."""
        return np.full(len(self.d_ks), np.log(self.n_tokens))

    @property
    def std_theory(self) -> FloatArray:
        """(len(d_ks),) sqrt(d_k), the paper's predicted std(q·k) without scaling."""
        return np.sqrt(np.array(self.d_ks, dtype=np.float64))


def scaling_study(n_tokens: int, d_ks: Sequence[int], seeds: int = 20, seed: int = 0) -> ScalingStudy:
    """Entropy of α and std(q·k) for each d_k, averaged over `seeds` draws of standard-normal q, k.

    Draw s for a given d_k comes from RandomState((seed + s) * 1009 + d_k): one stream per (draw, d_k)
    pair, so a d_k's numbers do not depend on which other d_k are asked for.
    """
    if n_tokens < 1 or seeds < 1:
        raise ValueError(f"n_tokens and seeds must be >= 1, got {n_tokens} and {seeds}")
    ent_u, ent_s, std_u, std_s = [], [], [], []
    for d_k in d_ks:
        d = int(d_k)
        if d < 1:
            raise ValueError(f"every d_k must be >= 1, got {d}")
        scores = np.empty((seeds, n_tokens, n_tokens))
        for s in range(seeds):
            rng = np.random.RandomState((seed + s) * 1009 + d)
            q = rng.randn(n_tokens, d)  # (n, d_k), unit-variance components
            k = rng.randn(n_tokens, d)  # (n, d_k)
            scores[s] = q @ k.T  # (n, n)
        scaled = scores / np.sqrt(d)
        ent_u.append(float(np.mean(row_entropy(softmax(scores)))))
        ent_s.append(float(np.mean(row_entropy(softmax(scaled)))))
        std_u.append(float(np.std(scores)))
        std_s.append(float(np.std(scaled)))
    arrays = [np.array(a) for a in (ent_u, ent_s, std_u, std_s)]
    for a in arrays:
        a.flags.writeable = False
    return ScalingStudy(tuple(int(d) for d in d_ks), n_tokens, seeds, *arrays)


@dataclass(frozen=True, eq=False)
class QueryView:
    """Queries and keys drawn in a view where query i's dot products read exactly off axis 1.

    Axis 1 is q_i / ‖q_i‖, so a key's first coordinate times ‖q_i‖ is q_i·k_j exactly; the other
    axes are the keys' main directions orthogonal to q_i. No centring: the origin stays the origin.
    Only query i's dot products are exact; other queries' are distorted like any 2-D or 3-D view.
    """

    queries: FloatArray  # (n, dims)
    keys: FloatArray  # (n, dims)
    axes: FloatArray  # (dims, d_k) orthonormal rows (a zero row where d_k < dims)
    query_norm: float  # ‖q_i‖
    kept: float  # share of the keys' squared length inside the view, 0..1


def query_aligned_view(q: npt.ArrayLike, k: npt.ArrayLike, i: int, dims: int) -> QueryView:
    """Project queries `q` (n, d_k) and keys `k` (m, d_k) on a view aligned with query `i`."""
    qa, ka = np.asarray(q, dtype=np.float64), np.asarray(k, dtype=np.float64)
    if qa.ndim != 2 or ka.ndim != 2 or qa.shape[1] != ka.shape[1]:
        raise ValueError(f"q and k must be (n, d_k) and (m, d_k), got {qa.shape} and {ka.shape}")
    if not 0 <= i < qa.shape[0]:
        raise ValueError(f"query index must be in 0..{qa.shape[0] - 1}, got {i}")
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, got {dims}")
    d_k = qa.shape[1]
    norm = float(np.linalg.norm(qa[i]))
    axes = np.zeros((dims, d_k))
    if norm > 0:
        axes[0] = qa[i] / norm
    else:  # a zero query: every dot product is 0, any first axis will do; take the keys' main one
        _, _, vt = np.linalg.svd(ka, full_matrices=True)
        axes[0] = vt[0]
    # The keys with their part along axis 1 removed; their main directions are the next axes.
    rest = ka - np.outer(ka @ axes[0], axes[0])  # (m, d_k)
    vt = np.linalg.svd(rest, full_matrices=True)[2]  # (d_k, d_k), main directions first
    filled = 1
    for row in vt:
        if filled == dims:
            break
        row = row - (axes[:filled] @ row) @ axes[:filled]  # orthogonal to the axes so far
        length = float(np.linalg.norm(row))
        if length > 1e-9:
            axes[filled] = row / length
            filled += 1
    total = float(np.sum(ka * ka))
    kc = ka @ axes.T  # (m, dims)
    kept = float(np.sum(kc * kc)) / total if total > 0 else 1.0
    qc = qa @ axes.T  # (n, dims)
    for a in (qc, kc, axes):
        a.flags.writeable = False
    return QueryView(queries=qc, keys=kc, axes=axes, query_norm=norm, kept=min(kept, 1.0))


def alpha_spread(trace: AttentionTrace, head: int = 0) -> tuple[float, float, float]:
    """(lowest logit, highest logit, largest α_max / α_min within a row) over the unmasked cells.

    Within a row α_j / α_l = exp(ℓ_j − ℓ_l), so logits within ±0.2 keep every α within about
    1.5× of every other: the reason the notebook's α are all near 1/n. The ratio is worked out from its
    log, the largest gap ℓ_max − ℓ_min in a row; a ratio beyond a float's range (a gap above about 709)
    is math.inf, without an overflow warning.
    """
    logits = trace.logits[head]
    finite = np.isfinite(logits)
    lo = float(np.min(logits[finite]))
    hi = float(np.max(logits[finite]))
    row_hi = np.max(np.where(finite, logits, -np.inf), axis=1)
    row_lo = np.min(np.where(finite, logits, np.inf), axis=1)
    with np.errstate(over="ignore"):  # logits of opposite signs near the float limit: the gap is +inf
        log_ratio = float(np.max(row_hi - row_lo))  # ln(α_max / α_min) of the row where it is largest
    try:
        ratio = math.exp(log_ratio)
    except OverflowError:  # the ratio itself is beyond a float's range
        ratio = math.inf
    return lo, hi, ratio


def permuted(trace: AttentionTrace, order: Sequence[int]) -> AttentionTrace:
    """The same words in another order: word t of the result is word order[t] of `trace`.

    Each word keeps its embedding and the weights stay the same; the positional encodings stay
    with the positions (row t of P is still position t). With no positions and no mask the output
    rows are the original rows permuted (attention is permutation-equivariant).
    """
    perm = np.asarray(order, dtype=np.intp)
    n = trace.n_tokens
    if perm.shape != (n,) or sorted(perm.tolist()) != list(range(n)):
        raise ValueError(f"order must be a permutation of 0..{n - 1}")
    return rebuild(trace, tokens=[trace.tokens[j] for j in perm], embeddings=trace.embeddings[perm])


def shuffle_order(n: int, seed: int) -> tuple[int, ...]:
    """A permutation of 0..n-1 from RandomState(seed) that moves at least one word when n > 1.

    Any integer seed works: it is taken modulo 2**32 (RandomState's range), so callers may derive
    seeds arithmetically (the multi-head page uses seed * 1000 + clicks) without overflowing it.
    """
    rng = np.random.RandomState(seed % 2**32)
    order = rng.permutation(n)
    if n > 1 and np.array_equal(order, np.arange(n)):
        order = np.roll(order, 1)
    return tuple(int(j) for j in order)


def permutation_gap(trace: AttentionTrace, order: Sequence[int]) -> float:
    """max |output of the shuffled sentence − the original output rows in the shuffled order|.

    About 1e-16 when attention is permutation-equivariant (no positions, no causal mask); larger
    when positions or the mask make the order visible.
    """
    shuffled = permuted(trace, order)
    return float(np.max(np.abs(shuffled.output - trace.output[np.asarray(order, dtype=np.intp)])))


def relative_size(added: npt.ArrayLike, base: npt.ArrayLike) -> float:
    """‖added‖ / ‖base‖ (Frobenius norms): how large a residual branch is next to the stream it is added to.

    In the encoder block with the notebook's weights ×0.1 the attention sub-layer adds about 0.1 % of ‖X‖.
    """
    a, b = np.asarray(added, dtype=np.float64), np.asarray(base, dtype=np.float64)
    denominator = float(np.linalg.norm(b))
    if denominator == 0:
        raise ValueError("base must not be all zeros")
    return float(np.linalg.norm(a)) / denominator
