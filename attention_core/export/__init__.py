"""Exports of a trace: CSV, LaTeX, JSON and ZIP (formats), and a Jupyter notebook that recreates it (notebook)."""

from .formats import (
    AMSMATH_MAX_MATRIX_COLS,
    MATRIX_KINDS,
    MULTI_HEAD_KINDS,
    PER_HEAD_KINDS,
    LabeledMatrix,
    all_matrices,
    available_kinds,
    file_stem,
    latex_bmatrix,
    matrices_zip,
    matrix_csv,
    trace_json,
    trace_matrix,
)
from .notebook import MAX_EXPLICIT_KEYS, MAX_WORD_SECTIONS, notebook_json

__all__ = [
    "AMSMATH_MAX_MATRIX_COLS",
    "MATRIX_KINDS",
    "MAX_EXPLICIT_KEYS",
    "MAX_WORD_SECTIONS",
    "MULTI_HEAD_KINDS",
    "PER_HEAD_KINDS",
    "LabeledMatrix",
    "all_matrices",
    "available_kinds",
    "file_stem",
    "latex_bmatrix",
    "matrices_zip",
    "matrix_csv",
    "notebook_json",
    "trace_json",
    "trace_matrix",
]
