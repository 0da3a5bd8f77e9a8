"""Decode speed of a full-size Phi-4-mini on a GPU, as a fraction of the memory-bandwidth bound.

    .venv/bin/python bench/gpu.py                 # on a CUDA machine (random bf16 weights)
    OMP_NUM_THREADS=1 .venv/bin/python bench/gpu.py --tiny   # smoke run on CPU

Nothing is downloaded: the model is built from Phi-4-mini-reasoning's published shape (vocab
200,064, hidden 3072, 32 layers, 24 query / 8 KV heads, MLP 8192, tied embeddings, partial
rotary 0.75) with random weights. Decode speed does not depend on the weights' values.

Single-stream decode reads every weight once per token, so its ceiling is
bandwidth / weight bytes (about 7.7 GB in bf16: ~620 tok/s on an H200 at 4.8 TB/s, ~435 on an
H100 at 3.35 TB/s; DESIGN.md). A batched step reads the weights once plus every row's KV cache
(about 131 KB per token of context in bf16), so the bound for B rows is
B x bandwidth / (weights + B x context x KV bytes); at 8k context an H200 tops out near 4.5k
tok/s however large B is. The "Stepwise decode loop" row runs the worker's own loop
(inference/backends/decode_loop.py) on the same model, next to generate()'s sdpa row. Each
mode runs in its own try/except; rows are printed as they finish
so a timeout keeps what was measured, and modes still to run are skipped once --budget-s is
spent (compilation, the slowest to start, runs last). --out writes the rows as .json and .md.

    .venv/bin/python bench/gpu.py --out var/bench/gpu-h200    # the command for a GPU lease
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the decode-loop row imports it

# Peak HBM bandwidth in TB/s by device name (SXM parts; PCIe H100 is ~2.0).
BANDWIDTH_TBPS = {"H200": 4.8, "H100": 3.35, "A100": 2.0, "L40S": 0.864, "A10": 0.6}


@dataclass
class Row:
    mode: str
    batch: int
    ttft_s: float | None
    tok_s: float
    bound_tok_s: float | None
    seconds: float = 0.0

    @property
    def of_bound(self) -> float | None:
        return self.tok_s / self.bound_tok_s if self.bound_tok_s else None

    def render(self) -> str:
        ttft = f"{self.ttft_s * 1000:9.1f}" if self.ttft_s is not None else f"{'-':>9}"
        if self.bound_tok_s:
            bound = f"{self.bound_tok_s:10.0f} {self.tok_s / self.bound_tok_s:8.1%}"
        else:
            bound = f"{'n/a':>10} {'n/a':>8}"
        return f"{self.mode:<28} {self.batch:>5} {ttft} {self.tok_s:10.1f} {bound}"


HEADER = f"{'mode':<28} {'batch':>5} {'ttft ms':>9} {'tok/s':>10} {'bound':>10} {'of bound':>8}"


def phi4_mini_config(tiny: bool) -> Any:
    from transformers import Phi3Config

    shape: dict[str, Any] = (
        {"vocab_size": 3072, "hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2}
        if tiny
        else {
            "vocab_size": 200064,
            "hidden_size": 3072,
            "intermediate_size": 8192,
            "num_hidden_layers": 32,
        }
    )
    heads: dict[str, Any] = (
        {"num_attention_heads": 4, "num_key_value_heads": 2}
        if tiny
        else {
            "num_attention_heads": 24,
            "num_key_value_heads": 8,
        }
    )
    return Phi3Config(
        **shape,
        **heads,
        max_position_embeddings=131072,
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 10000.0,
            "partial_rotary_factor": 0.75,
        },
        tie_word_embeddings=True,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=1,
    )


def build_model(config: Any, device: str, dtype: torch.dtype) -> Any:
    from transformers import Phi3ForCausalLM

    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)  # initialise straight into bf16: no fp32 copy of 3.8B params
    try:
        with torch.device(device):
            model = Phi3ForCausalLM(config)
    finally:
        torch.set_default_dtype(previous)
    return model.eval()


def weight_bytes(model: Any) -> int:
    """Bytes read per decode step: every parameter once (tied embeddings count once)."""
    seen: set[int] = set()
    total = 0
    for p in model.parameters():
        if p.data_ptr() not in seen:
            seen.add(p.data_ptr())
            total += p.numel() * p.element_size()
    return total


class FirstTokenClock:
    """A generate() streamer that records when the first new token arrives."""

    def __init__(self, device: str) -> None:
        self.device = device
        self.calls = 0
        self.first_at: float | None = None

    def put(self, value: torch.Tensor) -> None:
        self.calls += 1
        if self.calls == 2:  # the first call is the prompt
            self.first_at = time.perf_counter()

    def end(self) -> None:
        pass


def kv_bytes_per_token(model: Any) -> int:
    """K and V for one token of context, across all layers."""
    config = model.config
    head_dim = config.hidden_size // config.num_attention_heads
    element = next(model.parameters()).element_size()
    return 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * element


def bound_tok_s(
    bandwidth: float | None, weights: int, kv_token: int, batch: int, context: float
) -> float | None:
    """Memory-bandwidth ceiling for ``batch`` rows at an average ``context`` tokens."""
    if not bandwidth:
        return None
    return batch * bandwidth * 1e12 / (weights + batch * context * kv_token)


def sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def measure(
    model: Any, device: str, *, batch: int, prompt: int, new: int, extra: dict[str, Any]
) -> tuple[float, float]:
    """(ttft_s, aggregate decode tok/s) for one generate() call after one warm-up."""
    vocab = model.config.vocab_size
    ids = torch.randint(2, vocab, (batch, prompt), device=device)
    kwargs = {
        "input_ids": ids,
        "attention_mask": torch.ones_like(ids),
        "do_sample": False,
        "max_new_tokens": new,
        "min_new_tokens": new,  # random weights may emit eos; always decode `new` tokens
        **extra,
    }
    with torch.inference_mode():
        model.generate(**kwargs)  # warm-up (and compilation for the static-cache mode)
        sync(device)
        clock = FirstTokenClock(device)
        start = time.perf_counter()
        model.generate(**kwargs, streamer=clock if batch == 1 else None)
        sync(device)
        end = time.perf_counter()
    if clock.first_at is None:
        return end - start, batch * new / (end - start)
    return clock.first_at - start, batch * (new - 1) / (end - clock.first_at)


def measure_loop(
    model: Any, device: str, *, batch: int, prompt: int, new: int, extra: dict[str, Any]
) -> tuple[float, float]:
    """(ttft_s, decode tok/s) for the worker's own decode loop, one sequence, after a warm-up.

    This is what ``TransformersBackend.stream`` runs outside compiled decoding, so this row
    against the plain sdpa row shows what the serving path costs or saves on a GPU.
    """
    from inference.backends import GenerationParams
    from inference.backends.decode_loop import decode_tokens

    ids = torch.randint(2, model.config.vocab_size, (1, prompt), device=device)
    params = GenerationParams(temperature=0.0, max_new_tokens=new)
    # No eos ids: random weights may pick one, and every run must decode `new` tokens.
    list(decode_tokens(model, ids, params, eos_ids=(), stop=lambda: False))  # warm-up
    sync(device)
    start = time.perf_counter()
    first_at = None
    for _ in decode_tokens(model, ids, params, eos_ids=(), stop=lambda: False):
        first_at = first_at or time.perf_counter()  # .item() per token has synchronised
    end = time.perf_counter()
    assert first_at is not None
    return first_at - start, (new - 1) / (end - first_at)


@contextlib.contextmanager
def attn(model: Any, implementation: str) -> Iterator[None]:
    model.set_attn_implementation(implementation)
    yield


def bandwidth_tbps(device: str, override: float | None) -> float | None:
    if override:
        return override
    if device != "cuda":
        return None
    name = torch.cuda.get_device_name()
    return next((bw for key, bw in BANDWIDTH_TBPS.items() if key in name), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a 2-layer model (CPU smoke run)")
    parser.add_argument("--bandwidth-tbps", type=float, help="override the HBM bandwidth")
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--batches", default="8,32,64")
    parser.add_argument("--skip-compile", action="store_true")
    parser.add_argument(
        "--budget-s", type=float, default=420.0, help="skip modes not started by then (seconds)"
    )
    parser.add_argument("--out", type=Path, help="write results to OUT.json and OUT.md")
    args = parser.parse_args()
    began = time.monotonic()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu" and not args.tiny:
        parser.error("no GPU here: pass --tiny for the CPU smoke run")
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = build_model(phi4_mini_config(args.tiny), device, dtype)
    nbytes = weight_bytes(model)
    kv_token = kv_bytes_per_token(model)
    bw = bandwidth_tbps(device, args.bandwidth_tbps)
    # Average context while decoding: the prompt plus half the new tokens.
    context = args.prompt_tokens + args.new_tokens / 2
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    print(f"device {name}; weights {nbytes / 1e9:.2f} GB {dtype}; bandwidth {bw} TB/s")
    print(f"prompt {args.prompt_tokens} tokens, {args.new_tokens} new tokens, greedy\n")
    print(HEADER, flush=True)

    plan: list[tuple[str, int, str, dict[str, Any]]] = [
        ("eager", 1, "eager", {}),
        ("sdpa", 1, "sdpa", {}),
        ("sdpa, Stepwise decode loop", 1, "sdpa", {}),
    ]
    plan += [("sdpa batched", int(b), "sdpa", {}) for b in args.batches.split(",")]
    if not args.skip_compile:
        # transformers compiles the forward pass itself when the cache is static (CUDA only).
        # Last: compiling can take minutes, and the budget check then skips nothing else.
        label = (
            "sdpa + static cache + compile" if device == "cuda" else "sdpa + static (no compile)"
        )
        plan.append((label, 1, "sdpa", {"cache_implementation": "static"}))

    rows: list[Row] = []
    for label, batch, implementation, extra in plan:
        if time.monotonic() - began > args.budget_s:
            print(f"{label:<28} {batch:>5} SKIPPED: --budget-s {args.budget_s:.0f} spent")
            continue
        started = time.monotonic()
        try:
            how = measure_loop if "decode loop" in label else measure
            with attn(model, implementation):
                ttft, tok_s = how(
                    model,
                    device,
                    batch=batch,
                    prompt=args.prompt_tokens,
                    new=args.new_tokens,
                    extra=extra,
                )
            bound = bound_tok_s(bw, nbytes, kv_token, batch, context)
            row = Row(label, batch, ttft if batch == 1 else None, tok_s, bound)
            row.seconds = time.monotonic() - started
            rows.append(row)
            print(row.render(), flush=True)
        except Exception as exc:
            print(f"{label:<28} {batch:>5} FAILED: {type(exc).__name__}: {exc}"[:200], flush=True)
            traceback.print_exc()
        finally:
            gc.collect()
            if device == "cuda":
                torch.cuda.empty_cache()
    ceiling = bound_tok_s(bw, nbytes, kv_token, 4096, 8192)
    if ceiling:
        print(f"\nceiling at 8k context, large batch: {ceiling:.0f} tok/s (KV reads dominate)")
    print(f"total {time.monotonic() - began:.0f} s")
    if args.out:
        meta = {
            "device": name,
            "dtype": str(dtype),
            "weight_bytes": nbytes,
            "kv_bytes_per_token": kv_token,
            "bandwidth_tbps": bw,
            "prompt_tokens": args.prompt_tokens,
            "new_tokens": args.new_tokens,
            "ceiling_8k_tok_s": ceiling,
            "total_s": time.monotonic() - began,
        }
        write_results(args.out, meta, rows)


def write_results(out: Path, meta: dict[str, Any], rows: list[Row]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {**meta, "rows": [{**asdict(r), "of_bound": r.of_bound} for r in rows]}
    out.with_suffix(".json").write_text(json.dumps(data, indent=2))
    lines = [
        f"{meta['device']}, {meta['dtype']}, weights {meta['weight_bytes'] / 1e9:.2f} GB, "
        f"bandwidth {meta['bandwidth_tbps']} TB/s",
        "",
        "| mode | batch | ttft ms | tok/s | bound tok/s | of bound |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        ttft = f"{r.ttft_s * 1000:.1f}" if r.ttft_s is not None else "-"
        bound = f"{r.bound_tok_s:.0f}" if r.bound_tok_s else "n/a"
        share = f"{r.of_bound:.1%}" if r.of_bound is not None else "n/a"
        lines.append(f"| {r.mode} | {r.batch} | {ttft} | {r.tok_s:.1f} | {bound} | {share} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
