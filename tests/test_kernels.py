"""The engine's small kernels checked against independent references (scipy, the notebook's
printed numbers, formulas written out by hand): row entropy, the notebook's word-by-word sums,
the positional scheme's label and the sinusoidal table. Written for the mutation run
(docs/mutation.md): each test pins a behaviour that no other engine test reached."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import notebook_values as nb
import numpy as np
import pytest
from scipy.stats import entropy as scipy_entropy

from attention_core import (
    AttentionConfig,
    attention,
    attention_parts,
    causal_mask,
    compute,
    explain_token,
    multi_head_attention,
    row_entropy,
    softmax,
    tokenize,
    trace_from_matrices,
)
from attention_core.attention import masked_logits, stack_heads
from attention_core.embeddings import PositionalChoice, positional_encodings, sinusoidal_positions
from attention_core.explain import matrix_check, top_keys, word_by_word


def test_row_entropy_matches_scipy_on_random_distributions() -> None:
    rng = np.random.RandomState(5)
    w = rng.dirichlet(np.ones(7), size=(3, 4))  # (3, 4, 7): entropy along the last axis only
    expected = scipy_entropy(w, axis=-1)
    np.testing.assert_allclose(row_entropy(w), expected, rtol=1e-12)
    assert row_entropy(w).shape == (3, 4)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ([1.0, 0.0, 0.0, 0.0], 0.0),  # all weight on one key
        ([0.25, 0.25, 0.25, 0.25], math.log(4)),  # uniform: ln(m)
        ([0.5, 0.5, 0.0], math.log(2)),  # a zero weight adds nothing (0·ln 0 = 0), never NaN
        ([0.0, 0.0, 0.0], 0.0),  # a fully masked row (zero weights)
    ],
)
def test_row_entropy_known_values(row: list[float], expected: float) -> None:
    assert row_entropy(np.array([row]))[0] == pytest.approx(expected, abs=1e-15)


def test_row_entropy_accepts_lists_and_integer_rows() -> None:
    assert row_entropy([[1, 0], [0, 1]]).tolist() == [0.0, 0.0]
    assert row_entropy([[0.5, 0.5]])[0] == pytest.approx(math.log(2))


def test_word_by_word_reproduces_the_notebooks_per_word_sections() -> None:
    trace = compute(AttentionConfig())
    by_word = word_by_word(trace)
    assert by_word.shape == (5, 3)
    for i, word in enumerate(nb.WORDS):
        np.testing.assert_allclose(by_word[i], nb.PER_WORD_ATTENTION[word], atol=5e-5)


def test_word_by_word_uses_the_requested_head() -> None:
    trace = compute(AttentionConfig(n_heads=3, d_model=6, sentence="the cat sat on the mat"))
    for head in range(3):
        by_hand = np.array(
            [
                sum(trace.weights[head, i, j] * trace.v[head, j] for j in range(trace.n_tokens))
                for i in range(trace.n_tokens)
            ]
        )
        np.testing.assert_allclose(word_by_word(trace, head), by_hand, rtol=0, atol=1e-15)
    assert not np.allclose(word_by_word(trace, 0), word_by_word(trace, 1))


def test_matrix_check_is_rounding_small_and_sees_a_wrong_output() -> None:
    trace = compute(AttentionConfig(n_heads=2, d_model=6))
    for head in range(2):
        gap = matrix_check(trace, head)
        assert 0.0 <= gap < 1e-15
    # The same check on a trace whose head output was shifted by 0.5 reports that 0.5.
    shifted = np.array(trace.head_outputs)
    shifted[1, 2, 0] += 0.5
    bad = dataclasses.replace(trace, head_outputs=shifted)
    assert matrix_check(bad, 1) == pytest.approx(0.5, abs=1e-12)
    assert matrix_check(bad, 0) < 1e-15
    # Without a head: the first, the only one the notebook's trace has.
    assert matrix_check(bad) < 1e-15 and matrix_check(compute(AttentionConfig())) < 1e-15


def test_positional_choice_reads_as_the_scheme_and_its_reason() -> None:
    assert str(PositionalChoice("notebook")) == "notebook"
    assert str(PositionalChoice("sinusoidal", "too many tokens")) == "sinusoidal (too many tokens)"
    _, choice = positional_encodings("notebook", 6, 4)
    assert str(choice).startswith("sinusoidal (the notebook's hand-written vectors need d_model = 4")
    assert "there are 6 tokens" in str(choice)


@pytest.mark.parametrize(("n", "d_model"), [(1, 1), (3, 4), (5, 5), (7, 8)])
def test_sinusoidal_positions_match_the_papers_formula(n: int, d_model: int) -> None:
    pe = sinusoidal_positions(n, d_model)
    for p in range(n):
        for col in range(d_model):
            i = col // 2
            angle = p / 10000 ** (2 * i / d_model)
            expected = math.sin(angle) if col % 2 == 0 else math.cos(angle)
            assert pe[p, col] == pytest.approx(expected, abs=1e-14)


def test_explain_token_states_the_allowed_range() -> None:
    trace = compute(AttentionConfig(n_heads=2))  # 5 tokens, 2 heads
    with pytest.raises(ValueError, match=r"token index must be in 0\.\.4, got 5"):
        explain_token(trace, 5)
    with pytest.raises(ValueError, match=r"head must be in 0\.\.1, got 2"):
        explain_token(trace, 0, 2)


def test_explain_token_products_are_the_dot_products_term_by_term() -> None:
    trace = compute(AttentionConfig(n_heads=2, d_model=6))
    ex = explain_token(trace, 3, head=1)
    q, k = np.array(trace.q[1, 3]), np.array(trace.k[1])
    for j in range(trace.n_tokens):
        for c in range(q.shape[0]):
            assert ex.products[j, c] == q[c] * k[j, c]
    np.testing.assert_allclose(ex.products.sum(axis=1), ex.dots, rtol=0, atol=1e-15)
    for a in (ex.dots, ex.logits, ex.weights, ex.terms, ex.output, ex.products):
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 1.0


@pytest.mark.parametrize("causal", [False, True])
def test_the_sum_of_a_words_alphas_is_one(causal: bool) -> None:
    """The notebook's check under its per-word table: Σ_s α_ts = 1 (under the mask, over the keys it may see)."""
    trace = compute(AttentionConfig(n_heads=2, causal=causal, weight_scale=0.8))
    for i in range(trace.n_tokens):
        ex = explain_token(trace, i, head=1)
        assert ex.weight_sum == pytest.approx(math.fsum(trace.weights[1, i]), abs=1e-15)
        assert ex.weight_sum == pytest.approx(1.0, abs=1e-14)
    part = dataclasses.replace(ex, weights=np.array([0.25, 0.5, 0.0, 0.125, 0.0]))  # the sum of what it holds
    assert part.weight_sum == 0.875


