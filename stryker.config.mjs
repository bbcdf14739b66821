// `npm run mutation`: how much of the lifecycle core's behaviour the fast unit tier (test/unit) really pins down.
// Stryker changes the code one small way at a time (a condition negated, a comparison flipped, a value swapped)
// and runs the unit tier against each change; a change no test notices is a test that promises more than it
// checks. The score is a figure in the report (reports/mutation/), not a gate: see docs/development.md.
export default {
    // The unit tier as `npm run test:unit` runs it, on the compiled sandbox. (Stryker's mocha runner does not load
    // mocha 12's command-line modules, so the command runner runs mocha itself, the whole tier per mutant.)
    testRunner: "command",
    commandRunner: { command: "npx mocha --no-config --forbid-only --reporter dot --timeout 10000 --exit 'dist/test/unit/**/*.test.js'" },
    // Stryker rewrites the TypeScript sources in its sandbox; the tests run on their compiled output.
    buildCommand: "npx tsc -p tsconfig.json",
    mutate: [
        "provider/profiles/{binding,construct,diff,state,token,validate}.ts",
        "provider/profiles/kinds/*.ts",
        "provider/graph/{budget,client,secrets}.ts",
        "provider/graph/handlers/retry.ts",
        "provider/orphans/compare.ts",
        "provider/runtime/{nearest,settings}.ts",
    ],
    // The words of messages are checked where they matter (tests quote them); changing each letter of every message
    // would double the run and say nothing about behaviour.
    mutator: { excludedMutations: ["StringLiteral"] },
    coverageAnalysis: "off",
    concurrency: 2,
    timeoutMS: 20000,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: "reports/mutation/index.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    tempDirName: ".stryker-tmp",
    ignorePatterns: ["dist", "bench-results", ".pulumi-local", "qr-codes", "reports", ".stryker-tmp", "examples/*/node_modules"],
    thresholds: { high: 80, low: 60, break: null },
};
