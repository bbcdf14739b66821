import * as automation from "@pulumi/pulumi/automation";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as intune from "pulumi-intune-enrollment";
import { automationEnvVars, ensurePulumi, pulumiEnvironment } from "pulumi-intune-enrollment/dist/scripts/localPulumi";
import { KindName, profileSpecs, REPO_ROOT, WINDOW_MS } from "./common";
import { EmulatorProcess, LoggedRequest } from "./emulatorProcess";
import { EngineMemoryWatch, EnginePeaks } from "./procWatch";

/**
 * The rollout through the real engine: the pinned CLI, an offline file:// backend under .pulumi-local/bench, an
 * inline program of N profiles and stack config pointing the provider at the emulator (as test/support/e2e.ts does
 * for the end-to-end tests, in a folder of its own). Then, optionally, a preview of the same program, which must
 * change nothing and call Graph not at all. Each operation reports its wall, the Graph calls made during it, the
 * peak memory of the CLI, the language host and the provider host, and when the engine reported the last profile
 * done; the `up` also what its checkpoint weighs.
 */

export const BENCH_PULUMI_ROOT = join(REPO_ROOT, ".pulumi-local", "bench");

export interface EngineOptions {
    /** Extra environment for the CLI, e.g. { PULUMI_SKIP_CHECKPOINTS: "true" }. */
    cliEnv?: Record<string, string>;
    preview: boolean;
    /** `pulumi up --parallel`: the steps the engine runs at once (see engineParallel). */
    parallel: number;
}

/** What weighs in one profile's entry of the checkpoint (compact JSON bytes). */
export interface CheckpointEntry {
    bytes: number;
    /** The heaviest properties (`inputs.__provider`, `outputs.qrCodeContent`, ...), heaviest first, then the others and what is not a value. */
    parts: { part: string; bytes: number }[];
}

export interface CheckpointWeight {
    /** The checkpoint file as the engine wrote it last. */
    bytes: number;
    profiles: number;
    /** File bytes per profile resource (the stack and provider entries included: the engine writes them too). */
    bytesPerProfile: number;
    entries: Partial<Record<KindName, CheckpointEntry>>;
}

/** One CLI operation: its wall, the Graph calls made during it, and the peak memory of what it ran. */
export interface EngineRun {
    wallMs: number;
    /** Date.now() at the start, the emulator log's clock. */
    startedAt: number;
    log: LoggedRequest[];
    memory: EnginePeaks;
    /** When the engine's event stream reported the last profile done (ms after start), as this process received it. */
    lastStepMs?: number;
    /** When it reported the first profile's step begun: the CLI, the program, the provider host and its check are behind it. */
    firstStepMs?: number;
    /** The `pulumi up` / `pulumi preview` CLI process alone, from its spawn to its exit: what a user at a terminal waits for. */
    cliMs?: number;
    /** When that process was spawned (ms after start): the Automation API's own set-up before it. */
    cliStartMs?: number;
    /** Every CLI call the Automation API made for the operation (after `up`: `stack output` twice, `stack history`). */
    cliCalls: { command: string; startMs: number; ms: number }[];
}

/** The Automation API's internal runner of CLI calls (not in its typings): wrapped to time each call. */
interface CommandRunner {
    run(args: string[], ...rest: unknown[]): Promise<unknown>;
}

export interface EngineResult {
    parallel: number;
    cliEnv: Record<string, string>;
    up: EngineRun & { created: number };
    preview?: EngineRun & { same: number; changes: number };
    checkpoint?: CheckpointWeight;
}

const len = (v: unknown): number => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));

type StateEntry = { type: string } & Record<string, unknown>;

