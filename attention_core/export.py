"""Exports of a trace: matrices as CSV and LaTeX, the whole trace as JSON, and a Jupyter notebook.

Pure Python and numpy (no Streamlit, no nbformat): the notebook is built as a plain nbformat v4
dict, so the app's runtime needs nothing beyond its own requirements.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import keyword
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray
from .config import AttentionConfig
from .embeddings import positional_encodings, vocabulary
from .tokenizer import unique_labels
from .trace import AttentionTrace

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
    concat_cols = tuple(f"h{i + 1}.z{j + 1}" for i in range(trace.n_heads) for j in range(trace.d_v))
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


def latex_bmatrix(values: npt.ArrayLike, decimals: int = 4) -> str:
    r"""A LaTeX `bmatrix`, one line per row ending in `\\`, -inf as `-\infty`; amsmath needed.

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
    return "\\begin{bmatrix}\n" + " \\\\\n".join(rows) + "\n\\end{bmatrix}"


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


def matrices_zip(trace: AttentionTrace) -> bytes:
    """Every matrix of the trace as `<name>.csv` in one in-memory ZIP (deflated)."""
    buf = io.BytesIO()
    # Level 1: digits of random floats barely compress better at 6, which takes several times longer.
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for m in all_matrices(trace):
            zf.writestr(f"{m.name}.csv", matrix_csv(m.values, m.row_labels, m.col_labels))
    return buf.getvalue()


# --- Jupyter notebook ----------------------------------------------------------------------

