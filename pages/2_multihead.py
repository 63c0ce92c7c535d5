"""Multi-head & masks: one α per head, concat and W_O, scaled against unscaled, the causal mask, temperature."""

import numpy as np
import streamlit as st

import attention_core as ac
from ui.charts import lines
from ui.compute import cached_entropy_by_dk, cached_variant
from ui.controls import view_selectbox
from ui.page import start
from ui.steps import View, heatmap, pick_head
from ui.tables import frame, show

TEMPERATURES = (0.25, 0.5, 1.0, 2.0, 4.0)
D_KS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

ctrl, trace = start("multihead.title", "multihead")
if trace is not None:
    t, lang, cfg = ctrl.t, ctrl.lang, ctrl.config
    edits = ctrl.edits
    st.markdown(t("multihead.intro"))
    rows = View(ctrl, trace, 0).rows

    # 1. One α heatmap per head, side by side.
    st.subheader(t("multihead.heads"))
    st.markdown(ctrl.t_n("multihead.heads_explain", trace.n_heads, d_k=trace.d_k))
    if trace.n_heads == 1:
        st.info(t("multihead.one_head"), icon=":material/info:")
    per_row = min(trace.n_heads, 4 if trace.n_tokens <= 8 else 2)
    cols = st.columns(per_row)
    side = 260 + 30 * min(trace.n_tokens, 16) if trace.n_heads > 1 else None
    for hh in range(trace.n_heads):
        with cols[hh % per_row]:
            title = t("head.option", head=hh + 1) if trace.n_heads > 1 else None
            heatmap(
                View(ctrl, trace, hh),
                key=f"mh_heat_{hh}",
                height=side,
                title=title,
                table=True,
                small=per_row > 2,
                light=True,
            )

    # 2. Concatenation and W_O.
    st.subheader(t("multihead.concat"))
    if trace.w_o is None:
        st.markdown(t("multihead.no_wo"))
        st.latex(r"Z = \alpha V")
        show(frame(trace.output, rows, "z"), lang, key="mh_out1")
    else:
        st.latex(r"\mathrm{MultiHead}(X) = \mathrm{Concat}(Z_1,\dots,Z_h)\,W_O")
        concat_cols = [f"h{hh + 1}.z{j + 1}" for hh in range(trace.n_heads) for j in range(trace.d_v)]
        st.markdown(f"**{t('step7.concat')}** · {trace.n_tokens}×{trace.n_heads * trace.d_v}")
        show(frame(trace.concat, rows, concat_cols), lang, key="mh_concat")
        st.markdown(f"**W_O** · {trace.w_o.shape[0]}×{trace.w_o.shape[1]}")
        show(frame(trace.w_o, concat_cols, "d"), lang, key="mh_wo")
        st.markdown(f"**{t('step7.final')}** · {trace.n_tokens}×{trace.d_model}")
        show(frame(trace.output, rows, "d"), lang, key="mh_out")

    # 3. Scaled against unscaled, with each row's entropy.
    st.subheader(t("multihead.scaling"))
    st.markdown(t("multihead.scaling_explain", d_k=trace.d_k))
    head = pick_head(ctrl, trace)
    plain = cached_variant(cfg, edits, scaled=False)
    scaled = cached_variant(cfg, edits, scaled=True)
    left, right = st.columns(2)
    with left:
        heatmap(View(ctrl, plain, head), key="mh_plain", title=t("multihead.unscaled"), table=True, light=True)
    with right:
        heatmap(View(ctrl, scaled, head), key="mh_scaled", title=t("multihead.scaled"), table=True, light=True)
    entropy = np.column_stack(
        [
            ac.row_entropy(plain.weights[head]),
            ac.row_entropy(scaled.weights[head]),
            np.full(trace.n_tokens, np.log(trace.n_tokens)),
        ]
    )
    st.markdown(t("multihead.entropy_explain"))
    show(
        frame(entropy, rows, [t("multihead.h_plain"), t("multihead.h_scaled"), t("multihead.h_uniform")]),
        lang,
        key="mh_entropy",
    )
    d_ks = tuple(d for d in D_KS if d <= ac.D_HEAD_MAX)
    curve_plain, curve_scaled = cached_entropy_by_dk(cfg, d_ks)
    fig = lines(
        np.array(d_ks),
        [(t("multihead.unscaled"), curve_plain), (t("multihead.scaled"), curve_scaled)],
        title=t("multihead.curve_title", n=trace.n_tokens, d_model=cfg.d_model),
        x_title="d_k",
        y_title=t("multihead.curve_y"),
        log_x=True,
    )
    st.plotly_chart(fig, key="mh_curve", config={"displaylogo": False})
    st.caption(t("multihead.curve_caption"))
    show(
        frame(
            np.column_stack([curve_plain, curve_scaled]),
            [str(d) for d in d_ks],
            [t("multihead.unscaled"), t("multihead.scaled")],
        ),
        lang,
        key="mh_curve_table",
    )

    # 4. The causal mask.
    st.subheader(t("multihead.causal"))
    st.markdown(t("multihead.causal_explain"))
    masked = trace if trace.causal else cached_variant(cfg, edits, causal=True)
    heatmap(View(ctrl, masked, head), key="mh_causal", table=True, light=True)
    st.markdown(f"**{t('multihead.logits')}**")
    show(frame(masked.logits[head], rows, rows), lang, key="mh_logits")

    # 5. Temperature.
    st.subheader(t("multihead.temperature"))
    st.markdown(t("multihead.temperature_explain"))
    word = view_selectbox(
        ctrl, "word", t("step6.pick"), range(1, trace.n_tokens + 1), format_func=lambda i: f"{i}. {rows[i - 1]}"
    )
    temps = tuple(sorted(set(TEMPERATURES) | {float(trace.temperature)}))
    sweep = ac.temperature_sweep(trace, word - 1, temps, head)
    names = [f"T = {tt:g}" for tt in temps]
    fig = lines(
        rows,
        list(zip(names, sweep, strict=True)),
        title=t("multihead.temperature_title", word=word),
        x_title=t("heatmap.keys"),
        y_title="α",
        category_x=True,
    )
    st.plotly_chart(fig, key="mh_temp", config={"displaylogo": False})
    st.caption(t("multihead.temperature_caption"))
    show(frame(sweep, names, rows), lang, key="mh_temp_table")
