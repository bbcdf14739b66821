import { LIMITS, profileSpecs, windowTerm } from "../bench/workload";
import type { Entity } from "../emulator";
import { compareTenant, configureProvider, scaledTimes, Fleet, PhaseResult, TenantComparison } from "./fleet";
import { Produced } from "./secrets";
import { StandaloneEmulator } from "./standaloneEmulator";

/**
 * Part 1, the fault storm: a fleet of the benchmark's mix created, a third updated, a tenth renewed and all deleted
 * through an emulator that throttles without Retry-After, fails at random, loses the answers of applied writes,
 * answers reads late and runs its clock off the client's. After every phase the tenant must be what was declared.
 */

export interface StormOptions {
    profiles: number;
    /** Intune's 20 s window, scaled (the benchmark's W). */
    windowMs: number;
    /** Share of requests answered 429 without Retry-After. */
    throttledRate: number;
    /** Share of requests answered 500, 502, 503 or 504 (a quarter each). */
    serverErrorRate: number;
    /** Share of writes applied and then their connection dropped. */
    lostAnswerRate: number;
    /** How long reads lag behind a write (404 after a create, the old version after a PATCH). */
    readLagMs: number;
    /** The service's clock against the client's. */
    clockSkewMs: number;
    seed: number;
    log: (line: string) => void;
}

export const STORM_DEFAULTS: Omit<StormOptions, "profiles" | "log"> = {
    windowMs: 2000,
    throttledRate: 0.3,
    serverErrorRate: 0.1,
    lostAnswerRate: 0.02,
    readLagMs: 1000,
    clockSkewMs: -7 * 60_000,
    seed: 14,
};

export interface StormPhase extends PhaseResult {
    name: string;
    tenant: TenantComparison;
}

export interface StormResult {
    profiles: number;
    windowMs: number;
    faults: Record<string, number>;
    phases: StormPhase[];
    failedOperations: number;
    duplicates: number;
    unowned: number;
    /** The tenant equalled the declarations after every phase. */
    tenantAsDeclared: boolean;
    /** Writes the run needs at least, and the throttle bound they set: ceil(writes / 100 - 1) × W. */
    writes: number;
    throttleBoundMs: number;
    wallMs: number;
    /** What the emulator answered, by status ("0": connection dropped). */
    answers: Record<string, number>;
    renewedTokens: number;
}

export async function faultStorm(options: StormOptions, produced: Produced): Promise<StormResult> {
    const o = options;
    const emulator = await StandaloneEmulator.start({ args: ["--throttle-window-ms", String(o.windowMs), "--no-retry-after"] });
    produced.process("storm emulator output", () => emulator.log());
    try {
        await configureProvider(emulator.providerConfig(scaledTimes(o.windowMs)));
        const quarter = o.serverErrorRate / 4;
        await emulator.setFaults({
            statusRates: { "429": o.throttledRate, "500": quarter, "502": quarter, "503": quarter, "504": quarter },
            statusRetryAfter: false,
            dropAfterCommitRate: o.lostAnswerRate,
            notFoundAfterCreateMs: o.readLagMs,
            staleAfterPatchMs: o.readLagMs,
        });
        await emulator.setClockOffset(o.clockSkewMs);
        produced.credential(emulator.info.clientSecret, emulator.info.accessToken);

        const fleet = new Fleet(profileSpecs(o.profiles, `soak-storm-${o.seed}`));
        const phases: StormPhase[] = [];
        const tenantSecrets = (profiles: Entity[]): void => {
            for (const p of profiles)
                for (const key of ["tokenValue", "qrCodeContent", "wifiPassword"]) if (typeof p[key] === "string") produced.secret(p[key] as string);
        };
        const phase = async (name: string, run: () => Promise<PhaseResult>, declared = true): Promise<Entity[]> => {
            o.log(`  storm: ${name}`);
            const result = await run();
            const profiles = await emulator.profiles();
            tenantSecrets(profiles);
            const tenant = compareTenant(profiles, fleet.resources, declared);
            phases.push({ name, ...result, tenant });
            o.log(
                `    ${result.operations} operations, ${result.failed} failed, ${(result.wallMs / 1000).toFixed(1)} s; tenant ${tenant.equal ? "as declared" : `differs: ${tenant.mismatchCount} mismatched, ${tenant.duplicates} duplicates, ${tenant.unowned} unowned`}`,
            );
            return profiles;
        };
        const started = Date.now();
        await phase(`create ${o.profiles}`, () => fleet.create());
        const updated = fleet.resources.filter((r) => r.spec.index % 3 === 0);
        for (const r of updated) r.args.description = `updated in the storm (${r.spec.index})`;
        await phase(`update ${updated.length}`, () => fleet.update(updated));
        // A changed validity issues a new token (createToken): the renewal path, on a tenth of the fleet.
        const renewed = fleet.resources.filter((r) => r.spec.index % 10 === 0);
        const tokensBefore = new Map(renewed.map((r) => [r.id, r.outs?.tokenValue]));
        for (const r of renewed) r.args.tokenValidityDays = 60;
        const afterRenewal = await phase(`renew ${renewed.length}`, () => fleet.update(renewed));
        const renewedTokens = afterRenewal.filter((p) => tokensBefore.has(String(p.id)) && p.tokenValue !== tokensBefore.get(String(p.id))).length;
        for (const r of fleet.resources) if (typeof r.args.wifiPassword === "string") produced.wifiPassword(r.args.wifiPassword);
        for (const s of fleet.secrets()) produced.secret(s);
        await phase(`delete ${o.profiles}`, () => fleet.destroy(), false);
        const wallMs = Date.now() - started;
        for (const m of fleet.messages) produced.text("storm error", m);

        const tokenCalls = fleet.resources.filter((r) => r.spec.needsTokenCall).length;
        const writes = o.profiles + tokenCalls + updated.length + renewed.length + o.profiles;
        const reads = o.profiles * 3;
        const throttleBoundMs = Math.max(windowTerm(writes, LIMITS.appWrites, o.windowMs), windowTerm(writes + reads, LIMITS.appRequests, o.windowMs));
        const answers = (await emulator.requestCount()).byStatus;
        return {
            profiles: o.profiles,
            windowMs: o.windowMs,
            faults: {
                throttledRate: o.throttledRate,
                serverErrorRate: o.serverErrorRate,
                lostAnswerRate: o.lostAnswerRate,
                readLagMs: o.readLagMs,
                clockSkewMs: o.clockSkewMs,
            },
            phases,
            failedOperations: phases.reduce((a, p) => a + p.failed, 0),
            duplicates: Math.max(...phases.map((p) => p.tenant.duplicates)),
            unowned: Math.max(...phases.map((p) => p.tenant.unowned)),
            tenantAsDeclared: phases.every((p) => p.tenant.equal),
            writes,
            throttleBoundMs,
            wallMs,
            answers,
            renewedTokens,
        };
    } finally {
        await emulator.kill("SIGTERM");
    }
}