MAX_WORD_SECTIONS = 5  # per-word sections in the notebook; the matrix form covers every word
MAX_EXPLICIT_KEYS = 12  # up to this many words a per-word section names every key, as the notebook does

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "# Self-attention, step by step",
        "intro": (
            "This notebook recreates, in plain numpy and in the style of the reference notebook, the "
            "configuration below from the app *Attention, step by step*. Run the cells in order."
        ),
        "intro_seeded": (
            "The random numbers come from `np.random.RandomState({seed})`, drawn in the app's order "
            "(one vector per distinct word, then W_q, W_k, W_v{w_o}), so every value equals the app's."
        ),
        "intro_custom": (
            "The numbers were edited by hand in the app, so the embeddings and the weights are written out "
            "below instead of drawn from the seed."
        ),
        "sentence": "sentence",
        "tokens": "tokens",
        "seed": "seed",
        "heads": "heads",
        "positional": "positional encoding",
        "scaled": "scaled by 1/√d_k",
        "causal": "causal mask",
        "temperature": "temperature",
        "weight_scale": "weight scale",
        "yes": "yes",
        "no": "no",
        "dims": "# Dimensions",
        "d_ff": "declared by the notebook; self-attention does not use it",
        "weight_scale_c": "W_q, W_k, W_v{w_o} are randn · weight_scale",
        "scale_c": "the dot products are multiplied by it",
        "temperature_c": "the logits are divided by it",
        "embeddings": "# Word embeddings",
        "tokens_c": "the sentence, lower-cased and split into words and punctuation",
        "repeated": "A repeated word reuses its vector: only its position differs.",
        "literal_embeddings": "Edited by hand in the app.",
        "positions": "## Positional embeddings",
        "pos.notebook": "The notebook's hand-written vectors.",
        "pos.sinusoidal": "The sinusoidal encoding of Vaswani et al. (2017), positions counted from 0.",
        "pos.fallback": (
            "The notebook's hand-written vectors need d_model = 4 and at most 5 words; here d_model = {d_model} "
            "and there are {n} words, so the sinusoidal encoding of Vaswani et al. (2017) is used."
        ),
        "pos.none": "No positional encoding: every position vector is zero.",
        "pos.custom": "Edited by hand in the app.",
        "projection": "# Projection matrix (or FC network)",
        "multihead": (
            "{h} heads: W_q, W_k and W_v hold every head side by side, and head i uses the i-th block of "
            "consecutive columns. W_o mixes the concatenated heads at the end."
        ),
        "head1": "The word-by-word sections use head 1; the matrix form below computes every head.",
        "softmax_c": "the reference subtracts the maximum in place; a copy leaves the input intact",
        "word": "## Word {word}",
        "words_note": (
            "The sentence has {n} words; the word-by-word sections show the first {k}. "
            "The matrix form below computes all of them."
        ),
        "alphas_of": "alphas of {word}:",
        "attention_of": "attention of {word}:",
        "masked": "causal mask: {other} comes after {word}",
        "masked_rest": "causal mask: only the words up to {word}",
        "matrices": "## Using matrices",
        "x_c": "one row per word",
        "head_c": "one per head",
        "concat_c": "head 1's columns first",
        "mask_c": "True where a word may attend to a key: itself and the words before it",
        "output": "attention output:",
        "check": "## Check: word by word equals matrices",
    },
    "es": {
        "title": "# Autoatención, paso a paso",
        "intro": (
            "Este cuaderno recrea, con numpy y al estilo del cuaderno de referencia, la configuración "
            "de abajo de la aplicación *Atención, paso a paso*. Ejecuta las celdas en orden."
        ),
        "intro_seeded": (
            "Los números aleatorios salen de `np.random.RandomState({seed})`, en el orden de la aplicación "
            "(un vector por palabra distinta, después W_q, W_k, W_v{w_o}), así que cada valor es igual al de la "
            "aplicación."
        ),
        "intro_custom": (
            "Los números se editaron a mano en la aplicación, así que los embeddings y los pesos se escriben "
            "abajo en lugar de sacarse de la semilla."
        ),
        "sentence": "frase",
        "tokens": "tokens",
        "seed": "semilla",
        "heads": "cabezas",
        "positional": "codificación posicional",
        "scaled": "escalado por 1/√d_k",
        "causal": "máscara causal",
        "temperature": "temperatura",
        "weight_scale": "escala de los pesos",
        "yes": "sí",
        "no": "no",
        "dims": "# Dimensiones",
        "d_ff": "la declara el cuaderno; la autoatención no la usa",
        "weight_scale_c": "W_q, W_k, W_v{w_o} son randn · weight_scale",
        "scale_c": "los productos escalares se multiplican por él",
        "temperature_c": "los logits se dividen por ella",
        "embeddings": "# Embeddings de palabras",
        "tokens_c": "la frase, en minúsculas y separada en palabras y signos de puntuación",
        "repeated": "Una palabra repetida reutiliza su vector: solo cambia su posición.",
        "literal_embeddings": "Editados a mano en la aplicación.",
        "positions": "## Embeddings posicionales",
        "pos.notebook": "Los vectores escritos a mano del cuaderno.",
        "pos.sinusoidal": "La codificación sinusoidal de Vaswani et al. (2017), con posiciones desde 0.",
        "pos.fallback": (
            "Los vectores escritos a mano del cuaderno necesitan d_model = 4 y como mucho 5 palabras; aquí "
            "d_model = {d_model} y hay {n} palabras, así que se usa la codificación sinusoidal de Vaswani et al. "
            "(2017)."
        ),
        "pos.none": "Sin codificación posicional: cada vector de posición es cero.",
        "pos.custom": "Editados a mano en la aplicación.",
        "projection": "# Matriz de proyección (o red FC)",
        "multihead": (
            "{h} cabezas: W_q, W_k y W_v guardan todas las cabezas una al lado de otra, y la cabeza i usa el "
            "i-ésimo bloque de columnas consecutivas. W_o mezcla al final las cabezas concatenadas."
        ),
        "head1": "Las secciones palabra por palabra usan la cabeza 1; la forma matricial calcula todas las cabezas.",
        "softmax_c": "el cuaderno de referencia resta el máximo sobre la entrada; una copia la deja intacta",
        "word": "## Palabra {word}",
        "words_note": (
            "La frase tiene {n} palabras; las secciones palabra por palabra muestran las {k} primeras. "
            "La forma matricial de abajo las calcula todas."
        ),
        "alphas_of": "alphas de {word}:",
        "attention_of": "atención de {word}:",
        "masked": "máscara causal: {other} va después de {word}",
        "masked_rest": "máscara causal: solo las palabras hasta {word}",
        "matrices": "## Utilizando matrices",
        "x_c": "una fila por palabra",
        "head_c": "una por cabeza",
        "concat_c": "primero las columnas de la cabeza 1",
        "mask_c": "True donde una palabra puede atender a una key: ella misma y las anteriores",
        "output": "salida de la atención:",
        "check": "## Comprobación: palabra por palabra igual a matrices",
    },
}

