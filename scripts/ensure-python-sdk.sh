#!/usr/bin/env bash
# ensure-python-sdk.sh: a Python virtual environment with the committed Python SDK (sdk/python) and the `pulumi`
# Python SDK from PyPI, for the Python example's tests (examples/python), idempotently.
#
#   PYTHON_BIN_DIR=$(bash scripts/ensure-python-sdk.sh) && "$PYTHON_BIN_DIR/python" -m unittest
#
# The last line on stdout is the environment's bin folder; everything else goes to stderr. Installing is needed
# (the generated package reads its own version from its installed metadata). Cached outside the repository, keyed
# on the pinned pulumi version and a hash of sdk/python and the example's requirements.
#
# Environment:
#   PULUMI_INTUNE_CACHE  cache root (default: ~/.cache/pulumi-intune-enrollment)
#   PYTHON               the interpreter to build the environment with (default: python3, >= 3.9)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname "$script_dir")
cache_root=${PULUMI_INTUNE_CACHE:-$HOME/.cache/pulumi-intune-enrollment}
python=${PYTHON:-python3}
# The pulumi Python SDK of the same release as the CLI and the oldest Node SDK the package supports.
pulumi_version=$(sed -n 's/^PULUMI_VERSION=v//p' "$script_dir/ensure-pulumi.sh")

log() { printf 'ensure-python-sdk: %s\n' "$*" >&2; }

if ! command -v "$python" >/dev/null 2>&1; then
    log "$python not found; installing Debian's python3 and python3-venv"
    { apt-get update -qq && apt-get install -y -qq python3 python3-venv; } >&2
fi
if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    log "$python has no venv/ensurepip; installing Debian's python3-venv"
    { apt-get update -qq && apt-get install -y -qq python3-venv; } >&2
fi

sum=$(cd "$repo_root" && { find sdk/python examples/python/requirements.txt -type f \( -name '*.py' -o -name '*.toml' -o -name '*.json' -o -name '*.txt' -o -name '*.typed' \) -print | LC_ALL=C sort |
    while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done; "$python" --version; } | sha256sum)
key="pulumi $pulumi_version sdk ${sum%% *}"
venv=$cache_root/python-sdk-venv
if [[ -f $venv/stamp && "$(<"$venv/stamp")" == "$key" && -x $venv/bin/python ]]; then
    printf '%s\n' "$venv/bin"
    exit 0
fi

log "creating $venv: pulumi==$pulumi_version and the SDK in sdk/python (once; cached afterwards)"
rm -rf "$venv"
mkdir -p "$cache_root"
"$python" -m venv "$venv" >&2
# A copy: pip builds in the source folder, which must stay clean.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cp -r "$repo_root/sdk/python/." "$build/"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pulumi==$pulumi_version" -r "$repo_root/examples/python/requirements.txt" "$build" >&2
printf '%s\n' "$key" >"$venv/stamp"
printf '%s\n' "$venv/bin"
