.PHONY: run test lint bench
run:
	./scripts/run.sh
test:
	./scripts/test.sh
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy tutor inference
bench:
	.venv/bin/python bench/worker_overhead.py
