"""attention_core.edits: hand edits applied to the seeded matrices, against the seeded computation itself."""

from __future__ import annotations

import numpy as np
import pytest

import attention_core as ac
from attention_core.edits import apply_edits, base_matrices, edited_encoder, matrix_shapes, split_edits

CONFIGS = [
    ac.AttentionConfig(),
    ac.AttentionConfig(sentence="the cat sat on the mat", d_model=6, d_k=2, d_v=5, n_heads=3, scaled=True),
    ac.AttentionConfig(n_heads=2, causal=True, temperature=2.0),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_no_edits_give_back_the_seeded_trace(config: ac.AttentionConfig) -> None:
    seeded = ac.compute(config)
    same = apply_edits(seeded, ())
    for name in ("x", "q", "k", "v", "scores", "logits", "weights", "output"):
        np.testing.assert_allclose(getattr(same, name), getattr(seeded, name), rtol=0, atol=1e-12, err_msg=name)
    assert (same.scale, same.causal, same.temperature) == (seeded.scale, seeded.causal, seeded.temperature)
    assert (same.w_o is None) == (seeded.w_o is None)
    assert same.positional_used.scheme == "custom"


@pytest.mark.parametrize("config", CONFIGS)
def test_matrix_shapes_are_the_shapes_of_the_editable_matrices(config: ac.AttentionConfig) -> None:
    mats = base_matrices(ac.compute(config))
    assert {k: v.shape for k, v in mats.items()} == matrix_shapes(config)


def test_an_edit_changes_its_cell_and_what_depends_on_it_only() -> None:
    config = CONFIGS[1]
    seeded = ac.compute(config)
    edited = apply_edits(seeded, (("wk", 2, 5, 1, 7.0), ("e", 0, 3, 0, -2.0)))
    assert edited.w_k[2, 5, 1] == 7.0 and edited.embeddings[3, 0] == -2.0
    changed_wk = np.argwhere(edited.w_k != seeded.w_k)
    assert changed_wk.tolist() == [[2, 5, 1]]
    np.testing.assert_array_equal(edited.w_q, seeded.w_q)
    assert not np.allclose(edited.weights[2], seeded.weights[2])


def test_edits_just_outside_the_shapes_are_ignored() -> None:
    config = CONFIGS[1]  # 6 tokens, d_model 6, d_k 2, 3 heads
    seeded = ac.compute(config)
    outside = (
        ("wq", 3, 0, 0, 9.0),
        ("wq", 0, 6, 0, 9.0),
        ("wq", 0, 0, 2, 9.0),
        ("e", 1, 0, 0, 9.0),
        ("p", 0, 6, 0, 9.0),
    )
    same = apply_edits(seeded, outside)
    np.testing.assert_allclose(same.output, seeded.output, rtol=0, atol=1e-12)
    inside, rejected = split_edits(matrix_shapes(config), (*outside, ("wq", 2, 5, 1, 1.0)))
    assert inside == (("wq", 2, 5, 1, 1.0),) and rejected == outside


@pytest.mark.parametrize("norm_first", [False, True])
def test_the_edited_encoder_is_the_seeded_block_without_edits(norm_first: bool) -> None:
    block = ac.compute_block(CONFIGS[2], norm_first=norm_first)
    same = edited_encoder(block, ())
    assert same.norm_first is norm_first
    np.testing.assert_allclose(same.output, block.encoder.output, rtol=0, atol=1e-12)
    np.testing.assert_allclose(same.attn_weights, block.encoder.attn_weights, rtol=0, atol=1e-12)
    edited = edited_encoder(block, (("e", 0, 1, 2, 3.0),))
    assert edited.x[1, 2] == pytest.approx(block.attention.positions[1, 2] + 3.0, abs=1e-12)  # X = E + P
    assert np.all(np.triu(edited.attn_weights, k=1) == 0)  # the mask is kept
    assert not np.allclose(edited.output, block.encoder.output)
