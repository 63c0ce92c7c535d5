"""Edit the numbers: hand-edit E, P, W_Q, W_K, W_V; every page then uses them (custom-numbers mode).

The cells are text cells parsed here (ui.edits.parse_cell), not Streamlit number cells: those
parse in the browser and silently stored 15 for "1,5" and 1309 for "1e309". A refused entry is
reported right below its own editor and in a toast, where the user is looking.
"""

import numpy as np
import pandas as pd
import streamlit as st

from ui.compute import cached_custom_trace, cached_trace
from ui.controls import session_state
from ui.edits import apply_edits, base_matrices, decode_edits, encode_edits, parse_cell
from ui.page import start
from ui.steps import View, pick_head
from ui.tables import COMPACT_COLS, COMPACT_ROWS, frame, show
from ui.text import md_escape

MESSAGES = "_edit_messages"  # editor name -> messages to show below it on the next run

ctrl, trace = start("edit.title", "edit")
if trace is not None:
    t, state = ctrl.t, session_state()
    st.markdown(t("edit.intro"))
    version = int(st.session_state.get("_edit_version", 0))  # a new version remounts the editors after an edit
    edits = dict(((m, h, r, c), v) for m, h, r, c, v in decode_edits(state["edits"]))
    messages: dict[str, list[str]] = st.session_state.pop(MESSAGES, {})
    for texts in messages.values():  # a toast shows at the edge of the screen, wherever the user has scrolled
        for text in texts:
            st.toast(text, icon=":material/warning:")

    def set_custom() -> None:
        state["custom"] = bool(st.session_state["custom"])

    st.session_state["custom"] = bool(state["custom"])
    st.toggle(t("edit.use"), key="custom", on_change=set_custom, help=t("edit.use_help"))
    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    with c1:
        if st.button(t("edit.reset"), help=t("edit.reset_help"), disabled=not edits):
            state["edits"] = ""
            state["custom"] = False  # nothing is edited any more: no page may say edited numbers are in use
            st.session_state["_edit_version"] = version + 1
            st.rerun()
    with c2:
        st.caption(ctrl.t_n("edit.count", len(edits)))

    head = pick_head(ctrl, trace)
    view = View(ctrl, trace, head)
    rows = view.rows
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
    changed, touched = False, []
    refused: dict[str, list[str]] = {}
    for name, h, labels, prefix, title_key in layout:
        values = mats[name][h]
        title = t(title_key) + (view.head_tag if name.startswith("w") else "")
        st.header(title)
        shown = values[:COMPACT_ROWS, :COMPACT_COLS]
        if shown.shape != values.shape:
            st.caption(t("edit.compact", rows=shown.shape[0], cols=shown.shape[1]))
        # Shown as text with the notebook's 4 decimals; only the cells whose text changed are read back.
        before = np.char.mod("%.4f", shown).astype(object)
        df = frame(shown, labels[: shown.shape[0]], prefix).astype(object)
        df[:] = before
        df.index.name = t("table.index.word") if name in ("e", "p") else t("table.index.dim")
        config = {c: st.column_config.TextColumn(alignment="right") for c in df.columns}
        edited = st.data_editor(df, key=f"editor_{name}_{h}_{version}", column_config=config)
        after = pd.DataFrame(edited).to_numpy(dtype=object)
        for r, c in zip(*np.nonzero(after != before), strict=True):
            value, why = parse_cell(after[r, c])
            if value is None:
                typed = "" if after[r, c] is None else str(after[r, c])
                refused.setdefault(name, []).append(
                    t(f"edit.refused.{why}", cell=f"{labels[r]}, {prefix}{c + 1}", typed=md_escape(typed, 30))
                )
                continue
            edits[(name, h, int(r), int(c))] = value
            changed = True
            touched.append(name)
        for text in messages.get(name, []):
            st.warning(text, icon=":material/warning:")
    if changed or refused:
        encoded = encode_edits(edits)
        try:
            apply_edits(seeded, decode_edits(encoded))
        except ValueError as err:
            refused.setdefault(touched[0] if touched else "e", []).append(
                t("edit.overflow", message=md_escape(str(err), 200))
            )
        else:
            state["edits"] = encoded
            state["custom"] = state["custom"] or changed
        # Said on the next run, below the editor concerned and in a toast, once the editors have
        # remounted with the last valid values.
        st.session_state[MESSAGES] = refused
        st.session_state["_edit_version"] = version + 1
        st.rerun()
    if ctrl.edits:
        st.success(t("edit.active"), icon=":material/check_circle:")
    st.header(t("edit.result"))
    st.markdown(t("edit.result_explain"))
    show(frame(trace.weights[head], rows, rows), ctrl.lang, key="edit_alpha")