def test_top_keys_ranks_the_largest_alphas_first_and_ties_in_key_order() -> None:
    w = [0.1, 0.3, 0.05, 0.3, 0.25]
    assert top_keys(w, 3) == (1, 3, 4)
    assert top_keys(w, 1) == (1,) and top_keys(w, 0) == ()
    assert top_keys(w, 12) == (1, 3, 4, 0, 2)  # fewer keys than asked for: every key, ranked
    assert top_keys(np.full(4, 0.25), 2) == (0, 1)  # a flat row: the first keys
    trace = compute(AttentionConfig(weight_scale=0.8))
    row = trace.weights[0, 2]
    assert [row[j] for j in top_keys(row, 5)] == sorted(row, reverse=True)
    with pytest.raises(ValueError, match=r"^k must be >= 0, got -1$"):
        top_keys(w, -1)


def test_multi_head_attention_is_not_causal_unless_asked() -> None:
    rng = np.random.RandomState(0)
    x = rng.randn(4, 6)
    w_q, w_k, w_v = (rng.randn(2, 6, 3) for _ in range(3))
    _, weights = multi_head_attention(x, w_q, w_k, w_v, None)
    assert np.all(weights > 0)  # every query sees every key, the future included
    _, causal = multi_head_attention(x, w_q, w_k, w_v, None, causal=True)
    assert np.all(causal[:, np.triu_indices(4, 1)[0], np.triu_indices(4, 1)[1]] == 0)


@pytest.mark.parametrize("bad", ["w_q", "w_k", "w_v"])
def test_multi_head_attention_names_the_misshaped_weight(bad: str) -> None:
    rng = np.random.RandomState(1)
    weights = {name: rng.randn(2, 4, 3) for name in ("w_q", "w_k", "w_v")}
    weights[bad] = rng.randn(4)  # 1-D: neither one head (2-D) nor stacked heads (3-D)
    with pytest.raises(ValueError, match=rf"^{bad} must have shape \(h, d_model, d\) or \(d_model, d\), got \(4,\)$"):
        multi_head_attention(rng.randn(3, 4), weights["w_q"], weights["w_k"], weights["w_v"], None)


