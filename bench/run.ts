import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { callTarget, CallCounts, countCalls, timeline, Timeline } from "./analyze";
import { ChildLink, killAll } from "./children";
import type { ProfileSpec } from "./workload";
import {
    bound,
    Bound,
    COLLECTIONS,
    createBody,
    ENGINE_SIZES,
    engineParallel,
    engineParallelSetting,
    ENGINE_TARGETS,
    errorText,
    KindName,
    LIMITS,
    median,
    neededWork,
    partRuns,
    NeededWork,
    profileSpecs,
    RawGraph,
    rawRollOne,
    rawRollout,
    RESULTS_DIR,
    REFRESH_SETTINGS_READS,
    round,
    SELECT,
    signIn,
    SIZES,
    sleep,
    TARGET_PROVIDER_BYTES,
    TARGET_RATIO,
    TARGET_SIZE,
    LATENCY_MS,
    JITTER_MS,
    NO_LATENCY,
    TARGET_BENCH_MINUTES,
    TARGET_RSS_MB,
    WINDOW_MS,
    withTimeout,
} from "./common";
import { ensurePulumi } from "pulumi-intune-enrollment/dist/scripts/localPulumi";
import { CheckpointWeight, engineRollout } from "./engine";
import type { EnginePeaks } from "./procWatch";
import { BENCH_THROTTLE, EmulatorProcess } from "./emulatorProcess";
import type { ProviderJob, RecordedResource } from "./providerChild";
import { hostColdStart, providerModuleLoad, ProviderText, providerTexts } from "./resources";
import { sdkRollout } from "./sdk";
import { benchFrontDoors, PluginBenchResult } from "./plugin";
import { benchTenants, TenantsBenchResult } from "./tenants";

/**
 * `npm run bench`: how fast a rollout runs against Intune's limits, and what each resource costs (issue 7).
 * Prints a table and writes bench-results/latest.json. Exits non-zero only if the benchmark itself broke;
 * a missed target is a result.
 */

