# The two commands a newcomer needs: `make run` and `make test` (and `make dev` for the watch
# loop). Each installs only what is missing (see TOOLCHAIN pins below), so a warm machine goes
# straight to work.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# cargo installs into $CARGO_HOME/bin (~/.cargo/bin unless CARGO_HOME says otherwise).
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

# Tool versions verified to work together offline; wasm-bindgen must equal the crate pinned
# in Cargo.toml.
CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
BINARYEN_VERSION     := 132.0.0
SASS_VERSION         := 1.108.2
REDOC_VERSION        := 2.5.2
OHA_VERSION          := 1.16.0
SCHEMATHESIS_VERSION := 4.32.5
FUZZ_VENV            := target/fuzz-venv
CALDAV_VERSION       := 1.4.0
CALDAV_VENV          := target/caldav-venv
CHROMIUM             ?= /usr/bin/chromium
SITE_ROOT            := target/site
REDOC_DIR            := $(SITE_ROOT)/redoc
PHASE                := scripts/phase

# The command-line tools are built for build speed, not run speed: their own release profiles
# ask for fat LTO and one codegen unit, the slowest build there is. cargo-leptos only drives
# other programs, so it is built unoptimised (about 40% quicker to build) except the crates
# whose speed a build notices (brotli and gzip for precompressed assets, CSS processing);
# wasm-bindgen rewrites the whole wasm on every build, so it keeps some optimisation.
# `cargo install` honours these overrides; the versions stay pinned and --locked.
TOOL_PROFILE := CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
                CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_INCREMENTAL=false
HOT_TOOL_CRATES := brotli brotli-decompressor alloc-no-stdlib miniz_oxide flate2 libflate lightningcss
# cargo-leptos pulls in cargo-generate with a vendored OpenSSL, which compiles OpenSSL's C
# sources; where the system has OpenSSL's headers (Debian's libssl-dev), openssl-sys links
# that instead (OPENSSL_NO_VENDOR), which skips the longest single step of the install.
SYSTEM_OPENSSL := $(shell pkg-config --exists openssl 2>/dev/null && echo OPENSSL_NO_VENDOR=1)
CARGO_LEPTOS_BUILD := $(TOOL_PROFILE) CARGO_PROFILE_RELEASE_OPT_LEVEL=0 $(SYSTEM_OPENSSL)
CARGO_LEPTOS_HOT := $(foreach c,$(HOT_TOOL_CRATES),--config 'profile.release.package.$(c).opt-level=3')
WASM_BINDGEN_BUILD := $(TOOL_PROFILE) CARGO_PROFILE_RELEASE_OPT_LEVEL=1

# Pass extra arguments to cargo test, e.g. `make test-rust ARGS=login`.
ARGS ?=

# The server the browser tests and the fuzzer run against: the release build `make run`
# serves, unless TEST_SERVER=debug (what CI sets). Then the server is the debug binary that
# `cargo test` builds anyway (seconds, where a release server takes about ten minutes on two
# cores from a fresh clone), and only the browser bundle is built in release mode.
TEST_SERVER ?= release
ifeq ($(TEST_SERVER),debug)
TEST_BUILD := build-test-server
else ifeq ($(TEST_SERVER),release)
TEST_BUILD := build
else
$(error TEST_SERVER is release or debug, not $(TEST_SERVER))
endif
export TODO_BIN := target/$(TEST_SERVER)/todo

.PHONY: help run dev build build-test-server redoc bench test test-rust test-e2e fuzz fuzz-deps caldav caldav-deps tools tool-checks \
        cargo-leptos-tool wasm-bindgen-tool npm-tools e2e-deps check fmt clean

help:
	@echo "make run        build in release mode and serve on http://127.0.0.1:3000 (SQLite)"
	@echo "make dev        the watch loop: cargo leptos watch rebuilds and reloads on every change (debug build)"
	@echo "make test       every test: Rust (SQLite, and PostgreSQL with TEST_DATABASE_URL), then Playwright"
	@echo "make test-rust  only the Rust unit and integration tests"
	@echo "make test-e2e   only the Playwright suite, against a release build (TEST_SERVER=debug: the debug server)"
	@echo "make fuzz       only the API fuzzing (schemathesis, FUZZ_SECONDS=180), against the same server"
	@echo "make caldav     only the CalDAV client library checks (python-caldav), against the same server"
	@echo "make bench      load the release server and write bench/results/latest.{md,json}, streams-*, hostile-*, lists-*, webhooks-* and footprint.{md,json}"
	@echo "make check      formatting and clippy"

