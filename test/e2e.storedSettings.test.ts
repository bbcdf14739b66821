import { expect } from "chai";
import { RunningEmulator, startEmulator } from "../emulator";
import * as intune from "../provider";
import { STORED_SETTINGS_HINT } from "../provider/profiles/storedSettings";
import { destroyAndRemove, engineStack, EngineStack, failureOf, log } from "./support/e2e";
import { TEST_TLS_DIR, useEmulator } from "./support/emulator";

/**
 * Through the real engine: `pulumi refresh` and `pulumi destroy` run with the intune:* settings the last `pulumi up`
 * stored, not with the stack's config as it is now. A stack pointed at the wrong tenant by one `up`, then corrected,
 * was still refused by destroy as "configured for" the wrong tenant, with no word of why. The error now says, and
 * what the user does about it (run `pulumi up` first, or --run-program) works.
 */

const OTHER_TENANT = "6c8d0e2f-3a4b-4c5d-9e6f-8091a2b3c4d5";

describe("end to end: refresh and destroy use the settings the last pulumi up stored", function () {
    this.timeout(300_000);
    const ctx = useEmulator();
    let other: RunningEmulator | undefined;
    let s: EngineStack | undefined;

    afterEach(async () => {
        await destroyAndRemove(s);
        s = undefined;
        await other?.stop();
        other = undefined;
    });

    const pointAt = async (stack: EngineStack, e: RunningEmulator): Promise<void> => {
        await stack.stack.setAllConfig({
            "intune:tenantId": { value: e.tenantId },
            "intune:clientId": { value: e.defaultApp.clientId },
            "intune:clientSecret": { value: e.defaultApp.secret, secret: true },
            "intune:graphEndpoint": { value: e.graphUrl },
            "intune:authorityHost": { value: e.authorityHost },
            "intune:caCertificatePath": { value: e.caPath },
        });
    };

    it("says so when a refresh or destroy is refused on the stored settings, and runs with the corrected ones after pulumi up", async () => {
        s = await engineStack(ctx.emulator, "stored-settings");
        s.program = async () => {
            const p = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" });
            return { id: p.profileId };
        };
        const id = (await s.stack.up(log(s))).outputs.id.value as string;

        // One `pulumi up` with the stack pointed at another tenant by mistake: nothing to change, so it succeeds, and
        // the engine stores those settings as the provider's.
        other = await startEmulator({ tlsDir: TEST_TLS_DIR, tenantId: OTHER_TENANT });
        await pointAt(s, other);
        await s.stack.up({ onOutput: () => undefined });
        // Corrected: the stack's config names the right tenant again.
        await pointAt(s, ctx.emulator);

        const refreshed = await failureOf(s.stack.refresh({ onOutput: () => undefined }));
        expect(refreshed).to.contain(`configured for tenant ${OTHER_TENANT}`).and.to.contain(STORED_SETTINGS_HINT);
        const destroyed = await failureOf(s.stack.destroy({ onOutput: () => undefined }));
        expect(destroyed).to.contain(`configured for tenant ${OTHER_TENANT}`).and.to.contain(STORED_SETTINGS_HINT);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").map((p) => p.id)).to.deep.equal([id]);

        // An `up` runs the program with the corrected settings, and stores them: refresh and destroy then work.
        const up = await s.stack.up({ onOutput: () => undefined });
        expect(up.summary.resourceChanges?.same).to.equal(2);
        await s.stack.refresh({ onOutput: () => undefined });
        await s.stack.destroy({ onOutput: () => undefined });
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")).to.deep.equal([]);
        expect(other.profiles("androidDeviceOwnerEnrollmentProfiles")).to.deep.equal([]);
    });

    it("does not add the hint when the program runs (pulumi up with the wrong settings)", async () => {
        s = await engineStack(ctx.emulator, "stored-settings-up");
        s.program = async () => {
            new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
                displayName: "Kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                description: "v1",
            });
        };
        await s.stack.up({ onOutput: () => undefined });
        other = await startEmulator({ tlsDir: TEST_TLS_DIR, tenantId: OTHER_TENANT });
        await pointAt(s, other);
        s.program = async () => {
            new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
                displayName: "Kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                description: "v2",
            });
        };
        const updated = await failureOf(s.stack.up({ onOutput: () => undefined }));
        expect(updated).to.contain(`configured for tenant ${OTHER_TENANT}`).and.to.not.contain(STORED_SETTINGS_HINT);
        await pointAt(s, ctx.emulator);
    });
});
