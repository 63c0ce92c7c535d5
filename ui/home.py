"""The home page's body, drawn as a fragment so that its own pickers do not rerun the whole page.

Picking a head, a word or a presenter step changes nothing in the sidebar and nothing the engine
computes: such a rerun redraws only this fragment (the word picker only its step, a nested
fragment in ui/steps.py), not the sidebar's controls and page links. Any sidebar control still
reruns the whole page, fragment included. The URL is written again at the end of every fragment
run, so the address bar stays a link to what is on screen.
"""

from __future__ import annotations

import streamlit as st

import attention_core as ac

from .controls import Controls, write_url
from .present import presenter
from .steps import STEPS, View, pick_head


@st.fragment
def home_body(ctrl: Controls, trace: ac.AttentionTrace) -> None:
    """The head picker, then presenter mode's one step or the whole walk-through."""
    view = View(ctrl, trace, pick_head(ctrl, trace))
    if ctrl.state["present"]:
        presenter(ctrl, view)
    else:
        st.markdown(ctrl.t("home.intro"))
        for step in STEPS:
            step(view)
    write_url(ctrl)