const progress = (line: string): void => {
    process.stderr.write(`[bench ${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};
const T0 = performance.now();

interface Reference {
    signInMs: number;
    /** Idle round trips of one request, median of several, warm connection, throttling off. */
    rttWriteMs: number;
    rttReadMs: number;
    /** Best of two: sign-in plus every profile's chain at once from a bare client, throttling off. */
    rolloutFloorMs: number;
    /**
     * Best of two: a new bare client signs in and reads every profile at once, as a new `pulumi refresh` starts
     * (no token, no connection, no TLS session) and as the provider's refresh is measured.
     */
    refreshFloorMs: number;
    /** The sign-in of that best run. */
    refreshSignInMs: number;
    /** In that best run: when the first answer came, after the first read was sent. */
    refreshFloorFirstAnswerMs: number;
    /**
     * In that best run: the bare client's CPU time. Beside the provider's it shows which end a refresh waited on: the
     * emulator answers one read after another, so a client that spends more CPU per read than that sets the pace.
     */
    refreshFloorCpuMs: number;
}

interface Phase {
    wallMs: number;
    bound: Bound;
    ratio: number;
    failures: number;
    errors: string[];
    calls: CallCounts;
}

interface SizeResult {
    size: number;
    work: NeededWork;
    reference: Reference;
    provider: Phase & {
        callTarget: { pass: boolean; why: string[] };
        stateBytes: Partial<Record<KindName, number>>;
        maxRssMB: number;
        timeline: Timeline;
        /** CPU the provider's process spent in the rollout. */
        cpuMs: number;
    };
    /** The best of two refreshes, like the floor it is held against; `runsMs` has both walls. */
    refresh: Phase & { maxRssMB: number; timeline: Timeline; cpuMs: number; runsMs: number[] };
    sdk: Phase & { stored: number };
    /** The provider's CPU for the same rollout and refresh against an emulator that answers at once: a figure, not a target. */
    cpuAtZeroLatency?: { rolloutCpuMs: number; refreshCpuMs: number };
}

/**
 * Best of two: a bare client signs in and rolls out every spec with at most `concurrency` profiles in flight, into an
 * empty tenant, throttling off (the caller turns it off). Leaves the tenant empty.
 */
async function bareRolloutFloor(emu: EmulatorProcess, specs: ProfileSpec[], concurrency: number): Promise<{ floorMs: number; signInMs: number }> {
    const { info } = emu;
    let floorMs = Infinity;
    let signInMs = Infinity;
    for (let attempt = 0; attempt < 2; attempt++) {
        await emu.reset();
        const t = performance.now();
        const fresh = await signIn(info.authorityHost, info.tenantId, info.clientId, info.clientSecret, info.caPem);
        signInMs = Math.min(signInMs, performance.now() - t);
        const graph = new RawGraph(info.graphUrl, info.caPem, fresh);
        try {
            await rawRollout(graph, specs, concurrency);
            floorMs = Math.min(floorMs, performance.now() - t);
        } finally {
            graph.close();
        }
    }
    await emu.reset();
    return { floorMs, signInMs };
}

/** Reference measurements with a bare client against the same emulator, throttling off. */
async function reference(emu: EmulatorProcess, n: number): Promise<Reference> {
    const { info } = emu;
    await emu.setThrottle({ enabled: false });
    await emu.reset();
    const specs = profileSpecs(n, `bench-floor-${n}`);
    // Idle round trips: a warm connection, one request at a time.
    const token = await signIn(info.authorityHost, info.tenantId, info.clientId, info.clientSecret, info.caPem);
    const idle = new RawGraph(info.graphUrl, info.caPem, token, 1);
    const writes: number[] = [];
    const reads: number[] = [];
    try {
        const probe = profileSpecs(9, "bench-rtt").filter((s) => s.kind === "deviceOwner");
        await rawRollOne(idle, probe[0]); // warm-up: TLS handshake, JIT
        for (const spec of probe) {
            let t = performance.now();
            const created = await idle.request("POST", COLLECTIONS.deviceOwner, createBody(spec));
            writes.push(performance.now() - t);
            const id = String((created.body as { id?: unknown }).id);
            t = performance.now();
            await idle.request("GET", `${COLLECTIONS.deviceOwner}/${id}?$select=${SELECT.deviceOwner}`);
            reads.push(performance.now() - t);
        }
    } finally {
        idle.close();
    }
    const { floorMs: rolloutFloorMs, signInMs } = await bareRolloutFloor(emu, specs, specs.length);
    // The refresh floor is measured beside the provider's refresh (benchSize), on the profiles it rolled out.
    return {
        signInMs,
        rttWriteMs: median(writes),
        rttReadMs: median(reads),
        rolloutFloorMs,
        refreshFloorMs: NaN,
        refreshFloorFirstAnswerMs: NaN,
        refreshSignInMs: NaN,
        refreshFloorCpuMs: NaN,
    };
}

/**
 * The provider's CPU time for a rollout and a refresh of n profiles against an emulator of its own that answers at
 * once. At the service's latency the CPU hides in the waiting; here it is what a request costs the provider.
 */
async function providerCpuWithoutLatency(base: ProviderJob, n: number): Promise<{ rolloutCpuMs: number; refreshCpuMs: number }> {
    const emu = await EmulatorProcess.start(BENCH_THROTTLE, undefined, NO_LATENCY);
    try {
        const job: ProviderJob = { ...base, info: emu.info, prefix: `bench-cpu-${n}` };
        const host = ChildLink.fork("providerChild.js", `provider host, CPU run (${n} profiles)`);
        let rolloutCpuMs: number;
        let state: RecordedResource[];
        try {
            await withTimeout(host.next("ready"), 60_000, "provider host start");
            rolloutCpuMs = Number((await withTimeout(host.call("rollout", job), 300_000 + n * 200, `CPU run: provider rollout of ${n}`)).cpuMs);
            state = (await host.call("state")).state as RecordedResource[];
        } finally {
            await host.stop();
        }
        await sleep(Math.ceil(WINDOW_MS * 1.02) + 275);
        const reader = ChildLink.fork("providerChild.js", `provider host, CPU run refresh (${n} profiles)`);
        try {
            await withTimeout(reader.next("ready"), 60_000, "provider host start");
            const r = await withTimeout(reader.call("refresh", { job, state }), 300_000, `CPU run: provider refresh of ${n}`);
            return { rolloutCpuMs, refreshCpuMs: Number(r.cpuMs) };
        } finally {
            await reader.stop();
        }
    } finally {
        await emu.stop();
    }
}

function phase(wallMs: number, b: Bound, failures: number, errors: string[], calls: CallCounts): Phase {
    return { wallMs, bound: b, ratio: wallMs / b.boundMs, failures, errors, calls };
}

async function benchSize(n: number, texts: Record<KindName, ProviderText>): Promise<SizeResult> {
    const specs = profileSpecs(n, `bench-${n}`);
    const work = neededWork(specs);
    const emu = await EmulatorProcess.start(BENCH_THROTTLE);
    try {
        progress(`${n} profiles: reference (bare client, throttling off)`);
        const ref = await reference(emu, n);
        const rolloutBound = bound(work.writes, work.requests, ref.signInMs, ref.rttWriteMs + ref.rttReadMs, ref.rolloutFloorMs);

        progress(`${n} profiles: provider rollout (throttle-bound minimum ${(rolloutBound.boundMs / 1000).toFixed(2)} s)`);
        await emu.setThrottle(BENCH_THROTTLE);
        await emu.reset();
        const host = ChildLink.fork("providerChild.js", `provider host (${n} profiles)`);
        let rolled: Record<string, unknown>;
        let refreshed: Record<string, unknown> | undefined;
        let rollLog;
        let refreshLog: Awaited<ReturnType<EmulatorProcess["requests"]>> = [];
        const refreshRunsMs: number[] = [];
        let state: RecordedResource[];
        const job: ProviderJob = {
            info: emu.info,
            n,
            prefix: `bench-${n}`,
            windowMs: WINDOW_MS,
            providerTexts: { deviceOwner: texts.deviceOwner.text, forWork: texts.forWork.text },
        };
        let stored: { deviceOwner: number; forWork: number };
        try {
            await withTimeout(host.next("ready"), 60_000, "provider host start");
            rolled = await withTimeout(host.call("rollout", job), 300_000 + n * 200, `provider rollout of ${n}`);
            rollLog = await emu.requests();
            stored = await emu.profileCounts();
            state = (await host.call("state")).state as RecordedResource[];
        } finally {
            await host.stop();
        }
        // The refresh floor and the provider's refresh, in turn, twice, the best of each kept: on two shared cores one
        // run can lose a tenth of a second to a neighbour, and taking turns gives both the same neighbours. Both read
        // the profiles the provider rolled out, each from a new process, as `pulumi refresh` runs one: it signs in
        // first and finds no connection open and no TLS session to resume. (The rollout's process would keep a
        // varying part of its connections open for a varying while.)
        let refreshSignInMs = NaN;
        let refreshFloorMs = Infinity;
        let refreshFloorFirstAnswerMs = NaN;
        let refreshFloorCpuMs = NaN;
        // The emulator's window must empty before each, or the reads of 1000 would find it full.
        const windowEmpties = (): Promise<void> => sleep(Math.ceil(WINDOW_MS * 1.02) + 25 + 250);
        for (let run = 1; run <= 2; run++) {
            await windowEmpties();
            progress(`${n} profiles: refresh floor (${run} of 2), a bare client in a new process`);
            const bare = ChildLink.fork("providerChild.js", `bare refresh (${n} profiles)`);
            // Throttling off for the floor, as for the rollout's: its n + 1 reads would overrun the window at 1000.
            await emu.setThrottle({ enabled: false });
            try {
                await withTimeout(bare.next("ready"), 60_000, "bare refresh process start");
                const reads = state.map(({ kind, id }) => ({ kind, id }));
                const r = await withTimeout(bare.call("bareRefresh", { info: emu.info, reads }), 120_000, `bare refresh of ${n}`);
                if (Number(r.wallMs) < refreshFloorMs)
                    [refreshFloorMs, refreshFloorFirstAnswerMs, refreshSignInMs, refreshFloorCpuMs] = [
                        Number(r.wallMs),
                        Number(r.firstAnswerMs),
                        Number(r.signInMs),
                        Number(r.cpuMs),
                    ];
            } finally {
                await bare.stop();
                await emu.setThrottle(BENCH_THROTTLE);
            }
            await windowEmpties();
            await emu.clearRequests();
            progress(`${n} profiles: provider refresh (${run} of 2), in a new provider process`);
            const reader = ChildLink.fork("providerChild.js", `provider host, refresh (${n} profiles)`);
            try {
                await withTimeout(reader.next("ready"), 60_000, "provider host start");
                const r = await withTimeout(reader.call("refresh", { job, state }), 300_000, `provider refresh of ${n}`);
                refreshRunsMs.push(Number(r.wallMs));
                if (!refreshed || Number(r.wallMs) < Number(refreshed.wallMs)) [refreshed, refreshLog] = [r, await emu.requests()];
            } finally {
                await reader.stop();
            }
        }
        Object.assign(ref, { refreshFloorMs, refreshFloorFirstAnswerMs, refreshSignInMs, refreshFloorCpuMs });
        const refreshBound = bound(0, n + REFRESH_SETTINGS_READS, refreshSignInMs, ref.rttReadMs, refreshFloorMs);
        const rollCalls = countCalls(rollLog, n);
        const refreshCalls = countCalls(refreshLog, n);

        progress(`${n} profiles: Microsoft Graph JavaScript client, default RetryHandler`);
        await emu.reset();
        const sdkSpecs = profileSpecs(n, `bench-sdk-${n}`);
        const sdk = await withTimeout(sdkRollout(emu, sdkSpecs), 600_000, `SDK rollout of ${n}`);
        const sdkLog = await emu.requests();
        const sdkStored = await emu.profileCounts();

        const storedTotal = stored.deviceOwner + stored.forWork;
        progress(`${n} profiles: the provider's CPU at 0 ms latency (rollout, then refresh in a new process)`);
        const cpuAtZeroLatency = await providerCpuWithoutLatency(job, n);
        return {
            size: n,
            cpuAtZeroLatency,
            work,
            reference: ref,
            provider: {
                ...phase(Number(rolled.wallMs), rolloutBound, Number(rolled.failures), rolled.errors as string[], rollCalls),
                callTarget: callTarget(rollCalls, work, storedTotal),
                stateBytes: rolled.stateBytes as Partial<Record<KindName, number>>,
                maxRssMB: Number(rolled.rssKB) / 1024,
                timeline: timeline(rollLog, Number(rolled.startedAt), Number(rolled.wallMs), LIMITS.appWrites),
                cpuMs: Number(rolled.cpuMs),
            },
            refresh: {
                ...phase(Number(refreshed!.wallMs), refreshBound, Number(refreshed!.failures), refreshed!.errors as string[], refreshCalls),
                maxRssMB: Math.max(Number(rolled.rssKB), Number(refreshed!.rssKB)) / 1024,
                timeline: timeline(refreshLog, Number(refreshed!.startedAt), Number(refreshed!.wallMs), LIMITS.appWrites),
                cpuMs: Number(refreshed!.cpuMs),
                runsMs: refreshRunsMs,
            },
            sdk: { ...phase(sdk.wallMs, rolloutBound, sdk.failures, sdk.errors, countCalls(sdkLog, n)), stored: sdkStored.deviceOwner + sdkStored.forWork },
        };
    } finally {
        await emu.stop();
    }
}

