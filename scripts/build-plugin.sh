#!/usr/bin/env bash
# build-plugin.sh: the provider plugin as an installable artifact, for every Pulumi language and `pulumi import`.
#
#   bash scripts/build-plugin.sh [out-dir]     (default out-dir: artifacts/)
#
# The last line on stdout is the path of the tarball
#   pulumi-resource-intune-v<version>-<os>-<arch>.tar.gz
# (the engine's naming for plugin downloads), which users install with
#   pulumi plugin install resource intune <version> --file <that tarball>
# Inside, at its root: the compiled provider (dist/), its production node_modules, a package.json, the schema
# and `pulumi-resource-intune`, a small shell script that runs the plugin with node. The engine starts that
# executable directly, so no language host is involved (the YAML host that builds here cannot start a plugin from
# source). Needs node >= 20 on the machine that runs it, like the TypeScript package.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(dirname "$script_dir")
out_dir=$(mkdir -p "${1:-$repo_root/artifacts}" && cd "${1:-$repo_root/artifacts}" && pwd)

cd "$repo_root"
npm run build --silent >&2
version=$(node -p 'require("./package.json").version')
os=$(node -p 'process.platform')
arch=$(node -p '({ x64: "amd64", arm64: "arm64" })[process.arch] ?? process.arch')

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/dist"
cp -r dist/provider dist/emulator "$stage/dist/"
find "$stage/dist" \( -name '*.map' -o -name '*.d.ts' \) -delete
# The package as the plugin needs it: its own dependencies, with @pulumi/pulumi (a peer of the TypeScript package,
# whose gRPC definitions the plugin serves) pinned to the version it is built and tested with.
node -e '
const p = require("./package.json");
const out = {
  name: p.name, version: p.version, description: "The intune Pulumi provider plugin", license: p.license, private: true,
  main: "dist/provider/plugin/main.js", exports: p.exports, engines: p.engines,
  dependencies: { ...p.dependencies, "@pulumi/pulumi": p.devDependencies["@pulumi/pulumi"] },
};
require("fs").writeFileSync(process.argv[1] + "/package.json", JSON.stringify(out, null, 2) + "\n");
' "$stage"
cp package-lock.json "$stage/"
(cd "$stage" && npm install --omit=dev --omit=peer --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
rm -f "$stage/package-lock.json"
cat >"$stage/pulumi-resource-intune" <<'SHIM'
#!/bin/sh
# The intune provider plugin: the engine runs this with its address; node serves the plugin (dist/provider/plugin).
exec node "$(dirname "$0")/dist/provider/plugin/main.js" "$@"
SHIM
chmod +x "$stage/pulumi-resource-intune"

tarball="$out_dir/pulumi-resource-intune-v$version-$os-$arch.tar.gz"
tar -czf "$tarball" -C "$stage" .
echo "$tarball"
