# Kumo — the two set-up commands are `make up` and `make test`.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.kumo-installed

.PHONY: up test build deps unit e2e bench bench-scale clean typecheck

$(NODE_MODULES_STAMP): package.json package-lock.json
	@command -v node >/dev/null || { echo "kumo needs Node.js >= 20"; exit 1; }
	@# one install at a time (parallel builds in one checkout must not wipe node_modules under each other)
	flock .npm-install.lock sh -c 'test -f $@ -a $@ -nt package-lock.json || npm ci --no-audit --no-fund'
	@touch $@

deps: $(NODE_MODULES_STAMP)

build: deps
	node scripts/gen-models.mjs
	node scripts/gen-proto.mjs
	node scripts/gen-gnostic.mjs
	npx tsc -p tsconfig.json

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

# Starts an all-in-one server on the embedded SQLite store (data in ~/.kumo).
up: build
	./bin/kumo server $(KUMO_FLAGS)

# Unit tests (src/**/*.test.ts compiled) and end-to-end tests (test/*.test.mjs) against real processes.
test: build
	node --test --test-concurrency=2 --test-timeout=600000 $$(find dist -name '*.test.js' | sort) $$(find test -name '*.test.mjs' | sort)

unit: build
	node --test $$(find dist -name '*.test.js' | sort)

e2e: build
	node --test --test-concurrency=1 --test-timeout=600000 $$(find test -name '*.test.mjs' | sort)

bench: build
	BENCH="$(BENCH)" node bench/run.mjs

# The full envelope (5,000 nodes, 150,000 pods, startup with 150,000 objects): long — tens of minutes at least.
bench-scale: build
	BENCH_SCALE=1 BENCH="$(BENCH)" node bench/run.mjs

clean:
	rm -rf dist