interface EngineUp {
    label: string;
    cliEnv: Record<string, string>;
    /** The `pulumi up` CLI process, spawn to exit (what a user at a terminal waits for); the ratio is of this. */
    wallMs: number;
    /** The Automation API's whole `stack.up()`: the CLI process, plus its set-up before and its `stack output` and `stack history` calls after. */
    automationApiMs: number;
    /** When the CLI was spawned, ms after `stack.up()` was called: the timeline below counts from there. */
    cliStartMs: number;
    bound: Bound;
    ratio: number;
    /** The issue's ratio target for this size and setting, if it has one. */
    targetRatio?: number;
    created: number;
    calls: CallCounts;
    callTarget: { pass: boolean; why: string[] };
    timeline: Timeline;
    /** When the engine reported the last profile done (ms after the CLI was spawned). */
    lastStepMs?: number;
    /** When the engine reported the first profile's step begun (ms after the CLI was spawned). */
    firstStepMs?: number;
    memory: EnginePeaks;
    /** Every CLI call of the Automation API's `stack.up()`, with its start (ms after the call) and wall. */
    cliCalls: { command: string; startMs: number; ms: number }[];
}

interface EngineSize {
    size: number;
    /** The steps the engine ran at once (`pulumi up --parallel`), and the floor's concurrency. */
    parallel: number;
    /** Where the bound's terms come from: the provider part's reference for this size, or one measured here. */
    referenceFrom: "provider part" | "engine part";
    reference: Reference;
    ups: EngineUp[];
    preview?: { wallMs: number; automationApiMs: number; same: number; changes: number; graphCalls: number; memory: EnginePeaks };
    checkpoint?: CheckpointWeight;
}

interface EngineSummary {
    /** `pulumi up` of the same stack with an empty program: the CLI's start, the program's, and the engine's shutdown. */
    startup?: { wallMs: number; automationApiMs: number; memory: EnginePeaks };
    sizes: EngineSize[];
}

const SKIP_CHECKPOINTS = { PULUMI_SKIP_CHECKPOINTS: "true" };

async function engineStartup(emu: EmulatorProcess): Promise<NonNullable<EngineSummary["startup"]>> {
    await emu.reset();
    const r = await engineRollout(emu, 0, { preview: false, parallel: engineParallel() }, progress);
    return { wallMs: r.up.cliMs ?? r.up.wallMs, automationApiMs: r.up.wallMs, memory: r.up.memory };
}

/**
 * `pulumi up` of n profiles twice, with the engine's defaults and with PULUMI_SKIP_CHECKPOINTS=true, each into a new
 * stack and an empty tenant, then a no-change preview after the first. The bound has the provider part's definition;
 * its floor is measured here at the engine's concurrency, its round trips come from the provider part's reference
 * when it measured this size (otherwise from one measured here).
 */
