"""A Jupyter notebook that recreates a configuration step by step in plain numpy, like the reference.

Pure Python and numpy (no Streamlit, no nbformat): the notebook is built as a plain nbformat v4
dict. Its words, in English and Spanish, are in notebook_text.py.
"""

from __future__ import annotations

import json
import keyword
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..arrays import FloatArray
from ..config import AttentionConfig
from ..embeddings import positional_encodings, vocabulary
from ..markdown import escape_markdown
from ..tokenizer import unique_labels
from ..trace import AttentionTrace
from .notebook_text import MESSAGES

MAX_WORD_SECTIONS = 5  # per-word sections in the notebook; the matrix form covers every word
MAX_EXPLICIT_KEYS = 12  # up to this many words a per-word section names every key, as the notebook does


# Names the notebook defines itself; a word's variables must never shadow them.
_RESERVED = frozenset(
    {
        "np", "rng", "tokens", "n_tokens", "d_model", "d_ff", "d_k", "d_v", "n_heads", "weight_scale", "scale",
        "temperature", "sinusoidal_positions", "P", "W_q", "W_k", "W_v", "W_o", "W_q_heads", "W_k_heads",
        "W_v_heads", "softmax", "keys", "values", "X", "Q", "K", "V", "scores", "logits", "mask", "alphas",
        "heads", "concat", "output", "word_by_word",
    }
)  # fmt: skip


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
    if lang not in MESSAGES:
        raise ValueError(f"lang must be one of {', '.join(MESSAGES)}, got {lang!r}")
    return _NotebookWriter(config, MESSAGES[lang], custom).write()