def _valid_matrices(n: int = 3, d_model: int = 4, h: int = 2, d: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.RandomState(2)
    return {
        "embeddings": rng.randn(n, d_model),
        "positions": rng.randn(n, d_model),
        "w_q": rng.randn(h, d_model, d),
        "w_k": rng.randn(h, d_model, d),
        "w_v": rng.randn(h, d_model, d),
        "w_o": rng.randn(h * d, d_model),
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("embeddings", np.zeros((2, 4)), r"^embeddings must have shape \(3, d_model\), got \(2, 4\)$"),
        ("embeddings", np.zeros(3), r"^embeddings must have shape \(3, d_model\), got \(3,\)$"),
        ("positions", np.zeros((3, 5)), r"^positions must have shape \(3, 4\), got \(3, 5\)$"),
        ("w_q", np.zeros((2, 5, 3)), r"^w_q must have shape \(h, 4, d\), got \(2, 5, 3\)$"),
        ("w_k", np.zeros((2, 5, 3)), r"^w_k must have shape \(h, 4, d\), got \(2, 5, 3\)$"),
        ("w_v", np.zeros((2, 5, 3)), r"^w_v must have shape \(h, 4, d\), got \(2, 5, 3\)$"),
        ("w_v", np.zeros((3, 4, 3)), r"^w_v must have shape \(h, 4, d\), got \(3, 4, 3\)$"),  # 3 heads, not 2
        ("w_k", np.zeros((2, 4, 2)), r"^w_k must have the shape of w_q \(2, 4, 3\), got \(2, 4, 2\)$"),
        ("w_o", np.zeros((6, 5)), r"^w_o must have shape \(6, 4\) when there are 2 heads$"),
        ("w_o", None, r"^w_o must have shape \(6, 4\) when there are 2 heads$"),
    ],
)
def test_trace_from_matrices_names_the_wrong_shape(field: str, value: object, message: str) -> None:
    m: dict[str, object] = dict(_valid_matrices())
    m[field] = value
    with pytest.raises(ValueError, match=message):
        trace_from_matrices(["a", "b", "c"], **m)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["embeddings", "positions", "w_q", "w_k", "w_v"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_trace_from_matrices_refuses_non_finite_numbers(field: str, bad: float) -> None:
    m = _valid_matrices()
    m[field] = m[field].copy()
    m[field].flat[1] = bad
    with pytest.raises(ValueError, match=rf"^{field} must hold finite numbers only$"):
        trace_from_matrices(["a", "b", "c"], **m)


def test_trace_from_matrices_refuses_no_tokens_and_a_bad_temperature() -> None:
    m = _valid_matrices(n=0)
    with pytest.raises(ValueError, match=r"^tokens must not be empty$"):
        trace_from_matrices([], **m)
    m = _valid_matrices()
    for t in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match=r"^temperature must be a finite number > 0, got "):
            trace_from_matrices(["a", "b", "c"], **m, temperature=t)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_one_q_dot_k_overflowing_is_reported_even_when_the_largest_is_finite() -> None:
    """q₁·k₁ = 1e200 · (−1e200) is −∞ while every other score is finite: α and the output would look
    fine (that key just gets weight 0), but the scores table would show −∞ for a finite input."""
    message = (
        "the numbers overflowed (too large for 64-bit floats): use a smaller weight_scale, smaller numbers, "
        "or a larger temperature"
    )
    e, p = [[1e200, 0.0], [0.0, 1.0]], np.zeros((2, 2))
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        trace_from_matrices(["a", "b"], e, p, np.eye(2), -np.eye(2), [[0.0, 0.0], [0.0, 1.0]])
    # Control: the same matrices with a first embedding that does not overflow.
    fine = trace_from_matrices(["a", "b"], [[1e100, 0.0], [0.0, 1.0]], p, np.eye(2), -np.eye(2), np.eye(2))
    assert fine.scores.min() == -1e200 and fine.scores.max() == 0.0