async function benchEngineSize(emu: EmulatorProcess, n: number, providerReference: Reference | undefined): Promise<EngineSize> {
    if (!providerReference) progress(`engine: reference for ${n} profiles (bare client, throttling off)`);
    const ref = providerReference ?? (await reference(emu, n));
    // The engine works on `parallel` profiles at a time, so no client behind it can finish before a bare client that
    // does the same: the floor at the engine's concurrency, not at the provider's 128 connections.
    const parallel = engineParallel();
    progress(`engine: floor for ${n} profiles at ${parallel} at a time (bare client, throttling off)`);
    await emu.setThrottle({ enabled: false });
    const specs = profileSpecs(n, `bench-engine-floor-${n}`);
    const floor = await bareRolloutFloor(emu, specs, parallel);
    await emu.setThrottle(BENCH_THROTTLE);
    const work = neededWork(specs);
    const b = bound(work.writes, work.requests, floor.signInMs, ref.rttWriteMs + ref.rttReadMs, floor.floorMs);
    const summary: EngineSize = {
        size: n,
        parallel,
        referenceFrom: providerReference ? "provider part" : "engine part",
        reference: ref,
        ups: [],
    };
    const variants: { label: string; cliEnv: Record<string, string>; preview: boolean; targetRatio?: number }[] = [
        { label: "pulumi up", cliEnv: {}, preview: true, targetRatio: ENGINE_TARGETS.ratio[n] },
        // The engine's intermediate checkpoints off: what saving the whole state after every step costs.
        { label: "pulumi up, PULUMI_SKIP_CHECKPOINTS=true", cliEnv: SKIP_CHECKPOINTS, preview: false, targetRatio: ENGINE_TARGETS.skipCheckpointsRatio[n] },
    ];
    for (const v of variants) {
        await emu.reset();
        const r = await engineRollout(emu, n, { cliEnv: v.cliEnv, preview: v.preview, parallel }, progress);
        const calls = countCalls(r.up.log, n);
        const stored = await emu.profileCounts();
        const cliStartMs = r.up.cliStartMs ?? 0;
        const wallMs = r.up.cliMs ?? r.up.wallMs;
        summary.ups.push({
            label: v.label,
            cliEnv: r.cliEnv,
            wallMs,
            automationApiMs: r.up.wallMs,
            cliStartMs,
            bound: b,
            ratio: wallMs / b.boundMs,
            targetRatio: v.targetRatio,
            created: r.up.created,
            calls,
            callTarget: callTarget(calls, work, stored.deviceOwner + stored.forWork),
            timeline: timeline(r.up.log, r.up.startedAt + cliStartMs, wallMs, LIMITS.appWrites),
            lastStepMs: r.up.lastStepMs === undefined ? undefined : r.up.lastStepMs - cliStartMs,
            firstStepMs: r.up.firstStepMs === undefined ? undefined : r.up.firstStepMs - cliStartMs,
            memory: r.up.memory,
            cliCalls: r.up.cliCalls,
        });
        if (r.preview) {
            summary.preview = {
                wallMs: r.preview.cliMs ?? r.preview.wallMs,
                automationApiMs: r.preview.wallMs,
                same: r.preview.same,
                changes: r.preview.changes,
                graphCalls: r.preview.log.length,
                memory: r.preview.memory,
            };
        }
        if (Object.keys(v.cliEnv).length === 0 && r.checkpoint) summary.checkpoint = r.checkpoint;
        progress(
            `  ${(wallMs / 1000).toFixed(1)} s (${(wallMs / b.boundMs).toFixed(2)}x the bound), CLI peak ${r.up.memory.cli?.toFixed(0) ?? "?"} MB` +
                (r.checkpoint && Object.keys(v.cliEnv).length === 0 ? `, checkpoint ${Math.round(r.checkpoint.bytesPerProfile)} B per profile` : ""),
        );
    }
    return summary;
}

// ---------------------------------------------------------------------------------------------------------------
// The table

const s = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : "-");
const mark = (pass: boolean | undefined): string => (pass === undefined ? "n/a" : pass ? "PASS" : "MISS");
const pad = (rows: string[][]): string => {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
    return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
};
const per = (c: CallCounts, kind: string): string => (c.perProfile[kind] ?? 0).toFixed(2);

/** The speed target of one phase at the benchmark's latency: within TARGET_RATIO of the bound at TARGET_SIZE profiles; none at other sizes. */
function speedTarget(what: string, size: number, p: Phase): Target | undefined {
    if (size !== TARGET_SIZE) return undefined;
    return {
        target: `${what} ${size}: wall <= ${TARGET_RATIO}x bound, 0 failures (at ${latencyText()})`,
        value: `${p.ratio.toFixed(2)}x (${s(p.wallMs)} / ${s(p.bound.boundMs)}), ${p.failures} failures`,
        pass: p.ratio <= TARGET_RATIO && p.failures === 0,
    };
}
const latencyText = (): string => `${LATENCY_MS} ± ${JITTER_MS} ms per request`;
const ms = (x: number): string => (Number.isFinite(x) ? String(Math.round(x)) : "-");

interface Target {
    target: string;
    value: string;
    pass: boolean | undefined;
}

const mb = (x: number | undefined): string => (x === undefined ? "-" : x >= 1024 ? `${(x / 1024).toFixed(2)} GB` : `${x.toFixed(0)} MB`);
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

