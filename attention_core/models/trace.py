"""What a run of a trained model keeps: every layer's intermediates (LayerTrace, the encoder layer's trace) and the
whole text (ModelTrace)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..arrays import FloatArray, Floats, frozen
from ..encoder import EncoderTrace

# One trained encoder layer's intermediates: the engine's one encoder-layer trace (Post-LN, with the
# checkpoint's biases and γ/β, GELU, float32). `trace.layers[i].weights` is α, `.scores` q·kᵀ before
# scaling, `.logits` what the softmax received, `.output` the layer's output; see EncoderTrace.
LayerTrace = EncoderTrace


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
