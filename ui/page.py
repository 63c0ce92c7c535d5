"""What every page does first: page config, controls, the cached trace (or a plain-words error)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st

import attention_core as ac

from .compute import cached_trace
from .controls import Controls, controls
from .i18n import translate
from .text import md_escape

ICON = str(Path(__file__).resolve().parent.parent / "docs" / "icon.png")  # local: no CDN favicon


def start(title_key: str, extra: Sequence[str] = ()) -> tuple[Controls, ac.AttentionTrace | None]:
    """Set up the page, draw the shared controls and compute; the trace is None after an error."""
    st.set_page_config(page_title="Attention, step by step", page_icon=ICON, layout="wide")
    ctrl = controls(extra=extra)
    st.title(translate(ctrl.lang, title_key))
    try:
        return ctrl, cached_trace(ctrl.config)
    except (ValueError, TypeError, MemoryError) as err:
        st.error(translate(ctrl.lang, "error.compute", message=md_escape(str(err), 300)))
        return ctrl, None
