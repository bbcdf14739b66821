import { expect } from "chai";
import {
    createChecked,
    DAY_MS,
    DEVICE_OWNER,
    deviceOwner,
    expectNoSecrets,
    expectPlainJson,
    FOR_WORK,
    forWork,
    Props,
    PROVIDER_TEXT,
    rejectionOf,
    secretsOf,
    useProfileEmulator,
    warningsOf,
} from "./support/profiles";

const KIOSK: Props = {
    displayName: "Warehouse scanners",
    description: "Zebra TC52",
    enrollmentMode: "corporateOwnedDedicatedDevice",
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    roleScopeTagIds: ["0", "5"],
};
const AOSP: Props = {
    displayName: "Headsets",
    enrollmentMode: "corporateOwnedAOSPUserlessDevice",
    tokenValidityDays: 60,
    wifiSsid: "corp",
    wifiSecurityType: "wpa",
    wifiPassword: "Corr3ct-Horse-Battery-Staple",
};

/** What the engine hands read: the stored outputs, which include the provider text. */
const state = (outs: Props): Props => ({ ...outs, __provider: PROVIDER_TEXT });
const program = (inputs: Props): Props => {
    const { __provider, ...rest } = inputs;
    void __provider;
    return rest;
};

describe("profiles: read (refresh)", () => {
    const ctx = useProfileEmulator();

    it("returns the complete outputs, with token fields, and the declared inputs as they are live", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.clearRequests();
        const read = await deviceOwner.read(id, state(outs));
        expect(read.id).to.equal(id);
        expectPlainJson(read.props!, "props");
        expectPlainJson(read.inputs!, "inputs");
        expect(read.props).to.deep.equal(outs);
        expect(read.inputs).to.deep.equal(program(inputs));
        expect(read.props!.tokenValue, "token fields are read with $select").to.match(/^\d{20}$/);
        expect(ctx.emulator.requests().map((r) => `${r.method} ${r.operation} ${r.status}`)).to.deep.equal(["GET get 200"]);
        expect((await deviceOwner.diff(id, read.props!, inputs)).changes, "no drift, no diff").to.equal(false);
    });

    it("returns the legacy type's outputs and inputs", async () => {
        const { id, outs, inputs } = await createChecked(forWork, { displayName: "Legacy", description: "COSU" });
        const read = await forWork.read(id, state(outs));
        expect(read.props).to.deep.equal(outs);
        expect(read.inputs).to.deep.equal(program(inputs));
    });

    it("shows a change made in the portal as drift in the inputs, diff reports it, and update puts it back", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { displayName: "Renamed in portal", description: null, roleScopeTagIds: ["0", "9"] });
        const read = await deviceOwner.read(id, state(outs));
        expect(read.inputs).to.deep.include({ displayName: "Renamed in portal", description: null, roleScopeTagIds: ["0", "9"] });
        expect(read.props).to.deep.include({ displayName: "Renamed in portal", description: null, roleScopeTagIds: ["0", "9"] });
        expect(read.props!.tokenValue, "the token is untouched").to.equal(outs.tokenValue);

        const diff = await deviceOwner.diff(id, read.props!, inputs);
        expect(diff).to.deep.include({ changes: true, replaces: [] });

        const { outs: fixed } = await deviceOwner.update(id, read.props!, inputs);
        expect(fixed).to.deep.include({ displayName: KIOSK.displayName, description: KIOSK.description });
        expect([...fixed!.roleScopeTagIds].sort()).to.deep.equal(["0", "5"]);
        const entity = ctx.emulator.profiles(DEVICE_OWNER).find((p) => p.id === id)!;
        expect(entity).to.deep.include({ displayName: KIOSK.displayName, description: KIOSK.description });
        expect(fixed!.tokenValue, "fixing drift does not touch the token").to.equal(outs.tokenValue);
        const again = await deviceOwner.read(id, state(fixed!));
        expect((await deviceOwner.diff(id, again.props!, inputs)).changes).to.equal(false);
    });

    it("shows a replace field changed in the portal as a replacement", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, { ...AOSP, isTeamsDeviceProfile: false });
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { isTeamsDeviceProfile: true });
        const read = await deviceOwner.read(id, state(outs));
        expect(read.inputs!.isTeamsDeviceProfile).to.equal(true);
        expect(await deviceOwner.diff(id, read.props!, inputs)).to.deep.include({ changes: true, replaces: ["isTeamsDeviceProfile"] });
    });

    it("leaves properties the program never declared unmanaged, whatever the portal does to them, and warns that they changed", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, { displayName: "Minimal", enrollmentMode: "corporateOwnedDedicatedDevice" });
        const quiet = await warningsOf(() => deviceOwner.read(id, state(outs)));
        expect(
            quiet.filter((w) => w.includes("was changed in Intune")),
            "nothing changed, nothing said",
        ).to.deep.equal([]);
        await new Promise((r) => setTimeout(r, 5)); // the portal's change gets a later timestamp
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { deviceNameTemplate: "PORTAL-{{SERIAL}}", description: "set in the portal" });
        let read: Awaited<ReturnType<typeof deviceOwner.read>> | undefined;
        const warnings = await warningsOf(async () => {
            read = await deviceOwner.read(id, state(outs));
        });
        expect(read!.inputs).to.not.have.property("deviceNameTemplate");
        expect(read!.inputs).to.not.have.property("description");
        expect((await deviceOwner.diff(id, read!.props!, inputs)).changes).to.equal(false);
        const notice = warnings.find((w) => w.includes("was changed in Intune"));
        expect(notice).to.match(/Android enrollment profile "Minimal" was changed in Intune since the last run/);
        expect(notice).to.contain("description").and.to.contain("deviceNameTemplate").and.to.not.contain("displayName,");
        // A refresh stores the new time: the next one has nothing to say.
        const again = await warningsOf(() => deviceOwner.read(id, state(read!.props!)));
        expect(again.filter((w) => w.includes("was changed in Intune"))).to.deep.equal([]);
    });

    it("does not warn of unmanaged changes when a declared property changed: that is drift, shown by the diff", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        await new Promise((r) => setTimeout(r, 5));
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { description: "edited in the portal", deviceNameTemplate: "X-{{SERIAL}}" });
        const warnings = await warningsOf(() => deviceOwner.read(id, state(outs)));
        expect(warnings.filter((w) => w.includes("was changed in Intune"))).to.deep.equal([]);
    });

    for (const wifiPasswordOnRead of ["null", "omit", "plain"] as const) {
        it(`keeps the declared Wi-Fi password when Graph returns it as ${wifiPasswordOnRead}: no phantom drift`, async () => {
            ctx.emulator.setBehaviour({ wifiPasswordOnRead });
            const { id, outs, inputs } = await createChecked(deviceOwner, AOSP);
            const read = await deviceOwner.read(id, state(outs));
            expect(read.inputs!.wifiPassword).to.equal(AOSP.wifiPassword);
            expect(read.props!.wifiPassword).to.equal(AOSP.wifiPassword);
            expect((await deviceOwner.diff(id, read.props!, inputs)).changes).to.equal(false);
        });
    }

    it("keeps a declared fixed expiry in the inputs while the outputs show the live one", async () => {
        const at = new Date(Date.now() + 40 * DAY_MS).toISOString();
        const { id, outs, inputs } = await createChecked(deviceOwner, {
            displayName: "Fixed",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenExpirationDateTime: at,
        });
        const read = await deviceOwner.read(id, state(outs));
        expect(read.inputs!.tokenExpirationDateTime).to.equal(at);
        expect(read.props!.requestedTokenExpirationDateTime).to.equal(at);
        expect((await deviceOwner.diff(id, read.props!, inputs)).changes).to.equal(false);
    });

    it("shows a token re-issued in the portal", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { tokenValue: "12345678901234567890" });
        const read = await deviceOwner.read(id, state(outs));
        expect(read.props!.tokenValue).to.equal("12345678901234567890");
    });

    it("explains a response that does not decode, naming the property and no secret", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { displayName: 42, enrolledDeviceCount: "many" });
        const err = await rejectionOf(deviceOwner.read(id, state(outs)));
        expect(err.message).to.contain("Graph answered with an Android enrollment profile that does not decode");
        expect(err.message).to.contain("displayName must be a string or null, got 42");
        expect(err.message).to.contain('enrolledDeviceCount must be a whole number or null, got "many"');
        expect(err.message).to.not.match(/\b\d+\.\d+\.\w+/); // no io-ts paths such as 0.1.enrolledDeviceCount.0
        expectNoSecrets(err.message, secretsOf(outs));
    });

    it("names the property of a secret that does not decode without showing its value", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { tokenValue: ["not", "a", "string", "but-secret-looking"] });
        const err = await rejectionOf(deviceOwner.read(id, state(outs)));
        expect(err.message).to.contain("tokenValue must be a string or null, got a list (secret, not shown)");
        expect(err.message).to.not.contain("but-secret-looking");
    });

    it("returns an empty id for a profile deleted out of band, so the engine drops it from the stack", async () => {
        for (const [provider, collection, news] of [
            [deviceOwner, DEVICE_OWNER, KIOSK],
            [forWork, FOR_WORK, { displayName: "Legacy" }],
        ] as const) {
            const { id, outs } = await createChecked(provider, news);
            expect(ctx.emulator.deleteInPortal(collection, id)).to.equal(true);
            const read = await provider.read(id, state(outs));
            expect(read.id).to.not.be.ok;
            expect(read.id).to.equal("");
        }
    });
});
