.PHONY: run test lint bench lock messages
run:
	./scripts/run.sh
test:
	./scripts/test.sh
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy tutor inference
bench:
	.venv/bin/python bench/worker_overhead.py
# Re-resolve every dependency to the newest release that pyproject.toml allows; the
# target platform and hashes come from [tool.uv.pip] there.
lock:
	bash scripts/bootstrap.sh
	.venv/bin/uv pip compile --quiet --upgrade pyproject.toml -o requirements.lock
# Extract new strings into locale/es and compile the catalogs (needs GNU gettext).
messages:
	./scripts/messages.sh
