#!/usr/bin/env bash
# ensure-pulumi-sdk.sh: install a given @pulumi/pulumi release on its own, idempotently.
#
#   SDK_DIR=$(bash scripts/ensure-pulumi-sdk.sh 3.276.0)   # -> $SDK_DIR/node_modules/@pulumi/pulumi
#
# The last line on stdout is a folder whose node_modules holds that release and
# its dependencies, and nothing else; everything else goes to stderr.
#
# Why: the suite also runs against an SDK other than the one package-lock.json
# pins (the newest release, on Node 24). Installing it into a folder of its own,
# cached outside the repo, leaves the project's lockfile describing one SDK.
# scripts/test.sh links it into a copy of the project's module tree.
#
# Environment:
#   PULUMI_INTUNE_CACHE  cache root (default: ~/.cache/pulumi-intune-enrollment)

set -euo pipefail

version=${1:?usage: ensure-pulumi-sdk.sh <@pulumi/pulumi version, e.g. 3.276.0>}
cache_root=${PULUMI_INTUNE_CACHE:-$HOME/.cache/pulumi-intune-enrollment}
install_dir=$cache_root/pulumi-sdk-$version
sdk_package=$install_dir/node_modules/@pulumi/pulumi/package.json

log() { printf 'ensure-pulumi-sdk: %s\n' "$*" >&2; }

is_complete() {
    [[ -f $install_dir/stamp && -f $sdk_package ]] &&
        grep -q "\"version\": *\"$version\"" "$sdk_package"
}

if is_complete; then
    printf '%s\n' "$install_dir"
    exit 0
fi

# shellcheck source=lib/cached-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cached-install.sh"
begin_install sdk "$install_dir"

log "installing @pulumi/pulumi@$version into $install_dir"
start=$SECONDS
printf '{ "name": "pulumi-sdk-%s", "private": true }\n' "$version" >"$work_dir/package.json"
# --ignore-scripts: nothing here is run from this folder's own scripts; the SDK
# works without its dependencies' install scripts, as it does in a user's project.
(cd "$work_dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error --save-exact \
    "@pulumi/pulumi@$version") >&2
if ! grep -q "\"version\": *\"$version\"" "$work_dir/node_modules/@pulumi/pulumi/package.json" 2>/dev/null; then
    log "npm did not install @pulumi/pulumi $version; not keeping it"
    exit 1
fi
printf '@pulumi/pulumi %s\n' "$version" >"$work_dir/stamp"

finish_install

log "installed in $((SECONDS - start))s"
printf '%s\n' "$install_dir"
