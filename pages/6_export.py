"""Export: any matrix as CSV or LaTeX, the whole trace as JSON, every matrix in a ZIP, and a notebook.

Every download is deferred (a callable, run only when its button is clicked), so a rerun of this
page serialises nothing but the preview of the chosen matrix.
"""

from collections.abc import Callable

import streamlit as st

from attention_core import export as ex
from attention_core import notebook_json
from ui.page import start
from ui.steps import pick_head
from ui.tables import frame, show

LATEX_PREVIEW_MAX = 8  # rendered with st.latex up to 8 rows; larger matrices are unreadable as formulas
LATEX_PREVIEW_MAX_COLS = 5  # …and 5 columns, the most that fit a 390 px phone screen
LATEX_CODE_MAX_CELLS = 1024  # the LaTeX source is shown up to this many numbers; beyond, download only

ctrl, trace = start("export.title", "export")
if trace is not None:
    t = ctrl.t
    custom = bool(ctrl.edits)  # the same decision as the trace and the sidebar notice
    stem = ex.file_stem(ctrl.config, custom=custom)  # a name per sentence, sizes and seed: downloads never collide
    st.markdown(t("export.intro"))
    if custom:
        st.info(t("export.custom"), icon=":material/edit:")

    st.header(t("export.matrix_title"))
    kinds = ex.available_kinds(trace)
    pick, head_col = st.columns(2)
    with pick:
        kind = st.selectbox(
            t("export.matrix"),
            kinds,
            index=kinds.index("alpha"),
            format_func=lambda k: t(f"export.m.{k}"),
            key="export_matrix",
        )
    head = 1
    if kind in ex.PER_HEAD_KINDS and trace.n_heads > 1:
        with head_col:
            head = pick_head(ctrl, trace) + 1
    m = ex.trace_matrix(trace, kind, head)
    n_rows, n_cols = m.values.shape
    st.caption(t("export.shape", rows=n_rows, cols=n_cols))
    show(frame(m.values, m.row_labels, m.col_labels), ctrl.lang, key="export_preview", index="row")

    csv_col, tex_col = st.columns(2)
    csv_col.download_button(
        t("export.csv"),
        data=lambda: ex.matrix_csv(m.values, m.row_labels, m.col_labels),
        file_name=f"{stem}_{m.name}.csv",
        mime="text/csv",
        help=t("export.csv_help"),
        on_click="ignore",
        icon=":material/table_view:",
        key="export_csv",
        width="stretch",
    )
    tex_col.download_button(
        t("export.tex"),
        data=lambda: ex.latex_bmatrix(m.values),
        file_name=f"{stem}_{m.name}.tex",
        mime="application/x-tex",
        help=t("export.tex_help"),
        on_click="ignore",
        icon=":material/functions:",
        key="export_tex",
        width="stretch",
    )
    if n_rows * n_cols <= LATEX_CODE_MAX_CELLS:
        latex = ex.latex_bmatrix(m.values)
        st.caption(t("export.latex"))
        # Plain text, wrapped: the syntax colours were 3.8:1 on the code background (WCAG AA wants
        # 4.5:1), and an unwrapped block scrolled sideways on a phone.
        st.code(latex, language=None, wrap_lines=True)
        if n_rows <= LATEX_PREVIEW_MAX and n_cols <= LATEX_PREVIEW_MAX_COLS:
            st.latex(r"\footnotesize" + latex)  # smaller type: five 4-decimal columns fit a phone
    else:
        st.caption(t("export.latex_big", cells=n_rows * n_cols))

    st.header(t("export.all_title"))
    config, lang, exported = ctrl.config, ctrl.lang, trace  # the lambdas see these names, not Optional `trace`
    # (name, the deferred file, file name, mime type, icon)
    downloads: tuple[tuple[str, Callable[[], str | bytes], str, str, str], ...] = (
        (
            "json",
            lambda: ex.trace_json(exported, config),
            f"{stem}_trace.json",
            "application/json",
            ":material/data_object:",
        ),
        (
            "notebook",
            lambda: notebook_json(config, lang=lang, custom=exported if custom else None),
            f"{stem}.ipynb",
            "application/x-ipynb+json",
            ":material/book_2:",
        ),
        ("zip", lambda: ex.matrices_zip(exported), f"{stem}_matrices.zip", "application/zip", ":material/folder_zip:"),
    )
    for column, (name, data, file_name, mime, icon) in zip(st.columns(3), downloads, strict=True):
        with column:
            st.download_button(
                t(f"export.{name}"),
                data=data,
                file_name=file_name,
                mime=mime,
                on_click="ignore",
                icon=icon,
                key=f"export_{name}",
                width="stretch",
            )
            st.caption(t(f"export.{name}_help"))
