#!/usr/bin/env bash
# ensure-pulumi-yaml.sh: make the pinned Pulumi YAML language host available, idempotently.
#
#   YAML_BIN_DIR=$(bash scripts/ensure-pulumi-yaml.sh) && export PATH="$YAML_BIN_DIR:$PATH"
#
# The last line on stdout is the directory holding `pulumi-language-yaml`; everything
# else goes to stderr. Exit status is non-zero if no host could be provided.
#
# Why a build: the CLI built by ensure-pulumi.sh (from pkg/v3) bundles no language
# hosts, and release downloads are unreachable here; the Go module proxy serves
# github.com/pulumi/pulumi-yaml (v1.11.1 and v1.25.0). The wrapper module in
# scripts/pulumi-yaml/ pins v1.25.0 with its own pkg/sdk v3.206.0 (it does not compile
# against v3.248). The host only talks gRPC to the engine, so it works with CLI v3.248.
#
# Cached outside the repo, keyed on the version and a hash of the wrapper module's
# sources (go.mod, go.sum, *.go).
#
# Environment:
#   PULUMI_INTUNE_CACHE  cache root (default: ~/.cache/pulumi-intune-enrollment)
#   GOFLAGS, GOCACHE, GOMODCACHE, GOPROXY, ...  honoured as set.

set -euo pipefail

YAML_VERSION=v1.25.0

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
wrapper_dir=$script_dir/pulumi-yaml
cache_root=${PULUMI_INTUNE_CACHE:-$HOME/.cache/pulumi-intune-enrollment}
install_dir=$cache_root/pulumi-yaml-$YAML_VERSION
bin_dir=$install_dir/bin
stamp_file=$install_dir/stamp

log() { printf 'ensure-pulumi-yaml: %s\n' "$*" >&2; }

expected_stamp() {
    local sum
    sum=$(cd "$wrapper_dir" &&
        find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -print | LC_ALL=C sort |
        while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done | sha256sum)
    printf 'pulumi-yaml %s sources %s\n' "$YAML_VERSION" "${sum%% *}"
}

cache_is_complete() {
    [[ -f $stamp_file && -x $bin_dir/pulumi-language-yaml && "$(<"$stamp_file")" == "$(expected_stamp)" ]]
}

# 1. Cached build: the common case, answered without running go.
if cache_is_complete; then
    printf '%s\n' "$bin_dir"
    exit 0
fi

# 2. Build. Check preconditions first.
if [[ ! -f $wrapper_dir/go.mod || ! -f $wrapper_dir/go.sum ]]; then
    log "wrapper module not found at $wrapper_dir (go.mod and go.sum are required)"
    exit 1
fi
go_bin=$(command -v go 2>/dev/null || true)
if [[ -z $go_bin && -x /usr/local/go/bin/go ]]; then
    go_bin=/usr/local/go/bin/go
fi
if [[ -z $go_bin ]]; then
    log "Go (>= 1.24.7) is needed to build pulumi-language-yaml $YAML_VERSION but was not found."
    exit 1
fi

mkdir -p "$cache_root"

heartbeat_label=ensure-pulumi-yaml
# shellcheck source=lib/heartbeat.sh
source "$script_dir/lib/heartbeat.sh"

# Own lock file (not ensure-pulumi.sh's .lock), so a YAML build never waits for a CLI build.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache_root/.lock-pulumi-yaml"
    if ! flock -n 9; then
        log "another build of pulumi-language-yaml is running; waiting for it instead of building twice"
        start_heartbeat "waiting for the other build of pulumi-language-yaml"
        flock 9
        stop_heartbeat
    fi
    if cache_is_complete; then
        printf '%s\n' "$bin_dir"
        exit 0
    fi
    rm -rf "$cache_root"/.build-yaml-*
fi

work_dir=$(mktemp -d "$cache_root/.build-yaml-XXXXXX")
trap 'stop_heartbeat; rm -rf "$work_dir"' EXIT
chmod 0755 "$work_dir"
mkdir "$work_dir/bin"

log "building pulumi-language-yaml $YAML_VERSION from Go modules with $("$go_bin" env GOVERSION) into $install_dir"
log "this happens once (measured on 2 cores: ~20 s of module downloads if the module cache is empty, then ~1 min of compiling with an empty build cache)"
start=$SECONDS
start_heartbeat "still building pulumi-language-yaml (once; cached afterwards)"
# Same flags as pulumi-yaml's .goreleaser.yml (CGO off, -s -w, version via -X), plus
# -trimpath/-buildvcs=false as in ensure-pulumi.sh. -mod=readonly: go.sum must already
# pin everything; a build never edits the wrapper module.
(
    cd "$wrapper_dir"
    CGO_ENABLED=0 "$go_bin" build -mod=readonly -trimpath -buildvcs=false \
        -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" \
        -o "$work_dir/bin/" \
        github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
) >&2
stop_heartbeat
elapsed=$((SECONDS - start))

# Sanity check: the binary exists and starts (it prints its gRPC port, then waits;
# -version is not supported, so only check it is an executable for this machine).
if [[ ! -x $work_dir/bin/pulumi-language-yaml ]]; then
    log "the build produced no pulumi-language-yaml; not installing"
    exit 1
fi

expected_stamp >"$work_dir/stamp"

if [[ -e $install_dir ]]; then
    mv "$install_dir" "$work_dir/old"
fi
mv "$work_dir" "$install_dir"
rm -rf "$install_dir/old"
trap - EXIT

log "built in $((elapsed / 60))m$((elapsed % 60))s: pulumi-language-yaml $(du -h "$bin_dir/pulumi-language-yaml" | cut -f1)"
printf '%s\n' "$bin_dir"
