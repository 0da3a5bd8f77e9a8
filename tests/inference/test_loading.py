"""Choosing the model: a local dir, a cached hub id, or the tiny demo fallback."""

from __future__ import annotations

from pathlib import Path

import huggingface_hub.constants
import pytest

from inference.backends import load_backend
from inference.backends.hardware import pick_attn_implementation
from inference.loading import resolve_model


def _fake_hub_cache(root: Path, repo_id: str, files: list[str]) -> None:
    repo = root / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    for name in files:
        (snapshot / name).write_text("{}")


def test_uncached_hub_id_falls_back_to_the_tiny_model(tiny_dir: Path) -> None:
    """Without the weights on disk the demo model is used (and flagged as a demo)."""
    path, is_demo = resolve_model("stepwise-test/not-in-any-cache", tiny_dir)
    assert (path, is_demo) == (str(tiny_dir), True)


def test_invalid_model_name_falls_back_too(tiny_dir: Path) -> None:
    """A name that is neither a directory nor a valid hub id still gives a working demo."""
    assert resolve_model("not a/valid//id!!", tiny_dir) == (str(tiny_dir), True)


def test_missing_tiny_model_is_built(tmp_path: Path) -> None:
    """First start on a fresh machine builds the demo model into tiny_dir."""
    path, is_demo = resolve_model("stepwise-test/not-cached", tmp_path / "tiny")
    assert is_demo and (Path(path) / "config.json").is_file()


def test_local_directory_is_used_as_is(tmp_path: Path, tiny_dir: Path) -> None:
    """A directory with config.json is the model; it is a demo only if it is the tiny one."""
    (tmp_path / "config.json").write_text("{}")
    assert resolve_model(str(tmp_path), tiny_dir) == (str(tmp_path), False)
    assert resolve_model(str(tiny_dir), tmp_path / "unused") == (str(tiny_dir), True)


@pytest.mark.parametrize(
    ("files", "cached"),
    [
        (["config.json", "model.safetensors"], True),
        (["config.json"], False),  # config without weights is not a usable model
        (["model.safetensors"], False),
    ],
)
def test_hub_id_in_the_local_cache_is_used(
    tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch, files: list[str], cached: bool
) -> None:
    """A hub id whose files are in the HF cache loads by id, offline."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    _fake_hub_cache(tmp_path, "org/model", files)
    expected = ("org/model", False) if cached else (str(tiny_dir), True)
    assert resolve_model("org/model", tiny_dir) == expected


def test_sharded_weights_need_every_shard(
    tmp_path: Path, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A half-downloaded sharded checkpoint is not treated as present."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    _fake_hub_cache(tmp_path, "org/sharded", ["config.json", "a.safetensors"])
    index = tmp_path / "models--org--sharded" / "snapshots" / "abc123"
    (index / "model.safetensors.index.json").write_text(
        '{"weight_map": {"x": "a.safetensors", "y": "b.safetensors"}}'
    )
    assert resolve_model("org/sharded", tiny_dir)[1] is True
    (index / "b.safetensors").write_text("{}")
    assert resolve_model("org/sharded", tiny_dir) == ("org/sharded", False)


def test_load_backend_loads_the_tiny_model_once(tiny_dir: Path) -> None:
    """A worker asking twice gets the same loaded model, marked as the demo."""
    first = load_backend("transformers", "stepwise-test/not-cached", tiny_dir=tiny_dir)
    assert first is load_backend("transformers", "stepwise-test/not-cached", tiny_dir=tiny_dir)
    assert first.is_demo and first.name == str(tiny_dir)


@pytest.mark.parametrize(
    ("device", "capability", "flash", "expected"),
    [
        ("cpu", None, False, "sdpa"),
        ("mps", None, False, "sdpa"),
        ("cuda", (7, 0), True, "eager"),  # V100: the card says eager
        ("cuda", (7, 5), False, "eager"),  # T4
        ("cuda", (8, 0), True, "flash_attention_2"),  # A100
        ("cuda", (9, 0), True, "flash_attention_2"),  # H100/H200
        ("cuda", (9, 0), False, "sdpa"),  # flash_attn not installed
    ],
)
def test_attention_choice(
    device: str, capability: tuple[int, int] | None, flash: bool, expected: str
) -> None:
    """Flash attention on Ampere+ when installed, eager before Ampere, SDPA otherwise."""
    got = pick_attn_implementation(device, capability=capability, flash_attn_installed=flash)  # type: ignore[arg-type]
    assert got == expected
