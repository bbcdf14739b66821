import { expect } from "chai";
import { join } from "node:path";
import { DEFAULT_APPS, GRAPH_READ_ALL, startEmulator } from "../emulator";
import { TEST_TLS_DIR, tempDir, useEmulator } from "./support/emulator";
import { admin, expectGraphError, Graph } from "./support/emulatorGraph";
import { startCliEmulator } from "./support/emulatorProcess";

/**
 * The tenant's Android Enterprise settings as the emulator serves them: the singleton with its binding to managed
 * Google Play and the switch for corporate-owned user enrollment, the action that flips the switch, the permissions
 * each needs, the admin routes that change the binding out of band, and each reading of what the spec leaves open.
 */

const SETTINGS = "/deviceManagement/androidManagedStoreAccountEnterpriseSettings";
const ACTION = `${SETTINGS}/setAndroidDeviceOwnerFullyManagedEnrollmentState`;
const READER = DEFAULT_APPS.find((a) => a.roles.length === 1 && a.roles[0] === GRAPH_READ_ALL)!;

describe("emulator: the tenant's Android Enterprise settings", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    it("serves the singleton bound to managed Google Play with corporate-owned user enrollment on, by default", async () => {
        const res = await graph().get(SETTINGS);
        expect(res.status).to.equal(200);
        expect(res.json["@odata.type"]).to.equal("#microsoft.graph.androidManagedStoreAccountEnterpriseSettings");
        expect(res.json).to.include({ bindStatus: "boundAndValidated", androidDeviceOwnerFullyManagedEnrollmentEnabled: true, enrollmentTarget: "all" });
        expect(res.json.ownerOrganizationName).to.be.a("string");
        // Company codes hold enrollment tokens: a client that does not select them never sees them.
        expect(res.json.companyCodes[0].enrollmentToken).to.be.a("string");
        const selected = await graph().get(`${SETTINGS}?$select=bindStatus,androidDeviceOwnerFullyManagedEnrollmentEnabled`);
        expect(Object.keys(selected.json).filter((k) => !k.startsWith("@odata"))).to.deep.equal([
            "bindStatus",
            "androidDeviceOwnerFullyManagedEnrollmentEnabled",
        ]);
        expectGraphError(await graph().get(`${SETTINGS}?$select=nope`), 400, "BadRequest");
    });

    it("flips the switch with setAndroidDeviceOwnerFullyManagedEnrollmentState (both spellings), 204, and reads it back", async () => {
        expect((await graph().post(ACTION, { enabled: false })).status).to.equal(204);
        expect((await graph().get(SETTINGS)).json.androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(false);
        expect((await graph().post(`${SETTINGS}/microsoft.graph.setAndroidDeviceOwnerFullyManagedEnrollmentState`, { enabled: true })).status).to.equal(204);
        expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(true);
        expectGraphError(await graph().post(ACTION, { enabled: "yes" }), 400, "BadRequest");
        expectGraphError(await graph().post(ACTION, {}), 400, "BadRequest");
    });

    it("lets a reader read the settings and refuses it the action (ReadWrite.All), changing nothing", async () => {
        const reader = new Graph(ctx.emulator, ctx.emulator.issueToken({ clientId: READER.clientId }));
        expect((await reader.get(SETTINGS)).status).to.equal(200);
        expectGraphError(await reader.post(ACTION, { enabled: false }), 403, "Forbidden");
        expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(true);
        const nobody = new Graph(ctx.emulator, ctx.emulator.issueToken({ roles: [] }));
        expectGraphError(await nobody.get(SETTINGS), 403, "Forbidden");
    });

    it("changes the binding behind the client's back through the admin route, and reset puts it back", async () => {
        const changed = await admin(ctx.emulator, "PATCH", "/androidEnterprise", { bindStatus: "notBound" });
        expect(changed.status).to.equal(200);
        expect((await graph().get(SETTINGS)).json.bindStatus).to.equal("notBound");
        expect((await admin(ctx.emulator, "GET", "/androidEnterprise")).json.bindStatus).to.equal("notBound");
        expect((await admin(ctx.emulator, "PATCH", "/androidEnterprise", { bindStatus: "halfBound" })).status).to.equal(400);
        ctx.emulator.reset();
        expect((await graph().get(SETTINGS)).json.bindStatus).to.equal("boundAndValidated");
    });

    it("answers an unknown segment after the singleton as Graph does", async () => {
        expectGraphError(await graph().post(`${SETTINGS}/unbindEverything`, {}), 400, "BadRequest", "Resource not found for the segment 'unbindEverything'.");
    });
});

