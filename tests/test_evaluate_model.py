"""The model-quality harness runs the real tiny model through the tutor's prompts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from inference.backends import ScriptedBackend
from inference.backends.base import GenerationParams
from inference.evaluation import Item, evaluate, read_items, summarise


def test_it_reads_gsm8k_keys_after_the_hashes(tmp_path: Path) -> None:
    """GSM8K's '#### 1,234' becomes the key 1234."""
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"question": "q?", "answer": "work\n#### 1,234"}) + "\n")
    assert list(read_items(path)) == [Item("0", "q?", "1234")]


def test_it_scores_boxed_answers_with_the_answer_checker() -> None:
    """A boxed answer equal to the key counts; a different one does not."""
    items = [Item("a", "2+2?", "4"), Item("b", "3+3?", "7")]
    backend = ScriptedBackend("<think>2+2</think>So the answer is \\boxed{4}.")
    outcomes = list(evaluate(backend, items, GenerationParams(max_new_tokens=200)))
    assert [o.correct for o in outcomes] == [True, False]
    summary = summarise(outcomes)
    assert summary.accuracy == 0.5 and "50.0%" in summary.table()


@pytest.mark.django_db
def test_it_runs_end_to_end_on_the_tiny_model(
    tmp_path: Path, tiny_model_dir: Path, settings: object
) -> None:
    """`manage.py evaluate_model` loads the configured model and prints a score table."""
    settings.TUTOR_TINY_DIR = tiny_model_dir  # type: ignore[attr-defined]
    settings.TUTOR_MAX_NEW_TOKENS = 24  # type: ignore[attr-defined]
    path = tmp_path / "two.jsonl"
    rows = [{"question": "What is 2 + 3?", "key": "5"}, {"problem": "Solve x+1=3", "key": "x=2"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = io.StringIO()
    call_command("evaluate_model", "--dataset", str(path), "--limit", "2", stdout=out)
    text = out.getvalue()
    assert "(demo model)" in text and "problems                    2" in text
    assert "accuracy" in text and "median tokens/s" in text
