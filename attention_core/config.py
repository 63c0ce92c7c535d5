"""`AttentionConfig`: every knob of one self-attention run, validated on construction."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from . import limits
from .tokenizer import tokenize

NOTEBOOK_SENTENCE = "me gusta estudiar inteligencia artificial"


def _check_int(name: str, value: object, lo: int, hi: int) -> None:
    """Raise unless `value` is a true integer (not a bool) in lo..hi."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number in {lo}..{hi}, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{name} must be in {lo}..{hi}, got {value}")


def check_positive(name: str, value: object) -> None:
    """Raise unless `value` is a finite real number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite number > 0, got {value!r}")
    if not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")


@dataclass(frozen=True)
class AttentionConfig:
    """One self-attention run; the defaults are the reference notebook's."""

    sentence: str = NOTEBOOK_SENTENCE  # tokenized by `tokenize`
    d_model: int = 4  # embedding width
    d_k: int = 3  # query/key width per head
    d_v: int = 3  # value width per head
    seed: int = 23  # seeds a local RandomState, never the global one
    n_heads: int = 1  # h
    positional: str = "notebook"  # "notebook" | "sinusoidal" | "none"
    scaled: bool = False  # False: the notebook's plain q·k; True: divide by sqrt(d_k)
    causal: bool = False  # mask the keys after each query
    temperature: float = 1.0  # logits are divided by it
    weight_scale: float = 0.1  # W_q, W_k, W_v (and W_o) are randn * weight_scale
    d_ff: int = 4  # feed-forward width of the encoder block (the notebook declares 4)

    def __post_init__(self) -> None:
        if not isinstance(self.sentence, str):
            raise TypeError(f"sentence must be text, got {type(self.sentence).__name__}")
        if not self.sentence.strip():
            raise ValueError("sentence must not be empty or blank")
        if len(self.sentence) > limits.MAX_SENTENCE_CHARS:
            raise ValueError(
                f"sentence must have at most {limits.MAX_SENTENCE_CHARS} characters, got {len(self.sentence)}"
            )
        n = len(tokenize(self.sentence))
        if n == 0:
            raise ValueError("sentence must contain at least one word (1..256 tokens)")
        if n > limits.MAX_TOKENS:
            raise ValueError(f"sentence must have 1..{limits.MAX_TOKENS} tokens, got {n}")
        _check_int("d_model", self.d_model, limits.D_MODEL_MIN, limits.D_MODEL_MAX)
        _check_int("d_k", self.d_k, limits.D_HEAD_MIN, limits.D_HEAD_MAX)
        _check_int("d_v", self.d_v, limits.D_HEAD_MIN, limits.D_HEAD_MAX)
        _check_int("seed", self.seed, limits.SEED_MIN, limits.SEED_MAX)
        _check_int("n_heads", self.n_heads, limits.N_HEADS_MIN, limits.N_HEADS_MAX)
        _check_int("d_ff", self.d_ff, limits.D_FF_MIN, limits.D_FF_MAX)
        if self.positional not in limits.POSITIONAL_SCHEMES:
            allowed = ", ".join(limits.POSITIONAL_SCHEMES)
            raise ValueError(f"positional must be one of {allowed}, got {self.positional!r}")
        for flag in ("scaled", "causal"):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(f"{flag} must be True or False, got {getattr(self, flag)!r}")
        check_positive("temperature", self.temperature)
        check_positive("weight_scale", self.weight_scale)

    @property
    def tokens(self) -> list[str]:
        """The sentence's tokens."""
        return tokenize(self.sentence)

    @property
    def scale(self) -> float:
        """The factor applied to q·k: 1 (the notebook) or 1/sqrt(d_k)."""
        return 1.0 / math.sqrt(self.d_k) if self.scaled else 1.0
