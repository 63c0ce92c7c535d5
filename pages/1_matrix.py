"""Matrix form: the notebook's "Utilizando matrices" part, and the check against the word-by-word sums."""

import streamlit as st

from ui.compute import matrix_check
from ui.page import start
from ui.steps import QKV_FORMULA, View, alpha_formula, heatmap, pick_head, three_tables
from ui.tables import frame, show

ctrl, trace = start("matrix.title", "matrix")
if trace is not None:
    t = ctrl.t
    st.markdown(t("matrix.intro"))
    view = View(ctrl, trace, pick_head(ctrl, trace))
    h, rows, lang = view.head, view.rows, ctrl.lang

    st.header(t("matrix.x"))
    st.latex(r"X = E + P \in \mathbb{R}^{n \times d_{model}}")
    if trace.positional_used.reason is not None:
        st.info(t("step2.fallback", d_model=trace.d_model, n=trace.n_tokens), icon=":material/info:")
    show(frame(trace.x, rows, "d"), lang, key="m_x")

    st.header(t("matrix.qkv") + view.head_tag)
    st.latex(QKV_FORMULA)
    three_tables(view, (trace.q[h], trace.k[h], trace.v[h]), rows, ("Q", "K", "V"), ("q", "k", "v"), "m_qkv")

    st.header(t("matrix.scores") + view.head_tag)
    st.latex(r"S = Q K^\top")
    show(frame(trace.scores[h], rows, rows), lang, key="m_scores")

    st.header(t("matrix.softmax") + view.head_tag)
    st.latex(alpha_formula(trace, matrix=True))
    heatmap(view, key="m_heatmap")
    show(frame(trace.weights[h], rows, rows), lang, key="m_alpha")

    st.header(t("matrix.av") + view.head_tag)
    st.latex(r"Z = \alpha V")
    show(frame(trace.head_outputs[h], rows, "z"), lang, key="m_z")

    st.header(t("matrix.check"))
    diff = matrix_check(trace, h)
    st.metric(t("matrix.check_metric"), f"{diff:.2e}")
    if diff < 1e-12:
        st.success(t("matrix.check_ok", diff=f"{diff:.2e}"), icon=":material/check_circle:")
    else:
        st.error(t("matrix.check_bad", diff=f"{diff:.2e}"))
