import { expect } from "chai";
import { DEFAULT_GROUPS } from "../emulator";
import * as intune from "../provider";
import { destroyAndRemove, engineStack, EngineStack, failureOf, log } from "./support/e2e";
import { useEmulator } from "./support/emulator";

/**
 * Enrollment-time grouping through the real engine against the emulator: set on create, changed, drift from the
 * portal found by a refresh and undone, cleared when removed from the program, and every validation failure shown
 * to the user as the line that says what to fix, after which a run with a usable group converges.
 */

const [OWNED, OWNED_2, DYNAMIC, M365, NOT_OWNED, OUT_OF_SCOPE] = DEFAULT_GROUPS.map((g) => g.id);
const MISSING = "0b5e9d7a-1111-4c2d-8e3f-9a0b1c2d3e4f";
const DEVICE_OWNER = "androidDeviceOwnerEnrollmentProfiles";

describe("end to end: enrollment-time grouping through the real engine", function () {
    this.timeout(300_000);
    const ctx = useEmulator();
    let s: EngineStack | undefined;

    afterEach(async () => {
        await destroyAndRemove(s);
        s = undefined;
    });

    const kiosk = (group: string | undefined) => async () => {
        const p = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
            displayName: "Lobby kiosks",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenValidityDays: 90,
            ...(group ? { enrollmentTimeDeviceGroupId: group } : {}),
        });
        return { id: p.profileId, target: p.enrollmentTimeDeviceMembershipTarget, token: p.tokenValue };
    };
    const target = (id: string) => ctx.emulator.membershipTarget(id)?.targetId ?? null;

    it("sets the group on create, changes it, undoes a portal change found by a refresh, and clears it when removed", async () => {
        s = await engineStack(ctx.emulator, "grouping-lifecycle");
        s.program = kiosk(OWNED);
        const up = await s.stack.up(log(s));
        const id = up.outputs.id.value as string;
        expect(target(id)).to.equal(OWNED);
        expect(up.outputs.target.value).to.deep.equal({ targetId: OWNED, validationSucceeded: true, targetValidationErrorCode: "unknown" });
        expect(up.outputs.target.secret, "the report is not secret").to.equal(false);

        s.program = kiosk(OWNED_2);
        const changed = await s.stack.up(log(s));
        expect(changed.summary.resourceChanges?.update).to.equal(1);
        expect(target(id)).to.equal(OWNED_2);

        ctx.emulator.setMembershipTargetInPortal(id, OWNED);
        const preview = await s.stack.preview({ refresh: true, onOutput: () => undefined });
        expect(preview.changeSummary.update, "a refresh finds the portal's group and plans to set the program's again").to.equal(1);
        const undone = await s.stack.up({ refresh: true, onOutput: () => undefined });
        expect(undone.summary.resourceChanges?.update).to.equal(1);
        expect(target(id)).to.equal(OWNED_2);
        expect((await s.stack.preview({ refresh: true, onOutput: () => undefined })).changeSummary.update ?? 0, "and stays converged").to.equal(0);

        // The group deleted in Entra ID after it was set: a refresh says devices enrolling now join no group.
        ctx.emulator.deleteGroup(OWNED_2);
        const warned: string[] = [];
        await s.stack.preview({ refresh: true, onOutput: (l) => warned.push(l) });
        expect(warned.join("")).to.contain(
            `warning: intune: Android enrollment profile "Lobby kiosks": its enrollment-time group no longer passes Intune's checks, so devices enrolling now are not added to it: group ${OWNED_2} does not exist in this tenant`,
        );

        s.program = kiosk(undefined);
        const cleared = await s.stack.up(log(s));
        expect(cleared.summary.resourceChanges?.update).to.equal(1);
        expect(target(id)).to.equal(null);
        expect(cleared.outputs.target.value).to.equal(null);
        expect(
            ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id),
            "the same profile throughout",
        ).to.deep.equal([id]);
    });

    it("a refused group on create: the profile is kept in the stack, the line says what to fix, and the next run sets a usable group", async () => {
        s = await engineStack(ctx.emulator, "grouping-create-refused");
        s.program = kiosk(NOT_OWNED);
        const failed = await failureOf(s.stack.up({ onOutput: () => undefined }));
        expect(failed).to.contain("the Intune Provisioning Client service principal (appId f1346770-5b25-470b-88bd-d5744ab7952c) is not an owner of group");
        expect(failed).to.match(/\+ 1 created/);
        const [profile] = ctx.emulator.profiles(DEVICE_OWNER);
        expect(JSON.stringify((await s.stack.exportStack()).deployment), "not an orphan").to.contain(String(profile.id));

        s.program = kiosk(OWNED);
        const retried = await s.stack.up(log(s));
        expect(retried.outputs.id.value).to.equal(profile.id);
        expect(target(String(profile.id))).to.equal(OWNED);
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(1);
    });

    it("each validation failure on update is one clear line, and leaves the profile's group as it was", async () => {
        s = await engineStack(ctx.emulator, "grouping-update-refused");
        s.program = kiosk(OWNED);
        const id = (await s.stack.up(log(s))).outputs.id.value as string;
        for (const [group, words] of [
            [MISSING, "does not exist in this tenant"],
            [M365, "is not a security group"],
            [DYNAMIC, "has dynamic membership: enrollment-time grouping needs a security group with assigned (static) membership"],
            [NOT_OWNED, "is not an owner of group"],
            [OUT_OF_SCOPE, "is outside the scope of the identity that signs in"],
        ] as const) {
            s.program = kiosk(group);
            const failed = await failureOf(s.stack.up({ onOutput: () => undefined }));
            expect(failed).to.contain(`Setting the enrollment-time device group of Android enrollment profile "Lobby kiosks" failed: `);
            expect(failed).to.contain(words);
            expect(failed, "no stack trace of the provider's code").to.not.match(/^\s+at .*(dist\/provider|node_modules)/m);
            expect(target(id)).to.equal(OWNED);
        }
        s.program = kiosk(OWNED);
        expect(
            (await s.stack.preview({ refresh: true, onOutput: () => undefined })).changeSummary.update ?? 0,
            "the stack still records the usable group",
        ).to.equal(0);
    });
});
