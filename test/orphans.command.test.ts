import { expect } from "chai";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, run, RunResult } from "../scripts/localPulumi";
import { tempDir, useEmulator } from "./support/emulator";

/**
 * The package's command, `pulumi-intune-enrollment orphans`, as installed (dist/provider/cli.js, the package.json
 * bin) against the Graph emulator over HTTPS, signed in from the environment as a pipeline would: an exported state
 * given with --state, the tenant's real answers, the exit codes and the deletions.
 */

const CLI = join(REPO_ROOT, "dist", "provider", "cli.js");
const OWNER = "pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile";
const FOR_WORK = "pulumi-nodejs:dynamic/intune:AndroidForWorkEnrollmentProfile";
const urn = (type: string, name: string) => `urn:pulumi:dev::fleet::${type}::${name}`;

interface Report {
    tenantId: string;
    orphans: { id: string; type: string; displayName: string; marked: boolean; pendingCreate: { name: string } | null; adopt: string }[];
    deleted: string[];
    failed: { id: string; error: string }[];
}

describe("orphans command against the Graph emulator", function () {
    this.timeout(60_000);
    const ctx = useEmulator({ behaviour: { builtInProfile: true } });
    let dir: string;
    let env: NodeJS.ProcessEnv;
    const ids: Record<string, string> = {};

    const orphans = (args: string[], input?: string): Promise<RunResult> =>
        run(process.execPath, [CLI, "orphans", "--state", join(dir, "state.json"), ...args], { cwd: dir, env, allowFailure: true, input });

    beforeEach(async () => {
        const e = ctx.emulator;
        dir = tempDir("intune-orphans");
        env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AZURE_|ARM_|INTUNE_)/.test(k)));
        Object.assign(env, {
            AZURE_TENANT_ID: e.tenantId,
            AZURE_CLIENT_ID: e.defaultApp.clientId,
            AZURE_CLIENT_SECRET: e.defaultApp.secret,
            INTUNE_GRAPH_ENDPOINT: e.graphUrl,
            AZURE_AUTHORITY_HOST: e.authorityHost,
            INTUNE_CA_CERTIFICATE_PATH: e.caPath,
        });
        const make = async (key: string, collection: "androidDeviceOwnerEnrollmentProfiles" | "androidForWorkEnrollmentProfiles", displayName: string) => {
            const fields =
                collection === "androidDeviceOwnerEnrollmentProfiles" ? { displayName, enrollmentMode: "corporateOwnedFullyManaged" } : { displayName };
            ids[key] = String((await e.createInPortal(collection, fields)).id);
        };
        await make("managed", "androidDeviceOwnerEnrollmentProfiles", "Fleet kiosk-01");
        await make("legacy", "androidForWorkEnrollmentProfiles", "Fleet legacy");
        await make("interrupted", "androidDeviceOwnerEnrollmentProfiles", "Fleet kiosk-02");
        await make("duplicate", "androidForWorkEnrollmentProfiles", "Fleet legacy");
        await make("portal", "androidDeviceOwnerEnrollmentProfiles", "Made in the portal");
        // A legacy profile gets its token from createToken, not on create: give the duplicate one to revoke.
        e.changeInPortal("androidForWorkEnrollmentProfiles", ids.duplicate, {
            tokenValue: "legacy-duplicate-token-value",
            tokenExpirationDateTime: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        });
        writeFileSync(
            join(dir, "state.json"),
            JSON.stringify({
                version: 3,
                deployment: {
                    resources: [
                        { urn: urn(OWNER, "kiosk-01"), type: OWNER, custom: true, id: ids.managed, outputs: { displayName: "Fleet kiosk-01" } },
                        { urn: urn(FOR_WORK, "legacy"), type: FOR_WORK, custom: true, id: ids.legacy, outputs: { displayName: "Fleet legacy" } },
                    ],
                    pending_operations: [
                        { type: "creating", resource: { urn: urn(OWNER, "kiosk-02"), type: OWNER, custom: true, inputs: { displayName: "Fleet kiosk-02" } } },
                    ],
                },
            }),
        );
    });

    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("lists exactly the profiles the state does not own (never the built-in one), as JSON, and exits 3", async () => {
        const result = await orphans(["--json"]);
        expect(result.code, result.stderr).to.equal(3);
        const report = JSON.parse(result.stdout) as Report;
        expect(report.tenantId).to.equal(ctx.emulator.tenantId);
        expect(report.orphans.map((o) => [o.id, o.type, o.marked])).to.have.deep.members([
            [ids.interrupted, "AndroidDeviceOwnerEnrollmentProfile", true],
            [ids.duplicate, "AndroidForWorkEnrollmentProfile", true],
            [ids.portal, "AndroidDeviceOwnerEnrollmentProfile", false],
        ]);
        const interrupted = report.orphans.find((o) => o.id === ids.interrupted)!;
        expect(interrupted.pendingCreate?.name).to.equal("kiosk-02");
        expect(interrupted.adopt).to.equal(`adoptExistingId: "${ids.interrupted}"  on resource "kiosk-02" (AndroidDeviceOwnerEnrollmentProfile)`);
        // The built-in profile is in the tenant: the command saw it and left it out.
        const listed = ctx.emulator.requests().filter((r) => r.method === "GET" && r.path.endsWith("androidDeviceOwnerEnrollmentProfiles"));
        expect(listed).to.have.length.greaterThan(0);
    });

    it("prints no token, QR content or client secret, in text or JSON", async () => {
        const text = await orphans([]);
        const json = await orphans(["--json"]);
        const secrets = [ctx.emulator.defaultApp.secret];
        for (const c of ["androidDeviceOwnerEnrollmentProfiles", "androidForWorkEnrollmentProfiles"] as const) {
            for (const p of ctx.emulator.profiles(c)) secrets.push(...[p.tokenValue, p.qrCodeContent].filter((v): v is string => typeof v === "string"));
        }
        expect(secrets.length).to.be.greaterThan(3);
        for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) {
            for (const s of secrets) expect(output.includes(s), `output contains ${s.slice(0, 8)}...`).to.equal(false);
        }
        expect(text.stdout)
            .to.include(`"Made in the portal"`)
            .and.to.include("nothing ties it to this stack")
            .and.to.include('pending create of resource "kiosk-02"');
    });

    it("with --marked, deletes only what is tied to the stack, after a yes, revoking each token first, and then exits 0", async () => {
        const declined = await orphans(["--marked", "--delete"], "n\n");
        expect(declined.code).to.equal(3);
        expect(declined.stdout).to.include("Nothing deleted.");
        expect(ctx.emulator.requests().filter((r) => r.method === "DELETE")).to.deep.equal([]);

        ctx.emulator.clearRequests();
        const accepted = await orphans(["--marked", "--delete"], "yes\n");
        expect(accepted.code, accepted.stdout + accepted.stderr).to.equal(0);
        const writes = ctx.emulator
            .requests()
            .filter((r) => r.method !== "GET")
            .map((r) => `${r.method} ${r.path.replace(/^.*deviceManagement\//, "")} ${r.status}`);
        expect(writes).to.have.members([
            // A fully managed token never expires: the service refuses its revoke, and the delete takes it with the profile.
            `POST androidDeviceOwnerEnrollmentProfiles/${ids.interrupted}/revokeToken 400`,
            `DELETE androidDeviceOwnerEnrollmentProfiles/${ids.interrupted} 204`,
            `POST androidForWorkEnrollmentProfiles/${ids.duplicate}/revokeToken 204`,
            `DELETE androidForWorkEnrollmentProfiles/${ids.duplicate} 204`,
        ]);
        for (const id of [ids.interrupted, ids.duplicate]) {
            expect(writes.findIndex((w) => w.startsWith(`DELETE`) && w.includes(id))).to.be.greaterThan(
                writes.findIndex((w) => w.includes(`${id}/revokeToken`)),
            );
        }
        const left = [...ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...ctx.emulator.profiles("androidForWorkEnrollmentProfiles")].map(
            (p) => p.id,
        );
        expect(left).to.have.members([ids.managed, ids.legacy, ids.portal]);

        // What is left is not tied to the stack: --marked finds nothing; without it the portal profile still counts.
        expect((await orphans(["--marked"])).code).to.equal(0);
        expect((await orphans([])).code).to.equal(3);
    });

    it("with --id, lists and deletes only the named orphans, so one can be adopted and the others deleted", async () => {
        // The interrupted run's profile will be adopted; the duplicate and the portal profile go, named by id.
        const listed = await orphans(["--json", "--id", `${ids.duplicate},${ids.portal.toUpperCase()}`]);
        expect(listed.code, listed.stderr).to.equal(3);
        expect((JSON.parse(listed.stdout) as Report).orphans.map((o) => o.id)).to.have.members([ids.duplicate, ids.portal]);

        const deleted = await orphans(["--delete", "--yes", "--id", ids.duplicate, "--id", ids.portal]);
        expect(deleted.code, deleted.stdout + deleted.stderr).to.equal(0);
        const left = [...ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...ctx.emulator.profiles("androidForWorkEnrollmentProfiles")].map(
            (p) => p.id,
        );
        expect(left).to.have.members([ids.managed, ids.legacy, ids.interrupted]);
    });

    it("deletes a legacy orphan with no live token (none issued, or expired) without revoking one first", async () => {
        const e = ctx.emulator;
        const tokenless = String((await e.createInPortal("androidForWorkEnrollmentProfiles", { displayName: "No token yet" })).id);
        const expired = String((await e.createInPortal("androidForWorkEnrollmentProfiles", { displayName: "Token expired" })).id);
        e.changeInPortal("androidForWorkEnrollmentProfiles", expired, {
            tokenValue: "expired-token-value",
            tokenExpirationDateTime: new Date(Date.now() - 86_400_000).toISOString(),
        });
        e.clearRequests();
        const deleted = await orphans(["--delete", "--yes", "--id", tokenless, "--id", expired]);
        expect(deleted.code, deleted.stdout + deleted.stderr).to.equal(0);
        const writes = e
            .requests()
            .filter((r) => r.method !== "GET")
            .map((r) => `${r.method} ${r.path.replace(/^.*deviceManagement\//, "")} ${r.status}`);
        expect(writes).to.have.members([`DELETE androidForWorkEnrollmentProfiles/${tokenless} 204`, `DELETE androidForWorkEnrollmentProfiles/${expired} 204`]);
    });

    it("revokes a token that is live by the service's clock, though this machine's clock is past its expiry", async () => {
        const e = ctx.emulator;
        e.setClockOffset(-2 * 86_400_000); // the service two days behind
        const live = String((await e.createInPortal("androidForWorkEnrollmentProfiles", { displayName: "Live by Intune" })).id);
        e.changeInPortal("androidForWorkEnrollmentProfiles", live, {
            tokenValue: "live-token-value",
            tokenExpirationDateTime: new Date(e.now() + 86_400_000).toISOString(), // a day left by its clock
        });
        e.clearRequests();
        const deleted = await orphans(["--delete", "--yes", "--id", live]);
        expect(deleted.code, deleted.stdout + deleted.stderr).to.equal(0);
        const writes = e
            .requests()
            .filter((r) => r.method !== "GET")
            .map((r) => `${r.method} ${r.path.replace(/^.*deviceManagement\//, "")} ${r.status}`);
        expect(writes).to.deep.equal([`POST androidForWorkEnrollmentProfiles/${live}/revokeToken 204`, `DELETE androidForWorkEnrollmentProfiles/${live} 204`]);
    });

    it("with --id, refuses an id that is not an orphan (one the stack owns, one not found) and deletes nothing", async () => {
        const stranger = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        const refused = await orphans(["--delete", "--yes", "--id", ids.portal, "--id", ids.managed, "--id", stranger]);
        expect(refused.code).to.equal(1);
        expect(refused.stderr)
            .to.include(`${ids.managed} belongs to resource "kiosk-01" of the stack (AndroidDeviceOwnerEnrollmentProfile): it is not an orphan`)
            .and.to.include(`${stranger} is not among the orphans found`);
        expect(ctx.emulator.requests().filter((r) => r.method !== "GET")).to.deep.equal([]);
        const bad = await orphans(["--id", "kiosk-02"]);
        expect(bad.code).to.equal(1);
        expect(bad.stderr).to.include("--id kiosk-02: not a profile id (GUID)");
    });

    it("counts the profiles of the provider plugin's resources (YAML, Python, imported) as the stack's", async () => {
        const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as { deployment: { resources: { type: string; urn: string }[] } };
        for (const r of state.deployment.resources) {
            r.type = r.type.replace("pulumi-nodejs:dynamic/intune:", "intune:index:");
            r.urn = r.urn.replace("pulumi-nodejs:dynamic/intune:", "intune:index:");
        }
        writeFileSync(join(dir, "state.json"), JSON.stringify(state));
        const report = JSON.parse((await orphans(["--json"])).stdout) as Report;
        expect(report.orphans.map((o) => o.id))
            .to.not.include(ids.managed)
            .and.to.not.include(ids.legacy);
        const refused = await orphans(["--id", ids.managed]);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include(`${ids.managed} belongs to resource "kiosk-01" of the stack`);
    });

    it("refuses, changing nothing, when the stack's profiles are recorded in another tenant than the settings name", async () => {
        const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as { deployment: { resources: { outputs: Record<string, unknown> }[] } };
        for (const r of state.deployment.resources)
            Object.assign(r.outputs, { tenantId: "11111111-2222-4333-8444-555555555555", graphRoot: "https://graph.microsoft.com" });
        writeFileSync(join(dir, "state.json"), JSON.stringify(state));
        const before = ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").length + ctx.emulator.profiles("androidForWorkEnrollmentProfiles").length;
        const result = await orphans(["--marked", "--delete", "--yes"]);
        expect(result.code, result.stdout).to.equal(1);
        expect(result.stderr)
            .to.include('resource "kiosk-01" in tenant 11111111-2222-4333-8444-555555555555 at https://graph.microsoft.com')
            .and.to.include(`these settings are for tenant ${ctx.emulator.tenantId} at https://127.0.0.1`);
        expect(
            ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").length + ctx.emulator.profiles("androidForWorkEnrollmentProfiles").length,
        ).to.equal(before);
        expect(ctx.emulator.requests().filter((r) => r.method !== "GET")).to.deep.equal([]);
    });

    it("ties a profile to a pending create only when it is of the pending resource's type", async () => {
        // An Android for Work profile named like the device-owner resource whose create was interrupted: not its profile.
        const otherType = String((await ctx.emulator.createInPortal("androidForWorkEnrollmentProfiles", { displayName: "Fleet kiosk-02" })).id);
        const report = JSON.parse((await orphans(["--json"])).stdout) as Report;
        const found = report.orphans.find((o) => o.id === otherType)!;
        expect(found.pendingCreate).to.equal(null);
        expect(found.marked).to.equal(false);
        expect(found.adopt).to.match(/^new AndroidForWorkEnrollmentProfile\("<name>"/);
        expect(report.orphans.find((o) => o.id === ids.interrupted)!.pendingCreate?.name).to.equal("kiosk-02");
    });

    it("exits 1 with a message that names the problem: a missing state file, settings that do not resolve", async () => {
        const missing = await run(process.execPath, [CLI, "orphans", "--state", join(dir, "nope.json")], { cwd: dir, env, allowFailure: true });
        expect(missing.code).to.equal(1);
        expect(missing.stderr).to.include("nope.json: ENOENT");
        const badSettings = await run(process.execPath, [CLI, "orphans", "--state", join(dir, "state.json")], {
            cwd: dir,
            env: { ...env, INTUNE_GRAPH_ENDPOINT: "http://plain.example" },
            allowFailure: true,
        });
        expect(badSettings.code).to.equal(1);
        expect(badSettings.stderr).to.include("intune:graphEndpoint").and.to.include("https://");
        expect(badSettings.stderr).to.not.include(ctx.emulator.defaultApp.secret);
        const unknown = await run(process.execPath, [CLI, "orphans", "--frobnicate"], { cwd: dir, env, allowFailure: true });
        expect(unknown.code).to.equal(1);
        expect(unknown.stderr).to.include("unknown option --frobnicate").and.to.include("Usage: pulumi-intune-enrollment orphans");
    });
});
