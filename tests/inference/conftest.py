"""Fixtures for the inference tests: one tiny model per session, loaded through from_pretrained."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Two cores are shared by everyone on this machine; one thread per test process is fastest for
# a 2-layer model anyway.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from inference.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny-phi3")


@pytest.fixture(scope="session")
def backend(tiny_dir: Path):  # type: ignore[no-untyped-def]
    import torch

    from inference.backends import TransformersBackend

    torch.set_num_threads(1)
    return TransformersBackend(str(tiny_dir), is_demo=True)


@pytest.fixture
def solve_messages() -> list[dict[str, str]]:
    from inference.prompts import build_messages

    return build_messages(mode="solve", problem="Solve 2x + 3 = 11 for x.")
