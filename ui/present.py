"""Presenter mode: one step (or one section of a page) at a time, in large type, with Previous/Next and arrow keys.

The home page presents its seven steps; the Multi-head & masks and Encoder block pages present
their sections the same way (`present_sections`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from .controls import Controls
from .steps import STEPS, View

# Static CSS, no user text: larger type for a projector (the app's other constant markup is in
# ui/style.py and ui/controls.py). st.dataframe draws on a canvas, which ignores CSS font sizes, so in
# presenter mode ui/tables.show draws st.table (real HTML) instead, enlarged here like the body text;
# its cells hold the numbers as text, so they are right-aligned here as the grid's numbers are.
PROJECTOR_CSS = """
<style>
[data-testid="stMain"] p, [data-testid="stMain"] li { font-size: 1.35rem; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.2rem; }
[data-testid="stMain"] .katex { font-size: 1.6em; }
[data-testid="stMain"] [data-testid="stTable"] { font-size: 1.35rem; }
[data-testid="stMain"] [data-testid="stTable"] td { text-align: right !important; }
</style>
"""


def _go_to_step(state: dict[str, Any], to: int, total: int) -> None:
    state["step"] = min(max(to, 1), total)


def _leave(state: dict[str, Any]) -> None:
    state["present"] = False


def presenter(ctrl: Controls, view: View) -> None:
    """Draw the current step with navigation; the step number lives in the state and the URL."""
    step = navigation(ctrl, len(STEPS))
    STEPS[step - 1](view)


def present_sections(ctrl: Controls, sections: Sequence[Callable[[], None]]) -> None:
    """A page's sections one at a time (presenter mode on a page other than the home page)."""
    step = navigation(ctrl, len(sections))
    sections[step - 1]()


def projector_style() -> None:
    """Draw the projector CSS (a constant: no user text goes through unsafe_allow_html)."""
    st.markdown(PROJECTOR_CSS, unsafe_allow_html=True)


def navigation(ctrl: Controls, total: int) -> int:
    """The projector style and the Previous / progress / Next / Exit bar; returns the 1-based step shown."""
    state, t = ctrl.state, ctrl.t
    step = min(max(int(state["step"]), 1), total)  # the bound is this view's own number of steps
    if step != state["step"]:
        st.warning(t("fix.range", key="step", given=str(state["step"]), used=str(step)), icon=":material/warning:")
        state["step"] = step
    projector_style()
    # Wide enough button columns that "Previous"/"Anterior" is not cut to "Previo…" at 1024 px.
    prev_col, mid, next_col, exit_col = st.columns([2, 3, 2, 2], vertical_alignment="center")
    with prev_col:
        st.button(
            t("present.prev"),
            on_click=_go_to_step,
            args=(state, step - 1, total),
            disabled=step == 1,
            shortcut="Left",
            width="stretch",
            key="present_prev",
        )
    with mid:
        st.progress(step / total, text=t("present.progress", step=step, total=total))
    with next_col:
        st.button(
            t("present.next"),
            on_click=_go_to_step,
            args=(state, step + 1, total),
            disabled=step == total,
            shortcut="Right",
            width="stretch",
            key="present_next",
            type="primary",
        )
    with exit_col:
        # Not an on_click: leaving redraws the sidebar and the title, so the whole page must rerun,
        # not only the fragment this may be drawn in (the home page's body, ui/home.py).
        if st.button(t("present.exit"), shortcut="Esc", width="stretch", key="present_exit"):
            _leave(state)
            st.rerun(scope="app")
    return step