class _NotebookWriter:
    """Writes the notebook for one configuration, section by section."""

    def __init__(self, config: AttentionConfig, text: dict[str, str], custom: AttentionTrace | None) -> None:
        self.config = config
        self.text = text
        self.tokens = config.tokens
        self.n_tokens = len(self.tokens)
        self.n_heads = config.n_heads
        self.custom = custom
        if custom is not None:
            _check_custom(config, custom)
        self.sections = min(self.n_tokens, MAX_WORD_SECTIONS)
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

    def position_name(self, i: int) -> str:
        return self.names.position[i]

    def word_label(self, i: int) -> str:
        return unique_labels(self.tokens)[i]

    def yes_no(self, flag: bool) -> str:
        return self.text["yes"] if flag else self.text["no"]

    @property
    def w_o_note(self) -> str:
        return ", W_o" if self.n_heads > 1 else ""

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
        c, t = self.config, self.text
        positional = self.custom.positional_used.scheme if self.custom is not None else self.scheme()[0]
        lines = [
            t["title"],
            "",
            t["intro"],
            "",
            t["intro_custom"] if self.custom is not None else t["intro_seeded"].format(seed=c.seed, w_o=self.w_o_note),
            "",
            f"- {t['sentence']}: {escape_markdown(c.sentence)}",
            f"- {t['tokens']}: {self.n_tokens}",
            f"- {t['seed']}: {c.seed}",
            f"- d_model = {c.d_model}, d_k = {c.d_k}, d_v = {c.d_v}, {t['heads']}: {self.n_heads}",
            f"- {t['positional']}: {t[f'scheme.{positional}']}",
            f"- {t['scaled']}: {self.yes_no(c.scaled)}",
            f"- {t['causal']}: {self.yes_no(c.causal)}",
            f"- {t['temperature']}: {c.temperature!r}",
            f"- {t['weight_scale']}: {c.weight_scale!r}",
        ]
        self.nb.md("\n".join(lines))
        setup = ["import numpy as np", ""]
        if self.custom is None:
            setup.append(f"rng = np.random.RandomState({self.config.seed})")
        setup.append("np.set_printoptions(precision=4, suppress=True)")
        self.nb.code(*setup)

    def dimensions(self) -> None:
        c, t = self.config, self.text
        self.nb.md(t["dims"])
        lines = [
            f"d_model = {c.d_model}",
            f"d_ff = {c.d_ff}  # {t['d_ff']}",
            f"d_k = {c.d_k}",
            f"d_v = {c.d_v}",
        ]
        if self.n_heads > 1:
            lines.append(f"n_heads = {self.n_heads}")
        if self.custom is None:
            lines.append(f"weight_scale = {c.weight_scale!r}  # {t['weight_scale_c'].format(w_o=self.w_o_note)}")
        if c.scaled:
            lines.append(f"scale = 1 / np.sqrt(d_k)  # {t['scale_c']}")
        if c.temperature != 1.0:
            lines.append(f"temperature = {float(c.temperature)!r}  # {t['temperature_c']}")
        self.nb.code(*lines)

    def embeddings(self) -> None:
        t = self.text
        self.nb.md(t["embeddings"])
        notes = []
        if len(set(self.tokens)) < self.n_tokens:
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
        positions, used = positional_encodings(self.config.positional, self.n_tokens, self.config.d_model)
        return used.scheme, positions

    def positions(self) -> None:
        t, c = self.text, self.config
        self.nb.md(t["positions"])
        scheme, positions = self.scheme()
        if self.custom is not None and not np.array_equal(self.custom.positions, positions):
            scheme, positions = "custom", self.custom.positions
        if scheme == "sinusoidal" and c.positional == "notebook":
            self.nb.md(t["pos.fallback"].format(d_model=c.d_model, n=self.n_tokens))
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
            lines += [f"pos_{i + 1} = P[{i}]" for i in range(self.n_tokens)]
        elif scheme == "none":
            lines += [f"pos_{i + 1} = np.zeros(d_model)" for i in range(self.n_tokens)]
        else:  # the notebook's hand-written vectors, or hand-edited ones: written out
            lines += [f"pos_{i + 1} = {_array_literal(positions[i])}" for i in range(self.n_tokens)]
        self.nb.code(*lines)
        sums = [
            f"{self.position_name(i)}_embed_pos = {self.embedding_name(i)} + pos_{i + 1}" for i in range(self.n_tokens)
        ]
        self.nb.code(*sums, f"print({self.position_name(0)}_embed_pos)")

    def projections(self) -> None:
        t, h = self.text, self.n_heads
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
        for i in range(self.n_tokens):
            b = self.position_name(i)
            for suffix, w in (("query", "W_q"), ("key", "W_k"), ("value", "W_v")):
                per_word.append(f"{b}_{suffix} = {b}_embed_pos @ {w}{'_heads[0]' if h > 1 else ''}")
            per_word.append("")
        self.nb.code(*per_word)

    def softmax(self) -> None:
        self.nb.code(
            "def softmax(x):",
            f"    # {self.text['softmax_c']}",
            "    x = x - np.max(x, axis=-1, keepdims=True)",
            "    return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)",
        )

    def logit_factor(self) -> str:
        """What a dot product is multiplied or divided by before the softmax, as code."""
        return (" * scale" if self.config.scaled else "") + (" / temperature" if self.config.temperature != 1.0 else "")

    def word_sections(self) -> None:
        t = self.text
        if self.n_tokens > self.sections:
            self.nb.md(t["words_note"].format(n=self.n_tokens, k=self.sections))
        explicit = self.n_tokens <= MAX_EXPLICIT_KEYS
        if not explicit:
            keys = _wrapped([f"{self.position_name(j)}_key" for j in range(self.n_tokens)])
            values = _wrapped([f"{self.position_name(j)}_value" for j in range(self.n_tokens)])
            self.nb.code(f"keys = {keys}", f"values = {values}")
        for i in range(self.sections):
            self.nb.md(t["word"].format(word=escape_markdown(self.word_label(i))))
            self.nb.code(*(self.explicit_section(i) if explicit else self.compact_section(i)))

    def explicit_section(self, i: int) -> list[str]:
        t, b, word = self.text, self.position_name(i), self.word_label(i)
        lines = []
        if i == 0:  # once, where the reference notebook's names first differ from the app's
            first = f"{b}_alpha_{self.position_name(0)}"
            lines.append(f"# {t['names_c'].format(pair=first, alphas=f'{b}_alphas')}")
        for j in range(self.n_tokens):
            pair = f"{b}_alpha_{self.position_name(j)}"
            if self.config.causal and j > i:
                comment = t["masked"].format(other=repr(self.word_label(j)), word=repr(word))
                lines.append(f"{pair} = -np.inf  # {comment}")
            else:
                lines.append(f"{pair} = {b}_query @ {self.position_name(j)}_key{self.logit_factor()}")
        lines.append("")
        pairs = _wrapped([f"{b}_alpha_{self.position_name(j)}" for j in range(self.n_tokens)], "[[", "]]")
        lines.append(f"{b}_alphas = softmax(np.array({pairs}))")
        lines.append(f"print({t['alphas_of'].format(word=word)!r}, {b}_alphas)")
        terms = [f"{b}_alphas[:, {j}] * {self.position_name(j)}_value" for j in range(self.n_tokens)]
        if i == 0:
            lines.append(f"# {t['attention_c']}")
        lines.append(f"{b}_attention = np.array([\n    " + "\n    + ".join(terms) + "\n])")
        lines.append(f"print({t['attention_of'].format(word=word)!r}, {b}_attention)")
        return lines

    def compact_section(self, i: int) -> list[str]:
        t, b, word = self.text, self.position_name(i), self.word_label(i)
        lines = [f"{b}_logits = np.array([[{b}_query @ key{self.logit_factor()} for key in keys]])  # (1, n)"]
        if self.config.causal and i + 1 < self.n_tokens:
            lines.append(f"{b}_logits[:, {i + 1}:] = -np.inf  # {t['masked_rest'].format(word=repr(word))}")
        lines += [
            f"{b}_alphas = softmax({b}_logits)",
            f"print({t['alphas_of'].format(word=word)!r}, {b}_alphas)",
            f"{b}_attention = {b}_alphas @ np.array(values)  # (1, d_v)",
            f"print({t['attention_of'].format(word=word)!r}, {b}_attention)",
        ]
        return lines

    def matrices(self) -> None:
        t, h, c = self.text, self.n_heads, self.config
        self.nb.md(t["matrices"])
        rows = _wrapped([f"{self.position_name(i)}_embed_pos" for i in range(self.n_tokens)])
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
        if self.logit_factor():
            lines.append(f"logits = scores{self.logit_factor()}")
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
        self.nb.md(self.text["check"])
        k = self.sections
        parts = _wrapped([f"{self.position_name(i)}_attention" for i in range(k)])
        target = "output" if self.n_heads == 1 else "heads[0]"
        self.nb.code(f"word_by_word = np.concatenate({parts})", f"print(np.allclose(word_by_word, {target}[:{k}]))")


def _check_custom(config: AttentionConfig, trace: AttentionTrace) -> None:
    """The hand-edited trace must be for the same sentence and sizes as the config."""
    expected = (tuple(config.tokens), config.d_model, config.d_k, config.d_v, config.n_heads)
    got = (trace.tokens, trace.d_model, trace.d_k, trace.d_v, trace.n_heads)
    if expected != got:
        raise ValueError("custom must be a trace of the same sentence, d_model, d_k, d_v and n_heads as config")
