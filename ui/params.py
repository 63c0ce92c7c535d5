"""URL query parameters -> validated control values, with a message for every value that was fixed.

Pure Python (no Streamlit), so the rules are unit-testable: a missing value takes its default,
a malformed one the default, an out-of-range one the nearest allowed value; never an exception.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import attention_core as ac

DEFAULTS = ac.AttentionConfig()

# Widget bounds come from the engine's limits; temperature gets a UI range that stays meaningful.
TEMPERATURE_MIN = 0.01
TEMPERATURE_MAX = 100.0
# The weights' scale: the notebook's 0.1 keeps every α near 1/n; a few tenths give peaked rows.
WEIGHT_SCALE_MIN = 0.01
WEIGHT_SCALE_MAX = 5.0

PRESENTER_STEP_MAX = 1000

INT_FIELDS: dict[str, tuple[int, int]] = {
    "d_model": (ac.D_MODEL_MIN, ac.D_MODEL_MAX),
    "d_k": (ac.D_HEAD_MIN, ac.D_HEAD_MAX),
    "d_v": (ac.D_HEAD_MIN, ac.D_HEAD_MAX),
    "seed": (ac.SEED_MIN, ac.SEED_MAX),
    "n_heads": (ac.N_HEADS_MIN, ac.N_HEADS_MAX),
    "d_ff": (ac.D_FF_MIN, ac.D_FF_MAX),
}
BOOL_FIELDS = ("scaled", "causal")
CONFIG_KEYS = (
    "sentence", "d_model", "d_k", "d_v", "seed", "n_heads", "positional", "scaled", "causal", "temperature", "d_ff",
    "weight_scale",
)  # fmt: skip

# The trained-model page's default text: the Illustrated Transformer's coreference example.
TRAINED_TEXT = "The animal didn't cross the street because it was too tired"
TRAINED_TEXT_MAX_CHARS = 2000

# View parameters beyond the engine's config, carried in the URL only when not at their default:
# name -> (default, kind, bounds or choices).
VIEW_PARAMS: dict[str, tuple[Any, str, Any]] = {
    "head": (1, "int", (1, ac.N_HEADS_MAX)),  # head shown (1-based)
    "word": (1, "int", (1, ac.MAX_TOKENS)),  # word picked (1-based)
    # presenter mode: the step (or page section) on screen. Each presenter view has its own number of
    # steps and clamps to it with a warning (ui.present.navigation); this bound only keeps the number sane.
    "step": (1, "int", (1, PRESENTER_STEP_MAX)),
    "present": (False, "bool", None),  # presenter mode on
    "norm_first": (False, "bool", None),  # encoder block: Pre-LN instead of Post-LN
    "custom": (False, "bool", None),  # hand-edited numbers replace the seeded ones
    "edits": ("", "str", 4000),  # the hand edits, encoded (ui/edits.py)
    "dims": (3, "int", (2, 3)),  # vector-space page: 2-D or 3-D view
    "enc_step": ("", "str", 20),  # encoder page: the step beside the diagram (unknown names: the first step)
    # "Learn the weights" page (tr_*: the training run), and `learned`: the other pages show its weights.
    "tr_task": (ac.TrainConfig.task, "choice", ac.TASKS),
    "tr_heads": (ac.TrainConfig.n_heads, "int", (1, 4)),
    "tr_dk": (ac.TrainConfig.d_k, "int", (1, 32)),
    "tr_pos": (ac.TrainConfig.positional, "choice", ("sinusoidal", "none")),
    "tr_scaled": (ac.TrainConfig.scaled, "bool", None),
    "tr_causal": (ac.TrainConfig.causal, "bool", None),
    "tr_steps": (ac.TrainConfig.steps, "int", (10, 1000)),  # the engine allows more; a shared server, less
    "tr_lr": (ac.TrainConfig.lr, "float", (0.0001, 0.5)),
    "tr_seed": (ac.TrainConfig.seed, "int", (ac.SEED_MIN, ac.SEED_MAX)),
    "tr_step": (-1, "int", (-1, 1000)),  # the training step shown; -1: the last
    "tr_cmp": ("", "choice", ("", "scaled", "heads")),  # the side-by-side experiment shown, if any
    "learned": (False, "bool", None),  # the pages show the trained weights at tr_step instead of the seeded ones
    # The trained-model page (pages/8_trained.py, ui/trained.py): its own text and view, bounds
    # wide enough for any BERT checkpoint; the page clamps them to the loaded model.
    "text": (TRAINED_TEXT, "str", TRAINED_TEXT_MAX_CHARS),  # the text run through the model
    "view": ("model", "str", 20),  # model, head, step, patterns or random (unknown names: the first)
    "layer": (4, "int", (1, 48)),  # layer shown (1-based); layer 4 head 2 links "it" to "animal"
    "thead": (2, "int", (1, 64)),  # head shown (1-based), separate from the random pages' `head`
    "tword": (11, "int", (1, 512)),  # token followed step by step (1-based, [CLS] is 1): "it"
    "no_special": (False, "bool", None),  # head view: hide [CLS] and [SEP]
}
_TRUE = {"1", "true", "yes", "on", "t", "y"}
_FALSE = {"0", "false", "no", "off", "f", "n"}


@dataclass(frozen=True)
class Fix:
    """One URL value that could not be used as given: which, what it was, and what is used instead."""

    key: str
    given: str
    used: str
    problem: str  # "malformed" | "range" | "empty" | "too_long" | "unknown"


def _default(key: str) -> Any:
    return getattr(DEFAULTS, key)


def parse_int(key: str, raw: str, lo: int, hi: int, default: int | None = None) -> tuple[int, Fix | None]:
    """A whole number clamped to lo..hi; anything else gives the default."""
    s = raw.strip()
    try:
        value = int(s)
    except ValueError:
        try:
            f = float(s)
        except ValueError:
            f = math.nan
        if not math.isfinite(f) or f != int(f):
            d = _default(key) if default is None else default
            return d, Fix(key, raw, str(d), "malformed")
        value = int(f)
    if value < lo or value > hi:
        near = min(max(value, lo), hi)
        return near, Fix(key, raw, str(near), "range")
    return value, None


def parse_float(key: str, raw: str, lo: float, hi: float, default: float | None = None) -> tuple[float, Fix | None]:
    """A finite number clamped to lo..hi; anything else gives the default."""
    try:
        value = float(raw.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        d = float(_default(key) if default is None else default)
        return d, Fix(key, raw, str(d), "malformed")
    if value < lo or value > hi:
        near = min(max(value, lo), hi)
        return near, Fix(key, raw, str(near), "range")
    return value, None


def parse_bool(key: str, raw: str) -> tuple[bool, Fix | None]:
    s = raw.strip().lower()
    if s in _TRUE:
        return True, None
    if s in _FALSE:
        return False, None
    d = bool(_default(key))
    return d, Fix(key, raw, str(d).lower(), "malformed")


# Every line break str.splitlines knows, "\r\n" counted as one: the sentence box is a text area, where
# Enter starts a new line, and a pasted paragraph brings its own.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def one_line(raw: str) -> str:
    """`raw` as one line: each line break becomes a space, and white space at either end goes.

    A sentence is one line: in the link, in the exports' file names, in the box after it is applied.
    The tokens are the same either way (the tokenizer splits on any white space).
    """
    return _LINE_BREAK.sub(" ", raw).strip()


def parse_sentence(raw: str) -> tuple[str, Fix | None]:
    """The sentence as given (on one line), the default when blank, its first MAX_TOKENS tokens when longer."""
    text = one_line(raw)
    if not text or not ac.tokenize(text[: ac.MAX_SENTENCE_CHARS]):
        return DEFAULTS.sentence, Fix("sentence", raw, DEFAULTS.sentence, "empty")
    tokens = ac.tokenize(text[: ac.MAX_SENTENCE_CHARS])
    if len(tokens) > ac.MAX_TOKENS or len(text) > ac.MAX_SENTENCE_CHARS:
        kept = " ".join(tokens[: ac.MAX_TOKENS])
        return kept, Fix("sentence", raw, f"{min(len(tokens), ac.MAX_TOKENS)}", "too_long")
    return text, None


def parse_choice(key: str, raw: str, allowed: tuple[str, ...], default: str) -> tuple[str, Fix | None]:
    s = raw.strip().lower()
    if s in allowed:
        return s, None
    return default, Fix(key, raw, default, "unknown")


def parse_config_params(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Fix]]:
    """Every config control's value from the URL, plus the list of values that had to be fixed."""
    values: dict[str, Any] = {k: _default(k) for k in CONFIG_KEYS}
    fixes: list[Fix] = []

    def take(value: Any, fix: Fix | None, key: str) -> None:
        values[key] = value
        if fix is not None:
            fixes.append(fix)

    if "sentence" in params:
        take(*parse_sentence(params["sentence"]), "sentence")
    for key in ("d_model", "d_k", "d_v", "seed", "n_heads", "d_ff"):
        if key in params:
            lo, hi = INT_FIELDS[key]
            take(*parse_int(key, params[key], lo, hi), key)
    if "positional" in params:
        take(
            *parse_choice("positional", params["positional"], ac.POSITIONAL_SCHEMES, DEFAULTS.positional), "positional"
        )
    for key in BOOL_FIELDS:
        if key in params:
            take(*parse_bool(key, params[key]), key)
    if "temperature" in params:
        take(*parse_float("temperature", params["temperature"], TEMPERATURE_MIN, TEMPERATURE_MAX), "temperature")
    if "weight_scale" in params:
        take(*parse_float("weight_scale", params["weight_scale"], WEIGHT_SCALE_MIN, WEIGHT_SCALE_MAX), "weight_scale")
    return values, fixes


