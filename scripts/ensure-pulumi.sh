#!/usr/bin/env bash
# ensure-pulumi.sh: make the pinned Pulumi CLI available, idempotently.
#
#   PULUMI_BIN_DIR=$(bash scripts/ensure-pulumi.sh) && export PATH="$PULUMI_BIN_DIR:$PATH"
#
# The last line on stdout is the directory holding `pulumi`,
# `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`; everything else
# goes to stderr. Exit status is non-zero if no CLI could be provided.
#
# Why a build: the official CLI is a download from get.pulumi.com, which this
# project's machines and CI cannot reach; the Go module proxy can. So the CLI is
# built from github.com/pulumi/pulumi/pkg/v3 through the wrapper module in
# scripts/pulumi-cli/ (its go.sum pins every dependency). The upstream Node.js
# language host is a separate, untagged module the proxy will not serve, so
# scripts/pulumi-cli/pulumi-language-nodejs/ is a small host of our own against
# the same sdk/v3 release (see the comment at the top of its main.go).
#
# Why this version: it matches the oldest @pulumi/pulumi the package supports
# (package.json's devDependency and the lower bound of its peer range; the last
# release declaring Node >= 20). `npm test` runs programs with this one CLI on
# both ends of the range: SDK 3.248.0 on the machine's Node, and the newest SDK
# (scripts/test-matrix.json) on Node 24. The Automation API only asks for a CLI
# >= v3.2.0, so a newer SDK accepts it. A second CLI build would cost every fresh
# machine another ~5 minutes, so move PULUMI_VERSION (with the go.mod requires)
# only when a newer SDK needs a newer engine; the suite's second pass says so.
#
# The result is cached outside the repo, keyed on the version and a hash of the
# wrapper module's sources; a warm run only hashes those few files (~10 ms).
#
# Environment:
#   PULUMI_INTUNE_CACHE  cache root (default: ~/.cache/pulumi-intune-enrollment)
#   GOFLAGS, GOMODCACHE, GOPROXY, ...  honoured as set; the module cache is
#                        deliberately left at Go's default so downloads are reused.

set -euo pipefail

PULUMI_VERSION=v3.248.0

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname "$script_dir")
wrapper_dir=$script_dir/pulumi-cli
cache_root=${PULUMI_INTUNE_CACHE:-$HOME/.cache/pulumi-intune-enrollment}
install_dir=$cache_root/pulumi-$PULUMI_VERSION
bin_dir=$install_dir/bin
stamp_file=$install_dir/stamp

log() { printf 'ensure-pulumi: %s\n' "$*" >&2; }

# What a finished build must match. Hashing the wrapper's sources means an edit
# to the language host or go.sum triggers a rebuild instead of silently reusing
# an old binary. (Paths are relative and sorted, so the hash is the same in
# every checkout.)
expected_stamp() {
    local sum
    sum=$(cd "$wrapper_dir" &&
        find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -print | LC_ALL=C sort |
        while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done | sha256sum)
    printf 'pulumi %s sources %s\n' "$PULUMI_VERSION" "${sum%% *}"
}

cache_is_complete() {
    [[ -f $stamp_file && -x $bin_dir/pulumi && -x $bin_dir/pulumi-language-nodejs &&
        -x $bin_dir/pulumi-resource-pulumi-nodejs && "$(<"$stamp_file")" == "$(expected_stamp)" ]]
}

