"""Step tables: pandas DataFrames with tokens as the index and named columns, shown with 4 decimals."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from attention_core import unique_labels

from .i18n import translate

__all__ = ["frame", "show", "unique_labels"]

COMPACT_ROWS = 24  # above this many rows a table shows its first rows and says so
COMPACT_COLS = 32  # …and its first columns


def frame(values: np.ndarray, rows: Sequence[str], prefix: str | Sequence[str]) -> pd.DataFrame:
    """A DataFrame of `values` with `rows` as the index and columns prefix1…prefixN."""
    cols = [f"{prefix}{j + 1}" for j in range(values.shape[1])] if isinstance(prefix, str) else list(prefix)
    return pd.DataFrame(values, index=_index(tuple(rows)), columns=cols)


@lru_cache(maxsize=256)
def _index(rows: tuple[str, ...]) -> pd.Index:
    """The row index, built once per label list: a text Index costs ~0.3 ms, and a page draws ~15 tables
    with the same rows. Sharing it is safe: a pandas Index is immutable."""
    return pd.Index(list(rows))


@lru_cache(maxsize=256)
def _number_format(columns: tuple[str, ...]) -> dict[str, ColumnConfig]:
    """The 4-decimal column config, built once per column list (Streamlit deep-copies what it is given)."""
    return {c: st.column_config.NumberColumn(format="%.4f") for c in columns}


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
    config = _number_format(tuple(shown.columns))
    # Every row visible (at most COMPACT_ROWS): Streamlit's default height shows only ten.
    st.dataframe(_to_arrow(shown), column_config=config, key=key, height="content")


@lru_cache(maxsize=64)
def _schema(columns: tuple[str, ...], index_dtype: str, index_name: str | None) -> pa.Schema:
    """The schema pyarrow gives a float table with a text index: it depends only on these three."""
    empty = pd.DataFrame(
        np.empty((0, len(columns))), index=pd.Index([], dtype=index_dtype, name=index_name), columns=list(columns)
    )
    return pa.Schema.from_pandas(empty)


def _to_arrow(df: pd.DataFrame) -> pd.DataFrame | pa.Table:
    """The Arrow table `pa.Table.from_pandas(df)` would give (same schema, metadata and values), built
    column by column from numpy with a cached schema; pyarrow's generic path costs ~0.1 ms per column
    plus a round trip of the text index through Python objects. Other frames go to Streamlit as they are.
    """
    index = df.index
    if (
        isinstance(index, pd.MultiIndex | pd.RangeIndex)
        or not (pd.api.types.is_string_dtype(index.dtype) or index.dtype == object)
        or not all(isinstance(c, str) for c in df.columns)
        or len(set(df.columns)) != len(df.columns)
        or not all(dt == np.float64 for dt in df.dtypes)
    ):
        return df
    schema = _schema(tuple(df.columns), str(index.dtype), index.name)
    values = df.to_numpy()  # (rows, cols) float64
    arrays = [pa.array(values[:, j], from_pandas=True) for j in range(values.shape[1])]
    arrays.append(pa.array(np.asarray(index, dtype=object), type=schema.field(len(arrays)).type))
    return pa.Table.from_arrays(arrays, schema=schema)
