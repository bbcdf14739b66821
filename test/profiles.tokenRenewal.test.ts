import { expect } from "chai";
import { BEHAVIOUR_VARIANTS } from "../emulator";
import {
    checked,
    count,
    createChecked,
    DAY_MS,
    decodeQrPng,
    DEVICE_OWNER,
    deviceOwner,
    DynamicProvider,
    expectExpiryInDays,
    FOR_WORK,
    forWork,
    graphCalls,
    Props,
    PROVIDER_TEXT,
    provisioningJson,
    revokeBehindTheBack,
    useProfileEmulator,
    warningsOf,
} from "./support/profiles";

const KIOSK: Props = {
    displayName: "Warehouse scanners",
    enrollmentMode: "corporateOwnedDedicatedDevice",
    tokenValidityDays: 30,
    renewTokenWithinDays: 7,
    // A renewal redraws the kept image with the new token.
    includeQrCodeImage: true,
};
const AOSP: Props = {
    displayName: "Headsets",
    enrollmentMode: "corporateOwnedAOSPUserlessDevice",
    tokenValidityDays: 60,
    renewTokenWithinDays: 10,
    wifiSsid: "corp",
    wifiSecurityType: "wpa",
    wifiPassword: "Corr3ct-Horse-Battery-Staple",
};
const NEVER_READINGS = BEHAVIOUR_VARIANTS.neverExpiringTokenExpiry!;
const inDays = (days: number): string => new Date(Date.now() + days * DAY_MS).toISOString();
type Collection = typeof DEVICE_OWNER | typeof FOR_WORK;