/** The heaviest parts of one entry: each input and output property, then everything else in one. */
export function entryWeight(entry: StateEntry, top = 5): CheckpointEntry {
    const bytes = len(entry);
    const parts: { part: string; bytes: number }[] = [];
    for (const side of ["inputs", "outputs"] as const) {
        const props = entry[side];
        if (props && typeof props === "object") for (const [k, v] of Object.entries(props)) parts.push({ part: `${side}.${k}`, bytes: len(v) });
    }
    parts.sort((a, b) => b.bytes - a.bytes);
    const shown = parts.slice(0, top);
    const others = parts.slice(top);
    const properties = parts.reduce((a, p) => a + p.bytes, 0);
    return {
        bytes,
        parts: [
            ...shown,
            { part: `${others.length} other properties`, bytes: others.reduce((a, p) => a + p.bytes, 0) },
            { part: "property names, and the entry's urn, type, parent, provider, dependencies", bytes: bytes - properties },
        ],
    };
}

function checkpointWeight(file: string): CheckpointWeight | undefined {
    if (!existsSync(file)) return undefined;
    const bytes = statSync(file).size;
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { checkpoint?: { latest?: { resources?: StateEntry[] } } };
    const profiles = parsed.checkpoint?.latest?.resources?.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/intune:")) ?? [];
    const entries: Partial<Record<KindName, CheckpointEntry>> = {};
    const deviceOwner = profiles.find((r) => r.type.endsWith("AndroidDeviceOwnerEnrollmentProfile"));
    const forWork = profiles.find((r) => r.type.endsWith("AndroidForWorkEnrollmentProfile"));
    if (deviceOwner) entries.deviceOwner = entryWeight(deviceOwner);
    if (forWork) entries.forWork = entryWeight(forWork);
    return { bytes, profiles: profiles.length, bytesPerProfile: profiles.length ? bytes / profiles.length : NaN, entries };
}

const PROFILE_TYPE = /^pulumi-nodejs:dynamic\/intune:/;

/**
 * `pulumi up` of `n` profiles into a new stack (n = 0: an empty program, the engine's own start-up and shutdown),
 * then optionally a `pulumi preview` of the same program.
 */
