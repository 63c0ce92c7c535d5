"""A loaded checkpoint: its sizes, its weights (read-only, float32 as shipped) and its tokenizer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .numerics import Floats


@dataclass(frozen=True, eq=False)
class EmbeddingWeights:
    """The embedding layer: word, position and token-type tables, then a layer norm (float32, as shipped)."""

    word: Floats  # (vocab, d_model)
    position: Floats  # (max_position, d_model)
    token_type: Floats  # (type_vocab, d_model)
    ln_gamma: Floats  # (d_model,)
    ln_beta: Floats  # (d_model,)


@dataclass(frozen=True, eq=False)
class LayerWeights:
    """One encoder layer's weights, stored (in, out) so that a linear layer is x @ w + b; float32, as shipped."""

    w_q: Floats  # (d_model, d_model): head h owns columns h·d_head … (h+1)·d_head
    b_q: Floats  # (d_model,)
    w_k: Floats
    b_k: Floats
    w_v: Floats
    b_v: Floats
    w_o: Floats  # (d_model, d_model) the attention output projection
    b_o: Floats
    ln1_gamma: Floats  # (d_model,) after attention + residual
    ln1_beta: Floats
    w_1: Floats  # (d_model, d_ff)
    b_1: Floats  # (d_ff,)
    w_2: Floats  # (d_ff, d_model)
    b_2: Floats  # (d_model,)
    ln2_gamma: Floats  # (d_model,) after the feed-forward + residual
    ln2_beta: Floats

    def head_weights(self, head: int, n_heads: int) -> tuple[Floats, Floats, Floats]:
        """(W_Q, W_K, W_V) of one head, each (d_model, d_head): that head's columns."""
        d_head = self.w_q.shape[1] // n_heads
        cols = slice(head * d_head, (head + 1) * d_head)
        return self.w_q[:, cols], self.w_k[:, cols], self.w_v[:, cols]

    def head_biases(self, head: int, n_heads: int) -> tuple[Floats, Floats, Floats]:
        """(b_Q, b_K, b_V) of one head, each (d_head,)."""
        d_head = self.b_q.shape[0] // n_heads
        cols = slice(head * d_head, (head + 1) * d_head)
        return self.b_q[cols], self.b_k[cols], self.b_v[cols]


@dataclass(frozen=True, eq=False)
class PretrainedModel:
    """A loaded checkpoint: sizes, weights (read-only, never mutated) and its tokenizer."""

    path: Path  # the checkpoint folder
    name: str
    n_layers: int
    n_heads: int
    d_model: int
    d_head: int
    d_ff: int
    max_tokens: int  # max_position_embeddings: longer inputs are cut
    vocab_size: int
    eps: float  # layer_norm_eps
    embeddings: EmbeddingWeights
    layers: tuple[LayerWeights, ...]
    tokenizer: Any = dataclasses.field(repr=False)  # tokenizers.Tokenizer, padding and truncation off
    initializer_range: float = 0.02  # the std of BERT's initial weights (random_model)
    special_ids: frozenset[int] = frozenset()  # ids of [CLS], [SEP], [PAD]… (the tokenizer's special tokens)
