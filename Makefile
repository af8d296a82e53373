# The two commands of the README: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench contract faults clean

# The virtualenv is rebuilt only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## make run: a local Kafka broker and the services on SQLite, seeded; prints where everything is.
## make run RUN_ARGS="--sample-schools 1500" adds labelled sample schools and principals.
run: $(STAMP)
	$(BIN)/python -m deploy.local.run $(RUN_ARGS)

## make test: lint, type checks, the import contracts (pyproject's [tool.importlinter]) and the whole
## suite on a real Kafka broker, SQLite and PostgreSQL, with promtool's unit tests of the alert rules and
## a real Prometheus scraping the services, and the console's pages in Debian's Chromium (tests/browser/).
test: $(STAMP)
	bash deploy/local/ensure-postgres.sh
	bash deploy/local/ensure-prometheus.sh
	bash deploy/local/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## make bench: the benchmarks under bench/, each printing ratios against a baseline of the same run and a
## GOAL line per ratio (met / NOT MET), on SQLite and on PostgreSQL (a throwaway cluster, or
## BENCH_POSTGRES_URL). Each takes a few minutes at its default size.
## The PostgreSQL end-to-end run adds the scale-out: 1, 2 and 4 notifications instances on 12 partitions.
BENCH := $(BIN)/python -m bench
bench: $(STAMP)
	bash deploy/local/ensure-postgres.sh
	$(BENCH).messaging_throughput --database sqlite
	$(BENCH).messaging_throughput --database postgresql
	$(BENCH).end_to_end --database sqlite
	$(BENCH).end_to_end --database postgresql
	$(BENCH).end_to_end --database postgresql --scale-out 1,2,4 --seconds 20
	$(BENCH).http_paths --database sqlite
	$(BENCH).http_paths --database postgresql
	$(BENCH).notifications_fanout --database sqlite
	$(BENCH).notifications_fanout --database postgresql
	$(BENCH).replica_rebuild --database sqlite
	$(BENCH).replica_rebuild --database postgresql
	$(BENCH).registry_import_and_reads
	$(BENCH).incidents_service
	$(BENCH).activities_registration_burst

## make faults: the fault suite at full size (make test runs it small): incidents reported at a steady rate
## while each service, the broker and PostgreSQL are killed and restarted; prints the reconciliation.
FAULTS_INCIDENTS ?= 10000
faults: $(STAMP)
	bash deploy/local/ensure-postgres.sh
	$(BIN)/python -m tests.faults.suite --incidents $(FAULTS_INCIDENTS) --rate 40
	$(BIN)/python -m tests.faults.suite --incidents $(FAULTS_INCIDENTS) --rate 40 --postgres

## make contract: regenerate contract/ (JSON Schemas, AsyncAPI) after an event or a service changed.
## It refuses a change that would break a consumer; such a change needs a new event type (….v2).
contract: $(STAMP)
	$(BIN)/edu-clusters contract write

clean:
	rm -rf var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
