"""Word embeddings (a seeded lookup table) and positional encodings."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .arrays import FloatArray

# The notebook's five hand-written positional vectors (pos_1 … pos_5), d_model = 4.
NOTEBOOK_POSITIONS: FloatArray = np.array(
    [
        [0.3, -0.9, -0.6, 0.8],
        [-0.6, 0.8, -0.9, 0.15],
        [0.8, -0.5, -0.9, 0.5],
        [-0.9, 0.2, -0.4, -0.9],
        [0.95, 0.16, 0.2, -0.95],
    ]
)
NOTEBOOK_POSITIONS.flags.writeable = False


class PositionalChoice(NamedTuple):
    """The positional scheme really applied and, when it is not the one asked for, why."""

    scheme: str
    reason: str | None = None

    def __str__(self) -> str:
        return self.scheme if self.reason is None else f"{self.scheme} ({self.reason})"


def vocabulary(tokens: list[str]) -> tuple[list[str], np.ndarray]:
    """Distinct tokens in order of first appearance, and each token's row in that list."""
    index: dict[str, int] = {}
    rows = [index.setdefault(t, len(index)) for t in tokens]
    return list(index), np.asarray(rows, dtype=np.intp)


def draw_embeddings(rng: np.random.RandomState, tokens: list[str], d_model: int) -> FloatArray:
    """One randn(d_model) per distinct token, in order of first appearance; repeats reuse it.

    Drawing the (vocab, d_model) table at once consumes the stream exactly like the
    notebook's successive `np.random.randn(d_model)` calls.
    """
    vocab, rows = vocabulary(tokens)
    table = rng.randn(len(vocab), d_model)  # (V, d_model)
    out: FloatArray = table[rows]  # (n, d_model)
    return out


def sinusoidal_frequencies(d_model: int) -> FloatArray:
    """(ceil(d_model / 2),) ω_i = 1 / 10000^(2i/d_model): the angle per position of sin/cos pair i."""
    two_i = np.arange(0, d_model, 2, dtype=np.float64)  # (ceil(d/2),)
    out: FloatArray = 1.0 / np.power(10000.0, two_i / d_model)
    return out


def sinusoidal_positions(n: int, d_model: int) -> FloatArray:
    """Vaswani et al. (2017): PE[p, 2i] = sin(p·ω_i), PE[p, 2i+1] = cos(p·ω_i), ω_i = 1 / 10000^(2i/d), p from 0."""
    pos = np.arange(n, dtype=np.float64)[:, None]  # (n, 1)
    angles = pos * sinusoidal_frequencies(d_model)  # (n, ceil(d/2))
    pe = np.empty((n, d_model))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : d_model // 2])
    return pe


def positional_encodings(scheme: str, n: int, d_model: int) -> tuple[FloatArray, PositionalChoice]:
    """The (n, d_model) positional matrix for `scheme`, and the scheme actually used."""
    if scheme == "none":
        return np.zeros((n, d_model)), PositionalChoice("none")
    if scheme == "notebook":
        if d_model == 4 and n <= len(NOTEBOOK_POSITIONS):
            return NOTEBOOK_POSITIONS[:n].copy(), PositionalChoice("notebook")
        reason = (
            "the notebook's hand-written vectors need d_model = 4 and at most 5 tokens; "
            f"here d_model = {d_model} and there are {n} tokens"
        )
        return sinusoidal_positions(n, d_model), PositionalChoice("sinusoidal", reason)
    if scheme == "sinusoidal":
        return sinusoidal_positions(n, d_model), PositionalChoice("sinusoidal")
    raise ValueError(f"positional must be one of notebook, sinusoidal, none, got {scheme!r}")
