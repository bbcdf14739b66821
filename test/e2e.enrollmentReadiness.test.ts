import { expect } from "chai";
import * as intune from "../provider";
import { destroyAndRemove, engineStack, EngineStack } from "./support/e2e";
import { useEmulator } from "./support/emulator";

/**
 * Will the devices enroll? Through the real engine: a fully managed profile in a tenant not bound to managed Google
 * Play, and in one with corporate-owned user enrollment off, shows why in `pulumi preview` and `pulumi up`; declaring
 * AndroidEnterpriseEnrollmentSettings turns the switch on and the warning goes; `pulumi destroy` puts the switch back
 * as the stack found it.
 */

const NOT_BOUND =
    /warning: intune: Android enrollment profile "Sales phones" \(corporateOwnedFullyManaged\): devices cannot enroll with it yet: the tenant is not bound to managed Google Play/;
const SWITCH_OFF =
    /warning: intune: Android enrollment profile "Sales phones" \(corporateOwnedFullyManaged\): devices cannot enroll with it yet: corporate-owned user enrollment is off/;

describe("end to end: whether devices can enroll, and the switch declared as code", function () {
    this.timeout(300_000);
    const ctx = useEmulator();
    let s: EngineStack | undefined;

    afterEach(async () => {
        await destroyAndRemove(s);
        s = undefined;
    });

    const phones = (withSwitch: boolean) => async () => {
        const settings = withSwitch ? new intune.AndroidEnterpriseEnrollmentSettings("tenant", { fullyManagedEnrollmentEnabled: true }) : undefined;
        const p = new intune.AndroidDeviceOwnerEnrollmentProfile(
            "sales",
            { displayName: "Sales phones", enrollmentMode: "corporateOwnedFullyManaged" },
            settings ? { dependsOn: [settings] } : {},
        );
        return { id: p.profileId, switchFound: settings?.foundFullyManagedEnrollmentEnabled };
    };
    const printed = (r: { stdout: string; stderr: string }): string => `${r.stdout}\n${r.stderr}`;

    it("warns in preview and up of a fully managed profile in a tenant not bound to managed Google Play", async () => {
        ctx.emulator.setAndroidEnterprise({ bindStatus: "notBound", androidDeviceOwnerFullyManagedEnrollmentEnabled: false });
        s = await engineStack(ctx.emulator, "readiness-unbound");
        s.program = phones(false);
        expect(printed(await s.stack.preview({ onOutput: () => undefined }))).to.match(NOT_BOUND);
        const up = await s.stack.up({ onOutput: () => undefined });
        expect(printed(up)).to.match(NOT_BOUND).and.to.match(SWITCH_OFF);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), "the profile is made all the same").to.have.length(1);
        // A preview with no change makes no Graph call, so it has nothing to say.
        ctx.emulator.clearRequests();
        const unchanged = await s.stack.preview({ onOutput: () => undefined });
        expect(unchanged.changeSummary.same).to.equal(2);
        expect(ctx.emulator.requests()).to.deep.equal([]);
    });

    it("warns in a bound tenant with the switch off; declaring the switch turns it on, the warning goes, and destroy puts it back", async () => {
        ctx.emulator.setAndroidEnterprise({ bindStatus: "boundAndValidated", androidDeviceOwnerFullyManagedEnrollmentEnabled: false });
        s = await engineStack(ctx.emulator, "readiness-switch");
        s.program = phones(false);
        const preview = printed(await s.stack.preview({ onOutput: () => undefined }));
        expect(preview).to.match(SWITCH_OFF).and.to.not.match(NOT_BOUND);
        expect(printed(await s.stack.up({ onOutput: () => undefined }))).to.match(SWITCH_OFF);

        s.program = phones(true);
        const declared = await s.stack.up({ onOutput: () => undefined });
        expect(declared.summary.resourceChanges?.create).to.equal(1);
        expect(printed(declared)).to.not.match(SWITCH_OFF);
        expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(true);
        expect(declared.outputs.switchFound.value).to.equal(false);
        const after = await s.stack.preview({ onOutput: () => undefined });
        expect(printed(after)).to.not.match(SWITCH_OFF);
        expect(after.changeSummary.same).to.equal(3);

        await s.stack.destroy({ onOutput: () => undefined });
        expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled, "put back as found").to.equal(false);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")).to.deep.equal([]);
    });
});
