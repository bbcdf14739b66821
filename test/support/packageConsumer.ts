import { execFile } from "node:child_process";
import { cpSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The package as users get it: `npm pack` of the repo, then a consumer project (test/fixtures/consumer copied to a
 * temporary folder) that installs the tarball and @pulumi/pulumi from the registry, with none of the repo's own
 * node_modules reachable.
 */

export const REPO_ROOT = resolve(__dirname, "..", "..", "..");
export const CONSUMER_FIXTURE = join(REPO_ROOT, "test", "fixtures", "consumer");

export interface RunResult {
    stdout: string;
    stderr: string;
}

/** Runs a command; a non-zero exit rejects with its output, so a failing install or script says why. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
    return new Promise((resolvePromise, reject) => {
        execFile(
            command,
            args,
            { cwd: options.cwd, env: options.env ?? npmEnvironment(), timeout: options.timeoutMs ?? 0, maxBuffer: 64 * 1024 * 1024 },
            (err, stdout, stderr) => {
                if (err) {
                    reject(new Error(`${command} ${args.join(" ")} (in ${options.cwd}) failed: ${err.message}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
                } else {
                    resolvePromise({ stdout, stderr });
                }
            },
        );
    });
}

/**
 * This process's environment without what an outer `npm test` put there about the repo (its package, its lifecycle,
 * its prefix) and without NODE_PATH, so npm in the consumer folder treats that folder as its project and nothing
 * outside it resolves.
 */
export function npmEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return Object.fromEntries(
        Object.entries(base).filter(([k]) => !/^npm_package_|^npm_lifecycle_|^npm_config_local_prefix$|^INIT_CWD$|^NODE_PATH$/.test(k)),
    );
}

export interface PackedFile {
    path: string;
    size: number;
}

export interface Packed {
    tarball: string;
    files: PackedFile[];
    size: number;
    unpackedSize: number;
}

interface NpmPackJson {
    filename: string;
    files: PackedFile[];
    size: number;
    unpackedSize: number;
}

/** `npm pack --json`: with `destination`, writes the tarball there; without, a dry run that lists the contents. */
export async function npmPack(repoDir: string, destination?: string): Promise<Packed> {
    const args = destination ? ["pack", "--json", "--pack-destination", destination] : ["pack", "--json", "--dry-run"];
    const { stdout } = await run("npm", args, { cwd: repoDir, timeoutMs: 120_000 });
    const [packed] = JSON.parse(stdout) as NpmPackJson[];
    return {
        tarball: destination ? join(destination, packed.filename) : packed.filename,
        files: packed.files,
        size: packed.size,
        unpackedSize: packed.unpackedSize,
    };
}

/** Copies the consumer fixture into `dir` and installs the tarball and @pulumi/pulumi there: one install per call. */
export async function installConsumer(dir: string, tarball: string, pulumiVersion: string): Promise<RunResult> {
    cpSync(CONSUMER_FIXTURE, dir, { recursive: true });
    return run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball, `@pulumi/pulumi@${pulumiVersion}`], {
        cwd: dir,
        timeoutMs: 280_000,
    });
}
