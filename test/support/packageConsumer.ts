import { execFile } from "node:child_process";
import { copyFileSync, cpSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { ensurePulumi, pulumiEnvironment } from "../../scripts/localPulumi";

/**
 * The package as users get it: `npm pack` of the repo, then a consumer project (test/fixtures/consumer copied to a
 * temporary folder) that installs the tarball and @pulumi/pulumi from the registry, with none of the repo's own
 * node_modules reachable, on a given Node.js.
 */

export const REPO_ROOT = resolve(__dirname, "..", "..", "..");
export const CONSUMER_FIXTURE = join(REPO_ROOT, "test", "fixtures", "consumer");

/** The Node.js / @pulumi/pulumi pairs the suite covers (scripts/test-matrix.json, and package.json for the oldest SDK). */
export interface TestMatrix {
    /** The Node.js release of the second pass (Node 24). */
    node: string;
    newestPulumi: string;
    /** The devDependency the project builds against: the lower bound of the peer dependency range. */
    oldestPulumi: string;
    peerRange: string;
}

export function testMatrix(): TestMatrix {
    const matrix = JSON.parse(readFileSync(join(REPO_ROOT, "scripts", "test-matrix.json"), "utf8")) as { node: string; newestPulumi: string };
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
        peerDependencies: Record<string, string>;
    };
    return {
        node: matrix.node,
        newestPulumi: matrix.newestPulumi,
        oldestPulumi: pkg.devDependencies["@pulumi/pulumi"],
        peerRange: pkg.peerDependencies["@pulumi/pulumi"],
    };
}

/** A consumer's runtime: the folder holding its `node` and `npm`, and the @pulumi/pulumi it installs. */
export interface ConsumerRuntime {
    nodeBinDir: string;
    nodeVersion: string;
    pulumiVersion: string;
}

/** The machine's Node (the one running this test), as the consumer's. */
export function machineNode(): { nodeBinDir: string; nodeVersion: string } {
    return { nodeBinDir: dirname(process.execPath), nodeVersion: process.version.replace(/^v/, "") };
}

/** Node.js `version` from scripts/ensure-node.sh (installed once into a cache outside the repo). */
export async function ensureNode(version: string): Promise<{ nodeBinDir: string; nodeVersion: string }> {
    const { stdout } = await run("bash", [join(REPO_ROOT, "scripts", "ensure-node.sh"), version], { cwd: REPO_ROOT, timeoutMs: 280_000 });
    const nodeBinDir = stdout.trim().split("\n").pop()!;
    return { nodeBinDir, nodeVersion: version };
}

/** `npmEnvironment` with the runtime's node and npm first on PATH, so npm, the engine's plugins and every script use them. */
export function consumerEnvironment(runtime: ConsumerRuntime, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const env = npmEnvironment(base);
    return { ...env, PATH: [runtime.nodeBinDir, env.PATH ?? ""].join(delimiter) };
}

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
    return Object.fromEntries(Object.entries(base).filter(([k]) => !/^npm_package_|^npm_lifecycle_|^npm_config_local_prefix$|^INIT_CWD$|^NODE_PATH$/.test(k)));
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

/**
 * Copies the consumer fixture into `dir`, with the quickstart program as its Pulumi program, and installs the tarball
 * and @pulumi/pulumi there with the runtime's npm, as the README says: one install per call.
 */
export async function installConsumer(dir: string, tarball: string, runtime: ConsumerRuntime): Promise<RunResult> {
    cpSync(CONSUMER_FIXTURE, dir, { recursive: true });
    copyFileSync(join(REPO_ROOT, "quickstart", "index.ts"), join(dir, "index.ts"));
    return run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball, `@pulumi/pulumi@${runtime.pulumiVersion}`], {
        cwd: dir,
        env: consumerEnvironment(runtime),
        timeoutMs: 280_000,
    });
}

/** Every copy of @pulumi/pulumi npm installed in the consumer (`npm ls --all`), and the version each dependent got. */
export interface SdkCopies {
    /** Folders holding a copy: one means npm deduplicated the package's peer dependency with the program's own. */
    folders: string[];
    /** Dependent (the project, or a package's name) -> the @pulumi/pulumi version it resolved. */
    resolvedBy: Record<string, string>;
}

interface NpmLsNode {
    version?: string;
    dependencies?: Record<string, NpmLsNode>;
}

