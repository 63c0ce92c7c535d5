"""Edit the numbers: hand-edit E, P, W_Q, W_K, W_V; every page then uses them (custom-numbers mode)."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from ui.compute import cached_custom_trace, cached_trace
from ui.controls import NOTICES, session_state
from ui.edits import apply_edits, base_matrices, decode_edits, encode_edits
from ui.page import start
from ui.steps import View, pick_head
from ui.tables import COMPACT_COLS, COMPACT_ROWS, frame, show
from ui.text import md_escape

ctrl, trace = start("edit.title", "edit")
if trace is not None:
    t, state = ctrl.t, session_state()
    st.markdown(t("edit.intro"))
    version = int(st.session_state.get("_edit_version", 0))  # a new version remounts the editors after an edit
    edits = dict(((m, h, r, c), v) for m, h, r, c, v in decode_edits(state["edits"]))

    def set_custom() -> None:
        state["custom"] = bool(st.session_state["custom"])

    st.session_state["custom"] = bool(state["custom"])
    st.toggle(t("edit.use"), key="custom", on_change=set_custom, help=t("edit.use_help"))
    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    with c1:
        if st.button(t("edit.reset"), help=t("edit.reset_help"), disabled=not edits):
            state["edits"] = ""
            st.session_state["_edit_version"] = version + 1
            st.rerun()
    with c2:
        st.caption(ctrl.t_n("edit.count", len(edits)))

    head = pick_head(ctrl, trace)
    rows = View(ctrl, trace, head).rows
    seeded = cached_trace(ctrl.config)
    current = cached_custom_trace(ctrl.config, tuple((m, h, r, c, v) for (m, h, r, c), v in edits.items()))
    mats = base_matrices(current)
    d_rows = [f"d{i + 1}" for i in range(trace.d_model)]
    layout = (
        ("e", 0, rows, "d", "edit.e"),
        ("p", 0, rows, "d", "edit.p"),
        ("wq", head, d_rows, "q", "edit.wq"),
        ("wk", head, d_rows, "k", "edit.wk"),
        ("wv", head, d_rows, "v", "edit.wv"),
    )
    changed, rejected = False, []
    for name, h, labels, prefix, title_key in layout:
        values = mats[name][h]
        st.subheader(t(title_key) + (View(ctrl, trace, head).head_tag if name.startswith("w") else ""))
        shown = values[:COMPACT_ROWS, :COMPACT_COLS]
        if shown.shape != values.shape:
            st.caption(t("edit.compact", rows=shown.shape[0], cols=shown.shape[1]))
        df = frame(shown, labels[: shown.shape[0]], prefix)
        config = {c: st.column_config.NumberColumn(format="%.4f") for c in df.columns}
        edited = st.data_editor(df, key=f"editor_{name}_{h}_{version}", column_config=config)
        new = pd.DataFrame(edited).to_numpy(dtype=np.float64, na_value=np.nan)
        for r, c in zip(*np.nonzero(~np.isclose(new, shown, rtol=0, atol=0, equal_nan=False)), strict=True):
            value = float(new[r, c])
            if not math.isfinite(value):
                rejected.append(f"{name} [{labels[r]}, {prefix}{c + 1}]")
                continue
            edits[(name, h, int(r), int(c))] = value
            changed = True
    if rejected:  # keep the last valid values: remount the editors and say why on the next run
        st.session_state[NOTICES].append(("edit.rejected", {"cells": md_escape(", ".join(rejected), 200)}))
    if changed or rejected:
        encoded = encode_edits(edits)
        try:
            apply_edits(seeded, decode_edits(encoded))
        except ValueError as err:
            st.session_state[NOTICES].append(("edit.overflow", {"message": md_escape(str(err), 200)}))
        else:
            state["edits"] = encoded
            state["custom"] = state["custom"] or changed
        st.session_state["_edit_version"] = version + 1
        st.rerun()
    if ctrl.edits:
        st.success(t("edit.active"), icon=":material/check_circle:")
    st.subheader(t("edit.result"))
    st.markdown(t("edit.result_explain"))
    show(frame(trace.weights[head], rows, rows), ctrl.lang, key="edit_alpha")
