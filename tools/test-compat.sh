#!/usr/bin/env bash
# make test-compat: the e2e lifecycle against a second Pulumi CLI release, built from its Go
# modules (default v3.276.0; PULUMI_COMPAT_VERSION=vX.Y.Z for another served release).
# Slow (a full CLI build the first time, cached afterwards), so not part of `make test`.
#
# The checkout is never touched: the tests run in a copy of it whose .tools/bin holds the
# compat CLI beside the project's own language host, exec shim and provider launcher.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${PULUMI_COMPAT_VERSION:-v3.276.0}
CACHE_ROOT=${TAVUS_PERSONAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tavus-personas}
COMPAT="$CACHE_ROOT/pulumi/compat-$VERSION"
PYTEST_FLAGS=${PYTEST_FLAGS:--q -p no:cacheprovider}
say() { echo "test-compat: $*" >&2; }

build_cli() {
    local src="$COMPAT/src" ldflags
    [ -x "$COMPAT/pulumi" ] && return
    command -v go >/dev/null || { say "Go (1.26.6+) is needed to build Pulumi $VERSION"; exit 1; }
    say "building Pulumi CLI $VERSION from its Go modules into $COMPAT (first time: several minutes)"
    rm -rf "$src" && mkdir -p "$src"
    # The wrapper module at another pkg/sdk version: same replace directive, its own go.sum.
    cp tools/pulumi-cli/go.mod tools/pulumi-cli/go.sum "$src/"
    (
        cd "$src"
        go mod edit -module tavus-personas/tools/pulumi-cli-compat
        go get "github.com/pulumi/pulumi/pkg/v3@$VERSION" "github.com/pulumi/pulumi/sdk/v3@$VERSION"
        ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION"
        go build -trimpath -ldflags "$ldflags" -o "$COMPAT/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    )
    mv "$COMPAT/pulumi.tmp" "$COMPAT/pulumi"
}

# The compat CLI with the project's own plugins, all real files in one directory (the CLI
# looks for its bundled plugins beside its real executable).
assemble_bin() {
    local bin=$1 own
    own=$(readlink -f .tools/bin)
    [ -x "$own/pulumi-language-python" ] || {
        say "the project's language host is not built (a pulumi from PATH is in use); unset it from PATH or build with Go"
        exit 1
    }
    mkdir -p "$bin"
    cp "$COMPAT/pulumi" "$own/pulumi-language-python" "$own/pulumi-language-python-exec" \
        "$own/pulumi-resource-pulumi-python" "$bin/"
}

WORK=""
cleanup() { [ -z "$WORK" ] || rm -rf "$WORK"; }
trap cleanup EXIT

main() {
    local work
    make --no-print-directory bootstrap
    build_cli
    work=$(mktemp -d "${TMPDIR:-/tmp}/tavus-compat.XXXXXX")
    WORK=$work
    # tracked and new files of the checkout, as they are now
    git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work"
    ln -s "$PWD/.venv" "$work/.venv"
    mkdir -p "$work/.tools"
    ln -s "$(readlink -f .tools/actionlint)" "$work/.tools/actionlint"
    assemble_bin "$work/.tools/bin"
    say "running the e2e lifecycle against $("$work/.tools/bin/pulumi" version)"
    # shellcheck disable=SC2086
    (cd "$work" && .venv/bin/pytest $PYTEST_FLAGS tests/e2e/test_persona_lifecycle.py tests/e2e/test_toolchain.py tests/e2e/test_policy_pack.py)
}

main "$@"
