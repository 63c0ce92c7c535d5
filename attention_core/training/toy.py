"""Train a tiny attention model on a toy task and record α as it learns (numpy, hand-written backprop).

The model is the notebook's self-attention plus what a task needs around it:

    X = E[tokens] + P                      token embeddings plus positional encodings, (B, n, d_model)
    α = softmax(X W_Q (X W_K)ᵀ · scale)    per head, with the optional causal mask, (B, h, n, n)
    Z = α X W_V                            per head, (B, h, n, d_v)
    out = Z (one head) or concat(Z) W_O    the app's convention: W_O only when h > 1
    logits = out W_out + b_out             a read-out to the vocabulary, (B, n, V)

The forward pass calls attention_core's own kernel (`attention`) and positional encodings; the
backward pass is written out by hand, including the softmax Jacobian ∂α_j/∂ℓ_k = α_j(δ_jk − α_k).
Everything draws from local RandomStates, so training is deterministic and thread-safe.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from .. import limits
from ..arrays import FloatArray, frozen_array
from ..attention import attention
from ..embeddings import PositionalChoice, positional_encodings
from ..trace import AttentionTrace, trace_from_matrices

IntArray = npt.NDArray[np.int64]
Params = dict[str, FloatArray]

TASKS: Final = ("previous_token", "reverse", "first_token")
TRAIN_POSITIONAL: Final = ("sinusoidal", "none")
EVAL_SEQUENCES: Final = 512  # size of the fixed held-out set
INIT_SCALE: Final = 0.1  # the notebook's weight scale: step 0 has its flat α

# Inclusive ranges of the integer fields, checked in TrainConfig.__post_init__.
INT_RANGES: Final[dict[str, tuple[int, int]]] = {
    "seq_len": (2, 32),
    "vocab_size": (2, 64),
    "d_model": (1, 64),
    "d_k": (1, 64),
    "d_v": (1, 64),
    "n_heads": (1, 8),
    "steps": (1, 5000),
    "batch_size": (1, 1024),
    "seed": (limits.SEED_MIN, limits.SEED_MAX),
    "snapshot_every": (1, 5000),
}
LR_MAX: Final = 1.0


@dataclass(frozen=True)
class TrainConfig:
    """One training run; every field is validated on construction (ValueError names the field)."""

    task: str = "previous_token"  # one of TASKS
    seq_len: int = 8  # n, tokens per sequence
    vocab_size: int = 10  # V, distinct tokens
    d_model: int = 16  # embedding width
    d_k: int = 16  # query/key width per head
    d_v: int = 16  # value width per head
    n_heads: int = 1  # h
    positional: str = "sinusoidal"  # "sinusoidal" | "none"
    scaled: bool = True  # divide q·k by sqrt(d_k)
    causal: bool = False  # mask the keys after each query
    steps: int = 300  # Adam updates
    lr: float = 0.01  # Adam's learning rate
    batch_size: int = 64  # sequences per update
    seed: int = 0  # seeds the weights, the batches, the held-out set and the probe
    snapshot_every: int = 10  # keep α on the probe every this many steps (and at the last)

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        for name, (lo, hi) in INT_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"{name} must be a whole number in {lo}..{hi}, got {value!r}")
            if not lo <= int(value) <= hi:
                raise ValueError(f"{name} must be in {lo}..{hi}, got {value}")
        if self.positional not in TRAIN_POSITIONAL:
            raise ValueError(f"positional must be one of {', '.join(TRAIN_POSITIONAL)}, got {self.positional!r}")
        for flag in ("scaled", "causal"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(f"{flag} must be True or False, got {getattr(self, flag)!r}")
        lr: object = self.lr  # typed float, but a caller may pass anything
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < float(lr) <= LR_MAX:
            raise ValueError(f"lr must be a finite number in (0, {LR_MAX}], got {lr!r}")

    @property
    def scale(self) -> float:
        """The factor applied to q·k: 1/sqrt(d_k) when scaled, else 1."""
        return 1.0 / math.sqrt(self.d_k) if self.scaled else 1.0


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The model at one step: α on the probe (h, n, n) and a read-only copy of every parameter."""

    step: int
    weights: FloatArray  # (h, n, n)
    params: Mapping[str, FloatArray]


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """What `train` returns: the curves, the held-out accuracy, the probe and the snapshots."""

    config: TrainConfig
    losses: FloatArray  # (steps,) training loss before each update
    accuracies: FloatArray  # (steps,) training-batch accuracy before each update
    eval_accuracy: float  # accuracy on EVAL_SEQUENCES held-out sequences after the last update
    probe: IntArray  # (n,) the sequence whose α the snapshots hold
    snapshots: tuple[Snapshot, ...]  # step 0 (before any update) … the last step

    def snapshot_at(self, step: int) -> Snapshot:
        """The snapshot with the largest step not after `step` (step 0 for anything earlier)."""
        best = self.snapshots[0]
        for snap in self.snapshots:
            if snap.step <= step:
                best = snap
        return best


