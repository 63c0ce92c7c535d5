"""The engine behind `st.cache_data`: one entry per config, bounded, a fresh copy per caller."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

import attention_core as ac
from attention_core.arrays import FloatArray
from attention_core.edits import Edit, apply_edits, edited_encoder

# Bounded so that many users with different configs cannot grow memory without limit;
# the largest trace (256 tokens, d_model 512, 16 heads) is about 30 MB.
CACHE_ENTRIES = 32


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_trace(config: ac.AttentionConfig) -> ac.AttentionTrace:
    """compute(config), cached; the trace's arrays are read-only."""
    return ac.compute(config)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_custom_trace(config: ac.AttentionConfig, edits: tuple[Edit, ...]) -> ac.AttentionTrace:
    """The seeded trace for `config` with hand edits applied."""
    return apply_edits(ac.compute(config), edits)


def current_trace(config: ac.AttentionConfig, edits: tuple[Edit, ...]) -> ac.AttentionTrace:
    """The trace every page shows: the seeded one, or with the hand edits when there are any."""
    return cached_custom_trace(config, edits) if edits else cached_trace(config)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_block(config: ac.AttentionConfig, norm_first: bool) -> ac.BlockTrace:
    """compute_block(config), the whole encoder layer, cached."""
    return ac.compute_block(config, norm_first=norm_first)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_variant(
    config: ac.AttentionConfig, edits: tuple[Edit, ...], scaled: bool | None = None, causal: bool | None = None
) -> ac.AttentionTrace:
    """The config's trace (with any hand edits) recomputed with other scaling or mask, cached.

    Keyed on the config and the edits, not on a trace: hashing a trace's arrays costs more than this.
    """
    return ac.variant(current_trace(config, edits), scaled=scaled, causal=causal)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_scaling_study(n_tokens: int, d_ks: tuple[int, ...], seeds: int) -> ac.ScalingStudy:
    """attention_core.scaling_study: α's entropy and std(q·k) against d_k with standardised q, k."""
    return ac.scaling_study(n_tokens, d_ks, seeds=seeds)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_designed(config: ac.AttentionConfig, design: str) -> ac.AttentionTrace:
    """A hand-designed head (attention_core.designed_head) on the config's sentence."""
    return ac.designed_head(config, design)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_custom_encoder(config: ac.AttentionConfig, edits: tuple[Edit, ...], norm_first: bool) -> ac.EncoderTrace:
    """The encoder layer on the hand-edited numbers (attention_core.edits.edited_encoder), cached."""
    return edited_encoder(ac.compute_block(config, norm_first=norm_first), edits)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_entropy_table(config: ac.AttentionConfig, edits: tuple[Edit, ...], head: int) -> FloatArray:
    """(n, 3) each α row's entropy unscaled and scaled by 1/√d_k, and its ceiling (attention_core.entropy_table)."""
    plain, scaled = cached_variant(config, edits, scaled=False), cached_variant(config, edits, scaled=True)
    return ac.entropy_table(plain, scaled, head)


@dataclass(frozen=True, eq=False)
class OrderCheck:
    """The sentence shuffled, and how far each setting is from permutation-equivariance (permutation_gap)."""

    order: tuple[int, ...]  # word t of the shuffled sentence is word order[t]
    bare: ac.AttentionTrace  # the sentence without positions and without the mask
    shuffled: ac.AttentionTrace  # `bare` with its words in `order`
    gap_bare: float  # about 1e-16: attention alone does not see the order
    gap_causal: float  # the causal mask sees it
    gap_positions: float | None  # the config's own positions (and hand edits), unmasked; None without positions


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_order_check(
    config: ac.AttentionConfig, edits: tuple[Edit, ...], shuffles: int, positions: bool
) -> OrderCheck:
    """The multi-head page's shuffle after `shuffles` clicks, cached; `positions` adds the check with positions."""
    bare = cached_trace(dataclasses.replace(config, positional="none", causal=False))
    order = ac.shuffle_order(bare.n_tokens, config.seed * 1000 + shuffles)  # a new order per click, per seed
    positioned = cached_variant(config, edits, causal=False) if positions else None
    return OrderCheck(
        order=order,
        bare=bare,
        shuffled=ac.permuted(bare, order),
        gap_bare=ac.permutation_gap(bare, order),
        gap_causal=ac.permutation_gap(ac.variant(bare, causal=True), order),
        gap_positions=None if positioned is None else ac.permutation_gap(positioned, order),
    )


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_sinusoidal_positions(n: int, d_model: int) -> FloatArray:
    """attention_core.sinusoidal_positions(n, d_model), cached (the vectors page's reference pattern)."""
    return ac.sinusoidal_positions(n, d_model)


# Reads of the trace a page shows. Not cached: that trace may be a training snapshot's (learned mode,
# ui/learn.py) rather than one a config and edits describe, and hashing a trace's arrays for a cache key
# costs more than these reads of one head or one row.


def matrix_check(trace: ac.AttentionTrace, head: int) -> float:
    """max |αV − the notebook's word-by-word sums| for one head (attention_core.matrix_check)."""
    return ac.matrix_check(trace, head)


def explain_token(trace: ac.AttentionTrace, i: int, head: int) -> ac.TokenExplanation:
    """Word i's dot products, logits, α and weighted values in one head (attention_core.explain_token)."""
    return ac.explain_token(trace, i, head)


def temperature_sweep(trace: ac.AttentionTrace, i: int, temperatures: Sequence[float], head: int) -> FloatArray:
    """Word i's α row at each temperature (attention_core.temperature_sweep)."""
    return ac.temperature_sweep(trace, i, temperatures, head)


def query_aligned_view(trace: ac.AttentionTrace, head: int, i: int, dims: int) -> ac.QueryView:
    """The head's queries and keys in a view aligned with query i (attention_core.query_aligned_view)."""
    return ac.query_aligned_view(trace.q[head], trace.k[head], i, dims)