describe("emulator: Android Enterprise settings of an unbound tenant, and the readings the spec leaves open", () => {
    const ctx = useEmulator({ androidEnterprise: { bindStatus: "notBound" } });
    const graph = (): Graph => new Graph(ctx.emulator);

    it("starts unbound when asked, with the switch off and no owner", async () => {
        const res = await graph().get(SETTINGS);
        expect(res.json).to.include({ bindStatus: "notBound", androidDeviceOwnerFullyManagedEnrollmentEnabled: false, ownerOrganizationName: null });
        expect(res.json.companyCodes).to.deep.equal([]);
    });

    it("flips the switch in an unbound tenant, refuses it with 400, 403 or 409, or takes it and changes nothing (fullyManagedStateWhenUnbound)", async () => {
        expect((await graph().post(ACTION, { enabled: true })).status).to.equal(204);
        for (const [reading, status, code] of [
            ["refused", 400, "BadRequest"],
            ["forbidden", 403, "Forbidden"],
            ["conflict", 409, "Conflict"],
        ] as const) {
            ctx.emulator.setBehaviour({ fullyManagedStateWhenUnbound: reading });
            expectGraphError(await graph().post(ACTION, { enabled: false }), status, code);
        }
        ctx.emulator.setBehaviour({ fullyManagedStateWhenUnbound: "ignored" });
        expect((await graph().post(ACTION, { enabled: false })).status).to.equal(204);
        expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(true);
    });

    it("refuses the read with 403 (enterpriseSettingsRead), and the action with 403 (fullyManagedStateAction), each whatever the permission", async () => {
        ctx.emulator.setBehaviour({ enterpriseSettingsRead: "forbidden" });
        expectGraphError(await graph().get(SETTINGS), 403, "Forbidden");
        ctx.emulator.setBehaviour({ enterpriseSettingsRead: "allowed", fullyManagedStateAction: "refused" });
        expectGraphError(await graph().post(ACTION, { enabled: true }), 403, "Forbidden");
    });

    it("words its refusals otherwise with refusalWording: unusual, with the same statuses", async () => {
        ctx.emulator.setBehaviour({ enterpriseSettingsRead: "forbidden", refusalWording: "usual" });
        const usual = await graph().get(SETTINGS);
        ctx.emulator.setBehaviour({ refusalWording: "unusual" });
        const unusual = await graph().get(SETTINGS);
        expect([usual.status, unusual.status]).to.deep.equal([403, 403]);
        expect(usual.json.error.message).to.not.equal(unusual.json.error.message);
    });

    it("ignores the switch in a PATCH of the settings, or applies it (enterpriseSettingsPatchSwitch)", async () => {
        expect((await graph().patch(SETTINGS, { androidDeviceOwnerFullyManagedEnrollmentEnabled: true, enrollmentTarget: "targeted" })).status).to.equal(204);
        expect(ctx.emulator.androidEnterprise()).to.include({ androidDeviceOwnerFullyManagedEnrollmentEnabled: false, enrollmentTarget: "targeted" });
        ctx.emulator.setBehaviour({ enterpriseSettingsPatchSwitch: "applies" });
        await graph().patch(SETTINGS, { androidDeviceOwnerFullyManagedEnrollmentEnabled: true });
        expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(true);
    });
});

describe("emulator: Android Enterprise settings kept across a restart, and from the command line", function () {
    this.timeout(60_000);

    it("keeps the switch in the state file, as the embedded emulators of later runs must find it", async () => {
        const stateFile = join(tempDir("intune-enterprise"), "state.json");
        const first = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });
        try {
            await new Graph(first).post(ACTION, { enabled: false });
        } finally {
            await first.stop();
        }
        const second = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });
        try {
            expect((await new Graph(second).get(SETTINGS)).json.androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(false);
        } finally {
            await second.stop();
        }
    });

    it("starts unbound, or with the switch off, from --bind-status and --fully-managed-enrollment", async () => {
        const cli = await startCliEmulator(["--bind-status", "notBound", "--fully-managed-enrollment", "off"]);
        try {
            const res = await new Graph(cli.target, cli.info.accessToken).get(SETTINGS);
            expect(res.json).to.include({ bindStatus: "notBound", androidDeviceOwnerFullyManagedEnrollmentEnabled: false });
        } finally {
            await cli.kill("SIGTERM");
        }
        const refused = await startCliEmulator(["--bind-status", "sorta"]).then(
            async (c) => {
                await c.kill("SIGKILL");
                return "started";
            },
            (err: unknown) => String(err),
        );
        expect(refused).to.include("--bind-status must be one of notBound, bound, boundAndValidated, unbinding");
    });
});
