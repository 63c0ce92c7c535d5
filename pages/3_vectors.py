"""Vector space: queries and keys as arrows (as they are, or in a view aligned with one query), one query's dot
products, positional patterns."""

import numpy as np
import streamlit as st

from ui.charts import bars, matrix_heatmap, vector_space
from ui.compute import cached_sinusoidal_positions, explain_token, query_aligned_view
from ui.controls import view_selectbox
from ui.page import start
from ui.steps import View, pick_head, pick_word
from ui.tables import frame, show
from ui.text import md_escape

REFERENCE_POSITIONS, REFERENCE_DIMS = 64, 64  # a sinusoidal pattern large enough to see its waves
# At 256 tokens the 3-D plot was an unreadable tangle of 512 arrows and took about 8 s to switch to:
# draw the first words (and the picked one) and say so; the table below keeps every word.
SPACE_MAX_TOKENS = 32

ctrl, trace = start("vectors.title", "vectors")
if trace is not None:
    t, lang = ctrl.t, ctrl.lang
    st.markdown(t("vectors.intro"))
    head = pick_head(ctrl, trace)
    rows = View(ctrl, trace, head).rows
    i = pick_word(ctrl, rows, "vectors.pick")
    q, k = trace.q[head], trace.k[head]  # (n, d_k) each

    st.header(t("vectors.space"))
    d_k = trace.d_k
    token = rows[i]
    if d_k <= 3:
        dims = max(d_k, 2)
        pad = np.zeros((trace.n_tokens, dims - d_k))
        q_pts, k_pts = np.hstack([q, pad]), np.hstack([k, pad])
        axes = [f"{t('vectors.component')} {a + 1}" for a in range(dims)]
        st.markdown(t("vectors.native", d_k=d_k))
    else:
        dims = view_selectbox(ctrl, "dims", t("vectors.dims"), (2, 3), format_func=lambda d: f"{d}-D")
        view = query_aligned_view(trace, head, i, dims)  # axis 1 = q_i / ‖q_i‖: x · ‖q_i‖ = q_i·k_j exactly
        q_pts, k_pts = view.queries, view.keys
        axes = [t("vectors.axis_query", token=token), t("vectors.axis_keys"), t("vectors.axis_keys2")][:dims]
        st.markdown(
            t(
                "vectors.aligned",
                d_k=d_k,
                token=md_escape(token, 40),
                norm=ctrl.num(view.query_norm),
                kept=ctrl.num(100 * view.kept, 1),
            )
        )
    drawn = list(range(min(trace.n_tokens, SPACE_MAX_TOKENS)))
    if i not in drawn:
        drawn[-1] = i  # the picked word is always drawn
    if len(drawn) < trace.n_tokens:
        st.info(t("vectors.capped", shown=len(drawn), n=trace.n_tokens), icon=":material/info:")
    fig = vector_space(
        q_pts[drawn],
        k_pts[drawn],
        [trace.tokens[j] for j in drawn],
        drawn.index(i),
        trace.weights[head, i][drawn],
        title=t("vectors.space_title"),
        query_name=t("vectors.query"),
        key_name=t("vectors.key"),
        axis_titles=axes,
        arrows=True,
    )
    st.plotly_chart(fig, key="v_space", config={"displaylogo": False})
    st.caption(t("vectors.space_caption", token=md_escape(token, 40)))

    st.header(t("vectors.dots", token=md_escape(token, 40)))
    ex = explain_token(trace, i, head)
    fig = bars(
        trace.tokens,
        [(t("vectors.dot"), ex.dots), ("α", ex.weights)],
        title=t("vectors.dots_title", token=token),
        x_title=t("heatmap.keys"),
        y_title=t("vectors.value"),
    )
    st.plotly_chart(fig, key="v_dots", config={"displaylogo": False})
    st.caption(t("vectors.dots_caption"))
    show(frame(np.column_stack([ex.dots, ex.weights]), rows, [t("vectors.dot"), "α"]), lang, key="v_dots_table")

    st.header(t("vectors.positions"))
    st.markdown(
        t(
            "vectors.positions_explain",
            scheme=t(f"positional.{trace.positional_used.scheme}"),
        )
    )
    dcols = [f"d{j + 1}" for j in range(trace.d_model)]
    fig = matrix_heatmap(
        trace.positions,
        rows,
        dcols,
        title=t("vectors.positions_title"),
        x_title=t("vectors.dim"),
        y_title=t("vectors.position"),
        height=min(700, 200 + 28 * trace.n_tokens),
    )
    st.plotly_chart(fig, key="v_pos", config={"displaylogo": False})
    st.caption(t("vectors.positions_caption"))
    show(frame(trace.positions, rows, "d"), lang, key="v_pos_table")

    st.header(t("vectors.reference"))
    ref = cached_sinusoidal_positions(REFERENCE_POSITIONS, REFERENCE_DIMS)
    fig = matrix_heatmap(
        ref,
        [str(p) for p in range(REFERENCE_POSITIONS)],
        [f"d{j + 1}" for j in range(REFERENCE_DIMS)],
        title=t("vectors.reference_title", n=REFERENCE_POSITIONS, d=REFERENCE_DIMS),
        x_title=t("vectors.dim"),
        y_title=t("vectors.position"),
        height=560,
    )
    st.plotly_chart(fig, key="v_ref", config={"displaylogo": False})
    st.caption(t("vectors.reference_caption"))
    st.info(t("vectors.other_schemes"), icon=":material/info:")
