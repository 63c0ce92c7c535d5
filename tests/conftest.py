"""Fixtures for every test. Shared helpers for the page tests are in tests/helpers.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def _empty_streamlit_cache() -> Iterator[None]:
    """Each test starts with an empty st.cache_data, so no test passes on a value another one cached."""
    st.cache_data.clear()
    yield
