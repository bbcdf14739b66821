import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { ensurePulumi, pulumiEnvironment, run } from "pulumi-intune-enrollment/dist/scripts/localPulumi";
import { engineParallel, profileSpecs, REPO_ROOT, WINDOW_MS } from "./common";
import { engineRollout } from "./engine";
import { BENCH_THROTTLE, EmulatorProcess, LoggedRequest } from "./emulatorProcess";

/**
 * `pulumi up` of the same profiles through the two front doors, one after the other against one emulator: the
 * dynamic resources (a TypeScript program, the engine's dynamic-provider host) and the provider plugin (a YAML
 * program, the plugin installed from the artifact scripts/build-plugin.sh makes). The lifecycle behind both is
 * the same; what differs is the language host, the plugin's start-up and the wire.
 */

const ROOT = join(REPO_ROOT, ".pulumi-local", "bench-plugin");
const TYPES = { deviceOwner: "intune:AndroidDeviceOwnerEnrollmentProfile", forWork: "intune:AndroidForWorkEnrollmentProfile" } as const;

export interface FrontDoorRun {
    wallMs: number;
    created: number;
    graphCalls: number;
    /** Graph calls of a `pulumi preview` of the same program right after (0 expected). */
    previewGraphCalls: number;
}

export interface PluginBenchResult {
    size: number;
    dynamic: FrontDoorRun;
    plugin: FrontDoorRun;
}

/** Profiles a run created: its successful POSTs to a profile collection. */
const createdIn = (log: LoggedRequest[]): number => log.filter((r) => r.method === "POST" && /EnrollmentProfiles$/.test(r.path) && r.status < 300).length;

const lastLine = (text: string): string => text.trim().split("\n").pop() ?? "";

async function pluginUp(emulator: EmulatorProcess, n: number, parallel: number, onProgress: (line: string) => void): Promise<FrontDoorRun> {
    rmSync(ROOT, { recursive: true, force: true });
    const cliDir = await ensurePulumi(() => undefined);
    const yamlDir = lastLine((await run("bash", [join(REPO_ROOT, "scripts", "ensure-pulumi-yaml.sh")], { cwd: REPO_ROOT })).stdout);
    onProgress("  building the plugin artifact");
    const tarball = lastLine((await run("bash", [join(REPO_ROOT, "scripts", "build-plugin.sh"), join(ROOT, "artifact")], { cwd: REPO_ROOT })).stdout);
    const env = pulumiEnvironment(cliDir, join(ROOT, "world"), { PATH: `${yamlDir}:${cliDir}:${process.env.PATH ?? ""}` });
    const dir = join(ROOT, "project");
    mkdirSync(dir, { recursive: true });
    const pulumi = (args: string[]): Promise<unknown> => run("pulumi", args, { cwd: dir, env });
    const version = (require(join(REPO_ROOT, "package.json")) as { version: string }).version;
    await pulumi(["plugin", "install", "resource", "intune", version, "--file", tarball]);

    // The YAML program: JSON is YAML, and spares a dependency.
    const resources: Record<string, unknown> = {};
    for (const spec of profileSpecs(n, "bench-plugin"))
        resources[`p${String(spec.index).padStart(4, "0")}`] = { type: TYPES[spec.kind], properties: spec.args };
    writeFileSync(join(dir, "Pulumi.yaml"), JSON.stringify({ name: "intune-bench-plugin", runtime: "yaml", resources }, null, 1));
    await pulumi(["stack", "init", "bench"]);
    const info = emulator.info;
    const config: [string, string][] = [
        ["intune:tenantId", info.tenantId],
        ["intune:clientId", info.clientId],
        ["intune:graphEndpoint", info.graphUrl],
        ["intune:authorityHost", info.authorityHost],
        ["intune:caCertificatePath", info.caPath],
        ["intune:throttleWindowSeconds", String(WINDOW_MS / 1000)],
    ];
    for (const [key, value] of config) await pulumi(["config", "set", key, value]);
    await pulumi(["config", "set", "--secret", "intune:clientSecret", info.clientSecret]);

    onProgress(`  pulumi up of ${n} profiles through the plugin (YAML)`);
    await emulator.clearRequests();
    const started = performance.now();
    await pulumi(["up", "--yes", "--skip-preview", "--parallel", String(parallel)]);
    const wallMs = performance.now() - started;
    const log = await emulator.requests();
    const created = createdIn(log);
    await emulator.clearRequests();
    await pulumi(["preview", "--json"]);
    const previewGraphCalls = (await emulator.requests()).length;
    rmSync(ROOT, { recursive: true, force: true });
    return { wallMs, created, graphCalls: log.length, previewGraphCalls };
}

export async function benchFrontDoors(n: number, onProgress: (line: string) => void): Promise<PluginBenchResult> {
    const emulator = await EmulatorProcess.start(BENCH_THROTTLE);
    try {
        onProgress(`  pulumi up of ${n} profiles as dynamic resources (TypeScript)`);
        const parallel = engineParallel(); // the same for both front doors
        const d = await engineRollout(emulator, n, { preview: true, parallel }, onProgress);
        const dynamic = { wallMs: d.up.wallMs, created: createdIn(d.up.log), graphCalls: d.up.log.length, previewGraphCalls: d.preview?.log.length ?? NaN };
        return { size: n, dynamic, plugin: await pluginUp(emulator, n, parallel, onProgress) };
    } finally {
        await emulator.stop();
    }
}
