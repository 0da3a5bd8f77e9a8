"""Build the tiny Phi-3-architecture demo model and its locally trained tokenizer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from inference.tiny_model import build_tiny_model


class Command(BaseCommand):
    help = "Build the tiny demo model (Phi3ForCausalLM, local BPE tokenizer) into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", nargs="?", default=str(settings.TUTOR_TINY_DIR))
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        path = build_tiny_model(Path(options["out_dir"]), seed=options["seed"])
        self.stdout.write(f"Tiny model ready at {path}")
