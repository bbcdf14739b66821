#!/usr/bin/env bash
# npm test: the whole suite on two Node.js / @pulumi/pulumi pairs, and one closing line for both.
#
#   1. The machine's Node with the @pulumi/pulumi that package-lock.json pins (the devDependency: the oldest
#      release the package supports): every test, including test/package.consumer.test.ts, which installs the npm
#      pack tarball into consumer projects and deploys the quickstart with both pairs.
#   2. Node 24 (scripts/ensure-node.sh) with the newest @pulumi/pulumi (scripts/ensure-pulumi-sdk.sh): every test
#      that depends on the Node or SDK version, i.e. all but the ones scripts/test-matrix.json lists in
#      secondPassExcludes. They run in a copy of the project's module tree (under $TMPDIR) whose @pulumi/pulumi is
#      the newest release, so package-lock.json keeps describing one install.
#
# Both passes use the one Pulumi CLI scripts/ensure-pulumi.sh builds. Each pass prints mocha's spec output and its
# own "N passed, N failed, N skipped"; the last line of the run adds them up. The exit status is non-zero if a pass
# failed or did not finish.
#
# Extra arguments go to mocha in both passes (e.g. `npm test -- --grep consumer`); INTUNE_TEST_PASS=1 or 2 runs
# only that pass.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

say() { printf '\n==> %s\n' "$*"; }
fail_setup() {
    printf '%s\n' "$*" >&2
    printf '\n0 passed, 1 failed, 0 skipped\n'
    exit 1
}

matrix() { node -p "require('./scripts/test-matrix.json').$1"; }
node24_version=$(matrix node) || fail_setup "scripts/test-matrix.json is unreadable"
newest_pulumi=$(matrix newestPulumi) || fail_setup "scripts/test-matrix.json is unreadable"
oldest_pulumi=$(node -p "require('./package.json').devDependencies['@pulumi/pulumi']") || fail_setup "package.json is unreadable"

npm run build --silent || fail_setup "npm run build failed"
# Lint and format first: seconds, and a style slip should not wait for the whole suite.
say "lint (eslint) and format (prettier --check)"
npm run lint --silent || fail_setup "npm run lint failed: 'npm run format' fixes the layout; fix what eslint reports"
PULUMI_BIN_DIR=$(bash scripts/ensure-pulumi.sh | tail -n1) || fail_setup "scripts/ensure-pulumi.sh could not provide the Pulumi CLI"
export PULUMI_BIN_DIR
# The YAML language host, for the provider plugin's end-to-end tests (YAML programs, pulumi import).
bash scripts/ensure-pulumi-yaml.sh >/dev/null || fail_setup "scripts/ensure-pulumi-yaml.sh could not provide the Pulumi YAML language host"
node24_bin=$(bash scripts/ensure-node.sh "$node24_version" | tail -n1) || fail_setup "scripts/ensure-node.sh could not provide Node.js $node24_version"
newest_sdk=$(bash scripts/ensure-pulumi-sdk.sh "$newest_pulumi" | tail -n1) || fail_setup "scripts/ensure-pulumi-sdk.sh could not install @pulumi/pulumi $newest_pulumi"

# A newer SDK than the matrix names is worth knowing about, not worth failing for (nor waiting long on).
latest=$(timeout 20 npm view @pulumi/pulumi version 2>/dev/null || true)
if [[ -n $latest && $latest != "$newest_pulumi" ]]; then
    printf 'note: the npm registry now serves @pulumi/pulumi %s; scripts/test-matrix.json tests %s as the newest\n' "$latest" "$newest_pulumi"
fi

total_passed=0 total_failed=0 total_skipped=0 broken=0
results=()
# The log of the pass running now: an interrupted run (Ctrl-C, a CI timeout) must not leave it behind.
pass_log=
trap 'rm -f "${pass_log:-}"; exit 130' INT
trap 'rm -f "${pass_log:-}"; exit 143' TERM

