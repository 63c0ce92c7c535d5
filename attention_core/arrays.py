"""Array types shared by the engine's modules, and the one mechanism that keeps a trace's arrays read-only."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[Any]


def frozen_array(a: npt.ArrayLike) -> FloatArray:
    """A read-only float64 copy that shares nothing writable with the caller."""
    out = np.array(a, dtype=np.float64)
    out.flags.writeable = False
    return out


class ReadOnlyArrays:
    """Mixin for the frozen dataclasses the engine returns: every ndarray field is a read-only float64 array.

    Rebuilding through the constructor on unpickling keeps a copy (e.g. from `st.cache_data`)
    read-only too; numpy's own pickles come back writeable.
    """

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and (value.flags.writeable or value.dtype != np.float64):
                object.__setattr__(self, f.name, frozen_array(value))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return (_rebuild, (type(self), fields))


def _rebuild(cls: type[Any], fields: dict[str, Any]) -> Any:
    return cls(**fields)
