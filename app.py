"""Home page, "Step by step": the reference notebook's walk-through for the current controls."""

from ui.page import start
from ui.steps import STEPS, View, pick_head

ctrl, trace = start("home.title")
if trace is not None:
    import streamlit as st

    st.markdown(ctrl.t("home.intro"))
    view = View(ctrl, trace, pick_head(ctrl, trace))
    for step in STEPS:
        step(view)
