"""``load_backend``: one backend per process, chosen by kind."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .base import Backend

DEFAULT_MODEL = "microsoft/Phi-4-mini-reasoning"
# Under var/, which git ignores: built weights are never committed. The app's own default
# (settings.TUTOR_TINY_DIR, under STEPWISE_VAR_DIR) is the same folder.
DEFAULT_TINY_DIR = Path(__file__).resolve().parents[2] / "var" / "tiny-model"

_cache: dict[tuple[Any, ...], Backend] = {}
_lock = threading.Lock()


def _transformers(model: str, tiny_dir: Path, **kw: Any) -> Backend:
    from ..loading import resolve_model
    from .transformers_backend import TransformersBackend

    path_or_id, is_demo = resolve_model(model, tiny_dir)
    return TransformersBackend(path_or_id, is_demo=is_demo, **kw)


def _scripted(model: str, tiny_dir: Path, **kw: Any) -> Backend:
    from .scripted import ScriptedBackend

    # For this kind ``model`` carries the script text (TUTOR_SCRIPT); empty means the default.
    if "script" not in kw and model and model != DEFAULT_MODEL:
        kw["script"] = model
    return ScriptedBackend(**kw)


def _openai(model: str, tiny_dir: Path, **kw: Any) -> Backend:
    from .openai_backend import OpenAIBackend

    # ``model`` is the name the server knows (TUTOR_OPENAI_MODEL); base_url, api_key and
    # continue_final_message (False for servers without that extension) come in kw.
    return OpenAIBackend(model, **kw)


# An OpenAI-compatible client (vLLM, SGLang, Ollama, llama.cpp) is the "openai" kind.
_FACTORIES: dict[str, Callable[..., Backend]] = {
    "transformers": _transformers,
    "scripted": _scripted,
    "openai": _openai,
}


def load_backend(
    kind: str = "transformers",
    model: str = DEFAULT_MODEL,
    *,
    tiny_dir: Path | None = None,
    **kw: Any,
) -> Backend:
    """Return the process-wide backend for these arguments, loading it on first use.

    A Celery worker calls this per task; the model loads once per worker process. ``kw`` goes to
    the backend's constructor (``compile=True`` for TransformersBackend, ``script=...`` for
    ScriptedBackend, ``continue_final_message=False`` for an OpenAI-compatible server that
    cannot continue a message) and must be hashable.
    """
    if kind not in _FACTORIES:
        raise ValueError(f"unknown backend kind {kind!r}; expected one of {sorted(_FACTORIES)}")
    tiny = Path(tiny_dir) if tiny_dir is not None else DEFAULT_TINY_DIR
    key = (kind, model, str(tiny), tuple(sorted(kw.items())))
    # Held while loading so two threads asking at once load the model once.
    with _lock:
        backend = _cache.get(key)
        if backend is None:
            backend = _cache[key] = _FACTORIES[kind](model, tiny, **kw)
        return backend


def clear_backend_cache() -> None:
    """Forget loaded backends (tests; or to free memory before loading another model)."""
    with _lock:
        _cache.clear()
