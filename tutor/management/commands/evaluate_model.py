"""Score the configured tutor model on a dataset with the tutor's own prompts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inference.evaluation import evaluate, read_items, summarise
from tutor.checker.evaluate import data_dir
from tutor.worker.backend import configured_backend, generation_params


class Command(BaseCommand):
    help = "Run the tutor model over gsm8k (../shared/eval) or a JSONL file and score answers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", default="gsm8k", help="gsm8k, or a path to a .jsonl")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--max-new-tokens", type=int, default=None)
        parser.add_argument("--verbose", action="store_true", help="print each answer")

    def handle(self, *args: Any, **options: Any) -> None:
        path = (
            data_dir(None) / "gsm8k_test.jsonl"
            if options["dataset"] == "gsm8k"
            else Path(options["dataset"])
        )
        if not path.is_file():
            raise CommandError(f"No dataset at {path}")
        params = generation_params()
        if options["max_new_tokens"]:
            params = type(params).validated(
                **{**params.__dict__, "max_new_tokens": options["max_new_tokens"]}
            )
        model = configured_backend()
        self.stdout.write(
            f"Model: {model.name}{' (demo model)' if model.is_demo else ''} · "
            f"backend {settings.TUTOR_BACKEND} · {path.name} · limit {options['limit']}"
        )
        outcomes = []
        for outcome in evaluate(model, read_items(path, options["limit"]), params):
            outcomes.append(outcome)
            if options["verbose"]:
                mark = {True: "✓", False: "✗", None: "?"}[outcome.correct]
                self.stdout.write(
                    f"{mark} {outcome.item.id}: {outcome.answer!r} vs {outcome.item.key!r}"
                )
        self.stdout.write(summarise(outcomes).table())
