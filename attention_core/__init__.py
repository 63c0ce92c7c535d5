"""attention_core: the reference notebook's self-attention, exact, general and typed.

>>> from attention_core import AttentionConfig, compute
>>> trace = compute(AttentionConfig())
>>> round(float(trace.weights[0, 0, 0]), 4)
0.1984
"""

from .analysis import entropy_by_dk, pca, scaled_pair, temperature_sweep, variant
from .attention import attention, attention_parts, causal_mask, concat_heads, multi_head_attention, row_entropy, softmax
from .config import NOTEBOOK_SENTENCE, AttentionConfig
from .embeddings import NOTEBOOK_POSITIONS, PositionalChoice, positional_encodings, sinusoidal_positions
from .encoder import BlockTrace, EncoderTrace, LayerNormTrace, compute_block, encoder_layer, layer_norm
from .explain import TokenExplanation, explain_token, matrix_check, word_by_word
from .export import LabeledMatrix, latex_bmatrix, matrices_zip, matrix_csv, notebook_json, trace_json, trace_matrix
from .limits import (
    D_FF_MAX,
    D_FF_MIN,
    D_HEAD_MAX,
    D_HEAD_MIN,
    D_MODEL_MAX,
    D_MODEL_MIN,
    MAX_SENTENCE_CHARS,
    MAX_TOKENS,
    N_HEADS_MAX,
    N_HEADS_MIN,
    POSITIONAL_SCHEMES,
    SEED_MAX,
    SEED_MIN,
)
from .pretrained import (
    HeadPatterns,
    HeadStep,
    LayerTrace,
    ModelTrace,
    PretrainedModel,
    head_patterns,
    head_step,
    load_model,
    random_model,
    run_model,
)
from .tokenizer import tokenize, unique_labels
from .trace import AttentionTrace, compute, trace_from_matrices

__all__ = [
    "D_FF_MAX",
    "D_FF_MIN",
    "D_HEAD_MAX",
    "D_HEAD_MIN",
    "D_MODEL_MAX",
    "D_MODEL_MIN",
    "MAX_SENTENCE_CHARS",
    "MAX_TOKENS",
    "NOTEBOOK_POSITIONS",
    "NOTEBOOK_SENTENCE",
    "N_HEADS_MAX",
    "N_HEADS_MIN",
    "POSITIONAL_SCHEMES",
    "SEED_MAX",
    "SEED_MIN",
    "AttentionConfig",
    "AttentionTrace",
    "BlockTrace",
    "EncoderTrace",
    "HeadPatterns",
    "HeadStep",
    "LabeledMatrix",
    "LayerNormTrace",
    "LayerTrace",
    "ModelTrace",
    "PositionalChoice",
    "PretrainedModel",
    "TokenExplanation",
    "attention",
    "attention_parts",
    "causal_mask",
    "compute",
    "compute_block",
    "concat_heads",
    "encoder_layer",
    "entropy_by_dk",
    "explain_token",
    "head_patterns",
    "head_step",
    "latex_bmatrix",
    "layer_norm",
    "load_model",
    "matrices_zip",
    "matrix_check",
    "matrix_csv",
    "multi_head_attention",
    "notebook_json",
    "pca",
    "positional_encodings",
    "random_model",
    "row_entropy",
    "run_model",
    "scaled_pair",
    "sinusoidal_positions",
    "softmax",
    "temperature_sweep",
    "tokenize",
    "trace_from_matrices",
    "trace_json",
    "trace_matrix",
    "unique_labels",
    "variant",
    "word_by_word",
]
