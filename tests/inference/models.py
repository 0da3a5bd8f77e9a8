"""Small random models for tests that need a shape the tiny demo model does not have."""

from __future__ import annotations

from typing import Any

import torch


def long_rope_model(switch_at: int) -> Any:
    """A random Phi-3 with Phi-4-mini's long rope, switching to the long factors early."""
    from transformers import Phi3Config, Phi3ForCausalLM

    torch.manual_seed(0)
    config = Phi3Config(
        vocab_size=97,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=8 * switch_at,
        original_max_position_embeddings=switch_at,
        # Large weights make attention peaked, so keys rotated the wrong way change the tokens
        # (with the default 0.02 attention is nearly uniform and hides the difference).
        initializer_range=0.5,
        rope_parameters={
            "rope_type": "longrope",
            "rope_theta": 10000.0,
            "partial_rotary_factor": 0.75,
            "short_factor": [1.0] * 6,
            "long_factor": [16.0] * 6,
        },
    )
    return Phi3ForCausalLM(config).eval()
