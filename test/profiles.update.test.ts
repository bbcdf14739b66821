import { expect } from "chai";
import {
    SERVER_OUTPUTS,
    checked,
    configureFor,
    count,
    createChecked,
    DAY_MS,
    DEVICE_OWNER,
    deviceOwner,
    expectExpiryInDays,
    expectPlainJson,
    FOR_WORK,
    forWork,
    expectNoSecrets,
    graphCalls,
    Props,
    provisioningJson,
    rejectionOf,
    useProfileEmulator,
} from "./support/profiles";

const KIOSK: Props = {
    displayName: "Warehouse scanners",
    description: "Zebra TC52",
    enrollmentMode: "corporateOwnedDedicatedDevice",
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    roleScopeTagIds: ["0", "5"],
    deviceNameTemplate: "WH-{{SERIAL}}",
};
const AOSP: Props = {
    displayName: "Headsets",
    enrollmentMode: "corporateOwnedAOSPUserlessDevice",
    tokenValidityDays: 60,
    wifiSsid: "corp",
    wifiSecurityType: "wpa",
    wifiPassword: "Corr3ct-Horse-Battery-Staple",
};

describe("profiles: update", () => {
    const ctx = useProfileEmulator();
    const entity = (id: string, collection: "androidDeviceOwnerEnrollmentProfiles" | "androidForWorkEnrollmentProfiles" = DEVICE_OWNER): Props =>
        ctx.emulator.profiles(collection).find((p) => p.id === id)!;

    for (const patchReturnsEntity of [false, true]) {
        it(`patches in-place changes and returns the complete output set (PATCH answers ${patchReturnsEntity ? "200 + entity" : "204"})`, async () => {
            ctx.emulator.setBehaviour({ patchReturnsEntity });
            const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
            ctx.emulator.clearRequests();
            const news = await checked(
                deviceOwner,
                { ...KIOSK, displayName: "Scanners", roleScopeTagIds: ["0", "5", "8"], deviceNameTemplate: "S-{{SERIAL}}" },
                inputs,
            );
            const { outs: updated } = await deviceOwner.update(id, outs, news);
            expectPlainJson(updated!);
            for (const key of SERVER_OUTPUTS.deviceOwner) expect(updated, key).to.have.property(key);
            expect(updated).to.deep.include({ displayName: "Scanners", deviceNameTemplate: "S-{{SERIAL}}", tokenValidityDays: 90, renewTokenWithinDays: 14 });
            expect(updated!.tokenValue, "the token stays").to.equal(outs.tokenValue);
            expect(entity(id)).to.deep.include({ displayName: "Scanners", deviceNameTemplate: "S-{{SERIAL}}" });
            const calls = ctx.emulator.requests().map((r) => `${r.method} ${r.operation} ${r.status}`);
            expect(
                calls.filter((c) => c.startsWith("PATCH")),
                calls.join(", "),
            ).to.deep.equal([`PATCH update ${patchReturnsEntity ? 200 : 204}`]);
            expect(count(graphCalls(ctx.emulator), "POST createToken")).to.equal(0);
            expect((await deviceOwner.diff(id, updated!, news)).changes).to.equal(false);
        });
    }

    it("sends only what changed: a field edited in the portal but unchanged in the program is left as the portal set it", async () => {
        await configureFor(ctx.emulator, { "intune:consistencyTimeoutSeconds": "3" });
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        // No refresh in between: the stored outputs still say "Zebra TC52".
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { description: "edited in the portal" });
        const news = await checked(deviceOwner, { ...KIOSK, displayName: "Scanners" }, inputs);
        const { outs: updated } = await deviceOwner.update(id, outs, news);
        expect(entity(id)).to.deep.include({ displayName: "Scanners", description: "edited in the portal" });
        expect(updated!.displayName).to.equal("Scanners");
        expect(updated!.description, "the outputs tell the truth, so the next diff shows the drift").to.equal("edited in the portal");
        expect((await deviceOwner.diff(id, updated!, news)).changes).to.equal(true);
    });

    it("makes no write when only provider settings changed", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.clearRequests();
        const news = await checked(deviceOwner, { ...KIOSK, renewTokenWithinDays: 7, revokeTokenOnDelete: true }, inputs);
        const { outs: updated } = await deviceOwner.update(id, outs, news);
        expect(updated).to.deep.include({ renewTokenWithinDays: 7, revokeTokenOnDelete: true, tokenValue: outs.tokenValue });
        expect(graphCalls(ctx.emulator).filter((c) => !c.startsWith("GET"))).to.deep.equal([]);
    });

    it("clears a property removed from the program", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        const { description, deviceNameTemplate, ...rest } = KIOSK;
        void description;
        void deviceNameTemplate;
        const news = await checked(deviceOwner, rest, inputs);
        expect((await deviceOwner.diff(id, outs, news)).changes).to.equal(true);
        const { outs: updated } = await deviceOwner.update(id, outs, news);
        expect(entity(id)).to.deep.include({ description: null, deviceNameTemplate: null });
        expect(updated).to.deep.include({ description: null, deviceNameTemplate: null });
        expect((await deviceOwner.diff(id, updated!, news)).changes).to.equal(false);
    });

    it("updates a legacy profile's description", async () => {
        const { id, outs, inputs } = await createChecked(forWork, { displayName: "Legacy" });
        const news = await checked(forWork, { displayName: "Legacy", description: "now described" }, inputs);
        const { outs: updated } = await forWork.update(id, outs, news);
        expect(updated).to.deep.include({ description: "now described", tokenValue: outs.tokenValue });
        expect(entity(id, FOR_WORK).description).to.equal("now described");
    });

    it("changes Wi-Fi settings of an AOSP profile, and the QR code follows", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, AOSP);
        const news = await checked(deviceOwner, { ...AOSP, wifiSsid: "corp-5g", wifiPassword: "An0ther-Passphrase!" }, inputs);
        const { outs: updated } = await deviceOwner.update(id, outs, news);
        expect(entity(id)).to.deep.include({ wifiSsid: "corp-5g", wifiPassword: "An0ther-Passphrase!" });
        expect(updated).to.deep.include({ wifiSsid: "corp-5g", wifiPassword: "An0ther-Passphrase!" });
        expect(provisioningJson(updated!.qrCodeContent)["android.app.extra.PROVISIONING_WIFI_SSID"]).to.equal("corp-5g");
    });

    for (const password of ["N3w-Secret-Passphrase!", "Ab1#z"]) {
        it(`never names a secret input in its error, even when Graph echoes it back (${password.length} characters)`, async () => {
            const { id, outs, inputs } = await createChecked(deviceOwner, AOSP);
            // The short one is a WEP-40 key, which is 5 characters.
            ctx.emulator.setFaults({
                rules: [{ method: "PATCH", status: 400, code: "BadRequest", message: `Invalid Wi-Fi passphrase '${password}'.`, times: 1 }],
            });
            const securityType = password.length < 8 ? "wep" : AOSP.wifiSecurityType;
            const news = await checked(deviceOwner, { ...AOSP, wifiSecurityType: securityType, wifiPassword: password }, inputs);
            const err = await rejectionOf(deviceOwner.update(id, outs, news));
            expect(err.message).to.match(/Updating Android enrollment profile "Headsets" failed: 400/);
            expectNoSecrets(`${err.message} ${err.stack ?? ""} ${JSON.stringify(err)}`, [
                password,
                AOSP.wifiPassword,
                outs.tokenValue,
                outs.qrCodeContent,
                ctx.emulator.defaultApp.secret,
            ]);
        });
    }

    it("waits until a stale read after the PATCH shows the change", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.setFaults({ staleAfterPatchMs: 800 });
        const news = await checked(deviceOwner, { ...KIOSK, displayName: "Eventually renamed" }, inputs);
        const { outs: updated } = await deviceOwner.update(id, outs, news);
        expect(updated!.displayName).to.equal("Eventually renamed");
        expect(count(graphCalls(ctx.emulator), "GET get")).to.be.greaterThan(2);
    });

    it("renews the token when it is due, with the declared validity", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { tokenExpirationDateTime: new Date(Date.now() + 3 * DAY_MS).toISOString() });
        const refreshed = await deviceOwner.read(id, outs);
        expect((await deviceOwner.diff(id, refreshed.props!, inputs)).changes).to.equal(true);
        ctx.emulator.clearRequests();
        const { outs: updated } = await deviceOwner.update(id, refreshed.props!, inputs);
        expect(updated!.tokenValue).to.not.equal(outs.tokenValue);
        expectExpiryInDays(updated!, 90);
        expect(count(graphCalls(ctx.emulator), "POST createToken")).to.equal(1);
        expect(count(graphCalls(ctx.emulator), "PATCH update"), "nothing else to patch").to.equal(0);
    });

    it("issues a token with the new validity when tokenValidityDays changes", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        const news = await checked(deviceOwner, { ...KIOSK, tokenValidityDays: 30, renewTokenWithinDays: 7 }, inputs);
        const { outs: updated } = await deviceOwner.update(id, outs, news);
        expect(updated!.tokenValue).to.not.equal(outs.tokenValue);
        expectExpiryInDays(updated!, 30);
        expect((await deviceOwner.diff(id, updated!, news)).changes).to.equal(false);
    });
});
