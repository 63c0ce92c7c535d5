"""The teaching views' numbers: entropy ceilings under the mask, the √d_k study, the
query-aligned view, the α spread, shuffled words and the hand-designed heads."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attention_core as ac

SENTENCE = "the cat saw the dog and the bird"


# --- the entropy ceiling -----------------------------------------------------------------------


def test_entropy_ceiling_without_mask_is_ln_n() -> None:
    trace = ac.compute(ac.AttentionConfig())
    np.testing.assert_allclose(ac.max_entropy(trace), np.full(5, math.log(5)))


def test_entropy_ceiling_under_the_causal_mask_is_ln_of_the_visible_keys() -> None:
    trace = ac.compute(ac.AttentionConfig(causal=True))
    np.testing.assert_allclose(ac.max_entropy(trace), np.log([1, 2, 3, 4, 5]))
    table = ac.entropy_table(ac.variant(trace, scaled=False), ac.variant(trace, scaled=True))
    assert table.shape == (5, 3)
    assert table[0, 0] == 0.0 and table[0, 2] == 0.0  # row 1 sees one key: 0 is forced, not "saturated"
    # No row can exceed its ceiling, and at weights ×0.1 every row is close to it.
    assert np.all(table[:, :2] <= table[:, 2:] + 1e-12)
    assert np.all(table[:, 2:] - table[:, :2] < 0.01)


def test_entropy_table_columns_are_the_two_traces_entropies() -> None:
    config = ac.AttentionConfig(sentence=SENTENCE, d_model=8, d_k=16, weight_scale=0.5)
    plain, scaled = ac.scaled_pair(config)
    table = ac.entropy_table(plain, scaled)
    w = plain.weights[0]
    np.testing.assert_allclose(table[:, 0], -np.sum(w * np.log(w), axis=1))  # the definition, in nats
    assert np.all(table[:, 0] < table[:, 1])  # at this scale, dividing by 4 flattens every row


# --- why √d_k ---------------------------------------------------------------------------------

D_KS = (1, 2, 4, 16, 64, 256)


def test_std_of_q_dot_k_grows_like_sqrt_dk_unscaled_and_stays_one_scaled() -> None:
    study = ac.scaling_study(12, D_KS, seeds=20)
    ratio = study.std_unscaled / np.sqrt(np.array(D_KS))
    np.testing.assert_allclose(ratio, 1.0, atol=0.12)
    np.testing.assert_allclose(study.std_scaled, 1.0, atol=0.12)
    assert study.std_unscaled[-1] > 12 * study.std_unscaled[0]  # √256 = 16 times d_k = 1


def test_unscaled_entropy_collapses_and_scaled_entropy_stays_level() -> None:
    study = ac.scaling_study(5, D_KS, seeds=20)
    assert study.entropy_unscaled[0] == pytest.approx(study.entropy_scaled[0])  # √1 = 1
    assert study.entropy_unscaled[-1] < 0.25  # one key takes almost all the weight
    assert np.all(np.diff(study.entropy_unscaled[1:]) < 0)
    assert np.ptp(study.entropy_scaled) < 0.15  # level within noise
    assert np.all(study.entropy_scaled > 1.2)  # and near ln 5 = 1.609


def test_the_studys_reference_curves_are_ln_n_and_sqrt_dk() -> None:
    """The page's dashed lines: the even-spread ceiling ln n, and the paper's √d_k that std(q·k) follows."""
    study = ac.scaling_study(5, (1, 4, 64), seeds=3)
    np.testing.assert_allclose(study.entropy_ceiling, [1.6094379124341003] * 3)  # ln 5
    np.testing.assert_allclose(study.std_theory, [1.0, 2.0, 8.0])
    assert np.all(study.entropy_unscaled <= study.entropy_ceiling + 1e-12)  # no α row beats an even one


def test_scaling_study_is_reproducible_and_independent_per_dk() -> None:
    a = ac.scaling_study(5, (4, 64), seeds=5)
    b = ac.scaling_study(5, (64,), seeds=5)
    assert a.std_unscaled[1] == b.std_unscaled[0]
    with pytest.raises(ValueError):
        ac.scaling_study(5, (0,))


# --- the query-aligned view -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 9),
    d_k=st.integers(1, 12),
    dims=st.sampled_from([2, 3]),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_query_aligned_view_reads_q_dot_k_exactly(n: int, d_k: int, dims: int, seed: int, data: st.DataObject) -> None:
    rng = np.random.RandomState(seed)
    q, k = rng.randn(n, d_k), rng.randn(n, d_k)
    i = data.draw(st.integers(0, n - 1))
    view = ac.query_aligned_view(q, k, i, dims)
    np.testing.assert_allclose(view.keys[:, 0] * view.query_norm, k @ q[i], atol=1e-12)
    assert view.queries[i, 0] == pytest.approx(np.linalg.norm(q[i]))  # q_i lies on axis 1
    np.testing.assert_allclose(view.queries[i, 1:], 0.0, atol=1e-12)
    used = view.axes[np.linalg.norm(view.axes, axis=1) > 0]
    np.testing.assert_allclose(used @ used.T, np.eye(len(used)), atol=1e-12)  # orthonormal: no stretching
    assert 0.0 <= view.kept <= 1.0
    if d_k <= dims:
        assert view.kept == pytest.approx(1.0)  # nothing is lost when the view has room for d_k


def test_query_aligned_view_against_the_trace_where_pca_fails() -> None:
    """The issue's measured case: PCA from the centred origin misread q₁·k; this view reads it exactly."""
    trace = ac.compute(ac.AttentionConfig(d_model=8, d_k=6))
    q, k = trace.q[0], trace.k[0]
    view = ac.query_aligned_view(q, k, 0, 2)
    np.testing.assert_allclose(view.keys[:, 0] * view.query_norm, trace.scores[0, 0], atol=1e-14)
    coords, _ = ac.pca(np.vstack([q, k]), 2)
    read_off = coords[5:] @ coords[0]  # what a reader of the centred PCA plot would take for q·k
    assert np.max(np.abs(read_off - trace.scores[0, 0])) > 0.01


