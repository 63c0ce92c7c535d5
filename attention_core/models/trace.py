"""What a run of a trained model keeps: every layer's intermediates (LayerTrace) and the whole text (ModelTrace)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..arrays import FloatArray, ReadOnlyArrays32, frozen
from ..attention import concat_heads
from ..encoder import LayerNormTrace
from .numerics import Floats


@dataclass(frozen=True, eq=False)
class LayerTrace(ReadOnlyArrays32):
    """Every intermediate of one trained (Post-LN, BERT) encoder layer. Arrays are read-only.

    q, k, v = x W + b (per head)        α = softmax(q·kᵀ / √d_head)
    attn_output = concat(α v) W_o + b_o,   h = LN(x + attn_output)
    output = LN(h + GELU(h W_1 + b_1) W_2 + b_2)
    """

    x: Floats  # (n, d_model) the layer's input
    q: Floats  # (h, n, d_head) biases included
    k: Floats  # (h, n, d_head)
    v: Floats  # (h, n, d_head)
    scores: Floats  # (h, n, n) q·kᵀ before scaling
    weights: Floats  # (h, n, n) α, rows sum to 1
    head_outputs: Floats  # (h, n, d_head) α v
    attn_output: Floats  # (n, d_model) concat(head_outputs) @ W_o + b_o
    sum1: Floats  # (n, d_model) x + attn_output
    norm1: LayerNormTrace  # LN(sum1) with learned gamma, beta: the feed-forward's input
    ffn_pre_gelu: Floats  # (n, d_ff) norm1.output @ W_1 + b_1
    ffn_hidden: Floats  # (n, d_ff) GELU(ffn_pre_gelu), exact erf form
    ffn_output: Floats  # (n, d_model) ffn_hidden @ W_2 + b_2
    sum2: Floats  # (n, d_model) norm1.output + ffn_output
    norm2: LayerNormTrace  # LN(sum2): the layer's output
    scale: float = 1.0  # 1/√d_head

    @property
    def output(self) -> FloatArray:
        """(n, d_model): the layer's output, the next layer's input."""
        return self.norm2.output

    @property
    def attn_concat(self) -> Floats:
        """(n, d_model) the head outputs side by side, the input of W_o."""
        return concat_heads(self.head_outputs)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class ModelTrace:
    """A text through the whole model: tokens, every layer's intermediates, the sentence embedding."""

    tokens: list[str]  # word pieces with [CLS] and [SEP], as the tokenizer gives them, no padding
    input_ids: npt.NDArray[np.int64]  # (n,)
    truncated: bool  # the text was longer than the cap and was cut (keeping [SEP])
    hidden_states: (
        FloatArray  # (n_layers + 1, n, d_model) float32: embedding output (after its layer norm), each layer's output
    )
    layers: tuple[LayerTrace, ...]
    sentence_embedding: FloatArray  # (d_model,) mean of the last hidden state over tokens, L2-normalised
    special: npt.NDArray[np.bool_]  # (n,) True at special tokens ([CLS], [SEP])
    model_name: str = ""
    n_tokens_full: int = 0  # tokens the text had before any cut

    def __post_init__(self) -> None:
        object.__setattr__(self, "tokens", list(self.tokens))
        for name, dtype in (
            ("input_ids", np.int64), ("hidden_states", np.float32), ("sentence_embedding", np.float64),
            ("special", np.bool_),
        ):  # fmt: skip
            value = getattr(self, name)
            if value.flags.writeable or value.dtype != dtype:
                object.__setattr__(self, name, frozen(value, dtype))
        object.__setattr__(self, "layers", tuple(self.layers))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Rebuild through the constructor so an unpickled copy (st.cache_data) is read-only too.
        return (_rebuild_trace, ({f.name: getattr(self, f.name) for f in dataclasses.fields(self)},))

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    @property
    def n_heads(self) -> int:
        return int(self.layers[0].weights.shape[0])

    @property
    def d_head(self) -> int:
        return int(self.layers[0].q.shape[2])

    @property
    def attentions(self) -> Floats:
        """(n_layers, h, n, n): every head's α (float32)."""
        out: Floats = np.stack([layer.weights for layer in self.layers])
        return out


def _rebuild_trace(fields: dict[str, Any]) -> ModelTrace:
    return ModelTrace(**fields)
