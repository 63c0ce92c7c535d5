"""Unit and property tests of the teaching views (analysis.py) and of hand edits (ui/edits.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attention_core as ac
from ui.edits import apply_edits, decode_edits, encode_edits


def test_variant_equals_compute_with_other_flags() -> None:
    base = ac.compute(ac.AttentionConfig(sentence="the cat sat on the mat", n_heads=2, d_model=8))
    for kw in ({"scaled": True}, {"causal": True}, {"scaled": True, "causal": True}):
        expected = ac.compute(ac.AttentionConfig(sentence="the cat sat on the mat", n_heads=2, d_model=8, **kw))
        got = ac.variant(base, **kw)
        np.testing.assert_array_equal(got.weights, expected.weights)
        np.testing.assert_array_equal(got.output, expected.output)


def test_temperature_sweep_matches_traces_at_each_temperature() -> None:
    config = ac.AttentionConfig(causal=True, scaled=True)
    trace = ac.compute(config)
    temps = (0.5, 1.0, 3.0)
    sweep = ac.temperature_sweep(trace, 2, temps)
    for row, temp in zip(sweep, temps, strict=True):
        other = ac.compute(ac.AttentionConfig(causal=True, scaled=True, temperature=temp))
        np.testing.assert_allclose(row, other.weights[0, 2], atol=1e-14)
    assert np.all(sweep[:, 3:] == 0.0)  # masked keys stay at exactly zero


def test_entropy_by_dk_scaling_only_raises_entropy() -> None:
    plain, scaled = ac.entropy_by_dk(ac.AttentionConfig(d_model=32), (1, 4, 64, 256))
    assert plain[0] == pytest.approx(scaled[0])
    assert np.all(plain <= scaled + 1e-12)
    assert plain[-1] < plain[0]  # unscaled, softmax saturates as d_k grows


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 12), st.integers(2, 6), st.integers(0, 2**16))
def test_pca_is_orthogonal_projection_with_sorted_explained_variance(m: int, d: int, seed: int) -> None:
    points = np.random.RandomState(seed).randn(m, d)
    coords, ratio = ac.pca(points, 2)
    assert coords.shape == (m, 2)
    assert np.all(ratio >= 0) and ratio.sum() <= 1 + 1e-12 and ratio[0] >= ratio[1] - 1e-12
    # Full-rank projection keeps every pairwise distance.
    full, full_ratio = ac.pca(points, d)
    assert full_ratio.sum() == pytest.approx(1.0)
    dist = np.linalg.norm(points[:, None] - points[None], axis=-1)
    np.testing.assert_allclose(np.linalg.norm(full[:, None] - full[None], axis=-1), dist, atol=1e-9)


def test_pca_of_points_on_a_line_explains_everything() -> None:
    t = np.linspace(-1, 1, 7)[:, None]
    coords, ratio = ac.pca(t * np.array([[1.0, 2.0, -2.0]]), 3)
    assert ratio[0] == pytest.approx(1.0) and ratio[1:] == pytest.approx([0.0, 0.0], abs=1e-12)
    np.testing.assert_allclose(np.abs(coords[:, 0]), np.abs(t[:, 0]) * 3.0, atol=1e-12)


def test_edits_round_trip_and_drop_garbage() -> None:
    edits = {("e", 0, 1, 2): 0.5, ("wq", 1, 0, 2): -1e-7, ("p", 0, 0, 0): 3.0}
    text = encode_edits(edits)
    assert dict(((m, h, r, c), v) for m, h, r, c, v in decode_edits(text)) == edits
    garbage = "e.0.0.0=nan,e.0.0.1=inf,zz.0.0.0=1,e.0.-1.0=2,e.0.0=1,=,,e.0.0.2=abc,wk.0.0.0=2"
    assert decode_edits(garbage) == (("wk", 0, 0, 0, 2.0),)


def test_apply_edits_changes_only_the_edited_cells_and_ignores_out_of_shape() -> None:
    trace = ac.compute(ac.AttentionConfig())
    edited = apply_edits(trace, (("e", 0, 0, 0, 1.5), ("wv", 0, 3, 2, 0.25), ("e", 0, 99, 0, 5.0)))
    e = trace.embeddings.copy()
    e[0, 0] = 1.5
    wv = trace.w_v.copy()
    wv[0, 3, 2] = 0.25
    np.testing.assert_array_equal(edited.embeddings, e)
    np.testing.assert_array_equal(edited.w_v, wv)
    expected = ac.trace_from_matrices(trace.tokens, e, trace.positions, trace.w_q, trace.w_k, wv)
    np.testing.assert_array_equal(edited.weights, expected.weights)
    assert edited.positional_used.scheme == "custom"


def test_shuffle_order_takes_any_seed_the_pages_derive() -> None:
    """The multi-head page shuffles with seed·1000 + k; a seed above 4 294 967 overflowed RandomState."""
    for seed in (0, 23, 4_294_967_295 * 1000 + 7, -1):
        order = ac.shuffle_order(6, seed)
        assert sorted(order) == list(range(6)) and order != tuple(range(6))


def test_variant_changes_only_what_it_is_asked_to() -> None:
    config = ac.AttentionConfig(
        sentence="the cat sat on the mat", n_heads=2, positional="sinusoidal", scaled=True, causal=True,
        temperature=2.5, weight_scale=0.5,
    )  # fmt: skip
    trace = ac.compute(config)
    same = ac.variant(trace)  # nothing asked: the trace's own scale, mask, temperature and positions
    np.testing.assert_array_equal(same.weights, trace.weights)
    assert (same.scale, same.causal, same.temperature) == (trace.scale, True, 2.5)
    assert same.positional_used == trace.positional_used
    for kw in ({"temperature": 0.5}, {"scaled": False}, {"causal": False}):
        got = ac.variant(trace, **kw)  # type: ignore[arg-type]
        expected = ac.compute(dataclasses.replace(config, **kw))
        np.testing.assert_array_equal(got.weights, expected.weights)
        assert (got.scale, got.causal, got.temperature) == (expected.scale, expected.causal, expected.temperature)


def test_pca_ratio_is_each_axis_share_of_the_variance_and_ignores_translation() -> None:
    rng = np.random.RandomState(2)
    points = rng.randn(9, 4) * np.array([3.0, 1.0, 0.5, 0.1])
    coords, ratio = ac.pca(points, 3)
    # Explained variance ratio, from its definition: the variance along the axis over the total.
    np.testing.assert_allclose(ratio, coords.var(axis=0) / points.var(axis=0).sum(), rtol=1e-12)
    np.testing.assert_allclose(coords.mean(axis=0), 0.0, atol=1e-12)  # centred
    moved, moved_ratio = ac.pca(points + np.array([100.0, -7.0, 3.0, 0.0]), 3)
    np.testing.assert_allclose(np.abs(moved), np.abs(coords), atol=1e-9)
    np.testing.assert_allclose(moved_ratio, ratio, rtol=1e-9)
    small, small_ratio = ac.pca(points * 0.01, 3)  # a total variance under 1 is still a variance
    np.testing.assert_allclose(np.abs(small), np.abs(coords) * 0.01, atol=1e-12)
    np.testing.assert_allclose(small_ratio, ratio, rtol=1e-9)


def test_pca_asked_for_more_axes_than_the_data_has() -> None:
    coords, ratio = ac.pca([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]], 3)  # two points: one direction
    assert coords.shape == (2, 3) and ratio.shape == (3,)
    np.testing.assert_allclose(np.abs(coords[:, 0]), [1.5, 1.5])  # half of the distance 3 each side
    np.testing.assert_allclose(coords[:, 1], 0.0, atol=1e-12)  # the line has no second direction
    np.testing.assert_array_equal(coords[:, 2], 0.0)  # and two points have no third axis at all: zeros
    np.testing.assert_allclose(ratio, [1.0, 0.0, 0.0], atol=1e-15)
    same, none = ac.pca(np.ones((4, 2)), 2)  # identical points: no variance, no NaN
    np.testing.assert_array_equal(same, 0.0)
    np.testing.assert_array_equal(none, 0.0)


def test_relative_size_is_the_ratio_of_norms() -> None:
    block = ac.compute_block(ac.AttentionConfig(), norm_first=False)
    share = ac.relative_size(block.encoder.attn_output, block.encoder.x)
    assert share == pytest.approx(0.0013534, rel=1e-4)  # the encoder page's "0.14 % of ‖X‖"
    assert ac.relative_size(2 * block.encoder.x, block.encoder.x) == pytest.approx(2.0)
    # Frobenius norms of any shapes, lists of integers included: ‖(6, 8)‖ = 10, ‖[[1, 2], [2, 4]]‖ = 5.
    assert ac.relative_size([[6, 8]], [[1, 2], [2, 4]]) == 2.0
    assert ac.relative_size(np.zeros(3), [0, 0, 1]) == 0.0
    with pytest.raises(ValueError, match=r"^base must not be all zeros$"):
        ac.relative_size([1.0], [[0.0, 0.0]])


def test_scaled_pair_is_unscaled_then_scaled_whatever_the_config_says() -> None:
    for scaled in (False, True):
        plain, divided = ac.scaled_pair(ac.AttentionConfig(d_k=4, scaled=scaled))
        assert (plain.scale, divided.scale) == (1.0, 0.5)  # 1/√4
        np.testing.assert_allclose(divided.logits, plain.logits / 2, rtol=1e-15)


@pytest.mark.parametrize("d_k", [1, 4])
def test_a_scaled_trace_stays_scaled_through_every_rebuild(d_k: int) -> None:
    """At d_k = 1 a scaled trace's factor 1/√d_k is 1: "scaled" is a fact the trace stores, not read off the factor."""
    config = ac.AttentionConfig(sentence="the cat sat", d_k=d_k, scaled=True)
    trace = ac.compute(config)
    assert trace.scaled and trace.scale == 1 / np.sqrt(d_k)
    rebuilt = {
        "variant": ac.variant(trace, causal=True),
        "temperature": ac.variant(trace, temperature=2.0),
        "permuted": ac.permuted(trace, (2, 0, 1)),
        "edited": apply_edits(trace, (("wq", 0, 0, 0, 0.7),)),
    }
    for name, got in rebuilt.items():
        assert got.scaled and got.scale == trace.scale, name
    unscaled = ac.variant(trace, scaled=False)
    assert not unscaled.scaled and unscaled.scale == 1.0
    assert not ac.variant(unscaled).scaled and ac.variant(unscaled, scaled=True).scaled
    assert trace.to_dict()["scaled"] is True and unscaled.to_dict()["scaled"] is False
    # The numbers: the edited trace is the scaled computation on the edited W_Q.
    wq = trace.w_q.copy()
    wq[0, 0, 0] = 0.7
    expected = ac.trace_from_matrices(
        trace.tokens, trace.embeddings, trace.positions, wq, trace.w_k, trace.w_v, scaled=True
    )
    np.testing.assert_array_equal(rebuilt["edited"].weights, expected.weights)


def test_rebuild_keeps_what_it_is_not_given() -> None:
    trace = ac.compute(
        ac.AttentionConfig(sentence="the cat sat on", n_heads=2, positional="sinusoidal", causal=True, temperature=0.5)
    )
    same = ac.variant(trace)
    for name in ("tokens", "positional_used", "scaled", "causal", "temperature"):
        assert getattr(same, name) == getattr(trace, name), name
    for name in ("embeddings", "positions", "w_q", "w_k", "w_v", "w_o", "weights", "output"):
        np.testing.assert_array_equal(getattr(same, name), getattr(trace, name), err_msg=name)
