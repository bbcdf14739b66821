import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { getAndroidDeviceOwnerEnrollmentProfile, getAndroidForWorkEnrollmentProfile } from "../provider";
import {
    decodeQrPng,
    count,
    createChecked,
    DEVICE_OWNER,
    deviceOwner,
    expectNoSecrets,
    FOR_WORK,
    graphCalls,
    rejectionOf,
    stackConfig,
    useProfileEmulator,
} from "./support/profiles";

/** The value an Output holds (outside a Pulumi run, Outputs of known values resolve at once). */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

describe("profiles: lookup functions (read without managing)", () => {
    const ctx = useProfileEmulator();
    const saved = { config: process.env.PULUMI_CONFIG, secretKeys: process.env.PULUMI_CONFIG_SECRET_KEYS };

    beforeEach(() => {
        // The lookups read the stack's `intune:` config, as a Pulumi program does.
        pulumi.runtime.setAllConfig(stackConfig(ctx.emulator), ["intune:clientSecret"]);
    });
    after(() => {
        for (const [key, value] of [
            ["PULUMI_CONFIG", saved.config],
            ["PULUMI_CONFIG_SECRET_KEYS", saved.secretKeys],
        ] as const) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
    });

    it("finds a device-owner profile by id, with its token fields as secret Outputs", async () => {
        const { id, outs } = await createChecked(deviceOwner, { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 });
        const found = await getAndroidDeviceOwnerEnrollmentProfile({ id });
        expect(found.profileId).to.equal(id);
        expect(found.displayName).to.equal("Kiosk");
        expect(found.properties).to.deep.include({
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenExpirationDateTime: outs.tokenExpirationDateTime,
            qrCodeImageType: "image/png",
        });
        expect(found.properties).to.not.have.any.keys("tokenValue", "qrCodeContent", "qrCodeImage", "wifiPassword");
        expect(await valueOf(found.tokenValue)).to.equal(outs.tokenValue);
        expect(await valueOf(found.qrCodeContent)).to.equal(outs.qrCodeContent);
        // A lookup is not stored, so it returns the image too, although the resource's state keeps none.
        expect(outs).to.not.have.property("qrCodeImage");
        expect(decodeQrPng((await valueOf(found.qrCodeImage)) as string)).to.equal(outs.qrCodeContent);
        for (const secret of [found.tokenValue, found.qrCodeContent, found.qrCodeImage]) expect(await pulumi.isSecret(secret)).to.equal(true);
        expectNoSecrets(JSON.stringify(found.properties), [outs.tokenValue, outs.qrCodeContent]);
    });

    it("finds a profile by its unique displayName, tolerating the built-in profile in the list", async () => {
        ctx.emulator.setBehaviour({ builtInProfile: true, builtInModeAs: "number" });
        const { id, outs } = await createChecked(deviceOwner, { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" });
        const found = await getAndroidDeviceOwnerEnrollmentProfile({ displayName: "Kiosk" });
        expect(found.profileId).to.equal(id);
        expect(await valueOf(found.tokenValue), "the token is read with $select, not taken from the list").to.equal(outs.tokenValue);
        const calls = graphCalls(ctx.emulator);
        expect(count(calls, "GET list")).to.be.greaterThan(0);
    });

    it("refuses an ambiguous displayName, listing the ids, and a name or id that does not exist", async () => {
        const a = await ctx.emulator.createInPortal(DEVICE_OWNER, { displayName: "Twin", enrollmentMode: "corporateOwnedDedicatedDevice" });
        const b = await ctx.emulator.createInPortal(DEVICE_OWNER, { displayName: "Twin", enrollmentMode: "corporateOwnedFullyManaged" });
        const twin = await rejectionOf(getAndroidDeviceOwnerEnrollmentProfile({ displayName: "Twin" }));
        expect(twin.message)
            .to.match(/2 profiles have that name/)
            .and.contain(String(a.id))
            .and.contain(String(b.id));
        expectNoSecrets(twin.message, [a.tokenValue, b.tokenValue, a.qrCodeContent]);
        expect((await rejectionOf(getAndroidDeviceOwnerEnrollmentProfile({ displayName: "Nobody" }))).message).to.match(/no such profile/);
        expect((await rejectionOf(getAndroidDeviceOwnerEnrollmentProfile({ id: "11111111-2222-3333-4444-555555555555" }))).message).to.match(/no such profile/);
        expect((await rejectionOf(getAndroidDeviceOwnerEnrollmentProfile({ id: String(a.id), displayName: "Twin" }))).message).to.match(
            /exactly one of id or displayName/,
        );
    });

    it("finds a legacy profile", async () => {
        const portal = await ctx.emulator.createInPortal(FOR_WORK, { displayName: "Legacy", description: "COSU" });
        const found = await getAndroidForWorkEnrollmentProfile({ displayName: "Legacy" });
        expect(found.profileId).to.equal(portal.id);
        expect(found.properties).to.deep.include({ description: "COSU" });
        expect(await valueOf(found.tokenValue)).to.equal(null);
    });
});
