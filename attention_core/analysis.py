"""Derived views for teaching: entropy against d_k, temperature sweeps, PCA of query/key vectors."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray
from .attention import masked_logits, row_entropy, softmax
from .config import AttentionConfig
from .trace import AttentionTrace, compute, trace_from_matrices


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
    return trace_from_matrices(
        trace.tokens,
        trace.embeddings,
        trace.positions,
        trace.w_q,
        trace.w_k,
        trace.w_v,
        trace.w_o,
        scaled=(trace.scale != 1.0) if scaled is None else scaled,
        causal=trace.causal if causal is None else causal,
        temperature=trace.temperature if temperature is None else temperature,
        positional_used=trace.positional_used,
    )
