"""ui.tables: `show(array_table(...))` sends exactly the Arrow table pandas' own conversion gives the DataFrame."""

from __future__ import annotations

import numpy as np
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
    reference = pa.Table.from_pandas(T.frame(values, rows, prefix))
    fast = T._table_to_arrow(T.array_table(values, rows, prefix))
    assert isinstance(fast, pa.Table)
    assert fast.equals(reference, check_metadata=True)
    assert fast.column(shape[1] - 1).null_count == 1
    pd_back = fast.to_pandas()
    assert list(pd_back.index) == rows
    np.testing.assert_array_equal(pd_back.to_numpy(), values)


def test_duplicate_column_names_fall_back_to_pandas() -> None:
    t = T.array_table(np.zeros((2, 2)), ["a", "b"], ["x", "x"])
    assert T._table_to_arrow(t).shape == (2, 2)  # a DataFrame, converted by Streamlit as before
