"""Hand edits of the seeded numbers, as a compact string that fits in the URL, and typed cells read as numbers.

An edit names a matrix, a head (0 for E and P), a row, a column and the new value:
"e.0.1.2=0.5,wq.1.0.2=-0.3". Only the edited cells travel; everything else stays seeded,
so the link stays short and the edits survive page switches and reloads. Applying them is the
engine's job (attention_core.edits); its names are re-exported here for the pages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from attention_core.edits import EDITABLE, Edit, apply_edits, base_matrices, matrix_shapes, split_edits

__all__ = [  # the engine's edit functions are re-exported for the pages; the rest is this module's
    "EDITABLE",
    "MATRIX_NAMES",
    "MAX_EDITS",
    "Edit",
    "active_edits",
    "apply_edits",
    "base_matrices",
    "decode_edits",
    "describe_edit",
    "encode_edits",
    "matrix_shapes",
    "parse_cell",
    "split_edits",
]

MAX_EDITS = 400


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


MATRIX_NAMES = {"e": "E", "p": "P", "wq": "W_Q", "wk": "W_K", "wv": "W_V"}


def describe_edit(edit: Edit) -> str:
    """One edit in words for a message: "E [row 100, column 100]" is written "E [100, 100]" (1-based)."""
    m, h, r, c, _ = edit
    head = f" h{h + 1}" if m.startswith("w") else ""
    return f"{MATRIX_NAMES[m]}{head} [{r + 1}, {c + 1}]"