version_at_least() { # $1 >= $2, both without a leading v
    [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}

# 1. Our own cached build: the common case, answered without running go or pulumi.
if cache_is_complete; then
    printf '%s\n' "$bin_dir"
    exit 0
fi

# 2. A recent enough CLI already installed (e.g. the official installer on a
#    developer's machine). Our own cache dir is skipped: if it is on PATH but
#    its stamp is stale, it must be rebuilt, not reused.
if existing=$(command -v pulumi 2>/dev/null); then
    existing_dir=$(cd "$(dirname "$existing")" && pwd)
    if [[ $existing_dir != "$bin_dir" ]]; then
        # Skip the update check: it would go to the network on every call.
        have=$(PULUMI_SKIP_UPDATE_CHECK=true "$existing" version 2>/dev/null | tail -n1 || true)
        have=${have#v}
        # The engine looks for its plugins beside the pulumi binary, then on PATH.
        find_plugin() { [[ -x $existing_dir/$1 ]] || command -v "$1" >/dev/null 2>&1; }
        if [[ -n $have ]] && version_at_least "$have" "${PULUMI_VERSION#v}" &&
            find_plugin pulumi-language-nodejs && find_plugin pulumi-resource-pulumi-nodejs; then
            log "using the installed Pulumi CLI v$have at $existing_dir"
            printf '%s\n' "$existing_dir"
            exit 0
        fi
        log "ignoring $existing (version '${have:-unknown}', need >= $PULUMI_VERSION with its Node.js plugins)"
    fi
fi

# 3. Build. Check every precondition before the long compile.
go_bin=$(command -v go 2>/dev/null || true)
if [[ -z $go_bin && -x /usr/local/go/bin/go ]]; then
    go_bin=/usr/local/go/bin/go # Debian's usual tarball location, often not on a non-login PATH
fi
if [[ -z $go_bin ]]; then
    log "Go is needed to build the Pulumi CLI $PULUMI_VERSION but was not found."
    log "Either install Go >= 1.25.11 (https://go.dev/doc/install), or install Pulumi the official way"
    log "(https://www.pulumi.com/docs/install/):"
    log "    curl -fsSL https://get.pulumi.com | sh -s -- --version ${PULUMI_VERSION#v}"
    log "and put ~/.pulumi/bin on PATH; this script then uses that CLI."
    exit 1
fi

# The dynamic-provider plugin is a shell script shipped in the npm SDK, not a Go
# binary. It locates @pulumi/pulumi by require.resolve from its working
# directory, which the engine sets to the Pulumi program's directory, so a copy
# works for any program that has the SDK installed (and does not break if this
# repo's node_modules is later removed).
sdk_dir=$repo_root/node_modules/@pulumi/pulumi
resource_plugin=$sdk_dir/pulumi-resource-pulumi-nodejs
if [[ ! -f $resource_plugin ]]; then
    log "$resource_plugin not found: node_modules is not installed."
    log "Run 'npm ci' in $repo_root first, then run this script again."
    exit 1
fi
sdk_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$sdk_dir/package.json" | head -n1)
if [[ $sdk_version != "${PULUMI_VERSION#v}" ]]; then
    log "warning: node_modules has @pulumi/pulumi $sdk_version but the CLI is pinned to $PULUMI_VERSION"
fi

mkdir -p "$cache_root"

heartbeat_label=ensure-pulumi
# shellcheck source=lib/heartbeat.sh
source "$script_dir/lib/heartbeat.sh"

# Serialise concurrent callers (e.g. parallel CI steps) so the build runs once;
# whoever waited re-checks the cache when it gets the lock.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$cache_root/.lock"
    if ! flock -n 9; then
        log "another build of the Pulumi CLI is running (lock $cache_root/.lock); waiting for it instead of building twice"
        start_heartbeat "waiting for the other build of the Pulumi CLI"
        flock 9
        stop_heartbeat
    fi
    if cache_is_complete; then
        printf '%s\n' "$bin_dir"
        exit 0
    fi
    # Holding the lock, no other build is running: any .build-* left is from a
    # build that was killed too hard to clean up after itself.
    rm -rf "$cache_root"/.build-*
fi

# Build into a scratch directory beside the final one (same filesystem, so the
# final rename is atomic): a killed build leaves only a .build-* directory,
# which is never mistaken for a finished install.
work_dir=$(mktemp -d "$cache_root/.build-XXXXXX")
trap 'stop_heartbeat; rm -rf "$work_dir"' EXIT
chmod 0755 "$work_dir" # mktemp makes it private; the install should be readable like any other
mkdir "$work_dir/bin"

log "building the Pulumi CLI $PULUMI_VERSION (pulumi and its Node.js language host) from Go modules with $("$go_bin" env GOVERSION) into $install_dir"
log "this happens once: later runs reuse the build (measured on 2 cores: ~40 s of module downloads if the Go module cache is empty, then ~4-5 min of compiling; a few seconds when the Go build cache is warm)"
start=$SECONDS
start_heartbeat "still building the Pulumi CLI (once; cached afterwards)"
# -trimpath: no local paths in the binaries, so builds are reproducible across machines.
# -buildvcs=false: the VCS info would describe this repo, not Pulumi; it also avoids a
#   `git` call that fails in some sandboxes. An existing GOFLAGS is left as is.
# -s -w: drop symbol/DWARF tables (pulumi 156 MB -> 112 MB); nobody debugs these here.
# -X ...version.Version: `pulumi version` (which the Automation API checks) and the
#   language host's plugin version would otherwise be empty.
# Parallelism: go build already runs one compile per core (-p defaults to GOMAXPROCS);
#   both binaries are built by one invocation so they share the compiled dependencies.
(
    cd "$wrapper_dir"
    "$go_bin" build -trimpath -buildvcs=false \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
        -o "$work_dir/bin/" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
        ./pulumi-language-nodejs
) >&2
stop_heartbeat
elapsed=$((SECONDS - start))

install -m 0755 "$resource_plugin" "$work_dir/bin/pulumi-resource-pulumi-nodejs"

# Sanity check before publishing: the binary runs and reports the pinned version.
built_version=$(PULUMI_SKIP_UPDATE_CHECK=true "$work_dir/bin/pulumi" version 2>/dev/null | tail -n1 || true)
if [[ $built_version != "$PULUMI_VERSION" ]]; then
    log "the freshly built pulumi reports '$built_version', expected $PULUMI_VERSION; not installing it"
    exit 1
fi

expected_stamp >"$work_dir/stamp"

# Publish: move any stale install aside, rename the new one into place, then
# delete the old one. Readers only trust the stamp, which arrives with the rename.
if [[ -e $install_dir ]]; then
    mv "$install_dir" "$work_dir/old"
fi
mv "$work_dir" "$install_dir"
rm -rf "$install_dir/old"
trap - EXIT

size_of() { du -h "$1" | cut -f1; }
log "built in $((elapsed / 60))m$((elapsed % 60))s: pulumi $(size_of "$bin_dir/pulumi"), pulumi-language-nodejs $(size_of "$bin_dir/pulumi-language-nodejs")"
printf '%s\n' "$bin_dir"
