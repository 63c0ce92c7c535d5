"""The trained model (attention_core.models): speed, load time, server memory, page bytes, and a
cross-check against PyTorch's BERT (transformers) where those are installed.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python -m benchmarks.bench_pretrained  # tables -> docs/benchmarks.md
    python -m benchmarks.bench_pretrained --no-server  # engine only (no streamlit server)

torch and transformers are never runtime or test dependencies: without them the comparison rows
say so. No timing is asserted anywhere; medians are quoted, torch side by side in the same process.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from attention_core import load_model, run_model
from attention_core.models import PretrainedModel

from . import common

SECTION = "pretrained"
TEXT = "The animal didn't cross the street because it was too tired"


def text_of(model: PretrainedModel, n: int) -> str:
    """A text the model's tokenizer cuts into exactly n tokens, [CLS] and [SEP] included."""
    words = common.sentence(4 * n).split()
    lo, hi = 1, len(words)
    while lo < hi:  # the shortest prefix with at least n tokens
        mid = (lo + hi) // 2
        if len(model.tokenizer.encode(" ".join(words[:mid])).ids) >= n:
            hi = mid
        else:
            lo = mid + 1
    return " ".join(words[:lo])


def timed(fn: Callable[[], Any], reps: int, cpu: list[float] | None = None) -> list[float]:
    """Wall times of `reps` calls after a warm-up; the process's CPU time of each goes into `cpu`.

    On a shared, loaded machine the wall time mostly measures the queue for a core; the CPU time
    (all threads of this process) is what the work itself costs.
    """
    fn()  # warm-up
    out = []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
    return out


def torch_reference(model: PretrainedModel) -> tuple[Any, Any] | None:
    """transformers' BertModel on the same folder (eager attention), or None when not installed."""
    try:
        import torch
        from transformers import BertModel
    except ImportError:
        return None
    bert = BertModel.from_pretrained(str(model.path), attn_implementation="eager").eval()
    torch.set_num_threads(blas_threads())  # the same number of threads as numpy's BLAS
    return torch, bert


def blas_threads() -> int:
    """The BLAS threads numpy was started with (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS), else every core."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return os.cpu_count() or 1


def speed(model: PretrainedModel, ref: tuple[Any, Any] | None, reps: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for n in (16, 64, 128):
        text = text_of(model, n)
        c_np: list[float] = []
        t_np = timed(lambda text=text: run_model(model, text), reps, c_np)
        row: list[object] = [n, f"{statistics.median(t_np) * 1e3:.1f}", f"{statistics.median(c_np) * 1e3:.1f}"]
        if ref is not None:
            torch, bert = ref
            ids = torch.tensor([model.tokenizer.encode(text).ids])
            mask = torch.ones_like(ids)

            def forward(ids: Any = ids, mask: Any = mask, torch: Any = torch, bert: Any = bert) -> None:
                with torch.no_grad():
                    bert(ids, attention_mask=mask, output_attentions=True, output_hidden_states=True)

            c_pt: list[float] = []
            t_pt = timed(forward, reps, c_pt)
            row += [
                f"{statistics.median(t_pt) * 1e3:.1f}",
                f"{statistics.median(c_pt) * 1e3:.1f}",
                f"{statistics.median(t_np) / statistics.median(t_pt):.2f}",
                f"{statistics.median(c_np) / statistics.median(c_pt):.2f}",
            ]
        else:
            row += ["(torch not installed)", "", "", ""]
        rows.append(row)
    return rows


def agreement(model: PretrainedModel, ref: tuple[Any, Any] | None) -> list[list[object]]:
    """Max absolute differences against transformers' BertModel: α, hidden states, sentence embedding."""
    if ref is None:
        return [["(torch/transformers not installed)", "", "", "", ""]]
    torch, bert = ref
    rows: list[list[object]] = []
    for text in (TEXT, "me gusta estudiar inteligencia artificial", text_of(model, 128), text_of(model, 512)):
        trace = run_model(model, text)
        ids = torch.tensor([trace.input_ids.tolist()])
        with torch.no_grad():
            out = bert(ids, attention_mask=torch.ones_like(ids), output_attentions=True, output_hidden_states=True)
        pairs = zip(out.attentions, trace.layers, strict=True)
        d_alpha = max(float(np.abs(a[0].numpy() - t.weights).max()) for a, t in pairs)
        states = zip(out.hidden_states, trace.hidden_states, strict=True)
        d_hidden = max(float(np.abs(h[0].numpy() - mine).max()) for h, mine in states)
        mean = out.last_hidden_state[0].mean(0).numpy()
        d_emb = float(np.abs(mean / np.linalg.norm(mean) - trace.sentence_embedding).max())
        label = text if len(text) < 70 else f"{trace.n_tokens} tokens of filler text"
        rows.append([label, trace.n_tokens, f"{d_alpha:.1e}", f"{d_hidden:.1e}", f"{d_emb:.1e}"])
    return rows


