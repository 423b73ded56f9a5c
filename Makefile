# make run   — install what is missing, build (release), serve on http://127.0.0.1:3000 with SQLite in ./data/
# make test  — install what is missing, make PostgreSQL and Chromium available, run every test
# make bench — the benchmarks, on SQLite and PostgreSQL

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Compiled dependencies live outside the clone, so a fresh clone on the same machine reuses them.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/ikono-chat/target
# Incremental caches are kept per checkout path: every fresh clone sharing the target directory
# added gigabytes until this machine's disk filled. Dependencies stay cached either way.
export CARGO_INCREMENTAL ?= 0
export PATH := $(HOME)/.cargo/bin:$(PATH)

WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: run test bench bench-browser fuzz tools site browser-tools postgres rust-tests browser-tests lint

# No cargo-leptos: scripts/build-site.sh runs its steps (building cargo-leptos cost 20 minutes).
tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

# The release build `make run` serves and the browser tests drive: the server and target/site.
site: tools
	scripts/build-site.sh

# The first supervisor of a new database; ignored once anyone exists. Override: make run ADMIN_PASSWORD=…
ADMIN_EMAIL ?= admin@example.com
ADMIN_PASSWORD ?= change-me-now

run: site
	@echo
	@echo "Ikono Chat on http://127.0.0.1:3000"
	@echo "Sign in at http://127.0.0.1:3000/login/supervisor as $(ADMIN_EMAIL) / $(ADMIN_PASSWORD)"
	@echo "(that first supervisor is created only when ./data/ikono.db is new). Stop with Ctrl-C."
	@mkdir -p data && [ -s data/secrets.key ] || (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > data/secrets.key)
	IKONO_SITE_ROOT=target/site IKONO_ADMIN_EMAIL="$(ADMIN_EMAIL)" IKONO_ADMIN_PASSWORD="$(ADMIN_PASSWORD)" \
		IKONO_SECRETS_KEY_FILE=data/secrets.key $(CARGO_TARGET_DIR)/release/server

browser-tools:
	@command -v chromium >/dev/null || $(APT_INSTALL) chromium || { $(SUDO) apt-get update && $(APT_INSTALL) chromium; }
	@cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent

postgres:
	@scripts/test-postgres.sh

# The WASM entry points (`bundles/`) are left out: with them, cargo unifies the hydrate
# and ssr features of `app`. Release, as the site: the tests reuse what the site build compiled.
rust-tests: postgres
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo test --release --workspace --exclude console-bundle --exclude workspace-bundle --exclude settings-bundle --exclude lines-bundle --exclude audit-bundle --exclude eventlog-peers

browser-tests: site browser-tools
	cd end2end && CHROMIUM_PATH="$$(command -v chromium)" npx playwright test

test: browser-tools site rust-tests browser-tests

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --exclude console-bundle --exclude workspace-bundle --exclude settings-bundle --exclude lines-bundle --exclude audit-bundle --all-targets -- -D warnings
	for bundle in console-bundle workspace-bundle settings-bundle lines-bundle audit-bundle; do cargo clippy -p $$bundle --target wasm32-unknown-unknown -- -D warnings || exit 1; done

# The channels' parsers against a hundred times the inputs `make test` gives them.
fuzz:
	PROPTEST_CASES=200000 cargo test --release -p bridges --test fuzz

# The agents' workspace in Chromium with a heavy day beside a light one (end2end/bench).
bench-browser: site browser-tools
	cd end2end && CHROMIUM_PATH="$$(command -v chromium)" npx playwright test -c bench.config.ts

bench: postgres
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo bench -p eventlog --bench eventlog-bench
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo run --release -p eventlog-peers
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo bench -p server --bench routing-bench
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo bench -p server --bench bot-bench
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo bench -p server --bench contact-search-bench
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo bench -p server --bench contact-import-bench
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo bench -p server --bench rebuild-bench
	cargo bench -p server --bench sockets-bench
	TEST_DATABASE_URL="$$(scripts/test-postgres.sh --url)" cargo bench -p server --bench load-bench