export async function sdkCopies(dir: string, runtime: ConsumerRuntime): Promise<SdkCopies> {
    const env = consumerEnvironment(runtime);
    // A non-zero exit (an invalid or missing peer) rejects with npm's explanation.
    const parseable = await run("npm", ["ls", "--all", "--parseable", "@pulumi/pulumi"], { cwd: dir, env, timeoutMs: 120_000 });
    const tree = await run("npm", ["ls", "--all", "--json", "@pulumi/pulumi"], { cwd: dir, env, timeoutMs: 120_000 });
    const resolvedBy: Record<string, string> = {};
    const walk = (name: string, node: NpmLsNode): void => {
        for (const [dep, child] of Object.entries(node.dependencies ?? {})) {
            if (dep === "@pulumi/pulumi" && child.version) resolvedBy[name] = child.version;
            walk(dep, child);
        }
    };
    walk("(the project)", JSON.parse(tree.stdout) as NpmLsNode);
    return {
        folders: [
            ...new Set(
                parseable.stdout
                    .split("\n")
                    .map((l) => l.trim())
                    .filter(Boolean),
            ),
        ],
        resolvedBy,
    };
}

/** Where a consumer's stack points the provider: an emulator the test started, named with explicit settings. */
export interface GraphTarget {
    tenantId: string;
    clientId: string;
    clientSecret: string;
    graphUrl: string;
    authorityHost: string;
    caPath: string;
}

/** What `pulumi up`, `pulumi preview --expect-no-changes` and `pulumi destroy` of the consumer's quickstart did. */
export interface QuickstartRun {
    /** `pulumi about`: the Node.js the language host runs programs with, and the SDK the program depends on. */
    about: { nodeVersion: string; pulumiVersion: string | undefined; packageVersion: string | undefined };
    /** `pulumi stack output profileIds` after the update. */
    profileIds: Record<string, string>;
    /** Profiles the target held after the update, after the second preview, and after the destroy. */
    profilesAfterUp: number;
    profilesAfterPreview: number;
    profilesAfterDestroy: number;
    /** The second preview's summary line ("N unchanged"). */
    previewSummary: string;
}

/**
 * The quickstart deployed from the consumer project as a user runs it: the Pulumi CLI from scripts/ensure-pulumi.sh
 * on PATH after the runtime's node, a file:// backend under `stateDir`, `intune:*` stack config naming the target.
 * `countProfiles` asks the target how many profiles it holds. Any failing command rejects with its output.
 */
export async function deployQuickstart(
    consumer: string,
    runtime: ConsumerRuntime,
    target: GraphTarget,
    stateDir: string,
    countProfiles: () => number,
): Promise<QuickstartRun> {
    const binDir = await ensurePulumi(() => undefined);
    const env = consumerEnvironment(runtime, pulumiEnvironment(binDir, stateDir));
    const pulumi = (...args: string[]) => run("pulumi", [...args, "--non-interactive"], { cwd: consumer, env, timeoutMs: 240_000 });
    const stack = "consumer";
    await pulumi("stack", "init", stack);
    try {
        const settings: [string, string, boolean][] = [
            ["intune:tenantId", target.tenantId, false],
            ["intune:clientId", target.clientId, false],
            ["intune:clientSecret", target.clientSecret, true],
            ["intune:graphEndpoint", target.graphUrl, false],
            ["intune:authorityHost", target.authorityHost, false],
            ["intune:caCertificatePath", target.caPath, false],
            ["wifiPassword", "consumer-wifi-passphrase", true],
        ];
        for (const [key, value, secret] of settings) await pulumi("config", "set", "--stack", stack, key, value, ...(secret ? ["--secret"] : []));

        await pulumi("up", "--yes", "--stack", stack);
        const profilesAfterUp = countProfiles();
        const profileIds = JSON.parse((await pulumi("stack", "output", "profileIds", "--json", "--stack", stack)).stdout) as Record<string, string>;
        const about = JSON.parse((await pulumi("about", "--json", "--stack", stack)).stdout) as {
            runtime?: { version?: string };
            dependencies?: { name: string; version: string }[];
        };
        const dependency = (name: string) => about.dependencies?.find((d) => d.name === name)?.version;

        const preview = await pulumi("preview", "--expect-no-changes", "--stack", stack);
        const profilesAfterPreview = countProfiles();
        await pulumi("destroy", "--yes", "--stack", stack);
        return {
            about: {
                nodeVersion: about.runtime?.version ?? "",
                pulumiVersion: dependency("@pulumi/pulumi"),
                packageVersion: dependency("pulumi-intune-enrollment"),
            },
            profileIds,
            profilesAfterUp,
            profilesAfterPreview,
            profilesAfterDestroy: countProfiles(),
            previewSummary:
                preview.stdout
                    .split("\n")
                    .map((l) => l.trim())
                    .find((l) => /^\d+ unchanged$/.test(l)) ?? preview.stdout,
        };
    } finally {
        await pulumi("stack", "rm", stack, "--yes", "--force").catch(() => undefined);
    }
}
