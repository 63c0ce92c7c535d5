"""A trained model: all-MiniLM-L6-v2's attention for the user's own text, computed by attention_core in numpy."""

import streamlit as st

from ui.controls import controls, session_state
from ui.page import ICON
from ui.params import TRAINED_TEXT_MAX_CHARS
from ui.present import projector_style
from ui.text import md_escape
from ui.trained import (
    APP_MAX_TOKENS,
    VIEW_FUNCTIONS,
    VIEWS,
    Focus,
    bound,
    cached_run,
    pick_layer_head,
    show_tokens,
    trained_model,
    valid_text,
    valid_view,
)

state = session_state()
st.set_page_config(
    page_title="Attention, step by step",
    page_icon=ICON,
    layout="wide",
    initial_sidebar_state="collapsed" if state["present"] else "auto",
)
ctrl = controls("trained", config_widgets=False)
t = ctrl.t
if state["present"]:
    projector_style()
    st.header(t("trained.title"))
else:
    st.title(t("trained.title"))
    st.markdown(t("trained.intro"))

try:
    model = trained_model()
except (FileNotFoundError, ValueError, ImportError, OSError) as err:
    st.error(t("trained.load_error", message=md_escape(str(err), 400)))
    st.stop()

text = valid_text(ctrl)  # a blank text (from a link) becomes the default, with a warning
bound(
    ctrl,
    "text",
    st.text_input,
    t("trained.text"),
    max_chars=TRAINED_TEXT_MAX_CHARS,
    help=t("trained.text_help", cap=APP_MAX_TOKENS),
)
trace = cached_run(text)
view = valid_view(ctrl)
bound(
    ctrl,
    "view",
    st.segmented_control,
    t("trained.view"),
    options=VIEWS,
    format_func=lambda v: t(f"trained.view.{v}"),
    required=True,
)
layer, head = pick_layer_head(ctrl, model)
focus = Focus(ctrl, model, trace, text, layer, head, min(int(state["tword"]), trace.n_tokens) - 1)
show_tokens(focus)
VIEW_FUNCTIONS[view](focus)
st.caption(t("trained.caution"))