function renderEngine(e: EngineSummary, out: string[], targets: Target[]): void {
    const parallel = e.sizes[0]?.parallel ?? engineParallel();
    const setting = engineParallelSetting();
    const chosen = setting ? `set by ${setting.name}` : "the CLI's own default here, 4 per CPU";
    out.push(
        `pulumi up through the real engine (pinned CLI, file backend, inline program, --parallel ${parallel}: ${chosen}), and a no-change pulumi preview; ` +
            `each bound's floor is a bare client's rollout with ${parallel} profiles in flight, as the engine allows`,
    );
    if (e.startup)
        out.push(
            `engine start-up: pulumi up of the same stack with an empty program ${s(e.startup.wallMs)} (Automation API ${s(e.startup.automationApiMs)}, CLI peak ${mb(e.startup.memory.cli)}); in the runs below, the time to the first Graph answer adds the provider host's start and sign-in`,
        );
    const rows = [
        [
            "profiles",
            "run",
            "wall",
            "Automation API",
            "bound",
            "ratio",
            "target",
            "create/p",
            "token/p",
            "GET/p",
            "429s",
            "Graph calls",
            "calls",
            "CLI peak",
            "language host",
            "provider host",
        ],
    ];
    for (const z of e.sizes) {
        for (const u of z.ups) {
            const ok = u.targetRatio === undefined ? undefined : u.ratio <= u.targetRatio;
            rows.push([
                String(z.size),
                u.label,
                s(u.wallMs),
                s(u.automationApiMs),
                s(u.bound.boundMs),
                u.ratio.toFixed(2),
                u.targetRatio === undefined ? "" : `<= ${u.targetRatio}: ${mark(ok)}`,
                per(u.calls, "POST create"),
                per(u.calls, "POST createToken"),
                per(u.calls, "GET get"),
                String(u.calls.throttled),
                String(u.calls.total),
                mark(u.callTarget.pass),
                mb(u.memory.cli),
                mb(u.memory.languageHost),
                mb(u.memory.providerHost),
            ]);
            if (u.targetRatio !== undefined)
                targets.push({
                    target: `${u.label} of ${z.size}: wall <= ${u.targetRatio}x bound`,
                    value: `${u.ratio.toFixed(2)}x (${s(u.wallMs)} / ${s(u.bound.boundMs)})`,
                    pass: ok,
                });
            targets.push({
                target: `${u.label} of ${z.size}: 1 create each, createToken where needed, <= 2 reads`,
                value: u.callTarget.pass ? "as required" : u.callTarget.why.join("; "),
                pass: u.callTarget.pass,
            });
        }
        if (z.preview) {
            const ok = z.preview.graphCalls === 0 && z.preview.changes === 0;
            rows.push([
                String(z.size),
                "pulumi preview (no change)",
                s(z.preview.wallMs),
                s(z.preview.automationApiMs),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                String(z.preview.graphCalls),
                mark(ok),
                mb(z.preview.memory.cli),
                mb(z.preview.memory.languageHost),
                mb(z.preview.memory.providerHost),
            ]);
            targets.push({
                target: `no-change pulumi preview of ${z.size} makes no Graph call`,
                value: `${z.preview.graphCalls} calls, ${z.preview.changes} changes`,
                pass: ok,
            });
        }
        const def = z.ups.find((u) => Object.keys(u.cliEnv).length === 0);
        if (def && z.size === ENGINE_TARGETS.cliPeakAtSize) {
            targets.push({
                target: `pulumi up of ${z.size}: the CLI's peak memory under ${mb(ENGINE_TARGETS.cliPeakMB)}`,
                value: `${mb(def.memory.cli)} (language host ${mb(def.memory.languageHost)}, provider host ${mb(def.memory.providerHost)})`,
                pass: def.memory.cli === undefined ? undefined : def.memory.cli < ENGINE_TARGETS.cliPeakMB,
            });
        }
        if (z.checkpoint) {
            targets.push({
                target: `checkpoint of ${z.size}: at most ${kb(ENGINE_TARGETS.checkpointBytesPerProfile)} per profile resource`,
                value: `${kb(z.checkpoint.bytesPerProfile)} (${(z.checkpoint.bytes / 2 ** 20).toFixed(2)} MB for ${z.checkpoint.profiles})`,
                pass: z.checkpoint.bytesPerProfile <= ENGINE_TARGETS.checkpointBytesPerProfile,
            });
        }
    }
    out.push(pad(rows));
    out.push("");
    out.push(
        "Where the engine's time went (s after the CLI was spawned): start-up until the engine begins the first profile's step (CLI, program, provider host, configure, check), then until the first Graph answer (sign-in, the first create); the Graph work until the last answer; the engine reporting the last profile done; then the final checkpoint and the CLI's exit. The Automation API adds its set-up before the CLI and its stack output / stack history calls after",
    );
    const trows = [
        [
            "profiles",
            "run",
            "first step",
            "first answer",
            "last answer",
            "last step",
            "CLI exit",
            "after last answer",
            "after last step",
            "CLI wrote",
            "bound",
            "Automation API before / after",
        ],
    ];
    for (const z of e.sizes)
        for (const u of z.ups) {
            const t = u.timeline;
            trows.push([
                String(z.size),
                u.label,
                u.firstStepMs === undefined ? "-" : s(u.firstStepMs),
                s(t.firstAnswerMs),
                s(t.lastAnswerMs),
                u.lastStepMs === undefined ? "-" : s(u.lastStepMs),
                s(u.wallMs),
                s(u.wallMs - t.lastAnswerMs),
                u.lastStepMs === undefined ? "-" : s(u.wallMs - u.lastStepMs),
                mb(u.memory.cliWrittenMB),
                s(u.bound.boundMs),
                `${s(u.cliStartMs)} / ${s(u.automationApiMs - u.cliStartMs - u.wallMs)}`,
            ]);
        }
    out.push(pad(trows));
    out.push("");
    out.push(
        "Bound terms of the engine sizes (ms): the provider part's definition, with its floor and sign-in from a bare client rolling out as many profiles at once as the engine runs steps (--parallel); the round trips from the provider part's reference when it measured the size",
    );
    const brows = [["profiles", "sign-in", "throttle", "tail", "floor", "at once", "bound", "by", "reference"]];
    for (const z of e.sizes) {
        const b = z.ups[0]?.bound;
        if (b)
            brows.push([
                String(z.size),
                b.signInMs.toFixed(1),
                String(Math.round(b.throttleMs)),
                String(Math.round(b.tailMs)),
                String(Math.round(b.floorMs)),
                String(z.parallel),
                String(Math.round(b.boundMs)),
                b.boundBy,
                z.referenceFrom,
            ]);
    }
    out.push(pad(brows));
    out.push("");
    for (const z of e.sizes) {
        if (!z.checkpoint) continue;
        const c = z.checkpoint;
        out.push(
            `checkpoint of ${z.size} (default settings): ${c.bytes} bytes, ${Math.round(c.bytesPerProfile)} per profile (the file, indented, stack and provider entries included)`,
        );
        for (const [kind, entry] of Object.entries(c.entries)) {
            if (!entry) continue;
            out.push(
                `  one ${kind === "deviceOwner" ? "device-owner" : "Android for Work"} entry, compact JSON: ${entry.bytes} bytes: ${entry.parts.map((p) => `${p.part} ${p.bytes}`).join(", ")}`,
            );
        }
    }
    out.push("");
}

