import { writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { killAll } from "../bench/children";
import { REPO_ROOT } from "../scripts/localPulumi";
import { emulatorKilled, EmulatorKilledResult } from "./emulatorKilled";
import { fuzz, FuzzResult } from "./fuzz";
import { killedRuns, KilledRunsResult } from "./killedRuns";
import { Produced, SweepResult } from "./secrets";
import { faultStorm, STORM_DEFAULTS, StormResult } from "./storm";

/**
 * `npm run soak`: how much chaos a rollout survives, and what it leaves behind. Five parts against emulators on this
 * machine (a fault storm, killed processes, a killed emulator, fuzzed inputs and answers, a secrets sweep), a table
 * of targets with PASS or MISS, and soak-results.json. Exits non-zero only if the suite itself broke.
 */

const T0 = performance.now();
const log = (line: string): void => {
    process.stderr.write(`[soak ${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};
const num = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);

export const SOAK_SETTINGS = {
    stormProfiles: num("SOAK_STORM_PROFILES", 1000),
    windowMs: num("SOAK_WINDOW_MS", STORM_DEFAULTS.windowMs),
    killCycles: num("SOAK_KILL_CYCLES", 4),
    killWave: num("SOAK_KILL_WAVE", 10),
    emulatorProfiles: num("SOAK_EMULATOR_PROFILES", 200),
    fuzzInputs: num("SOAK_FUZZ_INPUTS", 1000),
    fuzzAnswers: num("SOAK_FUZZ_ANSWERS", 200),
    seed: num("SOAK_SEED", 14),
};

export interface Target {
    part: string;
    target: string;
    value: string;
    pass: boolean | undefined;
}

export interface SoakResults {
    startedAt: string;
    wallMs: number;
    settings: typeof SOAK_SETTINGS;
    machine: { cpus: number; model: string; memoryGB: number; loadStart: number[]; loadEnd?: number[] };
    storm?: StormResult;
    killedRuns?: KilledRunsResult;
    emulatorKilled?: EmulatorKilledResult;
    fuzz?: FuzzResult;
    secrets?: SweepResult;
    targets: Target[];
    broken?: string;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(0)} s`;

export function targets(r: SoakResults): Target[] {
    const t: Target[] = [];
    const add = (part: string, target: string, value: string, pass: boolean | undefined): void => void t.push({ part, target, value, pass });
    if (r.storm) {
        const x = r.storm;
        const part = `1 fault storm (${x.profiles})`;
        add(part, "failed operations = 0", String(x.failedOperations), x.failedOperations === 0);
        add(part, "duplicate profiles = 0", String(x.duplicates), x.duplicates === 0);
        add(part, "profiles no resource owns = 0", String(x.unowned), x.unowned === 0);
        add(
            part,
            "tenant = declared after every phase",
            x.phases.map((p) => `${p.name.split(" ")[0]} ${p.tenant.equal ? "yes" : "NO"}`).join(", "),
            x.tenantAsDeclared,
        );
        add(
            part,
            "wall time vs throttle bound (reported)",
            `${s(x.wallMs)} vs ${s(x.throttleBoundMs)} (${x.writes} writes, W = ${x.windowMs / 1000} s)`,
            undefined,
        );
    }
    if (r.killedRuns) {
        const x = r.killedRuns;
        const part = `2 killed processes (${x.cycles.length} kills)`;
        const ok = x.cycles.filter((c) => c.onePerResource).length;
        add(part, "one profile per declared resource", `${ok} of ${x.cycles.length} recoveries`, x.onePerResource);
        add(part, "untracked after recovery = 0", String(x.untracked), x.untracked === 0);
    }
    if (r.emulatorKilled) {
        const x = r.emulatorKilled;
        const part = `3 emulator killed (${x.profiles})`;
        add(part, "acknowledged writes lost = 0", `${x.lostAcknowledged} of ${x.acknowledgedAtKill}`, x.lostAcknowledged === 0);
        add(
            part,
            "next run converges",
            x.converged
                ? `yes (${x.duplicates} duplicates, ${x.unowned} unowned)`
                : `NO (${x.duplicates} duplicates, ${x.unowned} unowned, ${x.nextRun.failed} failed)`,
            x.converged,
        );
    }
    if (r.fuzz) {
        const x = r.fuzz;
        const part = "4 fuzzed inputs";
        const crashes = x.inputs.crashes + x.responses.crashes + x.unhandledRejections;
        add(part, "crashes + unhandled rejections = 0", `${crashes} (${x.inputs.cases} inputs, ${x.responses.cases} answers)`, crashes === 0);
        const wrong = x.inputs.badWithoutFailure + x.inputs.failureNotNamingProperty;
        add(part, "bad input -> check failure naming it", `${x.inputs.bad - wrong} of ${x.inputs.bad}`, wrong === 0);
        add(
            part,
            "bad answer -> error naming op and profile",
            `${x.responses.failed - x.responses.unclear} of ${x.responses.failed} errors`,
            x.responses.unclear === 0,
        );
        add(part, "no secret in those errors", `${x.responses.withSecret} with a secret`, x.responses.withSecret === 0);
    }
    if (r.secrets) {
        const x = r.secrets;
        add(
            "5 secrets",
            "plain-text hits = 0",
            `${x.hits.length} (${x.secrets} secrets in ${x.files} files + ${x.places - x.files} logs/errors, ${(x.bytes / 1e6).toFixed(1)} MB)`,
            x.hits.length === 0,
        );
    }
    return t;
}

export function renderTable(rows: Target[]): string {
    const header = ["part", "target", "value", ""];
    const cells = rows.map((r) => [r.part, r.target, r.value, r.pass === undefined ? "report" : r.pass ? "PASS" : "MISS"]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]): string =>
        c
            .map((x, i) => x.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

async function main(): Promise<number> {
    const produced = new Produced();
    const results: SoakResults = {
        startedAt: new Date().toISOString(),
        wallMs: 0,
        settings: SOAK_SETTINGS,
        machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "", memoryGB: Math.round(totalmem() / 1e9), loadStart: loadavg() },
        targets: [],
    };
    const o = SOAK_SETTINGS;
    try {
        log(`1. fault storm: ${o.stormProfiles} profiles, W = ${o.windowMs} ms`);
        results.storm = await faultStorm({ ...STORM_DEFAULTS, profiles: o.stormProfiles, windowMs: o.windowMs, seed: o.seed, log }, produced);
        log(`2. killed processes: ${o.killCycles} kills, ${o.killWave} new resources each`);
        results.killedRuns = await killedRuns({ cycles: o.killCycles, wave: o.killWave, seed: o.seed, log }, produced);
        log(`3. emulator killed: ${o.emulatorProfiles} profiles`);
        results.emulatorKilled = await emulatorKilled(
            { profiles: o.emulatorProfiles, killAtShare: 0.4, downMs: 2000, windowMs: o.windowMs, seed: o.seed, log },
            produced,
        );
        log(`4. fuzz: ${o.fuzzInputs} inputs per type, ${o.fuzzAnswers} corrupted answers`);
        results.fuzz = await fuzz({ inputRuns: o.fuzzInputs, responseRuns: o.fuzzAnswers, seed: o.seed, log }, produced);
        log("5. secrets sweep");
        results.secrets = produced.sweep();
    } catch (err) {
        results.broken = err instanceof Error ? (err.stack ?? err.message) : String(err);
    } finally {
        produced.runCleanups();
    }
    results.wallMs = performance.now() - T0;
    results.machine.loadEnd = loadavg();
    results.targets = targets(results);
    const file = join(REPO_ROOT, "soak-results.json");
    writeFileSync(file, JSON.stringify(results, null, 2));
    process.stdout.write(`\n${renderTable(results.targets)}\n\n`);
    process.stdout.write(
        `${results.targets.filter((t) => t.pass === false).length} MISS of ${results.targets.filter((t) => t.pass !== undefined).length} targets; ${s(results.wallMs)} on ${results.machine.cpus} CPUs; soak-results.json\n`,
    );
    if (results.broken) {
        process.stderr.write(`\nthe soak suite broke: ${results.broken}\n`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    main().then(
        (code) => {
            killAll();
            process.exit(code);
        },
        (err: unknown) => {
            process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
            killAll();
            process.exit(1);
        },
    );
}
