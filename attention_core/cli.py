"""`python -m attention_core`: print every step of the notebook's computation, or the trace as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import numpy as np

from .arrays import FloatArray
from .config import AttentionConfig
from .explain import explain_token
from .limits import POSITIONAL_SCHEMES
from .trace import AttentionTrace, compute


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line on stderr and exit status 2, never a traceback."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    defaults = AttentionConfig()
    p = _Parser(prog="python -m attention_core", description="Self-attention, step by step.")
    p.add_argument("--sentence", default=defaults.sentence)
    p.add_argument("--d-model", type=int, default=defaults.d_model)
    p.add_argument("--d-k", type=int, default=defaults.d_k)
    p.add_argument("--d-v", type=int, default=defaults.d_v)
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--heads", type=int, default=defaults.n_heads)
    p.add_argument("--positional", choices=POSITIONAL_SCHEMES, default=defaults.positional)
    p.add_argument("--scaled", action="store_true", help="divide q·k by sqrt(d_k)")
    p.add_argument("--causal", action="store_true", help="mask the keys after each query")
    p.add_argument("--temperature", type=float, default=defaults.temperature)
    p.add_argument("--json", action="store_true", help="print the whole trace as JSON")
    return p


def _table(title: str, rows: Sequence[str], values: FloatArray, prefix: str) -> str:
    """A notebook-style table: 4 decimals, tokens as row labels, named columns."""
    cols = [f"{prefix}{j + 1}" for j in range(values.shape[1])]
    width = max([len(r) for r in rows] + [1])
    cells = [[_fmt(x) for x in row] for row in values]
    colw = max([len(c) for c in cols] + [len(c) for row in cells for c in row])
    lines = [title, " " * width + "  " + "  ".join(c.rjust(colw) for c in cols)]
    lines += [r.ljust(width) + "  " + "  ".join(c.rjust(colw) for c in row) for r, row in zip(rows, cells, strict=True)]
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return "-inf" if x == -np.inf else f"{x:.4f}"


def render_text(trace: AttentionTrace) -> str:
    """Every step as text, in the notebook's order."""
    t = list(trace.tokens)
    out = [
        f"tokens: {t}",
        f"positional encoding: {trace.positional_used}",
        _table("Word embeddings E", t, trace.embeddings, "d"),
        _table("Positional encodings P", t, trace.positions, "d"),
        _table("X = E + P", t, trace.x, "d"),
    ]
    for h in range(trace.n_heads):
        tag = f" (head {h + 1})" if trace.n_heads > 1 else ""
        rows_in = [f"d{i + 1}" for i in range(trace.d_model)]
        out += [
            _table(f"W_q{tag}", rows_in, trace.w_q[h], "q"),
            _table(f"W_k{tag}", rows_in, trace.w_k[h], "k"),
            _table(f"W_v{tag}", rows_in, trace.w_v[h], "v"),
            _table(f"Q = X W_q{tag}", t, trace.q[h], "q"),
            _table(f"K = X W_k{tag}", t, trace.k[h], "k"),
            _table(f"V = X W_v{tag}", t, trace.v[h], "v"),
            _table(f"Scores Q Kᵀ{tag}", t, trace.scores[h], "k"),
        ]
        for i, tok in enumerate(t):
            ex = explain_token(trace, i, h)
            out.append(
                f"Word {tok!r}{tag}: alphas {np.array2string(ex.weights, precision=4, suppress_small=True)}"
                f"  attention {np.array2string(ex.output, precision=4, suppress_small=True)}"
            )
        out += [
            _table(f"alphas = softmax(logits){tag}", t, trace.weights[h], "k"),
            _table(f"alphas V{tag}", t, trace.head_outputs[h], "o"),
        ]
    if trace.w_o is not None:
        out.append(_table("W_o", [f"c{i + 1}" for i in range(trace.w_o.shape[0])], trace.w_o, "d"))
    # The notebook calls αV "attention scores"; everywhere else (and above) "scores" are q·k.
    label = OUTPUT_ONE_HEAD if trace.w_o is None else OUTPUT_MULTI_HEAD
    out.append(_table(label, t, trace.output, "o"))
    return "\n\n".join(out)


OUTPUT_ONE_HEAD = "Attention output alphas V (the notebook's 'attention scores'; not the q.k scores)"
OUTPUT_MULTI_HEAD = "Attention output Concat(heads) W_o"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = AttentionConfig(
            sentence=args.sentence, d_model=args.d_model, d_k=args.d_k, d_v=args.d_v,
            seed=args.seed, n_heads=args.heads, positional=args.positional,
            scaled=args.scaled, causal=args.causal, temperature=args.temperature,
        )  # fmt: skip
        trace = compute(config)
    except (ValueError, TypeError) as err:
        print(f"python -m attention_core: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(trace.to_dict(), ensure_ascii=False))
    else:
        print(render_text(trace))
    return 0
