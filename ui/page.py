"""What every page does first: page config, controls, the cached trace (or a plain-words error)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st

import attention_core as ac

from .compute import current_trace
from .controls import Controls, controls, session_state
from .i18n import translate
from .learn import learned_trace, sync_learned
from .text import md_escape

ICON = str(Path(__file__).resolve().parent.parent / "docs" / "icon.png")  # local: no CDN favicon


def page_title(lang: str, title_key: str) -> str:
    """The browser tab's title, in the page's language: "Glossary · Attention, step by step"."""
    app = translate(lang, "home.title")
    page = translate(lang, title_key)
    return app if page == app else f"{page} · {app}"


def start(
    title_key: str, page: str, extra: Sequence[str] = (), *, compute: bool = True
) -> tuple[Controls, ac.AttentionTrace | None]:
    """Set up the page, draw the shared controls and compute; the trace is None after an error.

    A page that does not show the sentence's trace (the Learn page) passes compute=False.
    With custom numbers on, the trace is rebuilt from the seeded matrices plus the hand edits; in
    learned mode ("Open in Step by step" on the Learn page) it holds a training snapshot's weights.
    """
    state = session_state()
    learned = sync_learned(state)
    st.set_page_config(
        page_title=page_title(state["lang"], title_key),
        page_icon=ICON,
        layout="wide",
        initial_sidebar_state="collapsed" if state["present"] else "auto",
    )
    ctrl = controls(page, extra)
    if not state["present"]:
        st.title(translate(ctrl.lang, title_key))
    if not compute:
        return ctrl, None
    try:
        if learned is not None:
            return ctrl, learned_trace(learned, state, ctrl.lang, page)
        return ctrl, current_trace(ctrl.config, ctrl.edits)
    except (ValueError, TypeError, MemoryError) as err:
        st.error(translate(ctrl.lang, "error.compute", message=md_escape(str(err), 300)))
        return ctrl, None