# Names the notebook defines itself; a word's variables must never shadow them.
_RESERVED = frozenset(
    {
        "np", "rng", "tokens", "n_tokens", "d_model", "d_ff", "d_k", "d_v", "n_heads", "weight_scale", "scale",
        "temperature", "sinusoidal_positions", "P", "W_q", "W_k", "W_v", "W_o", "W_q_heads", "W_k_heads",
        "W_v_heads", "softmax", "keys", "values", "X", "Q", "K", "V", "scores", "logits", "mask", "alphas",
        "heads", "concat", "output", "word_by_word",
    }
)  # fmt: skip
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'])")


def _md(text: str) -> str:
    """Backslash-escape markdown so a word shows literally in a heading or a list."""
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\n", " ").replace("\r", " "))


@dataclass(frozen=True)
class _Names:
    """Python names of the notebook's per-word variables, as in the reference (`me_`, `me_query`)."""

    vocab: list[str]  # base name per distinct token: its embedding is f"{base}_"
    position: list[str]  # base name per position: f"{base}_embed_pos", f"{base}_query", …
    token_row: list[int]  # each position's row in `vocab`


def _identifier_ok(name: str) -> bool:
    # Python folds identifiers with NFKC: only names that are already NFKC-stable are unambiguous.
    return name.isidentifier() and not keyword.iskeyword(name) and unicodedata.normalize("NFKC", name) == name


def _names(tokens: Sequence[str], sections: int, per_position_embeddings: set[int]) -> _Names:
    """Readable names (the word itself) where they are safe and distinct; otherwise word1, word2…"""
    vocab, rows = vocabulary(list(tokens))
    for readable in (True, False):
        bases = [tok if readable and _identifier_ok(f"{tok}_") else f"word{j + 1}" for j, tok in enumerate(vocab)]
        seen: dict[int, int] = {}
        position = []
        for r in rows.tolist():
            seen[r] = seen.get(r, 0) + 1
            position.append(bases[r] if seen[r] == 1 else f"{bases[r]}_{seen[r]}")
        names = _Names(bases, position, rows.tolist())
        if _distinct(names, sections, per_position_embeddings):
            return names
    raise AssertionError("the generic names word1, word2… are always distinct")  # pragma: no cover


def _distinct(names: _Names, sections: int, per_position_embeddings: set[int]) -> bool:
    generated = [f"{b}_" for b in names.vocab]
    generated += [
        f"{names.position[i]}_" for i in sorted(per_position_embeddings) if names.position[i] not in names.vocab
    ]
    for b in names.position:
        generated += [f"{b}{s}" for s in ("_embed_pos", "_query", "_key", "_value")]
    for b in names.position[:sections]:
        generated += [f"{b}{s}" for s in ("_alphas", "_attention", "_logits")]
        generated += [f"{b}_alpha_{other}" for other in names.position]
    return (
        len(set(generated)) == len(generated)
        and all(_identifier_ok(g) for g in generated)
        and not _RESERVED.intersection(generated)
    )


def _floats(values: npt.ArrayLike) -> str:
    """A Python list literal of floats with their exact repr: `[0.3, -0.9]`."""
    return "[" + ", ".join(repr(float(v)) for v in np.asarray(values, dtype=np.float64).ravel()) + "]"


def _array_literal(m: FloatArray, indent: str = "") -> str:
    if m.ndim == 1:
        return f"np.array({_floats(m)})"
    rows = "".join(f"{indent}    {_floats(row)},\n" for row in m)
    return f"np.array([\n{rows}{indent}])"


def _wrapped(items: Sequence[str], open_: str = "[", close: str = "]", width: int = 88) -> str:
    """`[a, b, c]` on one line when short, else one item per line."""
    one_line = open_ + ", ".join(items) + close
    if len(one_line) <= width:
        return one_line
    return open_ + "\n" + "".join(f"    {item},\n" for item in items) + close


