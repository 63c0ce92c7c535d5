"""Step tables: pandas DataFrames with tokens as the index and named columns, shown with 4 decimals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from attention_core import unique_labels
from attention_core.markdown import escape_markdown

from .i18n import translate
from .state import STATE

__all__ = ["Table", "array_table", "cell_texts", "frame", "show", "unique_labels"]

COMPACT_ROWS = 24  # above this many rows a table shows its first rows and says so
COMPACT_COLS = 32  # …and its first columns
# A masked logit. The grid printed JavaScript's "-Infinity" (in Spanish pages too); the formulas and
# the heatmap's hover say −∞, a symbol that reads the same in every language.
MINUS_INF = "−∞"
PLUS_INF = "+∞"
STATIC_WIDTH = 4000  # px: presenter mode's tables, clamped by Streamlit to the width of their column


def frame(values: np.ndarray, rows: Sequence[str], prefix: str | Sequence[str]) -> pd.DataFrame:
    """A DataFrame of `values` with `rows` as the index and columns prefix1…prefixN."""
    cols = [f"{prefix}{j + 1}" for j in range(values.shape[1])] if isinstance(prefix, str) else list(prefix)
    return pd.DataFrame(values, index=_index(tuple(rows)), columns=cols)


@dataclass(frozen=True)
class Table:
    """A step table as plain arrays: what `show` draws without building a DataFrame first.

    `frame()` and then the Arrow conversion cost ~0.7 ms per small table (pandas' text Index and
    dtype checks); a home rerun draws about a dozen. `show(array_table(...))` sends the same Arrow table
    (same fields and values; the pandas metadata cut to what is read, see `_schema`) built straight from numpy.
    """

    values: np.ndarray  # (rows, cols) float64
    rows: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape[0], self.values.shape[1]

    def to_frame(self) -> pd.DataFrame:
        """The same table as `frame()` gives it."""
        return frame(self.values, self.rows, self.columns)


def array_table(values: np.ndarray, rows: Sequence[str], prefix: str | Sequence[str]) -> Table:
    """Like `frame()`, without pandas: `values` with `rows` as the index and columns prefix1…prefixN."""
    return Table(np.asarray(values, dtype=np.float64), tuple(rows), _columns(prefix, values.shape[1]))


def _columns(prefix: str | Sequence[str], n: int) -> tuple[str, ...]:
    return _numbered(prefix, n) if isinstance(prefix, str) else tuple(prefix)


@lru_cache(maxsize=256)
def _numbered(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{j + 1}" for j in range(n))


@lru_cache(maxsize=256)
def _index(rows: tuple[str, ...]) -> pd.Index:
    """The row index, built once per label list: a page draws many tables with the same rows, and a text
    Index is not free to build (docs/benchmarks.md). Sharing it is safe: a pandas Index is immutable."""
    return pd.Index(list(rows))


@lru_cache(maxsize=256)
def _number_format(columns: tuple[str, ...]) -> dict[str, ColumnConfig]:
    """The 4-decimal column config, built once per column list (Streamlit deep-copies what it is given)."""
    return {c: st.column_config.NumberColumn(format="%.4f") for c in columns}


def cell_texts(values: np.ndarray) -> np.ndarray:
    """Each value as the tables print it: 4 decimals ("%.4f", as the grid's format), −∞ / +∞ for
    infinities (a masked logit), an empty cell for NaN. An object array of the same shape."""
    out = np.char.mod("%.4f", values).astype(object)
    out[np.isneginf(values)] = MINUS_INF
    out[np.isposinf(values)] = PLUS_INF
    out[np.isnan(values)] = ""
    return out


def _presenting() -> bool:
    """Whether this session is in presenter mode (the shared controls' state, ui/state.py)."""
    state = st.session_state.get(STATE)
    return bool(state and state.get("present"))


def show(df: pd.DataFrame | Table, lang: str, *, key: str | None = None, index: str = "word") -> None:
    """st.dataframe with 4 decimals; large tables show their top-left corner and a note.

    `index` names the row labels' column ("word", "dim", "d_k", "temperature", "row": the catalogue's
    table.index.*), so that screen readers announce a header instead of an empty cell.
    In presenter mode the table is a static HTML table instead (`_show_static`), whose type the
    projector's CSS can enlarge. Infinities (masked logits) are printed as −∞ in both.
    """
    n_rows, n_cols = df.shape
    index_name = translate(lang, f"table.index.{index}")
    shown = df.rename_axis(index_name) if isinstance(df, pd.DataFrame) and df.index.name is None else df
    if n_rows > COMPACT_ROWS or n_cols > COMPACT_COLS:
        if isinstance(shown, Table):
            shown = Table(
                shown.values[:COMPACT_ROWS, :COMPACT_COLS], shown.rows[:COMPACT_ROWS], shown.columns[:COMPACT_COLS]
            )
        else:
            shown = shown.iloc[:COMPACT_ROWS, :COMPACT_COLS]
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
    if _presenting():
        _show_static(shown, index_name)
        return
    if isinstance(shown, Table):
        values: np.ndarray | None = shown.values
    else:
        values = shown.to_numpy() if all(dt == np.float64 for dt in shown.dtypes) else None
    if values is not None and np.isinf(values).any():
        _show_with_infinities(shown, values, index_name, key)
        return
    config = _number_format(tuple(shown.columns))
    data = _table_to_arrow(shown, index_name) if isinstance(shown, Table) else _to_arrow(shown)
    # Every row visible (at most COMPACT_ROWS): Streamlit's default height shows only ten.
    st.dataframe(data, column_config=config, key=key, height="content")


def _show_with_infinities(shown: pd.DataFrame | Table, values: np.ndarray, index_name: str, key: str | None) -> None:
    """A table holding ±inf: its columns with an infinity become right-aligned text ("−∞", "0.1234"),
    since a number column's format cannot name an infinity; the others stay 4-decimal numbers."""
    df = shown.to_frame() if isinstance(shown, Table) else shown.copy()
    if df.index.name is None:
        df = df.rename_axis(index_name)
    config: dict[str, ColumnConfig] = {}
    for j, col in enumerate(df.columns):
        if np.isinf(values[:, j]).any():
            df[col] = cell_texts(values[:, j])
            config[col] = st.column_config.TextColumn(alignment="right")
        else:
            config[col] = st.column_config.NumberColumn(format="%.4f")
    st.dataframe(df, column_config=config, key=key, height="content")


def _show_static(shown: pd.DataFrame | Table, index_name: str) -> None:
    """Presenter mode's table: st.table, a real HTML table whose font ui/present.py's CSS enlarges
    (st.dataframe draws on a canvas, which ignores CSS). The same digits as the grid (cell_texts);
    st.table reads every cell and label as markdown, so the labels (words) are escaped.
    """
    df = shown.to_frame() if isinstance(shown, Table) else shown
    columns = {}
    for j in range(df.shape[1]):
        col = df.iloc[:, j]
        if pd.api.types.is_float_dtype(col.dtype):
            columns[j] = cell_texts(col.to_numpy(dtype=np.float64))
        else:
            columns[j] = np.array([escape_markdown(str(v)) for v in col], dtype=object)
    texts = pd.DataFrame(columns)
    name = str(df.index.name or index_name)
    texts.index = pd.Index([escape_markdown(str(r)) for r in df.index], name=escape_markdown(name))
    texts.columns = [escape_markdown(str(c)) for c in df.columns]
    # In large type a table can be wider than its column and scroll sideways. Given a width in pixels,
    # Streamlit gives the scrolling box a Tab stop and a name (axe: scrollable-region-focusable) and keeps
    # the word column in view; it never grows past the column it is in.
    st.table(texts, width=STATIC_WIDTH)


@lru_cache(maxsize=64)
def _schema(columns: tuple[str, ...], index_dtype: str, index_name: str | None) -> pa.Schema:
    """The schema pyarrow gives a float table with a text index (it depends only on these three), with
    its pandas metadata cut to what is read.

    pandas' metadata describes every column (name, field name, pandas and numpy types, ~110 bytes
    each) and names its creator and versions: about a third of a small step table's bytes, sent again
    on every rerun. Its readers, Streamlit's frontend (which fields are the index, how many header
    levels, the index's type) and pyarrow's `to_pandas` (the same, for AppTest), need only
    `index_columns`, `column_indexes` and the index's own entry: a float column's type is the
    schema's. The frontend draws the same table (docs/benchmarks.md, issue 14).
    """
    empty = pd.DataFrame(
        np.empty((0, len(columns))), index=pd.Index([], dtype=index_dtype, name=index_name), columns=list(columns)
    )
    schema = pa.Schema.from_pandas(empty)
    meta = json.loads(schema.metadata[b"pandas"])
    index_fields = {name for name in meta["index_columns"] if isinstance(name, str)}
    kept = {
        "index_columns": meta["index_columns"],
        "column_indexes": meta["column_indexes"],
        "columns": [c for c in meta["columns"] if c["field_name"] in index_fields],
    }
    return schema.with_metadata({b"pandas": json.dumps(kept, separators=(",", ":")).encode()})


_INDEX_DTYPE = str(pd.Index(["a"]).dtype)  # pandas' default text dtype ("str" in pandas 3)
_INDEX_TYPE = pa.Schema.from_pandas(pd.DataFrame(index=pd.Index(["a"]))).field(0).type


@lru_cache(maxsize=256)
def _index_array(rows: tuple[str, ...]) -> pa.Array:
    """The index column as Arrow text, built once per label list (Arrow arrays are immutable)."""
    return pa.array(list(rows), type=_INDEX_TYPE)


def _table_to_arrow(t: Table, index_name: str | None = None) -> pd.DataFrame | pa.Table:
    """What `_to_arrow(t.to_frame().rename_axis(index_name))` returns, without the DataFrame."""
    if len(set(t.columns)) != len(t.columns):  # pandas' own path, as _to_arrow does
        return _to_arrow(t.to_frame().rename_axis(index_name))
    schema = _schema(t.columns, _INDEX_DTYPE, index_name)
    arrays = [pa.array(t.values[:, j], from_pandas=True) for j in range(t.values.shape[1])]  # NaN -> null
    arrays.append(_index_array(t.rows))
    return pa.Table.from_arrays(arrays, schema=schema)


def _to_arrow(df: pd.DataFrame) -> pd.DataFrame | pa.Table:
    """The Arrow table `pa.Table.from_pandas(df)` would give (same fields and values; the pandas metadata
    cut to what is read, see `_schema`), built column by column from numpy with a cached schema;
    pyarrow's generic path costs ~0.1 ms per column plus a round trip of the text index through
    Python objects. Other frames go to Streamlit as they are.
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