def needed_keys(task: str, n: int) -> IntArray:
    """For each query position, the key position the task needs it to look at (−1: none)."""
    i = np.arange(n, dtype=np.int64)
    if task == "previous_token":
        return i - 1  # position 0 gets −1: it has no previous token
    if task == "reverse":
        return n - 1 - i
    if task == "first_token":
        return np.zeros(n, dtype=np.int64)
    raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")


def targets_for(task: str, tokens: IntArray) -> IntArray:
    """The target token at every position of (B, n) `tokens`; −1 marks a position without one."""
    keys = needed_keys(task, tokens.shape[-1])
    out: IntArray = np.where(keys >= 0, tokens[..., np.maximum(keys, 0)], -1).astype(np.int64)
    return out


def token_labels(tokens: npt.ArrayLike) -> list[str]:
    """How a token id is written on screen and in the probe sentence: its number."""
    return [str(int(t)) for t in np.asarray(tokens).ravel()]


def init_params(cfg: TrainConfig) -> Params:
    """Weights drawn from RandomState(cfg.seed), every matrix randn × 0.1 (b_out zero), float64."""
    rng = np.random.RandomState(cfg.seed)
    h, d, s = cfg.n_heads, cfg.d_model, INIT_SCALE
    params: Params = {
        "embed": rng.randn(cfg.vocab_size, d) * s,  # (V, d_model); small too, or step 0 would not be flat
        "w_q": rng.randn(h, d, cfg.d_k) * s,  # (h, d_model, d_k)
        "w_k": rng.randn(h, d, cfg.d_k) * s,  # (h, d_model, d_k)
        "w_v": rng.randn(h, d, cfg.d_v) * s,  # (h, d_model, d_v)
    }
    if h > 1:
        params["w_o"] = rng.randn(h * cfg.d_v, d) * s  # (h·d_v, d_model)
    params["w_out"] = rng.randn(_out_width(cfg), cfg.vocab_size) * s  # (d_out, V)
    params["b_out"] = np.zeros(cfg.vocab_size)  # (V,)
    return params


def _out_width(cfg: TrainConfig) -> int:
    """Width of the attention output the read-out sees: d_v for one head, d_model after W_O."""
    return cfg.d_v if cfg.n_heads == 1 else cfg.d_model


def make_batch(cfg: TrainConfig, rng: np.random.RandomState) -> tuple[IntArray, IntArray]:
    """(tokens, targets), both (batch_size, seq_len) ints; a target of −1 marks no target."""
    tokens = rng.randint(0, cfg.vocab_size, size=(cfg.batch_size, cfg.seq_len)).astype(np.int64)
    return tokens, targets_for(cfg.task, tokens)


def _positions(cfg: TrainConfig) -> FloatArray:
    return positional_encodings(cfg.positional, cfg.seq_len, cfg.d_model)[0]  # (n, d_model)


@dataclass
class _Forward:
    """The forward pass's intermediates that the backward pass needs."""

    x: FloatArray  # (B, n, d_model)
    q: FloatArray  # (B, h, n, d_k)
    k: FloatArray  # (B, h, n, d_k)
    v: FloatArray  # (B, h, n, d_v)
    alpha: FloatArray  # (B, h, n, n)
    concat: FloatArray  # (B, n, h·d_v)
    out: FloatArray  # (B, n, d_out)
    probs: FloatArray  # (B, n, V)


