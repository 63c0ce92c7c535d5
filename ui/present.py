"""Presenter mode: one step of the home page at a time, in large type, with Previous/Next and arrow keys."""

from __future__ import annotations

from typing import Any

import streamlit as st

from .controls import Controls
from .steps import STEPS, View

# Static CSS, no user text: larger type for a projector. The only HTML this app renders.
PROJECTOR_CSS = """
<style>
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.35rem; }
[data-testid="stMain"] h3 { font-size: 2.2rem; }
[data-testid="stMain"] .katex { font-size: 1.6em; }
[data-testid="stMain"] [data-testid="stDataFrame"] { font-size: 1.2rem; }
</style>
"""


def _go(state: dict[str, Any], to: int) -> None:
    state["step"] = min(max(to, 1), len(STEPS))


def _leave(state: dict[str, Any]) -> None:
    state["present"] = False


def presenter(ctrl: Controls, view: View) -> None:
    """Draw the current step with navigation; the step number lives in the state and the URL."""
    state, t = ctrl.state, ctrl.t
    step = min(max(int(state["step"]), 1), len(STEPS))
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)
    prev_col, mid, next_col, exit_col = st.columns([1, 3, 1, 1], vertical_alignment="center")
    with prev_col:
        st.button(
            t("present.prev"),
            on_click=_go,
            args=(state, step - 1),
            disabled=step == 1,
            shortcut="Left",
            width="stretch",
            key="present_prev",
        )
    with mid:
        st.progress(step / len(STEPS), text=t("present.progress", step=step, total=len(STEPS)))
    with next_col:
        st.button(
            t("present.next"),
            on_click=_go,
            args=(state, step + 1),
            disabled=step == len(STEPS),
            shortcut="Right",
            width="stretch",
            key="present_next",
            type="primary",
        )
    with exit_col:
        st.button(
            t("present.exit"), on_click=_leave, args=(state,), shortcut="Esc", width="stretch", key="present_exit"
        )
    STEPS[step - 1](view)
