"""The one encoder layer (attention_core.encoder_layer) against torch.nn.TransformerEncoderLayer.

    PYTHONPATH=. /work/venv-torch/bin/python -m benchmarks.check_encoder_torch   # prints a table

Every option of the layer is set the way torch's layer has it: Post-LN and Pre-LN, ReLU and GELU,
with and without the attention's biases and learned γ/β, the causal mask, float64 and float32, and
the Encoder page's own block (compute_block at the notebook's settings, zero biases, γ = 1, β = 0).
Both layers get the same weights; the table gives the largest absolute difference of the output,
of the stream after attention (h) and of α. torch is never a runtime or test dependency: without
it this script says so and stops.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

import attention_core as ac

from . import common


def torch_layer(torch: Any, d: int, h: int, d_ff: int, act: str, norm_first: bool, dtype: Any, seed: int) -> Any:
    """A torch layer in eval mode (no dropout) with random weights, biases and γ/β (seeded)."""
    torch.manual_seed(seed)
    layer = torch.nn.TransformerEncoderLayer(
        d, h, d_ff, dropout=0.0, activation=act, batch_first=True, norm_first=norm_first, dtype=dtype
    ).eval()
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.randn_like(p) * 0.3)
    return layer


def our_args(layer: Any, h: int, learned: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
    """encoder_layer's arguments holding the torch layer's weights (stored (out, in) there, (in, out) here)."""
    sa = layer.self_attn
    d = sa.embed_dim
    dh = d // h

    def np_(t: Any) -> np.ndarray:
        return t.detach().numpy()

    w_in, b_in = np_(sa.in_proj_weight), np_(sa.in_proj_bias)  # (3d, d) rows q, k, v
    heads = [w_in[i * d : (i + 1) * d].T.reshape(d, h, dh).transpose(1, 0, 2) for i in range(3)]  # (h, d, dh)
    args = [*heads, np_(sa.out_proj.weight).T, np_(layer.linear1.weight).T, np_(layer.linear1.bias)]
    args += [np_(layer.linear2.weight).T, np_(layer.linear2.bias)]
    kwargs: dict[str, Any] = {"eps": layer.norm1.eps}
    if learned:
        kwargs.update(b_q=b_in[:d], b_k=b_in[d : 2 * d], b_v=b_in[2 * d :], b_o=np_(sa.out_proj.bias))
        kwargs.update(ln_attn=(np_(layer.norm1.weight), np_(layer.norm1.bias)))
        kwargs.update(ln_ffn=(np_(layer.norm2.weight), np_(layer.norm2.bias)))
    return args, kwargs


def neutral(torch: Any, layer: Any) -> None:
    """The textbook layer's settings in torch: attention biases 0, γ = 1, β = 0."""
    with torch.no_grad():
        layer.self_attn.in_proj_bias.zero_()
        layer.self_attn.out_proj.bias.zero_()
        for ln in (layer.norm1, layer.norm2):
            ln.weight.fill_(1.0)
            ln.bias.zero_()


