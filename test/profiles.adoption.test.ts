import { expect } from "chai";
import { DEFAULT_GROUPS } from "../emulator";
import {
    checked,
    count,
    DAY_MS,
    DEVICE_OWNER,
    deviceOwner,
    expectExpiryInDays,
    expectNoSecrets,
    expectPlainJson,
    FOR_WORK,
    forWork,
    graphCalls,
    Props,
    PROVIDER_TEXT,
    rejectionOf,
    useProfileEmulator,
} from "./support/profiles";

const BUILT_IN_ID = "00000000-0000-0000-0000-000000000005";

describe("profiles: adopting profiles made in the portal", () => {
    const ctx = useProfileEmulator();

    async function portalKiosk(fields: Props = {}): Promise<Props> {
        return ctx.emulator.createInPortal(DEVICE_OWNER, {
            displayName: "Portal kiosk",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            description: "made by hand",
            ...fields,
        });
    }

    describe("by adoptExistingId", () => {
        it("takes the profile over without creating one, keeps its token and patches the declared fields", async () => {
            const portal = await portalKiosk();
            ctx.emulator.clearRequests();
            const inputs = await checked(deviceOwner, {
                displayName: "Portal kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                description: "managed by Pulumi",
                roleScopeTagIds: ["0"],
                tokenValidityDays: 90,
                renewTokenWithinDays: 14,
                adoptExistingId: portal.id,
            });
            const { id, outs } = await deviceOwner.create(inputs);
            expect(id).to.equal(portal.id);
            expectPlainJson(outs!);
            expect(outs).to.deep.include({ profileId: portal.id, description: "managed by Pulumi", tokenValue: portal.tokenValue, adoptExistingId: portal.id });
            expect(outs).to.not.have.property("qrCodeImage");
            const calls = graphCalls(ctx.emulator);
            expect(count(calls, "POST create"), calls.join(", ")).to.equal(0);
            expect(count(calls, "POST createToken"), calls.join(", ")).to.equal(0);
            expect(count(calls, "PATCH update"), calls.join(", ")).to.equal(1);
            const stored = ctx.emulator.profiles(DEVICE_OWNER);
            expect(stored).to.have.length(1);
            expect(stored[0]).to.deep.include({ description: "managed by Pulumi", tokenValue: portal.tokenValue });
            expect((await deviceOwner.diff(id, outs!, inputs)).changes, "adopted and converged").to.equal(false);
        });

        it("writes nothing when the profile already matches", async () => {
            const portal = await portalKiosk();
            ctx.emulator.clearRequests();
            const inputs = await checked(deviceOwner, {
                displayName: "Portal kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                adoptExistingId: portal.id,
            });
            const { outs } = await deviceOwner.create(inputs);
            expect(outs!.tokenValue).to.equal(portal.tokenValue);
            // The check's one read of the tenant's settings (whether devices can enroll), then the profile's.
            expect(graphCalls(ctx.emulator)).to.deep.equal(["GET getEnterpriseSettings", "GET get"]);
        });

        it("sends what the profile cannot show (the Wi-Fi password, the enrollment-time group) instead of recording it as applied", async () => {
            const portal = await ctx.emulator.createInPortal(DEVICE_OWNER, {
                displayName: "Headsets",
                enrollmentMode: "corporateOwnedAOSPUserlessDevice",
                configureWifi: true,
                wifiSsid: "corp",
                wifiSecurityType: "wpa",
                wifiPassword: "Old-Portal-Pass",
            });
            const group = DEFAULT_GROUPS[0].id;
            const inputs = await checked(deviceOwner, {
                displayName: "Headsets",
                enrollmentMode: "corporateOwnedAOSPUserlessDevice",
                configureWifi: true,
                wifiSsid: "corp",
                wifiSecurityType: "wpa",
                wifiPassword: "New-Program-Pass",
                enrollmentTimeDeviceGroupId: group,
                adoptExistingId: portal.id,
            });
            const { id, outs } = await deviceOwner.create(inputs);
            const live = ctx.emulator.profiles(DEVICE_OWNER)[0];
            expect(live.wifiPassword).to.equal("New-Program-Pass");
            expect(Buffer.from(live.qrCodeContent as string, "base64").toString()).to.contain("New-Program-Pass");
            expect(ctx.emulator.membershipTarget(id)).to.deep.equal({ targetType: "staticSecurityGroup", targetId: group });
            expect(outs!.enrollmentTimeDeviceGroupId).to.equal(group);
            expect((await deviceOwner.diff(id, outs!, inputs)).changes, "adopted and converged").to.equal(false);
        });

        it("replaces an adopted profile whose program keeps adoptExistingId, creating the new one rather than adopting the old again", async () => {
            const portal = await portalKiosk();
            const program = { displayName: "Portal kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", adoptExistingId: portal.id };
            const adopted = await checked(deviceOwner, program);
            const { id, outs } = await deviceOwner.create(adopted);
            expect(id).to.equal(portal.id);
            const news = await checked(deviceOwner, { ...program, enrollmentMode: "corporateOwnedFullyManaged" }, adopted);
            expect((await deviceOwner.diff(id, outs!, news)).replaces).to.deep.equal(["enrollmentMode"]);
            const replacement = await deviceOwner.create(news);
            expect(replacement.id).to.not.equal(portal.id);
            await deviceOwner.delete(id, { ...outs!, __provider: PROVIDER_TEXT });
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => [p.id, p.enrollmentMode])).to.deep.equal([[replacement.id, "corporateOwnedFullyManaged"]]);
        });

        it("renews the adopted profile's token when it is due", async () => {
            const portal = await portalKiosk();
            ctx.emulator.changeInPortal(DEVICE_OWNER, String(portal.id), { tokenExpirationDateTime: new Date(Date.now() + 2 * DAY_MS).toISOString() });
            const inputs = await checked(deviceOwner, {
                displayName: "Portal kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                tokenValidityDays: 60,
                renewTokenWithinDays: 7,
                adoptExistingId: portal.id,
            });
            const { outs } = await deviceOwner.create(inputs);
            expect(outs!.tokenValue).to.not.equal(portal.tokenValue);
            expectExpiryInDays(outs!, 60);
        });

        it("issues a token for an adopted legacy profile that has none", async () => {
            const portal = await ctx.emulator.createInPortal(FOR_WORK, { displayName: "Portal legacy" });
            expect(portal.tokenValue).to.equal(null);
            const inputs = await checked(forWork, { displayName: "Portal legacy", adoptExistingId: portal.id });
            const { id, outs } = await forWork.create(inputs);
            expect(id).to.equal(portal.id);
            expect(outs!.tokenValue).to.match(/^[A-Z]{8}$/);
            expectExpiryInDays(outs!, 90);
            expect(ctx.emulator.profiles(FOR_WORK)).to.have.length(1);
        });

        it("refuses a profile whose enrollmentMode differs, saying what to do", async () => {
            const portal = await portalKiosk();
            const inputs = await checked(deviceOwner, {
                displayName: "Portal kiosk",
                enrollmentMode: "corporateOwnedFullyManaged",
                adoptExistingId: portal.id,
            });
            const err = await rejectionOf(deviceOwner.create(inputs));
            expect(err.message).to.contain(String(portal.id));
            expect(err.message).to.match(/enrollmentMode "corporateOwnedDedicatedDevice", but "corporateOwnedFullyManaged" is declared/);
            expect(err.message).to.match(/remove adoptExistingId/);
            expectNoSecrets(err.message, [portal.tokenValue, portal.qrCodeContent]);
            expect(ctx.emulator.profiles(DEVICE_OWNER), "nothing created, nothing changed").to.have.length(1);
            expect(ctx.emulator.profiles(DEVICE_OWNER)[0].description).to.equal("made by hand");
        });

        it("refuses a staging profile whose enrollmentTokenType the program leaves out, naming what to declare; adopts it once declared", async () => {
            const portal = await portalKiosk({ enrollmentMode: "corporateOwnedFullyManaged", enrollmentTokenType: "deviceStaging" });
            const program = { displayName: "Portal kiosk", enrollmentMode: "corporateOwnedFullyManaged", adoptExistingId: portal.id };
            const err = await rejectionOf(deviceOwner.create(await checked(deviceOwner, program)));
            expect(err.message).to.contain(
                `has enrollmentTokenType "deviceStaging", which the program leaves out (read as "default"); declare enrollmentTokenType: "deviceStaging" to adopt it`,
            );
            const { outs } = await deviceOwner.create(await checked(deviceOwner, { ...program, enrollmentTokenType: "deviceStaging" }));
            expect(outs!.enrollmentTokenType).to.equal("deviceStaging");
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([portal.id]);
        });

        it("refuses an id that does not exist", async () => {
            const inputs = await checked(deviceOwner, {
                displayName: "Ghost",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                adoptExistingId: "11111111-2222-3333-4444-555555555555",
            });
            const err = await rejectionOf(deviceOwner.create(inputs));
            expect(err.message).to.match(/adoptExistingId 11111111-2222-3333-4444-555555555555 does not exist/);
            expect(ctx.emulator.profiles(DEVICE_OWNER)).to.deep.equal([]);
        });

        for (const builtInModeAs of ["string", "number"] as const) {
            it(`refuses the built-in profile with the undocumented mode 5 (as a ${builtInModeAs})`, async () => {
                ctx.emulator.setBehaviour({ builtInProfile: true, builtInModeAs });
                const inputs = await checked(deviceOwner, {
                    displayName: "Default AOSP profile",
                    enrollmentMode: "corporateOwnedAOSPUserlessDevice",
                    adoptExistingId: BUILT_IN_ID,
                });
                const err = await rejectionOf(deviceOwner.create(inputs));
                expect(err.message).to.match(/built-in profile \(enrollmentMode 5\) and cannot be managed/);
            });
        }
    });

    describe("by adoptByDisplayName", () => {
        it("adopts the single profile with that name and mode", async () => {
            const portal = await portalKiosk();
            await ctx.emulator.createInPortal(DEVICE_OWNER, { displayName: "Something else", enrollmentMode: "corporateOwnedDedicatedDevice" });
            ctx.emulator.clearRequests();
            const inputs = await checked(deviceOwner, {
                displayName: "Portal kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                description: "adopted",
                adoptByDisplayName: true,
            });
            const { id, outs } = await deviceOwner.create(inputs);
            expect(id).to.equal(portal.id);
            expect(outs).to.deep.include({ description: "adopted", tokenValue: portal.tokenValue });
            expect(count(graphCalls(ctx.emulator), "POST create")).to.equal(0);
            expect(count(graphCalls(ctx.emulator), "POST createToken"), "the devices' QR code keeps working").to.equal(0);
            expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(2);
        });

        it("adopts a profile the service answers with its enums as integers, with no change left to make", async () => {
            ctx.emulator.setBehaviour({ enumsAs: "number", builtInProfile: true, builtInModeAs: "number" });
            const portal = await portalKiosk({ enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSsid: "corp-iot", wifiSecurityType: "wep" });
            const declared: Props = {
                displayName: "Portal kiosk",
                enrollmentMode: "corporateOwnedAOSPUserlessDevice",
                description: "made by hand",
                wifiSsid: "corp-iot",
                wifiSecurityType: "wep",
                wifiPassword: "Wep-Key-Of-13",
                adoptByDisplayName: true,
            };
            const { id, outs } = await deviceOwner.create(await checked(deviceOwner, declared));
            expect(id).to.equal(portal.id);
            expect(outs).to.deep.include({ enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSecurityType: "wep" });

            const refreshed = await deviceOwner.read(id, { ...outs, __provider: PROVIDER_TEXT });
            const diff = await deviceOwner.diff(id, refreshed.props!, await checked(deviceOwner, declared, refreshed.inputs ?? {}));
            expect(diff.changes, JSON.stringify(diff)).to.equal(false);
            expect(count(graphCalls(ctx.emulator), "POST create")).to.equal(0);
        });

        it("creates the profile when none has that name", async () => {
            await portalKiosk();
            ctx.emulator.clearRequests();
            const inputs = await checked(deviceOwner, { displayName: "Brand new", enrollmentMode: "corporateOwnedDedicatedDevice", adoptByDisplayName: true });
            const { id } = await deviceOwner.create(inputs);
            expect(count(graphCalls(ctx.emulator), "POST create")).to.equal(1);
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.include(id);
        });

        it("creates rather than adopts a same-named profile of another mode", async () => {
            const portal = await portalKiosk();
            const inputs = await checked(deviceOwner, { displayName: "Portal kiosk", enrollmentMode: "corporateOwnedFullyManaged", adoptByDisplayName: true });
            const { id } = await deviceOwner.create(inputs);
            expect(id).to.not.equal(portal.id);
            expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(2);
        });

        it("refuses to choose between several profiles with that name, listing their ids", async () => {
            const a = await portalKiosk();
            const b = await portalKiosk();
            const inputs = await checked(deviceOwner, {
                displayName: "Portal kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                adoptByDisplayName: true,
            });
            const err = await rejectionOf(deviceOwner.create(inputs));
            expect(err.message).to.match(/2 profiles are named "Portal kiosk"/);
            expect(err.message).to.contain(String(a.id)).and.contain(String(b.id));
            expect(err.message).to.match(/use adoptExistingId/);
            expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(2);
        });

        it("tolerates the built-in profile in the list and never adopts it", async () => {
            ctx.emulator.setBehaviour({ builtInProfile: true, builtInModeAs: "number" });
            const inputs = await checked(deviceOwner, {
                displayName: "Default AOSP profile",
                enrollmentMode: "corporateOwnedAOSPUserlessDevice",
                adoptByDisplayName: true,
            });
            const { id } = await deviceOwner.create(inputs);
            expect(id).to.not.equal(BUILT_IN_ID);
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([id]);
        });

        it("adopts a legacy profile by name", async () => {
            const portal = await ctx.emulator.createInPortal(FOR_WORK, { displayName: "Portal legacy" });
            const inputs = await checked(forWork, { displayName: "Portal legacy", adoptByDisplayName: true });
            const { id, outs } = await forWork.create(inputs);
            expect(id).to.equal(portal.id);
            expect(outs!.tokenValue).to.match(/^[A-Z]{8}$/);
            expect(ctx.emulator.profiles(FOR_WORK)).to.have.length(1);
        });
    });
});
