#!/usr/bin/env bash
# generate-sdk.sh (`npm run sdk`): the committed SDKs and the schema they were generated from, after a change to
# the property tables. Writes sdk/schema.json (the schema the plugin serves) and sdk/python (by the CLI's
# `pulumi package gen-sdk`). Python code generation needs the Python language host, `pulumi-language-python` and
# `pulumi-language-python-exec` on PATH (the official CLI bundles them; the Go module proxy this project's CI uses
# does not serve that module, so CI tests the committed SDK instead of generating it). Other languages:
#   pulumi package gen-sdk sdk/schema.json --language go|dotnet|java|nodejs -o sdk
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run build --silent
mkdir -p sdk
cp dist/provider/plugin/schema.json sdk/schema.json
PATH="$(bash scripts/ensure-pulumi.sh | tail -n1):$PATH"
if ! command -v pulumi-language-python >/dev/null 2>&1; then
    echo "generate-sdk: sdk/schema.json written; pulumi-language-python is not on PATH, so sdk/python was not regenerated" >&2
    exit 1
fi
rm -rf sdk/python
pulumi package gen-sdk sdk/schema.json --language python -o sdk
