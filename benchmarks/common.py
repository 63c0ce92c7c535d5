"""Shared bits of the page benchmarks: the size grid, URL state, the machine, markdown output."""

from __future__ import annotations

import os
import platform
import re
import statistics
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

from deploy.server import rss_bytes

__all__ = ["rss_bytes"]  # re-exported: the benchmarks read server memory through common

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"

TOKENS = (5, 32, 128, 256)
D_MODELS = (4, 64, 512)
# d_model -> (n_heads, d_k = d_v): the notebook's 1 head of 3 at d_model 4, then d_model / heads, like a Transformer.
HEADS = {4: (1, 3), 64: (4, 16), 512: (8, 64)}

# Words cycled to build a sentence of n tokens; repeats get "(2)" labels, as real text does.
_TEXT = (
    "me gusta estudiar inteligencia artificial the cat sat on mat while students read about attention and "
    "every word looks at all others to decide what matters most in this long sentence today"
)
_WORDS = tuple(_TEXT.split())


def sentence(n: int) -> str:
    """A sentence of exactly n tokens."""
    return " ".join(_WORDS[i % len(_WORDS)] for i in range(n))


def params(n: int, d_model: int, seed: int = 23, **extra: object) -> dict[str, str]:
    """The URL query parameters of one benchmark size (the app and the naive page read the same keys)."""
    heads, d_k = HEADS.get(d_model, (1, max(1, d_model // 2)))
    out = {
        "sentence": sentence(n) if n != 5 else "me gusta estudiar inteligencia artificial",
        "d_model": str(d_model),
        "d_k": str(d_k),
        "d_v": str(d_k),
        "n_heads": str(heads),
        "seed": str(seed),
    }
    out.update({k: str(v) for k, v in extra.items()})
    return out


def query_string(p: dict[str, str]) -> str:
    return urlencode(p)


def grid(quick: bool = False) -> list[tuple[int, int]]:
    """(n, d_model) pairs: all 12, or a 4-corner subset with --quick."""
    if quick:
        return [(5, 4), (32, 64), (256, 64), (256, 512)]
    return [(n, d) for n in TOKENS for d in D_MODELS]


def median(xs: Iterable[float]) -> float:
    xs = list(xs)
    return statistics.median(xs) if xs else float("nan")


def percentile(xs: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))
    return s[k]


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """One markdown paragraph naming the CPU, cores, memory and the versions that matter."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{kb / 1024**2:.1f} GiB"
    except (OSError, AttributeError):
        pass
    versions = []
    for pkg in ("streamlit", "numpy", "pandas", "pyarrow", "plotly", "orjson", "protobuf"):
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{pkg} (absent)")
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores (shared, noisy), {mem} RAM; {platform.system()} "
        f"{platform.release()}; Python {sys.version.split()[0]}; " + ", ".join(versions) + "."
    )


def write_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replace the text between <!-- name:start --> and <!-- name:end --> in docs/benchmarks.md.

    Other sections (for example `core`, written by benchmarks/bench_core.py) are left as they are;
    a missing section is appended.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")
