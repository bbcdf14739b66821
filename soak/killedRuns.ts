import { ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { track } from "../bench/children";
import { RunningEmulator, startEmulator } from "../emulator";
import { seededRandom } from "../emulator/faults";
import { emulatorConfigArgs, ensurePulumi, pulumiEnvironment, REPO_ROOT, run, RunResult } from "../scripts/localPulumi";
import { Produced } from "./secrets";
import { processesWithEnvironment } from "../scripts/processes";

/**
 * Part 2, killed processes: `pulumi up` of a program on disk through the real CLI, its language host and the
 * dynamic-provider host, killed with SIGKILL at a random point of the rollout (the CLI, or the provider's host),
 * again and again. After each kill the recovery of docs/reliability.md: find the orphans, `pulumi cancel`, clear the pending
 * operations, adopt the orphans tied to a pending create, `pulumi up`, delete the duplicates left. Then the tenant
 * must hold exactly one profile per declared resource and nothing the stack does not own.
 */

export interface KilledRunsOptions {
    /** Kill-and-recover cycles; each adds a wave of new resources to the program, so each kill hits creates. */
    cycles: number;
    /** Resources per wave. */
    wave: number;
    seed: number;
    log: (line: string) => void;
}

export interface Cycle {
    killed: "pulumi CLI" | "dynamic-provider host";
    /** Profiles of the wave in the tenant when the kill came. */
    atProfiles: number;
    pendingCreates: number;
    orphansFound: number;
    adopted: number;
    duplicatesDeleted: number;
    declared: number;
    /** After recovery. */
    profiles: number;
    inState: number;
    untracked: number;
    duplicateNames: number;
    onePerResource: boolean;
}

export interface KilledRunsResult {
    cycles: Cycle[];
    /** Every cycle ended with exactly one profile per declared resource. */
    onePerResource: boolean;
    untracked: number;
    wallMs: number;
}

const CLI = join(REPO_ROOT, "dist", "provider", "cli.js");
const ENV_MARKER = "INTUNE_SOAK_RUN_MARKER";
const WIFI_PASSWORD = "soak-killed-wifi-passphrase-77";

const program = (wave: number): string => `
const fs = require("node:fs");
const path = require("node:path");
const pulumi = require("@pulumi/pulumi");
const intune = require("pulumi-intune-enrollment");
const wifiPassword = new pulumi.Config("soak").requireSecret("wifiPassword");
const read = (f, d) => (fs.existsSync(path.join(__dirname, f)) ? JSON.parse(fs.readFileSync(path.join(__dirname, f), "utf8")) : d);
const adopt = read("adopt.json", {});
const { waves } = read("waves.json", { waves: 1 });
for (let w = 1; w <= waves; w++) {
    for (let i = 1; i <= ${wave}; i++) {
        const name = "w" + w + "-" + String(i).padStart(2, "0");
        const args = { displayName: "Soak killed " + name, ...(adopt[name] ? { adoptExistingId: adopt[name] } : {}) };
        if (i % 5 === 0) new intune.AndroidForWorkEnrollmentProfile(name, { ...args, tokenValidityDays: 30 });
        else if (i % 5 === 1) new intune.AndroidDeviceOwnerEnrollmentProfile(name, { ...args, enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            tokenValidityDays: 30, wifiSsid: "Soak", wifiSecurityType: "wpa", wifiPassword });
        else new intune.AndroidDeviceOwnerEnrollmentProfile(name, { ...args, enrollmentMode: "corporateOwnedFullyManaged" });
    }
}
`;

interface ExportedState {
    deployment: { resources?: { urn: string; type: string; id?: string }[]; pending_operations?: { type: string; resource: { urn: string } }[] };
}

interface OrphansJson {
    orphans: { id: string; displayName: string; pendingCreate: { name: string } | null; sameNameAs: { name: string }[] }[];
    deleted: string[];
}

/** Processes (not yet reaped) that inherited the marker from the CLI of this run: the hosts and their children. */
function processesOfRun(marker: string): { pid: number; command: string }[] {
    return processesWithEnvironment(ENV_MARKER, marker);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function killedRuns(o: KilledRunsOptions, produced: Produced): Promise<KilledRunsResult> {
    const root = join(REPO_ROOT, ".pulumi-local", "soak", "killed-runs");
    const workDir = join(root, "program");
    rmSync(root, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const emulator: RunningEmulator = await startEmulator({ throttle: { enabled: false }, recordRequests: false });
    const binDir = await ensurePulumi(() => undefined);
    const env = pulumiEnvironment(binDir, join(root, "pulumi"));
    // The program and the orphans command must find the emulator through the stack's settings only.
    for (const key of Object.keys(env)) if (/^(AZURE_|ARM_|INTUNE_)/.test(key)) delete env[key];
    const outputs: string[] = [];
    produced.path(root);
    produced.process("killed runs: CLI and orphans command output", () => outputs.join("\n"));
    produced.credential(emulator.defaultApp.secret);
    produced.wifiPassword(WIFI_PASSWORD);
    const keep = (r: RunResult): RunResult => {
        outputs.push(r.stdout, r.stderr);
        return r;
    };
    const pulumi = async (args: string[], allowFailure = false): Promise<RunResult> =>
        keep(await run("pulumi", [...args, "--stack", "soak", "--non-interactive"], { cwd: workDir, env, allowFailure }));
    const orphans = async (...args: string[]): Promise<{ code: number; report: OrphansJson }> => {
        const result = keep(
            await run(process.execPath, [CLI, "orphans", "--cwd", workDir, "--stack", "soak", "--json", ...args], { cwd: REPO_ROOT, env, allowFailure: true }),
        );
        if (result.code === 1) throw new Error(`the orphans command failed: ${result.stderr}`);
        return { code: result.code, report: JSON.parse(result.stdout) as OrphansJson };
    };
    const exported = async (): Promise<ExportedState> => JSON.parse((await pulumi(["stack", "export"])).stdout) as ExportedState;
    const profileIds = (state: ExportedState): string[] =>
        (state.deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/intune:") && r.id).map((r) => r.id!);
    const tenant = (): Record<string, unknown>[] => [
        ...emulator.profiles("androidDeviceOwnerEnrollmentProfiles"),
        ...emulator.profiles("androidForWorkEnrollmentProfiles"),
    ];
    const tenantSecrets = (): void => {
        for (const p of tenant()) for (const key of ["tokenValue", "qrCodeContent"]) if (typeof p[key] === "string") produced.secret(p[key] as string);
    };
    const random = seededRandom(o.seed);
    const started = Date.now();
    const cycles: Cycle[] = [];
    try {
        writeFileSync(join(workDir, "Pulumi.yaml"), "name: soak-killed\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n");
        // Without a package.json of its own, the program would be the closest one's main: this repository's.
        writeFileSync(join(workDir, "package.json"), JSON.stringify({ name: "soak-killed", private: true, main: "index.js" }));
        writeFileSync(join(workDir, "index.js"), program(o.wave));
        keep(await run("pulumi", ["stack", "init", "soak", "--non-interactive"], { cwd: workDir, env }));
        const e = emulator;
        await pulumi(["config", "set-all", ...emulatorConfigArgs(e), "--secret", `soak:wifiPassword=${WIFI_PASSWORD}`]);

        for (let c = 1; c <= o.cycles; c++) {
            const killHost = c % 2 === 0;
            const before = tenant().length;
            // Kill once this many of the wave's profiles exist, plus a random moment: anywhere in the rollout.
            const atCount = 1 + Math.floor(random() * (o.wave - 1));
            const extraMs = Math.floor(random() * 400);
            writeFileSync(join(workDir, "waves.json"), JSON.stringify({ waves: c }));
            // Intune stores each profile at once but answers late: the window in which a kill loses the id.
            e.setFaults({ rules: [{ method: "POST", path: "EnrollmentProfiles$", afterCommit: true, delayMs: 300 + Math.floor(random() * 900) }] });
            const marker = randomUUID();
            const cli: ChildProcess = track(
                spawn("pulumi", ["up", "--yes", "--skip-preview", "--parallel", "4", "--stack", "soak", "--non-interactive"], {
                    cwd: workDir,
                    env: { ...env, [ENV_MARKER]: marker },
                    stdio: ["ignore", "pipe", "pipe"],
                }),
            );
            let output = "";
            cli.stdout!.on("data", (b: Buffer) => (output += b.toString()));
            cli.stderr!.on("data", (b: Buffer) => (output += b.toString()));
            const exited = new Promise<void>((resolve) => cli.once("exit", () => resolve()));
            const deadline = Date.now() + 120_000;
            while (tenant().length - before < atCount) {
                if (Date.now() > deadline || cli.exitCode !== null)
                    throw new Error(`cycle ${c}: the rollout never reached ${atCount} new profiles:\n${output.slice(-3000)}`);
                await sleep(20);
            }
            await sleep(extraMs);
            const atProfiles = tenant().length - before;
            if (killHost) {
                const host = processesOfRun(marker).find((p) => /dynamic-provider/.test(p.command));
                if (!host) throw new Error(`cycle ${c}: no dynamic-provider host to kill`);
                process.kill(host.pid, "SIGKILL");
            } else {
                cli.kill("SIGKILL");
            }
            // The CLI goes on its own once its provider host is gone; give it time, then make sure.
            const gone = await Promise.race([exited.then(() => true), sleep(60_000).then(() => false)]);
            if (!gone) cli.kill("SIGKILL");
            await exited;
            outputs.push(output);
            for (let left = processesOfRun(marker), t = Date.now(); left.length > 0 && Date.now() - t < 10_000; left = processesOfRun(marker)) await sleep(100);
            e.clearFaults();
            tenantSecrets();
            const killedState = await exported();
            const pendingCreates = (killedState.deployment.pending_operations ?? []).filter((op) => op.type === "creating").length;
            o.log(
                `  killed runs: cycle ${c}, SIGKILL of the ${killHost ? "dynamic-provider host" : "pulumi CLI"} at ${atProfiles} of ${o.wave} new profiles; ${pendingCreates} pending creates`,
            );

            // The recovery of docs/reliability.md. 1: find the orphans while the pending creates still tie them to resources.
            const found = await orphans();
            // 2: release the lock a killed CLI leaves (a killed host lets the CLI finish: then there is none).
            await pulumi(["cancel", "--yes"], true);
            // 3: clear the pending operations.
            const stateFile = join(root, "cleared.json");
            writeFileSync(stateFile, JSON.stringify({ ...killedState, deployment: { ...killedState.deployment, pending_operations: [] } }));
            await pulumi(["stack", "import", "--file", stateFile]);
            // 4: adopt each orphan into the resource whose create made it, run up, delete what is left (duplicates).
            const adoptFile = join(workDir, "adopt.json");
            const adopt = (existsSync(adoptFile) ? JSON.parse(readFileSync(adoptFile, "utf8")) : {}) as Record<string, string>;
            const tied = found.report.orphans.filter((x) => x.pendingCreate);
            for (const x of tied) adopt[x.pendingCreate!.name] = x.id;
            writeFileSync(adoptFile, JSON.stringify(adopt));
            await pulumi(["up", "--yes", "--skip-preview"]);
            const deletion = await orphans("--marked", "--delete", "--yes");
            const after = await orphans();
            const state = await exported();
            const ids = profileIds(state);
            const profiles = tenant();
            tenantSecrets();
            const declared = c * o.wave;
            const names = new Set(profiles.map((p) => String(p.displayName)));
            const cycle: Cycle = {
                killed: killHost ? "dynamic-provider host" : "pulumi CLI",
                atProfiles,
                pendingCreates,
                orphansFound: found.report.orphans.length,
                adopted: tied.length,
                duplicatesDeleted: deletion.report.deleted.length,
                declared,
                profiles: profiles.length,
                inState: ids.length,
                untracked: after.report.orphans.length,
                duplicateNames: profiles.length - names.size,
                onePerResource:
                    profiles.length === declared &&
                    ids.length === declared &&
                    names.size === declared &&
                    profiles.every((p) => ids.includes(String(p.id))) &&
                    after.code === 0,
            };
            cycles.push(cycle);
            o.log(
                `    recovered: ${cycle.orphansFound} orphans (${cycle.adopted} adopted, ${cycle.duplicatesDeleted} duplicates deleted); ${cycle.profiles} profiles for ${declared} resources, ${cycle.untracked} untracked`,
            );
        }
        await pulumi(["destroy", "--yes", "--skip-preview"]);
        return {
            cycles,
            onePerResource: cycles.length === o.cycles && cycles.every((c) => c.onePerResource),
            untracked: Math.max(0, ...cycles.map((c) => c.untracked)),
            wallMs: Date.now() - started,
        };
    } finally {
        await pulumi(["cancel", "--yes"], true);
        await emulator.stop();
        // The folder (program, backend with the stack's checkpoints, history and backups) stays for the secrets
        // sweep; the runner removes it afterwards.
        produced.cleanup(() => rmSync(root, { recursive: true, force: true }));
    }
}