function render(results: Results): { text: string; targets: Target[] } {
    const out: string[] = [];
    const targets: Target[] = [];
    out.push(
        `Limits per app: ${LIMITS.appWrites} writes, ${LIMITS.appRequests} requests per ${WINDOW_MS} ms window (Intune: per 20 s); tenant ${LIMITS.tenantWrites} / ${LIMITS.tenantRequests}.`,
    );
    out.push(
        `Machine: ${results.machine.cpus} x ${results.machine.model}, Node ${results.machine.node}; load average at start ${results.machine.loadAverageAtStart.join(" ")}${results.machine.loadAverageAtEnd ? `, at end ${results.machine.loadAverageAtEnd.join(" ")}` : ""}.`,
    );
    out.push(`Mix per 10 profiles: 8 device-owner (every mode; token comes with the create), 2 Android for Work (createToken + read).`);
    out.push(
        `Latency: ${latencyText()} (sign-in included), in every part; targets are judged at it. "CPU at 0 ms": the provider's CPU for the same run against an emulator that answers at once (a figure, never a target).`,
    );
    out.push("");
    if (results.sizes.length > 0) {
        out.push("Rollout: check + create of every profile at once (provider) / every create at once (Graph JS client, default RetryHandler)");
        const rows = [
            [
                "profiles",
                "writes",
                "wall",
                "bound",
                "by",
                "ratio",
                "wall-bound",
                "target",
                "CPU ms",
                "CPU at 0 ms",
                "create/p",
                "token/p",
                "GET/p",
                "other/p",
                "429s",
                "fail",
                "calls",
                "| SDK wall",
                "SDK 429s",
                "SDK fail",
            ],
        ];
        for (const r of results.sizes) {
            const p = r.provider;
            const other = Object.entries(p.calls.perProfile)
                .filter(([k]) => !["POST create", "POST createToken", "GET get"].includes(k))
                .reduce((a, [, v]) => a + v, 0);
            const speed = speedTarget("rollout", r.size, p);
            rows.push([
                String(r.size),
                String(r.work.writes),
                s(p.wallMs),
                s(p.bound.boundMs),
                p.bound.boundBy,
                p.ratio.toFixed(2),
                `${ms(p.wallMs - p.bound.boundMs)} ms`,
                speed ? mark(speed.pass) : "-",
                ms(p.cpuMs),
                ms(r.cpuAtZeroLatency?.rolloutCpuMs ?? NaN),
                per(p.calls, "POST create"),
                per(p.calls, "POST createToken"),
                per(p.calls, "GET get"),
                other.toFixed(2),
                String(p.calls.throttled),
                String(p.failures),
                mark(p.callTarget.pass),
                `| ${s(r.sdk.wallMs)}`,
                String(r.sdk.calls.throttled),
                `${r.sdk.failures}/${r.size}`,
            ]);
            if (speed) targets.push(speed);
            targets.push({
                target: `rollout ${r.size}: 1 create each, createToken where needed, <= 2 reads`,
                value: p.callTarget.pass ? "as required" : p.callTarget.why.join("; "),
                pass: p.callTarget.pass,
            });
        }
        out.push(pad(rows));
        out.push("");
        out.push(
            `Refresh: provider read of every profile at once, in a new provider process (sign-in, connections: as pulumi refresh runs); best of two runs, like the floor. Target: ${TARGET_RATIO}x at ${TARGET_SIZE} profiles`,
        );
        const rrows = [["profiles", "wall", "runs", "bound", "by", "ratio", "wall-bound", "target", "CPU ms", "CPU at 0 ms", "GET/p", "429s", "fail"]];
        for (const r of results.sizes) {
            const p = r.refresh;
            const speed = speedTarget("refresh", r.size, p);
            rrows.push([
                String(r.size),
                s(p.wallMs),
                (p.runsMs ?? []).map((x) => (x / 1000).toFixed(2)).join(" / "),
                s(p.bound.boundMs),
                p.bound.boundBy,
                p.ratio.toFixed(2),
                `${ms(p.wallMs - p.bound.boundMs)} ms`,
                speed ? mark(speed.pass) : "-",
                ms(p.cpuMs),
                ms(r.cpuAtZeroLatency?.refreshCpuMs ?? NaN),
                per(p.calls, "GET get"),
                String(p.calls.throttled),
                String(p.failures),
            ]);
            if (speed) targets.push(speed);
        }
        out.push(pad(rrows));
        out.push("");
        out.push(
            "Bound terms (ms): bound = max(sign-in + throttle + tail, floor); throttle = when the last window opens; tail = what follows it; floor = bare client, no throttling",
        );
        const brows = [
            ["profiles", "sign-in", "roll throttle", "roll tail", "roll floor", "refresh throttle", "refresh tail", "refresh floor", "idle rtt w+r"],
        ];
        for (const r of results.sizes) {
            brows.push([
                String(r.size),
                r.reference.signInMs.toFixed(1),
                String(Math.round(r.provider.bound.throttleMs)),
                String(Math.round(r.provider.bound.tailMs)),
                String(Math.round(r.provider.bound.floorMs)),
                String(Math.round(r.refresh.bound.throttleMs)),
                String(Math.round(r.refresh.bound.tailMs)),
                String(Math.round(r.refresh.bound.floorMs)),
                `${r.reference.rttWriteMs.toFixed(1)}+${r.reference.rttReadMs.toFixed(1)}`,
            ]);
        }
        out.push(pad(brows));
        out.push("");
        out.push("Where the provider's rollout time went (ms after its first check; times of Graph answers; CPU: the provider process's)");
        const trows = [["profiles", "first answer", "window gaps", "spread of each window's writes", "last write", "last answer", "end", "CPU"]];
        for (const r of results.sizes) {
            const t = r.provider.timeline;
            trows.push([
                String(r.size),
                ms(t.firstAnswerMs),
                t.windowGapsMs.map((g) => Math.round(g)).join(" ") || "-",
                t.windowSpreadsMs.map((g) => Math.round(g)).join(" ") || "-",
                ms(t.lastWriteMs),
                ms(t.lastAnswerMs),
                ms(t.wallMs),
                ms(r.provider.cpuMs),
            ]);
        }
        out.push(pad(trows));
        out.push("");
        out.push(
            "Where the provider's refresh time went (ms after its first read, best run; first / last Graph answer, end = the last read returned; CPU: the provider process's) beside the bare client's (its best run)",
        );
        const frows = [
            ["profiles", "first answer", "last answer", "end", "CPU", "CPU / read", "| bare: first answer", "bare: end", "bare: CPU", "bare: CPU / read"],
        ];
        for (const r of results.sizes) {
            const t = r.refresh.timeline;
            frows.push([
                String(r.size),
                ms(t.firstAnswerMs),
                ms(t.lastAnswerMs),
                ms(t.wallMs),
                ms(r.refresh.cpuMs),
                (r.refresh.cpuMs / r.size).toFixed(2),
                `| ${ms(r.reference.refreshFloorFirstAnswerMs)}`,
                ms(r.reference.refreshFloorMs),
                ms(r.reference.refreshFloorCpuMs),
                (r.reference.refreshFloorCpuMs / r.size).toFixed(2),
            ]);
        }
        out.push(pad(frows));
        out.push("");
    }
    out.push("Per resource");
    const res = results.resources;
    const prow = [["figure", "device owner", "android for work", "target"]];
    if (res.providerText) {
        const ok = res.providerText.deviceOwner.bytes < TARGET_PROVIDER_BYTES && res.providerText.forWork.bytes < TARGET_PROVIDER_BYTES;
        prow.push(["__provider bytes", String(res.providerText.deviceOwner.bytes), String(res.providerText.forWork.bytes), mark(ok)]);
        targets.push({
            target: "__provider under 8 KB per resource",
            value: `${res.providerText.deviceOwner.bytes} B / ${res.providerText.forWork.bytes} B`,
            pass: ok,
        });
    }
    if (res.stateBytes) prow.push(["state entry bytes (inputs+outputs)", String(res.stateBytes.deviceOwner ?? "-"), String(res.stateBytes.forWork ?? "-"), ""]);
    out.push(pad(prow));
    const hrows = [["host", "value", "target"]];
    for (const r of results.sizes)
        hrows.push([
            `peak RSS, provider host, ${r.size} profiles (rollout+refresh)`,
            `${r.refresh.maxRssMB.toFixed(0)} MB`,
            r.size === 1000 ? mark(r.refresh.maxRssMB < TARGET_RSS_MB) : "",
        ]);
    const big = results.sizes.find((r) => r.size === 1000) ?? results.sizes[results.sizes.length - 1];
    if (big)
        targets.push({
            target: `peak provider memory under ${TARGET_RSS_MB} MB at ${big.size} profiles`,
            value: `${big.refresh.maxRssMB.toFixed(0)} MB`,
            pass: big.size === 1000 ? big.refresh.maxRssMB < TARGET_RSS_MB : undefined,
        });
    if (res.hostColdStartMs) hrows.push(["cold start of the dynamic-provider host (median of 3)", `${res.hostColdStartMs.median.toFixed(0)} ms`, ""]);
    if (res.providerModuleLoadMs) {
        hrows.push([
            "first call: loading the provider module, @pulumi/pulumi already loaded (median of 3)",
            `${res.providerModuleLoadMs.median.toFixed(0)} ms`,
            "",
        ]);
        hrows.push([
            "  of which the Graph emulator it imports (never used with a tenant configured)",
            `${res.providerModuleLoadMs.embeddedEmulatorMedian.toFixed(0)} ms`,
            "",
        ]);
    }
    out.push(pad(hrows));
    out.push("");
    const e = results.engine;
    if (e && "sizes" in e) renderEngine(e, out, targets);
    else if (e && "skipped" in e) {
        out.push(`pulumi up / preview: ${e.skipped}`);
        out.push("");
    }
    const fd = results.plugin;
    if (fd && !("skipped" in fd)) {
        out.push("", `Front doors (real engine, one emulator): pulumi up of ${fd.size} profiles`);
        for (const [label, r] of [
            ["dynamic resources (TypeScript)", fd.dynamic],
            ["provider plugin (YAML)", fd.plugin],
        ] as const) {
            out.push(
                `  ${label}: ${(r.wallMs / 1000).toFixed(2)} s, ${r.created} created, ${r.graphCalls} Graph calls; no-change preview: ${r.previewGraphCalls} calls`,
            );
        }
        targets.push({
            target: `pulumi up of ${fd.size} through the provider plugin, beside the dynamic resources`,
            value: `${(fd.plugin.wallMs / 1000).toFixed(2)} s / ${(fd.dynamic.wallMs / 1000).toFixed(2)} s (${(fd.plugin.wallMs / fd.dynamic.wallMs).toFixed(2)}x)`,
            pass: undefined,
        });
        targets.push({
            target: `no-change pulumi preview of ${fd.size} through the provider plugin makes no Graph call`,
            value: `${fd.plugin.previewGraphCalls} calls`,
            pass: fd.plugin.previewGraphCalls === 0 && fd.plugin.created === fd.size,
        });
    } else if (fd) out.push("", `Front doors: ${fd.skipped}`);
    const mt = results.tenants;
    if (mt && "parallelMs" in mt) {
        out.push(`Many tenants (real engine, one stack and one emulator per tenant, ${mt.concurrency} at once): pulumi up of ${mt.perTenant} profiles each`);
        out.push(
            pad([
                ["run", "wall", "slowest / fastest tenant", "profiles created", "vs one tenant"],
                [`one tenant, ${mt.perTenant} profiles`, s(mt.oneTenantMs), "", String(mt.perTenant), "1.00"],
                [
                    `${mt.tenants} tenants x ${mt.perTenant} profiles, in parallel`,
                    s(mt.parallelMs),
                    `${s(mt.slowestTenantMs)} / ${s(mt.fastestTenantMs)}`,
                    String(mt.created),
                    (mt.parallelMs / mt.oneTenantMs).toFixed(2),
                ],
            ]),
        );
        if (mt.failures.length > 0) out.push(`failures: ${mt.failures.join("; ")}`);
        out.push("");
    } else if (mt && "skipped" in mt) {
        out.push(`Many tenants: ${mt.skipped}`);
        out.push("");
    }
    if (results.durations.length > 0) {
        out.push("Durations");
        const total = results.durationMs ?? results.durations.reduce((a, d) => a + d.ms, 0);
        out.push(
            pad([
                ["part", "wall"],
                ...results.durations.map((d) => [d.part, s(d.ms)]),
                ["total (after the build)", `${s(total)} (${(total / 60_000).toFixed(1)} min)`],
            ]),
        );
        out.push("");
        // Only a run of every part at its default sizes says anything about the whole benchmark's duration.
        const whole = !process.env.BENCH_ONLY && !process.env.BENCH_SKIP_ENGINE && !process.env.BENCH_SIZES && !process.env.BENCH_ENGINE_SIZES;
        targets.push({
            target: `the whole npm run bench under ${TARGET_BENCH_MINUTES} minutes`,
            value: `${(total / 60_000).toFixed(1)} min on ${results.machine.cpus} cores${whole ? "" : " (not every part at its default sizes)"}`,
            pass: whole ? total < TARGET_BENCH_MINUTES * 60_000 : undefined,
        });
    }
    out.push("Targets");
    out.push(pad([["target", "value", ""], ...targets.map((t) => [t.target, t.value, mark(t.pass)])]));
    return { text: out.join("\n"), targets };
}

