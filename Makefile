# yingji — the two commands of the quick start:
#   make demo   build everything (web UI included) and start the Datong demo on SQLite
#   make test   run the whole test suite (Rust on SQLite + PostgreSQL if configured, web unit tests, browser e2e)

CARGO ?= cargo
DATA_DIR ?= data-dir
LISTEN ?= 127.0.0.1:8080
export CARGO_TARGET_DIR ?= $(CURDIR)/target

.PHONY: api demo web build test test-rust test-web test-e2e lint fmt clean e2e-deps

demo: build
	./target/release/yingji --data-dir $(DATA_DIR) demo --listen $(LISTEN) --sim-sensors

web: web/dist/index.html

web/dist/index.html: $(shell find web/src web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)
	cd web && npm ci --no-audit --no-fund && npm run build

build: web
	$(CARGO) build --release -p yingji

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: web lint test-rust test-web test-e2e

test-rust:
	@if command -v cargo-nextest >/dev/null 2>&1; then \
		$(CARGO) nextest run --workspace --no-fail-fast; \
	else \
		echo "cargo-nextest not installed: using cargo test"; $(CARGO) test --workspace --no-fail-fast; \
	fi

test-web:
	cd web && npm run test

e2e-deps:
	@(command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)
	cd e2e && npm ci --no-audit --no-fund

test-e2e: e2e-deps
	$(CARGO) build -p yingji
	cd e2e && YINGJI_BIN=$(CARGO_TARGET_DIR)/debug/yingji npm test

# The OpenAPI document (from the handlers' annotations) and the web UI's
# types generated from it; the tests fail while either is stale.
api:
	$(CARGO) run -q -p yingji -- openapi > web/src/api/openapi.json && cd web && npm run gen:api

fmt:
	$(CARGO) fmt --all

clean:
	rm -rf target web/dist $(DATA_DIR)
