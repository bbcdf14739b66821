import { expect } from "chai";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emulatorConfigArgs, ensurePulumi, pulumiEnvironment, REPO_ROOT, run, RunResult } from "../scripts/localPulumi";
import { allProfiles, E2E_ROOT } from "./support/e2e";
import { useEmulator } from "./support/emulator";
import { processesWithEnvironment } from "../scripts/processes";

/**
 * `pulumi up` of a program on disk through the real CLI, its language host and the dynamic-provider host, killed
 * with SIGKILL while profiles are being created. What users measured: hosts that ran on for over a minute, pending
 * creates Pulumi cannot import, and duplicates on the next run. What must hold: the hosts go within seconds, the
 * orphans command names exactly the profiles the state does not own, and adopting one and deleting the rest leaves
 * one profile per resource.
 */

const RESOURCES = 16;
const CLI = join(REPO_ROOT, "dist", "provider", "cli.js");
const ENV_MARKER = "INTUNE_KILLED_RUN_MARKER";

const PROGRAM = `
const fs = require("node:fs");
const path = require("node:path");
const intune = require("pulumi-intune-enrollment");
const adoptFile = path.join(__dirname, "adopt.json");
const adopt = fs.existsSync(adoptFile) ? JSON.parse(fs.readFileSync(adoptFile, "utf8")) : {};
const byName = fs.existsSync(path.join(__dirname, "adopt-by-name"));
for (let i = 1; i <= ${RESOURCES}; i++) {
    const name = "kiosk-" + String(i).padStart(2, "0");
    const args = {
        displayName: "Killed run " + name,
        ...(adopt[name] ? { adoptExistingId: adopt[name] } : {}),
        ...(byName ? { adoptByDisplayName: true } : {}),
    };
    if (i % 4 === 0) new intune.AndroidForWorkEnrollmentProfile(name, { ...args, tokenValidityDays: 30 });
    else new intune.AndroidDeviceOwnerEnrollmentProfile(name, { ...args, enrollmentMode: "corporateOwnedFullyManaged" });
}
`;

interface ExportedState {
    deployment: {
        resources?: { urn: string; type: string; id?: string }[];
        pending_operations?: { type: string; resource: { urn: string } }[];
    };
}

interface OrphansJson {
    orphans: { id: string; type: string; displayName: string; pendingCreate: { name: string } | null; sameNameAs: { name: string }[]; adopt: string }[];
    deleted: string[];
    failed: unknown[];
}

