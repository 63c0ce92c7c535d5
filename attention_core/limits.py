"""Bounds on every configurable size, shared by the engine, the CLI and the app's widgets."""

from __future__ import annotations

from typing import Final

MAX_TOKENS: Final = 256  # a sentence longer than this is rejected
MAX_SENTENCE_CHARS: Final = 8_000  # guards the tokenizer against pathological input
D_MODEL_MIN: Final = 1
D_MODEL_MAX: Final = 512
D_HEAD_MIN: Final = 1  # d_k and d_v
D_HEAD_MAX: Final = 256
N_HEADS_MIN: Final = 1
N_HEADS_MAX: Final = 16
D_FF_MIN: Final = 1
D_FF_MAX: Final = 2048
SEED_MIN: Final = 0
SEED_MAX: Final = 2**32 - 1  # numpy's RandomState accepts seeds in [0, 2**32)
POSITIONAL_SCHEMES: Final = ("notebook", "sinusoidal", "none")
