"""Device, dtype and attention-kernel choice for the transformers backend."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import torch

DeviceKind = Literal["cuda", "mps", "cpu"]
AttnImplementation = Literal["flash_attention_2", "sdpa", "eager"]


def pick_device() -> DeviceKind:
    """cuda > mps > cpu."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(device: DeviceKind) -> torch.dtype:
    """bf16 on CUDA (the weights' native dtype); float32 elsewhere, where bf16 matmuls are slow."""
    import torch

    return torch.bfloat16 if device == "cuda" else torch.float32


def pick_attn_implementation(
    device: DeviceKind,
    *,
    capability: tuple[int, int] | None = None,
    flash_attn_installed: bool | None = None,
) -> AttnImplementation:
    """The model card's choice: flash attention on Ampere+ GPUs, eager before Ampere, else SDPA.

    ``capability`` and ``flash_attn_installed`` are looked up when not given (tests pass them).
    """
    if device != "cuda":
        return "sdpa"
    if capability is None:
        import torch

        capability = torch.cuda.get_device_capability()
    if capability < (8, 0):
        # Phi-4-mini card: on V100 or older use attn_implementation="eager".
        return "eager"
    if flash_attn_installed is None:
        flash_attn_installed = importlib.util.find_spec("flash_attn") is not None
    return "flash_attention_2" if flash_attn_installed else "sdpa"
