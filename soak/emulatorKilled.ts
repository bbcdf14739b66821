import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { profileSpecs } from "../bench/workload";
import { seededRandom } from "../emulator/faults";
import { REPO_ROOT } from "../scripts/localPulumi";
import { compareTenant, configureProvider, scaledTimes, Fleet, PhaseResult } from "./fleet";
import { Produced } from "./secrets";
import { StandaloneEmulator } from "./standaloneEmulator";

/**
 * Part 3, the emulator killed: the standalone emulator with a state file, SIGKILLed in the middle of a rollout and
 * started again on the same port and file. Every create the provider had been answered for must still be there;
 * the creates under way ride out the outage, and the next run converges on exactly the declared fleet.
 */

export interface EmulatorKilledOptions {
    profiles: number;
    /** Kill once about this share of the fleet exists. */
    killAtShare: number;
    /** How long the service stays down before it is started again. */
    downMs: number;
    windowMs: number;
    /** The provider's write budget per window (default Intune's 100): a small fleet needs a smaller one to be caught mid-rollout. */
    writesPerWindow?: number;
    seed: number;
    log: (line: string) => void;
}

export interface EmulatorKilledResult {
    profiles: number;
    /** Creates the provider had completed (id returned) when the kill came. */
    acknowledgedAtKill: number;
    /** Of those, missing (or with another token) after the restart. */
    lostAcknowledged: number;
    inTenantAtKill: number;
    inTenantAfterRestart: number;
    firstRun: PhaseResult;
    nextRun: PhaseResult;
    refresh: PhaseResult;
    converged: boolean;
    duplicates: number;
    unowned: number;
    downMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function emulatorKilled(o: EmulatorKilledOptions, produced: Produced): Promise<EmulatorKilledResult> {
    const dir = join(REPO_ROOT, ".pulumi-local", "soak", "emulator-killed");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const stateFile = join(dir, "state.json");
    // The emulator's own files but its store: lock and temporary files beside it must hold no secret in plain text
    // (the kill may leave a temporary copy of the store; the restarted emulator removes it at its first write).
    produced.path(dir, [stateFile]);
    produced.cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const args = ["--throttle-window-ms", String(o.windowMs)];
    let emulator = await StandaloneEmulator.start({ stateFile, args });
    const first = emulator;
    produced.process("killed emulator output", () => first.log());
    produced.credential(emulator.info.clientSecret);
    try {
        await configureProvider(
            emulator.providerConfig({ ...scaledTimes(o.windowMs), ...(o.writesPerWindow ? { "intune:writesPerWindow": String(o.writesPerWindow) } : {}) }),
        );
        const fleet = new Fleet(profileSpecs(o.profiles, `soak-emulator-killed-${o.seed}`));
        for (const r of fleet.resources) if (typeof r.args.wifiPassword === "string") produced.wifiPassword(r.args.wifiPassword);
        const random = seededRandom(o.seed);
        const killAt = Math.max(1, Math.round(o.profiles * o.killAtShare * (0.75 + random() * 0.5)));
        const firstRunDone = fleet.create();
        let inTenantAtKill = 0;
        for (;;) {
            inTenantAtKill = (await emulator.profiles()).length;
            if (inTenantAtKill >= killAt) break;
            await sleep(50);
        }
        // Only what the provider had been told, at the instant of the kill.
        const acknowledged = fleet.resources.filter((r) => r.id).map((r) => ({ id: r.id!, token: r.outs?.tokenValue }));
        await emulator.kill("SIGKILL");
        o.log(`  emulator killed: SIGKILL with ${inTenantAtKill} profiles stored, ${acknowledged.length} creates acknowledged; down for ${o.downMs} ms`);
        await sleep(o.downMs);
        emulator = await StandaloneEmulator.start({ stateFile, port: first.port, args });
        const second = emulator;
        produced.process("restarted emulator output", () => second.log());
        const restarted = await emulator.profiles();
        const byId = new Map(restarted.map((p) => [String(p.id), p]));
        const lostAcknowledged = acknowledged.filter((a) => !byId.has(a.id) || (a.token !== undefined && byId.get(a.id)!.tokenValue !== a.token)).length;
        const firstRun = await firstRunDone;
        o.log(
            `    restarted on port ${emulator.port}: ${restarted.length} profiles, ${lostAcknowledged} acknowledged creates lost; the run under way ended with ${firstRun.failed} of ${firstRun.operations} failed`,
        );
        // The next `pulumi up`: what failed is created again (or finished, when the engine kept it), then a refresh.
        const nextRun = await fleet.create();
        const refresh = await fleet.refresh();
        const profiles = await emulator.profiles();
        for (const p of profiles) for (const key of ["tokenValue", "qrCodeContent"]) if (typeof p[key] === "string") produced.secret(p[key] as string);
        for (const m of fleet.messages) produced.text("killed emulator: provider error", m);
        const tenant = compareTenant(profiles, fleet.resources);
        o.log(
            `    next run: ${nextRun.operations} creates, ${nextRun.failed} failed; tenant ${tenant.equal ? "as declared" : `differs: ${tenant.mismatchCount} mismatched, ${tenant.duplicates} duplicates, ${tenant.unowned} unowned`}`,
        );
        return {
            profiles: o.profiles,
            acknowledgedAtKill: acknowledged.length,
            lostAcknowledged,
            inTenantAtKill,
            inTenantAfterRestart: restarted.length,
            firstRun,
            nextRun,
            refresh,
            converged: tenant.equal && nextRun.failed === 0 && refresh.failed === 0,
            duplicates: tenant.duplicates,
            unowned: tenant.unowned,
            downMs: o.downMs,
        };
    } finally {
        await emulator.kill("SIGTERM");
    }
}
