# The README's commands are these targets. `make help` lists them.
.DEFAULT_GOAL := help
NPM_INSTALL := npm install --no-audit --no-fund
# The reliability suites' random workloads: fixed here (so CI and `make test` replay the same run), any
# integer for another (`make test RELIABILITY_SEED=42`); failures print the seed that replays them.
RELIABILITY_SEED ?= 20261130

# When this make started: `make test` ends with the time it took in all.
MAKE_STARTED := $(shell date +%s)
PHASE := bash scripts/phase.sh

node_modules: package.json package-lock.json
	@$(PHASE) install $(NPM_INSTALL)
	@touch node_modules

# What `npm run build` reads; dist/ is rebuilt only when one of them is newer than the last build.
BUILD_INPUTS := $(shell find apps libs -name '*.ts' ! -name '*.spec.ts') tsconfig.json tsconfig.build.json nest-cli.json
BUILD_STAMP := dist/.built

$(BUILD_STAMP): node_modules $(BUILD_INPUTS)
	npm run build
	@touch $(BUILD_STAMP)

.PHONY: help install build start dev test lint bench soak openapi docker-up docker-config

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

install: node_modules ## Install dependencies (npm install against the lockfile)

build: install ## Compile to dist/
	npm run build
	@touch $(BUILD_STAMP)

# The recipe is `npm run start:prod` without npm's own start-up time.
start: $(BUILD_STAMP) ## Start the service (embedded PGlite under ./data unless DATABASE_URL is set); installs and builds first only when needed
	@node --max-old-space-size=192 dist/apps/api/src/main.js

dev: install ## Start with reload on change
	npm run start:dev

lint: install ## Type-check, ESLint, Prettier check and the layer dependency rule
	npm run lint

test: install ## Say what the tests need and get it, lint (types, layers, OpenAPI), check Docker compose, run every test
	@$(PHASE) test-tools bash scripts/ensure-test-tools.sh
	@$(PHASE) postgres bash scripts/ensure-postgres.sh
	@$(PHASE) lint npm run lint
	@$(PHASE) openapi-lint npm run openapi:lint
	@$(PHASE) compose bash scripts/check-compose.sh
	@$(PHASE) build npm run build
	@RELIABILITY_SEED=$(RELIABILITY_SEED) $(PHASE) jest npm test
	@echo "make test: $$(($$(date +%s) - $(MAKE_STARTED))) s in all"

bench: install ## Benchmark the hot paths against pgbench (needs PostgreSQL)
	npm run bench

soak: install ## Ten-minute mixed load (not part of CI)
	npm run soak

openapi: install ## Regenerate docs/openapi.json
	npm run openapi

docker-config: ## Validate docker/compose.yaml
	@bash scripts/check-compose.sh

docker-up: ## Start PostgreSQL and the service with Docker Compose
	docker compose -f docker/compose.yaml up --build -d
