"""The teaching views' numbers: entropy ceilings under the mask, the √d_k study, the
query-aligned view, the α spread, shuffled words and the hand-designed heads."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attention_core as ac
from attention_core.designed import DEFAULT_SHARPNESS, shift_gap
from attention_core.embeddings import sinusoidal_frequencies

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


@pytest.mark.parametrize(("gap", "expected"), [(700.0, math.exp(700.0)), (900.0, math.inf), (1e200, math.inf)])
def test_alpha_spread_past_a_floats_range_is_infinite_without_a_warning(gap: float, expected: float) -> None:
    """Logits 0 and `gap` in a row: α_max / α_min = e^gap; past about e^709 no float holds it."""
    x = math.sqrt(gap)  # one dimension: the first row's scores are x·x = gap and x·0 = 0
    trace = ac.trace_from_matrices(["a", "b"], [[x], [0.0]], [[0.0], [0.0]], [[1.0]], [[1.0]], [[1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflow warning of exp(gap) fails the test
        lo, hi, ratio = ac.alpha_spread(trace)
    assert (lo, hi) == (0.0, pytest.approx(gap))
    assert ratio == pytest.approx(expected, rel=1e-9)
    if math.isfinite(expected):  # the same ratio read off α itself
        w = trace.weights[0, 0]
        assert float(w.max() / w.min()) == pytest.approx(expected, rel=1e-9)


def test_alpha_spread_of_logits_near_the_float_limit_on_both_sides() -> None:
    x = 1e154  # scores x·x = 1e308 and x·(−x) = −1e308: both finite, their gap is not
    trace = ac.trace_from_matrices(["a", "b"], [[x], [-x]], [[0.0], [0.0]], [[1.0]], [[1.0]], [[1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ac.alpha_spread(trace) == (-1e308, 1e308, math.inf)


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


@pytest.mark.parametrize("d_model", [1, 2, 5, 8])
def test_sinusoidal_frequencies_are_the_papers(d_model: int) -> None:
    got = sinusoidal_frequencies(d_model)
    assert got.shape == ((d_model + 1) // 2,)
    np.testing.assert_allclose(got, [10000 ** (-2 * i / d_model) for i in range((d_model + 1) // 2)], rtol=1e-15)


@pytest.mark.parametrize("d_model", [2, 3, 4, 16])
def test_shift_gap_is_how_far_one_step_moves_the_positions(d_model: int) -> None:
    """PE(t)·PE(t) − PE(t)·PE(t+1), read off the positions themselves (an odd d's last sine is no pair)."""
    p = ac.sinusoidal_positions(9, d_model)[:, : 2 * (d_model // 2)]
    for t in range(8):
        assert shift_gap(d_model) == pytest.approx(p[t] @ p[t] - p[t] @ p[t + 1], abs=1e-12)


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


@pytest.mark.parametrize("sharpness", [0.5, DEFAULT_SHARPNESS, 10.0])
def test_same_word_head_logit_is_sharpness_times_the_cosine(sharpness: float) -> None:
    """q_t·k_s = s·cos(e_t, e_s): the word itself gets exactly s, an orthogonal word 0."""
    config = ac.AttentionConfig(sentence=SENTENCE, d_model=8)
    e = ac.compute(config).embeddings  # the sentence's seeded embeddings, before the head rescales them
    cos = (e @ e.T) / np.outer(np.linalg.norm(e, axis=1), np.linalg.norm(e, axis=1))
    trace = ac.designed_head(config, "same", sharpness=sharpness)
    np.testing.assert_allclose(trace.logits[0], sharpness * cos, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.diag(trace.logits[0]), sharpness, rtol=1e-12)


@pytest.mark.parametrize("d_model", [4, 5, 16])
@pytest.mark.parametrize("sharpness", [0.5, DEFAULT_SHARPNESS, 10.0])
def test_previous_word_head_costs_sharpness_per_step_of_position(sharpness: float, d_model: int) -> None:
    """The previous position's logit exceeds its neighbours' (the word itself, two back) by exactly s."""
    trace = ac.designed_head(ac.AttentionConfig(sentence=SENTENCE, d_model=d_model), "previous", sharpness=sharpness)
    ell = trace.logits[0]
    for t in range(1, trace.n_tokens):
        assert ell[t, t - 1] - ell[t, t] == pytest.approx(sharpness, rel=1e-9)
        if t >= 2:
            assert ell[t, t - 1] - ell[t, t - 2] == pytest.approx(sharpness, rel=1e-9)


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


# --- written for the mutation run (docs/mutation.md): behaviour no test above pinned ---------


def test_scaling_study_rejects_empty_sizes_and_accepts_the_smallest_ones() -> None:
    for n_tokens, d_ks, seeds in ((0, (4,), 20), (5, (4,), 0), (5, (4, -1), 20)):
        with pytest.raises(ValueError, match="must be >= 1"):
            ac.scaling_study(n_tokens, d_ks, seeds=seeds)
    # One token: its only key takes all the weight (entropy 0, the ceiling ln 1); d_k = 1 and one seed are valid.
    study = ac.scaling_study(1, (1, 3), seeds=1)
    np.testing.assert_array_equal(study.entropy_unscaled, [0.0, 0.0])
    np.testing.assert_array_equal(study.entropy_ceiling, [0.0, 0.0])
    assert study.std_unscaled[0] == study.std_scaled[0]  # √1 = 1: scaling changes nothing at d_k = 1


def test_scaling_study_averages_independent_seeds_and_keeps_what_it_was_asked() -> None:
    """Seed s of a study started at `seed` is seed + s of a study started there: the mean over
    two seeds is the mean of the two one-seed studies (each seed draws the same number of pairs)."""
    d_ks = np.array([2, 16])  # numpy integers, as a page may pass them
    both = ac.scaling_study(4, d_ks, seeds=2, seed=5)
    first, second = (ac.scaling_study(4, d_ks, seeds=1, seed=s) for s in (5, 6))
    for name in ("entropy_unscaled", "entropy_scaled"):
        np.testing.assert_allclose(getattr(both, name), (getattr(first, name) + getattr(second, name)) / 2, rtol=1e-12)
    assert not np.array_equal(first.entropy_unscaled, second.entropy_unscaled)  # two seeds, two draws
    assert both.d_ks == (2, 16) and all(type(d) is int for d in both.d_ks)
    assert both.n_tokens == 4 and both.seeds == 2
    for name in ("entropy_unscaled", "entropy_scaled", "std_unscaled", "std_scaled"):
        with pytest.raises(ValueError):
            getattr(both, name)[0] = 1.0  # shared by every user of the cached study: read-only


@pytest.mark.parametrize(
    ("q", "k", "i", "dims", "words"),
    [
        (np.ones(3), np.ones((2, 3)), 0, 2, "must be (n, d_k)"),
        (np.ones((2, 3)), np.ones(3), 0, 2, "must be (n, d_k)"),
        (np.ones((2, 3)), np.ones((2, 4)), 0, 2, "must be (n, d_k)"),
        (np.ones((2, 3)), np.ones((2, 3)), -1, 2, "query index must be in 0..1, got -1"),
        (np.ones((2, 3)), np.ones((2, 3)), 2, 2, "query index must be in 0..1, got 2"),
        (np.ones((2, 3)), np.ones((2, 3)), 0, 1, "dims must be 2 or 3, got 1"),
        (np.ones((2, 3)), np.ones((2, 3)), 0, 4, "dims must be 2 or 3, got 4"),
    ],
)
def test_query_aligned_view_rejects_bad_arguments_in_words(
    q: np.ndarray, k: np.ndarray, i: int, dims: int, words: str
) -> None:
    with pytest.raises(ValueError) as err:
        ac.query_aligned_view(q, k, i, dims)
    assert words in str(err.value)


def test_query_aligned_view_at_the_edges_of_its_arguments() -> None:
    rng = np.random.RandomState(4)
    q, k = rng.randn(3, 5), rng.randn(4, 5)  # more keys than queries: m and n may differ
    for i in (0, 2):  # the first and the last query are valid
        view = ac.query_aligned_view(q, k, i, 3)
        np.testing.assert_allclose(view.keys[:, 0] * view.query_norm, k @ q[i], atol=1e-12)
        assert view.queries.shape == (3, 3) and view.keys.shape == (4, 3) and view.axes.shape == (3, 5)
        for a in (view.queries, view.keys, view.axes):  # a cached view is shared: read-only
            with pytest.raises(ValueError):
                a[0, 0] = 1.0
    # A query shorter than 1 still defines axis 1 (only a zero query falls back to the keys).
    small = ac.query_aligned_view(q * 0.01, k, 1, 2)
    np.testing.assert_allclose(small.axes[0], q[1] / np.linalg.norm(q[1]), atol=1e-12)


def test_query_aligned_view_of_a_zero_query_takes_the_keys_main_direction() -> None:
    k = np.array([[1.0, 2.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]])
    view = ac.query_aligned_view(np.zeros((2, 4)), k, 0, 3)
    # The keys' main direction: the top eigenvector of kᵀk (eigh, not the SVD the view uses).
    main = np.linalg.eigh(k.T @ k)[1][:, -1]
    assert abs(float(view.axes[0] @ main)) == pytest.approx(1.0)
    used = view.axes[np.linalg.norm(view.axes, axis=1) > 0]
    assert len(used) == 3  # no NaN, no missing axis: still a full orthonormal frame
    np.testing.assert_allclose(used @ used.T, np.eye(3), atol=1e-12)
    assert view.kept == pytest.approx(1.0)  # two keys span a plane: the view holds all of them
    np.testing.assert_allclose(np.linalg.norm(view.keys, axis=1), np.linalg.norm(k, axis=1), atol=1e-12)


def test_query_aligned_view_with_zero_keys_keeps_everything_there_is() -> None:
    view = ac.query_aligned_view(np.array([[3.0, 4.0, 0.0]]), np.zeros((2, 3)), 0, 2)
    assert view.kept == 1.0  # nothing to lose, not 0/0
    assert view.query_norm == 5.0
    np.testing.assert_allclose(view.queries, [[5.0, 0.0]], atol=1e-12)
    np.testing.assert_array_equal(view.keys, 0.0)


def test_query_aligned_view_keeps_the_share_of_the_keys_it_shows() -> None:
    """`kept` is ‖keys inside the view‖² / ‖keys‖²: here axis 1 is e₁ and the keys' other main
    direction is e₂, so the view holds the first two coordinates of every key."""
    q = np.array([[2.0, 0.0, 0.0, 0.0]])
    k = np.array([[1.0, 3.0, 0.0, 0.0], [1.0, -3.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    view = ac.query_aligned_view(q, k, 0, 2)
    assert view.kept == pytest.approx(20 / 21)  # (1 + 9 + 1 + 9) of the keys' 21
    np.testing.assert_allclose(np.abs(view.keys), [[1.0, 3.0], [1.0, 3.0], [0.0, 0.0]], atol=1e-12)
    assert ac.query_aligned_view(q, k * 0.1, 0, 2).kept == pytest.approx(20 / 21)  # a share: any length of keys


def test_query_aligned_view_second_axis_when_the_keys_lie_mostly_along_the_query() -> None:
    """Axis 2 is the keys' main direction once their part along q_i is removed, not their overall one."""
    q = np.array([[1.0, 0.0, 0.0]])
    k = np.array([[10.0, 1.0, 0.0], [10.0, 0.0, 0.5]])
    view = ac.query_aligned_view(q, k, 0, 2)
    across = k * np.array([0.0, 1.0, 1.0])  # the keys without their q-part: main direction e₂
    main = np.linalg.eigh(across.T @ across)[1][:, -1]
    assert abs(float(view.axes[1] @ main)) == pytest.approx(1.0)
    assert view.kept == pytest.approx((100 + 1 + 100) / 201.25)


@pytest.mark.parametrize(("m", "d_k", "dims"), [(1, 3, 3), (1, 5, 3), (2, 4, 3), (1, 2, 3), (1, 1, 2)])
def test_query_aligned_view_fills_every_axis_the_space_has_even_with_few_keys(m: int, d_k: int, dims: int) -> None:
    rng = np.random.RandomState(m * 10 + d_k)
    view = ac.query_aligned_view(rng.randn(2, d_k), rng.randn(m, d_k), 1, dims)
    used = view.axes[np.linalg.norm(view.axes, axis=1) > 0]
    assert len(used) == min(dims, d_k)  # a zero row only where d_k < dims
    np.testing.assert_allclose(used @ used.T, np.eye(len(used)), atol=1e-12)


def test_shuffle_order_for_one_and_two_words_and_its_seed() -> None:
    assert ac.shuffle_order(0, 5) == ()
    assert ac.shuffle_order(1, 5) == (0,)  # nothing to move
    for seed in range(12):  # two words: the only order that moves a word is the swap
        assert ac.shuffle_order(2, seed) == (1, 0)
    # The order is RandomState(seed)'s permutation (reproducible from a shared link), unless that is
    # the identity; seeds 0..11 include both cases for three words.
    moved = 0
    for seed in range(12):
        drawn = tuple(int(j) for j in np.random.RandomState(seed).permutation(3))
        got = ac.shuffle_order(3, seed)
        assert sorted(got) == [0, 1, 2] and got != (0, 1, 2)
        if drawn != (0, 1, 2):
            assert got == drawn
        else:
            moved += 1
    assert moved > 0


def test_permuted_with_the_identity_is_the_same_trace_in_every_setting() -> None:
    config = ac.AttentionConfig(
        sentence=SENTENCE, n_heads=2, positional="sinusoidal", scaled=True, causal=True, temperature=2.5,
        weight_scale=0.5,
    )  # fmt: skip
    trace = ac.compute(config)
    same = ac.permuted(trace, range(trace.n_tokens))
    for name in ("embeddings", "positions", "x", "weights", "logits", "output"):
        np.testing.assert_array_equal(getattr(same, name), getattr(trace, name), err_msg=name)
    assert (same.scale, same.causal, same.temperature) == (trace.scale, True, 2.5)
    assert same.positional_used == trace.positional_used
    # A real shuffle moves the words' embeddings, not the positions: x = E[order] + P.
    order = (3, 0, 1, 2, 4, 5, 7, 6)
    moved = ac.permuted(trace, order)
    np.testing.assert_array_equal(moved.positions, trace.positions)
    np.testing.assert_allclose(moved.x, trace.embeddings[list(order)] + trace.positions, atol=0)


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (0, 1, 2, 3, 4, 5), (0, 1, 2, 3, 5), (1, 1, 2, 3, 4)])
def test_permuted_names_what_a_valid_order_is(order: tuple[int, ...]) -> None:
    trace = ac.compute(ac.AttentionConfig())
    with pytest.raises(ValueError, match=r"order must be a permutation of 0\.\.4"):
        ac.permuted(trace, order)


def test_alpha_spread_and_entropy_table_read_the_head_they_are_given() -> None:
    config = ac.AttentionConfig(sentence=SENTENCE, n_heads=2, weight_scale=0.6)
    plain, scaled = ac.scaled_pair(config)
    for head in (0, 1):
        table = ac.entropy_table(plain, scaled, head)
        for col, trace in ((0, plain), (1, scaled)):
            w = trace.weights[head]
            np.testing.assert_allclose(table[:, col], [-sum(a * math.log(a) for a in row) for row in w], rtol=1e-12)
        lo, hi, ratio = ac.alpha_spread(scaled, head)
        assert (lo, hi) == (float(scaled.logits[head].min()), float(scaled.logits[head].max()))
        w = scaled.weights[head]
        assert ratio == pytest.approx(float(np.max(w.max(axis=1) / w.min(axis=1))), rel=1e-12)
    assert not np.allclose(plain.weights[0], plain.weights[1])  # two heads, two different answers
