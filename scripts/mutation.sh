#!/usr/bin/env bash
# npm run mutation: Stryker over the lifecycle core's unit tier (stryker.config.mjs). Prints the mutation score;
# the report is in reports/mutation/. Extra arguments go to `stryker run` (e.g. --mutate provider/profiles/diff.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run build --silent
exec node node_modules/@stryker-mutator/core/bin/stryker.js run "$@"
