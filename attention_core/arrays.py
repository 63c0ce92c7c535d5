"""Array types shared by the engine's modules, and the one mechanism that keeps a trace's arrays read-only."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Floats = npt.NDArray[np.floating[Any]]  # float32 or float64: an array kept in the precision it was computed in
FloatT = TypeVar("FloatT", np.float32, np.float64)  # a kernel that returns its input's precision
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


def float_dtype(a: npt.ArrayLike) -> np.dtype[np.floating[Any]]:
    """float32 for a float32 array, float64 for anything else: the precision a kernel computes `a` in."""
    dtype = getattr(a, "dtype", None)
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


def as_floats(a: npt.ArrayLike) -> Floats:
    """`a` as float32 if it is a float32 array, else as float64; no copy when it already is one."""
    out: Floats = np.asarray(a, dtype=float_dtype(a))
    return out


class ReadOnlyArrays:
    """Mixin for the frozen dataclasses the engine returns: every ndarray field is a read-only float array.

    Float64 by default; a subclass that sets `array_dtype = None` keeps each float32 array in
    float32 (a trained model's layer, computed in the precision of its weights) and turns any
    other array into float64. A read-only array of the right dtype is kept as it is (no copy), so
    a function that builds a trace from arrays nobody else holds freezes them first.
    Rebuilding through the constructor on unpickling keeps a copy (e.g. from `st.cache_data`)
    read-only too; numpy's own pickles come back writeable.
    """

    array_dtype: ClassVar[type[np.floating[Any]] | None] = np.float64

    def __post_init__(self) -> None:
        fixed = self.array_dtype
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                dtype = float_dtype(value) if fixed is None else np.dtype(fixed)
                if value.flags.writeable or value.dtype != dtype:
                    object.__setattr__(self, f.name, frozen(value, dtype))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return (_rebuild, (type(self), fields))


def _rebuild(cls: type[Any], fields: dict[str, Any]) -> Any:
    return cls(**fields)