class _Notebook:
    """Accumulates nbformat v4 cells."""

    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []

    def _add(self, cell_type: str, source: str, **extra: Any) -> None:
        cell = {"cell_type": cell_type, "id": f"cell-{len(self.cells) + 1}", "metadata": {}, **extra}
        cell["source"] = source.splitlines(keepends=True)
        self.cells.append(cell)

    def md(self, source: str) -> None:
        self._add("markdown", source)

    def code(self, *lines: str) -> None:
        self._add("code", "\n".join(lines).strip("\n"), execution_count=None, outputs=[])

    def to_json(self) -> str:
        nb = {
            "cells": self.cells,
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                "language_info": {"name": "python"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def notebook_json(config: AttentionConfig, lang: str = "en", custom: AttentionTrace | None = None) -> str:
    """A Jupyter notebook (.ipynb, nbformat v4) that recreates `config` step by step in plain numpy.

    It follows the reference notebook: dimensions, word embeddings, positional embeddings, the
    projection matrices, a softmax, one section per word (the first MAX_WORD_SECTIONS words), then
    "Using matrices", where `X`, `Q`, `K`, `V`, `alphas` and `output` equal `compute(config)`'s
    (with several heads `Q`, `K`, `V`, `alphas` and `heads` are stacked per head: (h, n, …)).
    Random numbers come from `np.random.RandomState(seed)`, drawn in the engine's order.

    lang: "en" or "es", for the headings, notes and printed labels.
    custom: a trace with hand-edited numbers for the same sentence and sizes; its embeddings,
    positions (when they differ from the scheme's) and weights are written out as literals.
    """
    if lang not in _TEXT:
        raise ValueError(f"lang must be one of {', '.join(_TEXT)}, got {lang!r}")
    return _NotebookWriter(config, _TEXT[lang], custom).write()


class _NotebookWriter:
    """Writes the notebook for one configuration, section by section."""

    def __init__(self, config: AttentionConfig, text: dict[str, str], custom: AttentionTrace | None) -> None:
        self.c = config
        self.t = text
        self.tokens = config.tokens
        self.n = len(self.tokens)
        self.h = config.n_heads
        self.custom = custom
        if custom is not None:
            _check_custom(config, custom)
        self.sections = min(self.n, MAX_WORD_SECTIONS)
        self.per_position = self._per_position_embeddings()
        self.names = _names(self.tokens, self.sections, self.per_position)
        self.nb = _Notebook()

    def _per_position_embeddings(self) -> set[int]:
        """Positions whose hand-edited embedding differs from the token's first occurrence."""
        if self.custom is None:
            return set()
        first: dict[str, int] = {}
        out = set()
        for i, tok in enumerate(self.tokens):
            j = first.setdefault(tok, i)
            if not np.array_equal(self.custom.embeddings[i], self.custom.embeddings[j]):
                out.update({i, j})
        return out

    # Small helpers -----------------------------------------------------------------------
    def embedding_name(self, i: int) -> str:
        n = self.names
        return f"{n.position[i]}_" if i in self.per_position else f"{n.vocab[n.token_row[i]]}_"

    def pb(self, i: int) -> str:
        return self.names.position[i]

    def word_label(self, i: int) -> str:
        return unique_labels(self.tokens)[i]

    def yes_no(self, flag: bool) -> str:
        return self.t["yes"] if flag else self.t["no"]

    @property
    def w_o_note(self) -> str:
        return ", W_o" if self.h > 1 else ""

    # Sections ----------------------------------------------------------------------------
    def write(self) -> str:
        self.header()
        self.dimensions()
        self.embeddings()
        self.positions()
        self.projections()
        self.softmax()
        self.word_sections()
        self.matrices()
        self.check()
        return self.nb.to_json()

    def header(self) -> None:
        c, t = self.c, self.t
        positional = self.custom.positional_used.scheme if self.custom is not None else self.scheme()[0]
        lines = [
            t["title"],
            "",
            t["intro"],
            "",
            t["intro_custom"] if self.custom is not None else t["intro_seeded"].format(seed=c.seed, w_o=self.w_o_note),
            "",
            f"- {t['sentence']}: {_md(c.sentence)}",
            f"- {t['tokens']}: {self.n}",
            f"- {t['seed']}: {c.seed}",
            f"- d_model = {c.d_model}, d_k = {c.d_k}, d_v = {c.d_v}, {t['heads']}: {self.h}",
            f"- {t['positional']}: {positional}",
            f"- {t['scaled']}: {self.yes_no(c.scaled)}",
            f"- {t['causal']}: {self.yes_no(c.causal)}",
            f"- {t['temperature']}: {c.temperature!r}",
            f"- {t['weight_scale']}: {c.weight_scale!r}",
        ]
        self.nb.md("\n".join(lines))
        setup = ["import numpy as np", ""]
        if self.custom is None:
            setup.append(f"rng = np.random.RandomState({self.c.seed})")
        setup.append("np.set_printoptions(precision=4, suppress=True)")
        self.nb.code(*setup)

    def dimensions(self) -> None:
        c, t = self.c, self.t
        self.nb.md(t["dims"])
        lines = [
            f"d_model = {c.d_model}",
            f"d_ff = {c.d_ff}  # {t['d_ff']}",
            f"d_k = {c.d_k}",
            f"d_v = {c.d_v}",
        ]
        if self.h > 1:
            lines.append(f"n_heads = {self.h}")
        if self.custom is None:
            lines.append(f"weight_scale = {c.weight_scale!r}  # {t['weight_scale_c'].format(w_o=self.w_o_note)}")
        if c.scaled:
            lines.append(f"scale = 1 / np.sqrt(d_k)  # {t['scale_c']}")
        if c.temperature != 1.0:
            lines.append(f"temperature = {float(c.temperature)!r}  # {t['temperature_c']}")
        self.nb.code(*lines)

    def embeddings(self) -> None:
        t = self.t
        self.nb.md(t["embeddings"])
        notes = []
        if len(set(self.tokens)) < self.n:
            notes.append(t["repeated"])
        if self.custom is not None:
            notes.append(t["literal_embeddings"])
        if notes:
            self.nb.md(" ".join(notes))
        lines = [
            f"# {t['tokens_c']}",
            f"tokens = {_wrapped([repr(tok) for tok in self.tokens])}",
            "n_tokens = len(tokens)",
            "",
        ]
        written: set[str] = set()
        for i, tok in enumerate(self.tokens):
            name = self.embedding_name(i)
            if name in written:
                continue
            written.add(name)
            value = "rng.randn(d_model)" if self.custom is None else _array_literal(self.custom.embeddings[i])
            comment = "" if name == f"{tok}_" else f"  # {tok!r}"
            lines.append(f"{name} = {value}{comment}")
        self.nb.code(*lines)
        first = self.embedding_name(0)
        self.nb.code(f"print({first})")

    def scheme(self) -> tuple[str, FloatArray]:
        positions, used = positional_encodings(self.c.positional, self.n, self.c.d_model)
        return used.scheme, positions

    def positions(self) -> None:
        t, c = self.t, self.c
        self.nb.md(t["positions"])
        scheme, positions = self.scheme()
        if self.custom is not None and not np.array_equal(self.custom.positions, positions):
            scheme, positions = "custom", self.custom.positions
        if scheme == "sinusoidal" and c.positional == "notebook":
            self.nb.md(t["pos.fallback"].format(d_model=c.d_model, n=self.n))
        else:
            self.nb.md(t[f"pos.{scheme}"])
        lines: list[str] = []
        if scheme == "sinusoidal":
            lines += [
                "def sinusoidal_positions(n, d_model):",
                '    """PE[p, 2i] = sin(p / 10000^(2i/d_model)), PE[p, 2i+1] = cos(p / 10000^(2i/d_model))."""',
                "    pos = np.arange(n, dtype=np.float64)[:, None]  # (n, 1)",
                "    two_i = np.arange(0, d_model, 2, dtype=np.float64)",
                "    angles = pos / np.power(10000.0, two_i / d_model)",
                "    pe = np.empty((n, d_model))",
                "    pe[:, 0::2] = np.sin(angles)",
                "    pe[:, 1::2] = np.cos(angles[:, : d_model // 2])",
                "    return pe",
                "",
                "",
                "P = sinusoidal_positions(n_tokens, d_model)  # (n, d_model)",
            ]
            lines += [f"pos_{i + 1} = P[{i}]" for i in range(self.n)]
        elif scheme == "none":
            lines += [f"pos_{i + 1} = np.zeros(d_model)" for i in range(self.n)]
        else:  # the notebook's hand-written vectors, or hand-edited ones: written out
            lines += [f"pos_{i + 1} = {_array_literal(positions[i])}" for i in range(self.n)]
        self.nb.code(*lines)
        sums = [f"{self.pb(i)}_embed_pos = {self.embedding_name(i)} + pos_{i + 1}" for i in range(self.n)]
        self.nb.code(*sums, f"print({self.pb(0)}_embed_pos)")

    def projections(self) -> None:
        t, h = self.t, self.h
        self.nb.md(t["projection"])
        if h > 1:
            self.nb.md(t["multihead"].format(h=h) + " " + t["head1"])
        lines = []
        for name, d, field in (("W_q", "d_k", "w_q"), ("W_k", "d_k", "w_k"), ("W_v", "d_v", "w_v")):
            if self.custom is not None:
                stacked = np.concatenate(list(getattr(self.custom, field)), axis=1)  # (d_model, h·d)
                lines.append(f"{name} = {_array_literal(stacked)}")
            else:
                cols = f"n_heads * {d}" if h > 1 else d
                lines.append(f"{name} = rng.randn(d_model, {cols}) * weight_scale")
        if h > 1:
            if self.custom is not None:
                assert self.custom.w_o is not None
                lines.append(f"W_o = {_array_literal(self.custom.w_o)}")
            else:
                lines.append("W_o = rng.randn(n_heads * d_v, d_model) * weight_scale")
            lines.append("")
            for name, d in (("W_q", "d_k"), ("W_k", "d_k"), ("W_v", "d_v")):
                lines.append(
                    f"{name}_heads = np.stack([{name}[:, i * {d} : (i + 1) * {d}] for i in range(n_heads)])"
                    f"  # (n_heads, d_model, {d})"
                )
        self.nb.code(*lines)
        per_word = []
        for i in range(self.n):
            b = self.pb(i)
            for suffix, w in (("query", "W_q"), ("key", "W_k"), ("value", "W_v")):
                per_word.append(f"{b}_{suffix} = {b}_embed_pos @ {w}{'_heads[0]' if h > 1 else ''}")
            per_word.append("")
        self.nb.code(*per_word)

    def softmax(self) -> None:
        self.nb.code(
            "def softmax(x):",
            f"    # {self.t['softmax_c']}",
            "    x = x - np.max(x, axis=-1, keepdims=True)",
            "    return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)",
        )

    def factor(self) -> str:
        """What a dot product is multiplied or divided by before the softmax, as code."""
        return (" * scale" if self.c.scaled else "") + (" / temperature" if self.c.temperature != 1.0 else "")

    def word_sections(self) -> None:
        t = self.t
        if self.n > self.sections:
            self.nb.md(t["words_note"].format(n=self.n, k=self.sections))
        explicit = self.n <= MAX_EXPLICIT_KEYS
        if not explicit:
            keys = _wrapped([f"{self.pb(j)}_key" for j in range(self.n)])
            values = _wrapped([f"{self.pb(j)}_value" for j in range(self.n)])
            self.nb.code(f"keys = {keys}", f"values = {values}")
        for i in range(self.sections):
            self.nb.md(t["word"].format(word=_md(self.word_label(i))))
            self.nb.code(*(self.explicit_section(i) if explicit else self.compact_section(i)))

    def explicit_section(self, i: int) -> list[str]:
        t, b, word = self.t, self.pb(i), self.word_label(i)
        lines = []
        for j in range(self.n):
            pair = f"{b}_alpha_{self.pb(j)}"
            if self.c.causal and j > i:
                comment = t["masked"].format(other=repr(self.word_label(j)), word=repr(word))
                lines.append(f"{pair} = -np.inf  # {comment}")
            else:
                lines.append(f"{pair} = {b}_query @ {self.pb(j)}_key{self.factor()}")
        lines.append("")
        pairs = _wrapped([f"{b}_alpha_{self.pb(j)}" for j in range(self.n)], "[[", "]]")
        lines.append(f"{b}_alphas = softmax(np.array({pairs}))")
        lines.append(f"print({t['alphas_of'].format(word=word)!r}, {b}_alphas)")
        terms = [f"{b}_alphas[:, {j}] * {self.pb(j)}_value" for j in range(self.n)]
        lines.append(f"{b}_attention = np.array([\n    " + "\n    + ".join(terms) + "\n])")
        lines.append(f"print({t['attention_of'].format(word=word)!r}, {b}_attention)")
        return lines

    def compact_section(self, i: int) -> list[str]:
        t, b, word = self.t, self.pb(i), self.word_label(i)
        lines = [f"{b}_logits = np.array([[{b}_query @ key{self.factor()} for key in keys]])  # (1, n)"]
        if self.c.causal and i + 1 < self.n:
            lines.append(f"{b}_logits[:, {i + 1}:] = -np.inf  # {t['masked_rest'].format(word=repr(word))}")
        lines += [
            f"{b}_alphas = softmax({b}_logits)",
            f"print({t['alphas_of'].format(word=word)!r}, {b}_alphas)",
            f"{b}_attention = {b}_alphas @ np.array(values)  # (1, d_v)",
            f"print({t['attention_of'].format(word=word)!r}, {b}_attention)",
        ]
        return lines

    def matrices(self) -> None:
        t, h, c = self.t, self.h, self.c
        self.nb.md(t["matrices"])
        rows = _wrapped([f"{self.pb(i)}_embed_pos" for i in range(self.n)])
        self.nb.code(f"X = np.array({rows})  # (n, d_model): {t['x_c']}", 'print("X:", X)')
        if h == 1:
            self.nb.code("Q = X @ W_q", "K = X @ W_k", "V = X @ W_v")
        else:
            self.nb.code(
                f"Q = X @ W_q_heads  # (n_heads, n, d_k): {t['head_c']}",
                "K = X @ W_k_heads  # (n_heads, n, d_k)",
                "V = X @ W_v_heads  # (n_heads, n, d_v)",
            )
        self.nb.code('print("Q:", Q)', 'print("K:", K)', 'print("V:", V)')
        lines = ["scores = Q @ K.T" if h == 1 else "scores = Q @ K.transpose(0, 2, 1)  # (n_heads, n, n)"]
        logits = "scores"
        if self.factor():
            lines.append(f"logits = scores{self.factor()}")
            logits = "logits"
        if c.causal:
            lines.append(f"mask = np.tri(n_tokens, dtype=bool)  # {t['mask_c']}")
            lines.append(f"logits = np.where(mask, {logits}, -np.inf)")
            logits = "logits"
        lines.append(f"alphas = softmax({logits})")
        lines.append('print("alphas:", alphas)')
        self.nb.code(*lines)
        if h == 1:
            self.nb.code("output = alphas @ V", f"print({t['output']!r}, output)")
        else:
            self.nb.code(
                "heads = alphas @ V  # (n_heads, n, d_v)",
                f"concat = np.concatenate(heads, axis=1)  # (n, n_heads * d_v): {t['concat_c']}",
                "output = concat @ W_o  # (n, d_model)",
                f"print({t['output']!r}, output)",
            )

    def check(self) -> None:
        self.nb.md(self.t["check"])
        k = self.sections
        parts = _wrapped([f"{self.pb(i)}_attention" for i in range(k)])
        target = "output" if self.h == 1 else "heads[0]"
        self.nb.code(f"word_by_word = np.concatenate({parts})", f"print(np.allclose(word_by_word, {target}[:{k}]))")


def _check_custom(config: AttentionConfig, trace: AttentionTrace) -> None:
    """The hand-edited trace must be for the same sentence and sizes as the config."""
    expected = (tuple(config.tokens), config.d_model, config.d_k, config.d_v, config.n_heads)
    got = (trace.tokens, trace.d_model, trace.d_k, trace.d_v, trace.n_heads)
    if expected != got:
        raise ValueError("custom must be a trace of the same sentence, d_model, d_k, d_v and n_heads as config")