def torch_run(torch: Any, layer: Any, x: np.ndarray, causal: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(output, h, α (h, n, n)) of the torch layer on one sequence."""
    n = x.shape[0]
    xt = torch.from_numpy(x)[None]
    mask = torch.nn.Transformer.generate_square_subsequent_mask(n, dtype=xt.dtype) if causal else None
    with torch.no_grad():
        out = layer(xt, src_mask=mask, is_causal=causal)[0].numpy()
        z = layer.norm1(xt) if layer.norm_first else xt
        attn, alpha = layer.self_attn(z, z, z, attn_mask=mask, need_weights=True, average_attn_weights=False)
        s1 = xt + attn
        hh = s1 if layer.norm_first else layer.norm1(s1)
    return out, hh[0].numpy(), alpha[0].numpy()


def cases() -> list[tuple[str, bool, bool, bool, str]]:
    """(dtype, norm_first, learned biases/γβ, causal, activation)."""
    out = []
    for dtype in ("float64", "float32"):
        for norm_first in (False, True):
            for learned in (False, True):
                for act in ("relu", "gelu"):
                    out.append((dtype, norm_first, learned, False, act))
        out.append((dtype, False, True, True, "gelu"))
        out.append((dtype, True, False, True, "relu"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed here: run this with the torch venv (see the docstring).")
        return 1
    torch.set_num_threads(1)
    d, h, d_ff, n = 16, 4, 32, 7
    rows: list[list[object]] = []
    worst = {"float64": 0.0, "float32": 0.0}
    for i, (dtype, norm_first, learned, causal, act) in enumerate(cases()):
        tdt = torch.float64 if dtype == "float64" else torch.float32
        layer = torch_layer(torch, d, h, d_ff, act, norm_first, tdt, seed=i)
        if not learned:
            neutral(torch, layer)
        x = np.random.RandomState(i).randn(n, d).astype(dtype)
        args, kwargs = our_args(layer, h, learned)
        ours = ac.encoder_layer(x, *args, norm_first=norm_first, causal=causal, activation=act, dtype=dtype, **kwargs)
        out, hh, alpha = torch_run(torch, layer, x, causal)
        diffs = [float(np.abs(a - b).max()) for a, b in ((ours.output, out), (ours.h, hh), (ours.weights, alpha))]
        worst[dtype] = max(worst[dtype], *diffs)
        mode = "Pre-LN" if norm_first else "Post-LN"
        extras = "biases, γ/β" if learned else "no biases, γ = 1, β = 0"
        rows.append([dtype, mode, act, extras, "causal" if causal else "", *(f"{v:.1e}" for v in diffs)])

    # The Encoder page's block on the notebook's sentence and seed. torch's attention always divides
    # by √d_k and needs d_k = d_model / heads: so scaled, d_model 6 and 2 heads of 3 here, d_ff 4.
    config = ac.AttentionConfig(d_model=6, d_k=3, d_v=3, n_heads=2, d_ff=4, scaled=True)
    for norm_first in (False, True):
        block = ac.compute_block(config, norm_first=norm_first)
        layer = torch_layer(torch, 6, 2, 4, "relu", norm_first, torch.float64, seed=0)
        neutral(torch, layer)
        tr = block.attention
        with torch.no_grad():
            sa = layer.self_attn
            for i, w in enumerate((tr.w_q, tr.w_k, tr.w_v)):
                sa.in_proj_weight[i * 6 : (i + 1) * 6] = torch.from_numpy(w.transpose(1, 0, 2).reshape(6, 6).T.copy())
            sa.out_proj.weight.copy_(torch.from_numpy(block.w_o.T.copy()))
            layer.linear1.weight.copy_(torch.from_numpy(block.w_1.T.copy()))
            layer.linear1.bias.copy_(torch.from_numpy(block.b_1.copy()))
            layer.linear2.weight.copy_(torch.from_numpy(block.w_2.T.copy()))
            layer.linear2.bias.copy_(torch.from_numpy(block.b_2.copy()))
        out, hh, alpha = torch_run(torch, layer, np.array(tr.x), False)
        enc = block.encoder
        diffs = [float(np.abs(a - b).max()) for a, b in ((enc.output, out), (enc.h, hh), (enc.weights, alpha))]
        worst["float64"] = max(worst["float64"], *diffs)
        mode = "Pre-LN" if norm_first else "Post-LN"
        what = "compute_block (the Encoder page): the notebook's sentence, seed 23, zero biases"
        rows.append(["float64", mode, "relu", what, "", *(f"{v:.1e}" for v in diffs)])
    print(f"torch {torch.__version__}, one thread; d_model {d}, {h} heads, d_ff {d_ff}, {n} tokens. {common.machine()}")
    print()
    print(common.table(["dtype", "mode", "activation", "weights", "mask", "output", "h", "α"], rows))
    print()
    print(f"Largest difference: float64 {worst['float64']:.1e}, float32 {worst['float32']:.1e}.")
    # float64 GELU rests on an erf good to 1e-10 (attention_core.activations): hence 1e-9, not 1e-15.
    return 0 if worst["float64"] < 1e-9 and worst["float32"] < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