# Runs mocha (the node on PATH) in folder $2 with config $3, labelled $1; the rest are mocha arguments. Adds up its counts.
run_pass() {
    local label=$1 dir=$2 config=$3
    shift 3
    local log
    log=$(mktemp "${TMPDIR:-/tmp}/intune-test-pass-XXXXXX")
    pass_log=$log
    (cd "$dir" && node "$repo/node_modules/mocha/bin/mocha.js" --config "$config" "$@") | tee "$log"
    local status=${PIPESTATUS[0]}
    local counts
    counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
    rm -f "$log"
    pass_log=
    if [[ -z $counts ]]; then
        # Mocha died before its reporter could count (a crash, a load error): count the pass as one failure.
        results+=("$label: did not finish (mocha exited with $status)")
        total_failed=$((total_failed + 1))
        broken=1
        return
    fi
    local p f s
    read -r p f s < <(sed -E 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/' <<<"$counts")
    total_passed=$((total_passed + p)) total_failed=$((total_failed + f)) total_skipped=$((total_skipped + s))
    results+=("$label: $counts")
    if [[ $status -ne 0 && $f -eq 0 ]]; then broken=1; fi
}

only_pass=${INTUNE_TEST_PASS:-}
# The runner's own variable: the provider under test would warn of an INTUNE_ variable it does not read.
unset INTUNE_TEST_PASS

if [[ -z $only_pass || $only_pass == 1 ]]; then
    say "pass 1: Node $(node --version | tr -d v) with @pulumi/pulumi $oldest_pulumi (package-lock.json)"
    run_pass "Node $(node --version | tr -d v), @pulumi/pulumi $oldest_pulumi" "$repo" "$repo/.mocharc.json" "$@"
fi

# The second pass's project: the repo's files, its compiled dist/ (copied, because tests locate the project from
# their own real path), and a node_modules of links to the repo's packages except @pulumi/pulumi, which is the
# newest release installed on its own (its dependencies resolve beside it, by real path), and this package itself.
# Prints why, and fails, if the result would not run the pair it is meant to.
make_second_pass_project() {
    local variant=$1 entry
    for entry in "$repo"/*; do
        case ${entry##*/} in node_modules | dist | bench-results | qr-codes | *.tgz) continue ;; esac
        ln -s "$entry" "$variant/${entry##*/}" || return 1
    done
    cp -R "$repo/dist" "$variant/dist" || return 1
    mkdir -p "$variant/node_modules/@pulumi" || return 1
    for entry in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
        case ${entry##*/} in @pulumi | pulumi-intune-enrollment) continue ;; esac
        ln -s "$entry" "$variant/node_modules/${entry##*/}" || return 1
    done
    for entry in "$repo"/node_modules/@pulumi/*; do
        [[ ${entry##*/} == pulumi ]] || ln -s "$entry" "$variant/node_modules/@pulumi/${entry##*/}" || return 1
    done
    ln -s "$newest_sdk/node_modules/@pulumi/pulumi" "$variant/node_modules/@pulumi/pulumi" || return 1
    ln -s .. "$variant/node_modules/pulumi-intune-enrollment" || return 1
    # The repo's mocha config without the excluded files.
    node -e '
        const fs = require("fs");
        const [repo, variant] = process.argv.slice(1);
        const config = JSON.parse(fs.readFileSync(`${repo}/.mocharc.json`, "utf8"));
        const excludes = require(`${repo}/scripts/test-matrix.json`).secondPassExcludes;
        config.ignore = [...(config.ignore ?? []), ...excludes.map((f) => `dist/test/${f}.js`)];
        fs.writeFileSync(`${variant}/.mocharc.json`, JSON.stringify(config, null, 2));
    ' "$repo" "$variant" || return 1
    local got_sdk got_node
    got_sdk=$(cd "$variant" && node -p 'require("@pulumi/pulumi/package.json").version')
    got_node=$(PATH="$node24_bin:$PATH" node --version)
    if [[ $got_sdk != "$newest_pulumi" || $got_node != "v$node24_version" ]]; then
        printf 'the second pass would run node %s with @pulumi/pulumi %s, not v%s with %s\n' \
            "$got_node" "$got_sdk" "$node24_version" "$newest_pulumi" >&2
        return 1
    fi
}

if [[ -z $only_pass || $only_pass == 2 ]]; then
    say "pass 2: Node $node24_version with @pulumi/pulumi $newest_pulumi"
    variant=$(mktemp -d "${TMPDIR:-/tmp}/intune-node24-XXXXXX")
    trap 'rm -rf "$variant"' EXIT
    if make_second_pass_project "$variant"; then
        PATH="$node24_bin:$PATH" run_pass "Node $node24_version, @pulumi/pulumi $newest_pulumi" "$variant" "$variant/.mocharc.json" "$@"
    else
        results+=("Node $node24_version, @pulumi/pulumi $newest_pulumi: could not be set up (see above)")
        total_failed=$((total_failed + 1))
        broken=1
    fi
fi

printf '\n'
for line in "${results[@]}"; do printf '  %s\n' "$line"; done
printf '\n%d passed, %d failed, %d skipped\n' "$total_passed" "$total_failed" "$total_skipped"
if [[ $total_failed -ne 0 || $broken -ne 0 ]]; then exit 1; fi