run: build
	./target/release/todo

# The watch loop while working on the code: a debug build, rebuilt and served again on every
# change, the page reloading itself (Cargo.toml's reload-port).
dev: tools
	cargo leptos watch --split

build: tools
	@$(PHASE) "building the server and the browser bundle in release mode (first build: about 9 minutes on 2 cores; after a change to the code about 3, with nothing changed seconds)" \
	  cargo leptos build --release --split
	@$(MAKE) --no-print-directory redoc
	@$(PHASE) "compressing the static files once, with brotli and gzip at their highest levels" \
	  ./target/release/todo precompress $(SITE_ROOT)

# The browser bundle in release mode and the debug server of `cargo test` (TEST_SERVER=debug).
build-test-server: tools
	@$(PHASE) "building the browser bundle in release mode (first build: about 4 minutes on 2 cores)" \
	  cargo leptos build --release --split --frontend-only
	@$(MAKE) --no-print-directory redoc
	@$(PHASE) "building the debug server (nothing to do after the Rust tests)" \
	  cargo test --workspace --locked --no-run
	@# The server finds the bundle's hashed file names in hash.txt beside its executable.
	cp target/release/hash.txt target/debug/hash.txt
	@$(PHASE) "compressing the static files once, with brotli and gzip at their highest levels" \
	  ./target/debug/todo precompress $(SITE_ROOT)

# ReDoc's script, served by the app at /redoc/redoc.standalone.js (no CDN): from npm's redoc.
# Its sidebar would fetch Redocly's logo from their CDN; the copy served points that image at
# an empty data URL instead (it then hides itself), so /redoc makes no third-party request
# and keeps to the Content-Security-Policy.
REDOC_BUILD := $(REDOC_VERSION)+offline-logo
redoc:
	@[ "$$(cat $(REDOC_DIR)/VERSION 2>/dev/null)" = "$(REDOC_BUILD)" ] || \
	  $(PHASE) "fetching redoc $(REDOC_VERSION)'s standalone script from npm for /redoc" bash -c '\
	    tmp=$$(mktemp -d) && \
	    (cd $$tmp && npm pack --silent redoc@$(REDOC_VERSION) >/dev/null && tar xzf redoc-$(REDOC_VERSION).tgz) && \
	    mkdir -p $(REDOC_DIR) && \
	    sed "s#https://cdn.redoc.ly/redoc/logo-mini.svg#data:,#g" $$tmp/package/bundles/redoc.standalone.js > $(REDOC_DIR)/redoc.standalone.js && \
	    cp $$tmp/package/bundles/redoc.standalone.js.LICENSE.txt $(REDOC_DIR)/ && \
	    echo "$(REDOC_BUILD)" > $(REDOC_DIR)/VERSION && rm -rf $$tmp'

test: test-rust test-e2e fuzz caldav

test-rust:
	@$(PHASE) "running the Rust tests (first build of the tests: about 5 minutes)" \
	  cargo test --workspace --locked $(ARGS)

test-e2e: e2e-deps $(TEST_BUILD)
	@cd end2end && CHROMIUM_PATH="$(CHROMIUM)" ../$(PHASE) "running the Playwright browser tests (about 2 minutes)" npx playwright test

# Schemathesis against the server's /openapi.json, bounded in time (FUZZ_SECONDS).
fuzz: fuzz-deps $(TEST_BUILD)
	@$(PHASE) "fuzzing the JSON API with schemathesis (about $${FUZZ_SECONDS:-180} seconds)" python3 scripts/fuzz_api.py

# Schemathesis in its own virtualenv under target/, from PyPI.
fuzz-deps:
	@[ "$$($(FUZZ_VENV)/bin/st --version 2>/dev/null)" = "st, version $(SCHEMATHESIS_VERSION)" ] || \
	  $(PHASE) "installing schemathesis $(SCHEMATHESIS_VERSION) from PyPI into $(FUZZ_VENV) (once; about a minute)" \
	    bash -c 'python3 -m venv $(FUZZ_VENV) && $(FUZZ_VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)'

# The CalDAV server driven by a real client library (python-caldav), on SQLite and, when
# TEST_DATABASE_URL is set, on PostgreSQL.
caldav: caldav-deps $(TEST_BUILD)
	@$(PHASE) "syncing tasks with the caldav client library $(CALDAV_VERSION) (about 20 seconds)" \
	  $(CALDAV_VENV)/bin/python scripts/caldav_client.py