def format_param(value: Any) -> str:
    """How a control's value is written in the URL."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)  # the shortest text that reads back as exactly this float
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def parse_view_params(params: Mapping[str, str]) -> tuple[dict[str, Any], list[Fix]]:
    """The view parameters (head, word, presenter step…) from the URL, validated like the config's."""
    values: dict[str, Any] = {}
    fixes: list[Fix] = []
    for key, (default, kind, spec) in VIEW_PARAMS.items():
        values[key] = default
        if key not in params:
            continue
        raw = params[key]
        fix: Fix | None = None
        value: Any  # an int, a bool or a str, by the parameter's kind
        if kind == "int":
            lo, hi = spec
            value, fix = parse_int(key, raw, lo, hi, default)
        elif kind == "float":
            lo, hi = spec
            value, fix = parse_float(key, raw, lo, hi, default)
        elif kind == "choice":
            value, fix = parse_choice(key, raw, spec, default)
        elif kind == "bool":
            s = raw.strip().lower()
            value = True if s in _TRUE else False if s in _FALSE else default
            if s not in _TRUE | _FALSE:
                fix = Fix(key, raw, format_param(default), "malformed")
        else:
            value = raw
            if len(raw) > spec:
                value, fix = default, Fix(key, raw[:40], "", "too_long_value")
        values[key] = value
        if fix is not None:
            fixes.append(fix)
    return values, fixes
