"""Home page, "Step by step": the reference notebook's walk-through for the current controls."""

import streamlit as st

from ui.page import start
from ui.present import presenter
from ui.steps import STEPS, View, pick_head

ctrl, trace = start("home.title", "home")
if trace is not None:
    view = View(ctrl, trace, pick_head(ctrl, trace))
    if ctrl.state["present"]:
        presenter(ctrl, view)
    else:
        st.markdown(ctrl.t("home.intro"))
        for step in STEPS:
            step(view)
