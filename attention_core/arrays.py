"""Array types shared by the engine's modules, and the one mechanism that keeps a trace's arrays read-only."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
AnyArray = npt.NDArray[Any]


def frozen_array(a: npt.ArrayLike) -> FloatArray:
    """A read-only float64 copy that shares nothing writable with the caller."""
    out: FloatArray = frozen(a, np.float64)
    return out


def frozen(a: npt.ArrayLike, dtype: Any) -> AnyArray:
    """A read-only copy in `dtype` that shares nothing writable with the caller."""
    out = np.array(a, dtype=dtype)
    out.flags.writeable = False
    return out


class ReadOnlyArrays:
    """Mixin for the frozen dataclasses the engine returns: every ndarray field is a read-only float64 array.

    Rebuilding through the constructor on unpickling keeps a copy (e.g. from `st.cache_data`)
    read-only too; numpy's own pickles come back writeable. A subclass may set `array_dtype`
    (ReadOnlyArrays32 keeps float32).
    """

    array_dtype: ClassVar[type[np.floating[Any]]] = np.float64

    def __post_init__(self) -> None:
        dtype = self.array_dtype
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and (value.flags.writeable or value.dtype != dtype):
                object.__setattr__(self, f.name, frozen(value, dtype))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return (_rebuild, (type(self), fields))


class ReadOnlyArrays32(ReadOnlyArrays):
    """ReadOnlyArrays in float32: a trained model's trace, kept in the precision of its weights.

    Half the memory and cache bytes of float64, and still ~1e-7 relative, far inside the 1e-4
    agreement with PyTorch's BERT.
    """

    array_dtype = np.float32


def _rebuild(cls: type[Any], fields: dict[str, Any]) -> Any:
    return cls(**fields)
