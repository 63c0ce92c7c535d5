"""Many threads computing at once (one server process, many users) get the serial results."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from attention_core import AttentionConfig, AttentionTrace, compute
from attention_core.trace import ARRAY_FIELDS

SENTENCE = " ".join(f"w{i}" for i in range(24)) + " w0 w5 w7"  # with repeats


def _configs() -> list[AttentionConfig]:
    """64 runs: different seeds, sizes, heads and options, so no two tasks share a result."""
    out = []
    for t in range(64):
        out.append(
            AttentionConfig(
                sentence=SENTENCE if t % 2 else "me gusta estudiar inteligencia artificial",
                d_model=(4, 16, 32, 64)[t % 4],
                d_k=(3, 8)[t % 2],
                d_v=(3, 4)[t % 2],
                seed=1000 + 7919 * t,
                n_heads=(1, 2, 4)[t % 3],
                positional=("notebook", "sinusoidal", "none")[t % 3],
                scaled=bool(t % 5 == 0),
                causal=bool(t % 7 == 0),
                temperature=(1.0, 0.5, 2.0)[t % 3],
            )
        )
    return out


def _assert_same(a: AttentionTrace, b: AttentionTrace) -> None:
    assert a.tokens == b.tokens
    assert a.positional_used == b.positional_used
    for name in ARRAY_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            np.testing.assert_array_equal(x, y, err_msg=name)


def test_threads_get_exactly_the_serial_results() -> None:
    configs = _configs()
    serial = [compute(c) for c in configs]
    assert len({float(t.output.sum()) for t in serial}) == len(configs)  # all distinct

    start = threading.Barrier(8)

    def run(c: AttentionConfig) -> AttentionTrace:
        if c.seed < 1000 + 7919 * 8:  # the first wave starts together, to maximise overlap
            start.wait(timeout=10)
        return compute(c)

    np.random.seed(777)
    global_before = np.random.get_state()
    for _ in range(2):  # twice: different interleavings
        with ThreadPoolExecutor(max_workers=8) as pool:
            parallel = list(pool.map(run, configs))
        for s, p in zip(serial, parallel, strict=True):
            _assert_same(s, p)
        start.reset()
    global_after = np.random.get_state()
    np.testing.assert_array_equal(global_before[1], global_after[1])
    assert global_before[2:] == global_after[2:]


def test_threads_interleaving_with_global_rng_users() -> None:
    """Code that reseeds the global RNG meanwhile (a notebook, another library) changes nothing."""
    configs = _configs()[:16]
    serial = [compute(c) for c in configs]
    stop = threading.Event()

    def meddle() -> None:
        while not stop.is_set():
            np.random.seed(0)
            np.random.randn(100)

    meddler = threading.Thread(target=meddle)
    meddler.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            parallel = list(pool.map(compute, configs * 4))
    finally:
        stop.set()
        meddler.join()
    for i, p in enumerate(parallel):
        _assert_same(serial[i % len(configs)], p)
