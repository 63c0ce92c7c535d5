"""The forward pass of a BERT-family encoder, step by step: tokens, embeddings, layers, sentence embedding."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ..arrays import Floats
from ..encoder import LayerNormTrace, encoder_layer, layer_norm
from .trace import LayerTrace, ModelTrace
from .weights import LayerWeights, PretrainedModel


def encode(model: PretrainedModel, text: str, max_tokens: int | None = None) -> tuple[list[str], list[int], bool, int]:
    """(tokens, ids, truncated, n before the cut): the tokenizer's word pieces, cut to the cap keeping [SEP]."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must not be empty or blank")
    cap = model.max_tokens if max_tokens is None else min(int(max_tokens), model.max_tokens)
    if cap < 2:
        raise ValueError(f"max_tokens must be at least 2 ([CLS] and [SEP]), got {max_tokens}")
    enc = model.tokenizer.encode(text)
    tokens, ids = list(enc.tokens), [int(i) for i in enc.ids]
    n_full = len(ids)
    if n_full == 0:
        raise ValueError("the tokenizer gave no tokens for this text")
    truncated = n_full > cap
    if truncated:  # keep the first cap-1 pieces and the final [SEP], as BERT was trained
        tokens = tokens[: cap - 1] + tokens[-1:]
        ids = ids[: cap - 1] + ids[-1:]
    return tokens, ids, truncated, n_full


def embed(model: PretrainedModel, ids: npt.ArrayLike) -> LayerNormTrace:
    """The embedding layer: LN(word[ids] + position[0..n) + token_type[0]), learned gamma and beta."""
    e = model.embeddings
    idx = np.asarray(ids, dtype=np.int64)
    n = idx.shape[0]
    x = e.word[idx] + e.position[:n] + e.token_type[0]  # (n, d_model), one segment
    return layer_norm(x, model.eps, e.ln_gamma, e.ln_beta)


def run_layer(model: PretrainedModel, weights: LayerWeights, x: npt.ArrayLike) -> LayerTrace:
    """One BERT encoder layer on x (n, d_model), keeping every intermediate: the engine's one encoder layer
    (`encoder.encoder_layer`) in Post-LN with the checkpoint's biases and learned γ/β, exact GELU, in float32.

    float32 throughout, like the checkpoint and PyTorch: the products, softmax, layer norm and GELU.
    """
    h, d_head, d = model.n_heads, model.d_head, model.d_model

    def heads(w: Floats) -> Floats:
        out: Floats = w.reshape(d, h, d_head).transpose(1, 0, 2)  # (h, d_model, d_head), a view: no copy
        return out

    return encoder_layer(
        x, heads(weights.w_q), heads(weights.w_k), heads(weights.w_v), weights.w_o,
        weights.w_1, weights.b_1, weights.w_2, weights.b_2,
        b_q=weights.b_q, b_k=weights.b_k, b_v=weights.b_v, b_o=weights.b_o,
        ln_attn=(weights.ln1_gamma, weights.ln1_beta), ln_ffn=(weights.ln2_gamma, weights.ln2_beta),
        eps=model.eps, scale=1.0 / math.sqrt(d_head), activation="gelu", dtype=np.float32,
    )  # fmt: skip


def run_model(model: PretrainedModel, text: str, *, max_tokens: int | None = None) -> ModelTrace:
    """Tokenize `text` and run the whole model, keeping every layer's intermediates.

    `max_tokens` caps the tokens (at most the model's own cap); a longer text is cut, keeping
    [SEP], and the trace says so. Empty or blank text raises ValueError.
    """
    tokens, ids, truncated, n_full = encode(model, text, max_tokens)
    x = embed(model, ids).output  # (n, d_model)
    hidden = [x]
    layers = []
    for weights in model.layers:
        layer = run_layer(model, weights, x)
        layers.append(layer)
        x = layer.output
        hidden.append(x)
    mean = x.mean(axis=0, dtype=np.float64)  # (d_model,) mean pooling, as sentence-transformers does for this model
    sentence = mean / np.linalg.norm(mean)
    special = np.array([i in model.special_ids for i in ids], dtype=bool)
    return ModelTrace(
        tokens=tokens,
        input_ids=np.array(ids, dtype=np.int64),
        truncated=truncated,
        hidden_states=np.stack(hidden),
        layers=tuple(layers),
        sentence_embedding=sentence,
        special=special,
        model_name=model.name,
        n_tokens_full=n_full,
    )
