"""Hand edits of a trace's numbers: which matrices can be edited, their shapes, and the rebuilt traces.

An edit names a matrix, a head (0 for E and P), a row, a column and the new value. The app keeps
them in the URL (ui/edits.py); here they are applied to the seeded matrices and the attention (and
the encoder block on top of it) recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping

from .arrays import FloatArray
from .config import AttentionConfig
from .embeddings import PositionalChoice
from .encoder import BlockTrace, EncoderTrace, encoder_layer
from .trace import AttentionTrace, rebuild

EDITABLE = ("e", "p", "wq", "wk", "wv")  # embeddings, positions, W_Q, W_K, W_V

Edit = tuple[str, int, int, int, float]  # (matrix, head, row, col, value)


def base_matrices(trace: AttentionTrace) -> dict[str, FloatArray]:
    """The editable matrices of a trace, with a head axis: (1, n, d) for E and P, (h, d, k) for W."""
    return {
        "e": trace.embeddings[None],
        "p": trace.positions[None],
        "wq": trace.w_q,
        "wk": trace.w_k,
        "wv": trace.w_v,
    }


def matrix_shapes(config: AttentionConfig) -> dict[str, tuple[int, int, int]]:
    """The shape of each editable matrix for `config`, as base_matrices gives them (head axis first)."""
    n, d, h = len(config.tokens), config.d_model, config.n_heads
    return {
        "e": (1, n, d),
        "p": (1, n, d),
        "wq": (h, d, config.d_k),
        "wk": (h, d, config.d_k),
        "wv": (h, d, config.d_v),
    }


def split_edits(
    shapes: Mapping[str, tuple[int, ...]], edits: tuple[Edit, ...]
) -> tuple[tuple[Edit, ...], tuple[Edit, ...]]:
    """The edits that fall inside matrices of these shapes, and those outside them (a row, column or head too far)."""
    inside = tuple(e for e in edits if all(i < s for i, s in zip(e[1:4], shapes[e[0]], strict=True)))
    return inside, tuple(e for e in edits if e not in inside)


def apply_edits(trace: AttentionTrace, edits: tuple[Edit, ...]) -> AttentionTrace:
    """The trace rebuilt from `trace`'s matrices with `edits` applied; edits outside the shapes are ignored.

    Scaling, the causal mask, the temperature and W_O are `trace`'s own.
    """
    mats = {k: v.copy() for k, v in base_matrices(trace).items()}
    for m, h, r, c, value in edits:
        a = mats[m]
        if h < a.shape[0] and r < a.shape[1] and c < a.shape[2]:
            a[h, r, c] = value
    return rebuild(
        trace,
        embeddings=mats["e"][0],
        positions=mats["p"][0],
        w_q=mats["wq"],
        w_k=mats["wk"],
        w_v=mats["wv"],
        positional_used=PositionalChoice("custom"),
    )


def edited_encoder(block: BlockTrace, edits: tuple[Edit, ...]) -> EncoderTrace:
    """The encoder layer on the hand-edited X, W_Q, W_K, W_V, with the block's own W_O, W_1, b_1, W_2, b_2.

    The mask, the scaling and the temperature are the block's attention's, as on every other page;
    Post-LN or Pre-LN is the block's.
    """
    trace = apply_edits(block.attention, edits)
    return encoder_layer(
        trace.x, trace.w_q, trace.w_k, trace.w_v, block.w_o, block.w_1, block.b_1, block.w_2, block.b_2,
        norm_first=block.norm_first, causal=trace.causal, scale=trace.scale, temperature=trace.temperature,
    )  # fmt: skip
