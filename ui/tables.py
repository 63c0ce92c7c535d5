"""Step tables: pandas DataFrames with tokens as the index and named columns, shown with 4 decimals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from .i18n import translate

COMPACT_ROWS = 24  # above this many rows a table shows its first rows and says so
COMPACT_COLS = 32  # …and its first columns


def unique_labels(tokens: Sequence[str]) -> list[str]:
    """Tokens made unique for an index or axis: a repeated 'the' becomes 'the (2)'."""
    seen: dict[str, int] = {}
    out = []
    for tok in tokens:
        seen[tok] = seen.get(tok, 0) + 1
        out.append(tok if seen[tok] == 1 else f"{tok} ({seen[tok]})")
    return out


def frame(values: np.ndarray, rows: Sequence[str], prefix: str | Sequence[str]) -> pd.DataFrame:
    """A DataFrame of `values` with `rows` as the index and columns prefix1…prefixN."""
    cols = [f"{prefix}{j + 1}" for j in range(values.shape[1])] if isinstance(prefix, str) else list(prefix)
    return pd.DataFrame(values, index=pd.Index(list(rows)), columns=cols)


def show(df: pd.DataFrame, lang: str, *, key: str | None = None) -> None:
    """st.dataframe with 4 decimals; large tables show their top-left corner and a note."""
    n_rows, n_cols = df.shape
    shown = df
    if n_rows > COMPACT_ROWS or n_cols > COMPACT_COLS:
        shown = df.iloc[:COMPACT_ROWS, :COMPACT_COLS]
        st.caption(
            translate(
                lang,
                "table.compact",
                rows=min(n_rows, COMPACT_ROWS),
                n_rows=n_rows,
                cols=min(n_cols, COMPACT_COLS),
                n_cols=n_cols,
            )
        )
    config = {c: st.column_config.NumberColumn(format="%.4f") for c in shown.columns}
    st.dataframe(shown, column_config=config, key=key)
