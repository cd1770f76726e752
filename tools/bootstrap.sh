#!/usr/bin/env bash
# make bootstrap: idempotent setup of everything the project runs on.
#  1. .venv/ with the pinned Python dependencies (re-installed when a requirements file changes);
#  2. .tools/bin -> a cache outside the checkout holding the pinned Pulumi CLI, the Python
#     language host, the SDK's exec shim and our provider launcher (README: The Pulumi CLI);
#  3. .tools/actionlint -> the pinned actionlint (lints .github/workflows in `make test`), built
#     from its Go module into the same cache (its PyPI wheel downloads a binary at build time).
# Quiet when everything is already in place; prints progress when it has work to do.
set -euo pipefail
cd "$(dirname "$0")/.."

PULUMI_VERSION=v3.274.1
ACTIONLINT_VERSION=v1.7.12
PYTHON=${PYTHON:-python3}
CACHE_ROOT=${TAVUS_PERSONAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tavus-personas}
say() { echo "bootstrap: $*" >&2; }

ensure_venv() {
    local stamp=.venv/.requirements.sha256 want
    want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-64)
    if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    "$PYTHON" - <<'PY' || { say "Python 3.11 or newer is required (found: $("$PYTHON" --version 2>&1))"; exit 1; }
import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
    say "creating .venv with the pinned dependencies"
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
    echo "$want" > "$stamp"
}

# The cache key covers our wrapper module and language host, so editing them rebuilds.
cli_cache_dir() {
    local key
    key=$(cat tools/pulumi-cli/go.mod tools/pulumi-cli/go.sum tools/pulumi-cli/langhost/*.go \
        tools/pulumi-resource-pulumi-python | sha256sum | cut -c1-12)
    echo "$CACHE_ROOT/pulumi/$PULUMI_VERSION-$key"
}

pulumi_on_path() {
    local found
    found=$(command -v pulumi 2>/dev/null) || return 1
    [ "$("$found" version 2>/dev/null)" = "$PULUMI_VERSION" ] || return 1
    [ -x "$(dirname "$found")/pulumi-language-python" ] || return 1
    echo "$found"
}

install_from_path() {
    local dir=$1 found=$2
    mkdir -p "$dir/bin"
    ln -sf "$found" "$dir/bin/pulumi"
    ln -sf "$(dirname "$found")/pulumi-language-python" "$dir/bin/pulumi-language-python"
    install -m 0755 tools/pulumi-resource-pulumi-python "$dir/bin/"
}

build_from_go_modules() {
    local dir=$1 tmp ldflags sdk
    command -v go >/dev/null || {
        say "neither a Pulumi CLI $PULUMI_VERSION on PATH nor Go (1.26.6+) to build one; install Go from your package manager or put pulumi $PULUMI_VERSION on PATH"
        exit 1
    }
    say "building Pulumi CLI $PULUMI_VERSION from its Go modules into $dir (first time: several minutes)"
    # Leftovers of a build that was killed are never used: clear them first.
    rm -rf "$CACHE_ROOT"/pulumi/.build.*
    tmp=$(mktemp -d "$CACHE_ROOT/pulumi/.build.XXXXXX")
    ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
    (
        cd tools/pulumi-cli
        go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
        say "building the Python language host"
        go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp/bin/pulumi-language-python" ./langhost
        sdk=$(go list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
        install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$tmp/bin/"
    )
    install -m 0755 tools/pulumi-resource-pulumi-python "$tmp/bin/"
    # Publish atomically: a killed build never leaves a half-filled cache behind.
    rm -rf "$dir"
    mv "$tmp" "$dir"
}

ensure_cli() {
    local dir found
    dir=$(cli_cache_dir)
    if [ ! -x "$dir/bin/pulumi" ]; then
        mkdir -p "$CACHE_ROOT/pulumi"
        if found=$(pulumi_on_path); then
            say "using $found ($PULUMI_VERSION)"
            install_from_path "$dir" "$found"
        else
            build_from_go_modules "$dir"
        fi
    fi
    mkdir -p .tools
    if [ "$(readlink .tools/bin 2>/dev/null)" != "$dir/bin" ]; then
        rm -rf .tools/bin
        ln -s "$dir/bin" .tools/bin
    fi
}

ensure_actionlint() {
    local dir="$CACHE_ROOT/actionlint/$ACTIONLINT_VERSION" tmp
    if [ ! -x "$dir/actionlint" ]; then
        command -v go >/dev/null || {
            say "Go is needed to build actionlint $ACTIONLINT_VERSION (the workflow lint of make test)"
            exit 1
        }
        say "building actionlint $ACTIONLINT_VERSION from its Go module into $dir"
        mkdir -p "$CACHE_ROOT/actionlint"
        rm -rf "$CACHE_ROOT"/actionlint/.build.*
        tmp=$(mktemp -d "$CACHE_ROOT/actionlint/.build.XXXXXX")
        GOBIN="$tmp" go install -trimpath -ldflags "-s -w" \
            "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
        rm -rf "$dir"
        mv "$tmp" "$dir"
    fi
    if [ "$(readlink .tools/actionlint 2>/dev/null)" != "$dir/actionlint" ]; then
        ln -sfn "$dir/actionlint" .tools/actionlint
    fi
}

ensure_venv
ensure_cli
ensure_actionlint
