import { spawn, SpawnOptions } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Running the real Pulumi CLI on this machine, offline: the pinned CLI from scripts/ensure-pulumi.sh, a file://
 * backend, a passphrase secrets provider and an isolated PULUMI_HOME. Shared by the demo and the end-to-end tests.
 */

export const REPO_ROOT = resolve(__dirname, "..", "..");

/** Makes the pinned CLI available (building it once into a cache outside the repo) and returns its folder. */
export async function ensurePulumi(onProgress: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
    if (process.env.PULUMI_BIN_DIR) return process.env.PULUMI_BIN_DIR;
    const { stdout } = await run("bash", [join(REPO_ROOT, "scripts", "ensure-pulumi.sh")], { cwd: REPO_ROOT, onStderr: onProgress });
    const dir = stdout.trim().split("\n").pop();
    if (!dir) throw new Error("scripts/ensure-pulumi.sh printed no folder");
    return dir;
}

/** Environment for an offline CLI whose state lives under `workDir`. */
export function pulumiEnvironment(binDir: string, workDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const home = join(workDir, "home");
    const state = join(workDir, "state");
    mkdirSync(home, { recursive: true });
    mkdirSync(state, { recursive: true });
    return {
        ...process.env,
        PATH: `${binDir}:${process.env.PATH ?? ""}`,
        PULUMI_HOME: home,
        PULUMI_BACKEND_URL: `file://${state}`,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "local-emulator-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        ...extra,
    };
}

/** The variables of pulumiEnvironment that the Automation API must pass to every CLI call (its `envVars`). */
export const AUTOMATION_KEYS = [
    "PULUMI_HOME",
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_SKIP_UPDATE_CHECK",
    "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
] as const;

export function automationEnvVars(env: NodeJS.ProcessEnv): Record<string, string> {
    return Object.fromEntries(AUTOMATION_KEYS.map((key) => [key, env[key]!]));
}

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface RunOptions extends SpawnOptions {
    /** Print output as it comes (the demo), besides capturing it. */
    echo?: boolean;
    onStderr?: (line: string) => void;
    /** Resolve with the exit code instead of rejecting on a non-zero one. */
    allowFailure?: boolean;
    input?: string;
}

/** Spawns a command without blocking the event loop (an emulator in this process must keep answering). */
export function run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolvePromise, reject) => {
        const child = spawn(command, args, { ...opts, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout!.on("data", (d: Buffer) => {
            stdout += d.toString();
            if (opts.echo) process.stdout.write(d);
        });
        child.stderr!.on("data", (d: Buffer) => {
            stderr += d.toString();
            if (opts.echo) process.stderr.write(d);
            if (opts.onStderr) for (const line of d.toString().split("\n")) if (line.trim()) opts.onStderr(line);
        });
        child.on("error", reject);
        child.on("close", (code) => {
            const result = { code: code ?? 1, stdout, stderr };
            if (result.code !== 0 && !opts.allowFailure) {
                const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-15).join("\n");
                reject(Object.assign(new Error(`${command} ${args.join(" ")} exited with ${result.code}:\n${tail}`), result));
            } else resolvePromise(result);
        });
        child.stdin!.end(opts.input ?? "");
    });
}

/** What a stack needs to know of a Graph emulator to sign in and call it. */
export interface EmulatorEndpoints {
    tenantId: string;
    defaultApp: { clientId: string; secret: string };
    graphUrl: string;
    authorityHost: string;
    caPath: string;
}

/** `pulumi config set-all` arguments that point a stack's provider at an emulator (its client secret as a secret). */
export function emulatorConfigArgs(e: EmulatorEndpoints): string[] {
    return [
        "--plaintext",
        `intune:tenantId=${e.tenantId}`,
        "--plaintext",
        `intune:clientId=${e.defaultApp.clientId}`,
        "--secret",
        `intune:clientSecret=${e.defaultApp.secret}`,
        "--plaintext",
        `intune:graphEndpoint=${e.graphUrl}`,
        "--plaintext",
        `intune:authorityHost=${e.authorityHost}`,
        "--plaintext",
        `intune:caCertificatePath=${e.caPath}`,
    ];
}
