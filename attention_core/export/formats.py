"""Exports of a trace: matrices as CSV and LaTeX, the whole trace as JSON, every matrix in a ZIP.

Pure Python and numpy (no Streamlit). The Jupyter notebook export is in notebook.py.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..arrays import FloatArray
from ..config import AttentionConfig
from ..tokenizer import concat_labels, unique_labels
from ..trace import AttentionTrace

# --- Matrices ------------------------------------------------------------------------------

# Every matrix a trace holds, in the order of the computation. The per-head ones exist once per head.
MATRIX_KINDS: tuple[str, ...] = (
    "E", "P", "X", "W_Q", "W_K", "W_V", "Q", "K", "V", "scores", "logits", "alpha", "Z", "concat", "W_O", "output",
)  # fmt: skip
PER_HEAD_KINDS: frozenset[str] = frozenset({"W_Q", "W_K", "W_V", "Q", "K", "V", "scores", "logits", "alpha", "Z"})
MULTI_HEAD_KINDS: frozenset[str] = frozenset({"concat", "W_O"})  # only when there are several heads


@dataclass(frozen=True)
class LabeledMatrix:
    """One matrix of a trace with its row and column labels and a file-name stem ("alpha_head2")."""

    name: str
    values: FloatArray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]


def available_kinds(trace: AttentionTrace) -> list[str]:
    """The matrix kinds this trace has: concat and W_O only with several heads."""
    return [k for k in MATRIX_KINDS if trace.n_heads > 1 or k not in MULTI_HEAD_KINDS]


def trace_matrix(trace: AttentionTrace, kind: str, head: int = 1) -> LabeledMatrix:
    """The matrix `kind` (one of MATRIX_KINDS) of `trace`, for the 1-based `head` where it is per head."""
    if kind not in available_kinds(trace):
        raise ValueError(f"kind must be one of {', '.join(available_kinds(trace))}, got {kind!r}")
    if kind in PER_HEAD_KINDS and not 1 <= head <= trace.n_heads:
        raise ValueError(f"head must be in 1..{trace.n_heads}, got {head}")
    h = head - 1
    words = tuple(unique_labels(trace.tokens))
    dims = _labels("d", trace.d_model)
    concat_cols = concat_labels(trace.n_heads, trace.d_v)
    table: dict[str, tuple[FloatArray | None, tuple[str, ...], tuple[str, ...]]] = {
        "E": (trace.embeddings, words, dims),
        "P": (trace.positions, words, dims),
        "X": (trace.x, words, dims),
        "W_Q": (trace.w_q[h], dims, _labels("q", trace.d_k)),
        "W_K": (trace.w_k[h], dims, _labels("k", trace.d_k)),
        "W_V": (trace.w_v[h], dims, _labels("v", trace.d_v)),
        "Q": (trace.q[h], words, _labels("q", trace.d_k)),
        "K": (trace.k[h], words, _labels("k", trace.d_k)),
        "V": (trace.v[h], words, _labels("v", trace.d_v)),
        "scores": (trace.scores[h], words, words),
        "logits": (trace.logits[h], words, words),
        "alpha": (trace.weights[h], words, words),
        "Z": (trace.head_outputs[h], words, _labels("z", trace.d_v)),
        "concat": (trace.concat, words, concat_cols),
        "W_O": (trace.w_o, concat_cols, dims),
        "output": (trace.output, words, _labels("z", trace.d_v) if trace.w_o is None else _labels("o", trace.d_model)),
    }
    values, rows, cols = table[kind]
    assert values is not None  # W_O exists whenever it is available
    name = f"{kind}_head{head}" if kind in PER_HEAD_KINDS and trace.n_heads > 1 else kind
    return LabeledMatrix(name, values, rows, cols)


def all_matrices(trace: AttentionTrace) -> Iterator[LabeledMatrix]:
    """Every matrix of the trace, per-head ones once per head, in the order of the computation."""
    for kind in available_kinds(trace):
        heads = range(1, trace.n_heads + 1) if kind in PER_HEAD_KINDS else range(1, 2)
        for head in heads:
            yield trace_matrix(trace, kind, head)


def _labels(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{j + 1}" for j in range(n))


def _as_2d(values: npt.ArrayLike) -> FloatArray:
    a = np.asarray(values, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(f"values must be a matrix (2-D) or a vector, got {a.ndim} dimensions")
    return a


# --- CSV, LaTeX, JSON, ZIP -------------------------------------------------------------------


def matrix_csv(values: npt.ArrayLike, row_labels: Sequence[str], col_labels: Sequence[str]) -> str:
    """CSV: a header row ("token", then the column labels), then one row per label.

    Numbers are Python's shortest exact repr, so `float()` (or `pandas.read_csv(...,
    float_precision="round_trip")`) gives back the very same float64; -inf is written as -inf.
    Labels with commas or quotes are quoted by the csv module.
    """
    a = _as_2d(values)
    if len(row_labels) != a.shape[0] or len(col_labels) != a.shape[1]:
        raise ValueError(
            f"labels must match the matrix {a.shape}: got {len(row_labels)} row and {len(col_labels)} column labels"
        )
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["token", *col_labels])
    for label, row in zip(row_labels, a.tolist(), strict=True):
        writer.writerow([label, *map(repr, row)])  # tolist() gave Python floats: repr is exact
    return buf.getvalue()


AMSMATH_MAX_MATRIX_COLS = 10  # amsmath's default MaxMatrixCols


def latex_bmatrix(values: npt.ArrayLike, decimals: int = 4) -> str:
    r"""A LaTeX `bmatrix`, one line per row ending in `\\`, -inf as `-\infty`; amsmath needed.

    amsmath's matrices stop at 10 columns ("Extra alignment tab has been changed to \cr"): wider
    ones start with `\setcounter{MaxMatrixCols}{n}`, which compiles with standard amsmath.

    >>> print(latex_bmatrix([[1, -0.5], [-np.inf, 0.25]], decimals=2))
    \begin{bmatrix}
    1.00 & -0.50 \\
    -\infty & 0.25
    \end{bmatrix}
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    a = _as_2d(values)
    rows = [" & ".join(_latex_number(float(v), decimals) for v in row) for row in a.tolist()]
    body = "\\begin{bmatrix}\n" + " \\\\\n".join(rows) + "\n\\end{bmatrix}"
    if a.shape[1] > AMSMATH_MAX_MATRIX_COLS:
        return f"\\setcounter{{MaxMatrixCols}}{{{a.shape[1]}}}\n" + body
    return body


def _latex_number(v: float, decimals: int) -> str:
    if math.isnan(v):
        return r"\mathrm{NaN}"
    if math.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    s = f"{v:.{decimals}f}"
    return s[1:] if s.startswith("-") and float(s) == 0 else s  # no "-0.0000"


def trace_json(trace: AttentionTrace, config: AttentionConfig | None = None) -> str:
    """The whole trace as JSON: `trace.to_dict()` (every array as nested lists), plus "config" if given.

    JSON has no infinities: masked logits (-inf) are written as null. Floats keep full precision.
    """
    data = trace.to_dict()
    data["n_heads"] = trace.n_heads
    if config is not None:
        data["config"] = dataclasses.asdict(config)
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def file_stem(config: AttentionConfig, *, custom: bool = False, words: int = 3) -> str:
    """A download's file name without extension, distinct per configuration: the sentence's first
    words, the sizes and the seed ("attention_me-gusta-estudiar_d4-k3-v3-h1_seed23", "…_custom").

    Accents are dropped and anything but ASCII letters and digits becomes "-", so the name is safe
    on every file system; a sentence with no such characters is called "sentence".
    """
    folded = (
        unicodedata.normalize("NFKD", " ".join([t for t in config.tokens if any(ch.isalnum() for ch in t)][:words]))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:40].strip("-") or "sentence"
    sizes = f"d{config.d_model}-k{config.d_k}-v{config.d_v}-h{config.n_heads}"
    return f"attention_{slug}_{sizes}_seed{config.seed}" + ("_custom" if custom else "")


def matrices_zip(trace: AttentionTrace) -> bytes:
    """Every matrix of the trace as `<name>.csv` in one in-memory ZIP (deflated)."""
    buf = io.BytesIO()
    # Level 1: digits of random floats barely compress better at 6, which takes several times longer.
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for m in all_matrices(trace):
            zf.writestr(f"{m.name}.csv", matrix_csv(m.values, m.row_labels, m.col_labels))
    return buf.getvalue()
