import { expect } from "chai";
import {
    checked,
    createChecked,
    DAY_MS,
    DEVICE_OWNER,
    deviceOwner,
    DynamicProvider,
    forWork,
    Props,
    PROVIDER_TEXT,
    revokeBehindTheBack,
    UNKNOWN,
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
    wifiHidden: false,
    isTeamsDeviceProfile: false,
};

describe("profiles: diff", () => {
    const ctx = useProfileEmulator();

    /** A created profile's outputs and its program, with the request log cleared so diff's own requests show. */
    async function existing(news: Props, provider: DynamicProvider = deviceOwner): Promise<{ id: string; outs: Props; inputs: Props }> {
        const created = await createChecked(provider, news);
        ctx.emulator.clearRequests();
        return created;
    }

    async function diff(
        olds: Props,
        news: Props,
        provider: DynamicProvider = deviceOwner,
    ): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }> {
        return provider.diff("id-unused-by-diff", olds, { ...news, __provider: PROVIDER_TEXT });
    }

    afterEach(() => {
        // diff is pure: whatever a test did before calling it, diff itself never reached Graph.
        expect(ctx.emulator.requests(), "Graph requests made by diff").to.deep.equal([]);
    });

    it("reports no change when the program is what was created, for every mode and the legacy type", async () => {
        const programs: [Props, DynamicProvider][] = [
            [KIOSK, deviceOwner],
            [{ displayName: "Managed", enrollmentMode: "corporateOwnedFullyManaged" }, deviceOwner],
            [{ displayName: "Staging", enrollmentMode: "corporateOwnedWorkProfile", enrollmentTokenType: "deviceStaging", tokenValidityDays: 30 }, deviceOwner],
            [AOSP, deviceOwner],
            [
                {
                    displayName: "Fixed",
                    enrollmentMode: "corporateOwnedDedicatedDevice",
                    tokenExpirationDateTime: new Date(Date.now() + 40 * DAY_MS).toISOString(),
                },
                deviceOwner,
            ],
            [{ displayName: "Legacy", description: "COSU", renewTokenWithinDays: 10 }, forWork],
        ];
        for (const [program, provider] of programs) {
            const { outs, inputs } = await existing(program, provider);
            const result = await diff(outs, inputs, provider);
            expect(result, program.displayName).to.deep.include({ changes: false, replaces: [] });
        }
    });

    it("updates displayName, description, deviceNameTemplate and roleScopeTagIds in place", async () => {
        const { outs, inputs } = await existing(KIOSK);
        for (const change of [{ displayName: "Scanners" }, { description: "Zebra TC57" }, { deviceNameTemplate: "S-{{SERIAL}}" }, { roleScopeTagIds: ["0"] }]) {
            const result = await diff(outs, { ...inputs, ...change });
            expect(result, JSON.stringify(change)).to.deep.include({ changes: true, replaces: [], deleteBeforeReplace: false });
        }
        const legacy = await existing({ displayName: "Legacy" }, forWork);
        expect(await diff(legacy.outs, { ...legacy.inputs, description: "now described" }, forWork)).to.deep.include({ changes: true, replaces: [] });
    });

    it("ignores the order of scope tags", async () => {
        const { outs, inputs } = await existing(KIOSK);
        expect(await diff(outs, { ...inputs, roleScopeTagIds: ["5", "0"] })).to.deep.include({ changes: false, replaces: [] });
    });

    it("replaces on a change of enrollmentMode, enrollmentTokenType or isTeamsDeviceProfile", async () => {
        const kiosk = await existing(KIOSK);
        expect(
            await diff(kiosk.outs, {
                ...kiosk.inputs,
                enrollmentMode: "corporateOwnedFullyManaged",
                tokenValidityDays: undefined,
                renewTokenWithinDays: undefined,
            }),
        ).to.deep.include({ changes: true, replaces: ["enrollmentMode"] });
        expect(await diff(kiosk.outs, { ...kiosk.inputs, enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode" })).to.deep.include({
            changes: true,
            replaces: ["enrollmentTokenType"],
        });
        const aosp = await existing(AOSP);
        expect(await diff(aosp.outs, { ...aosp.inputs, isTeamsDeviceProfile: true })).to.deep.include({ changes: true, replaces: ["isTeamsDeviceProfile"] });
    });

    it("does not replace a profile when the program starts declaring the value a replace field already has by default", async () => {
        const kiosk = await existing({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" });
        expect(await diff(kiosk.outs, { ...kiosk.inputs, enrollmentTokenType: "default" })).to.deep.include({ replaces: [] });
        expect(await diff(kiosk.outs, { ...kiosk.inputs, enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode" })).to.deep.include({
            changes: true,
            replaces: ["enrollmentTokenType"],
        });
        const aosp = await existing({ displayName: "Headsets", enrollmentMode: "corporateOwnedAOSPUserlessDevice" });
        expect(await diff(aosp.outs, { ...aosp.inputs, isTeamsDeviceProfile: false })).to.deep.include({ replaces: [] });
        expect(await diff(aosp.outs, { ...aosp.inputs, isTeamsDeviceProfile: true })).to.deep.include({ changes: true, replaces: ["isTeamsDeviceProfile"] });
    });

    it("never counts server fields or __provider as a change", async () => {
        const { outs, inputs } = await existing(KIOSK);
        const echoed = {
            ...inputs,
            __provider: "exports.handler = () => 'another version of the provider code';",
            profileId: "x",
            accountId: "x",
            tokenValue: "x",
            tokenCreationDateTime: "2020-01-01T00:00:00Z",
            qrCodeContent: "x",
            qrCodeImage: "x",
            qrCodeImageType: "x",
            enrolledDeviceCount: 7,
            enrollmentTokenUsageCount: 3,
            createdDateTime: "2020-01-01T00:00:00Z",
            lastModifiedDateTime: "2020-01-01T00:00:00Z",
        };
        expect(await deviceOwner.diff("id", outs, echoed)).to.deep.include({ changes: false, replaces: [] });
        const changedOuts = { ...outs, __provider: "old provider text", enrolledDeviceCount: 40, lastModifiedDateTime: new Date().toISOString() };
        expect(await diff(changedOuts, inputs)).to.deep.include({ changes: false, replaces: [] });
    });

    it("counts values unknown during preview as changes, and as replacements for replace fields", async () => {
        const { outs, inputs } = await existing(KIOSK);
        expect(await diff(outs, { ...inputs, displayName: UNKNOWN })).to.deep.include({ changes: true, replaces: [] });
        expect(await diff(outs, { ...inputs, roleScopeTagIds: UNKNOWN })).to.deep.include({ changes: true, replaces: [] });
        expect(await diff(outs, { ...inputs, tokenValidityDays: UNKNOWN })).to.deep.include({ changes: true, replaces: [] });
        expect(await diff(outs, { ...inputs, enrollmentMode: UNKNOWN })).to.deep.include({ changes: true, replaces: ["enrollmentMode"] });
        expect(await diff(outs, { ...inputs, enrollmentTokenType: UNKNOWN })).to.deep.include({ changes: true, replaces: ["enrollmentTokenType"] });
    });

    it("counts a token inside its renewal window, expired, revoked or missing as a change", async () => {
        const { outs, inputs } = await existing(KIOSK);
        const at = (ms: number): string => new Date(Date.now() + ms).toISOString();
        expect(await diff({ ...outs, tokenExpirationDateTime: at(20 * DAY_MS) }, inputs), "outside the window").to.deep.include({ changes: false });
        expect(await diff({ ...outs, tokenExpirationDateTime: at(13 * DAY_MS) }, inputs), "inside the window").to.deep.include({ changes: true, replaces: [] });
        expect(await diff({ ...outs, tokenExpirationDateTime: at(-DAY_MS) }, inputs), "expired").to.deep.include({ changes: true, replaces: [] });
        expect(await diff({ ...outs, tokenValue: null, qrCodeContent: null }, inputs), "no token").to.deep.include({ changes: true, replaces: [] });
        expect(await diff({ ...outs, tokenExpirationDateTime: "0001-01-01T00:00:00Z" }, inputs), "never issued").to.deep.include({ changes: true });

        // Revoked for real (revokeToken expires the token at once, or clears it): a refresh shows it, diff sees it.
        for (const revokeClearsToken of [false, true]) {
            ctx.emulator.setBehaviour({ revokeClearsToken });
            const revoked = await existing({ displayName: "Revoked", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 });
            await revokeBehindTheBack(ctx.emulator, DEVICE_OWNER, revoked.id);
            const refreshed = await deviceOwner.read(revoked.id, revoked.outs);
            ctx.emulator.clearRequests();
            expect(await diff(refreshed.props!, revoked.inputs), `revoked (revokeClearsToken ${revokeClearsToken})`).to.deep.include({
                changes: true,
                replaces: [],
            });
        }
    });

    it("does not renew a fully-managed default token, which never expires", async () => {
        const { outs, inputs } = await existing({ displayName: "Managed", enrollmentMode: "corporateOwnedFullyManaged" });
        expect(outs.tokenExpirationDateTime).to.equal("0001-01-01T00:00:00Z"); // what a token that never expires reads as by default
        expect(await diff(outs, inputs)).to.deep.include({ changes: false });
    });

    it("counts a change of tokenValidityDays, renewTokenWithinDays, revokeTokenOnDelete or a fixed expiry as a change", async () => {
        const { outs, inputs } = await existing(KIOSK);
        expect(await diff(outs, { ...inputs, tokenValidityDays: 30 })).to.deep.include({ changes: true, replaces: [] });
        expect(await diff(outs, { ...inputs, renewTokenWithinDays: 7 })).to.deep.include({ changes: true, replaces: [] });
        expect(await diff(outs, { ...inputs, revokeTokenOnDelete: true })).to.deep.include({ changes: true, replaces: [] });
        const fixed = {
            ...inputs,
            tokenValidityDays: undefined,
            renewTokenWithinDays: undefined,
            tokenExpirationDateTime: new Date(Date.now() + 30 * DAY_MS).toISOString(),
        };
        expect(await diff(outs, await checked(deviceOwner, fixed))).to.deep.include({ changes: true, replaces: [] });
    });
});
