"""Reading a trained model's trace: one head's row term by term, and simple head patterns (Clark et al. 2019)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..arrays import FloatArray, ReadOnlyArrays
from ..attention import row_entropy
from .trace import ModelTrace

PATTERNS = ("previous", "next", "self", "cls_sep", "broad")  # head patterns (Clark et al. 2019)


@dataclass(frozen=True, eq=False)
class HeadStep(ReadOnlyArrays):
    """One query token through one head: dots q_i·k_j, logits (scaled), α, the terms α_j v_j and their sum."""

    dots: FloatArray  # (n,) q_i · k_j
    logits: FloatArray  # (n,) dots / √d_head
    weights: FloatArray  # (n,) α_ij
    terms: FloatArray  # (n, d_head) α_ij v_j
    output: FloatArray  # (d_head,) Σ_j α_ij v_j


def head_step(trace: ModelTrace, layer: int, head: int, token: int) -> HeadStep:
    """Token `token`'s row of one head, term by term (BertViz's neuron view)."""
    lt = trace.layers[layer]
    dots = lt.scores[head, token]
    weights = lt.weights[head, token]
    terms = weights[:, None] * lt.v[head]  # (n, d_head)
    return HeadStep(dots=dots, logits=dots * lt.scale, weights=weights, terms=terms, output=terms.sum(axis=0))


@dataclass(frozen=True, eq=False)
class HeadPatterns(ReadOnlyArrays):
    """Scores of simple attention patterns for every head (Clark et al. 2019, "What Does BERT Look At?").

    Each score is a mean over the query tokens, in 0..1:
      previous  α from token i to token i-1         next     α from token i to token i+1
      self      α from token i to itself            cls_sep  α on the special tokens ([CLS], [SEP])
      broad     the entropy of α's row divided by ln(n): 1 = uniform over all tokens
    """

    scores: FloatArray  # (len(PATTERNS), n_layers, n_heads)

    def of(self, pattern: str) -> FloatArray:
        """(n_layers, n_heads) scores of one pattern."""
        out: FloatArray = self.scores[PATTERNS.index(pattern)]
        return out

    def ranked(self, pattern: str, top: int | None = None) -> list[tuple[int, int, float]]:
        """(layer, head, score) from the highest score down (0-based layer and head)."""
        s = self.of(pattern)
        order = np.argsort(-s, axis=None, kind="stable")[: top if top is not None else s.size]
        return [(int(i // s.shape[1]), int(i % s.shape[1]), float(s.flat[i])) for i in order]

    def best(self) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """For every head: its highest score and the index (into PATTERNS) of that pattern."""
        idx = np.argmax(self.scores, axis=0)
        top: FloatArray = np.max(self.scores, axis=0)
        return top, idx.astype(np.int64)


def head_patterns(trace: ModelTrace) -> HeadPatterns:
    """Score every head of the trace on each pattern of PATTERNS (see HeadPatterns)."""
    a = trace.attentions  # (L, h, n, n)
    n = a.shape[-1]
    diag = np.diagonal(a, axis1=-2, axis2=-1)  # (L, h, n)
    prev = np.diagonal(a, offset=-1, axis1=-2, axis2=-1).mean(axis=-1) if n > 1 else np.zeros(a.shape[:2])
    nxt = np.diagonal(a, offset=1, axis1=-2, axis2=-1).mean(axis=-1) if n > 1 else np.zeros(a.shape[:2])
    special = a[..., trace.special].sum(axis=-1).mean(axis=-1)  # (L, h)
    broad = row_entropy(a).mean(axis=-1) / math.log(n) if n > 1 else np.zeros(a.shape[:2])
    return HeadPatterns(scores=np.stack([prev, nxt, diag.mean(axis=-1), special, broad]))
