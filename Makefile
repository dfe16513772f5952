# Two entry points for a fresh machine (run as root): `make demo` and `make test`.
# Everything runt needs comes from here: Deno, Bun and zod from the npm registry,
# busybox-static, runc (to compare against), tmux (a real terminal for the
# terminal tests), systemd-notify (an sd_notify sender for the
# NOTIFY_SOCKET tests), containerd (a real manager calling runt), curl
# (the GitHub Action's download), and QEMU and debootstrap (the cgroup v2 +
# systemd guest of tests/vm) from Debian's packages.
SHELL := /bin/bash
BIN := node_modules/.bin
DENO := $(BIN)/deno
BUN := $(BIN)/bun
SOURCES := $(shell find cli runtime ffi mod.ts -name '*.ts' 2>/dev/null)
VERSION := $(shell sed -nE 's/^  "version": "([^"]+)".*/\1/p' package.json)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# The commit is compiled in: a copy of the binary far from its checkout still names its sources.
# ESM chunks (--splitting): a command evaluates only the modules it imports (and the node: modules
# they need), where one CommonJS bundle pays ~1 ms more before main for all of them.
# No .env or bunfig.toml is read from the working directory: left on, Bun loads a .env there into
# runt's environment and runs the scripts a bunfig.toml there preloads, as whoever runs runt.
# A JIT 20 times slower to tier up: each run's code runs once, and compiling it cost ~15% of a `run`.
# bench/ builds its floor and probes with the same flags (bench/compile_flags.ts reads this line).
COMPILE_FLAGS := --compile --minify --bytecode --format=esm --splitting --no-compile-autoload-dotenv --no-compile-autoload-bunfig --compile-jit-policy=20
COMPILE := $(BUN) build $(COMPILE_FLAGS) --define 'RUNT_BUILD_COMMIT="$(COMMIT)"'
PREFIX ?= /usr/local
RELEASE_DIR ?= dist
RELEASE_NAME := runt-$(VERSION)-linux-amd64

.PHONY: all setup deps system-deps build release install demo test test-vm check lint bench clean

all: build

setup: deps system-deps

deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian packages the demo and the tests use; installed only when missing.
system-deps:
	@missing=""; \
	dpkg -s busybox-static >/dev/null 2>&1 || missing="$$missing busybox-static"; \
	command -v runc >/dev/null || missing="$$missing runc"; \
	command -v tmux >/dev/null || missing="$$missing tmux"; \
	command -v systemd-notify >/dev/null || missing="$$missing systemd"; \
	command -v containerd >/dev/null || missing="$$missing containerd"; \
	command -v podman >/dev/null || missing="$$missing podman"; \
	command -v catatonit >/dev/null || missing="$$missing catatonit"; \
	command -v dockerd >/dev/null || missing="$$missing docker.io"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v qemu-system-x86_64 >/dev/null || missing="$$missing qemu-system-x86"; \
	command -v debootstrap >/dev/null || missing="$$missing debootstrap"; \
	command -v mkfs.ext4 >/dev/null || missing="$$missing e2fsprogs"; \
	command -v newuidmap >/dev/null || missing="$$missing uidmap"; \
	command -v docker-registry >/dev/null || missing="$$missing docker-registry"; \
	command -v skopeo >/dev/null || missing="$$missing skopeo"; \
	command -v umoci >/dev/null || missing="$$missing umoci"; \
	command -v htpasswd >/dev/null || missing="$$missing apache2-utils"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v zstd >/dev/null || missing="$$missing zstd"; \
	command -v python3 >/dev/null || missing="$$missing python3"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: dist/runt

# Bun writes the executable in pieces, and the page cache keeps those as small folios: each start of
# that file took ~70 more page faults (~2 ms) than a plain copy of it, until it left the cache.
# runt is copied into place whole, as `make install` and a downloaded release are.
dist/runt: $(SOURCES) Makefile node_modules/.installed
	@mkdir -p dist
	$(COMPILE) cli/main.ts --outfile dist/.runt.built
	cp dist/.runt.built dist/runt.new && mv -f dist/runt.new dist/runt && rm -f dist/.runt.built

# dist/runt-VERSION-linux-amd64 and its .sha256 (sha256sum's format), for a
# GitHub release. x86-64 only: the start-up program runt generates for every
# container is x86-64 machine code.
release: deps
	@[ "$$(uname -m)" = x86_64 ] || { echo "make release: runt's start-up program is x86-64 code, this machine is $$(uname -m)" >&2; exit 1; }
	@mkdir -p $(RELEASE_DIR)
	$(COMPILE) cli/main.ts --outfile $(RELEASE_DIR)/$(RELEASE_NAME)
	cd $(RELEASE_DIR) && sha256sum $(RELEASE_NAME) > $(RELEASE_NAME).sha256

install: build
	install -D -m 0755 dist/runt $(DESTDIR)$(PREFIX)/bin/runt

demo: setup build
	@bash tests/demo.sh

test: setup build check
	@bash tests/run.sh

# Only the tests that run inside the cgroup v2 + systemd guest (tests/vm/run.sh).
test-vm: setup build
	@bash tests/vm/run.sh

check: deps
	$(DENO) check cli/main.ts mod.ts tests/
	$(DENO) lint

# runc, dist/runt and the sources under Deno side by side; writes bench/results.{json,md}.
bench: setup build
	$(DENO) run -A bench/run.ts

clean:
	rm -rf dist .tmp