/** Processes (not yet reaped) that inherited the marker from the CLI of this run: the hosts and their children. */
function processesOfRun(marker: string): { pid: number; command: string }[] {
    return processesWithEnvironment(ENV_MARKER, marker);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("end to end: a pulumi up killed mid-rollout (SIGKILL of the CLI)", function () {
    this.timeout(180_000);
    const ctx = useEmulator();
    const root = join(E2E_ROOT, "killed-run");
    const workDir = join(root, "program");
    let env: NodeJS.ProcessEnv;
    const pulumi = (args: string[], allowFailure = false): Promise<RunResult> =>
        run("pulumi", [...args, "--stack", "e2e", "--non-interactive"], { cwd: workDir, env, allowFailure });
    const orphans = async (...args: string[]): Promise<{ code: number; report: OrphansJson }> => {
        const result = await run(process.execPath, [CLI, "orphans", "--cwd", workDir, "--stack", "e2e", "--json", ...args], {
            cwd: REPO_ROOT,
            env,
            allowFailure: true,
        });
        expect(result.stderr, "orphans command stderr").to.not.match(/orphans: /);
        return { code: result.code, report: JSON.parse(result.stdout) as OrphansJson };
    };
    const exported = async (): Promise<ExportedState> => JSON.parse((await pulumi(["stack", "export"])).stdout) as ExportedState;
    const profileIds = (state: ExportedState): string[] =>
        (state.deployment.resources ?? []).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/intune:") && r.id).map((r) => r.id!);

    before(async () => {
        const binDir = await ensurePulumi(() => undefined);
        rmSync(root, { recursive: true, force: true });
        mkdirSync(workDir, { recursive: true });
        env = pulumiEnvironment(binDir, join(root, "pulumi"));
        // The program and the orphans command must find the emulator through the stack's settings only.
        for (const key of Object.keys(env)) if (/^(AZURE_|ARM_|INTUNE_)/.test(key)) delete env[key];
        writeFileSync(join(workDir, "Pulumi.yaml"), "name: killed-run\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n");
        // Without a package.json of its own, the program would be the closest one's main: this repository's.
        writeFileSync(join(workDir, "package.json"), JSON.stringify({ name: "killed-run", private: true, main: "index.js" }));
        writeFileSync(join(workDir, "index.js"), PROGRAM);
    });

    after(async () => {
        if (!env) return;
        await pulumi(["cancel", "--yes"], true);
        await pulumi(["destroy", "--yes", "--skip-preview"], true);
        await pulumi(["stack", "rm", "--yes", "--force"], true);
    });

    /** `pulumi up` killed with SIGKILL once 6 profiles exist; both hosts must be gone within 5 s. */
    /** How late the emulator answers a create during a killed rollout (it stores the profile at once). */
    const ANSWER_DELAY_MS = 1500;
    const killMidRollout = async (extraEnv: Record<string, string>): Promise<void> => {
        const e = ctx.emulator;
        // Intune stores each profile at once but answers late: the window in which a killed CLI loses the id.
        e.setFaults({ rules: [{ method: "POST", path: "EnrollmentProfiles$", afterCommit: true, delayMs: ANSWER_DELAY_MS }] });
        const marker = randomUUID();
        const cli = spawn("pulumi", ["up", "--yes", "--skip-preview", "--parallel", "4", "--stack", "e2e", "--non-interactive"], {
            cwd: workDir,
            env: { ...env, ...extraEnv, [ENV_MARKER]: marker },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        cli.stdout.on("data", (c: Buffer) => (output += c.toString()));
        cli.stderr.on("data", (c: Buffer) => (output += c.toString()));
        const exited = new Promise<void>((resolve) => cli.once("exit", () => resolve()));
        const deadline = Date.now() + 60_000;
        while (allProfiles(e).length < 6) {
            if (Date.now() > deadline || cli.exitCode !== null) throw new Error(`the rollout never reached 6 profiles:\n${output}`);
            await sleep(25);
        }
        const hosts = processesOfRun(marker);
        expect(hosts.map((p) => p.command).join("\n"), "hosts running before the kill")
            .to.match(/pulumi-language-nodejs/)
            .and.to.match(/dynamic-provider/);
        cli.kill("SIGKILL");
        await exited;
        const killedAt = Date.now();

        let left = processesOfRun(marker);
        while (left.length > 0 && Date.now() - killedAt < 5_000) {
            await sleep(100);
            left = processesOfRun(marker);
        }
        expect(
            left.map((p) => `${p.pid} ${p.command}`),
            "processes of the killed run still running 5 s after the kill",
        ).to.deep.equal([]);
        // The emulator logs a request when it answers: the killed run's last creates, stored at once, are answered
        // (and logged) only after the delay. Past it, the log holds all of the killed run and nothing comes later.
        await sleep(Math.max(0, killedAt + ANSWER_DELAY_MS + 250 - Date.now()));
        e.clearFaults();
    };

    /**
     * A kill can cut short the file backend's metadata file beside the checkpoint (written in place): every command
     * then fails with "failed to load checkpoint: EOF". Deleted as docs/reliability.md says; a no-op otherwise.
     */
    const removeCutMetadata = (): void => {
        const stacks = join(root, "pulumi", "state", ".pulumi", "stacks");
        if (!existsSync(stacks)) return;
        for (const file of readdirSync(stacks, { recursive: true, encoding: "utf8" })) {
            const path = join(stacks, file);
            if (file.endsWith(".attrs") && statSync(path).size === 0) rmSync(path);
        }
    };

    /** A new stack, whatever an earlier test left (a lock, a checkpoint it could not read). */
    const freshStack = async (): Promise<void> => {
        removeCutMetadata();
        await pulumi(["cancel", "--yes"], true);
        await pulumi(["destroy", "--yes", "--skip-preview"], true);
        await pulumi(["stack", "rm", "--yes", "--force"], true);
        rmSync(join(root, "pulumi", "state", ".pulumi", "stacks"), { recursive: true, force: true });
        rmSync(join(root, "pulumi", "state", ".pulumi", "locks"), { recursive: true, force: true });
        rmSync(join(workDir, "adopt.json"), { force: true });
        rmSync(join(workDir, "adopt-by-name"), { force: true });
    };

    const configure = async (): Promise<void> => {
        const e = ctx.emulator;
        await run("pulumi", ["stack", "init", "e2e", "--non-interactive"], { cwd: workDir, env });
        await pulumi(["config", "set-all", ...emulatorConfigArgs(e)]);
    };

    it("stops both hosts within seconds; the orphans command finds exactly the untracked profiles; adopt one, delete the rest, one profile per resource", async () => {
        const e = ctx.emulator;
        await configure();
        await killMidRollout({});
        removeCutMetadata();

        // What the kill left: profiles in the tenant that the state knows only as pending creates.
        const killed = await exported();
        const inState = profileIds(killed);
        const pendingCreates = (killed.deployment.pending_operations ?? []).filter((op) => op.type === "creating");
        const untracked = allProfiles(e)
            .map((p) => String(p.id))
            .filter((id) => !inState.includes(id));
        expect(inState.length, "profiles recorded before the kill").to.be.greaterThan(0);
        expect(pendingCreates.length, "pending creates").to.be.greaterThan(0);
        expect(untracked.length, "profiles the state does not own").to.be.greaterThan(0);

        const found = await orphans();
        expect(found.code).to.equal(3);
        expect(found.report.orphans.map((o) => o.id).sort()).to.deep.equal([...untracked].sort());
        const pendingNames = pendingCreates.map((op) => op.resource.urn.slice(op.resource.urn.lastIndexOf("::") + 2));
        for (const o of found.report.orphans) {
            expect(o.pendingCreate, `${o.displayName} tied to its pending create`).to.not.equal(null);
            expect(pendingNames).to.include(o.pendingCreate!.name);
            expect(o.adopt).to.include(`adoptExistingId: "${o.id}"`).and.to.include(`"${o.pendingCreate!.name}"`);
        }

        // As docs/reliability.md says: release the lock a killed run may leave, and drop the pending operations.
        await pulumi(["cancel", "--yes"]);
        const cleared = { ...killed, deployment: { ...killed.deployment, pending_operations: [] } };
        const stateFile = join(root, "cleared.json");
        writeFileSync(stateFile, JSON.stringify(cleared));
        await pulumi(["stack", "import", "--file", stateFile]);

        // Adopt one orphan into the resource whose create it was; the next run creates the others' resources anew.
        const adopted = found.report.orphans[0];
        writeFileSync(join(workDir, "adopt.json"), JSON.stringify({ [adopted.pendingCreate!.name]: adopted.id }));
        await pulumi(["up", "--yes", "--skip-preview"]);
        const afterUp = await exported();
        expect(profileIds(afterUp)).to.include(adopted.id);
        expect(profileIds(afterUp)).to.have.length(RESOURCES);

        // The rest are now duplicates of managed profiles: delete them, each live token revoked first (a legacy
        // profile the kill caught before its createToken has none).
        e.clearRequests();
        const rest = found.report.orphans
            .slice(1)
            .map((o) => o.id)
            .sort();
        // Every token here is fresh: a profile holding one must have it revoked, one without must not.
        const liveToken = new Set(
            allProfiles(e)
                .filter((p) => typeof p.tokenValue === "string" && p.tokenValue !== "")
                .map((p) => String(p.id)),
        );
        const deletion = await orphans("--delete", "--yes");
        expect(deletion.report.orphans.map((o) => o.id).sort()).to.deep.equal(rest);
        expect(deletion.report.orphans.every((o) => o.sameNameAs.length === 1)).to.equal(true);
        expect([...deletion.report.deleted].sort()).to.deep.equal(rest);
        expect(deletion.code).to.equal(0);
        const writes = e.requests().filter((r) => r.method !== "GET");
        for (const id of rest) {
            const revoke = writes.findIndex((r) => r.method === "POST" && r.path.includes(id) && r.path.endsWith("/revokeToken"));
            const remove = writes.findIndex((r) => r.method === "DELETE" && r.path.includes(id));
            expect(remove, `DELETE of ${id}`).to.be.at.least(0);
            if (!liveToken.has(id)) {
                expect(revoke, `no revokeToken of ${id}, which holds no token`).to.equal(-1);
                continue;
            }
            expect(revoke, `revokeToken of ${id}`).to.be.at.least(0);
            expect(remove, `DELETE of ${id} after its revokeToken`).to.be.greaterThan(revoke);
        }

        await pulumi(["up", "--yes", "--skip-preview"]);
        const final = profileIds(await exported()).sort();
        const profiles = allProfiles(e);
        expect(profiles.map((p) => String(p.id)).sort()).to.deep.equal(final);
        expect(new Set(profiles.map((p) => p.displayName)).size).to.equal(RESOURCES);
        expect((await orphans()).code).to.equal(0);
    });

    it("stops the hosts of a pulumi refresh killed as soon as its provider signs in", async () => {
        const e = ctx.emulator;
        await freshStack();
        await configure();
        await pulumi(["up", "--yes", "--skip-preview"]);
        // Reads answered late, so the refresh is under way when it is killed: at its first sign-in, the moment the
        // provider's code has just been loaded into the host by its first read.
        e.setFaults({ rules: [{ method: "GET", path: "EnrollmentProfiles/", delayMs: 10_000 }] });
        const marker = randomUUID();
        const signIns = e.signIns();
        const cli = spawn("pulumi", ["refresh", "--yes", "--skip-preview", "--stack", "e2e", "--non-interactive"], {
            cwd: workDir,
            env: { ...env, [ENV_MARKER]: marker },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        cli.stdout.on("data", (c: Buffer) => (output += c.toString()));
        cli.stderr.on("data", (c: Buffer) => (output += c.toString()));
        const exited = new Promise<void>((resolve) => cli.once("exit", () => resolve()));
        const deadline = Date.now() + 60_000;
        while (e.signIns() === signIns) {
            if (Date.now() > deadline || cli.exitCode !== null) throw new Error(`the refresh never signed in:\n${output}`);
            await sleep(10);
        }
        expect(
            processesOfRun(marker)
                .map((p) => p.command)
                .join("\n"),
            "the provider host before the kill",
        ).to.match(/dynamic-provider/);
        cli.kill("SIGKILL");
        await exited;
        const killedAt = Date.now();
        let left = processesOfRun(marker);
        while (left.length > 0 && Date.now() - killedAt < 5_000) {
            await sleep(100);
            left = processesOfRun(marker);
        }
        for (const p of left) process.kill(p.pid, "SIGKILL");
        e.clearFaults();
        expect(
            left.map((p) => `${p.pid} ${p.command}`),
            "processes of the killed refresh still running 5 s after the kill",
        ).to.deep.equal([]);
        await pulumi(["cancel", "--yes"], true);
    });

    it("with PULUMI_SKIP_CHECKPOINTS=true, records nothing of the killed run; a rerun with adoptByDisplayName takes its profiles over, one per resource", async () => {
        const e = ctx.emulator;
        await freshStack();
        await configure();
        await killMidRollout({ PULUMI_SKIP_CHECKPOINTS: "true" });
        removeCutMetadata();

        // No checkpoint before the end of the run: not even the finished creates are in the state.
        const killed = await exported();
        expect(profileIds(killed), "profiles recorded").to.deep.equal([]);
        expect(killed.deployment.pending_operations ?? [], "pending operations").to.deep.equal([]);
        const made = allProfiles(e).map((p) => String(p.id));
        expect(made.length).to.be.at.least(6);
        // So the orphans command finds them, but nothing ties them to a resource yet.
        const found = await orphans();
        expect(found.code).to.equal(3);
        expect(found.report.orphans.map((o) => o.id).sort()).to.deep.equal([...made].sort());
        expect(found.report.orphans.every((o) => o.pendingCreate === null && o.sameNameAs.length === 0)).to.equal(true);

        // The recovery of docs/reliability.md: release the lock, then run again with adoptByDisplayName.
        await pulumi(["cancel", "--yes"], true);
        writeFileSync(join(workDir, "adopt-by-name"), "");
        e.clearRequests();
        await pulumi(["up", "--yes", "--skip-preview"]);
        const final = profileIds(await exported());
        expect(final).to.have.length(RESOURCES);
        for (const id of made) expect(final, "a profile of the killed run, taken over").to.include(id);
        expect(allProfiles(e)).to.have.length(RESOURCES);
        // Creates only for what the killed run had not made (a POST the budget throttled and retried made nothing).
        const creates = e.requests().filter((r) => r.method === "POST" && /EnrollmentProfiles$/.test(r.path) && r.status < 300);
        expect(
            creates.map((r) => `${r.method} ${r.path} ${r.status}`),
            `creates after a kill that made ${made.length}: ${JSON.stringify(e.requests().map((r) => `${r.method} ${r.path} ${r.status}`))}`,
        ).to.have.length(RESOURCES - made.length);
        expect((await orphans()).code).to.equal(0);
        rmSync(join(workDir, "adopt-by-name"), { force: true });
    });
});