def _forward(params: Mapping[str, FloatArray], tokens: IntArray, cfg: TrainConfig) -> _Forward:
    n = tokens.shape[-1]
    pos = _positions(cfg) if n == cfg.seq_len else positional_encodings(cfg.positional, n, cfg.d_model)[0]
    x = params["embed"][tokens] + pos  # (B, n, d_model)
    xb = x[:, None]  # (B, 1, n, d_model), broadcast over heads
    q = xb @ params["w_q"]  # (B, h, n, d_k)
    k = xb @ params["w_k"]  # (B, h, n, d_k)
    v = xb @ params["w_v"]  # (B, h, n, d_v)
    z, alpha = attention(q, k, v, scale=cfg.scale, causal=cfg.causal)  # (B, h, n, d_v), (B, h, n, n)
    b, h = z.shape[0], z.shape[1]
    concat = z.transpose(0, 2, 1, 3).reshape(b, n, h * cfg.d_v)  # (B, n, h·d_v), head 0 first
    out = concat @ params["w_o"] if h > 1 else concat  # (B, n, d_out)
    logits = out @ params["w_out"] + params["b_out"]  # (B, n, V)
    logits = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    probs = e / e.sum(axis=-1, keepdims=True)  # (B, n, V)
    return _Forward(x, q, k, v, alpha, concat, out, probs)


def _loss(fwd: _Forward, targets: IntArray) -> tuple[float, FloatArray, float]:
    """Mean cross-entropy over the positions with a target, its gradient w.r.t. the logits, accuracy."""
    valid = targets >= 0  # (B, n)
    count = max(int(valid.sum()), 1)
    safe = np.where(valid, targets, 0)
    picked = np.take_along_axis(fwd.probs, safe[..., None], axis=-1)[..., 0]  # (B, n)
    loss = float(-np.sum(np.log(np.maximum(picked, 1e-300)) * valid) / count)
    d_logits = fwd.probs.copy()
    np.put_along_axis(d_logits, safe[..., None], picked[..., None] - 1.0, axis=-1)
    d_logits *= valid[..., None] / count  # (B, n, V)
    correct = (fwd.probs.argmax(axis=-1) == targets) & valid
    return loss, d_logits, float(correct.sum() / count)


def _backward(
    params: Mapping[str, FloatArray], tokens: IntArray, cfg: TrainConfig, fwd: _Forward, d_logits: FloatArray
) -> Params:
    """Every parameter's gradient, by the chain rule written out layer by layer."""
    b, n = tokens.shape
    h, d_v = cfg.n_heads, cfg.d_v
    grads: Params = {}
    flat_logits = d_logits.reshape(b * n, -1)  # (B·n, V)
    grads["w_out"] = fwd.out.reshape(b * n, -1).T @ flat_logits  # (d_out, V)
    grads["b_out"] = flat_logits.sum(axis=0)  # (V,)
    d_out = d_logits @ params["w_out"].T  # (B, n, d_out)
    if h > 1:
        grads["w_o"] = fwd.concat.reshape(b * n, -1).T @ d_out.reshape(b * n, -1)  # (h·d_v, d_model)
        d_concat = d_out @ params["w_o"].T  # (B, n, h·d_v)
    else:
        d_concat = d_out
    d_z = d_concat.reshape(b, n, h, d_v).transpose(0, 2, 1, 3)  # (B, h, n, d_v)
    # Z = α V
    d_alpha = d_z @ fwd.v.transpose(0, 1, 3, 2)  # (B, h, n, n)
    d_v_ = fwd.alpha.transpose(0, 1, 3, 2) @ d_z  # (B, h, n, d_v)
    # α = softmax(ℓ): ∂α_j/∂ℓ_k = α_j(δ_jk − α_k), so dℓ_k = α_k (dα_k − Σ_j dα_j α_j).
    # Masked keys have α = 0, hence no gradient, as the mask is a constant.
    d_ell = fwd.alpha * (d_alpha - np.sum(d_alpha * fwd.alpha, axis=-1, keepdims=True))
    d_scores = d_ell * cfg.scale  # ℓ = scale · q·kᵀ
    d_q = d_scores @ fwd.k  # (B, h, n, d_k)
    d_k = d_scores.transpose(0, 1, 3, 2) @ fwd.q  # (B, h, n, d_k)
    xt = fwd.x.transpose(0, 2, 1)[:, None]  # (B, 1, d_model, n)
    grads["w_q"] = np.sum(xt @ d_q, axis=0)  # (h, d_model, d_k)
    grads["w_k"] = np.sum(xt @ d_k, axis=0)
    grads["w_v"] = np.sum(xt @ d_v_, axis=0)  # (h, d_model, d_v)
    d_x = np.sum(
        d_q @ params["w_q"].transpose(0, 2, 1)
        + d_k @ params["w_k"].transpose(0, 2, 1)
        + d_v_ @ params["w_v"].transpose(0, 2, 1),
        axis=1,
    )  # (B, n, d_model)
    # X = E[tokens] + P: each position's gradient goes to its token's row of E.
    onehot = np.zeros((b * n, cfg.vocab_size))
    onehot[np.arange(b * n), tokens.ravel()] = 1.0
    grads["embed"] = onehot.T @ d_x.reshape(b * n, -1)  # (V, d_model)
    return {key: grads[key] for key in params}


