"""Attention heads designed by hand: structured α without any training.

Two classic patterns, each built from the sentence's own vectors and a few exact matrices:

- "same": W_Q = W_K = c·I on the word embeddings alone (no positions), with every embedding
  scaled to the same length first: q_t·k_s = s·cos(e_t, e_s), largest (= s) for the word itself
  and every repeat of it (Cauchy–Schwarz).
- "previous": W_Q and W_K built from the sinusoidal shift on the positions alone. Each sin/cos
  pair of PE(t+1) is PE(t)'s pair rotated by its frequency: PE(t+1) = PE(t)·M, with M
  block-diagonal rotations (the paper's relative-position property). With W_Q = c·Mᵀ and
  W_K = c·I, q_t = c·PE(t−1) and q_t·k_s = c²·PE(t−1)·PE(s), largest at s = t − 1.

`sharpness` s sets the logit gap: the word itself against an orthogonal word ("same"), the
previous position against the next nearest ones ("previous").
"""

from __future__ import annotations

import math

import numpy as np

from .arrays import FloatArray
from .config import AttentionConfig
from .embeddings import PositionalChoice, sinusoidal_frequencies, sinusoidal_positions
from .trace import AttentionTrace, compute, trace_from_matrices

DESIGNS: tuple[str, ...] = ("same", "previous")
DEFAULT_SHARPNESS = 6.0  # s: the logit gap the design aims at (e^6 ≈ 400 times the weight)


def shift_matrix(d_model: int) -> FloatArray:
    """(d_model, d_model) M with sinusoidal_positions(n, d)[t + 1] = sinusoidal_positions(n, d)[t] @ M.

    An odd d_model's last column (a sine without its cosine) is not a rotation: it maps to 0.
    """
    m = np.zeros((d_model, d_model))
    for pair, w in enumerate(sinusoidal_frequencies(d_model)[: d_model // 2]):
        a, b = 2 * pair, 2 * pair + 1  # (sin, cos) of t·w
        c, s = math.cos(w), math.sin(w)
        # sin((t+1)w) = sin·cos w + cos·sin w;  cos((t+1)w) = −sin·sin w + cos·cos w
        m[a, a], m[b, a] = c, s
        m[a, b], m[b, b] = -s, c
    return m


def _unit_rows(x: FloatArray) -> FloatArray:
    """Rows scaled to length 1; zero rows stay 0."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)  # (n, 1)
    return np.where(norms > 0, x / np.where(norms > 0, norms, 1.0), 0.0)


def shift_gap(d_model: int) -> float:
    """PE(t)·PE(t) − PE(t)·PE(t±1) = Σ over sin/cos pairs of (1 − cos ω): how far one step moves PE."""
    return float(np.sum(1.0 - np.cos(sinusoidal_frequencies(d_model)[: d_model // 2])))


def designed_head(config: AttentionConfig, design: str, sharpness: float = DEFAULT_SHARPNESS) -> AttentionTrace:
    """One hand-designed head on the config's sentence and seed: `design` is "same" or "previous".

    The result is an ordinary trace (one head, unscaled, no mask, temperature 1), so every table
    and chart of the app can show it. `sharpness` is the logit gap s > 0 (see the module's docstring).
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, got {design!r}")
    if not (math.isfinite(sharpness) and sharpness > 0):
        raise ValueError(f"sharpness must be a finite number > 0, got {sharpness}")
    base = compute(config)
    n, d = base.n_tokens, base.d_model
    eye = np.eye(d)
    if design == "same" or d < 2:  # d_model = 1 has no sin/cos pair to rotate
        e = _unit_rows(np.asarray(base.embeddings))  # (n, d_model), length 1
        p = np.zeros((n, d))
        c = math.sqrt(sharpness)  # q_t·k_s = s·cos(e_t, e_s)
        w_q, w_k = c * eye, c * eye
        used = PositionalChoice("none")
    else:
        e = np.zeros((n, d))
        p = sinusoidal_positions(n, d)  # (n, d_model)
        c = math.sqrt(sharpness / shift_gap(d))  # one step of position costs s in the logit
        w_q, w_k = c * shift_matrix(d).T, c * eye
        used = PositionalChoice("sinusoidal")
    return trace_from_matrices(base.tokens, e, p, w_q, w_k, eye, positional_used=used)
