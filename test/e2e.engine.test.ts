import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as intune from "../provider";
import { allProfiles, destroyAndRemove, engineStack, EngineStack, exportedState, log } from "./support/e2e";
import { useEmulator } from "./support/emulator";

/** The provider driven by the real Pulumi engine: update versus replace, drift, secrets in state, no orphans. */
describe("end to end: pulumi up, preview, refresh and destroy through the real engine", function () {
    this.timeout(300_000);
    const ctx = useEmulator();
    let s: EngineStack | undefined;
    afterEach(async () => {
        await destroyAndRemove(s);
        s = undefined;
    });

    const everyMode = (prefix: string) => async () => {
        const profiles = {
            dedicated: new intune.AndroidDeviceOwnerEnrollmentProfile("dedicated", {
                displayName: `${prefix} dedicated`,
                enrollmentMode: "corporateOwnedDedicatedDevice",
                tokenValidityDays: 90,
                renewTokenWithinDays: 14,
                includeQrCodeImage: true,
            }),
            fullyManaged: new intune.AndroidDeviceOwnerEnrollmentProfile("fully-managed", {
                displayName: `${prefix} fully managed`,
                enrollmentMode: "corporateOwnedFullyManaged",
            }),
            workProfile: new intune.AndroidDeviceOwnerEnrollmentProfile("work-profile", {
                displayName: `${prefix} work profile`,
                enrollmentMode: "corporateOwnedWorkProfile",
                enrollmentTokenType: "deviceStaging",
                tokenValidityDays: 30,
            }),
            aospUserless: new intune.AndroidDeviceOwnerEnrollmentProfile("aosp-userless", {
                displayName: `${prefix} aosp userless`,
                enrollmentMode: "corporateOwnedAOSPUserlessDevice",
                tokenValidityDays: 60,
                wifiSsid: "Contoso-Devices",
                wifiSecurityType: "wpa",
                wifiPassword: "e2e-wifi-passphrase-42",
            }),
            aospUser: new intune.AndroidDeviceOwnerEnrollmentProfile("aosp-user", {
                displayName: `${prefix} aosp user`,
                enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice",
            }),
            legacy: new intune.AndroidForWorkEnrollmentProfile("legacy", { displayName: `${prefix} legacy`, tokenValidityDays: 90 }),
        };
        return {
            ids: pulumi.all(Object.fromEntries(Object.entries(profiles).map(([k, r]) => [k, r.profileId]))),
            qr: profiles.dedicated.qrCodeContent,
            token: profiles.dedicated.tokenValue,
        };
    };

    it("creates every mode, then a preview right after shows no change", async () => {
        s = await engineStack(ctx.emulator, "every-mode");
        s.program = everyMode("E2E");
        const up = await s.stack.up(log(s));
        expect(up.summary.resourceChanges?.create).to.equal(7);
        expect(allProfiles(ctx.emulator)).to.have.length(6);
        const preview = await s.stack.preview({ ...log(s), expectNoChanges: true });
        expect(preview.changeSummary.same).to.equal(7);
    });

    it("updates displayName in place with the same id, and replaces on an enrollmentMode change", async () => {
        s = await engineStack(ctx.emulator, "update-replace");
        let name = "Kiosk";
        let mode: intune.EnrollmentMode = "corporateOwnedDedicatedDevice";
        s.program = async () => {
            const p = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", { displayName: name, enrollmentMode: mode });
            return { id: p.profileId };
        };
        const first = (await s.stack.up(log(s))).outputs.id.value as string;
        name = "Kiosk renamed";
        const second = await s.stack.up(log(s));
        expect(second.summary.resourceChanges?.update).to.equal(1);
        expect(second.outputs.id.value).to.equal(first);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").map((p) => p.displayName)).to.deep.equal(["Kiosk renamed"]);
        mode = "corporateOwnedFullyManaged";
        const third = await s.stack.up(log(s));
        expect(third.summary.resourceChanges?.replace).to.equal(1);
        expect(third.outputs.id.value).to.not.equal(first);
        const left = ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles");
        expect(left.map((p) => [p.id, p.enrollmentMode])).to.deep.equal([[third.outputs.id.value, "corporateOwnedFullyManaged"]]);
    });

    it("shows a portal change as drift on refresh and puts it back on the next up; recreates a profile deleted behind its back", async () => {
        s = await engineStack(ctx.emulator, "drift");
        s.program = async () => {
            const p = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
                displayName: "Declared name",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                description: "declared",
            });
            return { id: p.profileId };
        };
        const id = (await s.stack.up(log(s))).outputs.id.value as string;
        ctx.emulator.changeInPortal("androidDeviceOwnerEnrollmentProfiles", id, { displayName: "Renamed in the portal" });
        const refresh = await s.stack.refresh(log(s));
        expect(refresh.summary.resourceChanges?.update).to.equal(1);
        const repair = await s.stack.up(log(s));
        expect(repair.summary.resourceChanges?.update).to.equal(1);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")[0].displayName).to.equal("Declared name");

        ctx.emulator.deleteInPortal("androidDeviceOwnerEnrollmentProfiles", id);
        const gone = await s.stack.refresh(log(s));
        expect(gone.summary.resourceChanges?.delete).to.equal(1);
        const recreated = await s.stack.up(log(s));
        expect(recreated.summary.resourceChanges?.create).to.equal(1);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")).to.have.length(1);
    });

    it("keeps tokens, QR content, the Wi-Fi password and the client secret out of the exported state in plain text", async () => {
        s = await engineStack(ctx.emulator, "secrets");
        s.program = everyMode("Secret");
        await s.stack.up(log(s));
        const { exported, checkpoint } = await exportedState(s);
        const secrets = allProfiles(ctx.emulator).flatMap((p) => [p.tokenValue, p.qrCodeContent, (p.qrCodeImage as { value?: string } | null)?.value]);
        secrets.push("e2e-wifi-passphrase-42", ctx.emulator.defaultApp.secret);
        for (const secret of secrets.filter((v): v is string => typeof v === "string")) {
            expect(exported.includes(secret), `stack export contains ${secret.slice(0, 12)}...`).to.equal(false);
            expect(checkpoint.includes(secret), `the checkpoint file contains ${secret.slice(0, 12)}...`).to.equal(false);
        }
        const deployment = JSON.parse(exported) as {
            deployment: { resources: { type: string; outputs?: Record<string, unknown>; inputs?: Record<string, unknown> }[] };
        };
        const profiles = deployment.deployment.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/intune:"));
        expect(profiles).to.have.length(6);
        for (const r of profiles) {
            const imageKept = r.inputs?.includeQrCodeImage === true;
            for (const key of ["tokenValue", "qrCodeContent", ...(imageKept ? ["qrCodeImage"] : [])]) {
                expect(r.outputs?.[key], `${r.type} ${key}`).to.have.property("ciphertext");
            }
            if (!imageKept) expect(r.outputs, "no image unless asked for").to.not.have.property("qrCodeImage");
            for (const provider of [r.inputs?.__provider, r.outputs?.__provider]) {
                expect(provider).to.be.a("string").and.include("pulumi-intune-enrollment/host");
                expect(provider).to.not.include(ctx.emulator.tenantId);
                expect(String(provider).length).to.be.below(160);
            }
        }
        const aosp = profiles.find((r) => JSON.stringify(r.inputs).includes("Contoso-Devices"))!;
        expect(aosp.inputs?.wifiPassword).to.have.property("ciphertext");
        expect(profiles.filter((r) => r.inputs?.includeQrCodeImage === true)).to.have.length(1);
    });

    it("leaves no orphan when a create fails half way, and converges on the next up", async () => {
        s = await engineStack(ctx.emulator, "half-way");
        s.program = async () => {
            const legacy = new intune.AndroidForWorkEnrollmentProfile("legacy", { displayName: "Half way", tokenValidityDays: 30 });
            return { id: legacy.profileId, expiry: legacy.tokenExpirationDateTime };
        };
        ctx.emulator.setFaults({ rules: [{ method: "POST", path: "createToken", status: 500, times: 1000 }] });
        const failure = await s.stack.up(log(s)).then(
            () => "",
            (err: unknown) => String(err),
        );
        // The createToken failure, recorded as created-but-failed: not any failure of `up`.
        expect(failure).to.match(/Issuing an enrollment token for Android for Work enrollment profile "Half way" failed: 500 Internal Server Error/);
        expect(failure, "the half-made profile is recorded, not lost").to.match(/\+ 1 created/);
        expect(ctx.emulator.profiles("androidForWorkEnrollmentProfiles")).to.have.length(1);
        ctx.emulator.clearFaults();
        const fixed = await s.stack.up(log(s));
        expect(fixed.summary.resourceChanges?.update).to.equal(1);
        const profiles = ctx.emulator.profiles("androidForWorkEnrollmentProfiles");
        expect(profiles).to.have.length(1);
        expect(profiles[0].id).to.equal(fixed.outputs.id.value);
        expect(profiles[0].tokenValue).to.be.a("string");
        await s.stack.preview({ ...log(s), expectNoChanges: true });
    });

    it("adopts a profile made in the portal instead of creating a duplicate, and destroy leaves the emulator empty", async () => {
        s = await engineStack(ctx.emulator, "adopt");
        const portal = await ctx.emulator.createInPortal("androidDeviceOwnerEnrollmentProfiles", {
            displayName: "Made in the portal",
            enrollmentMode: "corporateOwnedFullyManaged",
        });
        s.program = async () => {
            const p = new intune.AndroidDeviceOwnerEnrollmentProfile("adopted", {
                displayName: "Made in the portal",
                enrollmentMode: "corporateOwnedFullyManaged",
                description: "now managed by Pulumi",
                adoptExistingId: String(portal.id),
            });
            return { id: p.profileId };
        };
        const up = await s.stack.up(log(s));
        expect(up.outputs.id.value).to.equal(portal.id);
        const profiles = ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles");
        expect(profiles).to.have.length(1);
        expect(profiles[0].description).to.equal("now managed by Pulumi");
        expect(profiles[0].tokenValue).to.equal(portal.tokenValue);
        await s.stack.destroy(log(s));
        expect(allProfiles(ctx.emulator)).to.have.length(0);
    });
});
