# Two commands on a fresh machine with Python 3.11 and PyPI: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
# The services are declared once, in services.toml.
SERVICES := $(shell $(PYTHON) deploy/declared_services.py package)
SEEDED := $(shell $(PYTHON) deploy/declared_services.py package --seed)
export UV_PYTHON_DOWNLOADS := never
# The interpreter itself, not a pyenv shim, or uv rebuilds .venv on every run.
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')

.PHONY: install migrate seed run test compose-test lint typecheck format token clients clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)  ## create .venv from the lock file
	$(UV) sync --frozen --all-packages

migrate: install  ## upgrade every service's database to the latest schema
	@for service in $(SERVICES); do $(PY) -m $$service migrate || exit 1; done

seed: migrate  ## load the customer's data files (idempotent)
	@for service in $(SEEDED); do $(PY) -m $$service seed || exit 1; done

run: seed  ## run the three services on SQLite in the foreground until Ctrl-C
	bash deploy/run-local.sh

test: install  ## every test, on SQLite (set *_TEST_DATABASE_URL for PostgreSQL)
	$(PY) -m pytest

compose-test: install  ## docker-compose.yml built, started and tested with podman (Debian, root)
	bash deploy/compose-ci.sh

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: install  ## mypy --strict on the package code ([tool.mypy] in pyproject.toml)
	.venv/bin/mypy
	@echo "type: ignore in the package code: $$(grep -rh --include='*.py' 'type: ignore' shared/municipal_shared services/*/*_service | wc -l)"

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

token: install  ## print a development bearer token: make token SCOPE=budget:write
	@$(PY) -m municipal_shared.kit.token --scope "$(SCOPE)"

clients: install  ## TypeScript (tsc-checked) and Python clients from each OpenAPI document (needs npm)
	bash clients/build.sh

clean:
	rm -rf .venv .tools var clients/node_modules clients/generated clients/openapi