describe("profiles: token renewal", () => {
    const ctx = useProfileEmulator();

    /** A `pulumi up` after time passed: refresh, diff, and update when diff says so. */
    async function laterRun(provider: DynamicProvider, id: string, outs: Props, inputs: Props): Promise<{ changes: boolean; outs: Props }> {
        const refreshed = await provider.read(id, { ...outs, __provider: PROVIDER_TEXT });
        const diff = await provider.diff(id, refreshed.props!, inputs);
        if (!diff.changes) return { changes: false, outs: refreshed.props! };
        expect(diff.replaces).to.deep.equal([]);
        const updated = await provider.update(id, refreshed.props!, inputs);
        return { changes: true, outs: updated.outs! };
    }

    function expectRenewed(before: Props, after: Props, days: number): void {
        expect(after.tokenValue).to.be.a("string").and.not.equal(before.tokenValue);
        expectExpiryInDays(after, days);
        expect(JSON.stringify(provisioningJson(after.qrCodeContent))).to.contain(after.tokenValue);
        expect(JSON.stringify(provisioningJson(after.qrCodeContent))).to.not.contain(before.tokenValue);
        if (before.includeQrCodeImage === true) expect(decodeQrPng(after.qrCodeImage)).to.equal(after.qrCodeContent);
        else expect(after).to.not.have.property("qrCodeImage");
    }

    const cases: [string, DynamicProvider, Collection, Props, number][] = [
        ["a dedicated profile", deviceOwner, DEVICE_OWNER, KIOSK, 30],
        ["an AOSP profile", deviceOwner, DEVICE_OWNER, AOSP, 60],
        ["a legacy profile", forWork, FOR_WORK, { displayName: "Legacy", renewTokenWithinDays: 14 }, 90],
    ];
    for (const [title, provider, collection, program, days] of cases) {
        it(`renews the token of ${title} inside its renewal window: new token, new expiry, new QR code`, async () => {
            const { id, outs, inputs } = await createChecked(provider, program);
            ctx.emulator.changeInPortal(collection, id, { tokenExpirationDateTime: inDays(program.renewTokenWithinDays - 1) });
            ctx.emulator.clearRequests();
            const run = await laterRun(provider, id, outs, inputs);
            expect(run.changes).to.equal(true);
            expectRenewed(outs, run.outs, days);
            expect(count(graphCalls(ctx.emulator), "POST createToken")).to.equal(1);
            const stored = ctx.emulator.profiles(collection).find((p) => p.id === id)!;
            expect(stored.tokenValue).to.equal(run.outs.tokenValue);
            const next = await laterRun(provider, id, run.outs, inputs);
            expect(next.changes, "the next run has nothing to do").to.equal(false);
        });
    }

    it("keeps the Wi-Fi settings in a renewed AOSP QR code", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, AOSP);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { tokenExpirationDateTime: inDays(1) });
        const run = await laterRun(deviceOwner, id, outs, inputs);
        const qr = provisioningJson(run.outs.qrCodeContent);
        expect(qr["android.app.extra.PROVISIONING_WIFI_SSID"]).to.equal("corp");
        expect(qr["android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE"]["com.microsoft.intune.extra.ENROLLMENT_TOKEN"]).to.equal(run.outs.tokenValue);
    });

    it("leaves a token outside its renewal window alone", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { tokenExpirationDateTime: inDays(8) });
        const run = await laterRun(deviceOwner, id, outs, inputs);
        expect(run.changes).to.equal(false);
        expect(run.outs.tokenValue).to.equal(outs.tokenValue);
    });

    it("re-issues an expired token even without a renewal window", async () => {
        const program = { displayName: "No window", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
        const { id, outs, inputs } = await createChecked(deviceOwner, program);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { tokenExpirationDateTime: inDays(-1) });
        const run = await laterRun(deviceOwner, id, outs, inputs);
        expect(run.changes).to.equal(true);
        expectRenewed(outs, run.outs, 30);
    });

    for (const revokeClearsToken of [false, true]) {
        it(`re-issues a token revoked behind the provider's back (revoke ${revokeClearsToken ? "clears" : "expires"} it)`, async () => {
            ctx.emulator.setBehaviour({ revokeClearsToken });
            const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
            await revokeBehindTheBack(ctx.emulator, DEVICE_OWNER, id);
            const run = await laterRun(deviceOwner, id, outs, inputs);
            expect(run.changes).to.equal(true);
            expectRenewed(outs, run.outs, 30);
        });
    }

    for (const neverExpiringTokenExpiry of NEVER_READINGS) {
        it(`re-issues a fully managed token revoked behind the provider's back, where the service allows that (never reads as ${neverExpiringTokenExpiry})`, async () => {
            ctx.emulator.setBehaviour({ revokeNeverExpiringToken: "allow", neverExpiringTokenExpiry });
            const { id, outs, inputs } = await createChecked(deviceOwner, { displayName: "Staff phones", enrollmentMode: "corporateOwnedFullyManaged" });
            const unchanged = await laterRun(deviceOwner, id, outs, inputs);
            expect(unchanged.changes, "a token that never expires, not revoked: left alone").to.equal(false);
            await revokeBehindTheBack(ctx.emulator, DEVICE_OWNER, id);
            const run = await laterRun(deviceOwner, id, outs, inputs);
            expect(run.changes).to.equal(true);
            expect(run.outs.tokenValue).to.be.a("string").and.not.equal(outs.tokenValue);
            expect(count(graphCalls(ctx.emulator), "POST createToken")).to.equal(1);
        });
    }

    it("lets a fixed expiry pass: the token ends as declared, each run warns, and none fails or issues a token", async () => {
        const program = { displayName: "Campaign", enrollmentMode: "corporateOwnedDedicatedDevice", tokenExpirationDateTime: inDays(20) };
        const { id, outs, inputs } = await createChecked(deviceOwner, program);
        // Later: the date the program fixed has gone by, and the service shows the token ended on it.
        const gone = inDays(-1);
        ctx.emulator.changeInPortal(DEVICE_OWNER, id, { tokenExpirationDateTime: gone });
        const later = { ...program, tokenExpirationDateTime: gone };
        const news = await checked(deviceOwner, later, { ...inputs, tokenExpirationDateTime: gone });
        const refreshed = await deviceOwner.read(id, { ...outs, __provider: PROVIDER_TEXT });
        const warnings = await warningsOf(async () => {
            const diff = await deviceOwner.diff(id, refreshed.props!, news);
            expect(diff.changes, "nothing to do: no token can expire on a day gone by").to.equal(false);
        });
        expect(warnings.join("")).to.match(
            new RegExp(
                `Android enrollment profile "Campaign": its enrollment token expired on ${gone.slice(0, 10)}.*devices cannot enroll with it until a later tokenExpirationDateTime`,
            ),
        );
        expect(count(graphCalls(ctx.emulator), "POST createToken")).to.equal(0);
        // A date gone by is still refused where it would be given: a new profile, another date, or a replacement.
        const refused = async (olds: Props, news: Props): Promise<string[]> =>
            ((await deviceOwner.check(olds, { ...news, __provider: PROVIDER_TEXT })).failures ?? []).map((f: { reason: string }) => f.reason);
        expect(await refused({}, later)).to.deep.equal([`must be in the future (got ${gone})`]);
        expect(await refused({ ...inputs, tokenExpirationDateTime: inDays(-2) }, later)).to.deep.equal([`must be in the future (got ${gone})`]);
        expect(
            await refused(
                { ...inputs, tokenExpirationDateTime: gone },
                { ...later, enrollmentMode: "corporateOwnedWorkProfile", enrollmentTokenType: "deviceStaging" },
            ),
        ).to.deep.equal([`must be in the future (got ${gone})`]);
    });

    it("issues a token for a moved fixed expiry", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, {
            displayName: "Fixed",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenExpirationDateTime: inDays(20),
        });
        const news = await checked(
            deviceOwner,
            { displayName: "Fixed", enrollmentMode: "corporateOwnedDedicatedDevice", tokenExpirationDateTime: inDays(45) },
            inputs,
        );
        expect((await deviceOwner.diff(id, outs, news)).changes).to.equal(true);
        const { outs: updated } = await deviceOwner.update(id, outs, news);
        expectRenewed(outs, updated!, 45);
        expect((await deviceOwner.diff(id, updated!, news)).changes).to.equal(false);
    });
});
