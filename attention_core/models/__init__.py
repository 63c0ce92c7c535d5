"""Trained checkpoints run step by step in plain numpy, one module per concept.

registry (which models, where their files are, their sha256) -> a family's reader (bert) ->
PretrainedModel (weights) -> forward (the encoder, layer by layer) -> ModelTrace (trace) ->
patterns (one head's row, head patterns). A layer is the engine's one encoder layer
(attention_core.encoder.encoder_layer, its GELU in attention_core.activations, re-exported by numerics);
integrity holds the sha256 checks; random_init the same shapes before training. No torch, no transformers, no Streamlit.
"""

from .bert import CONFIG_FIELDS, REQUIRED_FILES, load_bert_folder, read_config, read_tokenizer, read_weights
from .forward import embed, encode, run_layer, run_model
from .integrity import check_files, sha256_of
from .numerics import ERFC_Z_MAX, erf, gelu
from .patterns import PATTERNS, HeadPatterns, HeadStep, head_patterns, head_step
from .random_init import random_model
from .registry import (
    DEFAULT_MODEL_FILES,
    DEFAULT_MODEL_HUB_ID,
    DEFAULT_MODEL_NAME,
    DEFAULT_MODEL_PACKAGE,
    DEFAULT_MODEL_SHA256,
    MODEL_DIR_ENV,
    MODELS,
    KnownModel,
    default_model_dir,
    load_model,
)
from .trace import LayerTrace, ModelTrace
from .weights import EmbeddingWeights, LayerWeights, PretrainedModel

__all__ = [
    "CONFIG_FIELDS",
    "DEFAULT_MODEL_FILES",
    "DEFAULT_MODEL_HUB_ID",
    "DEFAULT_MODEL_NAME",
    "DEFAULT_MODEL_PACKAGE",
    "DEFAULT_MODEL_SHA256",
    "ERFC_Z_MAX",
    "MODELS",
    "MODEL_DIR_ENV",
    "PATTERNS",
    "REQUIRED_FILES",
    "EmbeddingWeights",
    "HeadPatterns",
    "HeadStep",
    "KnownModel",
    "LayerTrace",
    "LayerWeights",
    "ModelTrace",
    "PretrainedModel",
    "check_files",
    "default_model_dir",
    "embed",
    "encode",
    "erf",
    "gelu",
    "head_patterns",
    "head_step",
    "load_bert_folder",
    "load_model",
    "random_model",
    "read_config",
    "read_tokenizer",
    "read_weights",
    "run_layer",
    "run_model",
    "sha256_of",
]