def test_query_aligned_view_with_a_zero_query() -> None:
    k = np.array([[1.0, 2.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
    view = ac.query_aligned_view(np.zeros((2, 4)), k, 0, 2)
    assert view.query_norm == 0.0
    np.testing.assert_allclose(view.queries, 0.0)


# --- "why are all α about 0.2?" ---------------------------------------------------------------


@pytest.mark.parametrize(("scale", "alpha_max"), [(0.1, 0.23), (0.3, 0.52), (0.5, 0.89)])
def test_weight_scale_sets_how_peaked_alpha_is(scale: float, alpha_max: float) -> None:
    trace = ac.compute(ac.AttentionConfig(weight_scale=scale))
    assert float(trace.weights.max()) == pytest.approx(alpha_max, abs=0.005)


def test_alpha_spread_at_the_notebook_defaults() -> None:
    trace = ac.compute(ac.AttentionConfig())
    lo, hi, ratio = ac.alpha_spread(trace)
    assert -0.2 < lo < 0 < hi < 0.2  # the logits lie within about ±0.2
    assert ratio == pytest.approx(1.395, abs=0.001)  # so the largest α is at most ~1.4× the smallest
    w = trace.weights[0]
    assert float(np.max(w.max(axis=1) / w.min(axis=1))) == pytest.approx(ratio)  # the same, from α itself


def test_alpha_spread_ignores_masked_cells() -> None:
    trace = ac.compute(ac.AttentionConfig(causal=True))
    _, _, ratio = ac.alpha_spread(trace)
    w = np.where(np.isfinite(trace.logits[0]), trace.weights[0], np.nan)
    assert ratio == pytest.approx(float(np.nanmax(np.nanmax(w, axis=1) / np.nanmin(w, axis=1))))


# --- shuffling the words ----------------------------------------------------------------------


def test_without_positions_or_mask_shuffled_words_permute_the_output_rows() -> None:
    trace = ac.compute(ac.AttentionConfig(sentence=SENTENCE, positional="none"))
    order = ac.shuffle_order(trace.n_tokens, 3)
    assert sorted(order) == list(range(trace.n_tokens)) and list(order) != list(range(trace.n_tokens))
    assert ac.permutation_gap(trace, order) < 1e-14
    shuffled = ac.permuted(trace, order)
    assert shuffled.tokens == tuple(trace.tokens[j] for j in order)
    the = [t for t, w in enumerate(shuffled.tokens) if w == "the"]
    for t in the[1:]:  # a repeated word gets identical rows
        np.testing.assert_array_equal(shuffled.output[t], shuffled.output[the[0]])


@pytest.mark.parametrize("change", [{"positional": "sinusoidal"}, {"positional": "none", "causal": True}])
def test_positions_or_the_causal_mask_make_order_visible(change: dict[str, object]) -> None:
    trace = ac.compute(ac.AttentionConfig(sentence=SENTENCE, weight_scale=0.5, **change))  # type: ignore[arg-type]
    assert ac.permutation_gap(trace, (7, 6, 5, 4, 3, 2, 1, 0)) > 1e-3


def test_permuted_rejects_a_non_permutation() -> None:
    trace = ac.compute(ac.AttentionConfig())
    with pytest.raises(ValueError):
        ac.permuted(trace, (0, 0, 1, 2, 3))


# --- hand-designed heads ----------------------------------------------------------------------


def test_shift_matrix_moves_sinusoidal_positions_one_step() -> None:
    for d in (2, 4, 6, 16):
        p = ac.sinusoidal_positions(12, d)
        np.testing.assert_allclose(p[:-1] @ ac.shift_matrix(d), p[1:], atol=1e-12)
        m = ac.shift_matrix(d)
        np.testing.assert_allclose(m @ m.T, np.eye(d), atol=1e-12)  # a rotation: lengths kept


@pytest.mark.parametrize("d_model", [4, 8, 64])
@pytest.mark.parametrize("sentence", [ac.NOTEBOOK_SENTENCE, SENTENCE])
def test_previous_word_head_puts_most_weight_on_the_previous_word(sentence: str, d_model: int) -> None:
    trace = ac.designed_head(ac.AttentionConfig(sentence=sentence, d_model=d_model), "previous")
    w = trace.weights[0]
    for t in range(1, trace.n_tokens):
        assert int(np.argmax(w[t])) == t - 1
        assert w[t, t - 1] > 0.5
    assert trace.positional_used.scheme == "sinusoidal"
    np.testing.assert_array_equal(trace.embeddings, 0.0)  # it reads positions only


@pytest.mark.parametrize("seed", [23, 0, 7])
def test_same_word_head_attends_to_identical_words(seed: int) -> None:
    trace = ac.designed_head(ac.AttentionConfig(sentence=SENTENCE, d_model=16, seed=seed), "same")
    w, toks = trace.weights[0], trace.tokens
    for t, word in enumerate(toks):
        same = [s for s, other in enumerate(toks) if other == word]
        assert toks[int(np.argmax(w[t]))] == word
        assert w[t, same].sum() > 0.5
        if len(same) > 1:  # every copy of a word gets the same weight
            np.testing.assert_allclose(w[t, same], w[t, same[0]])
    np.testing.assert_array_equal(trace.positions, 0.0)  # no positions: the word alone decides


def test_designed_heads_are_plain_traces_and_reject_unknown_designs() -> None:
    config = ac.AttentionConfig()
    trace = ac.designed_head(config, "same")
    assert trace.n_heads == 1 and trace.scale == 1.0 and not trace.causal
    with pytest.raises(ValueError):
        ac.designed_head(config, "next")
    with pytest.raises(ValueError):
        ac.designed_head(config, "same", sharpness=0.0)
    assert ac.compute(config).weights[0, 0, 0] == pytest.approx(0.1984, abs=5e-5)  # defaults untouched
    assert dataclasses.replace(config) == config


def test_shuffle_order_accepts_any_integer_seed() -> None:
    """The multi-head page seeds it with seed * 1000 + clicks, past 2**32 for seeds above 4294967."""
    big = ac.shuffle_order(8, 4_295_058 * 1000)
    assert sorted(big) == list(range(8)) and big != tuple(range(8))
    assert ac.shuffle_order(8, 2**32 + 3) == ac.shuffle_order(8, 3)