interface Results {
    startedAt: string;
    machine: { cpus: number; model: string; memoryGB: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
    windowMs: number;
    latency: { latencyMs: number; jitterMs: number };
    limits: typeof LIMITS;
    sizes: SizeResult[];
    resources: {
        providerText?: Record<KindName, Omit<ProviderText, "text">>;
        stateBytes?: Partial<Record<KindName, number>>;
        hostColdStartMs?: { median: number; runs: number[] };
        providerModuleLoadMs?: { median: number; embeddedEmulatorMedian: number };
    };
    engine?: EngineSummary | { skipped: string };
    /** `pulumi up` of the same profiles as dynamic resources and through the provider plugin. */
    plugin?: PluginBenchResult | { skipped: string };
    tenants?: TenantsBenchResult | { skipped: string };
    errors: { phase: string; error: string }[];
    /** Each part's wall (ms), in the order they ran. */
    durations: { part: string; ms: number }[];
    durationMs?: number;
    targets?: Target[];
}

async function main(): Promise<number> {
    const results: Results = {
        startedAt: new Date().toISOString(),
        machine: {
            cpus: cpus().length,
            model: cpus()[0]?.model ?? "?",
            memoryGB: round(totalmem() / 2 ** 30, 1),
            node: process.version,
            loadAverageAtStart: loadavg().map((l) => round(l)),
        },
        windowMs: WINDOW_MS,
        latency: { latencyMs: LATENCY_MS, jitterMs: JITTER_MS },
        limits: LIMITS,
        sizes: [],
        resources: {},
        errors: [],
        durations: [],
    };
    const attempt = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
        const started = performance.now();
        try {
            return await fn();
        } catch (err) {
            results.errors.push({ phase: name, error: errorText(err) });
            progress(`${name} FAILED: ${errorText(err)}`);
            return undefined;
        } finally {
            results.durations.push({ part: name, ms: performance.now() - started });
        }
    };

