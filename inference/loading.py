"""Choose what ``from_pretrained`` loads: the configured model if present, else the tiny demo."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from .tiny_model import build_tiny_model, is_tiny_model

log = logging.getLogger(__name__)

# A few training steps make the demo model write math-shaped lines and end its turn with <|end|>
# instead of emitting random tokens until max_new_tokens.
DEMO_TRAIN_STEPS = 120


def resolve_model(tutor_model: str, tiny_dir: Path) -> tuple[str, bool]:
    """Return ``(path_or_id, is_demo)`` for ``TUTOR_MODEL``, never touching the network.

    1. A local directory holding ``config.json`` is used as is.
    2. A hub id whose config and weights are all in the local Hugging Face cache is used as is.
    3. Anything else falls back to the tiny demo model, built into ``tiny_dir`` when missing;
       the UI then shows a "demo model" notice.
    """
    local = Path(tutor_model).expanduser()
    if local.is_dir() and (local / "config.json").is_file():
        # A caller may pass an already-resolved tiny model path; it is still the demo model.
        return str(local), is_tiny_model(local)
    if _weights_cached(tutor_model):
        return tutor_model, False
    log.warning("model %r is not available locally; using the tiny demo model", tutor_model)
    built = build_tiny_model(Path(tiny_dir), train_steps=DEMO_TRAIN_STEPS)
    return str(built), True


def _cached_file(repo_id: str, filename: str) -> str | None:
    """Path of ``filename`` in the local hub cache, or None. Reads the cache directory only."""
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(repo_id, filename)
    except ValueError:  # not a valid repo id (HFValidationError subclasses ValueError)
        return None
    return found if isinstance(found, str) else None


def _weights_cached(repo_id: str) -> bool:
    if _cached_file(repo_id, "config.json") is None:
        return False
    index = _cached_file(repo_id, "model.safetensors.index.json")
    if index is not None:
        shards = set(json.loads(Path(index).read_text(encoding="utf-8"))["weight_map"].values())
        return all(_cached_file(repo_id, shard) is not None for shard in shards)
    return _cached_file(repo_id, "model.safetensors") is not None
