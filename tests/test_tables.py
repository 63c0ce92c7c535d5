"""ui.tables: `show(array_table(...))` sends the Arrow table pandas' own conversion gives the DataFrame, with
its pandas metadata cut to what Streamlit's frontend and pyarrow's `to_pandas` read."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ui import tables as T


@pytest.mark.parametrize(
    ("shape", "rows", "prefix"),
    [
        ((5, 3), ["me", "gusta", "estudiar", "inteligencia", "artificial"], "q"),
        ((4, 4), ["a", "b", "a (2)", "ñandú 🙂"], ["a", "b", "a (2)", "ñandú 🙂"]),  # square, unicode labels
        ((1, 5), ["Σ · me"], ["Σ α", "z1", "z2", "z3", "z4"]),
        ((30, 40), [f"w{i}" for i in range(30)], "d"),  # above the compact limits
    ],
)
def test_table_gives_pandas_own_arrow_table(shape: tuple[int, int], rows: list[str], prefix: str | list[str]) -> None:
    values = np.random.RandomState(3).randn(*shape)
    values[0, -1] = np.nan  # a masked cell: null in Arrow, as pandas converts it
    values[-1, 0] = -np.inf
    df = T.frame(values, rows, prefix).rename_axis("word")
    reference = pa.Table.from_pandas(df)
    fast = T._table_to_arrow(T.array_table(values, rows, prefix), "word")
    assert isinstance(fast, pa.Table)
    assert fast.equals(reference)  # the same fields, types and values
    assert fast.column(shape[1] - 1).null_count == 1
    # What is read back is what pandas' full metadata gives: the labels as the named index, the columns, the values.
    pd.testing.assert_frame_equal(fast.to_pandas(), reference.to_pandas())
    pd.testing.assert_frame_equal(fast.to_pandas(), df)
    # The metadata names the index field and nothing about the float columns.
    meta = json.loads(fast.schema.metadata[b"pandas"])
    assert meta["index_columns"] == ["word"]
    assert [c["field_name"] for c in meta["columns"]] == ["word"]
    assert len(meta["column_indexes"]) == 1
    assert len(fast.schema.metadata[b"pandas"]) < len(reference.schema.metadata[b"pandas"]) / 2


def test_a_frame_is_sent_with_the_same_cut_metadata() -> None:
    """Pages that build a DataFrame (the encoder, the trained model) go through the same schema."""
    df = T.frame(np.arange(6.0).reshape(3, 2), ["a", "b", "c"], "d").rename_axis("dim")
    sent = T._to_arrow(df)
    assert isinstance(sent, pa.Table)
    pd.testing.assert_frame_equal(sent.to_pandas(), df)
    assert [c["field_name"] for c in json.loads(sent.schema.metadata[b"pandas"])["columns"]] == ["dim"]


def test_duplicate_column_names_fall_back_to_pandas() -> None:
    t = T.array_table(np.zeros((2, 2)), ["a", "b"], ["x", "x"])
    assert T._table_to_arrow(t).shape == (2, 2)  # a DataFrame, converted by Streamlit as before
