"""Encoder block: the notebook's attention continued through residuals, layer norms and the feed-forward network.

The page's layout; its pieces (tables per step, picker, diagram) are in ui/encoder_page.py.
"""

import functools

import streamlit as st

from ui.encoder_page import Layer, diagram, draw_step, encoder_trace, mode_switch, picker, present_step
from ui.encoder_view import steps_for
from ui.page import start
from ui.present import present_sections
from ui.tables import unique_labels
from ui.text import md_escape, stacked

ctrl, trace = start("encoder.title", "encoder", extra=("d_ff", "norm_first"))
if trace is not None and ctrl.state["present"]:
    norm_first = bool(ctrl.state["norm_first"])
    try:
        block, enc = encoder_trace(ctrl, norm_first)
    except (ValueError, TypeError, MemoryError) as err:
        st.error(ctrl.t("encoder.error", message=md_escape(str(err), 300)))
        st.stop()
    layer = Layer(ctrl, enc, block, unique_labels(trace.tokens))
    present_sections(ctrl, [functools.partial(present_step, layer, s) for s in steps_for(norm_first)])
elif trace is not None:
    t = ctrl.t
    st.markdown(t("encoder.intro"))
    if ctrl.config.causal:
        st.info(t("encoder.causal_note"), icon=":material/info:")
    mode_switch(ctrl)
    norm_first = bool(ctrl.state["norm_first"])
    try:
        block, enc = encoder_trace(ctrl, norm_first)
    except (ValueError, TypeError, MemoryError) as err:
        st.error(t("encoder.error", message=md_escape(str(err), 300)))
        st.stop()
    layer = Layer(ctrl, enc, block, unique_labels(trace.tokens))
    st.latex(
        stacked(
            r"H = X + \mathrm{MHA}(\mathrm{LN}(X)),\qquad Y = H + \mathrm{FFN}(\mathrm{LN}(H))"
            if norm_first
            else r"H = \mathrm{LN}\big(X + \mathrm{MHA}(X)\big),\qquad Y = \mathrm{LN}\big(H + \mathrm{FFN}(H)\big)"
        )
    )
    st.markdown(t("encoder.mode.pre_explain" if norm_first else "encoder.mode.post_explain", **layer.dims))

    # Lazy tabs: only the open tab's content runs and is sent (the other would double the rerun's cost).
    one, every = st.tabs([t("encoder.tab.one"), t("encoder.tab.all")], key="enc_tab", on_change="rerun")
    if one.open:
        with one:
            left, right = st.columns([5, 9], gap="medium")
            with right:
                current = picker(layer)
                with st.container(border=True):
                    draw_step(layer, current, "focus")
            with left:
                diagram(layer, current)
    if every.open:
        with every:
            for step in steps_for(norm_first):
                draw_step(layer, step, "all")
                st.divider()

    st.header(t("encoder.real.title"))
    st.info(
        t(
            "encoder.real.body",
            d_model=layer.dims["d_model"],
            d_ff=layer.dims["d_ff"],
            weight_scale=ctrl.num(ctrl.config.weight_scale, None),
        ),
        icon=":material/school:",
    )
