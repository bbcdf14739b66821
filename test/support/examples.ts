import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MockRunRequest, MockRunResult } from "./examplesMockProgram";

/**
 * The example projects under examples/, checked the way a user's editor or `tsc` would check them once installed,
 * without an `npm install` per example: each is type-checked with the repository's own TypeScript, through a
 * generated tsconfig that extends the example's tsconfig.json and maps `pulumi-intune-enrollment` to the
 * declarations this repository just built (dist/provider/index.d.ts), and `@pulumi/pulumi` and `@pulumi/azuread` (the
 * fleet example's Entra ID groups; a devDependency here) to the repository's copies, whether or not the example has
 * its own node_modules.
 */

export const REPO_ROOT = resolve(__dirname, "..", "..", "..");
export const EXAMPLES_DIR = join(REPO_ROOT, "examples");
export const TSC = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

export interface Example {
    name: string;
    dir: string;
    /** The project's runtime (Pulumi.yaml): nodejs for the TypeScript examples, yaml or python through the plugin. */
    runtime: string;
}

/** Every folder of examples/ that is a Pulumi project; `runtime`: only those of that runtime. */
export function listExamples(runtime?: string): Example[] {
    return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(EXAMPLES_DIR, d.name, "Pulumi.yaml")))
        .map((d) => {
            const project = readFileSync(join(EXAMPLES_DIR, d.name, "Pulumi.yaml"), "utf8");
            const declared = /^runtime:[ \t]*(?:\n[ \t]+name:[ \t]*)?(\w+)/m.exec(project)?.[1] ?? "?";
            return { name: d.name, dir: join(EXAMPLES_DIR, d.name), runtime: declared };
        })
        .filter((e) => runtime === undefined || e.runtime === runtime)
        .sort((a, b) => a.name.localeCompare(b.name));
}

export interface ExampleTsconfig {
    compilerOptions?: Record<string, unknown>;
    files?: string[];
    include?: string[];
}

export function readTsconfig(dir: string): ExampleTsconfig {
    return JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as ExampleTsconfig;
}

/** The files an example's own tsconfig compiles, plus its top-level `// @ts-check` JavaScript (helper scripts). */
export function sourcesOf(dir: string): string[] {
    const own = (readTsconfig(dir).files ?? ["index.ts"]).map((f) => join(dir, f));
    const checkedJs = readdirSync(dir)
        .filter((f) => f.endsWith(".js") && /^\/\/ @ts-check/.test(readFileSync(join(dir, f), "utf8")))
        .map((f) => join(dir, f));
    return [...own, ...checkedJs];
}

/** The tsconfig the check uses: the example's own settings, with the package resolved from this repository. */
export function checkTsconfig(dir: string, files: string[] = sourcesOf(dir)): object {
    const pulumiDir = join(REPO_ROOT, "node_modules", "@pulumi", "pulumi");
    const azureadDir = join(REPO_ROOT, "node_modules", "@pulumi", "azuread");
    return {
        extends: join(dir, "tsconfig.json"),
        compilerOptions: {
            noEmit: true,
            // TypeScript 6 takes the tsconfig's own folder as rootDir; this one lives in a temporary folder.
            rootDir: dir,
            allowJs: true,
            checkJs: true,
            typeRoots: [join(REPO_ROOT, "node_modules", "@types")],
            types: ["node"],
            paths: {
                "pulumi-intune-enrollment": [join(REPO_ROOT, "dist", "provider", "index.d.ts")],
                "pulumi-intune-enrollment/*": [join(REPO_ROOT, "*")],
                "@pulumi/pulumi": [join(pulumiDir, "index.d.ts")],
                "@pulumi/pulumi/*": [join(pulumiDir, "*")],
                "@pulumi/azuread": [join(azureadDir, "index.d.ts")],
                "@pulumi/azuread/*": [join(azureadDir, "*")],
            },
        },
        files,
    };
}

export interface TypeCheckResult {
    code: number;
    output: string;
}

/** Runs the repository's tsc with a generated tsconfig; resolves with its exit code and output (never rejects). */
export function typeCheck(dir: string, files?: string[]): Promise<TypeCheckResult> {
    const work = mkdtempSync(join(tmpdir(), "intune-example-tsc-"));
    const project = join(work, "tsconfig.json");
    writeFileSync(project, JSON.stringify(checkTsconfig(dir, files), null, 2));
    return new Promise((resolvePromise) => {
        execFile(
            process.execPath,
            [TSC, "-p", project, "--pretty", "false"],
            { cwd: dir, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 },
            (err, stdout, stderr) => {
                rmSync(work, { recursive: true, force: true });
                const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
                resolvePromise({ code, output: `${stdout}${stderr}`.trim() });
            },
        );
    });
}

/** `config.get("x")`, `config.requireSecret("x")`, `config.getObject<...>("x")`, ...: the keys a program reads. */
export function configKeysRead(source: string): string[] {
    const keys = new Set<string>();
    for (const m of source.matchAll(
        /config\.(?:get|require)(?:Secret|Number|Boolean|Object|SecretNumber|SecretBoolean|SecretObject)?(?:<[^>]*>)?\(\s*"([^"]+)"/g,
    )) {
        keys.add(m[1]);
    }
    return [...keys].sort();
}

/** Runs an example under Pulumi's mocks in a child process (see examplesMockProgram.ts) and returns what it did. */
export function runWithMocks(request: Omit<MockRunRequest, "result">): Promise<MockRunResult> {
    const work = mkdtempSync(join(tmpdir(), "intune-example-mock-"));
    const requestFile = join(work, "request.json");
    const resultFile = join(work, "result.json");
    writeFileSync(requestFile, JSON.stringify({ ...request, result: resultFile }));
    return new Promise((resolvePromise, reject) => {
        execFile(
            process.execPath,
            [join(__dirname, "examplesMockProgram.js"), requestFile],
            { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
            (err, stdout, stderr) => {
                try {
                    if (err) return reject(new Error(`the mocked run of ${request.example} failed: ${err.message}\n${stdout}${stderr}`));
                    resolvePromise(JSON.parse(readFileSync(resultFile, "utf8")));
                } catch (e) {
                    reject(e);
                } finally {
                    rmSync(work, { recursive: true, force: true });
                }
            },
        );
    });
}
