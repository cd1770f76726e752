#!/usr/bin/env bash
# make bootstrap: idempotent setup of everything the project runs on.
#  1. .venv/ with the pinned Python dependencies (re-installed when a requirements file changes);
#  2. .tools/bin -> the Pulumi CLI: any `pulumi` on PATH at PULUMI_MIN_VERSION or newer (with its
#     own Python language host); else one built from Go modules into a cache outside the
#     checkout: the CLI at PULUMI_VERSION, our Python language host, the SDK's exec shim and
#     our provider launcher (README: The Pulumi CLI);
#  3. .tools/actionlint -> the pinned actionlint (lints .github/workflows in `make test`), built
#     from its Go module into the same cache (its PyPI wheel downloads a binary at build time);
#     skipped, with a note, where there is no Go.
# Quiet when everything is already in place; prints progress when it has work to do.
set -euo pipefail
cd "$(dirname "$0")/.."

# Built when no suitable CLI is on PATH.
PULUMI_VERSION=v3.274.1
# The oldest CLI the project works with: v3.226.0 is the first whose `--expect-no-changes`
# exits 7 (the deploy workflow and the tests rely on it); dynamic-provider `configure`
# (v3.139.0) and `ReadResult` inputs (SDK v3.216.0, honoured by older engines) are older.
PULUMI_MIN_VERSION=v3.226.0
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

# Cache keys: the CLI's covers the wrapper module (go.mod, go.sum), the language host's also
# covers its sources, so editing the host rebuilds the host only.
cli_build_dir() {
    local key
    key=$(cat tools/pulumi-cli/go.mod tools/pulumi-cli/go.sum | sha256sum | cut -c1-12)
    echo "$CACHE_ROOT/pulumi/cli-$PULUMI_VERSION-$key"
}

bin_dir() {
    local key
    key=$(cat tools/pulumi-cli/go.mod tools/pulumi-cli/go.sum tools/pulumi-cli/langhost/*.go \
        tools/pulumi-resource-pulumi-python | sha256sum | cut -c1-12)
    echo "$CACHE_ROOT/pulumi/$PULUMI_VERSION-$key"
}

# go_build OUT PACKAGE: build into a temporary file, then publish atomically, so a killed
# build never leaves a half-written binary behind.
go_build() {
    local out=$1 pkg=$2 ldflags
    ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
    mkdir -p "$(dirname "$out")"
    (cd tools/pulumi-cli && go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg")
    mv "$out.tmp.$$" "$out"
}

require_go() {
    command -v go >/dev/null && return
    say "neither a Pulumi CLI $PULUMI_MIN_VERSION+ on PATH nor Go (1.26.6+) to build $PULUMI_VERSION; install Go from your package manager or put pulumi $PULUMI_MIN_VERSION or newer on PATH"
    exit 1
}

# The built toolchain: CLI, our language host, the SDK's exec shim and our launcher in one
# real directory (the CLI looks for its bundled plugins beside its own executable).
build_from_go_modules() {
    local dir=$1 cli tmp sdk
    cli="$(cli_build_dir)/pulumi"
    require_go
    if [ ! -x "$cli" ]; then
        say "building Pulumi CLI $PULUMI_VERSION from its Go modules (first time: several minutes)"
        go_build "$cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    fi
    say "building the Python language host into $dir"
    rm -rf "$CACHE_ROOT"/pulumi/.build.*
    tmp=$(mktemp -d "$CACHE_ROOT/pulumi/.build.XXXXXX")
    go_build "$tmp/bin/pulumi-language-python" ./langhost
    sdk=$(cd tools/pulumi-cli && go list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
    install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$tmp/bin/"
    install -m 0755 tools/pulumi-resource-pulumi-python "$tmp/bin/"
    ln "$cli" "$tmp/bin/pulumi" 2>/dev/null || cp "$cli" "$tmp/bin/pulumi"
    rm -rf "$dir"
    mv "$tmp" "$dir"
}

# A CLI from PATH brings its own language host and provider launcher (found beside its real
# executable), so .tools/bin holds only a link to it: anything else there would shadow them.
path_cli_dir() {
    local found=$1 version=$2 key
    key=$(echo "$found" | sha256sum | cut -c1-12)
    echo "$CACHE_ROOT/pulumi/path-$version-$key"
}

link_tools_bin() {
    local target=$1 description=$2
    mkdir -p .tools
    if [ "$(readlink .tools/bin 2>/dev/null)" != "$target" ]; then
        rm -rf .tools/bin
        ln -s "$target" .tools/bin
        say "Pulumi CLI: $description"
    fi
}

ensure_cli() {
    local dir selected found version why
    if selected=$(tools/select-pulumi.sh "$PULUMI_MIN_VERSION" 2>&1); then
        read -r found version <<<"$selected"
        dir=$(path_cli_dir "$found" "$version")
        mkdir -p "$dir/bin"
        ln -sfn "$found" "$dir/bin/pulumi"
        link_tools_bin "$dir/bin" "using $found ($version, from PATH; minimum $PULUMI_MIN_VERSION)"
        return
    fi
    why=$selected
    dir=$(bin_dir)
    if [ ! -x "$dir/bin/pulumi" ]; then
        mkdir -p "$CACHE_ROOT/pulumi"
        build_from_go_modules "$dir"
    fi
    link_tools_bin "$dir/bin" "using $PULUMI_VERSION built from Go modules in $dir/bin${why:+ (not from PATH: $why)}"
}

ensure_actionlint() {
    local dir="$CACHE_ROOT/actionlint/$ACTIONLINT_VERSION" tmp
    if [ ! -x "$dir/actionlint" ]; then
        # Only `make test` lints workflows: a deploy job with the CLI from Pulumi's installer has no Go.
        command -v go >/dev/null || {
            say "skipping actionlint $ACTIONLINT_VERSION: no Go to build it (only make test's workflow lint needs it)"
            return
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
