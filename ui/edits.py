"""Hand edits of the seeded numbers, as a compact string that fits in the URL.

An edit names a matrix, a head (0 for E and P), a row, a column and the new value:
"e.0.1.2=0.5,wq.1.0.2=-0.3". Only the edited cells travel; everything else stays seeded,
so the link stays short and the edits survive page switches and reloads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

import attention_core as ac

EDITABLE = ("e", "p", "wq", "wk", "wv")  # embeddings, positions, W_Q, W_K, W_V
MAX_EDITS = 400

Edit = tuple[str, int, int, int, float]  # (matrix, head, row, col, value)

# A plain decimal number as people type it: digits with one decimal point or one decimal comma
# (1,5 is how Spanish writes 1.5), an optional sign and an optional exponent. Nothing else:
# no thousands separators, no "nan", "inf", hex or underscores, which Python's float() accepts.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def parse_cell(text: object) -> tuple[float | None, str]:
    """A typed cell as a number, or (None, why) with why in "empty", "not_number", "not_finite".

    Accepts a decimal comma as a decimal point; refuses anything that does not parse exactly as
    typed (Streamlit's own number cells turned "1,5" into 15 and "1e309" into 1309, silently).
    """
    s = "" if text is None else str(text).strip().replace("\u2212", "-")  # a typographic minus is a minus
    if not s:
        return None, "empty"
    if not _NUMBER.fullmatch(s):
        return None, "not_number"
    value = float(s.replace(",", "."))
    if not math.isfinite(value):
        return None, "not_finite"
    return value, ""


def active_edits(state: Mapping[str, Any]) -> tuple[Edit, ...]:
    """The hand edits the pages must use: none unless custom-numbers mode is on."""
    return decode_edits(str(state.get("edits", ""))) if state.get("custom") else ()


def encode_edits(edits: dict[tuple[str, int, int, int], float]) -> str:
    """The URL form of a set of edits, in a stable order."""
    return ",".join(f"{m}.{h}.{r}.{c}={v:.10g}" for (m, h, r, c), v in sorted(edits.items()))


def decode_edits(text: str) -> tuple[Edit, ...]:
    """Parse the URL form; malformed or non-finite entries are dropped (never an exception)."""
    out: dict[tuple[str, int, int, int], float] = {}
    for item in text.split(",")[:MAX_EDITS]:
        try:
            where, raw = item.split("=", 1)
            m, h, r, c = where.split(".")
            value = float(raw)
            key = (m, int(h), int(r), int(c))
        except ValueError:
            continue
        if m in EDITABLE and math.isfinite(value) and min(key[1:]) >= 0:
            out[key] = value
    return tuple((m, h, r, c, v) for (m, h, r, c), v in sorted(out.items()))


def base_matrices(trace: ac.AttentionTrace) -> dict[str, np.ndarray]:
    """The editable matrices of a trace, with a head axis: (1, n, d) for E and P, (h, d, k) for W."""
    return {
        "e": trace.embeddings[None],
        "p": trace.positions[None],
        "wq": trace.w_q,
        "wk": trace.w_k,
        "wv": trace.w_v,
    }


MATRIX_NAMES = {"e": "E", "p": "P", "wq": "W_Q", "wk": "W_K", "wv": "W_V"}


def matrix_shapes(config: ac.AttentionConfig) -> dict[str, tuple[int, int, int]]:
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


def describe_edit(edit: Edit) -> str:
    """One edit in words for a message: "E [row 100, column 100]" is written "E [100, 100]" (1-based)."""
    m, h, r, c, _ = edit
    head = f" h{h + 1}" if m.startswith("w") else ""
    return f"{MATRIX_NAMES[m]}{head} [{r + 1}, {c + 1}]"


def apply_edits(trace: ac.AttentionTrace, edits: tuple[Edit, ...]) -> ac.AttentionTrace:
    """The trace rebuilt from `trace`'s matrices with `edits` applied; edits outside the shapes are ignored."""
    mats = {k: np.array(v) for k, v in base_matrices(trace).items()}
    for m, h, r, c, value in edits:
        a = mats[m]
        if h < a.shape[0] and r < a.shape[1] and c < a.shape[2]:
            a[h, r, c] = value
    return ac.trace_from_matrices(
        trace.tokens,
        mats["e"][0],
        mats["p"][0],
        mats["wq"],
        mats["wk"],
        mats["wv"],
        trace.w_o,
        scaled=trace.scale != 1.0,
        causal=trace.causal,
        temperature=trace.temperature,
        positional_used=ac.PositionalChoice("custom"),
    )
