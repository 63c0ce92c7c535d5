"""The feed-forward's activations: ReLU (the textbook layer) and BERT's exact GELU, with the erf numpy lacks."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .arrays import FloatArray, Floats, as_floats

ACTIVATIONS = ("relu", "gelu")  # the names encoder_layer accepts

# erfc(z) = t·exp(-z² + P(t)), t = 1 / (1 + z/2), for 0 <= z <= ERFC_Z_MAX. The form of Numerical
# Recipes' `erfcc`, with P of degree 12 refitted by least squares to math.erfc at 400 Chebyshev
# nodes in t: the absolute error is below 1e-10 on [0, 6] (tests/test_pretrained.py checks 1e-9 on
# a dense grid). Above 6, erfc(z) < 2.2e-17, so z is clipped there.
_ERFC_COEFFS = (
    -1.265534012653892, 1.00044546086495, 0.3714601694040763, 0.09441092248975867, -0.06363464178520531,
    -0.493448956511784, 1.461367281004652, -3.958633446664512, 6.623871318446427, -6.45671021212526,
    3.6955933405345767, -1.1679082315383844, 0.1587210086298744,
)  # fmt: skip
ERFC_Z_MAX = 6.0


def _erfc_nonneg(z: Floats) -> Floats:
    """erfc(z) for z >= 0 in z's own precision: absolute error < 1e-10 in float64 (see _ERFC_COEFFS),
    about 1e-7 in float32. In place where it can be: GELU runs it on every feed-forward unit."""
    zc = np.minimum(z, ERFC_Z_MAX)  # a new array: z is left alone
    t = np.multiply(zc, 0.5, dtype=zc.dtype)
    t += 1.0
    np.reciprocal(t, out=t)
    p = np.full_like(t, _ERFC_COEFFS[-1])
    for c in _ERFC_COEFFS[-2::-1]:  # Horner
        p *= t
        p += c
    zc *= zc
    p -= zc
    np.exp(p, out=p)
    p *= t
    return p


def erf(x: npt.ArrayLike) -> FloatArray:
    """The error function, vectorised (numpy has none), in float64; absolute error < 1e-10."""
    a = np.asarray(x, dtype=np.float64)
    out: FloatArray = np.sign(a) * (1.0 - _erfc_nonneg(np.abs(a)))
    return out


def gelu(x: npt.ArrayLike) -> Floats:
    """BERT's exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), not the tanh approximation.

    Written with erfc so that large negative x loses no digits: x/2·erfc(|x|/√2) for x < 0.
    A float32 array is computed in float32 (as PyTorch does; twice as fast), anything else in float64.
    """
    a = np.asarray(x)
    if a.dtype != np.float32:
        a = a.astype(np.float64)
    e = _erfc_nonneg(np.abs(a) * a.dtype.type(1.0 / math.sqrt(2.0)))
    np.subtract(2.0, e, out=e, where=a >= 0)  # 1 + erf(z) = 2 - erfc(z) for z >= 0
    e *= a
    e *= 0.5
    return e


def relu(x: npt.ArrayLike) -> Floats:
    """max(x, 0), in x's precision (float32 stays float32, anything else is float64)."""
    a = as_floats(x)
    out: Floats = np.maximum(a, a.dtype.type(0.0))
    return out


def activation(name: str) -> Callable[[npt.ArrayLike], Floats]:
    """The activation called `name` (one of ACTIVATIONS); ValueError naming the allowed ones otherwise."""
    if name == "relu":
        return relu
    if name == "gelu":
        return gelu
    raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {name!r}")