def loss_and_grads(
    params: Mapping[str, FloatArray], tokens: npt.ArrayLike, targets: npt.ArrayLike, cfg: TrainConfig
) -> tuple[float, Params]:
    """Mean cross-entropy over the positions with a target (≥ 0) and its gradient for every parameter."""
    tok, tgt = _check_batch(tokens, targets, cfg)
    fwd = _forward(params, tok, cfg)
    loss, d_logits, _ = _loss(fwd, tgt)
    return loss, _backward(params, tok, cfg, fwd, d_logits)


def _check_batch(tokens: npt.ArrayLike, targets: npt.ArrayLike, cfg: TrainConfig) -> tuple[IntArray, IntArray]:
    tok = np.asarray(tokens, dtype=np.int64)
    tgt = np.asarray(targets, dtype=np.int64)
    if tok.ndim != 2 or tgt.shape != tok.shape:
        raise ValueError(f"tokens and targets must both have shape (B, n), got {tok.shape} and {tgt.shape}")
    if tok.size and (tok.min() < 0 or tok.max() >= cfg.vocab_size):
        raise ValueError(f"tokens must be in 0..{cfg.vocab_size - 1}")
    if tgt.size and (tgt.min() < -1 or tgt.max() >= cfg.vocab_size):
        raise ValueError(f"targets must be in -1..{cfg.vocab_size - 1} (-1: no target)")
    return tok, tgt


def predict(params: Mapping[str, FloatArray], tokens: npt.ArrayLike, cfg: TrainConfig) -> IntArray:
    """The model's predicted token at every position of (B, n) `tokens`."""
    tok = np.asarray(tokens, dtype=np.int64)
    pred: IntArray = _forward(params, tok, cfg).probs.argmax(axis=-1).astype(np.int64)
    return pred


def accuracy(params: Mapping[str, FloatArray], tokens: npt.ArrayLike, cfg: TrainConfig) -> float:
    """Share of the positions with a target that the model predicts right."""
    tok = np.asarray(tokens, dtype=np.int64)
    targets = targets_for(cfg.task, tok)
    valid = targets >= 0
    hits = (predict(params, tok, cfg) == targets) & valid
    return float(hits.sum() / max(int(valid.sum()), 1))


def held_out_tokens(cfg: TrainConfig) -> IntArray:
    """The fixed held-out set: EVAL_SEQUENCES sequences from their own RandomState."""
    rng = np.random.RandomState([cfg.seed, 1])
    out: IntArray = rng.randint(0, cfg.vocab_size, size=(EVAL_SEQUENCES, cfg.seq_len)).astype(np.int64)
    return out


def probe_tokens(cfg: TrainConfig) -> IntArray:
    """The probe sequence the page shows: distinct tokens while the vocabulary allows it."""
    rng = np.random.RandomState([cfg.seed, 3])
    if cfg.vocab_size >= cfg.seq_len:
        out: IntArray = rng.permutation(cfg.vocab_size)[: cfg.seq_len].astype(np.int64)
    else:
        out = rng.randint(0, cfg.vocab_size, size=cfg.seq_len).astype(np.int64)
    return out


