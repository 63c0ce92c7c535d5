"""The engine behind `st.cache_data`: one entry per config, bounded, a fresh copy per caller."""

from __future__ import annotations

import streamlit as st

import attention_core as ac
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