def test_trace_from_matrices_sizes_and_defaults() -> None:
    m = _valid_matrices(n=3, d_model=4, h=2, d=3)
    m["w_v"] = np.random.RandomState(3).randn(2, 4, 5)  # d_v = 5, d_k = 3
    m["w_o"] = np.random.RandomState(4).randn(10, 4)
    tr = trace_from_matrices(["a", "b", "c"], **m)
    assert (tr.n_tokens, tr.n_heads, tr.d_model, tr.d_k, tr.d_v) == (3, 2, 4, 3, 5)
    assert (tr.scale, tr.temperature, tr.causal) == (1.0, 1.0, False)
    assert tr.positional_used == PositionalChoice("custom")
    np.testing.assert_array_equal(tr.concat[:, :5], tr.head_outputs[0])
    np.testing.assert_array_equal(tr.concat[:, 5:], tr.head_outputs[1])
    np.testing.assert_allclose(tr.output, tr.concat @ m["w_o"], rtol=1e-14)
    assert np.all(tr.weights > 0)  # not causal by default


def test_attention_parts_defaults_are_scaled_unmasked_and_temperature_one() -> None:
    rng = np.random.RandomState(6)
    q, k, v = rng.randn(3, 4), rng.randn(5, 4), rng.randn(5, 2)
    scores, logits, weights, output = attention_parts(q, k, v)
    for i in range(3):
        dots = [sum(q[i, c] * k[j, c] for c in range(4)) for j in range(5)]
        exps = [math.exp(d / 2.0) for d in dots]  # 1/sqrt(d_k) = 1/2, every key allowed
        alpha = [e / sum(exps) for e in exps]
        np.testing.assert_allclose(scores[i], dots, rtol=1e-13)
        np.testing.assert_allclose(logits[i], np.array(dots) / 2.0, rtol=1e-13)
        np.testing.assert_allclose(weights[i], alpha, rtol=1e-12)
        np.testing.assert_allclose(output[i], sum(a * v[j] for j, a in enumerate(alpha)), rtol=1e-12)


def test_causal_mask_combines_with_a_user_mask() -> None:
    rng = np.random.RandomState(7)
    q, k, v = rng.randn(4, 3), rng.randn(4, 3), rng.randn(4, 2)
    user = np.array([[True, True, False, True]] * 4)  # key 2 hidden from everyone
    _, weights = attention(q, k, v, causal=True, mask=user)
    allowed = [[j <= i and j != 2 for j in range(4)] for i in range(4)]  # both masks at once
    assert ((weights > 0) == np.array(allowed)).all()
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-12)
    assert causal_mask(2, 3).tolist() == [[True, False, False], [True, True, False]]
    assert causal_mask(3).dtype == bool


def test_a_mask_of_ones_and_zeros_means_the_same_as_a_boolean_mask() -> None:
    """The docstring says boolean; a 0/1 float mask (what numpy users often build) must mean the same."""
    rng = np.random.RandomState(8)
    q, k, v = rng.randn(4, 3), rng.randn(4, 3), rng.randn(4, 2)
    user = np.array([[1.0, 1.0, 0.0, 1.0]] * 4)
    for causal in (False, True):
        out_f, w_f = attention(q, k, v, causal=causal, mask=user)
        out_b, w_b = attention(q, k, v, causal=causal, mask=user.astype(bool))
        np.testing.assert_array_equal(w_f, w_b)
        np.testing.assert_array_equal(out_f, out_b)
        assert (w_f[:, 2] == 0).all()


def test_unknown_positional_scheme_is_named() -> None:
    with pytest.raises(ValueError, match=r"^positional must be one of notebook, sinusoidal, none, got 'rope'$"):
        positional_encodings("rope", 3, 4)


def test_stack_heads_default_name_in_its_error() -> None:
    assert stack_heads(np.ones((4, 3))).shape == (1, 4, 3)
    with pytest.raises(ValueError, match=r"^w must have shape"):
        stack_heads(np.ones(4))


def test_softmax_mixes_large_finite_rows_with_masked_and_infinite_rows() -> None:
    # One matrix, three kinds of row: the slow path (a non-finite row max somewhere) must still
    # subtract each finite row's max, or exp(1000) overflows to NaN.
    x = np.array([[1000.0, 999.0, 998.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, np.inf]])
    out = softmax(x)
    e = [math.exp(0.0), math.exp(-1.0), math.exp(-2.0)]
    np.testing.assert_allclose(out[0], [v / sum(e) for v in e], rtol=1e-14)
    assert out[1].tolist() == [0.0, 0.0, 0.0]  # nothing to attend to
    assert out[2].tolist() == [0.5, 0.0, 0.5]  # equal weight on the +inf entries
    np.testing.assert_allclose(softmax(x.T, axis=0), out.T, rtol=1e-14)


