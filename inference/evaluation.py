"""Model quality: run the tutor's own prompts over a dataset and score the final answers.

No Django: the management command `evaluate_model` and anyone else can drive it. The final
answer is taken the way the tutor takes it (\\boxed{} or the last line) and scored with the
same answer checker the students' answers go through.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from inference.backends import Backend, Delta, GenerationParams, Stats
from inference.prompts import build_messages, extract_final_answer, split_thinking
from tutor.checker import check_answer


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    key: str


@dataclass(frozen=True)
class Outcome:
    item: Item
    answer: str | None
    correct: bool | None
    stats: Stats


def read_items(path: Path, limit: int | None = None) -> Iterator[Item]:
    """GSM8K rows ({question, answer with '#### key'}) or {id?, question|problem, key|answer}."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            row = json.loads(line)
            question = row.get("question") or row.get("problem") or ""
            key = str(row.get("key") or row.get("answer") or "")
            if "####" in key:
                key = key.rsplit("####", 1)[1]
            yield Item(str(row.get("id", number)), question, key.strip().replace(",", ""))


def evaluate(
    backend: Backend, items: Iterable[Item], params: GenerationParams
) -> Iterator[Outcome]:
    for item in items:
        messages = build_messages(mode="solve", problem=item.question)
        parts: list[str] = []
        stats: Stats | None = None
        for chunk in backend.stream(messages, params):
            if isinstance(chunk, Delta):
                parts.append(chunk.text)
            else:
                stats = chunk
        assert stats is not None
        _, answer_part = split_thinking("".join(parts))
        answer = extract_final_answer(answer_part)
        correct = check_answer(answer, item.key).equivalent if answer else False
        yield Outcome(item, answer, correct, stats)


@dataclass(frozen=True)
class Summary:
    n: int
    correct: int
    undecided: int
    median_tokens_per_s: float
    median_ttft_s: float | None
    total_tokens: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def table(self) -> str:
        ttft = "-" if self.median_ttft_s is None else f"{self.median_ttft_s * 1000:.0f} ms"
        rows = [
            ("problems", str(self.n)),
            ("accuracy", f"{100 * self.accuracy:.1f}% ({self.correct}/{self.n})"),
            ("undecided by the checker", str(self.undecided)),
            ("tokens generated", str(self.total_tokens)),
            ("median tokens/s", f"{self.median_tokens_per_s:.1f}"),
            ("median time to first token", ttft),
        ]
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def summarise(outcomes: list[Outcome]) -> Summary:
    ttfts = [o.stats.ttft_s for o in outcomes if o.stats.ttft_s is not None]
    return Summary(
        n=len(outcomes),
        correct=sum(1 for o in outcomes if o.correct),
        undecided=sum(1 for o in outcomes if o.correct is None),
        median_tokens_per_s=statistics.median([o.stats.tokens_per_s for o in outcomes] or [0.0]),
        median_ttft_s=statistics.median(ttfts) if ttfts else None,
        total_tokens=sum(o.stats.tokens for o in outcomes),
    )