export async function engineRollout(emulator: EmulatorProcess, n: number, options: EngineOptions, onProgress: (line: string) => void): Promise<EngineResult> {
    const binDir = await ensurePulumi(() => undefined);
    rmSync(BENCH_PULUMI_ROOT, { recursive: true, force: true });
    const project = "intune-bench";
    const workDir = join(BENCH_PULUMI_ROOT, project);
    mkdirSync(workDir, { recursive: true });
    const backendDir = join(BENCH_PULUMI_ROOT, "backend");
    const env = pulumiEnvironment(binDir, backendDir);
    process.env.PATH = env.PATH; // the Automation API finds the CLI on PATH
    const envVars: Record<string, string> = {};
    Object.assign(envVars, automationEnvVars(env));
    const cliEnv = { ...options.cliEnv };
    Object.assign(envVars, cliEnv);
    const specs = profileSpecs(n, "bench-engine");
    const program = async (): Promise<Record<string, unknown>> => {
        for (const spec of specs) {
            const name = `p${String(spec.index).padStart(4, "0")}`;
            if (spec.kind === "deviceOwner")
                new intune.AndroidDeviceOwnerEnrollmentProfile(name, spec.args as unknown as intune.AndroidDeviceOwnerEnrollmentProfileArgs);
            else new intune.AndroidForWorkEnrollmentProfile(name, spec.args as unknown as intune.AndroidForWorkEnrollmentProfileArgs);
        }
        return { profiles: specs.length };
    };
    const stack = await automation.LocalWorkspace.createOrSelectStack(
        { stackName: "bench", projectName: project, program },
        { workDir, envVars, projectSettings: { name: project, runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL! } } },
    );
    const info = emulator.info;
    await stack.setAllConfig({
        "intune:tenantId": { value: info.tenantId },
        "intune:clientId": { value: info.clientId },
        "intune:clientSecret": { value: info.clientSecret, secret: true },
        "intune:graphEndpoint": { value: info.graphUrl },
        "intune:authorityHost": { value: info.authorityHost },
        "intune:caCertificatePath": { value: info.caPath },
        "intune:throttleWindowSeconds": { value: String(WINDOW_MS / 1000) },
    });
    const { parallel } = options;
    const output: string[] = [];
    const onOutput = (line: string): void => {
        output.push(line);
        if (output.length > 400) output.splice(0, output.length - 400);
    };
    const tail = (): string => output.join("").split("\n").slice(-25).join("\n");
    const failed =
        (what: string) =>
        (err: unknown): never => {
            throw new Error(`${what} failed: ${err instanceof Error ? err.message.slice(0, 2000) : String(err)}\n${tail()}`);
        };
    const runner = stack.workspace.pulumiCommand as unknown as CommandRunner;
    const runCli = runner.run.bind(runner);
    let cliCalls: { command: string; startMs: number; ms: number }[] = [];
    let started = 0;
    runner.run = async (args: string[], ...rest: unknown[]): Promise<unknown> => {
        const t = performance.now();
        try {
            return await runCli(args, ...rest);
        } finally {
            cliCalls.push({
                command: args[0] === "stack" ? `stack ${args[1]}` : args[0],
                startMs: t - started,
                ms: performance.now() - t,
            });
        }
    };
    /** Runs one CLI operation with the emulator's log cleared before and read after, and the processes watched. */
    const measured = async <T>(op: (onEvent: (e: automation.EngineEvent) => void) => Promise<T>): Promise<{ value: T; run: EngineRun }> => {
        await emulator.clearRequests();
        const watch = new EngineMemoryWatch(true).start();
        cliCalls = [];
        const startedAt = Date.now();
        started = performance.now();
        let firstStep: number | undefined;
        let lastStep: number | undefined;
        const onEvent = (e: automation.EngineEvent): void => {
            const begun = e.resourcePreEvent?.metadata.type;
            if (firstStep === undefined && begun && PROFILE_TYPE.test(begun)) firstStep = performance.now();
            const done = e.resOutputsEvent?.metadata.type;
            if (done && PROFILE_TYPE.test(done)) lastStep = performance.now();
        };
        const value = await op(onEvent);
        const wallMs = performance.now() - started;
        const memory = watch.stop();
        const log = await emulator.requests();
        const main = cliCalls.find((c) => c.command === "up" || c.command === "preview");
        return {
            value,
            run: {
                wallMs,
                startedAt,
                log,
                memory,
                firstStepMs: firstStep === undefined ? undefined : firstStep - started,
                lastStepMs: lastStep === undefined ? undefined : lastStep - started,
                cliMs: main?.ms,
                cliStartMs: main?.startMs,
                cliCalls,
            },
        };
    };
    try {
        const settings = Object.entries(cliEnv).map(([k, v]) => `${k}=${v}`);
        onProgress(`  pulumi up of ${n} profiles${settings.length ? ` (${settings.join(" ")})` : ""}`);
        const up = await measured((onEvent) => stack.up({ onOutput, onEvent, parallel }).catch(failed("pulumi up")));
        const result: EngineResult = {
            parallel,
            cliEnv,
            up: { ...up.run, created: up.value.summary.resourceChanges?.create ?? 0 },
            checkpoint: checkpointWeight(join(backendDir, "state", ".pulumi", "stacks", project, "bench.json")),
        };

        if (options.preview) {
            onProgress(`  pulumi preview of the same ${n} profiles (no change expected)`);
            const preview = await measured((onEvent) => stack.preview({ onOutput, onEvent, parallel }).catch(failed("pulumi preview")));
            const summary = preview.value.changeSummary as Record<string, number | undefined>;
            const changes = Object.entries(summary)
                .filter(([k]) => k !== "same")
                .reduce((a, [, v]) => a + (v ?? 0), 0);
            result.preview = { ...preview.run, same: summary.same ?? 0, changes };
        }
        return result;
    } finally {
        // The emulator goes away with its profiles: no destroy needed, only the local stack and backend.
        await stack.workspace.removeStack("bench", { force: true }).catch(() => undefined);
        rmSync(BENCH_PULUMI_ROOT, { recursive: true, force: true });
    }
}
