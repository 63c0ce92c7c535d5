"""The name of this module before the engine had folders: everything now lives in attention_core.models."""

from .models import *  # noqa: F403
from .models import __all__ as __all__
