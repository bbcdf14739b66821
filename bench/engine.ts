import * as automation from "@pulumi/pulumi/automation";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as intune from "pulumi-intune-enrollment";
import { automationEnvVars, ensurePulumi, pulumiEnvironment } from "pulumi-intune-enrollment/dist/scripts/localPulumi";
import { profileSpecs, REPO_ROOT, WINDOW_MS } from "./common";
import { EmulatorProcess, LoggedRequest } from "./emulatorProcess";
import { HostMemoryWatch } from "./procWatch";

/**
 * The rollout through the real engine: the pinned CLI, an offline file:// backend under .pulumi-local/bench, an
 * inline program of N profiles and stack config pointing the provider at the emulator (as test/support/e2e.ts does
 * for the end-to-end tests, in a folder of its own). Then, optionally, a preview of the same program, which must
 * change nothing and call Graph not at all.
 */

export const BENCH_PULUMI_ROOT = join(REPO_ROOT, ".pulumi-local", "bench");

export interface EngineOptions {
    /** Extra environment for the CLI, e.g. { PULUMI_SKIP_CHECKPOINTS: "true" }. */
    cliEnv?: Record<string, string>;
    preview: boolean;
}

/** One profile's entry in the checkpoint, and the parts of it that weigh. */
export interface CheckpointEntry {
    bytes: number;
    providerBytes: number;
    qrCodeImageBytes: number;
}

export interface EngineResult {
    parallel: number | "engine default";
    cliEnv: Record<string, string>;
    up: { wallMs: number; startedAt: number; created: number; log: LoggedRequest[]; hostPeakRssMB?: number };
    preview?: { wallMs: number; same: number; changes: number; log: LoggedRequest[]; hostPeakRssMB?: number };
    checkpointBytes?: number;
    resources?: number;
    entry?: CheckpointEntry;
}

const len = (v: unknown): number => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));

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
    if (process.env.PULUMI_PARALLEL) cliEnv.PULUMI_PARALLEL = process.env.PULUMI_PARALLEL;
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
    const parallel = process.env.BENCH_PULUMI_PARALLEL ? Number(process.env.BENCH_PULUMI_PARALLEL) : undefined;
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
    try {
        await emulator.clearRequests();
        onProgress(
            `  pulumi up of ${n} profiles${
                Object.keys(cliEnv).length
                    ? ` (${Object.entries(cliEnv)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(" ")})`
                    : ""
            }`,
        );
        let watch = new HostMemoryWatch().start();
        const startedAt = Date.now();
        let started = performance.now();
        const up = await stack.up({ onOutput, ...(parallel ? { parallel } : {}) }).catch(failed("pulumi up"));
        const upWall = performance.now() - started;
        const upHostPeakRssMB = watch.stop();
        const upLog = await emulator.requests();

        const result: EngineResult = {
            parallel: parallel ?? "engine default",
            cliEnv,
            up: { wallMs: upWall, startedAt, created: up.summary.resourceChanges?.create ?? 0, log: upLog, hostPeakRssMB: upHostPeakRssMB },
        };
        const checkpoint = join(backendDir, "state", ".pulumi", "stacks", project, "bench.json");
        if (existsSync(checkpoint)) {
            result.checkpointBytes = statSync(checkpoint).size;
            type Entry = { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
            const parsed = JSON.parse(readFileSync(checkpoint, "utf8")) as { checkpoint?: { latest?: { resources?: Entry[] } } };
            const profiles = parsed.checkpoint?.latest?.resources?.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/intune:")) ?? [];
            result.resources = profiles.length;
            const sample = profiles.find((r) => r.type.endsWith("AndroidDeviceOwnerEnrollmentProfile"));
            if (sample) {
                result.entry = {
                    bytes: len(sample),
                    providerBytes: len(sample.inputs?.__provider) + len(sample.outputs?.__provider),
                    qrCodeImageBytes: len(sample.outputs?.qrCodeImage) + len(sample.inputs?.qrCodeImage),
                };
            }
        }

        if (options.preview) {
            await emulator.clearRequests();
            onProgress("  pulumi preview (no change expected)");
            watch = new HostMemoryWatch().start();
            started = performance.now();
            const preview = await stack.preview({ onOutput, ...(parallel ? { parallel } : {}) }).catch(failed("pulumi preview"));
            const previewWall = performance.now() - started;
            const previewHostPeakRssMB = watch.stop();
            const previewLog = await emulator.requests();
            const summary = preview.changeSummary as Record<string, number | undefined>;
            const changes = Object.entries(summary)
                .filter(([k]) => k !== "same")
                .reduce((a, [, v]) => a + (v ?? 0), 0);
            result.preview = { wallMs: previewWall, same: summary.same ?? 0, changes, log: previewLog, hostPeakRssMB: previewHostPeakRssMB };
        }
        return result;
    } finally {
        // The emulator goes away with its profiles: no destroy needed, only the local stack and backend.
        await stack.workspace.removeStack("bench", { force: true }).catch(() => undefined);
        rmSync(BENCH_PULUMI_ROOT, { recursive: true, force: true });
    }
}
