"""Model backends behind one small protocol (no Django imports).

``TransformersBackend`` is imported lazily so that ``ScriptedBackend`` and the value types can be
used without paying for torch and transformers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import (
    Backend,
    BaseGeneration,
    Delta,
    FinishReason,
    Generation,
    GenerationParams,
    Message,
    Stats,
    StopCheck,
    params_after_rewind,
)
from .registry import DEFAULT_MODEL, clear_backend_cache, load_backend
from .scripted import ScriptedBackend, chunk_text

if TYPE_CHECKING:
    from .openai_backend import OpenAIBackend
    from .transformers_backend import TransformersBackend

__all__ = [
    "DEFAULT_MODEL",
    "Backend",
    "BaseGeneration",
    "Delta",
    "FinishReason",
    "Generation",
    "GenerationParams",
    "Message",
    "OpenAIBackend",
    "ScriptedBackend",
    "Stats",
    "StopCheck",
    "TransformersBackend",
    "chunk_text",
    "clear_backend_cache",
    "load_backend",
    "params_after_rewind",
]


def __getattr__(name: str) -> Any:
    if name == "TransformersBackend":
        from .transformers_backend import TransformersBackend

        return TransformersBackend
    if name == "OpenAIBackend":  # lazily too: httpx is only needed by workers that use it
        from .openai_backend import OpenAIBackend

        return OpenAIBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
