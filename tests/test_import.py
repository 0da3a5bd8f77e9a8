"""Importing problems from JSONL and CSV: GSM8K works, bad files save nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import Cast
from tutor.services.problem_sets import ImportFailed, import_parse

pytestmark = pytest.mark.django_db

GSM8K = (
    json.dumps(
        {
            "question": "Natalia sold clips to 48 of her friends in April, and then she sold half "
            "as many clips in May. How many clips did Natalia sell altogether?",
            "answer": "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
            "Natalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 72",
        }
    )
    + "\n"
)


def _upload(cast: Cast, name: str, data: bytes) -> object:
    client = Client()
    client.force_login(cast.teacher)
    upload = SimpleUploadedFile(name, data)
    return client.post(f"/teach/sets/{cast.problem_set.pk}/import", {"file": upload})


def test_gsm8k_lines_import_with_key_and_reference_solution() -> None:
    """The key is the text after '#### ' and the rest is the reference solution."""
    [draft] = import_parse(data=GSM8K.encode(), filename="train.jsonl")
    assert draft.answer_key == "72"
    assert draft.reference_solution.startswith("Natalia sold 48/2 = 24 clips")
    assert "<<" not in draft.reference_solution and "####" not in draft.reference_solution


def test_csv_with_a_header_imports() -> None:
    """CSV with statement, answer_key, topic columns, quoted commas and a BOM."""
    data = '\ufeffstatement,answer_key,topic\n"Add 2, then 3",5,sums\nTwo?,2,\n'.encode()
    drafts = import_parse(data=data, filename="set.CSV")
    assert [(d.statement, d.answer_key, d.topic) for d in drafts] == [
        ("Add 2, then 3", "5", "sums"),
        ("Two?", "2", ""),
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.jsonl", b'{"statement": "x"}\n', "line 1: no answer_key"),
        ("a.jsonl", b'{"statement": "x", "answer_key": "1"}\n{bad\n', "line 2: not valid JSON"),
        ("a.jsonl", b"[1, 2]\n", "line 1: expected a JSON object"),
        ("a.jsonl", b'{"question": "q", "answer": "no marker"}\n', "no '#### ' line"),
        ("a.csv", b"title,key\nx,1\n", "needs a 'statement'"),
        ("a.csv", b"statement,answer_key\n,1\n", "row 2: no statement"),
        ("a.txt", b"hello", "must end in .jsonl or .csv"),
        ("a.jsonl", b"\xff\xfe", "not UTF-8"),
        ("a.jsonl", b"\n\n", "holds no problems"),
    ],
)
def test_bad_files_get_clear_errors(name: str, data: bytes, message: str) -> None:
    """Each error names the line or row and what is wrong."""
    with pytest.raises(ImportFailed) as caught:
        import_parse(data=data, filename=name)
    assert any(message in e for e in caught.value.errors), caught.value.errors


def test_the_import_page_adds_all_problems(cast: Cast) -> None:
    """A good file appends its problems to the set, after the existing ones."""
    response = _upload(cast, "gsm8k.jsonl", GSM8K.encode() * 3)
    assert response.status_code == 302
    problems = list(cast.problem_set.problems.all())
    assert len(problems) == 5 and problems[-1].answer_key == "72"
    assert [p.position for p in problems] == [0, 1, 2, 3, 4]


def test_a_bad_file_saves_nothing(cast: Cast) -> None:
    """One bad line among good ones: 400, every error listed, and no problem saved."""
    data = GSM8K.encode() * 2 + b'{"statement": "no key"}\n'
    response = _upload(cast, "mixed.jsonl", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "line 3: no answer_key" in page
    assert cast.problem_set.problems.count() == 2
