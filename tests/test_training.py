"""The training engine: hand-written gradients against finite differences, learning, robustness."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

import attention_core as ac
from attention_core import training as tr

# ---------------------------------------------------------------- gradient checks


def _tiny(task: str, n_heads: int, scaled: bool, causal: bool, positional: str) -> ac.TrainConfig:
    return ac.TrainConfig(
        task=task, seq_len=4, vocab_size=5, d_model=4, d_k=3, d_v=2, n_heads=n_heads,
        positional=positional, scaled=scaled, causal=causal, batch_size=3, seed=7,
    )  # fmt: skip


def _numeric_grad(params: dict[str, np.ndarray], tokens, targets, cfg, eps: float = 1e-6) -> dict[str, np.ndarray]:
    """Central differences, one entry at a time: an independent check of the hand-written backprop."""
    out = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (
                ac.loss_and_grads(plus, tokens, targets, cfg)[0] - ac.loss_and_grads(minus, tokens, targets, cfg)[0]
            ) / (2 * eps)
        out[key] = g
    return out


CASES = list(itertools.product(ac.TASKS, (1, 2), (True, False), (False, True), ("sinusoidal", "none")))


@pytest.mark.parametrize(("task", "n_heads", "scaled", "causal", "positional"), CASES)
def test_gradients_match_central_differences(
    task: str, n_heads: int, scaled: bool, causal: bool, positional: str
) -> None:
    cfg = _tiny(task, n_heads, scaled, causal, positional)
    rng = np.random.RandomState(1)
    # Larger than the ×0.1 init, so α is far from uniform and every term of the chain rule matters.
    params = {k: rng.randn(*v.shape) * 0.8 for k, v in ac.init_params(cfg).items()}
    tokens, targets = ac.make_batch(cfg, np.random.RandomState(2))
    loss, grads = ac.loss_and_grads(params, tokens, targets, cfg)
    assert np.isfinite(loss) and loss > 0
    assert set(grads) == set(params)
    numeric = _numeric_grad(params, tokens, targets, cfg)
    for key in params:
        assert grads[key].shape == params[key].shape, key
        scale = max(float(np.max(np.abs(numeric[key]))), 1e-8)
        np.testing.assert_allclose(grads[key], numeric[key], atol=1e-7 * scale + 1e-9, rtol=1e-5, err_msg=key)
        assert np.any(grads[key] != 0), f"{key}: a zero gradient checks nothing"


def test_loss_is_the_mean_cross_entropy_over_positions_with_a_target() -> None:
    cfg = _tiny("previous_token", 1, True, False, "sinusoidal")
    params = ac.init_params(cfg)
    tokens = np.array([[0, 1, 2, 3], [4, 4, 0, 1]])
    targets = np.array([[-1, 0, 1, 2], [-1, 4, 4, 0]])
    loss, _ = ac.loss_and_grads(params, tokens, targets, cfg)
    # Independent reference: explicit per-position softmax of the model's logits, through the trace engine.
    total, count = 0.0, 0
    for b in range(2):
        emb = params["embed"][tokens[b]]
        pos = ac.sinusoidal_positions(4, cfg.d_model)
        trace = ac.trace_from_matrices(
            [str(t) for t in tokens[b]], emb, pos, params["w_q"], params["w_k"], params["w_v"], scaled=True
        )
        logits = trace.output @ params["w_out"] + params["b_out"]
        for i in range(4):
            if targets[b, i] >= 0:
                p = np.exp(logits[i] - logits[i].max())
                total -= np.log(p[targets[b, i]] / p.sum())
                count += 1
    assert loss == pytest.approx(total / count, rel=1e-12)


# ---------------------------------------------------------------- tasks, config, shapes


def test_tasks_and_their_targets() -> None:
    assert {"previous_token", "reverse", "first_token"} <= set(ac.TASKS)
    tokens = np.array([[5, 1, 7, 3]])
    assert tr.targets_for("previous_token", tokens).tolist() == [[-1, 5, 1, 7]]
    assert tr.targets_for("reverse", tokens).tolist() == [[3, 7, 1, 5]]
    assert tr.targets_for("first_token", tokens).tolist() == [[5, 5, 5, 5]]
    assert ac.needed_keys("previous_token", 4).tolist() == [-1, 0, 1, 2]


def test_defaults_are_the_issue_s() -> None:
    cfg = ac.TrainConfig()
    assert (cfg.seq_len, cfg.vocab_size, cfg.d_model, cfg.d_k, cfg.d_v, cfg.n_heads) == (8, 10, 16, 16, 16, 1)
    assert (cfg.positional, cfg.scaled, cfg.causal) == ("sinusoidal", True, False)
    assert (cfg.steps, cfg.lr, cfg.batch_size, cfg.seed, cfg.snapshot_every) == (300, 0.01, 64, 0, 10)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("task", "sort_of"), ("steps", 0), ("steps", 5001), ("lr", 0.0), ("lr", -0.1), ("lr", float("nan")),
        ("lr", float("inf")), ("seq_len", 1), ("seq_len", 33), ("vocab_size", 1), ("vocab_size", 65),
        ("n_heads", 0), ("n_heads", 9), ("d_k", 0), ("positional", "notebook"), ("scaled", "yes"),
        ("batch_size", 0), ("seed", -1), ("snapshot_every", 0), ("steps", 2.5), ("n_heads", True),
    ],
)  # fmt: skip
def test_invalid_values_name_the_field(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        ac.TrainConfig(**{field: value})  # type: ignore[arg-type]


def test_init_params_shapes_scale_and_seed() -> None:
    cfg = ac.TrainConfig(n_heads=2, d_k=5, d_v=3)
    p = ac.init_params(cfg)
    assert p["w_q"].shape == (2, 16, 5) and p["w_k"].shape == (2, 16, 5) and p["w_v"].shape == (2, 16, 3)
    assert p["w_o"].shape == (6, 16) and p["embed"].shape == (10, 16) and p["w_out"].shape == (16, 10)
    assert all(v.dtype == np.float64 for v in p.values())
    assert 0.05 < float(np.std(p["w_q"])) < 0.15  # randn × 0.1
    assert "w_o" not in ac.init_params(ac.TrainConfig())  # one head: no W_O, as in the notebook
    q = ac.init_params(cfg)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["w_q"], ac.init_params(ac.TrainConfig(n_heads=2, d_k=5, d_v=3, seed=1))["w_q"])


def test_make_batch() -> None:
    cfg = ac.TrainConfig(task="reverse", batch_size=32)
    tokens, targets = ac.make_batch(cfg, np.random.RandomState(0))
    assert tokens.shape == targets.shape == (32, 8)
    assert tokens.min() >= 0 and tokens.max() < 10
    assert np.array_equal(targets, tokens[:, ::-1])


# ---------------------------------------------------------------- training learns


@pytest.fixture(scope="module")
def runs() -> dict[str, ac.TrainingRun]:
    """The default runs, trained once for the module."""
    return {
        "previous_token": ac.train(ac.TrainConfig(task="previous_token")),
        "reverse": ac.train(ac.TrainConfig(task="reverse")),
        "none": ac.train(ac.TrainConfig(task="previous_token", positional="none")),
    }


@pytest.mark.parametrize("task", ["previous_token", "reverse"])
def test_default_training_reaches_95_percent_held_out(runs: dict[str, ac.TrainingRun], task: str) -> None:
    run = runs[task]
    assert run.eval_accuracy >= 0.95
    assert run.losses.shape == run.accuracies.shape == (300,)
    assert run.losses[-1] < run.losses[0] / 10


@pytest.mark.parametrize("task", ["previous_token", "reverse"])
def test_trained_alpha_is_on_the_needed_key(runs: dict[str, ac.TrainingRun], task: str) -> None:
    run = runs[task]
    last = run.snapshots[-1].weights[0]  # (n, n)
    keys = ac.needed_keys(task, 8)
    rows = np.flatnonzero(keys >= 0)
    assert float(np.mean(last[rows, keys[rows]])) >= 0.5
    assert ac.mean_needed_alpha(run.snapshots[-1].weights, task) >= 0.5
    assert ac.mean_needed_alpha(run.snapshots[0].weights, task) < 0.2


def test_step_zero_alpha_is_near_uniform(runs: dict[str, ac.TrainingRun]) -> None:
    first = runs["previous_token"].snapshots[0]
    assert first.step == 0
    assert np.max(np.abs(first.weights - 1 / 8)) < 0.03  # the notebook's flat α: every weight near 1/n
    np.testing.assert_allclose(first.weights.sum(axis=-1), 1.0)


def test_without_positions_previous_token_cannot_be_learned(runs: dict[str, ac.TrainingRun]) -> None:
    assert runs["none"].eval_accuracy < 0.5


def test_snapshots_cover_step_zero_to_the_end(runs: dict[str, ac.TrainingRun]) -> None:
    steps = [s.step for s in runs["reverse"].snapshots]
    assert steps == list(range(0, 301, 10))
    assert runs["reverse"].snapshots[-1].weights.shape == (1, 8, 8)
    assert runs["reverse"].snapshot_at(57).step == 50
    run = ac.train(ac.TrainConfig(steps=25, snapshot_every=10))
    assert [s.step for s in run.snapshots] == [0, 10, 20, 25]


def test_snapshot_trace_is_the_notebook_computation_on_learned_numbers(runs: dict[str, ac.TrainingRun]) -> None:
    run = runs["previous_token"]
    snap = run.snapshots[-1]
    trace = ac.snapshot_trace(run, snap)
    assert trace.tokens == tuple(str(t) for t in run.probe)
    # Two separate code paths (batched training forward, the trace engine) agree on α.
    np.testing.assert_allclose(trace.weights, snap.weights, atol=1e-12)
    # And the trace's output, read out, predicts the previous token on the probe.
    pred = np.argmax(trace.output @ snap.params["w_out"] + snap.params["b_out"], axis=-1)
    assert pred[1:].tolist() == run.probe[:-1].tolist()
    np.testing.assert_allclose(ac.query_key_scores(run, 300), trace.scores)
    assert ac.snapshot_trace(run, 0).weights.max() < 0.16


def test_snapshot_trace_with_two_heads_has_w_o() -> None:
    run = ac.train(ac.TrainConfig(n_heads=2, steps=20))
    trace = ac.snapshot_trace(run, run.snapshots[-1])
    assert trace.n_heads == 2 and trace.w_o is not None
    np.testing.assert_allclose(trace.weights, run.snapshots[-1].weights, atol=1e-12)


# ---------------------------------------------------------------- robustness


def test_training_is_deterministic_and_seed_dependent() -> None:
    cfg = ac.TrainConfig(steps=40)
    a, b = ac.train(cfg), ac.train(cfg)
    assert np.array_equal(a.losses, b.losses) and np.array_equal(a.snapshots[-1].weights, b.snapshots[-1].weights)
    c = ac.train(ac.TrainConfig(steps=40, seed=1))
    assert not np.array_equal(a.losses, c.losses)


def test_global_rng_is_untouched() -> None:
    np.random.seed(1234)
    before = np.random.get_state()
    ac.train(ac.TrainConfig(steps=5))
    after = np.random.get_state()
    assert before[0] == after[0] and np.array_equal(before[1], after[1]) and before[2:] == after[2:]


def test_threads_training_different_seeds_get_the_serial_results() -> None:
    cfgs = [ac.TrainConfig(steps=30, seed=s) for s in range(4)]
    serial = [ac.train(c) for c in cfgs]
    results: dict[int, ac.TrainingRun] = {}

    def work(i: int) -> None:
        results[i] = ac.train(cfgs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, run in enumerate(serial):
        assert np.array_equal(results[i].losses, run.losses)
        assert np.array_equal(results[i].snapshots[-1].weights, run.snapshots[-1].weights)


def test_progress_is_reported_and_results_are_read_only() -> None:
    calls: list[tuple[int, int]] = []
    run = ac.train(ac.TrainConfig(steps=12), progress=lambda s, n: calls.append((s, n)))
    assert calls[0] == (0, 12) and calls[-1] == (12, 12) and len(calls) == 13
    with pytest.raises(ValueError):
        run.snapshots[-1].weights[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        run.snapshots[-1].params["w_q"][0, 0, 0] = 1.0


@pytest.mark.parametrize("lr", [0.01, 0.003])
def test_adams_first_step_moves_each_weight_by_the_learning_rate(lr: float) -> None:
    """Kingma & Ba (2015), section 2.1: with the bias correction the first update is lr·g/(|g| + ε), so
    every weight with a gradient moves by lr (against it) and none by more; without the correction,
    (1 − β1)/√(1 − β2) ≈ 3.16 times that."""
    cfg = ac.TrainConfig(steps=1, snapshot_every=1, lr=lr, n_heads=2, d_k=4, d_v=4)
    start, first = (s.params for s in ac.train(cfg).snapshots)
    moves = np.concatenate([np.abs(first[k] - start[k]).ravel() for k in start])
    assert moves.max() <= lr * (1 + 1e-9)
    moved = moves[moves > 0]
    assert moved.size > moves.size / 2  # most weights have a gradient on a batch of 64
    assert np.median(moved) == pytest.approx(lr, rel=1e-3)  # |g| ≫ ε = 1e-8 for most of them


def test_loss_and_grads_rejects_bad_batches() -> None:
    cfg = ac.TrainConfig(vocab_size=5)
    p = ac.init_params(cfg)
    with pytest.raises(ValueError, match="tokens"):
        ac.loss_and_grads(p, np.full((2, 8), 5), np.zeros((2, 8), dtype=int), cfg)
    with pytest.raises(ValueError, match="shape"):
        ac.loss_and_grads(p, np.zeros((2, 8), dtype=int), np.zeros((2, 7), dtype=int), cfg)