def test_softmax_handles_an_infinite_logit_beside_a_large_one_without_a_warning() -> None:
    """exp(1000) overflows; in a row that holds +inf it is never needed (that row is 1 on the +inf
    cell): the result is exact and no RuntimeWarning reaches the server's log."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = softmax([[np.inf, 1000.0], [-np.inf, -np.inf], [0.0, math.log(3.0)]])
    np.testing.assert_allclose(out, [[1.0, 0.0], [0.0, 0.0], [0.25, 0.75]], rtol=1e-15)


def test_masked_logits_scale_and_temperature() -> None:
    scores = np.array([[1.0, -2.0], [0.5, 4.0]])
    np.testing.assert_array_equal(masked_logits(scores), scores)  # defaults change nothing
    np.testing.assert_array_equal(masked_logits(scores, scale=2.0), 2.0 * scores)
    np.testing.assert_array_equal(masked_logits(scores, temperature=4.0), scores / 4.0)
    assert masked_logits(scores, causal=True).tolist() == [[1.0, -np.inf], [0.5, 4.0]]


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl: one emoji
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # black flag + tags + cancel tag


@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        (f"we {FAMILY}!", ["we", FAMILY, "!"]),  # a ZWJ sequence stays one token
        ("\u2764\ufe0f\U0001f916", ["\u2764\ufe0f", "\U0001f916"]),  # a variation selector glues nothing after it
        ("\U0001f1ea\U0001f1f8\U0001f1eb\U0001f1f7", ["\U0001f1ea\U0001f1f8", "\U0001f1eb\U0001f1f7"]),  # ES FR
        ("\U0001f1ea\U0001f1f8\U0001f1eb", ["\U0001f1ea\U0001f1f8", "\U0001f1eb"]),  # a lone third indicator
        ("\U0001f1e6\U0001f1e9\U0001f1ff\U0001f1fc", ["\U0001f1e6\U0001f1e9", "\U0001f1ff\U0001f1fc"]),  # AD ZW
        ("\U0001f1f9\U0001f1ff\U0001f1e7\U0001f1e6", ["\U0001f1f9\U0001f1ff", "\U0001f1e7\U0001f1e6"]),  # TZ BA
        (
            "\U0001f44b\U0001f3fb\U0001f44b\U0001f3ff",
            ["\U0001f44b\U0001f3fb", "\U0001f44b\U0001f3ff"],
        ),  # tones 1 and 5
        ("\U0001f44d\U0001f400", ["\U0001f44d", "\U0001f400"]),  # the rat after the tones is an emoji of its own
        (f"go {ENGLAND}", ["go", ENGLAND]),  # emoji tag sequence, E0020..E007F
        ("\U0001f3f4\U000e0020", ["\U0001f3f4\U000e0020"]),  # tag space, the first tag character
        ("a\U000e0080b", ["ab"]),  # unassigned, just past the tags: dropped, the word goes on
        ("\u00a1\u0301hola", ["\u00a1", "hola"]),  # a mark after punctuation has nothing to join
        ("\u00bfqu\u00e9?\u00a1s\u00ed!", ["\u00bf", "qu\u00e9", "?", "\u00a1", "s\u00ed", "!"]),
        ("\u00e9\u20ac\u00e9", ["\u00e9", "\u20ac", "\u00e9"]),  # a symbol splits words
        # U+1F200 (🈀), just past the last indicator Z (U+1F1FF): no flag with an indicator on either side.
        ("\U0001f1e6\U0001f200", ["\U0001f1e6", "\U0001f200"]),
        ("\U0001f200\U0001f1e6", ["\U0001f200", "\U0001f1e6"]),
    ],
)
def test_tokenize_emoji_sequences_and_their_boundaries(sentence: str, tokens: list[str]) -> None:
    assert not sentence.isascii()  # the character-by-character path
    assert tokenize(sentence) == tokens


@pytest.mark.parametrize("field", ["w_q", "w_k", "w_v"])
def test_trace_from_matrices_names_a_one_dimensional_weight(field: str) -> None:
    m = _valid_matrices()
    m[field] = np.ones(4)
    with pytest.raises(ValueError, match=rf"^{field} must have shape \(h, d_model, d\) or \(d_model, d\), got \(4,\)$"):
        trace_from_matrices(["a", "b", "c"], **m)