# python-caldav in its own virtualenv under target/, from PyPI.
caldav-deps:
	@[ "$$($(CALDAV_VENV)/bin/python -c 'import caldav; print(caldav.__version__)' 2>/dev/null)" = "$(CALDAV_VERSION)" ] || \
	  $(PHASE) "installing the caldav client library $(CALDAV_VERSION) from PyPI into $(CALDAV_VENV) (once; about a minute)" \
	    bash -c 'python3 -m venv $(CALDAV_VENV) && $(CALDAV_VENV)/bin/pip install --quiet --disable-pip-version-check caldav==$(CALDAV_VERSION)'

# Load figures for a release build on a throwaway database (BENCH_DATABASE_URL for PostgreSQL).
bench: build e2e-deps
	@[ "$$(oha --version 2>/dev/null)" = "oha $(OHA_VERSION)" ] || { \
	  echo "==> installing the oha load generator $(OHA_VERSION) from crates.io (a few minutes, once)"; \
	  cargo install oha --locked --force --version $(OHA_VERSION); }
	python3 bench/run.py
	python3 bench/streams.py
	python3 bench/hostile.py
	python3 bench/lists.py
	python3 bench/webhooks.py
	@# The first load of /tasks in Chromium, plain and throttled to a mid phone.
	cd end2end && FOOTPRINT_RESULTS=1 CHROMIUM_PATH="$(CHROMIUM)" TODO_BIN=target/release/todo npx playwright test footprint

# Installs whatever of the toolchain is missing, and says why the first run is slow. One
# after the other: on two cores, side by side was slower (measured: cargo-leptos alone
# 8m41s, beside wasm-bindgen-cli and the server's compilation 21m35s).
tools: tool-checks cargo-leptos-tool wasm-bindgen-tool npm-tools

tool-checks:
	@command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup first (https://rustup.rs)"; exit 1; }
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer first"; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { echo "Node.js 20 or newer is required (found $$(node --version))"; exit 1; }
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || \
	  $(PHASE) "adding the wasm32-unknown-unknown target with rustup (the browser half of the app; once, seconds)" \
	    rustup target add wasm32-unknown-unknown

cargo-leptos-tool:
	@[ "$$(cargo leptos --version 2>/dev/null)" = "cargo-leptos $(CARGO_LEPTOS_VERSION)" ] || \
	  $(CARGO_LEPTOS_BUILD) $(PHASE) "installing cargo-leptos $(CARGO_LEPTOS_VERSION), the build tool, from crates.io (once; about 6 minutes on 2 cores, 9 without OpenSSL's headers)" \
	    cargo install cargo-leptos --locked --force --version $(CARGO_LEPTOS_VERSION) $(CARGO_LEPTOS_HOT)

wasm-bindgen-tool:
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || \
	  $(WASM_BINDGEN_BUILD) $(PHASE) "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION), which links the browser bundle, from crates.io (once; about 3 minutes)" \
	    cargo install wasm-bindgen-cli --force --version $(WASM_BINDGEN_VERSION)

npm-tools:
	@wasm-opt --version 2>/dev/null | grep -q "version $(firstword $(subst ., ,$(BINARYEN_VERSION)))" || \
	  $(PHASE) "installing wasm-opt (binaryen $(BINARYEN_VERSION)) from npm" \
	    npm install -g --no-fund --no-audit binaryen@$(BINARYEN_VERSION)
	@[ "$$(sass --version 2>/dev/null | cut -d' ' -f1)" = "$(SASS_VERSION)" ] || \
	  $(PHASE) "installing sass $(SASS_VERSION) from npm" \
	    npm install -g --no-fund --no-audit sass@$(SASS_VERSION)

# Playwright and the browser it drives: Debian's Chromium, never a downloaded one.
e2e-deps:
	@[ -x "$(CHROMIUM)" ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    $(PHASE) "installing Debian's chromium for the browser tests (once; about a minute)" \
	      bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' or set CHROMIUM=/path/to/chromium"; exit 1; fi; }
	@cd end2end && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 ../$(PHASE) "installing the Playwright test runner (npm ci; once, seconds)" \
	    npm ci --no-fund --no-audit; fi

check:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results end2end/playwright-report