def load_times(reps: int) -> tuple[float, float]:
    """(first load in this process, median of later loads) in seconds."""
    t0 = time.perf_counter()
    load_model()
    first = time.perf_counter() - t0
    later = timed(load_model, reps)
    return first, statistics.median(later)


def server_figures(reps: int) -> list[list[object]]:
    """Server RSS idle (home page run) against with the model loaded, and page bytes per rerun."""
    from . import load

    rows: list[list[object]] = []
    with load.running("app.py") as server:
        home = load.Session(server.port, {})
        for _ in range(3):
            home.rerun()
        time.sleep(1.0)
        idle = server.rss()
        model = load_model()
        results: dict[str, list[int]] = {}
        for view in ("model", "head", "step", "patterns", "random"):
            s = load.Session(server.port, {"text": text_of(model, 64), "view": view}, page="trained")
            first = s.rerun()
            assert first.ok and not first.exceptions, (view, first)
            results[view] = [s.rerun().bytes for _ in range(reps)]
            times = [s.rerun().latency for _ in range(reps)]
            rows.append([f"rerun bytes, 64 tokens, {view} view", f"{statistics.median(results[view]) / 2**20:.2f} MiB",
                         f"{statistics.median(times) * 1e3:.0f} ms"])  # fmt: skip
            s.close()
        time.sleep(1.0)
        loaded = server.rss()
        home.close()
    rows.insert(0, ["server RSS, idle app (home page run)", f"{idle / 2**20:.0f} MiB", ""])
    rows.insert(1, ["server RSS, after every trained view at 64 tokens", f"{loaded / 2**20:.0f} MiB", ""])
    rows.insert(
        2, ["difference (the model, cached runs and what the page imports)", f"{(loaded - idle) / 2**20:.0f} MiB", ""]
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--no-server", action="store_true", help="skip the server memory and page-bytes part")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    first, warm = load_times(5)
    model = load_model()
    ref = torch_reference(model)
    gc.collect()
    speed_rows = speed(model, ref, args.reps)
    agree_rows = agreement(model, ref)
    server_rows = [] if args.no_server else server_figures(max(3, args.reps // 3))
    load_after = os.getloadavg()

    torch_version = ""
    if ref is not None:
        import transformers

        versions = f"torch {ref[0].__version__} / transformers {transformers.__version__}"
        torch_version = f" against {versions} (eager attention, CPU)"
    body = "\n\n".join(
        [
            "## The trained model (all-MiniLM-L6-v2 in numpy)",
            f"`OPENBLAS_NUM_THREADS={blas_threads()} OMP_NUM_THREADS={blas_threads()} "
            f"python -m benchmarks.bench_pretrained --reps {args.reps}`"
            + (" --no-server" if args.no_server else "")
            + f". {common.machine()} Load average before {load_before[0]:.2f}, after {load_after[0]:.2f}.",
            f"**run_model**, median of {args.reps} runs (ms, wall and process CPU time), numpy{torch_version} "
            f"in the same process, one after the other at each size; BLAS threads for both: {blas_threads()} "
            "(the Dockerfile runs one per replica):",
            common.table(
                ["tokens", "numpy wall", "numpy CPU", "torch wall", "torch CPU", "numpy/torch wall", "numpy/torch CPU"],
                speed_rows,
            ),
            f"**load_model** (config, safetensors, sha256, tokenizer): first load {first:.2f} s, later loads "
            f"{warm:.2f} s (median of 5; the file is then in the page cache).",
            "**Agreement with PyTorch's BERT** on the same checkpoint (max absolute difference over every "
            "layer and head; the sentence embedding is mean pooling + L2 norm):",
            common.table(["text", "tokens", "α", "hidden states", "sentence embedding"], agree_rows),
            "How to read it. The issue's bar against PyTorch is about 1e-4 for α and 1e-3 for the hidden "
            "states; the differences are float32 rounding (the engine runs the layer in float32, as shipped "
            "and as PyTorch does: products, softmax, layer norm, GELU). On a shared "
            "machine the wall time is mostly the wait for a core (see the load average), so the CPU "
            "time of the process is the figure to hold against the 100 ms target for 128 tokens. "
            "With two BLAS threads on an oversubscribed machine both libraries were several times slower "
            "(OpenBLAS threads spin while they wait): run one BLAS thread per server process.",
            *(
                [
                    "**Server**: RSS of a `streamlit run app.py` process, and the bytes and time of a rerun of "
                    "the trained page over the websocket (median). The targets are at most 300 MiB above the "
                    "idle app with the model loaded and at most 1.5 MiB per rerun at 64 tokens:",
                    common.table(["what", "value", "rerun time"], server_rows),
                ]
                if server_rows
                else []
            ),
        ]
    )
    print(body)
    if not args.no_write:
        common.write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
