"""Matrix form: the notebook's "Utilizando matrices" part, and the check against the word-by-word sums."""

import streamlit as st

import attention_core as ac
from ui.page import start
from ui.steps import View, alpha_formula, heatmap, pick_head, three_tables
from ui.tables import frame, show

ctrl, trace = start("matrix.title", "matrix")
if trace is not None:
    t = ctrl.t
    st.markdown(t("matrix.intro"))
    view = View(ctrl, trace, pick_head(ctrl, trace))
    h, rows, lang = view.head, view.rows, ctrl.lang

    st.subheader(t("matrix.x"))
    st.latex(r"X = E + P \in \mathbb{R}^{n \times d_{model}}")
    if trace.positional_used.reason is not None:
        st.info(t("step2.fallback", d_model=trace.d_model, n=trace.n_tokens), icon=":material/info:")
    show(frame(trace.x, rows, "d"), lang, key="m_x")

    st.subheader(t("matrix.qkv") + view.head_tag)
    st.latex(r"Q = X W_Q,\quad K = X W_K,\quad V = X W_V")
    three_tables(view, (trace.q[h], trace.k[h], trace.v[h]), rows, ("Q", "K", "V"), ("q", "k", "v"), "m_qkv")

    st.subheader(t("matrix.scores") + view.head_tag)
    st.latex(r"S = Q K^\top")
    show(frame(trace.scores[h], rows, rows), lang, key="m_scores")

    st.subheader(t("matrix.softmax") + view.head_tag)
    st.latex(alpha_formula(trace, matrix=True))
    heatmap(view, key="m_heatmap")
    show(frame(trace.weights[h], rows, rows), lang, key="m_alpha")

    st.subheader(t("matrix.av") + view.head_tag)
    st.latex(r"Z = \alpha V")
    show(frame(trace.head_outputs[h], rows, "z"), lang, key="m_z")

    st.subheader(t("matrix.check"))
    diff = ac.matrix_check(trace, h)
    st.metric(t("matrix.check_metric"), f"{diff:.2e}")
    if diff < 1e-12:
        st.success(t("matrix.check_ok", diff=f"{diff:.2e}"), icon=":material/check_circle:")
    else:
        st.error(t("matrix.check_bad", diff=f"{diff:.2e}"))
