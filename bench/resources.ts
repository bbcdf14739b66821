import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { providerText } from "pulumi-intune-enrollment/dist/provider/dynamic/providerText";
import { track } from "./children";
import { KindName, REPO_ROOT } from "./common";

/** What one resource costs outside Graph: the provider text stored with it, and the host process that runs it. */

export interface ProviderText {
    kind: KindName;
    text: string;
    bytes: number;
}

/** The `__provider` text each profile resource registers (stored with its inputs and again with its outputs). */
export function providerTexts(): Record<KindName, ProviderText> {
    const names: Record<KindName, string> = { deviceOwner: "androidDeviceOwnerEnrollmentProfile", forWork: "androidForWorkEnrollmentProfile" };
    const result = {} as Record<KindName, ProviderText>;
    for (const kind of ["deviceOwner", "forWork"] as KindName[]) {
        const text = providerText(names[kind]);
        result[kind] = { kind, text, bytes: Buffer.byteLength(text) };
    }
    return result;
}

const HOST_PROGRAM = join(dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "dynamic-provider");

/** Time from spawning the engine's dynamic-provider host until it prints its gRPC port. */
export function hostColdStart(timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = track(
            spawn(process.execPath, [HOST_PROGRAM, "127.0.0.1:1"], {
                cwd: REPO_ROOT,
                env: { ...process.env, PULUMI_NODEJS_PROJECT: "intune-bench" },
                stdio: ["ignore", "pipe", "pipe"],
            }),
        );
        let out = "";
        let stderr = "";
        const timer = setTimeout(() => finish(new Error(`the host printed no port within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
        const finish = (err?: Error, ms?: number): void => {
            clearTimeout(timer);
            child.stdout!.removeAllListeners("data");
            child.removeAllListeners("exit");
            child.kill("SIGKILL");
            if (err) reject(err);
            else resolve(ms!);
        };
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        child.stdout!.on("data", (c: Buffer) => {
            out += c.toString("utf8");
            if (/^\d+\s*\n/.test(out)) finish(undefined, performance.now() - started);
        });
        child.once("exit", (code) => finish(new Error(`the host exited (${code}) before printing its port: ${stderr}`)));
    });
}

/**
 * What the host pays on its first call: loading this package's provider module, in a fresh Node that has already
 * loaded @pulumi/pulumi (the host has). With `emulatorFirst`, the Graph emulator that the module imports is loaded
 * (and timed) first, which shows its share.
 */
export function providerModuleLoad(emulatorFirst = false): Promise<{ totalMs: number; emulatorMs: number }> {
    const script = [
        "require('@pulumi/pulumi'); require('@pulumi/pulumi/dynamic');",
        "const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;",
        "let t = process.hrtime.bigint(); let e = 0;",
        emulatorFirst ? "require('pulumi-intune-enrollment/dist/emulator'); e = ms(t);" : "",
        "require('pulumi-intune-enrollment/host');",
        "process.stdout.write(JSON.stringify({ totalMs: ms(t), emulatorMs: e }));",
    ].join("\n");
    return new Promise((resolve, reject) => {
        const child = track(spawn(process.execPath, ["-e", script], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] }));
        let out = "";
        let err = "";
        child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
        child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
        child.once("exit", (code) =>
            code === 0 ? resolve(JSON.parse(out) as { totalMs: number; emulatorMs: number }) : reject(new Error(`module load failed (${code}): ${err}`)),
        );
    });
}
