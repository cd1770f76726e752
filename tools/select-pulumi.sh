#!/usr/bin/env bash
# Which Pulumi CLI on PATH can this project use?  `tools/select-pulumi.sh MIN_VERSION`
# prints the path of `pulumi` when it is MIN_VERSION or newer and has its Python language
# host beside it; otherwise it prints why not on stderr and exits 1. Used by bootstrap.sh;
# tests/unit/test_select_pulumi.py runs it against fake CLIs.
set -euo pipefail

# version_triplet v3.280.1-alpha.2+dev -> "3 280 1"; nothing for text that is not a version.
version_triplet() {
    local v=${1#v}
    v=${v%%[-+]*}
    [[ $v =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || return 1
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}"
}

# version_at_least A B: A >= B (pre-release labels ignored: v3.280.0-alpha counts as v3.280.0).
version_at_least() {
    local a b i
    read -ra a <<<"$(version_triplet "$1")" || return 1
    read -ra b <<<"$(version_triplet "$2")" || return 1
    [ ${#a[@]} -eq 3 ] && [ ${#b[@]} -eq 3 ] || return 1
    for i in 0 1 2; do
        ((10#${a[i]} > 10#${b[i]})) && return 0
        ((10#${a[i]} < 10#${b[i]})) && return 1
    done
    return 0
}

main() {
    local min=$1 found real version
    found=$(command -v pulumi 2>/dev/null) || { echo "no pulumi on PATH" >&2; return 1; }
    real=$(readlink -f "$found")
    version=$("$found" version 2>/dev/null | head -n1) || true
    if ! version_triplet "$version" >/dev/null; then
        echo "$found did not report a version (\`pulumi version\` printed '$version')" >&2
        return 1
    fi
    if ! version_at_least "$version" "$min"; then
        echo "$found is $version, older than the minimum $min" >&2
        return 1
    fi
    if [ ! -x "$(dirname "$real")/pulumi-language-python" ]; then
        echo "$found ($version) has no pulumi-language-python beside it in $(dirname "$real")" >&2
        return 1
    fi
    echo "$found $version"
}

main "$@"
