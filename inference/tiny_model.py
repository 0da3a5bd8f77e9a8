"""Build a tiny Phi-3-family model that loads through the real ``from_pretrained`` path.

Weights of Phi-4-mini-reasoning cannot be downloaded on these machines, so tests and the local
demo use a model the project builds itself. It keeps the traits that matter to the serving code:
the ``Phi3ForCausalLM`` class, grouped-query attention, tied input/output embeddings, a partial
rotary factor of 0.75, a byte-level BPE tokenizer and the Phi-4-mini chat format with its special
tokens. Everything else is shrunk so that it builds in about a second on one CPU core.

Usage: ``python -m inference.tiny_model OUT_DIR [--train-steps N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path

SYSTEM_TOKEN = "<|system|>"
USER_TOKEN = "<|user|>"
ASSISTANT_TOKEN = "<|assistant|>"
END_TOKEN = "<|end|>"
EOS_TOKEN = "<|endoftext|>"
SPECIAL_TOKENS = (EOS_TOKEN, SYSTEM_TOKEN, USER_TOKEN, ASSISTANT_TOKEN, END_TOKEN)

DEFAULT_SYSTEM_PROMPT = "Your name is Phi, an AI math expert developed by Microsoft."

# Renders the same string shape as Phi-4-mini-reasoning's template:
#   <|system|>...<|end|><|user|>...<|end|><|assistant|>
# with the card's system prompt when the conversation brings none.
CHAT_TEMPLATE = (
    "{% if messages[0]['role'] != 'system' %}"
    "{{ '<|system|>" + DEFAULT_SYSTEM_PROMPT + "<|end|>' }}"
    "{% endif %}"
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% else %}{{ eos_token }}{% endif %}"
)

VOCAB_SIZE = 3072
_WEIGHTS_FILE = "model.safetensors"
_COMPLETE_MARKERS = (
    "config.json",
    _WEIGHTS_FILE,
    "tokenizer.json",
    "tokenizer_config.json",
    "stepwise_tiny.json",  # written last
)


_WORDS = (
    "add",
    "subtract",
    "multiply",
    "divide",
    "sum",
    "difference",
    "product",
    "quotient",
    "fraction",
    "numerator",
    "denominator",
    "equation",
    "expression",
    "variable",
    "coefficient",
    "constant",
    "term",
    "factor",
    "multiple",
    "prime",
    "square",
    "root",
    "cube",
    "power",
    "exponent",
    "integer",
    "rational",
    "decimal",
    "percent",
    "ratio",
    "proportion",
    "angle",
    "triangle",
    "circle",
    "radius",
    "diameter",
    "area",
    "perimeter",
    "volume",
    "length",
    "width",
    "height",
    "slope",
    "intercept",
    "graph",
    "function",
    "linear",
    "quadratic",
    "polynomial",
    "solution",
    "inequality",
    "simplify",
    "expand",
    "evaluate",
    "substitute",
    "isolate",
    "both",
    "sides",
    "first",
    "then",
    "therefore",
    "because",
    "remember",
    "check",
    "answer",
    "result",
    "value",
    "total",
    "each",
    "apples",
    "pencils",
    "students",
    "books",
    "minutes",
    "hours",
    "meters",
    "dollars",
    "train",
    "speed",
    "distance",
    "time",
    "rectangle",
    "garden",
    "price",
    "discount",
    "average",
    "mean",
    "median",
    "probability",
)


def math_corpus(seed: int = 0, problems: int = 300) -> list[str]:
    """Return a few hundred lines of simple math text: arithmetic, equations and worked steps."""
    rng = random.Random(seed)
    lines: list[str] = []
    for _ in range(problems):
        lines.extend(_arithmetic_lines(rng))
        lines.extend(_equation_lines(rng))
        lines.append(_word_line(rng))
    return lines


def _word_line(rng: random.Random) -> str:
    words = rng.sample(_WORDS, 6)
    number = rng.randint(10, 9999)
    return f"Let us {words[0]} the {words[1]}: the {words[2]} of {words[3]} is {number} {words[4]}."


def _arithmetic_lines(rng: random.Random) -> Iterator[str]:
    a, b = rng.randint(2, 999), rng.randint(2, 999)
    op, result = rng.choice([("+", a + b), ("-", a - b), ("*", a * b)])
    yield f"Compute {a} {op} {b}."
    yield f"{a} {op} {b} = {result}"
    yield f"The answer is \\boxed{{{result}}}."


def _equation_lines(rng: random.Random) -> Iterator[str]:
    a, x, b = rng.randint(2, 9), rng.randint(-9, 12), rng.randint(1, 30)
    c = a * x + b
    question = f"Solve {a}x + {b} = {c} for x."
    steps = [
        f"Step 1: Subtract {b} from both sides: {a}x = {c - b}",
        f"Step 2: Divide both sides by {a}: x = {x}",
        f"Step 3: Check: {a}*{x} + {b} = {c}",
    ]
    yield question
    yield "<think>"
    yield f"We need to isolate x. First remove the constant {b}, then divide by {a}."
    yield "</think>"
    yield from steps
    yield f"The final answer is \\boxed{{{x}}}."
    # The chat shape too, so a briefly trained model learns where a turn ends.
    yield (
        f"{SYSTEM_TOKEN}{DEFAULT_SYSTEM_PROMPT}{END_TOKEN}{USER_TOKEN}{question}{END_TOKEN}"
        f"{ASSISTANT_TOKEN}<think>\nIsolate x.\n</think>\n" + "\n".join(steps) + f"{END_TOKEN}"
    )


_MARKER = "stepwise_tiny.json"


def is_tiny_model(model_dir: Path) -> bool:
    """True for a directory written by ``build_tiny_model`` (the demo model)."""
    return (Path(model_dir) / _MARKER).is_file()


def is_complete(out_dir: Path) -> bool:
    """True when ``out_dir`` already holds a saved model and tokenizer."""
    return all((out_dir / name).is_file() for name in _COMPLETE_MARKERS)


def build_tiny_model(out_dir: Path, *, seed: int = 0, train_steps: int = 0) -> Path:
    """Build (or reuse) the tiny model in ``out_dir`` and return the directory.

    Idempotent: a directory that already holds a complete model is returned untouched. The files
    are written to a sibling temporary directory and renamed into place, so a crash or a second
    process building at the same time never leaves a half-written model behind.
    """
    out_dir = Path(out_dir)
    if is_complete(out_dir):
        return out_dir
    import tempfile

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=".tiny-build-") as tmp:
        staging = Path(tmp) / "model"
        _build_into(staging, seed=seed, train_steps=train_steps)
        try:
            staging.rename(out_dir)
        except OSError:
            # Another process won the race (or out_dir exists but was incomplete).
            if not is_complete(out_dir):
                import shutil

                shutil.rmtree(out_dir, ignore_errors=True)
                staging.rename(out_dir)
    return out_dir


def _build_into(out_dir: Path, *, seed: int, train_steps: int) -> None:
    import torch
    from transformers import Phi3Config, Phi3ForCausalLM

    torch.manual_seed(seed)
    corpus = math_corpus(seed)
    tokenizer = _train_tokenizer(corpus)
    special_ids = [tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS]
    eos_id, end_id = special_ids[0], special_ids[-1]
    config = Phi3Config(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        # Grouped-query attention as in Phi-4-mini (24 query heads share 8 KV heads there).
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        # Phi-4-mini rotates only 3/4 of each head's dimensions.
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 10000.0,
            "partial_rotary_factor": 0.75,
        },
        tie_word_embeddings=True,
        bos_token_id=eos_id,
        eos_token_id=eos_id,
        pad_token_id=eos_id,
    )
    model = Phi3ForCausalLM(config)
    if train_steps > 0:
        _train(model, tokenizer, corpus, steps=train_steps, seed=seed)
    else:
        # Random weights: zero the special-token rows of the tied embedding so their logits are
        # exactly 0 while the best ordinary token scores above 0. Greedy decoding then never ends
        # the turn by accident, which keeps length and cancel behaviour deterministic in tests.
        embeddings: torch.nn.Embedding = model.model.embed_tokens
        with torch.no_grad():
            embeddings.weight[special_ids] = 0.0
    model.generation_config.eos_token_id = [end_id, eos_id]
    model.generation_config.pad_token_id = eos_id
    model.generation_config.bos_token_id = eos_id
    model.eval()
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    (out_dir / _MARKER).write_text(
        json.dumps({"seed": seed, "train_steps": train_steps}), encoding="utf-8"
    )


def _train_tokenizer(corpus: list[str]):  # type: ignore[no-untyped-def]
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer(models.BPE())
    raw.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    raw.train_from_iterator(corpus, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw,
        bos_token=EOS_TOKEN,
        eos_token=EOS_TOKEN,
        pad_token=EOS_TOKEN,
        unk_token=EOS_TOKEN,
        additional_special_tokens=[SYSTEM_TOKEN, USER_TOKEN, ASSISTANT_TOKEN, END_TOKEN],
        model_max_length=4096,
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _train(model, tokenizer, corpus: list[str], *, steps: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    """A few AdamW steps on the corpus so the demo model emits text-like output."""
    import torch

    ids = torch.tensor([i for line in corpus for i in tokenizer(line + "\n")["input_ids"]])
    block, batch = 64, 16
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        starts = torch.randint(0, len(ids) - block - 1, (batch,), generator=generator)
        inputs = torch.stack([ids[s : s + block] for s in starts])
        loss = model(input_ids=inputs, labels=inputs).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def main(argv: list[str] | None = None) -> None:
    """Command line: build the tiny model into OUT_DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-steps", type=int, default=0)
    args = parser.parse_args(argv)
    print(build_tiny_model(args.out_dir, seed=args.seed, train_steps=args.train_steps))


if __name__ == "__main__":
    main()
