"""The engine behind `st.cache_data`: one entry per config, bounded, a fresh copy per caller."""

from __future__ import annotations

import streamlit as st

import attention_core as ac

# Bounded so that many users with different configs cannot grow memory without limit;
# the largest trace (256 tokens, d_model 512, 16 heads) is about 30 MB.
CACHE_ENTRIES = 32


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def cached_trace(config: ac.AttentionConfig) -> ac.AttentionTrace:
    """compute(config), cached; the trace's arrays are read-only."""
    return ac.compute(config)
