"""erf and BERT's exact GELU, for the models' code: they live in attention_core.activations, beside ReLU,
because the one encoder layer (attention_core.encoder) offers both. Kept so that older imports work."""

from ..activations import ERFC_Z_MAX, erf, gelu
from ..arrays import Floats

__all__ = ["ERFC_Z_MAX", "Floats", "erf", "gelu"]