    progress("serializing the providers");
    const texts = await attempt("provider texts", async () => providerTexts());
    if (texts) {
        results.resources.providerText = {
            deviceOwner: { kind: "deviceOwner", bytes: texts.deviceOwner.bytes },
            forWork: { kind: "forWork", bytes: texts.forWork.bytes },
        };
        for (const n of partRuns("provider") ? SIZES : []) {
            const r = await attempt(`${n} profiles`, () => benchSize(n, texts));
            if (r) {
                results.sizes.push(r);
                results.resources.stateBytes = r.provider.stateBytes;
            }
        }
    }

    if (partRuns("resources")) progress("host cold start");
    if (partRuns("resources"))
        await attempt("host cold start", async () => {
            const runs: number[] = [];
            for (let i = 0; i < 3; i++) runs.push(await hostColdStart());
            results.resources.hostColdStartMs = { median: median(runs), runs };
            const loads: number[] = [];
            const emulatorShares: number[] = [];
            for (let i = 0; i < 3; i++) {
                loads.push((await providerModuleLoad()).totalMs);
                emulatorShares.push((await providerModuleLoad(true)).emulatorMs);
            }
            results.resources.providerModuleLoadMs = { median: median(loads), embeddedEmulatorMedian: median(emulatorShares) };
        });

    if (!partRuns("engine")) {
        results.engine = { skipped: "skipped (BENCH_ONLY / BENCH_SKIP_ENGINE)" };
    } else {
        const available = await ensurePulumi(() => undefined).then(
            () => true,
            (err: unknown) => {
                results.engine = { skipped: `skipped: no pulumi CLI (${errorText(err).split("\n")[0]})` };
                return false;
            },
        );
        const emu = available ? await attempt("engine: emulator", () => EmulatorProcess.start(BENCH_THROTTLE)) : undefined;
        if (emu) {
            const engine: EngineSummary = { sizes: [] };
            results.engine = engine;
            try {
                progress("engine: start-up, pulumi up of an empty program");
                engine.startup = await attempt("engine: start-up (empty program)", () => engineStartup(emu));
                for (const n of ENGINE_SIZES) {
                    progress(`engine: pulumi up of ${n} profiles`);
                    const providerReference = results.sizes.find((r) => r.size === n)?.reference;
                    const z = await attempt(`engine: ${n} profiles`, () => benchEngineSize(emu, n, providerReference));
                    if (z) engine.sizes.push(z);
                }
            } finally {
                await emu.stop();
            }
        }
    }

    if (!partRuns("plugin")) {
        results.plugin = { skipped: "skipped (BENCH_ONLY / BENCH_SKIP_ENGINE)" };
    } else {
        const n = Number(process.env.BENCH_PLUGIN_PROFILES ?? 200);
        progress(`front doors: pulumi up of ${n} profiles as dynamic resources, then through the provider plugin`);
        const p = await attempt("front doors", () => benchFrontDoors(n, progress));
        if (p) results.plugin = p;
    }

    if (!partRuns("tenants")) {
        results.tenants = { skipped: "skipped (BENCH_ONLY / BENCH_SKIP_ENGINE)" };
    } else if (!(results.engine && "skipped" in results.engine && results.engine.skipped.startsWith("skipped: no pulumi CLI"))) {
        const n = Number(process.env.BENCH_TENANTS ?? 5);
        const perTenant = Number(process.env.BENCH_TENANT_PROFILES ?? 50);
        progress(`many tenants: ${n} x ${perTenant} profiles in parallel, and one tenant's ${perTenant}`);
        const t = await attempt("many tenants", () => benchTenants(n, perTenant, progress));
        if (t) {
            results.tenants = t;
            if (t.failures.length > 0) results.errors.push({ phase: "many tenants", error: t.failures.join("; ") });
        }
    }

    results.durationMs = performance.now() - T0;
    results.machine.loadAverageAtEnd = loadavg().map((l) => round(l));
    const { text, targets } = render(results);
    results.targets = targets;
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, "latest.json");
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n${text}\n\n`);
    if (results.errors.length > 0) {
        process.stdout.write(`The benchmark broke in ${results.errors.length} part(s):\n${results.errors.map((e) => `  ${e.phase}: ${e.error}`).join("\n")}\n`);
    }
    process.stdout.write(`Results: ${file} (${(results.durationMs / 1000).toFixed(0)} s)\n`);
    return results.errors.length > 0 ? 1 : 0;
}

main().then(
    (code) => {
        killAll();
        process.exit(code);
    },
    (err) => {
        process.stderr.write(`bench crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
        killAll();
        process.exit(2);
    },
);