def _snapshot(step: int, params: Params, probe: IntArray, cfg: TrainConfig) -> Snapshot:
    alpha = _forward(params, probe[None], cfg).alpha[0]  # (h, n, n)
    return Snapshot(step, frozen_array(alpha), {k: frozen_array(v) for k, v in params.items()})


def train(cfg: TrainConfig, progress: Callable[[int, int], None] | None = None) -> TrainingRun:
    """Adam on fresh batches for cfg.steps updates; deterministic for a seed, global RNG untouched.

    `progress(step, steps)` is called after each update (and with 0 before the first).
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    params = init_params(cfg)
    m = {k: np.zeros_like(v) for k, v in params.items()}
    s = {k: np.zeros_like(v) for k, v in params.items()}
    batches = np.random.RandomState([cfg.seed, 2])
    probe = probe_tokens(cfg)
    losses = np.empty(cfg.steps)
    accuracies = np.empty(cfg.steps)
    snapshots = [_snapshot(0, params, probe, cfg)]
    if progress is not None:
        progress(0, cfg.steps)
    for step in range(1, cfg.steps + 1):
        tokens, targets = make_batch(cfg, batches)
        fwd = _forward(params, tokens, cfg)
        loss, d_logits, acc = _loss(fwd, targets)
        grads = _backward(params, tokens, cfg, fwd, d_logits)
        losses[step - 1], accuracies[step - 1] = loss, acc
        c1, c2 = 1.0 - beta1**step, 1.0 - beta2**step
        for key, g in grads.items():
            m[key] = beta1 * m[key] + (1.0 - beta1) * g
            s[key] = beta2 * s[key] + (1.0 - beta2) * (g * g)
            params[key] = params[key] - cfg.lr * (m[key] / c1) / (np.sqrt(s[key] / c2) + eps)
        if step % cfg.snapshot_every == 0 or step == cfg.steps:
            snapshots.append(_snapshot(step, params, probe, cfg))
        if progress is not None:
            progress(step, cfg.steps)
    probe.flags.writeable = False
    return TrainingRun(
        config=cfg,
        losses=frozen_array(losses),
        accuracies=frozen_array(accuracies),
        eval_accuracy=accuracy(params, held_out_tokens(cfg), cfg),
        probe=probe,
        snapshots=tuple(snapshots),
    )


def snapshot_trace(run: TrainingRun, snapshot: Snapshot | int) -> AttentionTrace:
    """The AttentionTrace of the probe sequence under a snapshot's weights (or the step's snapshot).

    The trace is the notebook's computation on learned numbers: E is the probe's rows of the learned
    embedding table, P the positional encoding trained with, W_Q, W_K, W_V (and W_O) the snapshot's.
    """
    snap = run.snapshot_at(snapshot) if isinstance(snapshot, int) else snapshot
    cfg, p = run.config, snap.params
    positions, used = positional_encodings(cfg.positional, cfg.seq_len, cfg.d_model)
    return trace_from_matrices(
        token_labels(run.probe),
        p["embed"][run.probe],
        positions,
        p["w_q"],
        p["w_k"],
        p["w_v"],
        p.get("w_o"),
        scaled=cfg.scaled,
        causal=cfg.causal,
        positional_used=PositionalChoice(used.scheme),
    )


def query_key_scores(run: TrainingRun, snapshot: Snapshot | int) -> FloatArray:
    """Q·Kᵀ on the probe at a snapshot, per head (h, n, n): what W_Q and W_K have learned to match."""
    trace = snapshot_trace(run, snapshot)
    return np.array(trace.scores)


def mean_needed_alpha(weights: npt.ArrayLike, task: str) -> float:
    """Mean α on the key the task needs, over the queries that need one and over heads' best head.

    For several heads the head that carries the pattern counts: the maximum over heads per query.
    """
    w = np.asarray(weights, dtype=np.float64)  # (..., h, n, n)
    n = w.shape[-1]
    keys = needed_keys(task, n)
    rows = np.flatnonzero(keys >= 0)
    on_key = w[..., rows, keys[rows]]  # (..., h, r)
    return float(np.mean(on_key.max(axis=-2)))
